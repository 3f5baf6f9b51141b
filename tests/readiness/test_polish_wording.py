"""How the visit page, its report's page, the Messages page and a steering meeting's page
put dates, times and their place in the portal into words."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils.dateformat import format as date_format

from agencies import services as agency_services
from agencies.models import Role
from ipsportal.notifications.models import Delivery
from tests.readiness.helpers import make_visit, visit_report

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    html = response.content.decode()
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_it_says_final_and_when_it_was_finalized_as_two_phrases(client, tenant):
    visit = make_visit(tenant, final=True)
    client.force_login(tenant.user(Role.STATE_TRAINER))
    page = _text(client.get(reverse("readiness:visit_detail", args=[visit.pk])))
    when = visit.collaborative.local_time_text(visit.finalized_at)
    assert f"Final Finalized at {when}" in page
    assert "Final finalized" not in page


def test_it_titles_the_report_with_a_readable_date_and_leads_back_to_the_visit(client, tenant):
    visit = make_visit(tenant, final=True)
    report = visit_report(visit)
    readable = date_format(visit.visit_date, "M j, Y")
    assert report.title == f"Readiness visit report: {tenant.agency.name}, {readable}"
    client.force_login(tenant.user(Role.STATE_TRAINER))
    response = client.get(reverse("document_status", args=[report.pk]))
    page = _text(response)
    assert readable in page and visit.visit_date.isoformat() not in page
    assert "the finalized visit's report, kept with the visit" in page
    assert "the record's own document" not in page
    html = response.content.decode()
    crumbs = html[
        html.index('aria-label="Breadcrumb"') : html.index(
            "</nav>", html.index('aria-label="Breadcrumb"')
        )
    ]
    assert reverse("readiness:visit_detail", args=[visit.pk]) in crumbs
    assert tenant.agency.get_absolute_url() in crumbs


def test_it_lists_the_report_email_with_a_readable_date_and_the_visit_pages_time_format(
    client, tenant
):
    visit = make_visit(tenant, final=True)
    delivery = Delivery.objects.filter(subject_id=visit.pk).first()
    readable = date_format(visit.visit_date, "M j, Y")
    assert delivery.subject_label == f"Readiness visit report: {tenant.agency.name}, {readable}"
    client.force_login(tenant.user(Role.STATE_ADMIN))
    page = _text(client.get(reverse("notifications:outbox")))
    assert visit.visit_date.isoformat() not in page
    local = visit.collaborative.local(delivery.created_at)
    assert date_format(local, "g:i A") in page
    assert "a.m." not in page and "p.m." not in page


def test_it_starts_a_steering_meetings_breadcrumb_at_agencies(client, tenant):
    admin = tenant.user(Role.STATE_ADMIN)
    committee = agency_services.steering_committee_create(user=admin, agency=tenant.agency)
    meeting = agency_services.steering_meeting_save(
        user=admin, committee=committee, date=datetime.date(2026, 3, 2), attendees=[], minutes=""
    )
    client.force_login(admin)
    html = client.get(reverse("agencies:steering_meeting", args=[meeting.pk])).content.decode()
    start = html.index('aria-label="Breadcrumb"')
    crumbs = html[start : html.index("</nav>", start)]
    assert reverse("agencies:list") in crumbs
    assert crumbs.index(reverse("agencies:list")) < crumbs.index(tenant.agency.get_absolute_url())
