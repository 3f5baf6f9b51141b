"""The foundation in a real browser: log in, find an agency, log out; invite a person."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, outbox_link

pytestmark = pytest.mark.e2e

ADMIN = "mo.admin@example.org"


def test_it_walks_a_state_admin_through_login_search_agency_and_logout(
    page, demo_data, portal_url, log_in
):
    page.goto(portal_url("/"))
    # Anonymous visitors land on the login form.
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in to IPS Portal")
    assert_accessible(page, "the login page")

    # A wrong password is explained on the page.
    page.get_by_label("Email").fill(ADMIN)
    page.get_by_label("Password", exact=False).first.fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("not correct")

    log_in(ADMIN)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome, State Admin (MO)")
    table = page.locator("#agency-results")
    expect(table).to_contain_text("Riverbend Behavioral Health")
    expect(table).to_contain_text("Ozark Foothills Health")
    assert_accessible(page, "the home page")

    # The agency list, searched as one types (htmx swaps the table in place).
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Agencies").click()
    expect(page).to_have_url(portal_url("/agencies/"))
    page.get_by_label("Name or city").fill("St. Louis")
    expect(table).to_contain_text("2 agencies match your search")
    expect(table).to_contain_text("Gateway Recovery Center")
    expect(table).not_to_contain_text("Riverbend Behavioral Health")
    page.get_by_label("Phase").select_option(label="Early implementation")
    expect(table).to_contain_text("1 agency match your search")
    assert_accessible(page, "the agency list")

    page.get_by_role("link", name="Gateway Recovery Center").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gateway Recovery Center")
    expect(page.get_by_text("Early implementation · St. Louis region")).to_be_visible()
    assert_accessible(page, "the agency page")

    page.get_by_role("link", name="Edit profile").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit Gateway Recovery Center")
    assert_accessible(page, "the agency form")
    # An error state is accessible too.
    page.locator("#id_name").fill("")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Please correct the fields marked below.")).to_be_visible()
    assert_accessible(page, "the agency form with errors")

    # Log out from the account menu with the keyboard only.
    menu = page.get_by_role("button", name="State Admin (MO)")
    menu.focus()
    page.keyboard.press("Enter")
    log_out = page.get_by_role("button", name="Log out")
    expect(log_out).to_be_visible()
    for _ in range(6):
        page.keyboard.press("ArrowDown")
        if log_out.evaluate("el => el === document.activeElement"):
            break
    expect(log_out).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))

    page.goto(portal_url("/agencies/"))
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/agencies/"))


def test_it_lets_an_invited_person_set_a_password_and_arrive_home(
    page, browser, demo_data, portal_url, log_in
):
    log_in(ADMIN)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("People of Show-Me IPS")
    assert_accessible(page, "the people page")

    page.get_by_label("Email address").fill("robin.okafor@example.org")
    page.get_by_label("Full name").fill("Robin Okafor")
    page.get_by_label("Role").select_option(label="Employment specialist")
    page.get_by_label("Riverbend Behavioral Health").check()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        "robin.okafor@example.org is invited. The invitation email is on its way"
    )
    expect(page.get_by_text("robin.okafor@example.org · Employment specialist")).to_be_visible()
    # The worker sent it: the pending invitation says so.
    page.reload()
    expect(page.get_by_text("Invitation email sent")).to_be_visible()
    assert len(mail.outbox) == 1

    # The invitee opens the link in a browser of their own.
    path = outbox_link(r"/invitations/[^/\s]+/")
    invitee = browser.new_context().new_page()
    try:
        invitee.goto(portal_url(path))
        expect(invitee.get_by_role("heading", level=1)).to_have_text("Welcome to IPS Portal")
        expect(invitee.get_by_text("as Employment specialist")).to_be_visible()
        assert_accessible(invitee, "the invitation page")
        expect(invitee.get_by_label("Your full name")).to_have_value("Robin Okafor")
        invitee.get_by_label("Choose a password").fill("short")
        invitee.get_by_label("Type the password again").fill("short")
        invitee.get_by_role("button", name="Set password and continue").click()
        expect(invitee.get_by_text("This password is too short")).to_be_visible()
        assert_accessible(invitee, "the invitation page with errors")

        invitee.get_by_label("Choose a password").fill("meadow-lantern-river-42")
        invitee.get_by_label("Type the password again").fill("meadow-lantern-river-42")
        invitee.get_by_role("button", name="Set password and continue").click()
        invitee.wait_for_url(portal_url("/"))
        expect(invitee.get_by_role("heading", level=1)).to_have_text("Welcome, Robin Okafor")
        results = invitee.locator("#agency-results")
        expect(results).to_contain_text("Riverbend Behavioral Health")
        expect(results).to_contain_text("1 agency.")

        # The link is spent.
        invitee.goto(portal_url(path))
        expect(invitee.get_by_role("heading", level=1)).to_have_text(
            "This invitation link is not valid"
        )
    finally:
        invitee.context.close()


def test_it_catches_what_axe_reports(page):
    # The accessibility helper must fail on a page with a serious problem, or it proves nothing.
    page.set_content(
        '<!doctype html><html lang="en"><head><title>t</title></head><body><main>'
        '<h1>Broken</h1><img src="data:,"><button></button></main></body></html>'
    )
    with pytest.raises(AssertionError, match=r"image-alt \(critical\)"):
        assert_accessible(page, "a broken page")
