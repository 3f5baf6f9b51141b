"""In a real browser, under the Content-Security-Policy the portal serves: the watcher that
fails a test on a violation, the API docs, the password reset and the operators' way into
the admin site."""

import re
import time
import uuid

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, outbox_link
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.e2e

ADMIN = "mo.admin@example.org"


def _wait_for(found: list, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not found and time.monotonic() < deadline:
        time.sleep(0.05)


def test_it_fails_a_browser_test_whose_page_breaks_the_policy(
    page, portal_url, csp_violations, transactional_db
):
    page.goto(portal_url("/accounts/login/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in to IPS Portal")
    assert csp_violations == [], "the login page itself keeps to the policy"

    # An inline script, as a template might add by mistake: the browser refuses it, and the
    # watcher hears of it (from the event and from the console).
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "document.body.dataset.ran = 'yes'";
            document.body.append(script);
        }"""
    )
    _wait_for(csp_violations)
    assert page.evaluate("document.body.dataset.ran") is None
    assert any("script-src" in v for v in csp_violations), csp_violations
    csp_violations.clear()  # provoked on purpose: do not fail this test for it


def test_it_serves_the_api_docs_accessibly_with_a_way_back(page, demo_data, portal_url, log_in):
    log_in(ADMIN)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="API").click()
    expect(page).to_have_url(portal_url("/api/docs/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("API documentation")
    # Swagger UI started (from its script URL, not inline) and listed the operations.
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert_accessible(page, "the API docs")

    # One operation opened and tried, as someone learning the API would.
    page.locator(".swagger-ui .opblock-summary-control").first.click()
    expect(page.get_by_role("button", name="Try it out").first).to_be_visible()
    assert_accessible(page, "the API docs with an operation open")
    page.get_by_role("button", name="Try it out").first.click()
    page.get_by_role("textbox", name="q (query)").fill("Riverbend")
    page.get_by_role("button", name="Execute").first.click()
    expect(page.locator(".live-responses-table tbody .response-col_status").first).to_have_text(
        "200"
    )
    assert_accessible(page, "the API docs after trying an operation")
    page.get_by_role("button", name="Authorize").first.click()
    dialog = page.locator(".swagger-ui .modal-ux")
    expect(dialog).to_be_visible()
    assert_accessible(page, "the API docs' authorization dialog")
    dialog.get_by_role("button", name="Close this dialog").click()
    expect(dialog).to_be_hidden()

    page.get_by_role("link", name="Back to the portal").click()
    expect(page).to_have_url(portal_url("/"))


def test_it_resets_a_forgotten_password_in_the_browser(page, demo_data, portal_url, log_in):
    page.goto(portal_url("/accounts/login/"))
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Forgot your password?")
    assert_accessible(page, "the password reset page")
    page.get_by_label("Email").fill(ADMIN)
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert_accessible(page, "the reset sent page")
    assert mail.outbox[-1].subject == "Choose a new password for IPS Portal"

    page.goto(portal_url(outbox_link(r"/accounts/password/reset/key/\S+/")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    assert_accessible(page, "the new password page")
    page.get_by_label("New password", exact=False).first.fill("short")
    page.get_by_label("New password (again)").fill("short")
    page.get_by_role("button", name="Save new password").click()
    expect(page.get_by_text("too short", exact=False)).to_be_visible()
    assert_accessible(page, "the new password page with errors")

    new_password = "lantern-meadow-river-58"
    page.get_by_label("New password", exact=False).first.fill(new_password)
    page.get_by_label("New password (again)").fill(new_password)
    page.get_by_role("button", name="Save new password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password is changed")
    assert_accessible(page, "the password changed page")
    page.get_by_role("link", name="Log in", exact=True).click()
    log_in(ADMIN, new_password)


def test_it_lets_an_operator_into_the_admin_only_through_the_portal_login(
    page, portal_url, log_in, transactional_db, settings
):
    operator = make_user(
        f"ops-{uuid.uuid4().hex[:8]}@example.org", is_staff=True, is_superuser=True
    )
    admin_url = "/" + settings.ADMIN_URL
    page.goto(portal_url(admin_url))
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in to IPS Portal")
    page.get_by_label("Email").fill(operator.email)
    page.get_by_label("Password", exact=False).first.fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(portal_url(admin_url))
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    # A list and a change form of the admin run under the policy too.
    page.get_by_role("link", name="Users").first.click()
    page.get_by_role("link", name=operator.email).click()
    expect(page.locator("#id_email")).to_have_value(operator.email)
