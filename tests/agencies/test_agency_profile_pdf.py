"""The agency profile PDF (kind ``agency_summary``), rendered through the documents pipeline
(the worker's render, run when the test's transaction commits) and read back with poppler's
``pdftotext``: the profile, the portal staff, the roster summary, the structure checks, the
plan's progress, the agreement and the steering committee, each as the requester may see it;
long names printed in full, table rows kept whole with their header repeated."""

from __future__ import annotations

import datetime
import re
import subprocess
from decimal import Decimal

import pytest

from agencies import selectors_roster, services
from agencies.models import (
    Agency,
    ImplementationArea,
    ImplementationStep,
    Role,
    StaffRole,
    SteeringCategory,
)
from agencies.steering import add_months
from ipsportal import access
from ipsportal.documents import DOCUMENT_KINDS
from tests.ipsportal.test_documents import request_export
from tests.readiness.test_report_pdf_layout import (
    long_word,
    page_count,
    pdf_text,
    pdf_words,
    rows_split,
)

R = Role
S = ImplementationStep.Status
AGENCY_LETTER = "Ћ"
PARTNER_LETTER = "Ѱ"
STAFF_LETTER = "Ђ"


def _render(capture, tmp_path, user, agency) -> str:
    """The PDF's text in reading order, one table cell after the other (``pdftotext``
    without ``-layout``), its white space collapsed."""
    document = request_export(
        capture,
        user=user,
        kind="agency_summary",
        collaborative=agency.collaborative,
        subject=agency,
    )
    path = tmp_path / "profile.pdf"
    path.write_bytes(document.file.open("rb").read())
    out = subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return re.sub(r"\s+", " ", out)


def _records(tenant):
    """A roster, a plan, a draft agreement and a committee with a meeting held 10 days ago,
    for the tenant's agency; a roster entry of the other agency and a former one."""
    admin = tenant.user(R.STATE_ADMIN)
    agency = tenant.agency
    today = agency.collaborative.today()
    boss = services.staff_member_create(
        user=admin, agency=agency, name="Quinn Harrow", role=StaffRole.IPS_SUPERVISOR,
        fte=Decimal("1"), caseload=2,
    )  # fmt: skip
    services.staff_member_create(
        user=admin, agency=agency, name="Rowan Teague", role=StaffRole.EMPLOYMENT_SPECIALIST,
        fte=Decimal("0.75"), caseload=14, supervisor=boss,
    )  # fmt: skip
    services.staff_member_create(
        user=admin, agency=agency, name="Ellis Marsh", role=StaffRole.EMPLOYMENT_SPECIALIST,
        fte=Decimal("0.5"), supervisor=boss,
    )  # fmt: skip
    services.staff_member_create(
        user=admin, agency=agency, name="Former Person", role=StaffRole.EMPLOYMENT_SPECIALIST,
        fte=Decimal("1"), end_date=today - datetime.timedelta(days=3),
    )  # fmt: skip
    services.staff_member_create(
        user=admin, agency=tenant.other_agency, name="Elsewhere Person",
        role=StaffRole.EMPLOYMENT_SPECIALIST, fte=Decimal("1"),
    )  # fmt: skip
    plan = services.implementation_plan_create(user=admin, agency=agency)
    services.implementation_steps_add(
        user=admin,
        plan=plan,
        steps=[
            {"area": ImplementationArea.FUNDING, "action": "a", "status": S.DONE},
            {
                "area": ImplementationArea.FUNDING,
                "action": "b",
                "target_date": today - datetime.timedelta(days=2),
            },
            {"area": ImplementationArea.BENEFITS, "action": "c", "status": S.NOT_APPLICABLE},
            {"area": ImplementationArea.BENEFITS, "action": "d", "status": S.IN_PROGRESS},
        ],
    )
    services.agreement_create(
        user=tenant.user(R.STATE_TRAINER), agency=agency, start_date=datetime.date(2026, 1, 5)
    )
    committee = services.steering_committee_create(user=admin, agency=agency)
    services.steering_member_save(
        user=admin, committee=committee, category=SteeringCategory.IPS_SUPERVISOR, name="Q H"
    )
    services.steering_member_save(
        user=admin, committee=committee, category=SteeringCategory.CLIENT, name="C L"
    )
    held = today - datetime.timedelta(days=10)
    services.steering_meeting_save(user=admin, committee=committee, date=held)
    return held


def _day(day: datetime.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def test_the_kind_is_labelled_agency_profile():
    assert DOCUMENT_KINDS["agency_summary"].label == "Agency profile"


@pytest.mark.parametrize("role", [R.STATE_TRAINER, R.IPS_SUPERVISOR, R.VR_LIAISON])
def test_it_prints_every_section_of_the_agency_profile(
    tenant, tmp_path, django_capture_on_commit_callbacks, role
):
    held = _records(tenant)
    text = _render(django_capture_on_commit_callbacks, tmp_path, tenant.user(role), tenant.agency)
    assert tenant.agency.name in text and "Agency profile" in text
    # The profile and the portal staff, as before.
    assert "Implementation phase" in text and "VR vendor status" in text
    assert tenant.user(R.IPS_SUPERVISOR).full_name in text
    assert tenant.other_agency_users[R.IPS_SUPERVISOR].full_name not in text
    # The roster summary: current entries of this agency only.
    assert "IPS supervisors 1" in text and "Employment specialists 2" in text
    assert "Total FTE 2.25" in text
    assert "Quinn Harrow IPS supervisor 1.00 2" in text
    assert "Rowan Teague Employment specialist 0.75 14" in text
    assert "Ellis Marsh Employment specialist 0.50 Not recorded" in text
    assert "Former Person" not in text and "Elsewhere Person" not in text
    # The structure checks: each standard with the agency's figure and the answer.
    checks = selectors_roster.agency_structure_checks(tenant.user(role), tenant.agency)
    for check in checks:
        assert f"{check.standard} {check.value} {check.status_label}" in text
    assert "Not met" in text or "Not enough data" in text
    # The plan: overall and per area, with the overdue step.
    assert "Applicable steps done 1 of 3 (33%)" in text
    assert "Overdue steps 1" in text
    assert "Funding 1 2 50% 1" in text
    assert "Benefits planning 0 1 0% 0" in text
    # The agreement and the steering committee.
    assert "Version 1, draft: no signature yet." in text
    assert f"Last meeting {_day(held)}" in text
    due = add_months(held, 3)
    assert f"Next meeting due By {_day(due)}" in text
    assert "Active members 2" in text
    assert "IPS supervisor 1 Yes" in text and "Family member or client 1 Yes" in text
    assert "Clinical director 0 No" in text
    assert "Missing: Clinical director" in text


def test_it_says_what_is_missing_when_the_agency_has_no_records_yet(
    tenant, tmp_path, django_capture_on_commit_callbacks
):
    user = tenant.user(R.AGENCY_LEADER)
    text = _render(django_capture_on_commit_callbacks, tmp_path, user, tenant.agency)
    assert "IPS supervisors 0" in text and "Nobody is on the roster yet." in text
    assert "No implementation plan yet." in text
    assert "No training and TA agreement yet." in text
    assert "No steering committee has been set up yet." in text


def test_it_leaves_out_the_sections_a_reader_has_no_right_to(
    tenant, tmp_path, django_capture_on_commit_callbacks, monkeypatch
):
    _records(tenant)
    leader = tenant.user(R.AGENCY_LEADER)
    text = _render(django_capture_on_commit_callbacks, tmp_path, leader, tenant.agency)
    assert "Implementation plan" in text and "Training and TA agreement" in text
    # The same reader under a matrix that grants leaders neither plans nor agreements.
    monkeypatch.delitem(access.PERMISSIONS[access.Action.PLAN_VIEW], R.AGENCY_LEADER)
    monkeypatch.delitem(access.PERMISSIONS[access.Action.AGREEMENT_VIEW], R.AGENCY_LEADER)
    text = _render(django_capture_on_commit_callbacks, tmp_path, leader, tenant.agency)
    assert "Implementation plan" not in text and "Applicable steps done" not in text
    assert "Training and TA agreement" not in text and "Version 1" not in text
    assert "Staff roster" in text and "Steering committee" in text


def test_it_prints_long_names_in_full_and_keeps_roster_rows_whole(
    tenant, tmp_path, django_capture_on_commit_callbacks
):
    Agency.objects.filter(pk=tenant.agency.pk).update(
        name=long_word(AGENCY_LETTER, 200),
        partner_employment_agency=long_word(PARTNER_LETTER, 200),
    )
    agency = Agency.objects.get(pk=tenant.agency.pk)
    admin = tenant.user(R.STATE_ADMIN)
    for n in range(30):
        services.staff_member_create(
            user=admin,
            agency=agency,
            name=f"S{n:02d}" + long_word(STAFF_LETTER, 147),
            role=StaffRole.EMPLOYMENT_SPECIALIST,
            fte=Decimal("1"),
            caseload=n,
        )
    _records(tenant)
    trainer = tenant.user(R.STATE_TRAINER)
    document = request_export(
        django_capture_on_commit_callbacks,
        user=trainer,
        kind="agency_summary",
        collaborative=agency.collaborative,
        subject=agency,
    )
    data = document.file.open("rb").read()
    words = pdf_words(data, tmp_path)
    text = pdf_text(data, tmp_path)
    pages = page_count(words)
    assert pages >= 3
    # The name: the heading and the running footer of each page.
    assert text.count(AGENCY_LETTER) == 200 * (1 + pages)
    # The partner: the profile's row (the steering seat is named "Partner agency").
    assert text.count(PARTNER_LETTER) == 200
    # Each person's name in the roster table, and the names the structure checks quote.
    checks = selectors_roster.agency_structure_checks(trainer, agency)
    quoted = sum(c.value.count(STAFF_LETTER) for c in checks)
    assert text.count(STAFF_LETTER) == 147 * 30 + quoted
    start = next(i for i, w in enumerate(words) if w.text == "Caseload")
    rows = {f"entry {n}": [f"S{n:02d}", "Employment", "1.00", str(n)] for n in range(30)}
    assert rows_split(words[start:], rows) == []
    # The roster's header row is repeated on every page its rows run onto.
    end = next(i for i in range(start, len(words)) if words[i].text == "Standard")
    roster = words[start:end]
    roster_pages = {w.page for w in roster if re.match(r"S\d\d" + STAFF_LETTER, w.text)}
    header_pages = {w.page for w in words if w.text == "Caseload"}
    assert len(roster_pages) >= 2 and roster_pages <= header_pages
    assert all(w.x_max <= 612 for w in words), "a word runs past the page's edge"
