"""The TA activity log in a real browser: a trainer opens an agency's compliance page, sees
a month's MH team meeting missing, logs the meeting and sees the month turn to held, on a
desktop, a tablet and a phone."""

import datetime

import pytest
from playwright.sync_api import expect

from agencies.models import Agency, TAActivity, TAAgreement
from agencies.steering import add_months
from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.e2e

TRAINER = "mo.trainer@example.org"
#: In early implementation: the demo's log has no MH team meeting in its second month.
AGENCY = "Gateway Recovery Center"


def _no_sideways_scroll(page, label: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{label} scrolls sideways ({width}px in {viewport}px)"


def _cell(page, month: int, commitment: str):
    return page.locator(f'tr[data-month="{month}"] td[data-commitment="{commitment}"]')


@pytest.mark.parametrize("width", [1280, 768, 390])
def test_it_lets_a_trainer_log_a_meeting_and_see_the_month_turn_from_missing_to_held(
    page, demo_data, portal_url, log_in, width
):
    page.set_viewport_size({"width": width, "height": 900})
    agency = Agency.objects.get(name=AGENCY)
    agreement = TAAgreement.objects.get(agency=agency, version=1)
    second_month = add_months(agreement.start_date.replace(day=1), 1)
    day = second_month + datetime.timedelta(days=19)
    logged = TAActivity.objects.filter(agency=agency).count()
    log_in(TRAINER)

    # From the agency page's TA section to the compliance page.
    page.goto(portal_url(agency.get_absolute_url()))
    section = page.get_by_role("region", name="Training and technical assistance")
    section.get_by_role("link", name="Compliance").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("TA compliance")
    expect(_cell(page, 1, "team_meeting")).to_contain_text("held")
    expect(_cell(page, 2, "team_meeting")).to_contain_text("missing")
    expect(_cell(page, 2, "unit_meeting")).to_contain_text("held")
    expect(page.locator("#ta-summaries")).to_contain_text("MH team meeting missing")
    assert_accessible(page, f"the compliance page at {width}px")
    _no_sideways_scroll(page, f"the compliance page at {width}px")

    page.get_by_role("link", name="Log an activity").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a TA activity")
    expect(page.get_by_label("Agency")).to_have_value(str(agency.pk))
    # A date after today is refused on its field, and nothing is logged.
    tomorrow = agency.collaborative.today() + datetime.timedelta(days=1)
    page.get_by_label("Activity date").fill(tomorrow.isoformat())
    page.get_by_label("Kind of activity").select_option(label="MH treatment team meeting")
    page.get_by_label("Duration (minutes)").fill("45")
    page.get_by_label("Notes").fill("Joined the ACT team's meeting: three new referrals.")
    page.get_by_role("button", name="Log the activity").click()
    expect(page.locator("#id_date")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_date").locator("xpath=..")).to_contain_text("Activity date")
    assert TAActivity.objects.filter(agency=agency).count() == logged
    expect(page.get_by_label("Notes")).to_have_value(
        "Joined the ACT team's meeting: three new referrals."
    )
    assert_accessible(page, f"the activity form with an error at {width}px")
    _no_sideways_scroll(page, f"the activity form at {width}px")

    page.get_by_label("Activity date").fill(day.isoformat())
    page.get_by_role("button", name="Log the activity").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("TA compliance")
    expect(page.get_by_role("alert").first).to_contain_text("Logged: MH treatment team meeting")
    expect(_cell(page, 2, "team_meeting")).to_contain_text("held")
    expect(_cell(page, 2, "team_meeting")).not_to_contain_text("missing")
    expect(page.locator("#ta-summaries")).not_to_contain_text("MH team meeting missing")
    assert TAActivity.objects.filter(agency=agency).count() == logged + 1
    assert_accessible(page, f"the compliance page after logging at {width}px")
    _no_sideways_scroll(page, f"the compliance page after logging at {width}px")

    # The trainer's own log across agencies shows it, newest date first among that month's.
    page.goto(portal_url("/agencies/ta-activities/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("TA activity log")
    page.get_by_label("Kind").select_option(label="MH treatment team meeting")
    page.get_by_label("From").fill(day.isoformat())
    page.get_by_label("To").fill(day.isoformat())
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("main")).to_contain_text(AGENCY)
    expect(page.locator("main")).to_contain_text("three new referrals")
    assert_accessible(page, f"the trainer's log at {width}px")
    _no_sideways_scroll(page, f"the trainer's log at {width}px")
