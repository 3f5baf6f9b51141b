"""How the visit page, the finalize page, the report and its email put things in words."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from agencies.models import Role
from readiness import services
from readiness.selectors import visit_content
from tests.readiness.helpers import make_visit

pytestmark = pytest.mark.django_db


def _rate(tenant, visit, work_by_part: dict[str, int]):
    """Every area ready except the first ``n`` areas of each part named."""
    ratings = {}
    for part in visit.checklist.parts:
        for n, area in enumerate(part.areas):
            work = n < work_by_part.get(part.key, 0)
            ratings[area.key] = {"rating": "work_needed" if work else "ready", "notes": ""}
    return services.visit_save_draft(
        user=tenant.user(Role.STATE_TRAINER),
        visit=visit,
        data={"ratings": ratings},
        expected_version=visit.version,
    )


def _text(response) -> str:
    return " ".join(response.content.decode().split())


def test_it_says_1_needs_work_and_2_need_work(client, tenant):
    visit = _rate(tenant, make_visit(tenant), {"leadership": 1, "employment_team": 2})
    client.force_login(tenant.user(Role.STATE_TRAINER))
    page = _text(client.get(reverse("readiness:visit_detail", args=[visit.pk])))
    assert "5 ready, 1 needs work" in page
    assert "1 ready, 2 need work" in page
    assert "1 need work" not in page
    finalize = _text(client.get(reverse("readiness:visit_finalize", args=[visit.pk])))
    assert "7 of 10 areas ready, 3 need work." in finalize
    visit = _rate(tenant, visit, {"clients": 1})
    finalize = _text(client.get(reverse("readiness:visit_finalize", args=[visit.pk])))
    assert "9 of 10 areas ready, 1 needs work." in finalize
    assert "0 ready, 1 needs work" in finalize


def test_it_writes_the_counts_of_the_email_in_proper_english(tenant):
    visit = _rate(tenant, make_visit(tenant), {"leadership": 6, "employment_team": 3})
    context = {**visit_content(visit), "collaborative": tenant.collaborative}
    text = " ".join(render_to_string("emails/readiness_visit_report.txt", context).split())
    assert "1 of 10 checklist areas is ready; work is needed in 9." in text
    visit = _rate(tenant, visit, {})
    context = {**visit_content(visit), "collaborative": tenant.collaborative}
    text = " ".join(render_to_string("emails/readiness_visit_report.txt", context).split())
    assert "10 of 10 checklist areas are ready" in text


def _activities(html: str, start: str) -> str:
    text = " ".join(html.split())
    begin = text.index(start)
    return text[begin : begin + 400]


def _only_remarks(tenant):
    visit = make_visit(tenant)
    return services.visit_save_draft(
        user=tenant.user(Role.STATE_TRAINER),
        visit=visit,
        data={
            "met_leadership": False,
            "met_employment_staff": False,
            "met_clients": False,
            "activity_notes": "Toured the clubhouse with the peer specialists",
        },
        expected_version=visit.version,
    )


def test_it_shows_typed_remarks_of_the_activities_without_saying_none_were_recorded(client, tenant):
    visit = _only_remarks(tenant)
    client.force_login(tenant.user(Role.STATE_TRAINER))
    html = client.get(reverse("readiness:visit_detail", args=[visit.pk])).content.decode()
    row = _activities(html, ">Activities</dt>")
    assert "Toured the clubhouse" in row and "None recorded" not in row.split("</dd>")[0]
    report = render_to_string(
        "reports/readiness_visit.html",
        {**visit_content(visit), "collaborative": tenant.collaborative},
    )
    row = _activities(report, ">Activities</th>").split("</tr>")[0]
    assert "Toured the clubhouse" in row and "Not recorded" not in row


def test_it_says_not_recorded_when_there_is_nothing_at_all(client, tenant):
    visit = _only_remarks(tenant)
    visit = services.visit_save_draft(
        user=tenant.user(Role.STATE_TRAINER),
        visit=visit,
        data={"activity_notes": ""},
        expected_version=visit.version,
    )
    client.force_login(tenant.user(Role.STATE_TRAINER))
    html = client.get(reverse("readiness:visit_detail", args=[visit.pk])).content.decode()
    assert "None recorded" in _activities(html, ">Activities</dt>").split("</dd>")[0]
    report = render_to_string(
        "reports/readiness_visit.html",
        {**visit_content(visit), "collaborative": tenant.collaborative},
    )
    assert "Not recorded" in _activities(report, ">Activities</th>").split("</tr>")[0]


def test_it_shows_on_the_finalize_page_everything_the_report_will_say(client, tenant):
    visit = _only_remarks(tenant)
    trainer = tenant.user(Role.STATE_TRAINER)
    client.force_login(trainer)
    page = _text(client.get(reverse("readiness:visit_finalize", args=[visit.pk])))
    for expected in [
        trainer.display_name,  # the visitor
        "Dana Director",  # the leader
        "Executive director",
        "Toured the clubhouse with the peer specialists",
        "No start-up budget",  # a barrier
        "Strong VR partnership",  # a facilitator
        "Budget start-up funds",  # an action step
        "Vic Counselor",  # a recipient
    ]:
        assert expected in page, expected


def test_it_opens_the_visit_form_again_when_the_review_address_is_reloaded(client, tenant):
    visit = make_visit(tenant)
    client.force_login(tenant.user(Role.STATE_TRAINER))
    response = client.get(reverse("readiness:visit_review", args=[visit.pk]))
    assert response.status_code == 302
    assert response.url == reverse("readiness:visit_edit", args=[visit.pk])
    client.force_login(tenant.user(Role.FIDELITY_REVIEWER))
    response = client.get(reverse("readiness:visit_review", args=[visit.pk]))
    assert response.status_code == 403


def test_it_tells_the_mail_readers_who_reads_the_report_in_the_portal_only_when_someone_can(
    tenant,
):
    from agencies.models import Membership
    from ipsportal import access
    from readiness.deliveries import _in_a_sentence

    readers = access.agency_readers_of_final_visits(tenant.agency)
    assert readers == [Role.IPS_SUPERVISOR, Role.AGENCY_LEADER]
    visit = make_visit(tenant)
    context = {
        **visit_content(visit),
        "collaborative": tenant.collaborative,
        "portal_readers": [_in_a_sentence(r.label) for r in readers],
    }
    text = " ".join(render_to_string("emails/readiness_visit_report.txt", context).split())
    assert "in IPS Portal, where the agency's IPS supervisor and agency leader can read it" in text

    Membership.objects.filter(agencies=tenant.agency, role=Role.AGENCY_LEADER).update(
        is_active=False
    )
    assert access.agency_readers_of_final_visits(tenant.agency) == [Role.IPS_SUPERVISOR]
    Membership.objects.filter(agencies=tenant.agency, role=Role.IPS_SUPERVISOR).update(
        is_active=False
    )
    assert access.agency_readers_of_final_visits(tenant.agency) == []
    context["portal_readers"] = []
    text = " ".join(render_to_string("emails/readiness_visit_report.txt", context).split())
    assert "IPS Portal, where" not in text
    assert "supervisor" not in text
