"""An agency's work in one sitting, on a tablet: the IPS supervisor adds an employment
specialist and sees the structure panel change, updates a plan step, records a steering
committee meeting with an action item; then the state trainer logs a TA activity and sees
the month's compliance, and the agency page shows all of it."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from agencies.models import Agency, ImplementationStep, SteeringActionItem, TAAgreement
from agencies.steering import add_months
from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.e2e

SUPERVISOR = "mo.supervisor@example.org"
TRAINER = "mo.trainer@example.org"
AGENCY = "Riverbend Behavioral Health"


def _long(day: datetime.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def _fits(page, label: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 768, f"{label} scrolls sideways ({width}px in 768px)"
    assert_accessible(page, label)


def _check(page, code: str):
    return page.locator(f'#structure-panel [data-check="{code}"]')


def test_it_walks_a_supervisor_and_a_trainer_through_an_agencys_work(
    page, demo_data, portal_url, log_in
):
    page.set_viewport_size({"width": 768, "height": 1024})
    agency = Agency.objects.get(name=AGENCY)
    today = agency.collaborative.today()
    log_in(SUPERVISOR)

    # The agency page is the agency's home.
    page.get_by_role("link", name=AGENCY).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(AGENCY)
    expect(_check(page, "supervisor_ips_only")).to_contain_text("Does not apply")
    _fits(page, "the agency page")

    # 1. The roster: a fifth specialist for a supervisor with other duties.
    page.locator("#structure-panel").get_by_role("link", name="Open the staff roster").click()
    page.get_by_role("link", name="Add a person").click()
    page.get_by_label("Name").fill("Jordan Pike")
    page.get_by_label("Role").select_option(label="Employment specialist")
    page.get_by_label("FTE").fill("0.50")
    page.get_by_label("Supervisor", exact=True).select_option(label="Dana Whitfield")
    page.get_by_label("Caseload size").fill("10")
    page.get_by_label("Employment services only", exact=True).select_option(label="Yes")
    page.get_by_label("Share of time in the community (%)").fill("70")
    page.get_by_label("Adult outpatient team").check()
    page.get_by_label("Share of referrals from these teams (%)").fill("95")
    _fits(page, "the roster form")
    page.get_by_role("button", name="Add to the roster").click()
    expect(page.get_by_role("alert").first).to_contain_text("Jordan Pike was added to the roster.")
    page.get_by_role("link", name=AGENCY).click()
    expect(_check(page, "supervisor_ips_only")).to_contain_text("Not met")
    expect(_check(page, "supervisor_ratio")).to_contain_text("Most supervised by one supervisor: 5")

    # 2. The plan: a step in progress, with a note.
    page.goto(portal_url(f"/agencies/{agency.pk}/plan/"))
    if page.get_by_role("button", name="Start the implementation plan").count():
        page.get_by_role("button", name="Start the implementation plan").click()
    step = (
        ImplementationStep.objects.filter(agency=agency, removed_at__isnull=True)
        .exclude(status=ImplementationStep.Status.IN_PROGRESS)
        .order_by("area", "position")
        .first()
    )
    page.locator(f"#step-{step.pk}").get_by_role("link", name=re.compile("^Edit")).click()
    page.get_by_label("Status").select_option(label="In progress")
    page.get_by_label("Notes").fill("Asked the county for the second ES position")
    _fits(page, "the plan step form")
    page.get_by_role("button", name="Save step").click()
    expect(page.get_by_role("alert")).to_contain_text("The step was saved")
    expect(page.locator(f"#step-{step.pk}")).to_contain_text("In progress")
    expect(page.locator(f"#step-{step.pk}")).to_contain_text("second ES position")
    _fits(page, "the implementation plan")

    # 3. The steering committee: a meeting today with an action item.
    page.goto(portal_url(agency.get_absolute_url()))
    panel = page.get_by_role("region", name="Steering committee")
    panel.get_by_role("link", name="Open the steering committee").click()
    page.get_by_role("link", name="Record a meeting").click()
    page.get_by_label("Omar Reyes (VR counselor or supervisor)").check()
    page.get_by_label("Agenda").fill("A fifth specialist; the plan's funding steps")
    page.get_by_label("Minutes").fill("Agreed to ask the county for funding.")
    _fits(page, "the meeting form")
    page.get_by_role("button", name="Save meeting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Meeting of {_long(today)}")
    page.get_by_role("textbox", name=re.compile("^Action item")).fill("Send the county a request")
    page.get_by_label("Owner").fill("Dana Whitfield")
    page.get_by_label("Due date").fill((today + datetime.timedelta(days=21)).isoformat())
    page.get_by_role("button", name="Add action item").click()
    expect(page.get_by_role("region", name="Action items")).to_contain_text(
        "Send the county a request"
    )
    assert SteeringActionItem.objects.filter(text="Send the county a request").exists()
    _fits(page, "the meeting page")
    page.goto(portal_url(agency.get_absolute_url()))
    expect(page.get_by_role("region", name="Steering committee")).to_contain_text(
        # Riverbend has reached good fidelity: twice a year.
        f"Next meeting due by {_long(add_months(today, 6))}"
    )

    # 4. The trainer logs a unit meeting in the agreement's third month.
    page.context.clear_cookies()
    log_in(TRAINER)
    agreement = TAAgreement.objects.get(agency=agency, version=1)
    third = add_months(agreement.start_date.replace(day=1), 2)
    day = third + datetime.timedelta(days=19)
    page.goto(portal_url(agency.get_absolute_url()))
    section = page.get_by_role("region", name="Training and technical assistance")
    section.get_by_role("link", name="Log an activity").click()
    page.get_by_label("Activity date").fill(day.isoformat())
    page.get_by_label("Kind of activity").select_option(label="IPS unit meeting")
    page.get_by_label("Duration (minutes)").fill("60")
    page.get_by_label("Notes").fill("Reviewed Jordan Pike's first referrals.")
    _fits(page, "the TA activity form")
    page.get_by_role("button", name="Log the activity").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("TA compliance")
    cell = page.locator('tr[data-month="3"] td[data-commitment="unit_meeting"]')
    expect(cell).to_contain_text(f"and {day:%B} {day.day}")
    expect(page.locator("#ta-summaries")).to_contain_text(f"{day:%B %Y}: unit meeting yes")
    _fits(page, "the compliance page")

    # The trainer's view of the agency page shows the supervisor's work.
    page.goto(portal_url(agency.get_absolute_url()))
    expect(_check(page, "supervisor_ratio")).to_contain_text("Most supervised by one supervisor: 5")
    expect(page.get_by_role("region", name="Steering committee")).to_contain_text(
        f"Last meeting {_long(today)}"
    )
    _fits(page, "the agency page at the end")
