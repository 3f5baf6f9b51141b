"""The fidelity scale in a real browser: a reviewer finds it in the menu and reads an item's
anchors, at desktop, tablet and phone widths."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.e2e

REVIEWER = "mo.reviewer@example.org"


@pytest.mark.parametrize("width", [1280, 768, 390])
def test_it_lets_a_reviewer_read_the_scale_and_its_anchors(
    page, demo_data, portal_url, log_in, width, tmp_path
):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(REVIEWER)
    page.goto(portal_url("/"))
    if width < 992:
        page.get_by_role("button", name="Show or hide the menu").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Fidelity").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fidelity reviews")
    page.get_by_role("link", name="The fidelity scales").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fidelity scales")
    assert_accessible(page, "the fidelity scales page")
    page.get_by_role("link", name="IPS Supported Employment Fidelity Scale").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "IPS Supported Employment Fidelity Scale"
    )
    item = page.get_by_role("article", name="Staffing 1. Caseload size")
    expect(item).to_contain_text("20 people or fewer per full-time employment specialist.")
    expect(page.get_by_role("article")).to_have_count(25)
    assert_accessible(page, "the fidelity scale page")
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the page scrolls sideways at {width}px ({scroll}px)"
    page.screenshot(path=str(tmp_path / f"scale-{width}.png"))
