"""Readiness visits in a real browser: a trainer logs a complete visit, comes back to the
draft, finalizes it; a worker renders the PDF and emails it. Autosave and its conflicts."""

import re
import subprocess

import pytest
from django.core import mail
from playwright.sync_api import expect

from readiness.models import ReadinessVisit
from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.e2e

TRAINER = "mo.trainer@example.org"
ADMIN = "mo.admin@example.org"
AGENCY = "Gateway Recovery Center"
WORK_NEEDED = {"financing", "recovery_beliefs", "leadership_role"}


def _rate_every_area(page, visit) -> None:
    for n, area in enumerate(visit.checklist.areas, start=1):
        card = page.locator(f"#area-{area.key}")
        label = "Work is needed" if area.key in WORK_NEEDED else "Ready"
        card.get_by_text(label, exact=True).click()
        expect(page.locator("[data-progress-text]")).to_have_text(f"{n} of 10 areas rated")


def _fill_row(page, prefix: str, index: int, **values) -> None:
    for name, value in values.items():
        field = page.locator(f"#id_{prefix}-{index}-{name}")
        if value is True:
            field.check()
        else:
            field.fill(value)


def test_it_walks_a_trainer_through_a_complete_visit_to_the_emailed_report(
    page, demo_data, portal_url, log_in, celery_worker, tmp_path
):
    log_in(TRAINER)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Readiness").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Readiness visits")
    results = page.locator("#overview-results")
    expect(results.get_by_role("row", name=re.compile("Riverbend"))).to_contain_text("Final")
    expect(results.get_by_role("row", name=re.compile("Arch City"))).to_contain_text("Draft")
    expect(results.get_by_role("row", name=re.compile(AGENCY))).to_contain_text("Not visited")
    assert_accessible(page, "the readiness overview")

    page.get_by_role("link", name=f"Log a visit to {AGENCY}").click()
    expect(page.get_by_label("Agency")).to_have_value(re.compile(".+"))
    page.get_by_role("button", name="Start the visit").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(AGENCY)
    visit = ReadinessVisit.objects.get(agency__name=AGENCY)

    # Visit details.
    page.get_by_label("Met with agency leadership").check()
    page.get_by_label("Observed an employment meeting or met the employment staff").check()
    page.get_by_label("Met with a group of clients").check()
    _fill_row(page, "leaders", 0, name="Ruth Alvarez", title="Executive director")
    _fill_row(page, "guests", 0, name="Omar Reyes", affiliation="State Vocational Rehabilitation")

    # The checklist: every area rated, the guiding questions at hand, a note.
    details = page.locator("#area-vr_partnership details")
    details.locator("summary").click()
    expect(details.get_by_role("listitem").first).to_be_visible()
    _rate_every_area(page, visit)
    page.get_by_label("Notes on “VR partnership”").fill("VR counselor joined the meeting.")

    # The summary, two action steps and two recipients (rows added with the buttons).
    page.get_by_label("Barriers").fill("No start-up budget\nStaff doubt clients can work")
    page.get_by_label("Facilitators").fill("Engaged leadership\nStrong VR office nearby")
    _fill_row(page, "steps", 0, text="Budget start-up funds", owner="Ruth Alvarez")
    page.locator("#id_steps-0-target_date").fill("2027-01-31")
    page.get_by_role("button", name="+ Add an action step").click()
    _fill_row(page, "steps", 1, text="Set up the steering committee", owner="Clinical director")
    page.locator("#id_steps-1-target_date").fill("2027-03-01")
    _fill_row(page, "recipients", 0, name="Ruth Alvarez", email="ruth@prairie.example.org")
    page.get_by_role("button", name="+ Add a recipient").click()
    _fill_row(
        page, "recipients", 1, name="Omar Reyes", email="omar.reyes@vr.example.org", vr_copy=True
    )
    assert_accessible(page, "the visit form")

    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("alert").filter(has_text="The draft was saved")).to_be_visible()

    # Leave, come back from the home page: everything is there.
    page.goto(portal_url("/"))
    drafts = page.get_by_role("region", name="Readiness visits to finish")
    drafts.get_by_role("link", name=re.compile(AGENCY)).click()
    expect(page.locator("[data-progress-text]")).to_have_text("10 of 10 areas rated")
    expect(page.locator("#id_steps-1-text")).to_have_value("Set up the steering committee")
    expect(page.locator("#id_recipients-1-vr_copy")).to_be_checked()
    expect(page.get_by_label("Notes on “VR partnership”")).to_have_value(
        "VR counselor joined the meeting."
    )

    page.get_by_role("button", name="Review and finalize").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Finalize the visit")
    expect(page.get_by_text("omar.reyes@vr.example.org")).to_be_visible()
    assert_accessible(page, "the finalize page")
    page.get_by_role("button", name="Finalize and send the report").click()

    expect(page.get_by_role("alert").filter(has_text="The visit was finalized")).to_be_visible()
    report = page.locator("#visit-report")
    expect(report).to_contain_text("Report emailed to 2 recipients", timeout=90_000)
    assert_accessible(page, "the visit page")

    # One email to each recipient, the same report attached.
    assert sorted(m.to[0] for m in mail.outbox) == [
        "omar.reyes@vr.example.org",
        "ruth@prairie.example.org",
    ]
    message = next(m for m in mail.outbox if m.to == ["ruth@prairie.example.org"])
    assert AGENCY in message.subject
    ((filename, content, mimetype),) = message.attachments
    assert mimetype == "application/pdf" and content.startswith(b"%PDF-")

    with page.expect_download() as download:
        report.get_by_role("link", name="Download the report (PDF)").click()
    pdf = tmp_path / "report.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes() == content
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert f"Readiness visit report · {AGENCY}" in text
    assert "Set up the steering committee" in text and "VR counselor joined" in text

    # The visit is read-only now: the form sends the trainer back to the visit page.
    page.goto(portal_url(f"/readiness/visits/{visit.pk}/edit/"))
    expect(page).to_have_url(portal_url(f"/readiness/visits/{visit.pk}/"))


def test_it_autosaves_and_shows_a_conflict_without_losing_the_typed_text(
    page, browser, demo_data, portal_url, log_in
):
    visit = ReadinessVisit.objects.get(agency__name="Arch City Wellness")
    edit_url = portal_url(f"/readiness/visits/{visit.pk}/edit/")
    log_in(TRAINER)
    page.goto(edit_url)

    # Autosave when the trainer moves on to another section.
    page.get_by_label("Notes on “Motivation to implement”").fill("Board approved IPS in June.")
    page.get_by_label("Barriers").click()
    expect(page.locator("#save-status")).to_have_text(re.compile(r"^Saved at "))
    visit.refresh_from_db()
    assert visit.ratings.get(area_key="motivation").notes == "Board approved IPS in June."

    # Meanwhile the state admin, who opened the same draft, saves it.
    other = browser.new_context(base_url=portal_url("/"))
    admin_page = other.new_page()
    admin_page.goto(portal_url("/accounts/login/"))
    admin_page.get_by_label("Email").fill(ADMIN)
    admin_page.get_by_label("Password", exact=False).first.fill("ips-demo-2026")
    admin_page.get_by_role("button", name="Log in").click()
    admin_page.wait_for_url(portal_url("/"))
    admin_page.goto(edit_url)
    admin_page.get_by_label("Facilitators").fill("Admin's facilitator")
    admin_page.get_by_role("button", name="Save draft").click()
    expect(admin_page.get_by_role("alert").filter(has_text="saved")).to_be_visible()
    other.close()

    # The trainer's next autosave is refused with a clear message; the text stays.
    page.get_by_label("Barriers").fill("Trainer's barrier, typed after the admin saved")
    page.locator("#id_leaders-0-name").click()
    conflict = page.locator("#conflict-alert")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("Your changes were not saved")
    expect(conflict).to_contain_text("State Admin (MO) saved this visit")
    expect(page.get_by_label("Barriers")).to_have_value(
        "Trainer's barrier, typed after the admin saved"
    )
    visit.refresh_from_db()
    assert visit.facilitators == "Admin's facilitator" and visit.barriers == ""
