"""A fidelity review in a real browser: two demo reviewers rate the items on their own
(neither sees the other's ratings), the state admin reconciles the items where they differ,
records the consensus and finalizes the report, and the agency's supervisor reads it. On a
tablet, with the reviewer's sheet also at phone width."""

import io
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from agencies.models import Agency
from fidelity.models import FidelityReview, ReviewStatus
from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.e2e

AGENCY = "Riverbend Behavioral Health"
TRAINER, REVIEWER = "mo.trainer@example.org", "mo.reviewer@example.org"
ADMIN, SUPERVISOR = "mo.admin@example.org", "mo.supervisor@example.org"
#: The items the second reviewer rates 3 where the first rates 4.
DIFFERENT = ("caseload_size", "disclosure", "rapid_job_search")


def _fits(page, label: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{label} scrolls sideways ({width}px in {viewport}px)"
    assert_accessible(page, label)


def _switch(page, log_in, email: str) -> None:
    page.context.clear_cookies()
    log_in(email)


def _rate_everything(page, review, *, different: int, note: str) -> None:
    keys = list(review.scale.items.order_by("number").values_list("key", flat=True))
    for key in keys:
        page.locator(f"#r-{key}-{different if key in DIFFERENT else 4}").check()
    page.get_by_label("Evidence for Caseload size").fill(note)


def test_it_lets_two_reviewers_rate_alone_then_reconcile_and_finalize(
    page, demo_data, portal_url, log_in, celery_worker, tmp_path
):
    page.set_viewport_size({"width": 768, "height": 1024})
    agency = Agency.objects.get(name=AGENCY)
    review = FidelityReview.objects.get(agency=agency, status=ReviewStatus.IN_PROGRESS)

    # The agency's supervisor does not see a review before it is final.
    log_in(SUPERVISOR)
    page.goto(portal_url(review.get_absolute_url()))
    expect(page.get_by_role("heading", level=1)).to_contain_text("not found", ignore_case=True)

    # 1. The trainer rates every item and submits.
    _switch(page, log_in, TRAINER)
    page.get_by_role("button", name="Show or hide the menu").click()
    page.get_by_role("link", name="Fidelity", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fidelity reviews")
    _fits(page, "the review list")
    page.locator(f"#review-{review.pk}").get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Annual fidelity review")
    page.get_by_role("link", name="Rate the items").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your ratings")
    expect(page.locator("#item-caseload_size .suggestion")).to_contain_text(
        "Suggested from the roster"
    )
    _rate_everything(page, review, different=4, note="Trainer: 14 per FTE on the roster.")
    _fits(page, "the trainer's sheet")
    page.get_by_role("button", name="Save and submit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit your ratings")
    page.get_by_role("button", name="Submit my ratings").click()
    expect(page.get_by_role("alert").first).to_contain_text("stay hidden until every reviewer")

    # 2. The fidelity reviewer sees nothing of the trainer's ratings, rates on a phone.
    _switch(page, log_in, REVIEWER)
    page.goto(portal_url(review.get_absolute_url()))
    expect(page.locator("main")).not_to_contain_text("14 per FTE")
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("link", name="Rate the items").click()
    expect(page.locator("main")).not_to_contain_text("14 per FTE")
    _rate_everything(page, review, different=3, note="Reviewer: checked the caseload lists.")
    _fits(page, "the reviewer's sheet on a phone")
    page.get_by_role("button", name="Save and submit").click()
    page.get_by_role("button", name="Submit my ratings").click()
    expect(page.get_by_role("alert").first).to_contain_text("the reconciliation is open")
    page.set_viewport_size({"width": 768, "height": 1024})

    # 3. The state admin reconciles: the three items where they differ are marked.
    _switch(page, log_in, ADMIN)
    page.goto(portal_url(review.get_absolute_url()))
    page.get_by_role("link", name="Reconcile the ratings").click()
    expect(page.locator("#reconcile-summary")).to_contain_text("3 items where the reviewers differ")
    for key in DIFFERENT:
        expect(page.locator(f"#item-{key}")).to_have_attribute("data-differs", "true")
    expect(page.locator("#item-caseload_size")).to_contain_text("14 per FTE")
    expect(page.locator("#item-caseload_size")).to_contain_text("checked the caseload lists")
    expect(page.locator("#item-zero_exclusion")).to_have_attribute("data-differs", "false")
    _fits(page, "the reconciliation")
    for key in DIFFERENT:
        page.locator(f"#c-{key}-4").check()
    page.get_by_label("Rationale for Caseload size").fill("The roster shows 14 per FTE.")
    page.get_by_role("button", name="Save and complete").click()
    page.get_by_role("button", name="Complete the consensus").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Write the summary and finalize")
    expect(page.locator("#review-total")).to_contain_text("Total 100")
    page.get_by_label("Overall summary").fill("A steady year; benefits counseling is next.")
    _fits(page, "the finalize page")
    page.get_by_role("button", name="Finalize the review").click()
    expect(page.get_by_role("alert").first).to_contain_text("The review is final")
    expect(page.locator("#review-total")).to_contain_text("Good fidelity")
    # Against the previous final review (108): the items rated 5 then are down now.
    expect(page.locator("#item-ratings")).to_contain_text(re.compile(r"down 1 \(from 5\)"))

    # A worker renders the report and emails it to the agency's supervisor, leader and VR.
    panel = page.locator("#fidelity-report")
    link = panel.get_by_role("link", name="Download the fidelity report (PDF)")
    expect(link).to_be_visible(timeout=90_000)
    with page.expect_download() as download:
        link.click()
    pdf = tmp_path / "report.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert f"Fidelity report · {AGENCY}" in text and "benefits counseling is next" in text
    # The reviewers' own evidence is not the report's (the consensus rationale is).
    assert "checked the caseload lists" not in text and "Trainer:" not in text
    assert "The roster shows 14 per FTE." in text
    expect(page.locator("main")).to_contain_text("Good fidelity")

    def reports():
        return [m for m in mail.outbox if m.subject.startswith("Fidelity report:")]

    for _ in range(60):
        if len(reports()) >= 3:
            break
        page.wait_for_timeout(500)
    assert sorted(m.to[0] for m in reports()) == [
        "mo.leader@example.org",
        "mo.supervisor@example.org",
        "mo.vr@example.org",
    ]
    assert all(m.attachments[0][2] == "application/pdf" for m in reports())

    # The state admin exports the year's final reports as one ZIP.
    page.goto(portal_url("/fidelity/reviews/"))
    page.get_by_role("link", name="Export final reports (ZIP)").click()
    page.get_by_label("Visits from").fill("2024-01-01")
    _fits(page, "the export form")
    page.get_by_role("button", name="Prepare the ZIP").click()
    link = page.get_by_role("link", name=re.compile("^Download"))
    expect(link).to_be_visible(timeout=90_000)
    with page.expect_download() as download:
        link.click()
    names = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes())).namelist()
    assert sum(1 for n in names if n.startswith("riverbend-behavioral-health-")) == 3

    # 4. The supervisor reads the final report, not the reviewers' own evidence.
    _switch(page, log_in, SUPERVISOR)
    page.goto(portal_url(agency.get_absolute_url()))
    section = page.get_by_role("region", name="Fidelity reviews")
    expect(section).to_contain_text("total 100")
    section.get_by_role("link", name=re.compile("^Open the review")).click()
    expect(page.locator("main")).to_contain_text("benefits counseling is next")
    expect(page.locator("main")).not_to_contain_text("14 per FTE")
    _fits(page, "the final review for the supervisor")
