"""The readiness visit report (PDF), rendered by a worker."""

from __future__ import annotations

from django.utils import timezone

from ipsportal import access
from ipsportal.reports import register
from readiness.models import Rating


def visit_parts(visit) -> list[dict]:
    """The checklist of a visit with its ratings and notes, part by part (for pages and PDF)."""
    ratings = {r.area_key: r for r in visit.ratings.all()}
    labels = dict(Rating.choices)
    parts = []
    for part in visit.checklist.parts:
        not_applicable = part.key in (visit.not_applicable_parts or [])
        areas = []
        for area in part.areas:
            row = ratings.get(area.key)
            rating = row.rating if row else ""
            areas.append(
                {
                    "area": area,
                    "rating": rating,
                    "rating_label": labels.get(rating, "Not rated"),
                    "notes": row.notes if row else "",
                }
            )
        parts.append(
            {
                "part": part,
                "not_applicable": not_applicable,
                "areas": areas,
                "ready": sum(1 for a in areas if a["rating"] == Rating.READY),
                "work": sum(1 for a in areas if a["rating"] == Rating.WORK_NEEDED),
            }
        )
    return parts


def activity_labels(visit) -> list[str]:
    """The activities of the visit in words."""
    return [
        label
        for done, label in [
            (visit.met_leadership, "Meeting with agency leadership"),
            (visit.met_employment_staff, "Employment meeting observed / employment staff met"),
            (visit.met_clients, "Meeting with a group of clients"),
        ]
        if done
    ]


def lines(text: str) -> list[str]:
    """Barriers and facilitators are typed one per line; the report lists them."""
    return [x.strip(" \t-•*") for x in (text or "").splitlines() if x.strip(" \t-•*")]


def visit_content(visit) -> dict:
    """What the visit page and the visit report both show: the visit, its parts and areas,
    the people, the summary and the corrections. Action steps carry ``area_title``."""
    steps = list(visit.action_steps.all())
    for step in steps:
        area = visit.checklist.area(step.area_key) if step.area_key else None
        step.area_title = area.title if area else ""
    return {
        "visit": visit,
        "agency": visit.agency,
        "parts": visit_parts(visit),
        "activities": activity_labels(visit),
        "leaders": list(visit.leaders.all()),
        "visitors": list(visit.visitors.all()),
        "barriers": lines(visit.barriers),
        "facilitators": lines(visit.facilitators),
        "action_steps": steps,
        "recipients": list(visit.recipients.all()),
        "amendments": list(visit.amendments.select_related("amended_by")),
    }


@register("readiness_visit", template="readiness_visit")
def readiness_visit_context(report) -> dict:
    """A readiness visit as its requester (the trainer who finalized it) may see it."""
    visit = access.access_visit(report.requested_by, report.subject_id)
    access.require(report.requested_by, access.Action.EXPORT, agency=visit.agency)
    zone = visit.collaborative.zoneinfo
    return {
        **visit_content(visit),
        "report": report,
        "collaborative": visit.collaborative,
        "finalized_at": visit.finalized_at.astimezone(zone) if visit.finalized_at else None,
        "generated_at": timezone.now().astimezone(zone),
    }
