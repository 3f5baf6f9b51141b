"""The demo data: loaded on first start, safe to load again, a login for every role."""

import datetime
from io import StringIO

from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.urls import reverse

from agencies import selectors_ta
from agencies.demo import DEMO_PASSWORD
from agencies.models import (
    Agency,
    Collaborative,
    Membership,
    MembershipAgency,
    Region,
    Role,
    TAActivity,
)
from fidelity.models import FidelityReview
from ipsportal.models import User

MODELS = (
    Collaborative,
    Region,
    Agency,
    Membership,
    MembershipAgency,
    User,
    TAActivity,
    FidelityReview,
)


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def _load(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def test_it_loads_the_same_data_twice(db):
    first_output = _load()
    first = _counts()
    assert first["Collaborative"] == 2
    assert first["Agency"] >= 10
    assert "Demo data loaded." in first_output
    assert DEMO_PASSWORD in first_output

    _load()
    assert _counts() == first


def test_it_has_a_demo_user_for_every_role_in_each_collaborative(db):
    _load()
    for collaborative in Collaborative.objects.all():
        roles = set(
            Membership.objects.filter(collaborative=collaborative).values_list("role", flat=True)
        )
        assert roles == set(Role.values), collaborative


def test_it_prints_logins_that_work(client, db):
    output = _load()
    emails = {
        line.split()[0]
        for line in output.splitlines()
        if line.startswith("  ") and "@example.org" in line
    }
    assert "mo.admin@example.org" in emails
    assert len(emails) == User.objects.count()
    for role in Role:
        users = User.objects.filter(memberships__role=role).distinct()
        assert users.exists(), role
        user = users.first()
        response = client.post(
            reverse("account_login"), {"login": user.email, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, (role, user.email)
        assert client.session[SESSION_KEY] == str(user.pk)
        home = client.get(reverse("home"))
        assert home.status_code == 200
        assert "Your agencies" in home.content.decode()
        client.logout()


def test_it_gives_agency_staff_their_own_agency_only(db):
    _load()
    for membership in Membership.objects.filter(role__in=Role.agency_roles()):
        assert membership.agencies.count() == 1
        assert membership.agencies.get().collaborative_id == membership.collaborative_id
    for membership in Membership.objects.filter(role=Role.STATE_ADMIN):
        assert membership.agencies.count() == 0


def test_it_loads_on_first_start_with_if_empty(db):
    _load("--if-empty")
    assert Collaborative.objects.count() == 2


def test_it_does_not_duplicate_with_if_empty(db):
    _load()
    before = _counts()
    output = _load("--if-empty")
    assert _counts() == before
    assert "already has data" in output


def test_it_leaves_a_real_database_alone_with_if_empty(tenant):
    # A database with a collaborative of its own gets no demo data on start.
    before = _counts()
    output = _load("--if-empty")
    assert _counts() == before
    assert not Collaborative.objects.filter(slug="show-me-ips").exists()
    assert "mo.admin@example.org" not in output


def test_it_includes_a_trainer_of_both_collaboratives(client, db):
    _load()
    trainer = User.objects.get(email="multi.trainer@example.org")
    assert Membership.objects.filter(user=trainer).count() == 2
    client.force_login(trainer)
    assert 'id="collaborative-switcher"' in client.get(reverse("home")).content.decode()


def test_it_dates_each_finalized_demo_visit_after_the_visit_not_at_loading(db):
    from readiness.models import ReadinessVisit, VisitStatus

    _load()
    final = list(ReadinessVisit.objects.filter(status=VisitStatus.FINAL))
    assert len(final) >= 3
    for visit in final:
        finalized_day = visit.collaborative.local(visit.finalized_at).date()
        assert visit.visit_date <= finalized_day <= visit.visit_date + datetime.timedelta(days=2)


def test_it_logs_ta_activities_with_gaps_the_compliance_page_shows(db):
    _load()
    admin = User.objects.get(email="mo.admin@example.org")
    early = Agency.objects.get(name="Gateway Recovery Center")
    months = selectors_ta.agency_compliance(admin, early).compliance.months
    states = [{c.commitment: c.state for c in m.checks} for m in months]
    assert len(states) == 6
    assert states[0]["unit_meeting"] == states[0]["team_meeting"] == "held"
    assert states[1]["unit_meeting"] == "held" and states[1]["team_meeting"] == "missing"
    mid = Agency.objects.get(name="Prairie Lane Community Services")
    months = selectors_ta.agency_compliance(admin, mid).compliance.months
    visits = [{c.commitment: c.state for c in m.checks}["employer_visit"] for m in months]
    assert visits == ["held", "held", "held", "held", "missing", "held"]
    # Agencies without an agreement have no log.
    assert not TAActivity.objects.filter(agency__name="Arch City Wellness").exists()
    trainer = TAActivity.objects.filter(agency=early).values_list("trainer__email", flat=True)
    assert set(trainer) == {"mo.trainer@example.org"}
