"""The copy of the visit form kept on the device belongs to one person and goes at logout: on
a shared tablet, nobody is offered someone else's unsaved changes."""

import pytest
from playwright.sync_api import expect

from readiness.models import ReadinessVisit

pytestmark = pytest.mark.e2e

TRAINER = "mo.trainer@example.org"
ADMIN = "mo.admin@example.org"
AGENCY = "Arch City Wellness"
MOTIVATION = "Notes on “Motivation to implement”"

_PORTAL_KEYS = "() => Object.keys(localStorage).filter((k) => k.startsWith('ips-'))"


def _leave_an_unsaved_copy(page, portal_url, log_in, visit, text: str) -> None:
    """The trainer types while every save fails: the change is only on the device."""
    log_in(TRAINER)
    page.route("**/autosave/", lambda route: route.abort())
    page.goto(portal_url(f"/readiness/visits/{visit.pk}/edit/"))
    page.get_by_label(MOTIVATION).fill(text)
    page.get_by_label("Barriers").click()
    expect(page.locator("#save-status")).to_contain_text("no connection")
    assert len(page.evaluate(_PORTAL_KEYS)) == 1


def _log_out(page):
    page.get_by_role("button", name="State").click()  # the account menu, named after the user
    page.get_by_role("button", name="Log out").click()


def test_it_offers_an_unsaved_copy_to_the_person_who_made_it_only(
    page, demo_data, portal_url, log_in
):
    visit = ReadinessVisit.objects.get(agency__name=AGENCY)
    _leave_an_unsaved_copy(page, portal_url, log_in, visit, "Only on this tablet")
    # The session ends without a logout (it expired, say): the copy stays on the device.
    page.context.clear_cookies()
    page.unroute("**/autosave/")

    log_in(ADMIN)
    page.goto(portal_url(f"/readiness/visits/{visit.pk}/edit/"))
    expect(page.get_by_label(MOTIVATION)).not_to_have_value("Only on this tablet")
    expect(page.locator("#restore-banner")).to_be_hidden()

    # The twin: its owner, back on the same tablet, gets it back (nobody saved the visit
    # since, so it goes back into the form and is saved).
    page.context.clear_cookies()
    log_in(TRAINER)
    page.goto(portal_url(f"/readiness/visits/{visit.pk}/edit/"))
    expect(page.get_by_label(MOTIVATION)).to_have_value("Only on this tablet")
    expect(page.locator("#save-status")).to_contain_text("Saved at")
    visit.refresh_from_db()
    assert visit.ratings.get(area_key="motivation").notes == "Only on this tablet"


@pytest.mark.parametrize("clear_site_data", [True, False], ids=["header", "script"])
def test_it_removes_the_unsaved_copy_at_logout(
    page, demo_data, portal_url, log_in, clear_site_data
):
    visit = ReadinessVisit.objects.get(agency__name=AGENCY)
    _leave_an_unsaved_copy(page, portal_url, log_in, visit, "Unsaved on the shared tablet")
    if not clear_site_data:
        # As in a browser that ignores Clear-Site-Data, the logout's answer never reaches the
        # page (the page at its end is served instead): the page's own script clears the copy.
        def without_header(route):
            route.fulfill(response=route.fetch())

        page.route("**/accounts/logout/", without_header)

    # The changes cannot be saved: the trainer is asked before they are given up.
    dialogs = []

    def accept(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    with page.expect_response(
        lambda r: r.url.endswith("/accounts/logout/") and r.request.method == "POST"
    ) as logout:
        _log_out(page)
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    assert dialogs and "could not be saved" in dialogs[0]
    sent = logout.value.all_headers().get("clear-site-data")
    assert (sent == '"storage"') is clear_site_data
    assert page.evaluate(_PORTAL_KEYS) == []
    page.unroute("**/autosave/")
    page.unroute("**/accounts/logout/")

    # Neither another person nor the same one finds the copy after the logout.
    for person in (ADMIN, TRAINER):
        log_in(person)
        page.goto(portal_url(f"/readiness/visits/{visit.pk}/edit/"))
        expect(page.locator("#save-status")).to_contain_text("Saved at")
        expect(page.locator("#restore-banner")).to_be_hidden()
        expect(page.get_by_label(MOTIVATION)).not_to_have_value("Unsaved on the shared tablet")
        _log_out(page)
        page.wait_for_url(portal_url("/accounts/login/"))
    visit.refresh_from_db()
    assert "Unsaved on the shared tablet" not in visit.ratings.get(area_key="motivation").notes


def test_it_saves_changes_before_logging_out(page, demo_data, portal_url, log_in):
    visit = ReadinessVisit.objects.get(agency__name=AGENCY)
    log_in(TRAINER)
    page.goto(portal_url(f"/readiness/visits/{visit.pk}/edit/"))
    page.get_by_label(MOTIVATION).fill("Typed just before logging out")
    _log_out(page)
    page.wait_for_url(portal_url("/accounts/login/"))
    assert page.evaluate(_PORTAL_KEYS) == []
    visit.refresh_from_db()
    assert visit.ratings.get(area_key="motivation").notes == "Typed just before logging out"
