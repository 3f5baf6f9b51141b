from django.urls import reverse

from agencies.models import Role
from ipsportal.middleware import SESSION_KEY
from tests.factories import grant


def test_it_switches_to_the_collaborative_of_the_agency_opened(client, tenant, other_tenant):
    trainer = tenant.user(Role.STATE_TRAINER)
    grant(trainer, other_tenant.collaborative, Role.STATE_TRAINER, [other_tenant.agency])
    client.force_login(trainer)
    session = client.session
    session[SESSION_KEY] = str(tenant.collaborative.pk)
    session.save()

    response = client.get(reverse("agencies:detail", args=[other_tenant.agency.pk]))

    assert response.status_code == 200
    assert response.context["active_collaborative"] == other_tenant.collaborative
    assert client.session[SESSION_KEY] == str(other_tenant.collaborative.pk)
    home = client.get(reverse("home"))
    assert other_tenant.agency.name in home.content.decode()
    assert tenant.agency.name not in home.content.decode()
