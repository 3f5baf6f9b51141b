"""The pages trainers, supervisors and state admins use fit a phone, a tablet and a desktop:
nothing makes the page scroll sideways, every button is whole and on screen (or inside a
table that scrolls on its own, reachable with the keyboard), and long unbroken text wraps
instead of stretching the page.

The demo data is topped up with what breaks layouts: long agency and region names, a word of
3,000 characters in a visit's notes, long action steps, many rows. Screenshots of each page at
each width are written under the system's temporary folder for people to look at.
"""

from __future__ import annotations

import datetime
import tempfile
from pathlib import Path

import pytest

from agencies import services as agency_services
from agencies.models import Agency, ImplementationArea, Region
from ipsportal import services as portal_services
from ipsportal.models import User
from readiness import services as readiness_services
from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.e2e

ADMIN = "mo.admin@example.org"
SHOTS = Path(tempfile.gettempdir()) / "ips-layout-screenshots"
WIDTHS = [390, 768, 820, 1280]
LONG_WORD = "Ж" * 3000
LONG_NAME = (
    "Northeast Missouri Community Behavioral Health, Recovery and Employment Services "
    "Cooperative of the Greater Mississippi River Valley"
)


def _seed(collaborative) -> dict[str, str]:
    """What breaks layouts, added to the demo collaborative; returns the pages' paths."""
    admin = User.objects.get(email=ADMIN)
    region = Region.objects.create(
        collaborative=collaborative,
        name="Northeast and Mississippi River Valley counties (Clark, Lewis, Marion, Ralls)",
    )
    for n in range(30):
        Agency.objects.create(
            collaborative=collaborative,
            name=f"{LONG_NAME} {n:02d}",
            slug=f"long-agency-{n:02d}",
            city="Hannibal-on-the-Mississippi-Riverfront-District",
            region=region,
        )
    unbroken = Agency.objects.create(
        collaborative=collaborative,
        name="Agency" + "Ћ" * 150,
        slug="unbroken-agency",
        region=region,
    )
    gateway = Agency.objects.get(collaborative=collaborative, name="Gateway Recovery Center")

    def long_visit(agency):
        visit = readiness_services.visit_create(user=admin, agency=agency)
        areas = visit.checklist.areas
        data = {
            "visit_date": collaborative.today() - datetime.timedelta(days=2),
            "met_leadership": True,
            "activity_notes": LONG_WORD[:2000],
            "leaders": [{"name": "Ђ" * 150, "title": "Director of everything " * 6}],
            "ratings": {
                a.key: {
                    "rating": "ready" if n % 2 else "work_needed",
                    "notes": LONG_WORD if n < 2 else f"Notes on {a.title}",
                }
                for n, a in enumerate(areas)
            },
            "barriers": LONG_WORD + "\nStaff doubt clients can work",
            "facilitators": "Strong VR partnership",
            "action_steps": [
                {
                    "text": LONG_WORD[:2000] if n == 0 else f"Action step {n} " + "x" * 120,
                    "owner": "Ω" * 200 if n == 0 else f"Owner {n}",
                    "target_date": datetime.date(2030, 1, 1) + datetime.timedelta(days=n),
                    "area_key": areas[n % len(areas)].key,
                }
                for n in range(12)
            ],
            "recipients": [
                {
                    "name": f"Recipient {n} " + "Ѱ" * 80,
                    "email": f"recipient{n}.with.a.very.long.address.{'y' * 40}@example.org",
                    "role": "Executive director",
                    "vr_copy": n == 0,
                }
                for n in range(3)
            ],
        }
        return readiness_services.visit_save_draft(
            user=admin, visit=visit, data=data, expected_version=visit.version
        )

    final = long_visit(gateway)
    final = readiness_services.visit_finalize(
        user=admin, visit=final, expected_version=final.version, send_email=True
    )
    draft = long_visit(unbroken)
    plan = agency_services.implementation_plan_create(user=admin, agency=gateway)
    agency_services.implementation_steps_add(
        user=admin,
        plan=plan,
        steps=[
            {
                "area": ImplementationArea.FUNDING if n % 2 else ImplementationArea.OTHER,
                "action": LONG_WORD[:2000] if n == 0 else f"Plan step {n} " + "y" * 150,
                "responsible": "Ω" * 200 if n == 0 else f"Person responsible {n}",
                "target_date": datetime.date(2030, 2, 1),
            }
            for n in range(25)
        ],
    )
    document = portal_services.document_request(
        user=admin,
        kind="agency_summary",
        collaborative=collaborative,
        subject=gateway,
        title="Agency summary of " + "Ћ" * 150,
    )
    return {
        "home": "/",
        "agency list": "/agencies/",
        "agency page": gateway.get_absolute_url(),
        "agency page, unbroken name": unbroken.get_absolute_url(),
        "people": "/agencies/people/",
        "plan": f"/agencies/{gateway.pk}/plan/",
        "readiness overview": "/readiness/",
        "visit start": f"/readiness/visits/new/?agency={unbroken.pk}",
        "visit form": f"/readiness/visits/{draft.pk}/edit/",
        "visit page": f"/readiness/visits/{final.pk}/",
        "finalize page": f"/readiness/visits/{draft.pk}/finalize/",
        "document status": document.get_absolute_url(),
        "messages": "/deliveries/",
    }


@pytest.fixture
def layout_pages(demo_data) -> dict[str, str]:
    admin = User.objects.get(email=ADMIN)
    collaborative = admin.memberships.get().collaborative
    return _seed(collaborative)


#: Every button and button-like link of the main content that is cut off or off screen,
#: unless it sits inside a scroll region (an element that scrolls sideways on its own), which
#: must then be focusable and labelled so a keyboard user can scroll it.
_CLIPPED_CONTROLS = """
() => {
  const width = window.innerWidth;
  const inScroller = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const style = getComputedStyle(p);
      if (["auto", "scroll"].includes(style.overflowX) && p.scrollWidth > p.clientWidth) return p;
    }
    return null;
  };
  const found = [];
  for (const el of document.querySelectorAll("main button, main .btn, main input[type=submit]")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || getComputedStyle(el).visibility === "hidden") continue;
    const label = (el.innerText || el.value || "").trim().slice(0, 60);
    if (el.scrollWidth > el.clientWidth + 1) found.push(`${label}: its text is cut off`);
    const scroller = inScroller(el);
    if (scroller) {
      const named = scroller.getAttribute("aria-label") || scroller.getAttribute("aria-labelledby");
      if (scroller.tabIndex < 0 || !named)
        found.push(`${label}: its scroll region is not a labelled, focusable region`);
    } else if (box.left < -1 || box.right > width + 1) {
      const where = `${Math.round(box.left)}..${Math.round(box.right)}`;
      found.push(`${label}: off screen (${where} of ${width})`);
    }
  }
  return found;
}
"""


@pytest.mark.parametrize("width", WIDTHS)
def test_it_fits_every_page_to_the_screen_without_sideways_scrolling(
    page, layout_pages, portal_url, log_in, width
):
    SHOTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": width, "height": 900})
    log_in(ADMIN)
    problems = []
    for name, path in layout_pages.items():
        page.goto(portal_url(path))
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(SHOTS / f"{width}-{name.replace(' ', '-')}.png"), full_page=True)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            problems.append(f"{name}: the page is {scroll_width}px wide at {width}px")
        for control in page.evaluate(_CLIPPED_CONTROLS):
            problems.append(f"{name}: {control}")
        height = page.evaluate("document.documentElement.scrollHeight")
        if height > 40_000:
            problems.append(f"{name}: the page is {height}px tall at {width}px")
    assert not problems, "\n".join(problems)


def test_it_wraps_a_visit_with_3000_character_words_at_phone_width(
    page, layout_pages, portal_url, log_in
):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(ADMIN)
    page.goto(portal_url(layout_pages["visit page"]))
    assert page.evaluate("document.documentElement.scrollWidth") == 390
    # Some 13,000 characters of unbroken words at 30 or so to a line: tall, not absurd (a
    # note squeezed into a narrow column made the page twice as tall).
    assert page.evaluate("document.documentElement.scrollHeight") < 32_000
    notes = page.get_by_text(LONG_WORD, exact=True).first
    box = notes.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert_accessible(page, "the visit page at phone width")


def test_it_lets_a_keyboard_user_scroll_the_plan_table_to_the_mark_done_button(
    page, layout_pages, portal_url, log_in
):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(ADMIN)
    page.goto(portal_url(layout_pages["plan"]))
    button = page.get_by_role("button", name="Mark done").first
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert_accessible(page, "the implementation plan at phone width")
