import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies import services as agency_services
from agencies.models import Role
from ipsportal import access
from ipsportal.models import Document
from readiness import services
from readiness.models import ReadinessVisit, VisitAmendment
from tests.factories import grant, make_agency, make_user
from tests.readiness.helpers import form_post, make_visit, visit_report

pytestmark = pytest.mark.django_db

R = Role

#: Who reads a draft and a finalized visit of ``tenant.agency`` (HTTP status of the page).
READ_MATRIX = {
    R.STATE_ADMIN: (200, 200),
    R.STATE_TRAINER: (200, 200),
    R.FIDELITY_REVIEWER: (200, 200),
    R.VR_LIAISON: (404, 200),
    R.IPS_SUPERVISOR: (404, 200),
    R.AGENCY_LEADER: (404, 200),
    R.EMPLOYMENT_SPECIALIST: (404, 403),
}


@pytest.fixture
def visits(tenant):
    return make_visit(tenant, label="draft"), make_visit(tenant, final=True, label="final")


@pytest.mark.parametrize("role", list(READ_MATRIX))
def test_it_lets_each_role_read_drafts_and_finals_as_the_matrix_says(client, tenant, visits, role):
    draft, final = visits
    client.force_login(tenant.user(role))
    got = tuple(
        client.get(reverse("readiness:visit_detail", args=[v.pk])).status_code
        for v in (draft, final)
    )
    assert got == READ_MATRIX[role]


@pytest.mark.parametrize("role", list(Role))
def test_it_answers_404_to_every_role_of_another_collaborative(client, visits, other_tenant, role):
    client.force_login(other_tenant.user(role))
    for visit in visits:
        assert client.get(reverse("readiness:visit_detail", args=[visit.pk])).status_code == 404
        report = visit_report(visit)
        if report is not None:
            assert client.get(report.download_url).status_code == 404
        response = client.post(reverse("readiness:visit_edit", args=[visit.pk]), {"version": 9})
        assert response.status_code == 404


@pytest.mark.parametrize("role", [r for r in Role if r in Role.agency_roles()])
def test_it_hides_visits_from_the_staff_of_another_agency(client, tenant, visits, role):
    client.force_login(tenant.other_agency_users[role])
    for visit in visits:
        assert client.get(reverse("readiness:visit_detail", args=[visit.pk])).status_code == 404


def test_it_shows_a_vr_liaison_the_visits_of_assigned_agencies_only(client, tenant, visits):
    draft, final = visits
    liaison = make_user()
    grant(liaison, tenant.collaborative, Role.VR_LIAISON, [tenant.other_agency])
    client.force_login(liaison)
    assert client.get(reverse("readiness:visit_detail", args=[final.pk])).status_code == 404
    other_final = make_visit(
        tenant, agency=tenant.other_agency, user=tenant.user(Role.STATE_ADMIN), final=True
    )
    assert client.get(reverse("readiness:visit_detail", args=[other_final.pk])).status_code == 200
    listed = client.get(reverse("readinessvisit-list"))
    assert [row["id"] for row in listed.json()["results"]] == [str(other_final.pk)]


def test_it_lets_only_admins_and_trainers_edit_and_tells_the_others_403_or_404(
    client, tenant, visits
):
    draft, final = visits
    url = reverse("readiness:visit_edit", args=[draft.pk])
    amend = reverse("readiness:visit_amend", args=[final.pk])
    expected = {
        R.STATE_ADMIN: (200, 200),
        R.STATE_TRAINER: (200, 200),
        R.FIDELITY_REVIEWER: (403, 403),  # sees both, may write neither
        R.VR_LIAISON: (404, 403),  # drafts are outside its scope
        R.IPS_SUPERVISOR: (404, 403),
        R.AGENCY_LEADER: (404, 403),
        R.EMPLOYMENT_SPECIALIST: (404, 403),
    }
    for role, statuses in expected.items():
        client.force_login(tenant.user(role))
        assert (client.get(url).status_code, client.get(amend).status_code) == statuses, role


def test_it_saves_the_form_and_comes_back_to_it(client, tenant):
    trainer = tenant.user(Role.STATE_TRAINER)
    visit = services.visit_create(user=trainer, agency=tenant.agency)
    client.force_login(trainer)
    data = form_post(
        visit,
        rating_motivation="ready",
        notes_motivation="Leaders know the research",
        barriers="No budget yet",
        **{
            "steps-TOTAL_FORMS": "1",
            "steps-0-text": "Budget start-up funds",
            "steps-0-owner": "CFO",
            "steps-0-target_date": "2030-01-31",
            "steps-0-area_key": "financing",
            "recipients-TOTAL_FORMS": "2",
            "recipients-0-name": "Dana",
            "recipients-0-email": "dana@example.org",
            "recipients-1-name": "Vic",
            "recipients-1-email": "vic@example.org",
            "recipients-1-vr_copy": "on",
        },
    )
    response = client.post(reverse("readiness:visit_edit", args=[visit.pk]), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("readiness:visit_edit", args=[visit.pk])
    visit.refresh_from_db()
    assert visit.version == 2 and visit.rated_count == 1 and visit.barriers == "No budget yet"
    assert visit.action_steps.get().owner == "CFO"
    assert [r.vr_copy for r in visit.recipients.all()] == [False, True]
    page = client.get(response["Location"]).content.decode()
    assert "Leaders know the research" in page and "dana@example.org" in page
    assert "1 of 10 areas rated" in page


def test_it_refuses_a_stale_form_with_a_message_and_keeps_what_was_typed(client, tenant):
    trainer, admin = tenant.user(Role.STATE_TRAINER), tenant.user(Role.STATE_ADMIN)
    visit = services.visit_create(user=trainer, agency=tenant.agency)
    stale = form_post(visit, barriers="The trainer's careful notes")
    services.visit_save_draft(
        user=admin, visit=visit, data={"facilitators": "Admin was here"}, expected_version=1
    )
    client.force_login(trainer)
    response = client.post(reverse("readiness:visit_edit", args=[visit.pk]), stale)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Your changes were not saved" in page
    assert f"{admin.display_name} saved this visit at" in page
    assert "The trainer&#x27;s careful notes" in page  # still in the form, nothing lost
    visit.refresh_from_db()
    assert visit.barriers == "" and visit.facilitators == "Admin was here"


def test_it_autosaves_in_json_and_answers_409_to_a_stale_autosave(client, tenant):
    trainer = tenant.user(Role.STATE_TRAINER)
    visit = services.visit_create(user=trainer, agency=tenant.agency)
    client.force_login(trainer)
    url = reverse("readiness:visit_autosave", args=[visit.pk])
    first = client.post(url, form_post(visit, rating_motivation="ready"))
    assert first.status_code == 200
    body = first.json()
    assert body["status"] == "saved" and body["version"] == 2 and body["rated"] == 1
    assert body["saved_at"]
    again = client.post(url, form_post(visit, rating_mission="ready", version="1"))
    assert again.status_code == 409
    assert "Your changes were not saved" in again.json()["message"]
    visit.refresh_from_db()
    assert visit.rated_count == 1 and visit.version == 2


def test_it_autosaves_nothing_invalid_and_says_why(client, tenant):
    trainer = tenant.user(Role.STATE_TRAINER)
    visit = services.visit_create(user=trainer, agency=tenant.agency)
    client.force_login(trainer)
    data = form_post(visit, **{"recipients-TOTAL_FORMS": "1", "recipients-0-email": "dana@"})
    response = client.post(reverse("readiness:visit_autosave", args=[visit.pk]), data)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        "Recipient 1: Enter a valid email address, like name@agency.org."
    ]
    visit.refresh_from_db()
    assert visit.version == 1


def test_it_refuses_a_forged_rating_with_a_field_error(client, tenant):
    trainer = tenant.user(Role.STATE_TRAINER)
    visit = services.visit_create(user=trainer, agency=tenant.agency)
    client.force_login(trainer)
    response = client.post(
        reverse("readiness:visit_edit", args=[visit.pk]),
        form_post(visit, rating_vr_partnership="excellent"),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "“VR partnership”: choose Ready or Work is needed." in page
    assert 'href="#area-vr_partnership"' in page  # the error list links to the area
    assert not visit.ratings.exists()


def test_it_refuses_a_future_date_and_an_invalid_recipient_email(client, tenant):
    trainer = tenant.user(Role.STATE_TRAINER)
    visit = services.visit_create(user=trainer, agency=tenant.agency)
    client.force_login(trainer)
    tomorrow = tenant.collaborative.today() + datetime.timedelta(days=1)
    data = form_post(
        visit,
        visit_date=tomorrow.isoformat(),
        **{
            "recipients-TOTAL_FORMS": "1",
            "recipients-0-name": "Dana",
            "recipients-0-email": "dana(at)agency",
        },
    )
    response = client.post(reverse("readiness:visit_edit", args=[visit.pk]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Date of the visit: The visit date cannot be in the future" in page
    assert "Recipient 1: Enter a valid email address, like name@agency.org." in page
    visit.refresh_from_db()
    assert visit.version == 1 and not visit.recipients.exists()


def test_it_lists_missing_items_on_the_finalize_page_and_refuses_to_finalize(client, tenant):
    trainer = tenant.user(Role.STATE_TRAINER)
    visit = services.visit_create(user=trainer, agency=tenant.agency)
    client.force_login(trainer)
    url = reverse("readiness:visit_finalize", args=[visit.pk])
    page = client.get(url).content.decode()
    assert "Rate the area “Motivation to implement”." in page
    assert "Add at least one recipient of the report." in page
    response = client.post(url, {"version": visit.version})
    assert response.status_code == 400
    visit.refresh_from_db()
    assert not visit.is_final


def test_it_finalizes_from_the_confirmation_page_and_shows_the_email_status(
    client, tenant, django_capture_on_commit_callbacks
):
    visit = make_visit(tenant)
    client.force_login(tenant.user(Role.STATE_TRAINER))
    url = reverse("readiness:visit_finalize", args=[visit.pk])
    assert "Finalize and send the report" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"version": visit.version})
    assert response.status_code == 302
    assert response["Location"] == reverse("readiness:visit_detail", args=[visit.pk])
    assert len(mail.outbox) == 2 and all(len(m.attachments) == 1 for m in mail.outbox)
    page = client.get(response["Location"]).content.decode()
    assert "Report emailed to 2 recipients" in page
    assert visit_report(visit).download_url in page
    edit = client.get(reverse("readiness:visit_edit", args=[visit.pk]))
    assert edit.status_code == 302  # read-only now: the form sends you to the visit page


def test_it_lets_the_supervisor_download_the_report_of_a_final_visit(
    client, tenant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        visit = make_visit(tenant, final=True)
    url = visit_report(visit).download_url
    for role in (Role.IPS_SUPERVISOR, Role.AGENCY_LEADER, Role.VR_LIAISON):
        client.force_login(tenant.user(role))
        response = client.get(url)
        assert response.status_code == 200, role
        assert b"".join(response.streaming_content).startswith(b"%PDF-")
    # The report belongs to the visit: those who cannot read the visit do not find it.
    client.force_login(tenant.user(Role.EMPLOYMENT_SPECIALIST))
    assert client.get(url).status_code == 404
    client.force_login(tenant.other_agency_users[Role.IPS_SUPERVISOR])
    assert client.get(url).status_code == 404


def test_it_records_an_amendment_from_the_page_only_with_a_reason(client, tenant):
    visit = make_visit(tenant, final=True)
    client.force_login(tenant.user(Role.STATE_ADMIN))
    url = reverse("readiness:visit_amend", args=[visit.pk])
    data = form_post(visit, barriers="A corrected barrier")
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Say why the visit is corrected." in response.content.decode()
    response = client.post(url, {**data, "reason": "Typo in the barriers"})
    assert response.status_code == 302
    amendment = VisitAmendment.objects.get()
    assert amendment.amended_by == tenant.user(Role.STATE_ADMIN)
    assert {"field": "Barriers", "before": visit.barriers, "after": "A corrected barrier"} in (
        amendment.changes
    )
    page = client.get(reverse("readiness:visit_detail", args=[visit.pk])).content.decode()
    assert "Typo in the barriers" in page and "A corrected barrier" in page


def test_it_adds_action_steps_to_the_plan_from_the_visit_page(client, tenant):
    visit = make_visit(tenant, final=True)
    supervisor = tenant.user(Role.IPS_SUPERVISOR)
    agency_services.implementation_plan_create(user=supervisor, agency=tenant.agency)
    steps = list(visit.action_steps.all())
    client.force_login(supervisor)  # reads the final visit, may edit the agency's plan
    page = client.get(reverse("readiness:visit_detail", args=[visit.pk])).content.decode()
    assert "Add to the implementation plan" in page
    response = client.post(
        reverse("readiness:visit_to_plan", args=[visit.pk]),
        {"step": [str(steps[0].pk)], f"area_{steps[0].pk}": "vr_collaboration"},
    )
    assert response.status_code == 302
    plan = access.access_plan(supervisor, tenant.agency.pk).plan
    assert [(s.area, s.source_id) for s in plan.steps.all()] == [("vr_collaboration", steps[0].pk)]


def test_it_starts_a_visit_for_an_agency_in_scope_only(client, tenant, other_tenant):
    client.force_login(tenant.user(Role.STATE_TRAINER))
    today = tenant.collaborative.today().isoformat()
    url = reverse("readiness:visit_start")
    response = client.post(url, {"agency": other_tenant.agency.pk, "visit_date": today})
    assert response.status_code == 400
    response = client.post(url, {"agency": tenant.other_agency.pk, "visit_date": today})
    assert response.status_code == 400  # not assigned to this trainer
    response = client.post(url, {"agency": tenant.agency.pk, "visit_date": today})
    visit = ReadinessVisit.objects.get()
    assert response["Location"] == reverse("readiness:visit_edit", args=[visit.pk])
    client.force_login(tenant.user(Role.IPS_SUPERVISOR))
    assert client.get(url).status_code == 403


def test_it_shows_the_overview_with_latest_visits_and_agencies_not_visited(client, tenant):
    make_visit(tenant, final=True)
    client.force_login(tenant.user(Role.STATE_ADMIN))
    page = client.get(reverse("readiness:overview")).content.decode()
    assert tenant.agency.name in page and tenant.other_agency.name in page
    assert "6 of 10" in page and "Not visited yet" in page
    only_not_visited = client.get(
        reverse("readiness:overview"), {"status": "not_visited"}, headers={"HX-Request": "true"}
    )
    assert only_not_visited.content.decode().lstrip().startswith('<div id="overview-results">')
    assert tenant.agency.name not in only_not_visited.content.decode()
    assert tenant.other_agency.name in only_not_visited.content.decode()
    client.force_login(tenant.user(Role.EMPLOYMENT_SPECIALIST))
    assert client.get(reverse("readiness:overview")).status_code == 403


def test_it_shows_supervisors_no_drafts_in_the_overview_or_on_the_agency_page(client, tenant):
    draft = make_visit(tenant)
    client.force_login(tenant.user(Role.IPS_SUPERVISOR))
    overview = client.get(reverse("readiness:overview")).content.decode()
    assert "Not visited yet" in overview and str(draft.pk) not in overview
    agency_page = client.get(tenant.agency.get_absolute_url()).content.decode()
    assert "Readiness visits" in agency_page and str(draft.pk) not in agency_page
    client.force_login(tenant.user(Role.STATE_TRAINER))
    agency_page = client.get(tenant.agency.get_absolute_url()).content.decode()
    assert str(draft.pk) in agency_page
    home = client.get(reverse("home")).content.decode()
    assert "Readiness visits to finish" in home and str(draft.pk) in home


def _overview_queries(client, count: int, tenant) -> int:
    for n in range(count):
        agency = make_agency(tenant.collaborative, region=tenant.region)
        if n % 2:
            make_visit(tenant, agency=agency, user=tenant.user(Role.STATE_ADMIN))
    client.force_login(tenant.user(Role.STATE_ADMIN))
    client.get(reverse("readiness:overview"))  # warm the session and caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("readiness:overview"))
    assert response.status_code == 200
    return len(queries)


def test_it_lists_the_overview_in_the_same_number_of_queries_for_2_or_50_agencies(
    client, tenant, other_tenant
):
    few = _overview_queries(client, 2, tenant)
    many = _overview_queries(client, 48, other_tenant)
    assert few == many


def test_it_keeps_the_report_status_pending_until_the_worker_is_done(client, tenant):
    visit = make_visit(tenant, final=True)  # the task is queued on commit: still pending
    client.force_login(tenant.user(Role.STATE_TRAINER))
    panel = client.get(reverse("readiness:visit_report_status", args=[visit.pk]))
    assert visit_report(visit).status == Document.Status.PENDING
    text = panel.content.decode()
    assert "being prepared" in text and 'hx-trigger="every 2s"' in text


def test_it_deletes_a_draft_but_never_a_final_visit(client, tenant):
    draft, final = make_visit(tenant), make_visit(tenant, final=True)
    client.force_login(tenant.user(Role.STATE_TRAINER))
    response = client.post(reverse("readiness:visit_discard", args=[draft.pk]))
    assert response.status_code == 302
    assert not ReadinessVisit.objects.filter(pk=draft.pk).exists()
    client.post(reverse("readiness:visit_discard", args=[final.pk]))
    assert ReadinessVisit.objects.filter(pk=final.pk).exists()
    client.force_login(tenant.user(Role.FIDELITY_REVIEWER))
    assert client.post(reverse("readiness:visit_discard", args=[final.pk])).status_code == 403


def test_it_sends_the_report_again_on_request(client, tenant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        visit = make_visit(tenant, final=True)
    client.force_login(tenant.user(Role.STATE_TRAINER))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("readiness:visit_resend", args=[visit.pk]))
    assert response.status_code == 302
    assert len(mail.outbox) == 4  # both recipients, twice
    assert visit_report(visit).render_count == 1  # the stored report went out again
    client.force_login(tenant.user(Role.IPS_SUPERVISOR))
    assert client.post(reverse("readiness:visit_resend", args=[visit.pk])).status_code == 403
    assert len(mail.outbox) == 4


def test_it_points_to_the_plan_when_the_agency_has_none(client, tenant):
    visit = make_visit(tenant, final=True)
    client.force_login(tenant.user(Role.STATE_TRAINER))
    page = client.get(reverse("readiness:visit_detail", args=[visit.pk])).content.decode()
    assert "has no implementation plan yet" in page
    assert reverse("agencies:plan", args=[tenant.agency.pk]) in page
    steps = list(visit.action_steps.all())
    response = client.post(
        reverse("readiness:visit_to_plan", args=[visit.pk]),
        {"step": [str(steps[0].pk)]},
        follow=True,
    )
    assert "no implementation plan yet" in response.content.decode()
