"""The Messages page in a real browser: an invitation whose email the mail server refused is
shown failed with the reason, and a state admin sends it again once the server is back."""

import re
import socket

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from ipsportal.notifications import services
from ipsportal.notifications.models import Delivery
from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.e2e

ADMIN = "mo.admin@example.org"
INVITEE = "sam.refused@example.org"


@pytest.fixture
def smtp_down(settings):
    """Django's SMTP backend pointed at a local port nobody listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = 2
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    return settings


def test_it_shows_a_refused_invitation_email_as_failed_and_sends_it_again(
    page, demo_data, portal_url, log_in, smtp_down
):
    log_in(ADMIN)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    page.get_by_label("Email address").fill(INVITEE)
    page.get_by_label("Full name").fill("Sam Refused")
    page.get_by_label("Role").select_option(label="State admin")
    page.get_by_role("button", name="Send invitation").click()
    # Saved although the mail server refused the first attempt.
    expect(page.get_by_role("alert").first).to_contain_text(f"{INVITEE} is invited")
    invitation_line = page.get_by_role("listitem").filter(has_text=INVITEE)
    expect(invitation_line).to_contain_text("Invitation email waiting to be sent")

    # The retries, as the beat runs them over the next half hour: all refused.
    delivery = Delivery.objects.get(recipient_email=INVITEE)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        while delivery.status == Delivery.Status.PENDING:
            traveller.move_to(delivery.next_attempt_at)
            services.deliveries_dispatch()
            delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == services.MAX_ATTEMPTS

    page.reload()
    expect(invitation_line).to_contain_text("The invitation email could not be sent")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Messages").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Messages sent by the portal")
    page.get_by_label("Status", exact=True).select_option(label="Failed")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"status=failed"))
    row = page.get_by_role("row").filter(has_text=INVITEE)
    expect(row).to_contain_text("Failed")
    expect(row).to_contain_text("Connection refused")
    expect(row).to_contain_text(f"{services.MAX_ATTEMPTS} attempts")
    assert_accessible(page, "the Messages page")

    # The mail server is back; the admin sends it again.
    smtp_down.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    row.get_by_role("button", name=f"Send again to {INVITEE}").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        f"The message to {INVITEE} will be sent again."
    )
    page.get_by_label("Recipient or subject").fill(INVITEE)
    page.get_by_label("Status", exact=True).select_option(label="Any")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("row").filter(has_text=INVITEE)).to_contain_text("Sent")
    assert [m.to for m in mail.outbox] == [[INVITEE]]

    # On a phone, the table scrolls within the page and stays accessible.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.get_by_role("row").filter(has_text=INVITEE)).to_contain_text("Sent")
    assert_accessible(page, "the Messages page on a phone")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
