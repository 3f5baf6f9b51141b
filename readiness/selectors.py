"""Reads of readiness visits: the overview, an agency's visits and chart, a visit's content
(for its page and its report alike), the state of its report and emails. Each starts from
the access package."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils.dateformat import format as date_format

from ipsportal import access
from ipsportal.access import Action
from ipsportal.charts import Bar, BarChart
from ipsportal.models import Document
from readiness.models import Rating, ReadinessVisit, VisitStatus

if TYPE_CHECKING:
    from agencies.models import Agency, Collaborative
    from ipsportal.access import VisitAccess
    from ipsportal.models import User

#: The kind of the visit's record document (its report PDF).
REPORT_KIND = "readiness_visit"

#: Filters of the overview by the agency's latest visit.
STATUS_FILTERS = {
    "not_visited": "Not visited yet",
    "draft": "Latest visit is a draft",
    "final": "Latest visit is final",
}


def overview(
    user: User,
    collaborative: Collaborative,
    *,
    q: str = "",
    region: str = "",
    status: str = "",
    action: Action = Action.READINESS_VIEW,
) -> tuple[QuerySet[Agency], dict]:
    """Agencies whose visits the user reads, each with its latest visit as this user may see
    it (``latest_*``) and the number of visits; filtered; with the counts before filtering.
    ``action`` is the right the rows are read with (``readiness_export`` for exports)."""
    visits = access.rows(user, action, ReadinessVisit, collaborative)
    latest = visits.filter(agency=OuterRef("pk")).order_by("-visit_date", "-created_at")
    agencies = (
        access.readiness_agencies(user, collaborative)
        .select_related("region")
        .annotate(
            latest_id=Subquery(latest.values("pk")[:1]),
            latest_date=Subquery(latest.values("visit_date")[:1]),
            latest_status=Subquery(latest.values("status")[:1]),
            latest_ready=Subquery(latest.values("ready_count")[:1]),
            latest_applicable=Subquery(latest.values("applicable_count")[:1]),
            latest_rated=Subquery(latest.values("rated_count")[:1]),
            visit_count=Subquery(
                visits.filter(agency=OuterRef("pk"))
                .order_by()
                .values("agency")
                .annotate(n=Count("pk"))
                .values("n")[:1]
            ),
        )
    )
    counts = agencies.aggregate(
        total=Count("pk"), not_visited=Count("pk", filter=Q(latest_id__isnull=True))
    )
    if q:
        agencies = agencies.filter(Q(name__icontains=q) | Q(city__icontains=q))
    region_ids = {
        str(pk) for pk in access.regions_in_scope(user, collaborative).values_list("pk", flat=True)
    }
    if region and region in region_ids:
        agencies = agencies.filter(region_id=region)
    if status == "not_visited":
        agencies = agencies.filter(latest_id__isnull=True)
    elif status in (VisitStatus.DRAFT, VisitStatus.FINAL):
        agencies = agencies.filter(latest_status=status)
    return agencies.order_by("name"), counts


def agency_visits(user: User, agency: Agency, *, limit: int = 10) -> list[ReadinessVisit]:
    """The agency's visits the user may read (drafts only for those who read drafts)."""
    return list(
        access.visits_in_scope(user)
        .filter(agency=agency)
        .select_related("finalized_by")
        .order_by("-visit_date", "-created_at")[:limit]
    )


def readiness_chart(user: User, agency: Agency) -> BarChart:
    """Areas rated ready at each finalized visit of an agency the user may read, oldest
    first: the chart of the agency page and of the readiness history PDF."""
    visits = (
        access.visits_in_scope(user)
        .filter(agency=agency, status=VisitStatus.FINAL, applicable_count__gt=0)
        .order_by("visit_date", "created_at")
        .values_list("visit_date", "ready_count", "applicable_count")
    )
    bars = tuple(
        Bar(
            label=date_format(day, "M j, Y"),
            value=ready,
            total=applicable,
            value_text=f"{ready} of {applicable}",
        )
        for day, ready, applicable in visits
    )
    return BarChart(
        title=f"Readiness areas rated ready at each finalized visit to {agency.name}",
        description=(
            "Bars show the share of the checklist's applicable areas rated Ready, one bar "
            "per finalized visit, oldest on the left. The table below gives the same figures."
        ),
        bars=bars,
        label_heading="Visit",
        value_heading="Areas rated ready",
        chart_id=f"readiness-chart-{agency.pk.hex[:8]}",
    )


def home_drafts(user: User, collaborative: Collaborative, *, limit: int = 5) -> list:
    """Draft visits the user may continue, newest first."""
    return list(
        access.rows(user, Action.READINESS_WRITE, ReadinessVisit, collaborative)
        .filter(status=VisitStatus.DRAFT)
        .select_related("agency", "updated_by")
        .order_by("-updated_at")[:limit]
    )


# --------------------------------------------------------------------------------------------
# A visit's content: its page and its report show the same
# --------------------------------------------------------------------------------------------


def visit_parts(visit: ReadinessVisit) -> list[dict]:
    """The checklist of a visit with its ratings and notes, part by part."""
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


def activity_labels(visit: ReadinessVisit) -> list[str]:
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
    """Barriers and facilitators are typed one per line; pages and reports list them."""
    return [x.strip(" \t-•*") for x in (text or "").splitlines() if x.strip(" \t-•*")]


def visit_content(visit: ReadinessVisit) -> dict:
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


# --------------------------------------------------------------------------------------------
# The report and its emails
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportState:
    """The visit's report document (as the user may read it) and where its emails are."""

    document: Document | None
    sent: int
    waiting: int
    failed: int
    cancelled: int
    last_sent_at: object
    failures: tuple[str, ...]

    @property
    def pending(self) -> bool:
        """Still moving: the page polls while the worker renders or sends."""
        rendering = self.document is not None and not self.document.is_finished
        return rendering or (self.waiting > 0 and not self.document_failed)

    @property
    def document_failed(self) -> bool:
        return self.document is not None and self.document.status == Document.Status.FAILED


def report_state(user: User, found: VisitAccess) -> ReportState:
    """The report of a visit and the state of its emails (two queries). Who was emailed is
    shown to those who may write the visit; everyone else sees the report only."""
    from ipsportal.notifications.models import Delivery

    visit = found.visit
    document = access.current_record_document(user, REPORT_KIND, visit)
    counts = {"sent": 0, "waiting": 0, "failed": 0, "cancelled": 0}
    last_sent_at = None
    failures: list[str] = []
    if found.can_edit:
        rows = Delivery.objects.filter(
            collaborative_id=visit.collaborative_id, kind=REPORT_KIND, subject_id=visit.pk
        ).values_list("status", "sent_at", "recipient_email", "last_error")
        for status, sent_at, email, error in rows:
            if status == Delivery.Status.SENT:
                counts["sent"] += 1
                last_sent_at = max(filter(None, [last_sent_at, sent_at]), default=None)
            elif status in (Delivery.Status.PENDING, Delivery.Status.CLAIMED):
                counts["waiting"] += 1
            elif status == Delivery.Status.FAILED:
                counts["failed"] += 1
                failures.append(f"{email}: {error}" if error else email)
            else:
                counts["cancelled"] += 1
    return ReportState(
        document=document, last_sent_at=last_sent_at, failures=tuple(failures), **counts
    )
