"""Reloading the visit form right after typing: the save sent as the page was left is the
user's own, so the page shows what was typed, reports no conflict, and keeps autosaving. A
colleague's save in between is still reported."""

import re

import pytest
from django.db import transaction
from playwright.sync_api import expect

from readiness.models import ReadinessVisit

pytestmark = pytest.mark.e2e

TRAINER = "mo.trainer@example.org"
ADMIN = "mo.admin@example.org"
AGENCY = "Arch City Wellness"
MOTIVATION = "Notes on “Motivation to implement”"
MISSION = "Notes on “Agency mission supports recovery and employment”"


def _notes(visit, area_key: str) -> str:
    row = visit.ratings.filter(area_key=area_key).first()
    return row.notes if row else ""


@pytest.mark.parametrize("pause_ms", [0, 1200], ids=["at-once", "after-the-device-copy"])
def test_it_shows_what_was_typed_after_a_reload_and_reports_no_conflict(
    page, demo_data, portal_url, log_in, pause_ms
):
    visit = ReadinessVisit.objects.get(agency__name=AGENCY)
    edit_url = portal_url(f"/readiness/visits/{visit.pk}/edit/")
    log_in(TRAINER)
    page.goto(edit_url)
    status = page.locator("#save-status")
    expect(status).to_contain_text("Saved at")
    notes = page.get_by_label(MOTIVATION)

    with transaction.atomic():
        # The row lock holds back the save sent as the page is left: the page is read again
        # before that save arrives, as happens when it loses the race.
        ReadinessVisit.objects.select_for_update().get(pk=visit.pk)
        notes.fill("Typed just before the reload")
        page.wait_for_timeout(pause_ms)
        page.reload()

    expect(notes).to_have_value("Typed just before the reload")
    expect(status).to_have_text(re.compile(r"^Saved at .+ by State Trainer \(MO\)$"))
    expect(page.locator("#conflict-alert")).to_be_hidden()
    expect(page.locator("#restore-banner")).to_be_hidden()
    visit.refresh_from_db()
    assert _notes(visit, "motivation") == "Typed just before the reload"

    # Autosave goes on: the next change is saved when the trainer moves to another section.
    page.get_by_label(MISSION).fill("Mission statement names employment.")
    page.get_by_label("Barriers").click()
    expect(status).to_have_text(re.compile(r"^Saved at "))
    visit.refresh_from_db()
    assert _notes(visit, "mission") == "Mission statement names employment."
    assert _notes(visit, "motivation") == "Typed just before the reload"
    page.reload()
    expect(page.locator("#restore-banner")).to_be_hidden()
    expect(page.get_by_label(MISSION)).to_have_value("Mission statement names employment.")


def test_it_still_reports_a_colleagues_save_made_while_changes_waited_on_the_device(
    page, browser, demo_data, portal_url, log_in
):
    visit = ReadinessVisit.objects.get(agency__name=AGENCY)
    edit_url = portal_url(f"/readiness/visits/{visit.pk}/edit/")
    log_in(TRAINER)
    page.goto(edit_url)
    expect(page.locator("#save-status")).to_contain_text("Saved at")

    # The connection drops: the change stays on the tablet, and the trainer closes the tab.
    context = page.context
    context.set_offline(True)
    page.get_by_label(MOTIVATION).fill("Typed without a connection")
    page.get_by_label("Barriers").click()
    expect(page.locator("#save-status")).to_contain_text("no connection")
    page.close()
    context.set_offline(False)

    # Meanwhile the state admin saves the same draft.
    other = browser.new_context()
    admin_page = other.new_page()
    admin_page.goto(portal_url("/accounts/login/"))
    admin_page.get_by_label("Email").fill(ADMIN)
    admin_page.get_by_label("Password", exact=False).first.fill("ips-demo-2026")
    admin_page.get_by_role("button", name="Log in").click()
    admin_page.wait_for_url(portal_url("/"))
    admin_page.goto(edit_url)
    admin_page.get_by_label("Facilitators").fill("Admin's facilitator")
    admin_page.get_by_role("button", name="Save draft").click()
    expect(admin_page.get_by_role("alert").filter(has_text="The draft was saved")).to_be_visible()
    other.close()

    # Back on the tablet: the copy is offered, with a word that the visit was saved since.
    page = context.new_page()
    page.goto(edit_url)
    banner = page.locator("#restore-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("The visit was saved again since then")
    expect(banner).to_contain_text("State Admin (MO)")
    banner.get_by_role("button", name="Restore my unsaved changes").click()

    # Restored, and refused as the colleague's conflict: nothing of theirs is overwritten.
    expect(page.get_by_label(MOTIVATION)).to_have_value("Typed without a connection")
    conflict = page.locator("#conflict-alert")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("State Admin (MO) saved this visit")
    expect(page.locator("#save-status")).to_contain_text("Not saved: someone else saved this visit")
    visit.refresh_from_db()
    assert visit.facilitators == "Admin's facilitator"
    assert _notes(visit, "motivation") != "Typed without a connection"
