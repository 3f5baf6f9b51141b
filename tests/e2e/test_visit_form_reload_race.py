"""The save sent as the visit form is left may land before the next page is read, or between
its load and its first autosave: either way the page reports no conflict, never says "Not
saved", keeps what was typed, and its saves are not refused."""

import re
import time

import pytest
from django.db import transaction
from playwright.sync_api import expect

from readiness.models import ReadinessVisit

pytestmark = pytest.mark.e2e

TRAINER = "mo.trainer@example.org"
AGENCY = "Arch City Wellness"
OTHER = "Other activities or remarks"
TYPED = "Job club on Tuesdays"

# Every text the save bar shows on the page, kept in the page.
_WATCH_BAR = """
document.addEventListener("DOMContentLoaded", () => {
  const bar = document.getElementById("save-status");
  window.barTexts = [bar.textContent.trim()];
  new MutationObserver(() => window.barTexts.push(bar.textContent.trim())).observe(
    bar, { childList: true, characterData: true, subtree: true });
});
"""


def _wait_for_version(visit, version: int) -> None:
    for _ in range(100):
        visit.refresh_from_db()
        if visit.version >= version:
            return
        time.sleep(0.1)
    raise AssertionError(f"the visit stayed at version {visit.version}")


@pytest.mark.parametrize("landing", ["before-the-load", "before-the-first-save"])
def test_the_save_sent_as_the_page_was_left_is_never_taken_for_another_tabs(
    page, demo_data, portal_url, log_in, landing
):
    visit = ReadinessVisit.objects.get(agency__name=AGENCY)
    edit_url = portal_url(f"/readiness/visits/{visit.pk}/edit/")
    page.set_viewport_size({"width": 768, "height": 1024})
    log_in(TRAINER)
    page.add_init_script(_WATCH_BAR)
    page.goto(edit_url)
    status = page.locator("#save-status")
    expect(status).to_contain_text("Saved at")
    start = visit.version
    answers = []
    page.on("response", lambda r: "/autosave/" in r.url and answers.append(r.status))

    if landing == "before-the-load":
        # The page is left and its save lands; the visit is opened again after that.
        page.get_by_label(OTHER).fill(TYPED)
        page.goto(portal_url("/readiness/"))
        _wait_for_version(visit, start + 1)
        page.goto(edit_url)
    else:
        # The row lock holds back the leaving save until the new page has loaded and sent its
        # first save (held in the browser); the leaving save lands, then the first one.
        held = []

        def hold_first(route):
            if not held:
                held.append(route)
            else:
                route.continue_()

        page.route("**/autosave/", hold_first)
        with transaction.atomic():
            ReadinessVisit.objects.select_for_update().get(pk=visit.pk)
            page.get_by_label(OTHER).fill(TYPED)
            page.reload()
            expect(page.get_by_label(OTHER)).to_have_value(TYPED)
            for _ in range(50):
                if held:
                    break
                page.wait_for_timeout(100)
            assert held, "the new page sent no save"
        _wait_for_version(visit, start + 1)
        held[0].continue_()

    expect(page.get_by_label(OTHER)).to_have_value(TYPED)
    expect(status).to_have_text(re.compile(r"^Saved at .+ by State Trainer \(MO\)$"))
    page.wait_for_timeout(500)
    expect(page.locator("#conflict-alert")).to_be_hidden()
    expect(page.locator("#restore-banner")).to_be_hidden()
    texts = page.evaluate("() => window.barTexts")
    assert texts and not [t for t in texts if "Not saved" in t], texts
    assert 409 not in answers, answers
    visit.refresh_from_db()
    assert visit.activity_notes == TYPED

    # Autosave goes on from there, and a reload shows the saved text with nothing to restore.
    page.get_by_label("Barriers").fill("No job developer yet")
    page.get_by_label(OTHER).click()
    expect(status).to_have_text(re.compile(r"^Saved at "))
    assert 409 not in answers, answers
    page.reload()
    expect(page.locator("#restore-banner")).to_be_hidden()
    expect(page.get_by_label(OTHER)).to_have_value(TYPED)


def test_it_still_reports_the_users_own_save_from_another_tab(page, demo_data, portal_url, log_in):
    visit = ReadinessVisit.objects.get(agency__name=AGENCY)
    edit_url = portal_url(f"/readiness/visits/{visit.pk}/edit/")
    log_in(TRAINER)
    page.goto(edit_url)
    status = page.locator("#save-status")
    expect(status).to_contain_text("Saved at")

    # A second tab of the same browser saves the visit; the first one has not seen that.
    second = page.context.new_page()
    second.goto(edit_url)
    second.get_by_label("Facilitators").fill("Typed in the second tab")
    second.get_by_label(OTHER).click()
    expect(second.locator("#save-status")).to_have_text(re.compile(r"^Saved at "))

    page.get_by_label("Barriers").fill("Typed in the first tab")
    page.get_by_label(OTHER).click()
    expect(page.locator("#conflict-alert")).to_be_visible()
    expect(page.locator("#conflict-alert")).to_contain_text("You saved this visit")
    expect(status).to_contain_text("Not saved: this visit was saved from another tab or device.")
    visit.refresh_from_db()
    assert visit.facilitators == "Typed in the second tab"
    assert visit.barriers != "Typed in the first tab"
