"""A text field near its length limit says how many characters are left, under the field and,
once typing pauses, to screen readers."""

import pytest
from playwright.sync_api import expect

from readiness.models import ReadinessVisit
from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.e2e

TRAINER = "mo.trainer@example.org"
MOTIVATION = "Notes on “Motivation to implement”"


def test_it_counts_the_characters_left_near_the_limit_of_a_notes_field(
    page, demo_data, portal_url, log_in
):
    visit = ReadinessVisit.objects.get(agency__name="Arch City Wellness")
    log_in(TRAINER)
    page.goto(portal_url(f"/readiness/visits/{visit.pk}/edit/"))
    notes = page.get_by_label(MOTIVATION)
    assert notes.get_attribute("maxlength") == "5000"
    announcer = page.locator("#chars-left-announcer")
    expect(announcer).to_have_attribute("aria-live", "polite")

    # Far from the limit: no count.
    notes.fill("x" * 4499)
    expect(page.get_by_text("characters left")).to_have_count(0)

    # Within a tenth of it: the count under the field, and the field described by it.
    notes.fill("x" * 4500)
    counter = page.get_by_text("500 characters left", exact=True)
    expect(counter).to_be_visible()
    counter_id = counter.get_attribute("id")
    assert counter_id in notes.get_attribute("aria-describedby").split()
    expect(announcer).to_have_text("500 characters left")

    # Each key updates the count at once; the live region speaks only after a pause.
    notes.press("End")
    notes.press("y")
    expect(page.locator(f"#{counter_id}")).to_have_text("499 characters left")
    assert announcer.text_content() == "500 characters left"
    notes.press("y")
    expect(page.locator(f"#{counter_id}")).to_have_text("498 characters left")
    expect(announcer).to_have_text("498 characters left")

    notes.fill("x" * 4999)
    expect(page.locator(f"#{counter_id}")).to_have_text("1 character left")
    notes.fill("x" * 5000)
    expect(page.locator(f"#{counter_id}")).to_have_text("0 characters left")
    assert_accessible(page, "the visit form with a character count")

    # Back under the limit's last tenth: the count goes away.
    notes.fill("A short note.")
    expect(page.locator(f"#{counter_id}")).to_be_hidden()
