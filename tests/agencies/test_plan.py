import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from agencies import services
from agencies.models import ImplementationArea, ImplementationPlan, ImplementationStep, Role


def _plan(tenant):
    return services.implementation_plan_create(
        user=tenant.user(Role.STATE_TRAINER), agency=tenant.agency
    )


@pytest.mark.parametrize("role", [Role.STATE_ADMIN, Role.STATE_TRAINER, Role.IPS_SUPERVISOR])
def test_it_lets_editors_start_a_plan_and_add_a_step(client, tenant, role):
    client.force_login(tenant.user(role))
    response = client.post(reverse("agencies:plan_create", args=[tenant.agency.pk]))
    assert response.status_code == 302
    response = client.post(
        reverse("agencies:plan_step_add", args=[tenant.agency.pk]),
        {
            "area": ImplementationArea.FUNDING,
            "action": "Apply to become a VR vendor",
            "responsible": "Executive director",
            "target_date": "2027-02-01",
        },
    )
    assert response.status_code == 302
    step = ImplementationStep.objects.get(action="Apply to become a VR vendor")
    assert step.agency == tenant.agency
    assert step.collaborative == tenant.collaborative
    assert step.target_date == datetime.date(2027, 2, 1)
    page = client.get(reverse("agencies:plan", args=[tenant.agency.pk]))
    assert "Apply to become a VR vendor" in page.content.decode()


@pytest.mark.parametrize(
    "role",
    [Role.FIDELITY_REVIEWER, Role.VR_LIAISON, Role.AGENCY_LEADER, Role.EMPLOYMENT_SPECIALIST],
)
def test_it_lets_readers_see_the_plan_but_not_change_it(client, tenant, role):
    plan = _plan(tenant)
    client.force_login(tenant.user(role))
    assert client.get(reverse("agencies:plan", args=[tenant.agency.pk])).status_code == 200
    response = client.post(
        reverse("agencies:plan_step_add", args=[tenant.agency.pk]),
        {"area": "funding", "action": "Sneaky step"},
    )
    assert response.status_code == 403
    assert not plan.steps.exists()


def test_it_answers_404_outside_the_scope(client, tenant, other_tenant):
    _plan(tenant)
    client.force_login(other_tenant.user(Role.STATE_ADMIN))
    assert client.get(reverse("agencies:plan", args=[tenant.agency.pk])).status_code == 404
    client.force_login(tenant.other_agency_users[Role.IPS_SUPERVISOR])
    response = client.post(reverse("agencies:plan_create", args=[tenant.agency.pk]))
    assert response.status_code == 404


def test_it_shows_field_errors_and_saves_nothing_on_bad_input(client, tenant):
    _plan(tenant)
    client.force_login(tenant.user(Role.STATE_TRAINER))
    response = client.post(
        reverse("agencies:plan_step_add", args=[tenant.agency.pk]),
        {"area": "not-an-area", "action": "", "target_date": "31/31/2027"},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"area", "action", "target_date"}
    assert not ImplementationStep.objects.exists()


def test_it_adds_converted_steps_once_and_all_or_nothing(tenant):
    plan = _plan(tenant)
    trainer = tenant.user(Role.STATE_TRAINER)
    source = uuid.uuid4()
    steps = [
        {
            "area": "training",
            "action": "Book IPS training",
            "responsible": "Supervisor",
            "target_date": datetime.date(2027, 1, 10),
            "source_id": source,
        },
    ]
    assert len(services.implementation_steps_add(user=trainer, plan=plan, steps=steps)) == 1
    assert services.implementation_steps_add(user=trainer, plan=plan, steps=steps) == []
    bad = [
        {"area": "funding", "action": "Fine step"},
        {"area": "funding", "action": ""},  # invalid: rolls the whole batch back
    ]
    with pytest.raises(ValidationError):
        services.implementation_steps_add(user=trainer, plan=plan, steps=bad)
    assert plan.steps.count() == 1


def test_it_marks_a_step_done_and_refuses_a_forged_status(client, tenant):
    plan = _plan(tenant)
    [step] = services.implementation_steps_add(
        user=tenant.user(Role.STATE_TRAINER),
        plan=plan,
        steps=[{"area": "funding", "action": "Find start-up money"}],
    )
    client.force_login(tenant.user(Role.IPS_SUPERVISOR))
    url = reverse("agencies:plan_step_status", args=[step.pk])
    client.post(url, {"status": "done"})
    step.refresh_from_db()
    assert step.status == ImplementationStep.Status.DONE
    client.post(url, {"status": "archived"})
    step.refresh_from_db()
    assert step.status == ImplementationStep.Status.DONE


def test_it_keeps_one_plan_per_agency(tenant):
    first = _plan(tenant)
    second = _plan(tenant)
    assert first.pk == second.pk
    assert ImplementationPlan.objects.count() == 1
