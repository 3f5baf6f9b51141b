"""The steering committee in a real browser: a supervisor records a meeting with an action
item and sees the next meeting's due date move, on a desktop and on a phone."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from agencies.models import Agency, SteeringActionItem
from agencies.steering import add_months
from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.e2e

SUPERVISOR = "mo.supervisor@example.org"
AGENCY = "Riverbend Behavioral Health"


def _long(day: datetime.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def _no_sideways_scroll(page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the page scrolls sideways at {width}px ({scroll}px)"


@pytest.mark.parametrize("width", [1280, 390])
def test_it_lets_a_supervisor_record_a_meeting_and_see_the_next_due_date_move(
    page, demo_data, portal_url, log_in, width
):
    page.set_viewport_size({"width": width, "height": 900})
    agency = Agency.objects.get(name=AGENCY)
    today = agency.collaborative.today()
    # The demo's Riverbend reached good fidelity (its last final review totals 108): its
    # committee meets at least twice a year.
    before = add_months(today - datetime.timedelta(days=30), 6)
    after = add_months(today, 6)
    log_in(SUPERVISOR)

    page.goto(portal_url(agency.get_absolute_url()))
    panel = page.get_by_role("region", name="Steering committee")
    expect(panel).to_contain_text(f"Next meeting due by {_long(before)}")
    expect(panel).to_contain_text("Every required seat is filled")
    assert_accessible(page, "the agency page")
    _no_sideways_scroll(page, width)

    panel.get_by_role("link", name="Open the steering committee").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Steering committee")
    expect(page.get_by_role("region", name="Members")).to_contain_text("Maya Lindqvist")
    assert_accessible(page, "the steering committee page")
    _no_sideways_scroll(page, width)

    page.get_by_role("link", name="Record a meeting").click()
    expect(page.get_by_label("Meeting date")).to_have_value(today.isoformat())
    page.get_by_label("Omar Reyes (VR counselor or supervisor)").check()
    page.get_by_label("Ruth Alvarez (Agency senior leader)").check()
    page.get_by_label("Guests").fill("Pat Kim")
    page.get_by_label("Agenda").fill("Fidelity review results")
    page.get_by_label("Minutes").fill("Went through the review's suggestions.")
    page.get_by_label("Decisions").fill("Ask VR for a second counselor")
    assert_accessible(page, "the meeting form")
    _no_sideways_scroll(page, width)
    page.get_by_role("button", name="Save meeting").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Meeting of {_long(today)}")
    attendees = page.get_by_role("region", name="Attendees")
    expect(attendees).to_contain_text("Omar Reyes")
    expect(attendees).to_contain_text("Pat Kim (guest)")

    # An action item due before the meeting is refused, on its field; then a good one.
    page.get_by_role("textbox", name=re.compile("^Action item")).fill(
        "Write to VR about a second counselor"
    )
    page.get_by_label("Owner").fill("Ruth Alvarez")
    page.get_by_label("Due date").fill((today - datetime.timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Add action item").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("cannot be before the meeting")
    assert not SteeringActionItem.objects.filter(text__startswith="Write to VR").exists()
    page.get_by_label("Due date").fill((today + datetime.timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Add action item").click()
    items = page.get_by_role("region", name="Action items")
    expect(items).to_contain_text("Write to VR about a second counselor")
    expect(items).to_contain_text("Open")
    assert_accessible(page, "the meeting page")
    _no_sideways_scroll(page, width)
    items.get_by_role("button", name=re.compile("^Mark done.*Write to VR")).click()
    expect(page.get_by_role("region", name="Action items")).to_contain_text("Done")

    page.get_by_role("navigation", name="Breadcrumb").get_by_role(
        "link", name="Steering committee"
    ).click()
    status = page.get_by_role("region", name="Status")
    expect(status).to_contain_text(f"Next meeting due by {_long(after)}")
    expect(status).to_contain_text(f"Last meeting {_long(today)}")
    meetings = page.get_by_role("region", name="Meetings")
    expect(meetings.get_by_role("link", name=f"Meeting of {_long(today)}")).to_be_visible()
    page.goto(portal_url(agency.get_absolute_url()))
    expect(page.get_by_role("region", name="Steering committee")).to_contain_text(
        f"Next meeting due by {_long(after)}"
    )
