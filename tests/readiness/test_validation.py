"""Typed values of readiness visits: the visit date, text limits, and action steps that go
into the implementation plan with a target date already past."""

import datetime
import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from agencies import services as agency_services
from agencies.models import Role
from readiness import services
from readiness.models import ReadinessVisit, VisitActionStep, VisitAreaRating
from tests.readiness.helpers import form_post, make_visit

pytestmark = pytest.mark.django_db

BEFORE_2000 = "The visit date cannot be before January 1, 2000: check the year (1901)."


def _if_match(visit) -> dict:
    return {"If-Match": f'"v{visit.version}"'}


def test_it_refuses_a_visit_dated_before_2000_on_the_start_page(client, tenant):
    client.force_login(tenant.user(Role.STATE_TRAINER))
    url = reverse("readiness:visit_start")
    response = client.post(url, {"agency": tenant.agency.pk, "visit_date": "1901-05-04"})
    assert response.status_code == 400
    assert response.context["form"].errors["visit_date"] == [BEFORE_2000]
    assert not ReadinessVisit.objects.exists()
    response = client.post(url, {"agency": tenant.agency.pk, "visit_date": "2000-01-01"})
    assert response.status_code == 302
    assert ReadinessVisit.objects.get().visit_date == datetime.date(2000, 1, 1)


def test_it_refuses_a_visit_dated_before_2000_on_the_visit_form(client, tenant):
    visit = make_visit(tenant)
    client.force_login(tenant.user(Role.STATE_TRAINER))
    url = reverse("readiness:visit_edit", args=[visit.pk])
    response = client.post(url, form_post(visit, visit_date="1901-05-04"))
    assert response.status_code == 400
    assert response.context["form"].errors["visit_date"] == [BEFORE_2000]
    assert 'min="2000-01-01"' in client.get(url).content.decode()
    response = client.post(url, form_post(visit, visit_date="2000-01-01"))
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.visit_date == datetime.date(2000, 1, 1)


def test_it_refuses_a_visit_dated_before_2000_in_the_api_and_the_service(tenant):
    trainer = tenant.user(Role.STATE_TRAINER)
    api = APIClient()
    api.force_authenticate(trainer)
    response = api.post(
        reverse("readinessvisit-list"),
        {"agency": str(tenant.agency.pk), "visit_date": "1901-05-04"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"visit_date": [BEFORE_2000]}
    assert not ReadinessVisit.objects.exists()
    visit = make_visit(tenant)
    url = reverse("readinessvisit-detail", args=[visit.pk])
    response = api.patch(url, {"visit_date": "1901-05-04"}, format="json", headers=_if_match(visit))
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"visit_date": [BEFORE_2000]}
    response = api.patch(url, {"visit_date": "2000-01-01"}, format="json", headers=_if_match(visit))
    assert response.status_code == 200
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        services.visit_create(
            user=trainer, agency=tenant.agency, data={"visit_date": datetime.date(1999, 12, 31)}
        )
    assert "cannot be before January 1, 2000" in caught.value.message_dict["visit_date"][0]


def test_it_still_refuses_a_visit_date_in_the_future_everywhere(client, tenant):
    tomorrow = tenant.collaborative.today() + datetime.timedelta(days=1)
    client.force_login(tenant.user(Role.STATE_TRAINER))
    response = client.post(
        reverse("readiness:visit_start"), {"agency": tenant.agency.pk, "visit_date": tomorrow}
    )
    assert response.status_code == 400
    (message,) = response.context["form"].errors["visit_date"]
    assert message.startswith("The visit date cannot be in the future (today is ")
    assert message.endswith(f"in {tenant.collaborative.time_zone}).")


def test_it_refuses_notes_past_the_limit_naming_the_area_on_the_page(client, tenant):
    visit = make_visit(tenant)
    area = visit.checklist.areas[0]
    limit = VisitAreaRating._meta.get_field("notes").max_length
    client.force_login(tenant.user(Role.STATE_TRAINER))
    url = reverse("readiness:visit_edit", args=[visit.pk])
    response = client.post(url, form_post(visit, **{f"notes_{area.key}": "n" * 5210}))
    assert response.status_code == 400
    expected = f"Notes on “{area.title}”: at most {limit:,} characters (you entered 5,210)."
    assert response.context["form"].errors[f"notes_{area.key}"] == [expected]
    assert expected in response.content.decode().replace("&ldquo;", "“").replace("&rdquo;", "”")
    assert not VisitAreaRating.objects.filter(notes__startswith="nnn").exists()
    response = client.post(url, form_post(visit, **{f"notes_{area.key}": "n" * limit}))
    assert response.status_code == 302
    assert VisitAreaRating.objects.get(visit=visit, area_key=area.key).notes == "n" * limit


def test_it_refuses_text_past_the_limit_naming_the_field_in_the_api(tenant):
    visit = make_visit(tenant)
    area = visit.checklist.areas[0]
    api = APIClient()
    api.force_authenticate(tenant.user(Role.STATE_TRAINER))
    url = reverse("readinessvisit-detail", args=[visit.pk])
    response = api.patch(
        url,
        {
            "ratings": [{"area_key": area.key, "rating": "ready", "notes": "n" * 5210}],
            "barriers": "b" * 5001,
            "action_steps": [{"text": "t" * 2001}],
        },
        format="json",
        headers=_if_match(visit),
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert fields["barriers"] == ["Barriers: at most 5,000 characters (you entered 5,001)."]
    assert fields["action_steps"] == [
        "0: text: Action step: at most 2,000 characters (you entered 2,001)."
    ]
    response = api.patch(
        url,
        {"ratings": [{"area_key": area.key, "rating": "ready", "notes": "n" * 5210}]},
        format="json",
        headers=_if_match(visit),
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["ratings"] == [
        f"Notes on “{area.title}”: at most 5,000 characters (you entered 5,210)."
    ]
    visit.refresh_from_db()
    assert visit.version == 2 and not visit.barriers.startswith("bbb")
    response = api.patch(
        url,
        {
            "ratings": [{"area_key": area.key, "rating": "ready", "notes": "n" * 5000}],
            "barriers": "b" * 5000,
        },
        format="json",
        headers=_if_match(visit),
    )
    assert response.status_code == 200


def test_it_gives_every_text_field_of_the_visit_pages_a_maxlength(client, tenant):
    visit = make_visit(tenant)
    client.force_login(tenant.user(Role.STATE_TRAINER))
    html = client.get(reverse("readiness:visit_edit", args=[visit.pk])).content.decode()
    tags = [
        t
        for t in re.findall(r"<textarea[^>]*>|<input[^>]*>", html)
        if t.startswith("<textarea") or re.search(r'type="(text|email)"', t)
    ]
    assert len(tags) > 20
    missing = [t for t in tags if "maxlength=" not in t and "__prefix__" not in t]
    assert missing == []
    area = visit.checklist.areas[0]
    assert 'maxlength="5000"' in re.search(rf'<textarea[^>]*name="notes_{area.key}"[^>]*>', html)[0]
    assert 'maxlength="2000"' in re.search(r'<textarea[^>]*name="steps-0-text"[^>]*>', html)[0]
    assert 'maxlength="254"' in re.search(r'<input[^>]*name="recipients-0-email"[^>]*>', html)[0]


def test_it_warns_when_visit_steps_with_past_dates_go_into_the_plan(client, tenant):
    visit = make_visit(tenant)
    trainer = tenant.user(Role.STATE_TRAINER)
    past = tenant.collaborative.today() - datetime.timedelta(days=10)
    data = {
        "action_steps": [
            {"id": s.pk, "text": s.text, "owner": s.owner, "target_date": past, "area_key": ""}
            for s in visit.action_steps.all()
        ]
    }
    visit = services.visit_save_draft(
        user=trainer, visit=visit, data=data, expected_version=visit.version
    )
    visit = services.visit_finalize(
        user=trainer, visit=visit, expected_version=visit.version, send_email=False
    )
    agency_services.implementation_plan_create(user=trainer, agency=tenant.agency)
    client.force_login(trainer)
    steps = list(VisitActionStep.objects.filter(visit=visit))
    response = client.post(
        reverse("readiness:visit_to_plan", args=[visit.pk]),
        {"step": [str(s.pk) for s in steps]},
        follow=True,
    )
    page = response.content.decode()
    assert "2 steps were added to the implementation plan." in page
    assert "2 of the steps have a target date that is already past" in page


def test_it_adds_visit_steps_due_later_without_a_warning(client, tenant):
    visit = make_visit(tenant, final=True, send_email=False)  # steps due in 2030
    trainer = tenant.user(Role.STATE_TRAINER)
    agency_services.implementation_plan_create(user=trainer, agency=tenant.agency)
    client.force_login(trainer)
    response = client.post(
        reverse("readiness:visit_to_plan", args=[visit.pk]),
        {"step": [str(s.pk) for s in visit.action_steps.all()]},
        follow=True,
    )
    page = response.content.decode()
    assert "2 steps were added to the implementation plan." in page
    assert "already past" not in page
