"""The TA activity log pages: the three access cases, bad input, the compliance view, the
agency page's section, filters and query counts."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies import services
from agencies.models import Role, TAActivity, TAActivityKind, TAAgreement

D = datetime.date
NOW = datetime.datetime(2026, 4, 20, 17, tzinfo=datetime.UTC)
WRITERS = [Role.STATE_ADMIN, Role.STATE_TRAINER]
READERS = [
    Role.FIDELITY_REVIEWER,
    Role.VR_LIAISON,
    Role.IPS_SUPERVISOR,
    Role.AGENCY_LEADER,
    Role.EMPLOYMENT_SPECIALIST,
]


def _url(name, *args):
    return reverse(f"agencies:{name}", args=[getattr(a, "pk", a) for a in args])


def agreement_of(agency, **extra):
    values = {"start_date": D(2026, 3, 1), "version": 1}
    values.update(extra)
    return TAAgreement.objects.create(collaborative=agency.collaborative, agency=agency, **values)


@pytest.fixture
def activity(tenant):
    with time_machine.travel(NOW):
        return services.ta_activity_log(
            user=tenant.user(Role.STATE_TRAINER),
            agency=tenant.agency,
            date=D(2026, 3, 4),
            kind=TAActivityKind.UNIT_MEETING,
            duration_minutes=90,
            notes="Went over the referral flow.",
        )


@pytest.mark.parametrize("role", WRITERS)
@time_machine.travel(NOW)
def test_it_lets_admins_and_trainers_log_edit_and_remove_an_activity(client, tenant, role):
    agreement_of(tenant.agency)
    client.force_login(tenant.user(role))
    form = client.get(_url("ta_activity_new") + f"?agency={tenant.agency.pk}")
    assert form.status_code == 200
    assert f'<option value="{tenant.agency.pk}" selected>' in form.content.decode()
    response = client.post(
        _url("ta_activity_new"),
        {
            "agency": str(tenant.agency.pk),
            "date": "2026-04-14",
            "kind": "team_meeting",
            "duration_minutes": "75",
            "notes": "Met the ACT team.",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == _url("ta_compliance", tenant.agency)
    activity = TAActivity.objects.get()
    assert activity.trainer == tenant.user(role)
    page = client.get(_url("ta_compliance", tenant.agency)).content.decode()
    assert "held on April 14" in page and "not signed yet" in page
    response = client.post(
        _url("ta_activity_edit", activity),
        {"date": "2026-04-15", "kind": "team_meeting", "duration_minutes": "80", "notes": ""},
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.date == D(2026, 4, 15) and activity.duration_minutes == 80
    confirm = client.get(_url("ta_activity_remove", activity)).content.decode()
    assert "history keeps a record" in confirm
    assert client.post(_url("ta_activity_remove", activity)).status_code == 302
    assert not TAActivity.objects.exists()


@pytest.mark.parametrize("role", READERS)
@time_machine.travel(NOW)
def test_it_lets_the_other_roles_read_the_log_but_not_write(client, tenant, role, activity):
    agreement_of(tenant.agency)
    client.force_login(tenant.user(role))
    for url in (
        _url("ta_activities"),
        _url("ta_activities_agency", tenant.agency),
        _url("ta_activity", activity),
        _url("ta_compliance", tenant.agency),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Log an activity" not in response.content.decode()
    assert (
        "Went over the referral flow." in client.get(_url("ta_activity", activity)).content.decode()
    )
    refused = [
        client.get(_url("ta_activity_new")),
        client.post(_url("ta_activity_new"), {"agency": str(tenant.agency.pk)}),
        client.get(_url("ta_activity_edit", activity)),
        client.post(_url("ta_activity_edit", activity), {"duration_minutes": "5"}),
        client.post(_url("ta_activity_remove", activity)),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused)
    activity.refresh_from_db()
    assert activity.duration_minutes == 90


@time_machine.travel(NOW)
def test_it_answers_404_outside_the_scope(client, tenant, other_tenant, activity):
    outsiders = [
        other_tenant.user(Role.STATE_ADMIN),
        tenant.other_agency_users[Role.IPS_SUPERVISOR],
        tenant.elsewhere_users[Role.STATE_TRAINER],
    ]
    for user in outsiders:
        client.force_login(user)
        for url in (
            _url("ta_activities_agency", tenant.agency),
            _url("ta_activity", activity),
            _url("ta_compliance", tenant.agency),
        ):
            assert client.get(url).status_code == 404, (user, url)
        assert client.post(_url("ta_activity_edit", activity), {}).status_code == 404
        assert client.post(_url("ta_activity_remove", activity)).status_code == 404
        log = client.get(_url("ta_activities")).content.decode()
        assert "Went over the referral flow." not in log
    # A trainer elsewhere cannot log for this agency: it is not among the choices.
    client.force_login(tenant.elsewhere_users[Role.STATE_TRAINER])
    response = client.post(
        _url("ta_activity_new"),
        {
            "agency": str(tenant.agency.pk),
            "date": "2026-04-14",
            "kind": "other",
            "duration_minutes": "10",
        },
    )
    assert response.status_code == 400 and TAActivity.objects.count() == 1


@time_machine.travel(NOW)
def test_it_names_the_field_of_bad_input_and_saves_nothing(client, tenant):
    client.force_login(tenant.user(Role.STATE_TRAINER))
    response = client.post(
        _url("ta_activity_new"),
        {
            "agency": str(tenant.agency.pk),
            "date": "2026-04-21",
            "kind": "other",
            "duration_minutes": "2000",
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "duration_minutes" in form.errors
    response = client.post(
        _url("ta_activity_new"),
        {
            "agency": str(tenant.agency.pk),
            "date": "2026-04-21",
            "kind": "other",
            "duration_minutes": "30",
        },
    )
    assert response.status_code == 400
    assert "after today (April 20, 2026)" in response.context["form"].errors["date"][0]
    assert "Nothing was saved" in response.content.decode()
    assert not TAActivity.objects.exists()


@time_machine.travel(NOW)
def test_it_shows_the_compliance_month_by_month_and_whether_the_agreement_is_signed(
    client, tenant, activity
):
    agreement_of(tenant.agency, version=1)
    agreement_of(
        tenant.agency,
        version=2,
        start_date=D(2026, 2, 1),
        signed_at=datetime.datetime(2026, 2, 3, 17, tzinfo=datetime.UTC),
    )
    client.force_login(tenant.user(Role.IPS_SUPERVISOR))
    page = client.get(_url("ta_compliance", tenant.agency)).content.decode()
    assert "version 2" in page and "signed</strong> on February 3, 2026" in page
    assert "February 2026: unit meeting missing, MH team meeting missing" in page
    assert "March 2026: unit meeting yes, MH team meeting missing" in page
    assert "April 2026: unit meeting in progress" in page
    assert "May 2026: upcoming" in page
    assert "held on March 4" in page


def test_it_shows_an_empty_state_without_an_agreement(client, tenant):
    client.force_login(tenant.user(Role.STATE_TRAINER))
    page = client.get(_url("ta_compliance", tenant.agency)).content.decode()
    assert "has no training and TA agreement recorded yet" in page


@time_machine.travel(NOW)
def test_it_shows_this_months_compliance_on_the_agency_page(client, tenant, activity):
    agreement_of(tenant.agency)
    client.force_login(tenant.user(Role.STATE_TRAINER))
    page = client.get(tenant.agency.get_absolute_url()).content.decode()
    assert "This month (month 2 of the agreement): unit meeting in progress" in page
    assert "Last activity: IPS unit meeting on March 4, 2026 (1 h 30 min)" in page
    assert _url("ta_compliance", tenant.agency) in page


@time_machine.travel(NOW)
def test_it_filters_the_log(client, tenant, activity):
    trainer = tenant.user(Role.STATE_TRAINER)
    services.ta_activity_log(
        user=trainer,
        agency=tenant.agency,
        date=D(2026, 4, 1),
        kind=TAActivityKind.EMPLOYER_VISIT,
        duration_minutes=45,
        notes="Visited the bakery.",
    )
    client.force_login(trainer)

    def shown(**query):
        page = client.get(_url("ta_activities"), query).content.decode()
        return ("referral flow" in page, "bakery" in page)

    assert shown() == (True, True)
    assert shown(kind="employer_visit") == (False, True)
    assert shown(date_from="2026-03-10") == (False, True)
    assert shown(date_to="2026-03-10") == (True, False)
    assert shown(q="BAKERY") == (False, True)
    assert shown(agency=str(tenant.agency.pk)) == (True, True)
    client.force_login(tenant.user(Role.STATE_ADMIN))
    assert shown(agency=str(tenant.other_agency.pk)) == (False, False)


def _log_queries(client, tenant, count, url):
    trainer = tenant.user(Role.STATE_TRAINER)
    TAActivity.objects.bulk_create(
        TAActivity(
            collaborative=tenant.collaborative,
            agency=tenant.agency,
            trainer=trainer,
            date=D(2026, 1, 1) + datetime.timedelta(days=n),
            kind=TAActivityKind.OTHER,
            duration_minutes=30 + n,
            notes=f"Note {n}",
        )
        for n in range(count)
    )
    client.force_login(trainer)
    client.get(url)  # warm the session and the caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["ta_activities", "ta_activities_agency", "ta_compliance"])
@time_machine.travel(NOW)
def test_it_runs_the_same_number_of_queries_for_2_and_50_activities(client, tenant, name):
    agreement_of(tenant.agency)
    url = _url(name, tenant.agency) if name != "ta_activities" else _url(name)
    few = _log_queries(client, tenant, 2, url)
    TAActivity.objects.all().delete()
    many = _log_queries(client, tenant, 50, url)
    assert few == many
