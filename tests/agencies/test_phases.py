"""An agency's implementation phase: the phases as data, the move service (who, when, note;
same phase and stale moves refused; who may move it), the plan page's phase header, form and
history, the phase changes API and the plans API's phase, and the profile no longer moving
the phase."""

import datetime
import threading

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from agencies import phases, services
from agencies.models import Agency, ImplementationPhase, PhaseChange, Role
from tests.factories import make_agency

P = ImplementationPhase
MOVERS = [Role.STATE_ADMIN, Role.STATE_TRAINER, Role.IPS_SUPERVISOR]
READERS = [Role.VR_LIAISON, Role.AGENCY_LEADER, Role.FIDELITY_REVIEWER, Role.EMPLOYMENT_SPECIALIST]
CHANGES = "/api/v1/phase-changes/"
PLANS = "/api/v1/implementation-plans/"
NOW = datetime.datetime(2026, 5, 4, 15, 30, tzinfo=datetime.UTC)


def _move(tenant, to_phase, *, role=Role.STATE_TRAINER, from_phase=None, note="", agency=None):
    agency = agency or tenant.agency
    return services.agency_phase_change(
        user=tenant.user(role),
        agency=agency,
        to_phase=to_phase,
        note=note,
        from_phase=from_phase or Agency.objects.get(pk=agency.pk).implementation_phase,
    )


def _client(user, api=False):
    client = APIClient() if api else Client()
    client.force_login(user)
    return client


def _plan_url(agency, name="plan"):
    return reverse(f"agencies:{name}", args=[agency.pk])


# -- the phases as data ----------------------------------------------------------------------


def test_it_describes_every_phase_with_a_checklist():
    infos = phases.all_phases()
    assert [i.phase for i in infos] == list(P.values)
    for info in infos:
        assert info.label == P(info.phase).label
        assert info.description.endswith(".")
        assert info.checklist and all(group.items for group in info.checklist)


def test_it_allows_every_other_phase_and_says_which_moves_go_back():
    moves = phases.allowed_moves(P.EARLY)
    assert [m.to_phase for m in moves] == [P.EXPLORING, P.PRE, P.MID, P.SUSTAINING]
    assert [m.back for m in moves] == [True, True, False, False]
    assert phases.is_move_back(P.SUSTAINING, P.MID)
    assert not phases.is_move_back(P.PRE, P.EARLY)
    assert phases.move_label(P.MID, P.EARLY) == "Mid-implementation to Early implementation (back)"


def test_it_names_the_field_of_a_move_that_is_not_one():
    assert phases.move_problems(P.PRE, P.EARLY) == {}
    assert set(phases.move_problems(P.EARLY, P.EARLY)) == {"to_phase"}
    assert "already in Early implementation" in phases.move_problems(P.EARLY, P.EARLY)["to_phase"]
    assert set(phases.move_problems("nonsense", "later")) == {"from_phase", "to_phase"}


# -- the service -----------------------------------------------------------------------------


def test_it_records_who_moved_the_agency_when_and_why(tenant):
    trainer = tenant.user(Role.STATE_TRAINER)
    with time_machine.travel(NOW, tick=False):
        change = _move(tenant, P.PRE, from_phase=P.EXPLORING, note="  Team formed  ")
    change.refresh_from_db()
    assert (change.from_phase, change.to_phase) == (P.EXPLORING, P.PRE)
    assert change.changed_by == trainer and change.changed_at == NOW
    assert change.note == "Team formed"
    assert change.collaborative_id == tenant.collaborative.pk
    tenant.agency.refresh_from_db()
    assert tenant.agency.implementation_phase == P.PRE
    latest = tenant.agency.history.order_by("-history_id").first()
    assert latest.implementation_phase == P.PRE and latest.history_user == trainer


def test_it_allows_moving_back_to_an_earlier_phase(tenant):
    _move(tenant, P.MID)
    change = _move(tenant, P.EARLY, note="Lost two specialists")
    assert change.is_back
    assert PhaseChange.objects.filter(agency=tenant.agency).count() == 2


def test_it_refuses_the_phase_the_agency_is_in_with_a_field_error(tenant):
    with pytest.raises(ValidationError) as error:
        _move(tenant, P.EXPLORING, from_phase=P.EXPLORING)
    assert "to_phase" in error.value.message_dict
    assert not PhaseChange.objects.exists()


def test_it_refuses_a_stale_move_saying_who_moved_it_and_writes_nothing(tenant):
    with time_machine.travel(NOW, tick=False):
        _move(tenant, P.PRE, role=Role.IPS_SUPERVISOR, from_phase=P.EXPLORING)
    with pytest.raises(services.PhaseChangeConflict) as error:
        _move(tenant, P.EARLY, role=Role.STATE_TRAINER, from_phase=P.EXPLORING)
    message = " ".join(error.value.messages)
    assert tenant.user(Role.IPS_SUPERVISOR).display_name in message
    assert "Pre-implementation" in message and "10:30 AM" in message  # the collaborative's time
    assert "from_phase" in error.value.message_dict
    tenant.agency.refresh_from_db()
    assert tenant.agency.implementation_phase == P.PRE
    assert PhaseChange.objects.filter(agency=tenant.agency).count() == 1


@pytest.mark.django_db(transaction=True)
def test_it_lets_only_one_of_two_people_moving_at_once_win(tenant):
    moved, release, refusals = threading.Event(), threading.Event(), []

    def first() -> None:
        try:
            with transaction.atomic():
                _move(tenant, P.PRE, role=Role.STATE_ADMIN, from_phase=P.EXPLORING)
                moved.set()
                release.wait(10)  # holds the agency's row until the second move waits on it
        finally:
            connections.close_all()

    def second() -> None:
        try:
            _move(tenant, P.EARLY, role=Role.IPS_SUPERVISOR, from_phase=P.EXPLORING)
        except services.PhaseChangeConflict as exc:
            refusals.append(" ".join(exc.messages))
        except OperationalError as exc:
            # The tests' shared in-memory SQLite refuses the second writer at once ("table is
            # locked") where PostgreSQL makes it wait for the row and then see the move.
            refusals.append(f"locked: {exc}")
        finally:
            connections.close_all()

    one = threading.Thread(target=first)
    one.start()
    assert moved.wait(10)
    two = threading.Thread(target=second)
    two.start()
    two.join(0.5)
    postgres = connection.vendor == "postgresql"
    if postgres:
        assert two.is_alive()  # waiting for the first move's row lock
    release.set()
    one.join(10)
    two.join(10)
    assert len(refusals) == 1, refusals
    if postgres:
        assert tenant.user(Role.STATE_ADMIN).display_name in refusals[0]
    else:
        assert "locked" in refusals[0] or "State Admin" in refusals[0], refusals
    assert list(PhaseChange.objects.values_list("to_phase", flat=True)) == [P.PRE]
    assert Agency.objects.get(pk=tenant.agency.pk).implementation_phase == P.PRE


def test_it_says_the_phase_the_agency_is_in_when_no_change_explains_a_stale_move(tenant):
    Agency.objects.filter(pk=tenant.agency.pk).update(implementation_phase=P.MID)
    with pytest.raises(services.PhaseChangeConflict) as error:
        _move(tenant, P.EARLY, from_phase=P.EXPLORING)
    assert "now in Mid-implementation" in " ".join(error.value.messages)
    assert not PhaseChange.objects.exists()


@pytest.mark.parametrize("role", MOVERS)
def test_it_lets_supervisors_trainers_and_admins_move_the_phase(tenant, role):
    change = _move(tenant, P.PRE, role=role)
    assert change.changed_by == tenant.user(role)


@pytest.mark.parametrize("role", READERS)
def test_it_refuses_a_move_by_vr_liaisons_leaders_and_others(tenant, role):
    with pytest.raises(PermissionDenied):
        _move(tenant, P.PRE, role=role)
    tenant.agency.refresh_from_db()
    assert tenant.agency.implementation_phase == P.EXPLORING
    assert not PhaseChange.objects.exists()


def test_it_refuses_a_move_by_another_agencys_supervisor(tenant):
    with pytest.raises(PermissionDenied):
        services.agency_phase_change(
            user=tenant.other_agency_users[Role.IPS_SUPERVISOR],
            agency=tenant.agency,
            to_phase=P.PRE,
            from_phase=P.EXPLORING,
        )
    assert not PhaseChange.objects.exists()


# -- the plan page ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", MOVERS)
def test_it_shows_movers_the_phase_its_checklist_and_the_move_form(tenant, role):
    response = _client(tenant.user(role)).get(_plan_url(tenant.agency))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Implementation phase:" in page and P.EXPLORING.label in page
    assert phases.phase_info(P.EXPLORING).checklist[0].items[0] in page
    assert reverse("agencies:plan_phase_change", args=[tenant.agency.pk]) in page
    assert 'name="from_phase" value="exploring"' in page


@pytest.mark.parametrize("role", [Role.VR_LIAISON, Role.AGENCY_LEADER])
def test_it_shows_readers_the_phase_and_its_history_but_no_form(tenant, role):
    _move(tenant, P.PRE, note="Steering committee invited")
    response = _client(tenant.user(role)).get(_plan_url(tenant.agency))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Implementation phase:" in page and "Steering committee invited" in page
    assert tenant.user(Role.STATE_TRAINER).display_name in page
    assert reverse("agencies:plan_phase_change", args=[tenant.agency.pk]) not in page


def test_it_moves_the_agency_when_the_form_is_posted(tenant):
    client = _client(tenant.user(Role.IPS_SUPERVISOR))
    response = client.post(
        _plan_url(tenant.agency, "plan_phase_change"),
        {"to_phase": P.PRE, "note": "Funding found", "from_phase": P.EXPLORING},
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "The agency moved to Pre-implementation." in page
    assert "Funding found" in page
    change = PhaseChange.objects.get(agency=tenant.agency)
    assert change.changed_by == tenant.user(Role.IPS_SUPERVISOR)


def test_it_refuses_a_move_without_a_phase_naming_the_field(tenant):
    client = _client(tenant.user(Role.IPS_SUPERVISOR))
    response = client.post(
        _plan_url(tenant.agency, "plan_phase_change"),
        {"to_phase": "", "note": "x" * 2001, "from_phase": P.EXPLORING},
    )
    assert response.status_code == 400
    form = response.context["phase_form"]
    assert set(form.errors) == {"to_phase", "note"}
    assert "Note" in form.errors["note"][0] and "2,000" in form.errors["note"][0]
    assert "The phase was not changed." in response.content.decode()
    assert not PhaseChange.objects.exists()


def test_it_refuses_a_stale_form_saying_who_moved_the_agency(tenant):
    _move(tenant, P.PRE, role=Role.STATE_ADMIN)
    client = _client(tenant.user(Role.IPS_SUPERVISOR))
    response = client.post(
        _plan_url(tenant.agency, "plan_phase_change"),
        {"to_phase": P.EARLY, "from_phase": P.EXPLORING},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert tenant.user(Role.STATE_ADMIN).display_name in page
    assert "nothing was changed" in page
    # The header shows the phase as it is now, and the form starts from it.
    assert 'name="from_phase" value="pre"' in page
    assert PhaseChange.objects.count() == 1


@pytest.mark.parametrize("role", [Role.VR_LIAISON, Role.AGENCY_LEADER])
def test_it_refuses_readers_posting_a_move_with_403(tenant, role):
    response = _client(tenant.user(role)).post(
        _plan_url(tenant.agency, "plan_phase_change"),
        {"to_phase": P.PRE, "from_phase": P.EXPLORING},
    )
    assert response.status_code == 403
    assert not PhaseChange.objects.exists()


def test_it_answers_404_to_people_outside_the_agency(tenant, other_tenant):
    for user in (
        other_tenant.user(Role.STATE_ADMIN),
        tenant.other_agency_users[Role.IPS_SUPERVISOR],
        tenant.elsewhere_users[Role.STATE_TRAINER],
    ):
        client = _client(user)
        move = client.post(
            _plan_url(tenant.agency, "plan_phase_change"),
            {"to_phase": P.PRE, "from_phase": P.EXPLORING},
        )
        assert move.status_code == 404
        assert client.get(_plan_url(tenant.agency, "plan_phase_history")).status_code == 404
    assert not PhaseChange.objects.exists()


def test_it_shows_the_last_five_moves_on_the_plan_and_links_to_all(tenant):
    for n, phase in enumerate([P.PRE, P.EARLY, P.MID, P.SUSTAINING, P.MID, P.SUSTAINING]):
        _move(tenant, phase, note=f"Move number {n}")
    client = _client(tenant.user(Role.AGENCY_LEADER))
    page = client.get(_plan_url(tenant.agency)).content.decode()
    assert "Move number 5" in page and "Move number 1" in page
    assert "Move number 0" not in page
    assert page.index("Move number 5") < page.index("Move number 1")
    history_url = _plan_url(tenant.agency, "plan_phase_history")
    assert history_url in page
    history = client.get(history_url)
    assert history.status_code == 200
    assert all(f"Move number {n}" in history.content.decode() for n in range(6))


def test_it_makes_as_many_queries_for_50_moves_as_for_2_on_the_history_page(tenant):
    client = _client(tenant.user(Role.VR_LIAISON))
    url = _plan_url(tenant.agency, "plan_phase_history")
    counts = {}
    for n in (2, 50):
        while PhaseChange.objects.filter(agency=tenant.agency).count() < n:
            tenant.agency.refresh_from_db()
            _move(tenant, P.PRE if tenant.agency.implementation_phase != P.PRE else P.EARLY)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts[n] = len(queries)
    assert counts[2] == counts[50]


# -- the profile no longer moves the phase ---------------------------------------------------


def test_it_no_longer_changes_the_phase_from_the_profile_form(tenant):
    client = _client(tenant.user(Role.IPS_SUPERVISOR))
    url = reverse("agencies:edit", args=[tenant.agency.pk])
    page = client.get(url).content.decode()
    assert 'name="implementation_phase"' not in page
    assert reverse("agencies:plan", args=[tenant.agency.pk]) in page
    response = client.post(
        url,
        {
            "name": tenant.agency.name,
            "implementation_phase": P.SUSTAINING,
            "vr_vendor_status": "not_vendor",
            "city": "Rolla",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    tenant.agency.refresh_from_db()
    assert tenant.agency.city == "Rolla"
    assert tenant.agency.implementation_phase == P.EXPLORING


def test_it_lets_a_new_agency_choose_the_phase_it_starts_in(tenant):
    client = _client(tenant.user(Role.STATE_ADMIN))
    url = reverse("agencies:create")
    assert 'name="implementation_phase"' in client.get(url).content.decode()
    response = client.post(
        url, {"name": "Fresh Start", "implementation_phase": P.PRE, "vr_vendor_status": "vendor"}
    )
    assert response.status_code == 302
    assert Agency.objects.get(name="Fresh Start").implementation_phase == P.PRE


def test_it_keeps_the_phase_read_only_in_the_agencies_api(tenant):
    client = _client(tenant.user(Role.IPS_SUPERVISOR), api=True)
    url = f"/api/v1/agencies/{tenant.agency.pk}/"
    tag = client.get(url)["ETag"]
    response = client.patch(
        url,
        {"implementation_phase": P.SUSTAINING, "city": "Joplin"},
        format="json",
        HTTP_IF_MATCH=tag,
    )
    assert response.status_code == 200, response.json()
    assert response.json()["implementation_phase"] == P.EXPLORING
    assert response.json()["city"] == "Joplin"


# -- the API ---------------------------------------------------------------------------------


def _body(tenant, **extra):
    return {"agency": str(tenant.agency.pk), "from_phase": P.EXPLORING, "to_phase": P.PRE, **extra}


@pytest.mark.parametrize("role", MOVERS)
def test_it_moves_the_agency_through_the_api_answering_201_with_the_change(tenant, role):
    client = _client(tenant.user(role), api=True)
    response = client.post(CHANGES, _body(tenant, note="Via the API"), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    change = PhaseChange.objects.get()
    assert body["id"] == str(change.pk) and body["agency"] == str(tenant.agency.pk)
    assert (body["from_phase"], body["to_phase"], body["note"]) == (
        "exploring",
        "pre",
        "Via the API",
    )
    assert body["changed_by"] == tenant.user(role).pk and body["back"] is False
    assert client.get(f"{CHANGES}{change.pk}/").json()["to_phase"] == "pre"


def test_it_answers_409_to_a_stale_api_move_and_writes_nothing(tenant):
    _move(tenant, P.MID, role=Role.STATE_ADMIN)
    client = _client(tenant.user(Role.IPS_SUPERVISOR), api=True)
    response = client.post(CHANGES, _body(tenant), format="json")
    assert response.status_code == 409
    error = response.json()["error"]
    assert tenant.user(Role.STATE_ADMIN).display_name in error["message"]
    assert "from_phase" in error["fields"]
    assert PhaseChange.objects.count() == 1
    tenant.agency.refresh_from_db()
    assert tenant.agency.implementation_phase == P.MID


def test_it_requires_from_phase_in_the_api_and_refuses_the_same_phase(tenant):
    client = _client(tenant.user(Role.IPS_SUPERVISOR), api=True)
    body = _body(tenant)
    del body["from_phase"]
    missing = client.post(CHANGES, body, format="json")
    assert missing.status_code == 400 and "from_phase" in missing.json()["error"]["fields"]
    same = client.post(CHANGES, _body(tenant, to_phase=P.EXPLORING), format="json")
    assert same.status_code == 400 and "to_phase" in same.json()["error"]["fields"]
    assert not PhaseChange.objects.exists()


@pytest.mark.parametrize("role", READERS)
def test_it_refuses_an_api_move_by_readers_with_403(tenant, role):
    client = _client(tenant.user(role), api=True)
    assert client.post(CHANGES, _body(tenant), format="json").status_code == 403
    assert not PhaseChange.objects.exists()


def test_it_answers_404_in_the_api_outside_the_scope(tenant, other_tenant):
    change = _move(tenant, P.PRE)
    for user in (
        other_tenant.user(Role.STATE_ADMIN),
        tenant.other_agency_users[Role.IPS_SUPERVISOR],
    ):
        client = _client(user, api=True)
        body = _body(tenant, from_phase=P.PRE, to_phase=P.EARLY)
        assert client.post(CHANGES, body, format="json").status_code == 404
        assert client.get(f"{CHANGES}{change.pk}/").status_code == 404
        assert client.get(CHANGES).json()["count"] == 0
    assert PhaseChange.objects.count() == 1


def test_it_has_no_update_or_delete_of_a_change_in_the_api(tenant):
    change = _move(tenant, P.PRE)
    client = _client(tenant.user(Role.STATE_ADMIN), api=True)
    url = f"{CHANGES}{change.pk}/"
    assert client.patch(url, {"note": "Rewritten"}, format="json").status_code == 405
    assert client.delete(url).status_code == 405
    change.refresh_from_db()
    assert change.note == ""


def test_it_lists_changes_in_the_api_by_agency_and_dates(tenant):
    with time_machine.travel(datetime.datetime(2026, 1, 10, 15, tzinfo=datetime.UTC)):
        _move(tenant, P.PRE)
    with time_machine.travel(datetime.datetime(2026, 3, 10, 15, tzinfo=datetime.UTC)):
        _move(tenant, P.EARLY)
        _move(tenant, P.PRE, agency=tenant.other_agency, role=Role.STATE_ADMIN)
    client = _client(tenant.user(Role.STATE_ADMIN), api=True)
    mine = client.get(CHANGES, {"agency": str(tenant.agency.pk)}).json()["results"]
    assert [c["to_phase"] for c in mine] == ["early", "pre"]  # newest first
    march = client.get(CHANGES, {"changed_after": "2026-02-01", "changed_before": "2026-03-31"})
    assert march.json()["count"] == 2
    january = client.get(CHANGES, {"changed_before": "2026-01-31"}).json()["results"]
    assert [c["to_phase"] for c in january] == ["pre"]
    assert client.get(CHANGES, {"changed_after": "soon"}).status_code == 400


def test_it_shows_the_phase_and_its_changes_newest_first_in_the_plans_api(tenant):
    plan = services.implementation_plan_create(
        user=tenant.user(Role.STATE_ADMIN), agency=tenant.agency
    )
    _move(tenant, P.PRE)
    _move(tenant, P.EARLY)
    client = _client(tenant.user(Role.VR_LIAISON), api=True)
    found = client.get(f"{PLANS}{plan.pk}/").json()
    assert found["phase"] == "early"
    assert [c["to_phase"] for c in found["phase_changes"]] == ["early", "pre"]
    assert set(found["phase_changes"][0]) == {"id", "from_phase", "to_phase", "changed_at"}
    [listed] = client.get(PLANS).json()["results"]
    assert listed["phase_changes"] == found["phase_changes"]


def test_it_makes_as_many_queries_for_50_rows_as_for_2_in_the_api_lists(tenant):
    admin = tenant.user(Role.STATE_ADMIN)
    client = _client(admin, api=True)
    counts = {}
    for n in (2, 50):
        while Agency.objects.filter(collaborative=tenant.collaborative).count() < n:
            make_agency(tenant.collaborative)
        for agency in Agency.objects.filter(collaborative=tenant.collaborative):
            services.implementation_plan_create(user=admin, agency=agency)
            if not PhaseChange.objects.filter(agency=agency).exists():
                _move(tenant, P.PRE, role=Role.STATE_ADMIN, agency=agency)
        client.get(PLANS)
        with CaptureQueriesContext(connection) as plans:
            assert len(client.get(PLANS, {"page_size": 100}).json()["results"]) == n
        with CaptureQueriesContext(connection) as changes:
            assert client.get(CHANGES, {"page_size": 100}).json()["count"] == n
        counts[n] = (len(plans), len(changes))
    assert counts[2] == counts[50]


# -- the demo --------------------------------------------------------------------------------


def test_it_gives_demo_agencies_past_pre_implementation_a_dated_phase_history(db):
    from agencies import demo

    demo.load()
    demo.load()  # a second load adds nothing
    for agency in Agency.objects.select_related("collaborative"):
        changes = list(PhaseChange.objects.filter(agency=agency).order_by("changed_at"))
        if agency.implementation_phase in (P.EXPLORING, P.PRE):
            assert changes == []
            continue
        assert 1 <= len(changes) <= 2, agency.name
        assert changes[-1].to_phase == agency.implementation_phase
        assert all(c.changed_by is not None and c.note for c in changes)
        days = [agency.collaborative.local(c.changed_at).date() for c in changes]
        assert days[0] >= agency.implementation_start_date
        assert days == sorted(days) and days[-1] <= agency.collaborative.today()
