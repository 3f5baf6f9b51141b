"""The matrix's conditions as query conditions: declared once per model, used by the list
queries, the object checks, the page, the API and the download view alike."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from agencies.models import Membership, Role
from ipsportal import access
from ipsportal.access import Action, Grant
from ipsportal.access.conditions import SUBJECTS, Subject, undeclared_conditions
from ipsportal.models import Document
from readiness.models import ReadinessVisit
from tests.factories import grant, make_agency, make_user
from tests.readiness.helpers import make_visit

pytestmark = pytest.mark.django_db

R = Role
FINAL_ONLY_ROLES = (R.VR_LIAISON, R.IPS_SUPERVISOR, R.AGENCY_LEADER)
FULL_READERS = (R.STATE_ADMIN, R.STATE_TRAINER, R.FIDELITY_REVIEWER)


@pytest.fixture
def visits(tenant):
    return make_visit(tenant, label="draft"), make_visit(tenant, final=True, label="final")


def _draft_document(tenant, draft) -> Document:
    # A record document about a draft cannot come from the services (they publish finals
    # only); made by hand, it shows the download view applies the visit's condition.
    return Document.objects.create(
        collaborative=tenant.collaborative,
        agency=tenant.agency,
        kind="readiness_visit",
        purpose=Document.Purpose.RECORD,
        subject_id=draft.pk,
        record_version=draft.version,
        title="Draft report",
        status=Document.Status.READY,
        file="documents/draft.pdf",
    )


# -- each declared condition at work ----------------------------------------------------------


@pytest.mark.parametrize("role", FINAL_ONLY_ROLES, ids=lambda r: r.value)
def test_it_answers_404_to_a_final_only_reader_on_a_draft_by_page_api_and_download(
    client, tenant, visits, role
):
    draft, final = visits
    user = tenant.user(role)
    document = _draft_document(tenant, draft)
    client.force_login(user)
    api = APIClient()
    api.force_authenticate(user)
    assert client.get(reverse("readiness:visit_detail", args=[draft.pk])).status_code == 404
    assert api.get(reverse("readinessvisit-detail", args=[draft.pk])).status_code == 404
    assert client.get(document.download_url).status_code == 404
    assert client.get(document.get_absolute_url()).status_code == 404
    # The twin: the finalized visit opens for them in all three.
    assert client.get(reverse("readiness:visit_detail", args=[final.pk])).status_code == 200
    assert api.get(reverse("readinessvisit-detail", args=[final.pk])).status_code == 200
    listed = {row["id"] for row in api.get(reverse("readinessvisit-list")).json()["results"]}
    assert listed == {str(final.pk)}


@pytest.mark.parametrize("role", FULL_READERS, ids=lambda r: r.value)
def test_it_lets_full_readers_open_the_draft_and_its_document(client, tenant, visits, role):
    draft, _ = visits
    document = _draft_document(tenant, draft)
    client.force_login(tenant.user(role))
    assert client.get(reverse("readiness:visit_detail", args=[draft.pk])).status_code == 200
    assert client.get(document.get_absolute_url()).status_code == 200


def test_it_refuses_a_conditional_grant_without_an_object_and_decides_with_one(tenant, visits):
    draft, final = visits
    supervisor = tenant.user(R.IPS_SUPERVISOR)
    assert access.grants(supervisor, Action.READINESS_VIEW, agency=tenant.agency) == {
        Grant.FINAL_ONLY
    }
    with pytest.raises(PermissionDenied):
        access.require(supervisor, Action.READINESS_VIEW, agency=tenant.agency)
    assert not access.can(supervisor, Action.READINESS_VIEW, agency=tenant.agency)
    assert access.holds(supervisor, Action.READINESS_VIEW, agency=tenant.agency)
    access.require(supervisor, Action.READINESS_VIEW, obj=final)
    with pytest.raises(PermissionDenied):
        access.require(supervisor, Action.READINESS_VIEW, obj=draft)
    # An unconditional grant passes without an object.
    access.require(tenant.user(R.STATE_TRAINER), Action.READINESS_VIEW, agency=tenant.agency)


def test_it_checks_an_object_with_one_query(tenant, visits):
    _, final = visits
    supervisor = access.memberships_of(tenant.user(R.IPS_SUPERVISOR)) and tenant.user(
        R.IPS_SUPERVISOR
    )
    with CaptureQueriesContext(connection) as queries:
        assert access.can(supervisor, Action.READINESS_VIEW, obj=final)
    assert len(queries) == 1
    assert "EXISTS" in queries[0]["sql"].upper() or "LIMIT 1" in queries[0]["sql"].upper()


def test_it_returns_a_visit_with_what_the_user_may_do_with_it(tenant, visits):
    draft, final = visits
    want = {  # role -> (can_edit, can_export, can_edit_plan) on the final visit
        R.STATE_ADMIN: (True, True, True),
        R.STATE_TRAINER: (True, True, True),
        R.FIDELITY_REVIEWER: (False, True, False),
        R.VR_LIAISON: (False, True, False),
        R.IPS_SUPERVISOR: (False, True, True),
        R.AGENCY_LEADER: (False, True, False),
    }
    for role, (edit, export, plan) in want.items():
        found = access.access_visit(tenant.user(role), final.pk)
        assert (found.visit, found.can_edit, found.can_export, found.can_edit_plan) == (
            final,
            edit,
            export,
            plan,
        ), role
        assert found.can_amend == edit and not found.can_finalize
    assert access.access_visit(tenant.user(R.STATE_TRAINER), draft.pk).can_finalize
    with pytest.raises(PermissionDenied):
        access.access_visit(tenant.user(R.FIDELITY_REVIEWER), draft.pk, write=True)
    # Employment specialists: a published visit of their agency is 403, a draft 404.
    with pytest.raises(PermissionDenied):
        access.access_visit(tenant.user(R.EMPLOYMENT_SPECIALIST), final.pk)
    with pytest.raises(Http404):
        access.access_visit(tenant.user(R.EMPLOYMENT_SPECIALIST), draft.pk)


def test_it_fetches_a_visit_and_its_rights_in_one_query(tenant, visits):
    _, final = visits
    user = tenant.user(R.IPS_SUPERVISOR)
    access.memberships_of(user)  # loaded once per request
    with CaptureQueriesContext(connection) as queries:
        access.access_visit(user, final.pk)
    assert len(queries) == 1


def test_it_keeps_a_trainer_assigned_elsewhere_out_of_the_agencys_visits(tenant, visits):
    draft, final = visits
    elsewhere = make_user()
    grant(elsewhere, tenant.collaborative, R.STATE_TRAINER, [tenant.other_agency])
    assert not access.visits_in_scope(elsewhere).filter(pk__in=[draft.pk, final.pk]).exists()
    for visit in visits:
        with pytest.raises(Http404):
            access.access_visit(elsewhere, visit.pk)
    # Assigned to the agency too: both visits open.
    grant(elsewhere, tenant.collaborative, R.STATE_TRAINER, [tenant.agency])
    access.forget_memberships(elsewhere)
    assert set(access.visits_in_scope(elsewhere).values_list("pk", flat=True)) == {
        draft.pk,
        final.pk,
    }


def test_it_reads_agency_staff_only_for_supervisors_from_the_matrix(tenant):
    supervisor = tenant.user(R.IPS_SUPERVISOR)
    rows = access.rows(supervisor, Action.USERS_MANAGE, Membership, tenant.collaborative)
    assert set(rows.values_list("role", flat=True)) == set(Role.agency_roles())
    admin_rows = access.rows(
        tenant.user(R.STATE_ADMIN), Action.USERS_MANAGE, Membership, tenant.collaborative
    )
    assert set(admin_rows.values_list("role", flat=True)) == set(Role)


# -- declarations -----------------------------------------------------------------------------


def test_it_has_a_condition_for_every_conditional_grant_of_every_model():
    assert undeclared_conditions() == []
    call_command("check", fail_level="ERROR")


def test_it_fails_on_a_model_grant_pair_without_a_declared_condition():
    stripped = dict(SUBJECTS)
    stripped["readiness.ReadinessVisit"] = Subject("readiness.ReadinessVisit", agency="agency")
    problems = undeclared_conditions(subjects=stripped)
    assert any("readiness_view on readiness.ReadinessVisit" in p for p in problems)
    assert any("'final_only'" in p for p in problems)
    missing = {k: v for k, v in SUBJECTS.items() if k != "agencies.Invitation"}
    assert any(
        "agencies.Invitation is not declared" in p for p in undeclared_conditions(subjects=missing)
    )


def test_it_raises_rather_than_answer_yes_for_an_undeclared_pair(tenant, monkeypatch):
    supervisor = tenant.user(R.IPS_SUPERVISOR)
    monkeypatch.setitem(
        SUBJECTS,
        "readiness.ReadinessVisit",
        Subject("readiness.ReadinessVisit", agency="agency"),
    )
    with pytest.raises(ImproperlyConfigured, match="final_only"):
        list(access.rows(supervisor, Action.READINESS_VIEW, ReadinessVisit))
    # A state admin's unconditional grant needs no condition.
    assert (
        access.rows(tenant.user(R.STATE_ADMIN), Action.READINESS_VIEW, ReadinessVisit) is not None
    )


def test_it_refuses_to_read_a_model_with_an_action_about_another_kind(tenant):
    with pytest.raises(ImproperlyConfigured, match="not about"):
        access.rows(tenant.user(R.STATE_ADMIN), Action.AGENCY_VIEW, ReadinessVisit)


# -- aggregates --------------------------------------------------------------------------------


def _finalize_at(tenant, agency, ready_every: int):
    # A finalized visit of ``agency`` whose every ``ready_every``-th area is work needed.
    visit = make_visit(tenant, agency=agency, user=tenant.user(R.STATE_ADMIN), final=True)
    ReadinessVisit.objects.filter(pk=visit.pk).update(ready_count=ready_every)
    return visit


def test_it_gives_numbers_of_the_whole_collaborative_and_suppresses_small_groups(tenant):
    liaison = make_user()
    grant(liaison, tenant.collaborative, R.VR_LIAISON, [tenant.agency])
    third = make_agency(tenant.collaborative)
    figures = access.readiness_collaborative_figures(liaison, tenant.collaborative)
    assert figures["median_ready_share"].count == 0 and figures["median_ready_share"].shown is None
    for agency, ready in ((tenant.agency, 4), (tenant.other_agency, 6)):
        _finalize_at(tenant, agency, ready)
    two = access.readiness_collaborative_figures(liaison, tenant.collaborative)[
        "median_ready_share"
    ]
    assert two.count == 2 and two.suppressed and two.shown is None  # fewer than 3 agencies
    _finalize_at(tenant, third, 9)
    three = access.readiness_collaborative_figures(liaison, tenant.collaborative)[
        "median_ready_share"
    ]
    assert three.count == 3 and not three.suppressed
    assert three.shown == pytest.approx(0.6)  # the median of 0.4, 0.6 and 0.9
    # The liaison still reads no row of the other agencies.
    assert set(access.visits_in_scope(liaison).values_list("agency_id", flat=True)) == {
        tenant.agency.pk
    }


def test_it_refuses_the_collaborative_figures_to_those_who_read_no_visits(tenant, other_tenant):
    with pytest.raises(PermissionDenied):
        access.readiness_collaborative_figures(
            tenant.user(R.EMPLOYMENT_SPECIALIST), tenant.collaborative
        )
    with pytest.raises(PermissionDenied):
        access.readiness_collaborative_figures(
            other_tenant.user(R.STATE_ADMIN), tenant.collaborative
        )
    access.readiness_collaborative_figures(tenant.user(R.IPS_SUPERVISOR), tenant.collaborative)
