"""Tables break lines between words, phones get the overview and Messages as cards with the
action in view, and the agency page keeps its chart, its people list and its profile legible.
Screenshots are written under the system's temporary folder for people to look at."""

from __future__ import annotations

import pytest

from agencies.models import Membership, Role
from tests.e2e.conftest import assert_accessible
from tests.e2e.test_layout_pages import ADMIN, SHOTS, layout_pages  # noqa: F401

pytestmark = pytest.mark.e2e

#: Words of the table's cells (emails aside when asked) that the browser split over two lines.
_SPLIT_WORDS = """
([selector, skipEmails]) => {
  const found = [];
  const cells = selector + " td, " + selector + " tbody th, " + selector + " > li";
  for (const cell of document.querySelectorAll(cells)) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (skipEmails && node.parentElement.closest(".email-text")) continue;
      if (node.parentElement.closest(".visually-hidden")) continue;
      const re = /\\S+/g;
      let m;
      while ((m = re.exec(node.data))) {
        if (m[0].length > 30) continue;  // longer than any cell may be: it may break
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        if (tops.size > 1) found.push(m[0]);
      }
    }
  }
  return found;
}
"""


def _open(page, portal_url, path, width, name):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(portal_url(path))
    page.wait_for_load_state("networkidle")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"polish-{width}-{name}.png"), full_page=True)


@pytest.mark.parametrize("width", [390, 768, 1280])
def test_it_breaks_table_text_between_words(page, layout_pages, portal_url, log_in, width):  # noqa: F811
    log_in(ADMIN)
    problems = []
    # The people page lists its members (one item each), the others are tables.
    where = {
        "people": "main #members",
        "messages": "main table",
        "readiness overview": "main table",
    }
    for name, selector in where.items():
        _open(page, portal_url, layout_pages[name], width, name.replace(" ", "-"))
        split = page.evaluate(_SPLIT_WORDS, [selector, width < 768])
        if split:
            problems.append(f"{name} at {width}px splits {sorted(set(split))[:8]}")
    assert not problems, "\n".join(problems)


def test_it_keeps_each_member_and_their_change_button_in_view_on_a_phone(
    page,
    layout_pages,  # noqa: F811
    portal_url,
    log_in,
):
    log_in(ADMIN)
    _open(page, portal_url, layout_pages["people"], 390, "cards-people")
    items = page.locator("main #members > li").all()
    assert items
    for item in items[:5]:
        for part in (item, item.locator(".btn").first):
            box = part.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert_accessible(page, "people at phone width")


@pytest.mark.parametrize("name", ["readiness overview", "messages"])
def test_it_shows_each_row_as_a_card_with_its_action_in_view_on_a_phone(
    page,
    layout_pages,  # noqa: F811
    portal_url,
    log_in,
    name,
):
    log_in(ADMIN)
    _open(page, portal_url, layout_pages[name], 390, f"cards-{name.replace(' ', '-')}")
    wrapper = page.locator("main .table-responsive").first
    sizes = wrapper.evaluate("(el) => [el.scrollWidth, el.clientWidth]")
    assert sizes[0] <= sizes[1], f"the table is {sizes[0]}px wide in a {sizes[1]}px box"
    for cell in page.locator("main tbody tr").first.locator("th, td").all():
        box = cell.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    if name == "readiness overview":
        button = page.locator("main tbody .btn").first
        box = button.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
        assert page.locator("main tbody td[data-label=Status]").first.is_visible()
    assert_accessible(page, f"{name} at phone width")


def test_it_keeps_the_agency_page_legible_on_a_phone(page, layout_pages, portal_url, log_in):  # noqa: F811
    staffed = (
        Membership.objects.filter(
            collaborative__memberships__user__email=ADMIN,
            role__in=sorted(Role.agency_roles()),
            is_active=True,
        )
        .first()
        .agencies.first()
    )
    log_in(ADMIN)
    _open(page, portal_url, staffed.get_absolute_url(), 390, "agency-page-people")
    gaps = page.evaluate(
        """() => [...document.querySelectorAll('[aria-labelledby=staff-heading] li')].map((li) => {
            const [name, role] = li.querySelectorAll('span');
            const a = name.getBoundingClientRect(), b = role.getBoundingClientRect();
            return a.bottom <= b.top ? 99 : b.left - a.right;
        })"""
    )
    assert gaps and min(gaps) >= 8, gaps
    _open(page, portal_url, layout_pages["agency page"], 390, "agency-page")
    chart = page.locator(".chart-figure svg").first
    box = chart.bounding_box()
    # The chart's text is 11 units of a 640-unit-wide drawing.
    assert box is not None and box["width"] * 11 / 640 >= 10, box
    region = page.locator(".chart-scroll")
    assert region.get_attribute("tabindex") == "0" and region.get_attribute("aria-label")
    assert_accessible(page, "the agency page at phone width")


def test_it_keeps_a_wrapped_profile_label_apart_from_the_next_row(
    page,
    layout_pages,  # noqa: F811
    portal_url,
    log_in,
):
    log_in(ADMIN)
    for width in (1280, 768, 390):
        _open(page, portal_url, layout_pages["agency page"], width, "agency-profile")
        rows = page.evaluate(
            """() => [...document.querySelectorAll('dl.profile dt')].map((dt) => {
                const r = dt.getBoundingClientRect();
                return [dt.innerText, r.top, r.bottom];
            })"""
        )
        for (label, _top, bottom), (after, top, _bottom) in zip(rows, rows[1:], strict=False):
            assert top - bottom >= 4, f"{label!r} touches {after!r} at {width}px"
