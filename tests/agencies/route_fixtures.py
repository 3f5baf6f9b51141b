"""Route fixtures of the steering committee, training and TA agreement, TA log and phase
change pages and API for the route-inventory isolation test (see ``tests/route_fixtures.py``
for the contract)."""

from __future__ import annotations

import datetime
from typing import Any

from agencies import services
from agencies.models import Role, SignerRole, SteeringCategory
from tests.route_fixtures import RouteFixture, add_marker


def build(tenant) -> None:
    """A steering committee of ``tenant.agency`` with a member, a meeting she attended with
    minutes and decisions, and an action item; each text is a marker of the agency."""
    supervisor = tenant.user(Role.IPS_SUPERVISOR)
    name = tenant.agency.name
    tenant.steering_committee = services.steering_committee_create(
        user=supervisor, agency=tenant.agency
    )
    tenant.steering_member = services.steering_member_save(
        user=supervisor,
        committee=tenant.steering_committee,
        category=SteeringCategory.FAMILY_MEMBER,
        name=f"Steering member of {name}",
        organisation=f"Family council of {name}",
        email=f"steering.{tenant.collaborative.slug}@example.org",
    )
    tenant.steering_meeting = services.steering_meeting_save(
        user=supervisor,
        committee=tenant.steering_committee,
        date=datetime.date(2025, 2, 3),
        attendees=[tenant.steering_member.pk],
        guests=f"Guest of {name}",
        agenda=f"Steering agenda of {name}",
        minutes=f"Steering minutes of {name}",
        decisions=f"Steering decisions of {name}",
    )
    tenant.steering_action_item = services.steering_action_item_save(
        user=supervisor,
        meeting=tenant.steering_meeting,
        text=f"Steering action of {name}",
        owner=f"Owner of {name}",
        due_date=datetime.date(2025, 3, 1),
    )
    for text in (
        tenant.steering_member.organisation,
        tenant.steering_meeting.guests,
        tenant.steering_meeting.agenda,
        tenant.steering_meeting.minutes,
        tenant.steering_meeting.decisions,
        tenant.steering_action_item.text,
        tenant.steering_action_item.owner,
    ):
        add_marker(tenant, text, agency=True)
    _build_agreements(tenant)
    _build_ta(tenant)
    _build_phases(tenant)


def _build_agreements(tenant) -> None:
    """A signed version 1 of ``tenant.agency``'s agreement and a version 2 awaiting the VR
    line, each with texts that are markers of the agency, and a distinctive number of days."""
    name = tenant.agency.name
    admin = tenant.user(Role.STATE_ADMIN)
    first = services.agreement_create(
        user=tenant.user(Role.STATE_TRAINER),
        agency=tenant.agency,
        start_date=datetime.date(2025, 1, 6),
        es_training_days=17,
        notes=f"Agreement arrangements of {name}",
    )
    services.agreement_sign(
        user=tenant.user(Role.AGENCY_LEADER),
        agreement=first,
        signer_role=SignerRole.EXECUTIVE_DIRECTOR,
        signer_name=f"Director of {name}",
    )
    services.agreement_sign(user=admin, agreement=first, signer_role=SignerRole.STATE_MH)
    services.agreement_sign(
        user=admin,
        agreement=first,
        signer_role=SignerRole.STATE_VR,
        signer_name=f"VR signer of {name}",
        on_behalf_reason=f"Paper signature of {name}",
    )
    tenant.agreement_signed = first
    tenant.agreement = services.agreement_create(
        user=tenant.user(Role.IPS_SUPERVISOR),
        agency=tenant.agency,
        notes=f"Second agreement arrangements of {name}",
    )
    services.agreement_sign(
        user=tenant.user(Role.AGENCY_LEADER),
        agreement=tenant.agreement,
        signer_role=SignerRole.EXECUTIVE_DIRECTOR,
        signer_name=f"Second director of {name}",
    )
    for text in (
        first.notes,
        f"Director of {name}",
        f"VR signer of {name}",
        f"Paper signature of {name}",
        tenant.agreement.notes,
        f"Second director of {name}",
    ):
        add_marker(tenant, text, agency=True)


def _agreement_form(tenant) -> dict[str, Any]:
    return {
        "start_date": "2025-02-03",
        "es_training_days": "4",
        "mh_training_days": "1",
        "unit_meeting_months": "9",
        "team_meeting_months": "9",
        "employer_visits": "quarterly",
        "steering_committee_quarterly": "",
        "outcome_reviews": "on",
        "notes": "Hacked arrangements",
    }


def _signature_form(tenant) -> dict[str, Any]:
    return {"signer_name": "Hacker", "on_behalf_reason": "Hacked"}


def _member_form(tenant) -> dict[str, Any]:
    return {
        "name": "Hacked member",
        "category": SteeringCategory.CLIENT,
        "organisation": "Hackers",
        "email": "hacker@example.org",
        "is_active": "",
    }


def _meeting_form(tenant) -> dict[str, Any]:
    return {
        "date": "2025-02-04",
        "attendees": [str(tenant.steering_member.pk)],
        "guests": "Hacker",
        "agenda": "Hacked agenda",
        "minutes": "Hacked minutes",
        "decisions": "Hacked decisions",
    }


def _item_form(tenant) -> dict[str, Any]:
    return {"text": "Hacked item", "owner": "Hacker", "due_date": "2025-03-02", "status": "done"}


def _page(data=None) -> RouteFixture:
    return RouteFixture("tenant", data=data, agency_scoped=True)


PARAMETERS = {
    "steering_member_id": lambda t: t.steering_member,
    "meeting_id": lambda t: t.steering_meeting,
    "action_item_id": lambda t: t.steering_action_item,
    "agreement_id": lambda t: t.agreement,
    "signer_role": lambda t: SignerRole.STATE_VR.value,
}

ROUTES: dict[str, RouteFixture] = {
    "agencies:steering": _page(),
    "agencies:steering_start": _page(),
    "agencies:steering_member_add": _page(_member_form),
    "agencies:steering_member_edit": _page(_member_form),
    "agencies:steering_meeting_add": _page(_meeting_form),
    "agencies:steering_meeting": _page(),
    "agencies:steering_meeting_edit": _page(_meeting_form),
    "agencies:steering_action_item_add": _page(_item_form),
    "agencies:steering_action_item_edit": _page(_item_form),
    "agencies:steering_action_item_status": _page(lambda t: {"status": "dropped"}),
    "agencies:agreement_current": _page(),
    "agencies:agreement_new": _page(_agreement_form),
    "agencies:agreement": _page(),
    "agencies:agreement_edit": _page(_agreement_form),
    "agencies:agreement_sign": _page(_signature_form),
    "agencies:agreement_pdf": _page(),
}

# -- the API ---------------------------------------------------------------------------------


def _api_member(tenant) -> dict[str, Any]:
    return {**_member_form(tenant), "committee": str(tenant.steering_committee.pk)}


def _api_meeting(tenant) -> dict[str, Any]:
    return {
        **_meeting_form(tenant),
        "guests": ["Hacker"],
        "committee": str(tenant.steering_committee.pk),
    }


def _api_item(tenant) -> dict[str, Any]:
    return {**_item_form(tenant), "meeting": str(tenant.steering_meeting.pk)}


def _api_agreement(tenant) -> dict[str, Any]:
    return {
        **_agreement_form(tenant),
        "steering_committee_quarterly": False,
        "outcome_reviews": True,
        "agency": str(tenant.agency.pk),
    }


def _agency_query(tenant) -> dict[str, Any]:
    return {"agency": str(tenant.agency.pk)}


def _api_list(data) -> RouteFixture:
    return RouteFixture(
        "scoped_list",
        data=data,
        query=_agency_query,
        agency_scoped=True,
        note="the body names the victim's committee or meeting: writing there must be refused",
    )


def _api_detail(obj, data) -> RouteFixture:
    return RouteFixture(
        "tenant", kwargs=lambda t: {"pk": getattr(t, obj).pk}, data=data, agency_scoped=True
    )


ROUTES.update(
    {
        "steering-committee-list": _api_list(lambda t: {"agency": str(t.agency.pk)}),
        "steering-committee-detail": _api_detail("steering_committee", None),
        "steering-member-list": _api_list(_api_member),
        "steering-member-detail": _api_detail("steering_member", _api_member),
        "steering-meeting-list": _api_list(_api_meeting),
        "steering-meeting-detail": _api_detail("steering_meeting", _api_meeting),
        "steering-action-item-list": _api_list(_api_item),
        "steering-action-item-detail": _api_detail("steering_action_item", _api_item),
        "ta-agreement-list": _api_list(_api_agreement),
        "ta-agreement-detail": _api_detail("agreement", _api_agreement),
        "ta-agreement-signatures": _api_detail(
            "agreement",
            lambda t: {**_signature_form(t), "signer_role": SignerRole.STATE_VR.value},
        ),
    }
)


# -- the TA activity log ---------------------------------------------------------------------


def _build_ta(tenant) -> None:
    """A logged TA activity of ``tenant.agency`` with a marker in its notes (the agency's
    agreements come from ``_build_agreements``)."""
    from agencies.models import TAActivityKind

    name = tenant.agency.name
    tenant.ta_activity = services.ta_activity_log(
        user=tenant.user(Role.STATE_TRAINER),
        agency=tenant.agency,
        date=datetime.date(2025, 2, 4),
        kind=TAActivityKind.UNIT_MEETING,
        duration_minutes=97,
        notes=f"TA notes of {name}",
    )
    add_marker(tenant, tenant.ta_activity.notes, agency=True)


def _ta_form(tenant) -> dict[str, Any]:
    return {
        "agency": str(tenant.agency.pk),
        "date": "2025-02-05",
        "kind": "other",
        "duration_minutes": "30",
        "notes": "Hacked activity",
    }


PARAMETERS["activity_id"] = lambda t: t.ta_activity

ROUTES.update(
    {
        "agencies:ta_activities": RouteFixture(
            "scoped_list", query=lambda t: {"agency": str(t.agency.pk), "q": "TA notes"}
        ),
        "agencies:ta_activities_agency": _page(),
        "agencies:ta_activity_new": RouteFixture(
            "scoped_list",
            data=_ta_form,
            query=lambda t: {"agency": str(t.agency.pk)},
            note="the body names the victim's agency: logging there must be refused",
        ),
        "agencies:ta_activity": _page(),
        "agencies:ta_activity_edit": _page(_ta_form),
        "agencies:ta_activity_remove": _page(),
        "agencies:ta_compliance": _page(),
        "ta-activity-list": RouteFixture(
            "scoped_list",
            data=_ta_form,
            query=_agency_query,
            agency_scoped=True,
            note="the body names the victim's agency: logging there must be refused",
        ),
        "ta-activity-detail": _api_detail("ta_activity", _ta_form),
        "ta-compliance-list": RouteFixture(
            "tenant", kwargs=lambda t: {"agency_id": t.agency.pk}, agency_scoped=True
        ),
    }
)


# -- the implementation phase ----------------------------------------------------------------


def _build_phases(tenant) -> None:
    """A recorded move of ``tenant.agency`` from exploring to pre-implementation, its note a
    marker of the agency."""
    from agencies.models import ImplementationPhase

    tenant.phase_change = services.agency_phase_change(
        user=tenant.user(Role.IPS_SUPERVISOR),
        agency=tenant.agency,
        from_phase=ImplementationPhase.EXPLORING,
        to_phase=ImplementationPhase.PRE,
        note=f"Phase note of {tenant.agency.name}",
    )
    add_marker(tenant, tenant.phase_change.note, agency=True)


def _phase_form(tenant) -> dict[str, Any]:
    return {"to_phase": "sustaining", "note": "Hacked phase", "from_phase": "pre"}


ROUTES.update(
    {
        "agencies:plan_phase_change": _page(_phase_form),
        "agencies:plan_phase_history": _page(),
        "phase-change-list": RouteFixture(
            "scoped_list",
            data=lambda t: {**_phase_form(t), "agency": str(t.agency.pk)},
            query=_agency_query,
            agency_scoped=True,
            note="the body names the victim's agency: moving its phase must be refused",
        ),
        "phase-change-detail": _api_detail("phase_change", _phase_form),
    }
)
