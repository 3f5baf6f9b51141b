"""Typed values of the agency pages and API: US phone numbers, ZIP codes, text limits, and
plan steps whose target date is already past."""

import datetime
import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from agencies import services
from agencies.models import Agency, ImplementationArea, ImplementationStep, Role
from agencies.models.validators import PHONE_MESSAGE, ZIP_MESSAGE

pytestmark = pytest.mark.django_db


def _agency_data(agency, **overrides) -> dict:
    data = {
        "name": agency.name,
        "region": "",
        "street": "",
        "city": "Rolla",
        "state": "MO",
        "postal_code": "",
        "phone": "",
        "implementation_phase": agency.implementation_phase,
        "implementation_start_date": "",
        "vr_vendor_status": agency.vr_vendor_status,
        "partner_employment_agency": "",
        "is_active": "on",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("573-555-0142", "(573) 555-0142"),
        ("(573) 555-0142", "(573) 555-0142"),
        ("573.555.0142", "(573) 555-0142"),
        ("+1 573 555 0142", "(573) 555-0142"),
        ("1-573-555-0142", "(573) 555-0142"),
        ("573-555-0142 ext. 12", "(573) 555-0142 ext. 12"),
        ("5735550142x7", "(573) 555-0142 ext. 7"),
    ],
)
def test_it_accepts_us_phone_numbers_as_people_type_them_and_stores_them_one_way(
    client, tenant, typed, stored
):
    client.force_login(tenant.user(Role.STATE_ADMIN))
    url = reverse("agencies:edit", args=[tenant.agency.pk])
    response = client.post(url, _agency_data(tenant.agency, phone=typed, postal_code="65401"))
    assert response.status_code == 302, response.context["form"].errors
    tenant.agency.refresh_from_db()
    assert tenant.agency.phone == stored
    assert tenant.agency.postal_code == "65401"


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("phone", "555-0142", PHONE_MESSAGE),
        ("phone", "call the front desk", PHONE_MESSAGE),
        ("phone", "573-555-01420", PHONE_MESSAGE),
        ("phone", "+44 20 7946 0958", PHONE_MESSAGE),
        ("phone", "073-555-0142", PHONE_MESSAGE),
        ("postal_code", "6540", ZIP_MESSAGE),
        ("postal_code", "65401-12", ZIP_MESSAGE),
        ("postal_code", "K1A 0B1", ZIP_MESSAGE),
    ],
)
def test_it_refuses_other_phone_numbers_and_zip_codes_naming_the_field(
    client, tenant, field, typed, message
):
    client.force_login(tenant.user(Role.STATE_ADMIN))
    url = reverse("agencies:edit", args=[tenant.agency.pk])
    response = client.post(url, _agency_data(tenant.agency, **{field: typed}))
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert message.split(":")[0] in ("Phone", "ZIP code")
    tenant.agency.refresh_from_db()
    assert getattr(tenant.agency, field) == "" and tenant.agency.city == ""


def test_it_checks_phone_numbers_and_zip_codes_in_the_api(tenant):
    api = APIClient()
    api.force_authenticate(tenant.user(Role.STATE_ADMIN))
    url = reverse("agency-detail", args=[tenant.agency.pk])
    etag = api.get(url)["ETag"]
    response = api.patch(
        url, {"phone": "555-0142", "postal_code": "6540"}, format="json", headers={"If-Match": etag}
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "phone": [PHONE_MESSAGE],
        "postal_code": [ZIP_MESSAGE],
    }
    response = api.patch(
        url,
        {"phone": "573 555 0142 x 3", "postal_code": "65401-1234"},
        format="json",
        headers={"If-Match": etag},
    )
    assert response.status_code == 200, response.json()
    assert response.json()["phone"] == "(573) 555-0142 ext. 3"
    assert response.json()["postal_code"] == "65401-1234"


def test_it_refuses_text_past_the_limit_naming_the_field_on_the_page_and_in_the_api(client, tenant):
    limit = Agency._meta.get_field("partner_employment_agency").max_length
    client.force_login(tenant.user(Role.STATE_ADMIN))
    url = reverse("agencies:edit", args=[tenant.agency.pk])
    long_text = "p" * (limit + 7)
    response = client.post(url, _agency_data(tenant.agency, partner_employment_agency=long_text))
    assert response.status_code == 200
    expected = f"Partner employment agency: at most {limit:,} characters (you entered {limit + 7})."
    assert response.context["form"].errors["partner_employment_agency"] == [expected]
    tenant.agency.refresh_from_db()
    assert tenant.agency.partner_employment_agency == ""
    # Exactly at the limit is fine.
    response = client.post(url, _agency_data(tenant.agency, partner_employment_agency="p" * limit))
    assert response.status_code == 302
    api = APIClient()
    api.force_authenticate(tenant.user(Role.STATE_ADMIN))
    api_url = reverse("agency-detail", args=[tenant.agency.pk])
    response = api.patch(
        api_url,
        {"partner_employment_agency": long_text},
        format="json",
        headers={"If-Match": api.get(api_url)["ETag"]},
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"partner_employment_agency": [expected]}


def test_it_refuses_text_past_the_limit_in_the_services_too(tenant):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        services.agency_update(
            user=tenant.user(Role.STATE_ADMIN), agency=tenant.agency, data={"city": "c" * 101}
        )
    assert caught.value.message_dict == {
        "city": ["City: at most 100 characters (you entered 101)."]
    }


def _text_inputs(html: str) -> list[str]:
    """Every text input and textarea of a page, as its opening tag."""
    tags = re.findall(r"<textarea[^>]*>|<input[^>]*>", html)
    return [
        t
        for t in tags
        if t.startswith("<textarea")
        or re.search(r'type="(text|email|tel|url)"', t)
        or "type=" not in t
    ]


def _maxlengths(html: str) -> dict[str, str]:
    found = {}
    for tag in _text_inputs(html):
        name = re.search(r'name="([^"]+)"', tag).group(1)
        length = re.search(r'maxlength="(\d+)"', tag)
        found[name] = length.group(1) if length else ""
    return found


def test_it_gives_every_text_field_of_the_agency_pages_a_maxlength(client, tenant):
    services.implementation_plan_create(user=tenant.user(Role.STATE_ADMIN), agency=tenant.agency)
    client.force_login(tenant.user(Role.STATE_ADMIN))
    pages = {
        "agencies:edit": [tenant.agency.pk],
        "agencies:region_list": [],
        "agencies:people": [],
        "agencies:plan": [tenant.agency.pk],
    }
    seen = {}
    for name, args in pages.items():
        html = client.get(reverse(name, args=args)).content.decode()
        lengths = _maxlengths(html)
        assert lengths and all(lengths.values()), (name, lengths)
        seen.update(lengths)
    assert seen["phone"] == "30" and seen["postal_code"] == "10"
    assert seen["action"] == "2000" and seen["email"] == "254" and seen["full_name"] == "150"


# --------------------------------------------------------------------------------------------
# Plan steps whose target date is past
# --------------------------------------------------------------------------------------------


def _plan(tenant):
    return services.implementation_plan_create(
        user=tenant.user(Role.STATE_TRAINER), agency=tenant.agency
    )


def test_it_adds_a_step_with_a_past_target_date_with_a_warning(client, tenant):
    _plan(tenant)
    client.force_login(tenant.user(Role.STATE_TRAINER))
    past = tenant.collaborative.today() - datetime.timedelta(days=3)
    response = client.post(
        reverse("agencies:plan_step_add", args=[tenant.agency.pk]),
        {"area": ImplementationArea.FUNDING, "action": "Late step", "target_date": past},
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "The step was added to the plan." in page
    assert (
        f"The target date of the step, {past:%B} {past.day}, {past.year}, is already past" in page
    )
    assert ImplementationStep.objects.get().action == "Late step"


def test_it_adds_a_step_due_today_or_later_without_a_warning(client, tenant):
    _plan(tenant)
    client.force_login(tenant.user(Role.STATE_TRAINER))
    for n, when in enumerate([tenant.collaborative.today(), datetime.date(2099, 1, 1), ""]):
        response = client.post(
            reverse("agencies:plan_step_add", args=[tenant.agency.pk]),
            {"area": ImplementationArea.FUNDING, "action": f"Step {n}", "target_date": when},
            follow=True,
        )
        page = response.content.decode()
        assert "The step was added to the plan." in page
        assert "already past" not in page and "Overdue" not in page


def test_it_marks_open_steps_past_their_target_date_as_overdue(client, tenant):
    plan = _plan(tenant)
    trainer = tenant.user(Role.STATE_TRAINER)
    today = tenant.collaborative.today()
    steps = services.implementation_steps_add(
        user=trainer,
        plan=plan,
        steps=[
            {
                "area": "funding",
                "action": "Late and open",
                "target_date": today.replace(day=1) - datetime.timedelta(days=1),
            },
            {
                "area": "funding",
                "action": "Late but done",
                "target_date": datetime.date(2001, 1, 1),
            },
            {"area": "funding", "action": "Due today", "target_date": today},
            {"area": "funding", "action": "No date", "target_date": None},
        ],
    )
    services.implementation_step_set_status(user=trainer, step=steps[1], status="done")
    client.force_login(tenant.user(Role.AGENCY_LEADER))
    html = client.get(reverse("agencies:plan", args=[tenant.agency.pk])).content.decode()
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S)
    marked = [r for r in rows if "Overdue" in r]
    assert len(marked) == 1 and "Late and open" in marked[0]
