"""The PDF reports keep every table row whole on one page and print long unbroken text in
full: a 3,000-character word wraps inside its cell instead of running off the page and taking
the columns beside it along.

Each report is rendered through the document pipeline (the worker's render, run when the
test's transaction commits) and read back with poppler's ``pdftotext``: ``-bbox`` gives each
word with its page and position, so a row split over two pages shows as its cells' words on
different pages, and text cut at the page's edge is missing from the output.
"""

from __future__ import annotations

import datetime
import html
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.utils.formats import date_format

from agencies.models import Agency, Role
from ipsportal.models import Document
from readiness import services as readiness_services
from readiness.models import ReadinessVisit
from tests.factories import grant, make_user
from tests.ipsportal.test_documents import make_visit as history_visit
from tests.ipsportal.test_documents import request_export
from tests.readiness.helpers import complete_data, report_deliveries, visit_report

#: Letters that appear nowhere else in the reports, one per long field, so counting a letter in
#: the extracted text counts that field's characters exactly.
NOTE_LETTER = "Ж"
STEP_LETTER = "Ψ"
OWNER_LETTER = "Ω"
NAME_LETTER = "Ђ"
AGENCY_LETTER = "Ћ"
ACTIVITY_LETTER = "Ѯ"
BARRIER_LETTER = "Ѱ"

LONG = 3000


@dataclass(frozen=True)
class Word:
    page: int
    x_min: float
    y_min: float
    x_max: float
    y_max: float
    text: str


def pdf_words(data: bytes, tmp_path: Path) -> list[Word]:
    """Every word of the PDF with its page (from 1) and box, as ``pdftotext -bbox`` reads it."""
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    out = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    words: list[Word] = []
    page = 0
    for line in out.splitlines():
        if "<page " in line:
            page += 1
            continue
        found = re.search(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>',
            line,
        )
        if found:
            x0, y0, x1, y1 = (float(found.group(i)) for i in range(1, 5))
            words.append(Word(page, x0, y0, x1, y1, html.unescape(found.group(5))))
    return words


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "layout.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def long_word(letter: str, length: int = LONG) -> str:
    return letter * length


def short_word(letter: str, length: int = LONG) -> str:
    return letter * 12


def make_long_visit(
    tenant, *, leaders: int = 1, steps: int = 30, long: bool = True, send_email: bool = False
) -> ReadinessVisit:
    """A finalized visit of ``steps`` action steps and ``leaders`` leaders; with ``long``, of
    an agency with a 200-character one-word name, and area notes, first action step, owners,
    people and activity notes each one unbroken word (the report is rendered when the test's
    transaction commits)."""
    word = long_word if long else short_word
    if long:
        Agency.objects.filter(pk=tenant.agency.pk).update(name=long_word(AGENCY_LETTER, 200))
    trainer = tenant.user(Role.STATE_TRAINER)
    visit = readiness_services.visit_create(
        user=trainer, agency=Agency.objects.get(pk=tenant.agency.pk)
    )
    data = complete_data(visit)
    data["activity_notes"] = word(ACTIVITY_LETTER, 2000)
    data["barriers"] = word(BARRIER_LETTER) + "\nStaff doubt clients can work"
    data["leaders"] = [
        {"name": word(NAME_LETTER, 150) if n == 0 else f"Leader {n}", "title": "Director"}
        for n in range(leaders)
    ]
    data["ratings"] = {
        area.key: {
            "rating": "work_needed" if n % 3 == 0 else "ready",
            "notes": word(NOTE_LETTER) if n == 5 else f"Notes on {area.title}",
        }
        for n, area in enumerate(visit.checklist.areas)
    }
    data["action_steps"] = [
        {
            "text": f"Step {n + 1} " + (word(STEP_LETTER, 1990) if n == 0 else "x" * 80),
            "owner": f"Owner {n + 1} " + (word(OWNER_LETTER, 190) if n == 0 else ""),
            "target_date": datetime.date(2030, 1, 1) + datetime.timedelta(days=n),
            "area_key": "financing",
        }
        for n in range(steps)
    ]
    data["recipients"][0]["name"] = word(NAME_LETTER, 150)
    visit = readiness_services.visit_save_draft(
        user=trainer, visit=visit, data=data, expected_version=visit.version
    )
    return readiness_services.visit_finalize(
        user=trainer, visit=visit, expected_version=visit.version, send_email=send_email
    )


def page_count(words: list[Word]) -> int:
    return max(w.page for w in words)


def rows_split(words: list[Word], rows: dict[str, list[str]]) -> list[str]:
    """The rows (each named by a label and given as the first word of each of its cells, in
    reading order) whose cells do not all start on the same page."""
    problems = []
    start = 0
    for label, cells in rows.items():
        pages = []
        for cell in cells:
            index = next(
                (i for i in range(start, len(words)) if words[i].text.startswith(cell)), None
            )
            if index is None:
                problems.append(f"{label}: {cell!r} is missing")
                break
            pages.append(words[index].page)
            start = index + 1
        if len(set(pages)) > 1:
            problems.append(f"{label}: its cells start on pages {pages}")
    return problems


def ratings_split(words: list[Word], areas) -> list[str]:
    """The areas of the ratings table whose name and mark are not side by side on one page."""
    start = next(i for i, w in enumerate(words) if w.text == "Summary")
    marks = [w for w in words[start:] if w.text == "\u2713"]
    problems = []
    for number, area in enumerate(areas, start=1):
        name = next(w for w in words[start:] if w.text == f"{number}.")
        start = words.index(name) + 1
        beside = [m for m in marks if m.page == name.page and abs(m.y_min - name.y_min) < 6]
        if not beside:
            problems.append(f"area {number} ({area.title}) has no mark beside its name")
    return problems


def render_record(visit_builder, django_capture_on_commit_callbacks) -> tuple:
    with django_capture_on_commit_callbacks(execute=True):
        visit = visit_builder()
    document = visit_report(visit)
    assert document.status == Document.Status.READY, document.error
    return visit, document.file.open("rb").read()


def test_it_prints_every_long_unbroken_text_of_a_visit_report_in_full(
    tenant, django_capture_on_commit_callbacks, tmp_path
):
    visit, data = render_record(lambda: make_long_visit(tenant), django_capture_on_commit_callbacks)
    text = pdf_text(data, tmp_path)
    pages = text.count("\f")
    assert text.count(NOTE_LETTER) == LONG
    assert text.count(BARRIER_LETTER) == LONG
    assert text.count(STEP_LETTER) == 1990
    assert text.count(ACTIVITY_LETTER) == 2000
    assert text.count(OWNER_LETTER) == 190
    assert text.count(NAME_LETTER) == 150 * 2  # a leader and a recipient
    # The name: heading, running line, the facts table and the running footer of each page.
    assert text.count(AGENCY_LETTER) == 200 * (3 + pages)
    # No column is pushed off the page: every step's owner and target date are printed.
    for step in visit.action_steps.all():
        assert date_format(step.target_date, "M j, Y") in text, step.target_date
    words = pdf_words(data, tmp_path)
    width = 612  # US Letter, in points
    assert all(w.x_max <= width for w in words), "a word runs past the page's edge"


@pytest.mark.parametrize("leaders", [2, 6, 10, 14])
def test_it_keeps_each_row_of_a_visit_report_on_one_page(
    tenant, django_capture_on_commit_callbacks, tmp_path, leaders
):
    # The number of leaders moves the page breaks through the ratings and the steps tables.
    def build():
        return make_long_visit(tenant, leaders=leaders, steps=40, long=False)

    visit, data = render_record(build, django_capture_on_commit_callbacks)
    words = pdf_words(data, tmp_path)
    assert page_count(words) >= 3
    assert ratings_split(words, visit.checklist.areas) == []
    steps = {
        f"step {n}": [str(n), "Step", "Area:", "Owner", date_format(step.target_date, "M")]
        for n, step in enumerate(visit.action_steps.all(), start=1)
    }
    start = next(i for i, w in enumerate(words) if w.text == "Target")
    assert rows_split(words[start:], steps) == []
    # The header row is repeated on each page the steps run onto.
    step_pages = {w.page for w in words[start:] if w.text == "Step"}
    header_pages = {w.page for w in words if w.text == "Target"}
    assert len(step_pages) >= 2 and step_pages <= header_pages


def test_it_keeps_each_row_of_a_readiness_history_whole_and_prints_a_long_name_in_full(
    tenant, django_capture_on_commit_callbacks, tmp_path
):
    Agency.objects.filter(pk=tenant.agency.pk).update(name=long_word(AGENCY_LETTER, 200))
    for n in range(45):
        history_visit(tenant, days_ago=n + 1, work_needed_every=2 + n % 4)
    document = request_export(
        django_capture_on_commit_callbacks,
        user=tenant.user(Role.STATE_TRAINER),
        kind="readiness_history",
        collaborative=tenant.collaborative,
        subject=tenant.agency,
    )
    data = document.file.open("rb").read()
    words = pdf_words(data, tmp_path)
    text = pdf_text(data, tmp_path)
    pages = page_count(words)
    assert pages >= 2
    # The name: the heading, the chart table's caption and the running footer of each page.
    assert text.count(AGENCY_LETTER) == 200 * (2 + pages)
    visits = ReadinessVisit.objects.filter(agency=tenant.agency).order_by("-visit_date")
    rows = {
        f"visit of {v.visit_date}": [
            date_format(v.visit_date, "F"),
            str(v.ready_count),
            str(v.work_needed_count),
            date_format(tenant.collaborative.local(v.finalized_at), "F"),
        ]
        for v in visits
    }
    start = next(
        i for i, w in enumerate(words) if w.text == "visits" and words[i - 1].text == "Finalized"
    )
    assert rows_split(words[start:], rows) == []
    assert all(w.x_max <= 612 for w in words), "a word runs past the page's edge"


def test_it_keeps_each_row_of_an_agency_summary_whole_and_prints_long_names_in_full(
    tenant, django_capture_on_commit_callbacks, tmp_path
):
    Agency.objects.filter(pk=tenant.agency.pk).update(
        name=long_word(AGENCY_LETTER, 200), street=long_word(BARRIER_LETTER, 200)
    )
    for n in range(40):
        user = make_user(full_name=f"Staff{n:02d}" + long_word(NAME_LETTER, 140))
        grant(user, tenant.collaborative, Role.EMPLOYMENT_SPECIALIST, [tenant.agency])
    document = request_export(
        django_capture_on_commit_callbacks,
        user=tenant.user(Role.STATE_TRAINER),
        kind="agency_summary",
        collaborative=tenant.collaborative,
        subject=tenant.agency,
    )
    data = document.file.open("rb").read()
    words = pdf_words(data, tmp_path)
    text = pdf_text(data, tmp_path)
    pages = page_count(words)
    assert pages >= 2
    assert text.count(NAME_LETTER) == 140 * 40
    assert text.count(BARRIER_LETTER) == 200
    # The name: the heading and the running footer of each page.
    assert text.count(AGENCY_LETTER) == 200 * (1 + pages)
    rows = {f"staff {n}": [f"Staff{n:02d}", "Employment"] for n in range(40)}
    start = next(i for i, w in enumerate(words) if w.text == "Role")
    assert rows_split(words[start:], rows) == []
    assert all(w.x_max <= 612 for w in words), "a word runs past the page's edge"


def test_it_writes_long_unbroken_text_in_full_in_the_report_email(
    tenant, django_capture_on_commit_callbacks
):
    from readiness.deliveries import report_message

    with django_capture_on_commit_callbacks(execute=True):
        visit = make_long_visit(tenant, send_email=True)
    delivery = report_deliveries(visit).first()
    assert delivery is not None
    body = report_message(delivery).body
    # Plain text: the mail client wraps it; nothing is shortened on the way.
    assert body.count(STEP_LETTER) == 1990
    assert body.count(OWNER_LETTER) == 190
    assert body.count(BARRIER_LETTER) == LONG
    assert body.count(AGENCY_LETTER) == 200
    # A recipient's name: in the list of everyone the report went to.
    assert body.count(NAME_LETTER) == 150
    for step in visit.action_steps.all():
        assert date_format(step.target_date, "F j, Y") in body
