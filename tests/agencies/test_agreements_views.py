"""The agreement pages: the three access cases, drafting, editing a draft, signing (and the
refusals), read-only signed versions, the agency page's status panel, the PDF request and
query counts with 2 and 50 versions."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies import services
from agencies.models import Role, SignerRole, TAAgreement, TASignature
from ipsportal.models import Document

D = datetime.date
ED, MH, VR = SignerRole.EXECUTIVE_DIRECTOR, SignerRole.STATE_MH, SignerRole.STATE_VR
FORM = {
    "start_date": "2026-02-02",
    "es_training_days": "3.5",
    "mh_training_days": "0.5",
    "unit_meeting_months": "6",
    "team_meeting_months": "6",
    "employer_visits": "monthly",
    "steering_committee_quarterly": "on",
    "outcome_reviews": "on",
    "notes": "",
}


@pytest.fixture
def agreement(tenant):
    return services.agreement_create(
        user=tenant.user(Role.STATE_TRAINER), agency=tenant.agency, start_date=D(2026, 1, 5)
    )


def _url(name, **kwargs):
    return reverse(f"agencies:{name}", kwargs=kwargs)


def _sign_all(tenant, agreement):
    for role, line in ((Role.AGENCY_LEADER, ED), (Role.STATE_ADMIN, MH), (Role.VR_LIAISON, VR)):
        services.agreement_sign(user=tenant.user(role), agreement=agreement, signer_role=line)


def test_it_shows_the_empty_state_with_a_draft_button_to_editors_only(client, tenant):
    url = _url("agreement_current", agency_id=tenant.agency.pk)
    client.force_login(tenant.user(Role.IPS_SUPERVISOR))
    body = client.get(url).content.decode()
    assert "has no training and technical assistance agreement yet" in body
    assert "Draft the agreement" in body
    client.force_login(tenant.user(Role.AGENCY_LEADER))
    assert "Draft the agreement" not in client.get(url).content.decode()


def test_it_lets_an_editor_draft_and_refuses_a_reader_with_403(client, tenant):
    url = _url("agreement_new", agency_id=tenant.agency.pk)
    client.force_login(tenant.user(Role.AGENCY_LEADER))
    assert client.get(url).status_code == 403
    assert client.post(url, FORM).status_code == 403
    assert not TAAgreement.objects.exists()
    client.force_login(tenant.user(Role.STATE_TRAINER))
    assert client.get(url).status_code == 200
    response = client.post(url, FORM)
    agreement = TAAgreement.objects.get()
    assert response.status_code == 302 and response["Location"] == agreement.get_absolute_url()
    page = client.get(agreement.get_absolute_url()).content.decode()
    assert (
        "The trainer attends at least one IPS unit meeting each month for the first 6 months."
        in page
    )


def test_it_answers_404_to_another_collaborative_and_another_agency(
    client, tenant, other_tenant, agreement
):
    urls = [
        _url("agreement_current", agency_id=tenant.agency.pk),
        _url("agreement", agreement_id=agreement.pk),
        _url("agreement_edit", agreement_id=agreement.pk),
        _url("agreement_sign", agreement_id=agreement.pk, signer_role=VR),
    ]
    for user in (
        other_tenant.user(Role.STATE_ADMIN),
        tenant.other_agency_users[Role.AGENCY_LEADER],
        tenant.elsewhere_users[Role.VR_LIAISON],
    ):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
        assert client.post(urls[3], {"signer_name": "X"}).status_code == 404
    assert not TASignature.objects.exists()


def test_it_refuses_bad_input_on_its_field_and_saves_nothing(client, tenant):
    client.force_login(tenant.user(Role.STATE_TRAINER))
    response = client.post(
        _url("agreement_new", agency_id=tenant.agency.pk),
        {**FORM, "es_training_days": "3.3", "unit_meeting_months": "30"},
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "half days" in form.errors["es_training_days"][0]
    assert "between 0 and 24" in form.errors["unit_meeting_months"][0]
    assert not TAAgreement.objects.exists()


def test_it_edits_a_draft_but_not_a_version_with_a_signature(client, tenant, agreement):
    client.force_login(tenant.user(Role.IPS_SUPERVISOR))
    url = _url("agreement_edit", agreement_id=agreement.pk)
    assert client.post(url, {**FORM, "notes": "Kick-off"}).status_code == 302
    agreement.refresh_from_db()
    assert agreement.notes == "Kick-off"
    services.agreement_sign(
        user=tenant.user(Role.AGENCY_LEADER), agreement=agreement, signer_role=ED
    )
    response = client.post(url, {**FORM, "notes": "Changed"}, follow=True)
    assert "can no longer be changed" in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.notes == "Kick-off"
    page = client.get(agreement.get_absolute_url()).content.decode()
    assert "Change the agreement" in page and "Edit the draft" not in page


def test_it_shows_sign_buttons_only_for_the_lines_a_person_may_sign(client, tenant, agreement):
    sign_vr = _url("agreement_sign", agreement_id=agreement.pk, signer_role=VR)
    sign_ed = _url("agreement_sign", agreement_id=agreement.pk, signer_role=ED)
    client.force_login(tenant.user(Role.VR_LIAISON))
    page = client.get(agreement.get_absolute_url()).content.decode()
    assert sign_vr in page and sign_ed not in page
    client.force_login(tenant.user(Role.STATE_ADMIN))
    page = client.get(agreement.get_absolute_url()).content.decode()
    assert sign_vr in page and sign_ed in page and "Record this signature" in page
    client.force_login(tenant.user(Role.IPS_SUPERVISOR))
    page = client.get(agreement.get_absolute_url()).content.decode()
    assert sign_vr not in page
    assert client.get(sign_ed).status_code == 403


def test_it_signs_a_line_and_refuses_another_line_with_403(client, tenant, agreement):
    client.force_login(tenant.user(Role.AGENCY_LEADER))
    assert (
        client.post(
            _url("agreement_sign", agreement_id=agreement.pk, signer_role=VR), {}
        ).status_code
        == 403
    )
    url = _url("agreement_sign", agreement_id=agreement.pk, signer_role=ED)
    assert client.get(url).status_code == 200
    response = client.post(url, {"signer_name": "Ruth Alvarez"})
    assert response.status_code == 302
    (signature,) = TASignature.objects.all()
    assert signature.signer_name == "Ruth Alvarez" and not signature.on_behalf
    page = client.get(agreement.get_absolute_url()).content.decode()
    assert "Signed by <strong>Ruth Alvarez</strong>" in page


def test_it_needs_a_reason_when_a_state_admin_records_a_line_on_behalf(client, tenant, agreement):
    client.force_login(tenant.user(Role.STATE_ADMIN))
    url = _url("agreement_sign", agreement_id=agreement.pk, signer_role=VR)
    response = client.post(url, {"signer_name": "Omar Reyes", "on_behalf_reason": ""})
    assert response.status_code == 400
    assert "on_behalf_reason" in response.context["form"].errors
    assert not TASignature.objects.exists()
    response = client.post(url, {"signer_name": "Omar Reyes", "on_behalf_reason": "On paper"})
    assert response.status_code == 302
    page = client.get(agreement.get_absolute_url()).content.decode()
    assert "behalf: On paper" in page


def test_it_shows_a_signed_version_read_only_and_an_old_one_superseded(client, tenant, agreement):
    _sign_all(tenant, agreement)
    client.force_login(tenant.user(Role.STATE_TRAINER))
    page = client.get(agreement.get_absolute_url()).content.decode()
    assert "read-only" in page and "Sign<" not in page
    response = client.post(_url("agreement_new", agency_id=tenant.agency.pk), FORM)
    second = TAAgreement.objects.get(version=2)
    assert response["Location"] == second.get_absolute_url()
    old = client.get(agreement.get_absolute_url()).content.decode()
    assert "Superseded" in old and "earlier version" in old


def test_it_shows_the_status_on_the_agency_page(client, tenant, agreement):
    client.force_login(tenant.user(Role.EMPLOYMENT_SPECIALIST))
    page = client.get(tenant.agency.get_absolute_url()).content.decode()
    assert "Version 1, draft: no signature yet" in page
    assert _url("agreement_current", agency_id=tenant.agency.pk) in page
    _sign_all(tenant, agreement)
    day = tenant.collaborative.today()
    page = client.get(tenant.agency.get_absolute_url()).content.decode()
    assert f"Version 1, signed on {day:%B} {day.day}, {day.year}" in page


def test_it_asks_for_the_pdf_once_per_state_and_refuses_an_employment_specialist(
    client, tenant, agreement, django_capture_on_commit_callbacks
):
    url = _url("agreement_pdf", agreement_id=agreement.pk)
    client.force_login(tenant.user(Role.EMPLOYMENT_SPECIALIST))
    assert client.post(url).status_code == 403
    client.force_login(tenant.user(Role.AGENCY_LEADER))
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url)
    document = Document.objects.get()
    assert first["Location"] == document.get_absolute_url()
    assert document.status == Document.Status.READY
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    assert Document.objects.count() == 1
    services.agreement_sign(
        user=tenant.user(Role.AGENCY_LEADER), agreement=agreement, signer_role=ED
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    assert Document.objects.count() == 2
    assert Document.objects.filter(is_current=True).count() == 1


def _queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _versions(tenant, count):
    now = timezone.now()
    for n in range(1, count + 1):
        version = TAAgreement.objects.create(
            collaborative=tenant.collaborative,
            agency=tenant.agency,
            version=n,
            start_date=D(2026, 1, 5),
        )
        TASignature.objects.create(
            collaborative=tenant.collaborative,
            agency=tenant.agency,
            agreement=version,
            signer_role=ED,
            signer_name="S",
            signed_at=now,
        )


def test_it_shows_2_and_50_versions_with_the_same_queries(client, tenant):
    client.force_login(tenant.user(Role.STATE_ADMIN))
    url = _url("agreement_current", agency_id=tenant.agency.pk)
    _versions(tenant, 2)
    few = _queries(client, url)
    TAAgreement.objects.all().delete()
    _versions(tenant, 50)
    many = _queries(client, url)
    assert few == many
    assert "Page 1 of 5" in client.get(url).content.decode()


def test_it_sends_back_to_the_agreement_from_the_form_of_a_line_already_signed(
    client, tenant, agreement
):
    services.agreement_sign(
        user=tenant.user(Role.AGENCY_LEADER),
        agreement=agreement,
        signer_role=ED,
        signer_name="Ruth Alvarez",
    )
    client.force_login(tenant.user(Role.STATE_ADMIN))
    response = client.get(_url("agreement_sign", agreement_id=agreement.pk, signer_role=ED))
    assert response.status_code == 302 and response["Location"] == agreement.get_absolute_url()
    unsigned = client.get(_url("agreement_sign", agreement_id=agreement.pk, signer_role=MH))
    assert unsigned.status_code == 200
