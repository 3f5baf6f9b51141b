"""The implementation plan in full: the template, statuses, notes, editing, reordering,
removal and progress."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies import services
from agencies.models import ImplementationArea, ImplementationStep, Role
from agencies.plan_template import PLAN_TEMPLATE


def _plan(tenant, *actions, area="funding"):
    plan = services.implementation_plan_create(
        user=tenant.user(Role.STATE_TRAINER), agency=tenant.agency
    )
    steps = services.implementation_steps_add(
        user=tenant.user(Role.STATE_TRAINER),
        plan=plan,
        steps=[{"area": area, "action": a} for a in actions],
    )
    return plan, steps


def _edit_data(step, **changes):
    data = {
        "area": step.area,
        "action": step.action,
        "responsible": step.responsible,
        "target_date": step.target_date.isoformat() if step.target_date else "",
        "status": step.status,
        "notes": step.notes,
    }
    data.update(changes)
    return data


def test_a_plan_started_on_the_page_holds_the_nine_areas_of_the_template(client, tenant):
    client.force_login(tenant.user(Role.IPS_SUPERVISOR))
    client.post(reverse("agencies:plan_create", args=[tenant.agency.pk]))
    steps = ImplementationStep.objects.filter(agency=tenant.agency)
    assert len(PLAN_TEMPLATE) == 9
    assert {s.area for s in steps} == {area for area, _ in PLAN_TEMPLATE}
    assert steps.count() == sum(len(actions) for _, actions in PLAN_TEMPLATE)
    assert all(s.status == ImplementationStep.Status.NOT_STARTED for s in steps)
    # Each area's steps keep the template's order.
    funding = list(steps.filter(area=ImplementationArea.FUNDING).order_by("position"))
    assert [s.action for s in funding] == dict(PLAN_TEMPLATE)[ImplementationArea.FUNDING]
    page = client.get(reverse("agencies:plan", args=[tenant.agency.pk])).content.decode()
    assert "Benefits planning" in page and "0 of" in page


def test_starting_a_plan_twice_does_not_add_the_template_twice(client, tenant):
    client.force_login(tenant.user(Role.IPS_SUPERVISOR))
    client.post(reverse("agencies:plan_create", args=[tenant.agency.pk]))
    count = ImplementationStep.objects.count()
    client.post(reverse("agencies:plan_create", args=[tenant.agency.pk]))
    assert ImplementationStep.objects.count() == count > 0


@pytest.mark.parametrize("role", [Role.STATE_ADMIN, Role.STATE_TRAINER, Role.IPS_SUPERVISOR])
def test_editors_edit_a_step_with_its_status_notes_and_responsible(client, tenant, role):
    _, (step,) = _plan(tenant, "Find start-up money")
    client.force_login(tenant.user(role))
    url = reverse("agencies:plan_step_edit", args=[step.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        _edit_data(
            step,
            status="in_progress",
            notes="Asked the county",
            responsible="Director, Supervisor",
            target_date="2027-03-01",
        ),
    )
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.status == ImplementationStep.Status.IN_PROGRESS
    assert step.notes == "Asked the county"
    assert step.responsible == "Director, Supervisor"
    assert step.target_date == datetime.date(2027, 3, 1)
    page = client.get(reverse("agencies:plan", args=[tenant.agency.pk])).content.decode()
    assert "Asked the county" in page and "In progress" in page


@pytest.mark.parametrize(
    "role",
    [Role.FIDELITY_REVIEWER, Role.VR_LIAISON, Role.AGENCY_LEADER, Role.EMPLOYMENT_SPECIALIST],
)
def test_readers_may_not_edit_move_or_remove_a_step(client, tenant, role):
    _, (first, second) = _plan(tenant, "First", "Second")
    client.force_login(tenant.user(role))
    page = client.get(reverse("agencies:plan", args=[tenant.agency.pk])).content.decode()
    assert "First" in page and "Move down" not in page and "Remove" not in page
    edit = reverse("agencies:plan_step_edit", args=[first.pk])
    assert client.get(edit).status_code == 403
    assert client.post(edit, _edit_data(first, notes="Sneaky")).status_code == 403
    move = reverse("agencies:plan_step_move", args=[first.pk])
    assert client.post(move, {"direction": "down"}).status_code == 403
    remove = reverse("agencies:plan_step_remove", args=[first.pk])
    assert client.post(remove).status_code == 403
    first.refresh_from_db()
    assert first.notes == "" and first.position == 1 and first.removed_at is None


def test_other_collaboratives_and_agencies_get_404_on_the_step_routes(client, tenant, other_tenant):
    _, (step,) = _plan(tenant, "Only step")
    routes = [
        ("plan_step_edit", _edit_data(step, notes="Hacked")),
        ("plan_step_move", {"direction": "down"}),
        ("plan_step_remove", {}),
    ]
    for user in (
        other_tenant.user(Role.STATE_ADMIN),
        tenant.other_agency_users[Role.IPS_SUPERVISOR],
    ):
        client.force_login(user)
        for name, data in routes:
            assert client.post(reverse(f"agencies:{name}", args=[step.pk]), data).status_code == 404
    step.refresh_from_db()
    assert step.notes == "" and step.removed_at is None


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"action": ""}, "action"),
        ({"action": "   "}, "action"),
        ({"target_date": "2027-02-30"}, "target_date"),
        ({"status": "archived"}, "status"),
        ({"area": "nowhere"}, "area"),
        ({"notes": "x" * 4001}, "notes"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(client, tenant, changes, field):
    _, (step,) = _plan(tenant, "Keep me")
    client.force_login(tenant.user(Role.IPS_SUPERVISOR))
    response = client.post(
        reverse("agencies:plan_step_edit", args=[step.pk]),
        _edit_data(step, notes="Should not be kept", **changes)
        if field != "notes"
        else _edit_data(step, **changes),
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {field}
    step.refresh_from_db()
    assert step.action == "Keep me" and step.notes == ""


def test_the_service_refuses_a_status_not_in_the_list_and_an_unknown_field(tenant):
    _, (step,) = _plan(tenant, "Step")
    supervisor = tenant.user(Role.IPS_SUPERVISOR)
    with pytest.raises(ValidationError) as caught:
        services.implementation_step_update(
            user=supervisor, step=step, data={"status": "archived", "notes": "n"}
        )
    assert "status" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.implementation_step_update(user=supervisor, step=step, data={"plan": None})
    assert "plan" in caught.value.message_dict
    step.refresh_from_db()
    assert step.status == ImplementationStep.Status.NOT_STARTED and step.notes == ""
    services.implementation_step_update(user=supervisor, step=step, data={"status": "done"})
    step.refresh_from_db()
    assert step.status == ImplementationStep.Status.DONE


def test_moving_a_step_swaps_it_with_its_neighbour_within_the_area(client, tenant):
    plan, (a, b, c) = _plan(tenant, "Alpha", "Bravo", "Charlie")
    client.force_login(tenant.user(Role.IPS_SUPERVISOR))
    client.post(reverse("agencies:plan_step_move", args=[c.pk]), {"direction": "up"})

    def order():
        return list(
            plan.steps.filter(area="funding").order_by("position").values_list("action", flat=True)
        )

    assert order() == ["Alpha", "Charlie", "Bravo"]
    # At the edge nothing changes.
    client.post(reverse("agencies:plan_step_move", args=[a.pk]), {"direction": "up"})
    assert order() == ["Alpha", "Charlie", "Bravo"]
    client.post(reverse("agencies:plan_step_move", args=[a.pk]), {"direction": "down"})
    assert order() == ["Charlie", "Alpha", "Bravo"]
    client.post(reverse("agencies:plan_step_move", args=[a.pk]), {"direction": "sideways"})
    assert order() == ["Charlie", "Alpha", "Bravo"]
    page = client.get(reverse("agencies:plan", args=[tenant.agency.pk])).content.decode()
    assert page.index("Charlie") < page.index("Alpha") < page.index("Bravo")


def test_a_step_of_another_plan_cannot_be_moved_within_this_one(tenant, other_tenant):
    plan, (step,) = _plan(tenant, "Ours")
    other_plan, _ = _plan(other_tenant, "Theirs")
    with pytest.raises(ValidationError) as caught:
        services.implementation_step_move(
            user=tenant.user(Role.STATE_ADMIN), step=step, direction="up", plan=other_plan
        )
    assert "step" in caught.value.message_dict
    step.refresh_from_db()
    assert step.position == 1


def test_removing_a_step_keeps_it_with_who_and_when_and_hides_it_from_the_steps(client, tenant):
    plan, (keep, gone) = _plan(tenant, "Keep this", "Drop this")
    supervisor = tenant.user(Role.IPS_SUPERVISOR)
    client.force_login(supervisor)
    response = client.post(reverse("agencies:plan_step_remove", args=[gone.pk]))
    assert response.status_code == 302
    gone.refresh_from_db()
    assert gone.removed_by == supervisor and gone.removed_at is not None
    assert gone.history.count() >= 2
    page = client.get(reverse("agencies:plan", args=[tenant.agency.pk])).content.decode()
    steps_part, removed_part = page.split('id="removed-heading"', 1)
    assert "Drop this" not in steps_part and "Keep this" in steps_part
    assert "Drop this" in removed_part
    assert supervisor.display_name in removed_part
    # A removed step can no longer be edited, moved or removed again.
    assert client.get(reverse("agencies:plan_step_edit", args=[gone.pk])).status_code == 404
    move = reverse("agencies:plan_step_move", args=[gone.pk])
    assert client.post(move, {"direction": "up"}).status_code == 404


def test_progress_counts_done_over_applicable_steps_and_overdue_steps_stand_out(client, tenant):
    plan, steps = _plan(tenant, "One", "Two", "Three", "Four")
    supervisor = tenant.user(Role.IPS_SUPERVISOR)
    services.implementation_step_update(user=supervisor, step=steps[0], data={"status": "done"})
    services.implementation_step_update(
        user=supervisor, step=steps[1], data={"status": "not_applicable"}
    )
    late = datetime.date(2000, 1, 1)
    services.implementation_step_update(user=supervisor, step=steps[2], data={"target_date": late})
    services.implementation_step_update(user=supervisor, step=steps[1], data={"target_date": late})
    client.force_login(tenant.user(Role.VR_LIAISON))
    response = client.get(reverse("agencies:plan", args=[tenant.agency.pk]))
    assert response.context["done_count"] == 1
    assert response.context["applicable_count"] == 3
    assert response.context["percent_done"] == 33
    [funding] = response.context["areas"]
    assert (funding.done, funding.applicable, funding.percent_done) == (1, 3, 33)
    page = response.content.decode()
    assert "1 of 3 applicable steps done (33%)" in page
    # Only the late step still to do is overdue: a not applicable one is not.
    assert page.count("Overdue</span>") == 1


def _fill(plan, user, n):
    services.implementation_steps_add(
        user=user,
        plan=plan,
        steps=[
            {
                "area": ImplementationArea.choices[i % 9][0],
                "action": f"Step {i}",
                "target_date": datetime.date(2000, 1, 1),
            }
            for i in range(n)
        ],
    )


def test_the_plan_page_makes_as_many_queries_for_50_steps_as_for_2(client, tenant):
    plan, _ = _plan(tenant)
    trainer = tenant.user(Role.STATE_TRAINER)
    _fill(plan, trainer, 2)
    removed = plan.steps.first()
    services.implementation_step_remove(user=trainer, step=removed)
    client.force_login(tenant.user(Role.IPS_SUPERVISOR))
    url = reverse("agencies:plan", args=[tenant.agency.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _fill(plan, trainer, 48)
    for step in list(plan.steps.filter(removed_at__isnull=True))[:5]:
        services.implementation_step_remove(user=trainer, step=step)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.context["step_count"] == 44
    assert len(many) == len(few)


def test_the_data_migration_maps_open_and_done(tenant):
    """Open steps became "not started"; done steps stay done."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("agencies.migrations.0012_plan_steps_in_full")
    plan, (a, b) = _plan(tenant, "Was open", "Was done")
    ImplementationStep.objects.filter(pk=a.pk).update(status="open", position=0)
    ImplementationStep.objects.filter(pk=b.pk).update(status="done", position=0)
    migration.forwards(apps, None)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, b.status) == ("not_started", "done")
    assert (a.position, b.position) == (1, 2)
