"""Builders of readiness visits for the tests."""

from __future__ import annotations

import datetime
from typing import Any

from agencies.models import Role
from readiness import services
from readiness.models import ReadinessVisit


def complete_data(visit: ReadinessVisit, *, label: str = "") -> dict[str, Any]:
    """Data that makes a visit complete: every area rated, two action steps with owners and
    dates, two recipients (one a VR copy)."""
    areas = visit.checklist.areas
    return {
        "visit_date": visit.collaborative.today() - datetime.timedelta(days=1),
        "met_leadership": True,
        "met_employment_staff": True,
        "met_clients": True,
        "leaders": [{"name": "Dana Director", "title": "Executive director"}],
        "ratings": {
            a.key: {
                "rating": "work_needed" if n % 3 == 0 else "ready",
                "notes": f"Notes on {a.title} {label}".strip(),
            }
            for n, a in enumerate(areas)
        },
        "barriers": f"No start-up budget {label}\nStaff doubt clients can work".strip(),
        "facilitators": "Strong VR partnership",
        "action_steps": [
            {
                "text": f"Budget start-up funds {label}".strip(),
                "owner": "Dana Director",
                "target_date": datetime.date(2030, 1, 31),
                "area_key": "financing",
            },
            {
                "text": "Name a steering committee chair",
                "owner": "Chris Clinical",
                "target_date": datetime.date(2030, 3, 1),
                "area_key": "",
            },
        ],
        "recipients": [
            {
                "name": "Dana Director",
                "email": "dana.director@example.org",
                "role": "Executive director",
                "vr_copy": False,
            },
            {
                "name": "Vic Counselor",
                "email": "vic.counselor@example.org",
                "role": "VR counselor",
                "vr_copy": True,
            },
        ],
    }


def make_visit(
    tenant, *, agency=None, user=None, final: bool = False, label: str = "", send_email=True
) -> ReadinessVisit:
    """A visit of ``tenant.agency`` (or ``agency``) by the tenant's trainer: a complete draft,
    or with ``final`` a finalized visit (its report is queued when the test's transaction
    commits, so in plain tests it stays pending)."""
    user = user or tenant.user(Role.STATE_TRAINER)
    agency = agency or tenant.agency
    visit = services.visit_create(user=user, agency=agency)
    visit = services.visit_save_draft(
        user=user,
        visit=visit,
        data=complete_data(visit, label=label),
        expected_version=visit.version,
    )
    if final:
        visit = services.visit_finalize(
            user=user, visit=visit, expected_version=visit.version, send_email=send_email
        )
    return visit


def form_post(visit: ReadinessVisit, **overrides) -> dict[str, str]:
    """The visit page's fields as a browser posts them, filled from the stored visit."""
    from readiness.forms import VisitPage

    page = VisitPage(visit=visit, user=visit.updated_by)
    data: dict[str, Any] = {}
    form = page.form
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if name == "visitor_members":
            data[name] = list(value or [])
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is None:
            data[name] = ""
        else:
            data[name] = str(value)
    for prefix, formset in page.formsets.items():
        rows = formset.initial or []
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        data[f"{prefix}-INITIAL_FORMS"] = str(len(rows))
        data[f"{prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{prefix}-MAX_NUM_FORMS"] = "1000"
        for n, row in enumerate(rows):
            for key, value in row.items():
                if isinstance(value, bool):
                    if value:
                        data[f"{prefix}-{n}-{key}"] = "on"
                else:
                    data[f"{prefix}-{n}-{key}"] = "" if value is None else str(value)
    data.update(overrides)
    return data


def visit_report(visit: ReadinessVisit):
    """The visit's current report (its record document), or None."""
    from ipsportal.models import Document

    return Document.objects.filter(
        kind="readiness_visit", subject_id=visit.pk, is_current=True
    ).first()


def report_deliveries(visit: ReadinessVisit):
    """The outbox rows of the visit's report emails, oldest first."""
    from ipsportal.notifications.models import Delivery

    return Delivery.objects.filter(kind="readiness_visit", subject_id=visit.pk).order_by(
        "created_at"
    )
