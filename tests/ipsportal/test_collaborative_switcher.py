"""The collaborative switcher, for people who work for more than one collaborative."""

import pytest
from django.urls import reverse

from agencies.models import Role
from ipsportal.middleware import SESSION_KEY
from tests.factories import grant

SWITCHER = 'id="collaborative-switcher"'


@pytest.fixture
def trainer(tenant, other_tenant):
    """A trainer assigned to one agency in each collaborative."""
    user = tenant.user(Role.STATE_TRAINER)
    grant(user, other_tenant.collaborative, Role.STATE_TRAINER, [other_tenant.agency])
    return user


def _switch(client, collaborative_id, next_url=None):
    data = {"collaborative": str(collaborative_id)}
    if next_url is not None:
        data["next"] = next_url
    return client.post(reverse("switch_collaborative"), data)


def test_it_shows_the_switcher_only_to_people_in_several_collaboratives(
    client, tenant, other_tenant, trainer
):
    client.force_login(trainer)
    body = client.get(reverse("home")).content.decode()
    assert SWITCHER in body
    assert tenant.collaborative.name in body
    assert other_tenant.collaborative.name in body

    client.force_login(tenant.user(Role.FIDELITY_REVIEWER))
    body = client.get(reverse("home")).content.decode()
    assert SWITCHER not in body
    assert tenant.collaborative.name in body  # shown as plain text instead
    assert other_tenant.collaborative.name not in body


def test_it_changes_the_agency_list_when_switching(client, tenant, other_tenant, trainer):
    client.force_login(trainer)
    first = tenant if tenant.collaborative.name < other_tenant.collaborative.name else other_tenant
    second = other_tenant if first is tenant else tenant

    before = client.get(reverse("agencies:list")).content.decode()
    assert first.agency.name in before  # the first by name is active until one switches
    assert second.agency.name not in before

    response = _switch(client, second.collaborative.pk, reverse("agencies:list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("agencies:list")
    assert client.session[SESSION_KEY] == str(second.collaborative.pk)

    after = client.get(reverse("agencies:list"))
    body = after.content.decode()
    assert second.agency.name in body
    assert first.agency.name not in body
    assert f"You are now working in {second.collaborative.name}." in body
    assert after.context["active_collaborative"] == second.collaborative


def test_it_answers_404_for_a_collaborative_the_user_is_not_in(client, tenant, other_tenant):
    client.force_login(tenant.user(Role.STATE_ADMIN))
    response = _switch(client, other_tenant.collaborative.pk)
    assert response.status_code == 404
    assert SESSION_KEY not in client.session
    assert _switch(client, "not-a-uuid").status_code == 404


def test_it_ignores_a_next_url_on_another_site(client, tenant, other_tenant, trainer):
    client.force_login(trainer)
    for target in ("https://evil.example.org/", "//evil.example.org/x", "javascript:alert(1)"):
        response = _switch(client, other_tenant.collaborative.pk, target)
        assert response.status_code == 302
        assert response["Location"] == "/"
    # A page of the portal is kept.
    kept = _switch(client, tenant.collaborative.pk, "/agencies/?q=x")
    assert kept["Location"] == "/agencies/?q=x"


def test_it_switches_only_with_post(client, tenant, other_tenant, trainer):
    client.force_login(trainer)
    url = reverse("switch_collaborative") + f"?collaborative={other_tenant.collaborative.pk}"
    assert client.get(url).status_code == 405
    assert SESSION_KEY not in client.session


def test_it_falls_back_when_a_chosen_collaborative_is_left(client, tenant, other_tenant, trainer):
    client.force_login(trainer)
    _switch(client, other_tenant.collaborative.pk)
    trainer.memberships.filter(collaborative=other_tenant.collaborative).update(is_active=False)
    response = client.get(reverse("agencies:list"))
    assert response.context["active_collaborative"] == tenant.collaborative
    assert other_tenant.agency.name not in response.content.decode()
