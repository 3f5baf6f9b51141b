"""People management in a real browser: a state admin changes a trainer's agencies, then
deactivates and reactivates a person, on a desktop and on a phone."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.e2e

ADMIN = "mo.admin@example.org"
TRAINER = "State Trainer (MO)"
SPECIALIST = "Employment Specialist (MO)"


def assert_no_sideways_scroll(page, label: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{label} scrolls sideways ({width}px in {viewport}px)"


def checked(page, label: str, where: str) -> None:
    assert_accessible(page, f"{label} at {where}")
    assert_no_sideways_scroll(page, f"{label} at {where}")


def open_person(page, portal_url, name: str) -> None:
    page.goto(portal_url("/agencies/people/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("People of")
    page.get_by_label("Name or email").fill(name)
    page.get_by_role("button", name="Search").click()
    page.locator("#members").get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (390, 844)])
def test_it_lets_a_state_admin_change_agencies_and_deactivate_and_reactivate(
    page, demo_data, portal_url, log_in, width, height
):
    where = f"{width}px"
    page.set_viewport_size({"width": width, "height": height})
    log_in(ADMIN)

    open_person(page, portal_url, TRAINER)
    checked(page, "the person page", where)
    expect(page.locator("#person-agencies")).to_contain_text("Gateway Recovery Center")
    page.get_by_role("link", name="Change role or agencies").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Change the role of")
    checked(page, "the role form", where)
    page.get_by_label("Gateway Recovery Center").uncheck()
    page.get_by_label("Big Muddy Community Mental Health").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert").first).to_contain_text("role was saved")
    agencies = page.locator("#person-agencies")
    expect(agencies).to_contain_text("Big Muddy Community Mental Health")
    expect(agencies).not_to_contain_text("Gateway Recovery Center")
    history = page.locator("#person-history")
    expect(history).to_contain_text("Agency added: Big Muddy Community Mental Health")
    expect(history).to_contain_text("Agency removed: Gateway Recovery Center")
    checked(page, "the person page with its history", where)

    open_person(page, portal_url, SPECIALIST)
    page.get_by_role("link", name="Deactivate").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Deactivate")
    checked(page, "the deactivation page", where)
    page.get_by_role("button", name=f"Deactivate {SPECIALIST}").click()
    expect(page.get_by_role("alert").first).to_contain_text("is deactivated")
    expect(page.locator("#person-state")).to_have_text("Deactivated")
    expect(page.locator("#person-history")).to_contain_text("Deactivated")

    page.get_by_role("link", name="Reactivate").click()
    checked(page, "the reactivation page", where)
    page.get_by_role("button", name=f"Reactivate {SPECIALIST}").click()
    expect(page.get_by_role("alert").first).to_contain_text("is active again")
    expect(page.locator("#person-state")).to_have_text("Active")
    expect(page.locator("#person-history").locator("li").first).to_contain_text("Reactivated")

    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="People").click()
    expect(page.locator("#members")).to_contain_text(SPECIALIST)
    checked(page, "the people list", where)
