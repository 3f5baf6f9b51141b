"""The staff roster in a real browser: a supervisor adds an employment specialist and sees
the agency page's structure panel change, on a desktop and on a phone."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.e2e

SUPERVISOR = "mo.supervisor@example.org"
AGENCY = "Riverbend Behavioral Health"


def assert_no_sideways_scroll(page, label: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{label} scrolls sideways ({width}px in {viewport}px)"


def check(page, code: str):
    return page.locator(f'#structure-panel [data-check="{code}"]')


@pytest.mark.parametrize(
    ("width", "height", "name"), [(1280, 900, "Casey Moore"), (390, 844, "Lee Tran")]
)
def test_it_lets_a_supervisor_add_a_specialist_and_see_the_structure_panel_change(
    page, demo_data, portal_url, log_in, width, height, name
):
    page.set_viewport_size({"width": width, "height": height})
    log_in(SUPERVISOR)
    page.get_by_role("link", name=AGENCY).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(AGENCY)

    # The supervisor, who has other duties, supervises four specialists: the rule for
    # supervisors of five or more does not apply yet.
    panel = page.locator("#structure-panel")
    expect(panel.get_by_role("heading", name="IPS structure checks")).to_be_visible()
    ips_only = check(page, "supervisor_ips_only")
    expect(ips_only).to_contain_text("Does not apply")
    expect(ips_only).not_to_contain_text("Met")
    expect(check(page, "es_community_time")).to_contain_text("Not met")
    assert_accessible(page, f"the agency page at {width}px")
    assert_no_sideways_scroll(page, f"the agency page at {width}px")

    panel.get_by_role("link", name="Open the staff roster").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff roster")
    current = page.locator("#current-staff")
    expect(current).to_contain_text("Dana Whitfield")
    expect(page.locator("#former-staff")).to_contain_text("Grace Oyelaran")
    expect(current).not_to_contain_text("Grace Oyelaran")
    assert_accessible(page, f"the roster at {width}px")
    assert_no_sideways_scroll(page, f"the roster at {width}px")

    page.get_by_role("link", name="Add a person").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a person to the roster")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Role").select_option(label="Employment specialist")
    page.get_by_label("FTE").fill("1.00")
    page.get_by_label("Supervisor", exact=True).select_option(label="Dana Whitfield")
    page.get_by_label("Caseload size").fill("16")
    page.get_by_label("Employment services only", exact=True).select_option(label="Yes")
    # A figure out of range is refused on its field, and nothing is saved.
    page.get_by_label("Share of time in the community (%)").fill("140")
    page.get_by_label("Adult outpatient team").check()
    page.get_by_label("Share of referrals from these teams (%)").fill("95")
    page.get_by_role("button", name="Add to the roster").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing was saved")
    expect(page.locator("#id_community_time_percent")).to_have_class(re.compile(r"is-invalid"))
    assert_accessible(page, f"the roster form with an error at {width}px")
    assert_no_sideways_scroll(page, f"the roster form at {width}px")

    page.get_by_label("Share of time in the community (%)").fill("75")
    page.get_by_role("button", name="Add to the roster").click()
    expect(page.get_by_role("alert").first).to_contain_text(f"{name} was added to the roster.")
    expect(page.locator("#current-staff")).to_contain_text(name)

    page.get_by_role("link", name=AGENCY).click()
    # Five specialists now: the supervisor's other duties break the rule.
    ips_only = check(page, "supervisor_ips_only")
    expect(ips_only).to_contain_text("Not met")
    expect(ips_only).to_contain_text("Other duties: Dana Whitfield")
    expect(check(page, "supervisor_ratio")).to_contain_text("Most supervised by one supervisor: 5")
    assert_accessible(page, f"the agency page after the change at {width}px")
    assert_no_sideways_scroll(page, f"the agency page after the change at {width}px")
