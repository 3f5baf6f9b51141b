"""The implementation plan in a real browser: a supervisor starts the plan from the
template, updates a step's status and notes, reorders a step with the keyboard and removes
one, at desktop and phone widths."""

import re

import pytest
from playwright.sync_api import expect

from agencies.models import Agency, ImplementationStep
from agencies.plan_template import PLAN_TEMPLATE
from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.e2e

SUPERVISOR = "mo.supervisor@example.org"
AGENCY = "Riverbend Behavioral Health"


@pytest.mark.parametrize("width", [1280, 390])
def test_it_lets_a_supervisor_update_reorder_and_remove_plan_steps(
    page, demo_data, portal_url, log_in, width
):
    page.set_viewport_size({"width": width, "height": 900})
    agency = Agency.objects.get(name=AGENCY)
    funding = dict(PLAN_TEMPLATE)["funding"]
    log_in(SUPERVISOR)
    page.goto(portal_url(f"/agencies/{agency.pk}/plan/"))
    if page.get_by_role("button", name="Start the implementation plan").count():
        page.get_by_role("button", name="Start the implementation plan").click()
    expect(page.get_by_role("heading", name="Funding", exact=False).first).to_be_visible()
    assert_accessible(page, "the implementation plan")
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    # Update the first funding step's status and notes.
    first = ImplementationStep.objects.get(agency=agency, action=funding[0])
    page.locator(f"#step-{first.pk}").get_by_role("link", name=re.compile("^Edit")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit a plan step")
    page.get_by_label("Status").select_option(label="In progress")
    page.get_by_label("Notes").fill("Called the state VR office")
    assert_accessible(page, "the plan step form")
    page.get_by_role("button", name="Save step").click()
    expect(page.get_by_role("alert")).to_contain_text("The step was saved")
    row = page.locator(f"#step-{first.pk}")
    expect(row).to_contain_text("In progress")
    expect(row).to_contain_text("Called the state VR office")

    # Move the second funding step up, with the keyboard.
    second = ImplementationStep.objects.get(agency=agency, action=funding[1])
    button = page.locator(f"#step-{second.pk}").get_by_role("button", name=re.compile("^Move up"))
    button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("The step was moved up")
    rows = page.locator("#area-funding + div tbody tr")
    expect(rows.nth(0)).to_have_attribute("id", f"step-{second.pk}")
    expect(rows.nth(1)).to_have_attribute("id", f"step-{first.pk}")

    # Remove the last funding step: it leaves the table and shows among the removed steps.
    last = ImplementationStep.objects.get(agency=agency, action=funding[-1])
    page.locator(f"#step-{last.pk}").get_by_role("button", name=re.compile("^Remove")).click()
    expect(page.get_by_role("alert")).to_contain_text("removed from the plan")
    expect(page.locator(f"#step-{last.pk}")).to_have_count(0)
    expect(page.locator(".plan-removed-steps")).to_contain_text(funding[-1][:40])
    expect(page.locator("#plan-progress-overall")).to_contain_text("0 of")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_accessible(page, "the implementation plan after the changes")
