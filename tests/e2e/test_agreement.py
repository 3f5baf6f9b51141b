"""The training and TA agreement in a real browser: a trainer changes a signed agreement
into a new version, the agency leader signs it, a state admin records the VR line on the
signer's behalf and signs the MH line, and the version is signed and read-only; on a
desktop, a tablet and a phone."""

import os
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from agencies.models import Agency, TAAgreement
from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.e2e

AGENCY = "Riverbend Behavioral Health"
SHOTS = os.environ.get("AGREEMENT_SHOTS", "")


def _look(page, name: str, width: int) -> None:
    """Check the page for sideways scrolling and accessibility (and keep a screenshot when
    AGREEMENT_SHOTS names a folder)."""
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{name} scrolls sideways at {width}px ({scroll}px)"
    assert_accessible(page, name)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name.replace(' ', '_')}-{width}.png", full_page=True)


def _as(page, log_in, email: str) -> None:
    page.context.clear_cookies()
    log_in(email)


@pytest.mark.parametrize("width", [1280, 768, 390])
def test_it_takes_an_agreement_from_a_change_to_three_signatures(
    page, demo_data, portal_url, log_in, width
):
    page.set_viewport_size({"width": width, "height": 900})
    agency = Agency.objects.get(name=AGENCY)
    log_in("mo.trainer@example.org")
    # An agency before implementation has none yet: the empty state offers a draft.
    new = Agency.objects.get(name="Arch City Wellness")
    page.goto(portal_url(reverse("agencies:agreement_current", args=[new.pk])))
    expect(page.get_by_role("link", name="Draft the agreement")).to_be_visible()
    _look(page, "agreement empty", width)
    page.goto(portal_url(agency.get_absolute_url()))
    panel = page.get_by_role("region", name="Training and TA agreement")
    expect(panel).to_contain_text("Version 1, signed on")
    panel.get_by_role("link", name="Open the agreement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Training and TA agreement, version 1"
    )
    expect(page.get_by_role("region", name="Commitments")).to_contain_text(
        "The trainer attends at least one IPS unit meeting each month for the first 6 months."
    )
    _look(page, "agreement signed", width)

    page.get_by_role("link", name="Change the agreement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change the agreement (version 2)")
    page.get_by_label("Months in which the trainer attends an IPS unit", exact=False).fill("9")
    page.get_by_label("Training days for employment specialists", exact=False).fill("3.3")
    _look(page, "agreement form", width)
    page.get_by_role("button", name="Save version").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("half days")
    assert not TAAgreement.objects.filter(agency=agency, version=2).exists()
    page.get_by_label("Training days for employment specialists", exact=False).fill("4")
    page.get_by_label("Other arrangements").fill("Extra unit meetings while the team is new.")
    page.get_by_role("button", name="Save version").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Training and TA agreement, version 2"
    )
    expect(page.get_by_role("region", name="Commitments")).to_contain_text(
        "each month for the first 9 months"
    )
    versions = page.get_by_role("region", name="Versions")
    expect(versions).to_contain_text("Superseded")
    _look(page, "agreement draft", width)
    url = page.url

    _as(page, log_in, "mo.leader@example.org")
    page.goto(url)
    signatures = page.get_by_role("region", name="Signatures")
    expect(signatures.get_by_role("link", name=re.compile("^Sign"))).to_have_count(1)
    signatures.get_by_role("link", name="Sign as Agency executive director").click()
    expect(page.get_by_label("Name of the person signing")).not_to_have_value("")
    _look(page, "agreement sign", width)
    page.get_by_role("button", name="Sign the agreement").click()
    expect(page.get_by_role("status").or_(page.locator(".alert-success")).first).to_contain_text(
        "line was signed"
    )

    _as(page, log_in, "mo.admin@example.org")
    page.goto(url)
    signatures = page.get_by_role("region", name="Signatures")
    signatures.get_by_role("link", name=re.compile("Record this signature.*vocational")).click()
    page.get_by_label("Name of the person signing").fill("Victor Hale, VR")
    page.get_by_role("button", name="Sign the agreement").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("Say why")
    page.get_by_label("Reason for recording on the signer's behalf").fill(
        "Signed on paper at the regional VR office"
    )
    _look(page, "agreement sign on behalf", width)
    page.get_by_role("button", name="Sign the agreement").click()
    signatures = page.get_by_role("region", name="Signatures")
    expect(signatures).to_contain_text("Victor Hale, VR")
    expect(signatures).to_contain_text("behalf: Signed on paper at the regional VR office")
    signatures.get_by_role("link", name="Sign as State mental health representative").click()
    page.get_by_role("button", name="Sign the agreement").click()

    expect(page.locator("[data-agreement-status]")).to_contain_text("Signed")
    expect(page.locator("[data-agreement-status]")).to_contain_text("read-only")
    expect(page.get_by_role("link", name="Edit the draft")).to_have_count(0)
    expect(
        page.get_by_role("region", name="Signatures").get_by_role("link", name=re.compile("^Sign"))
    ).to_have_count(0)
    expect(page.get_by_role("link", name="Change the agreement")).to_be_visible()
    _look(page, "agreement now signed", width)
    assert TAAgreement.objects.get(agency=agency, version=2).signed_at is not None
    page.goto(portal_url(agency.get_absolute_url()))
    expect(page.get_by_role("region", name="Training and TA agreement")).to_contain_text(
        "Version 2, signed on"
    )
