"""Route fixtures of the readiness app for the route-inventory isolation test (see
``tests/route_fixtures.py`` for the contract)."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from agencies.models import Role
from ipsportal.models import Document
from readiness import services
from readiness.models import ReadinessVisit
from tests.readiness.helpers import make_visit
from tests.route_fixtures import RouteFixture, add_marker, distinctive_number, hide

#: Roles that read a visit once it is final, never its draft.
FINAL_ONLY_READERS = (Role.VR_LIAISON, Role.IPS_SUPERVISOR, Role.AGENCY_LEADER)


def _give_numbers(tenant, visit: ReadinessVisit) -> None:
    """Distinctive numbers for the visit's version and counts, declared as its markers: a
    page or a sum that shows one gives the visit away."""
    version = distinctive_number(tenant)
    if visit.is_final:  # every applicable area is rated
        ready, rated = sorted(distinctive_number(tenant) for _ in range(2))
        applicable = rated
    else:
        ready, rated, applicable = sorted(distinctive_number(tenant) for _ in range(3))
    ReadinessVisit.objects.filter(pk=visit.pk).update(
        version=version, ready_count=ready, rated_count=rated, applicable_count=applicable
    )
    visit.refresh_from_db()
    for number in {version, ready, rated, applicable}:
        add_marker(tenant, number, of=visit)


def build(tenant) -> None:
    """A complete draft and a finalized visit of ``tenant.agency`` (the final one with a
    rendered report, an amendment-ready state and action steps), each with distinctive
    numbers, and a checklist adaptation of the victim collaborative. The draft is hidden
    from the roles that read final visits only and from the employment specialist; the final
    visit and its report answer the employment specialist 403."""
    trainer = tenant.user(Role.STATE_TRAINER)
    name = tenant.agency.name
    tenant.visit_draft = make_visit(tenant, label=f"draft secret of {name}")
    tenant.visit = make_visit(tenant, final=True, label=f"final secret of {name}")
    for visit in (tenant.visit_draft, tenant.visit):
        for rating in visit.ratings.all():
            add_marker(tenant, rating.notes, of=visit)
        for step in visit.action_steps.all():
            add_marker(tenant, step.text, of=visit)
        _give_numbers(tenant, visit)
    report = Document.objects.get(subject_id=tenant.visit.pk, is_current=True)
    # Plain text inside the "PDF", so a download that leaks it shows the markers.
    report.file.save(
        "visit.pdf",
        ContentFile(f"%PDF-1.4 {name} {tenant.collaborative.name}".encode()),
        save=False,
    )
    report.status = Document.Status.READY
    report.finished_at = timezone.now()
    report.save()
    tenant.visit_report = report
    hide(tenant, tenant.visit_draft, from_=(*FINAL_ONLY_READERS, Role.EMPLOYMENT_SPECIALIST))
    # The final visit and its report: in the specialist's scope, not theirs to read.
    hide(tenant, [tenant.visit, report], from_=(Role.EMPLOYMENT_SPECIALIST,), answer=403)
    definition = dict(tenant.visit.checklist.definition)
    definition.update(slug="adapted-readiness", title=f"Checklist of {tenant.collaborative.name}")
    tenant.checklist_adaptation, _ = services.checklist_install(
        definition=definition, collaborative=tenant.collaborative
    )
    add_marker(tenant, tenant.checklist_adaptation.title)
    tenant.readiness_trainer = trainer


def _visit(tenant) -> dict[str, Any]:
    return {"visit_id": tenant.visit.pk}


def _draft(tenant) -> dict[str, Any]:
    return {"visit_id": tenant.visit_draft.pk}


def _form(tenant) -> dict[str, Any]:
    # The visit page's main fields with new values: a missing check would save them.
    visit = tenant.visit_draft
    data = {
        "version": str(visit.version),
        "visit_date": timezone.localdate().isoformat(),
        "barriers": "Hacked barriers",
        "facilitators": "Hacked facilitators",
        "reason": "Hacked reason",
        "resend": "on",
    }
    for area in visit.checklist.areas:
        data[f"rating_{area.key}"] = "work_needed"
        data[f"notes_{area.key}"] = "Hacked notes"
    for prefix in ("leaders", "guests", "steps", "recipients"):
        data.update({f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(
        {
            "recipients-0-email": "attacker@example.net",
            "recipients-0-name": "Attacker",
            "steps-0-text": "Hacked step",
            "leaders-0-name": "Hacked leader",
        }
    )
    return data


def _to_plan(tenant) -> dict[str, Any]:
    steps = list(tenant.visit.action_steps.all())
    return {
        "step": [str(s.pk) for s in steps],
        **{f"area_{s.pk}": "funding" for s in steps},
    }


def _start(tenant) -> dict[str, Any]:
    return {"agency": str(tenant.agency.pk), "visit_date": timezone.localdate().isoformat()}


def _api_patch(tenant) -> dict[str, Any]:
    return {
        "version": tenant.visit_draft.version,
        "barriers": "Hacked",
        "ratings": [{"area_key": "motivation", "rating": "work_needed", "notes": "Hacked"}],
        "recipients": [{"name": "Attacker", "email": "attacker@example.net"}],
    }


def _api_create(tenant) -> dict[str, Any]:
    return {"agency": str(tenant.agency.pk), "visit_date": timezone.localdate().isoformat()}


def _query(tenant) -> dict[str, Any]:
    return {"agency": str(tenant.agency.pk), "region": str(tenant.region.pk)}


PARAMETERS = {"visit_id": lambda t: t.visit}


def _tenant(kwargs, data=None) -> RouteFixture:
    return RouteFixture("tenant", kwargs=kwargs, data=data, agency_scoped=True)


ROUTES: dict[str, RouteFixture] = {
    "readiness:overview": RouteFixture("scoped_list", query=_query),
    "readiness:visit_start": RouteFixture("scoped_list", data=_start, query=_query),
    "readiness:visit_detail": _tenant(_visit),
    "readiness:visit_edit": _tenant(_draft, _form),
    "readiness:visit_autosave": _tenant(_draft, _form),
    "readiness:visit_review": _tenant(_draft, _form),
    "readiness:visit_discard": _tenant(_draft),
    "readiness:visit_finalize": _tenant(_draft, lambda t: {"version": str(t.visit_draft.version)}),
    "readiness:visit_amend": _tenant(_visit, _form),
    "readiness:visit_resend": _tenant(_visit),
    "readiness:visit_report_status": _tenant(_visit),
    "readiness:overview_export": RouteFixture(
        "scoped_list", data=lambda t: {"format": "csv", "region": str(t.region.pk)}
    ),
    "readiness:reports_zip": RouteFixture("scoped_list"),
    "readiness:history_pdf": _tenant(lambda t: {"agency_id": t.agency.pk}),
    "readiness:visit_to_plan": _tenant(_visit, _to_plan),
    "readinessvisit-list": RouteFixture("scoped_list", data=_api_create, query=_query),
    "readinessvisit-detail": RouteFixture(
        "tenant",
        kwargs=lambda t: {"pk": t.visit_draft.pk},
        data=_api_patch,
        agency_scoped=True,
    ),
    "readinessvisit-finalize": RouteFixture(
        "tenant",
        kwargs=lambda t: {"pk": t.visit_draft.pk},
        data=lambda t: {"version": t.visit_draft.version},
        agency_scoped=True,
    ),
    "readinesschecklist-list": RouteFixture("scoped_list"),
    "readinesschecklist-detail": RouteFixture(
        "tenant", kwargs=lambda t: {"pk": t.checklist_adaptation.pk}
    ),
}
