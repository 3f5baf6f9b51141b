"""The agency page as the agency's home: its profile, then the structure panel, the plan's
progress, the agreement, the steering committee and TA, for every role that sees the agency;
the plan's figures and empty state; the same number of queries for 2 and 50 rows."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies import selectors, services
from agencies.models import (
    ImplementationArea,
    ImplementationPhase,
    ImplementationStep,
    Role,
    StaffRole,
)
from ipsportal import access

R = Role
S = ImplementationStep.Status
PLAN_EDITORS = [R.STATE_ADMIN, R.STATE_TRAINER, R.IPS_SUPERVISOR]
PLAN_READERS = [R.FIDELITY_REVIEWER, R.VR_LIAISON, R.AGENCY_LEADER, R.EMPLOYMENT_SPECIALIST]

#: The headings of the home's sections, in the order the page shows them.
HOME_ORDER = [
    "profile-heading",
    "structure-heading",
    "plan-progress-heading",
    "agreement-status-heading",
    "steering-status-heading",
    "ta-section-heading",
]


def _page(client, user, agency) -> str:
    client.force_login(user)
    response = client.get(reverse("agencies:detail", args=[agency.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _section(page: str, section_id: str) -> str:
    """The HTML of one section of the page (by its id), to read its figures alone."""
    start = page.index(f'id="{section_id}"')
    return page[start : page.index("</section>", start)]


def _steps(tenant, *specs, agency=None):
    """A plan for the agency with one step per (area, status, days from today) spec."""
    trainer = tenant.user(R.STATE_TRAINER)
    agency = agency or tenant.agency
    plan = services.implementation_plan_create(user=trainer, agency=agency)
    today = agency.collaborative.today()
    services.implementation_steps_add(
        user=trainer,
        plan=plan,
        steps=[
            {
                "area": area,
                "action": f"Step {n}",
                "status": status,
                "target_date": None if days is None else today + datetime.timedelta(days=days),
            }
            for n, (area, status, days) in enumerate(specs)
        ],
    )
    return plan


# -- sections per role ---------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_it_shows_the_home_sections_in_order_to_every_role_of_the_agency(client, tenant, role):
    page = _page(client, tenant.user(role), tenant.agency)
    positions = [page.index(f'id="{heading}"') for heading in HOME_ORDER]
    assert positions == sorted(positions)
    # The plan's section replaced the bare link to the plan.
    assert page.count('id="plan-progress-heading"') == 1
    assert 'id="plan-heading"' not in page


def test_it_shows_the_sections_the_matrix_grants_and_leaves_out_the_others(
    client, tenant, monkeypatch
):
    leader = tenant.user(R.AGENCY_LEADER)
    page = _page(client, leader, tenant.agency)
    assert 'id="plan-progress-heading"' in page
    assert 'id="agreement-status-heading"' in page
    # A matrix without the plan and agreement rights for leaders takes those sections away.
    monkeypatch.delitem(access.PERMISSIONS[access.Action.PLAN_VIEW], R.AGENCY_LEADER)
    monkeypatch.delitem(access.PERMISSIONS[access.Action.AGREEMENT_VIEW], R.AGENCY_LEADER)
    page = _page(client, leader, tenant.agency)
    assert 'id="plan-progress-heading"' not in page
    assert 'id="agreement-status-heading"' not in page
    assert 'id="structure-heading"' in page and 'id="steering-status-heading"' in page


def test_it_answers_404_and_no_plan_figures_outside_the_scope(client, tenant, other_tenant):
    _steps(tenant, (ImplementationArea.FUNDING, S.DONE, None))
    url = reverse("agencies:detail", args=[tenant.agency.pk])
    for outsider in (other_tenant.user(R.STATE_ADMIN), tenant.other_agency_users[R.AGENCY_LEADER]):
        client.force_login(outsider)
        response = client.get(url)
        assert response.status_code == 404
        assert "applicable step" not in response.content.decode()


# -- the plan's empty state ------------------------------------------------------------------


@pytest.mark.parametrize("role", PLAN_EDITORS)
def test_it_offers_to_start_the_plan_to_those_who_may_edit_it(client, tenant, role):
    section = _section(_page(client, tenant.user(role), tenant.agency), "plan-progress")
    assert "No implementation plan yet" in section
    assert "Start the plan" in section
    assert reverse("agencies:plan", args=[tenant.agency.pk]) in section


@pytest.mark.parametrize("role", PLAN_READERS)
def test_it_shows_the_empty_plan_without_the_start_link_to_readers(client, tenant, role):
    section = _section(_page(client, tenant.user(role), tenant.agency), "plan-progress")
    assert "No implementation plan yet" in section
    assert "Start the plan" not in section


def test_it_says_a_started_plan_has_no_steps_yet(client, tenant):
    services.implementation_plan_create(user=tenant.user(R.STATE_TRAINER), agency=tenant.agency)
    section = _section(_page(client, tenant.user(R.AGENCY_LEADER), tenant.agency), "plan-progress")
    assert "The plan has no steps yet" in section
    assert "No implementation plan yet" not in section


# -- the plan's figures ----------------------------------------------------------------------


def test_it_shows_the_phase_the_progress_per_area_and_the_overdue_steps(client, tenant):
    tenant.agency.implementation_phase = ImplementationPhase.EARLY
    tenant.agency.save()
    plan = _steps(
        tenant,
        (ImplementationArea.FUNDING, S.DONE, -10),  # done: never overdue
        (ImplementationArea.FUNDING, S.NOT_STARTED, -3),  # overdue
        (ImplementationArea.FUNDING, S.NOT_APPLICABLE, -3),  # left out
        (ImplementationArea.TRAINING, S.IN_PROGRESS, -1),  # overdue
        (ImplementationArea.TRAINING, S.NOT_STARTED, 5),
        (ImplementationArea.BENEFITS, S.DONE, None),
        (ImplementationArea.BENEFITS, S.NOT_STARTED, -30),  # removed below: does not count
    )
    removed = plan.steps.get(action="Step 6")
    services.implementation_step_remove(user=tenant.user(R.STATE_TRAINER), step=removed)
    section = _section(_page(client, tenant.user(R.VR_LIAISON), tenant.agency), "plan-progress")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section))
    assert ImplementationPhase.EARLY.label in text
    assert "2 of 5 applicable steps done (40%)" in text
    assert '<progress class="plan-progress mb-3" max="5" value="2"' in section
    assert 'aria-labelledby="home-plan-overall"' in section
    assert "2 of 5 applicable steps done, 40 percent" in text  # the bar's words
    assert "2 overdue steps" in text
    assert reverse("agencies:plan", args=[tenant.agency.pk]) in section
    assert re.search(r"Funding \s*1/2 done · 1 overdue", text)
    assert re.search(r"IPS training \s*0/2 done · 1 overdue", text)
    assert re.search(r"Benefits planning \s*1/1 done", text)
    assert "Benefits planning 1/1 done ·" not in text
    assert ImplementationArea.FIDELITY.label not in text  # an area without steps


def test_it_says_when_no_step_is_overdue(client, tenant):
    _steps(
        tenant,
        (ImplementationArea.FUNDING, S.DONE, -10),
        (ImplementationArea.FUNDING, S.NOT_APPLICABLE, -10),
        (ImplementationArea.FUNDING, S.NOT_STARTED, 10),
    )
    section = _section(_page(client, tenant.user(R.AGENCY_LEADER), tenant.agency), "plan-progress")
    assert "No step is past its target date" in section
    assert "overdue step" not in section


def test_the_plan_summary_counts_overdue_from_the_collaboratives_today(tenant):
    plan = _steps(
        tenant,
        (ImplementationArea.FUNDING, S.NOT_STARTED, -1),
        (ImplementationArea.FUNDING, S.NOT_STARTED, 0),  # due today: not yet overdue
        (ImplementationArea.VR_COLLABORATION, S.NOT_APPLICABLE, -5),
    )
    found = access.access_plan(tenant.user(R.IPS_SUPERVISOR), tenant.agency.pk)
    summary = selectors.plan_summary(found)
    assert summary.plan == plan and summary.can_edit
    assert (summary.step_count, summary.applicable_count, summary.done_count) == (3, 2, 0)
    assert summary.overdue_count == 1 and summary.percent_done == 0
    vr = next(a for a in summary.areas if a.area == ImplementationArea.VR_COLLABORATION)
    assert (vr.applicable, vr.percent_done) == (0, None)
    assert [a.area for a in summary.areas] == [
        ImplementationArea.FUNDING,
        ImplementationArea.VR_COLLABORATION,
    ]


# -- query counts ----------------------------------------------------------------------------


def _home_queries(client, tenant, count: int) -> int:
    admin = tenant.user(R.STATE_ADMIN)
    boss = services.staff_member_create(
        user=admin, agency=tenant.agency, name="Boss", role=StaffRole.IPS_SUPERVISOR, fte=1
    )
    for n in range(count):
        services.staff_member_create(
            user=admin,
            agency=tenant.agency,
            name=f"Specialist {n:02}",
            role=StaffRole.EMPLOYMENT_SPECIALIST,
            fte=Decimal("1"),
            caseload=15,
            supervisor=boss,
        )
    areas = ImplementationArea.values
    _steps(
        tenant,
        *[
            (areas[n % len(areas)], (S.DONE, S.NOT_STARTED, S.IN_PROGRESS)[n % 3], n - count)
            for n in range(count)
        ],
    )
    committee = services.steering_committee_create(user=admin, agency=tenant.agency)
    services.steering_member_save(
        user=admin, committee=committee, category="ips_supervisor", name="Boss"
    )
    user = tenant.user(R.IPS_SUPERVISOR)
    client.force_login(user)
    url = reverse("agencies:detail", args=[tenant.agency.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert "No implementation plan yet" not in response.content.decode()
    return len(queries)


def test_the_agency_page_runs_the_same_number_of_queries_for_2_and_50_steps_and_staff(
    client, tenant, other_tenant
):
    few = _home_queries(client, tenant, 2)
    many = _home_queries(client, other_tenant, 50)
    assert few == many
