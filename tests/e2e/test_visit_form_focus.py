"""The visit form's sticky save bar never hides the field that has the keyboard focus
(WCAG 2.4.11), on a laptop and on a phone, and stays compact on a phone."""

import pytest
from playwright.sync_api import expect

from readiness.models import ReadinessVisit
from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.e2e

TRAINER = "mo.trainer@example.org"

# Once the page stopped scrolling (the focus may scroll it smoothly): where the focused element
# shows its focus, and whether the save bar covers any of it.
_FOCUS_BOX = """() => new Promise((done) => {
  let last = null, still = 0, frames = 0;
  const settle = () => {
    still = scrollY === last ? still + 1 : 0;
    last = scrollY;
    frames += 1;
    if (still < 5 && frames < 180) requestAnimationFrame(settle); else measure();
  };
  requestAnimationFrame(settle);
  const measure = () => {
  const el = document.activeElement;
  const form = document.getElementById("visit-form");
  const bar = form.querySelector(".visit-bar");
  let target = el;
  if (el.classList.contains("btn-check")) target = form.querySelector(`label[for="${el.id}"]`);
  const box = target.getBoundingClientRect();
  const b = bar.getBoundingClientRect();
  const inBar = bar.contains(el);
  const overlaps = box.bottom > b.top && box.top < b.bottom && box.right > b.left
    && box.left < b.right;
  const x = Math.min(Math.max(box.left + box.width / 2, 0), innerWidth - 1);
  const y = Math.min(Math.max(box.bottom - 2, 0), innerHeight - 1);
  const onTop = document.elementFromPoint(x, y);
  done({
    stop: `${el.tagName.toLowerCase()} ${el.name || el.id || el.textContent.trim().slice(0, 40)}`,
    inForm: form.contains(el),
    inBar,
    covered: !inBar && (overlaps || (onTop !== null && bar.contains(onTop))),
    offScreen: box.top < 0 || box.bottom > innerHeight,
  });
  };
})"""


def _walk_the_form(page) -> list[dict]:
    """Every Tab stop of the visit form, from its first field to the save bar's last button."""
    page.locator(".visit-sections a").last.focus()
    stops = []
    for _ in range(400):
        page.keyboard.press("Tab")
        found = page.evaluate(_FOCUS_BOX)
        if not found["inForm"]:
            break
        stops.append(found)
    return stops


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 800}, {"width": 390, "height": 844}], ids=str
)
def test_it_keeps_every_focused_field_clear_of_the_save_bar(
    page, demo_data, portal_url, log_in, viewport
):
    page.set_viewport_size(viewport)
    visit = ReadinessVisit.objects.get(agency__name="Arch City Wellness")
    log_in(TRAINER)
    page.goto(portal_url(f"/readiness/visits/{visit.pk}/edit/"))
    expect(page.locator("#save-status")).to_contain_text("Saved at")

    stops = _walk_the_form(page)

    assert len(stops) > 60, [s["stop"] for s in stops]  # the walk went through the whole form
    assert stops[-1]["inBar"]  # and ended on the bar's buttons
    hidden = [s["stop"] for s in stops if s["covered"] or s["offScreen"]]
    assert hidden == [], f"{len(hidden)} of {len(stops)} Tab stops hidden: {hidden}"
    assert_accessible(page, f"the visit form at {viewport['width']}px")


def test_it_gives_the_save_bar_little_of_a_phone_screen(page, demo_data, portal_url, log_in):
    page.set_viewport_size({"width": 390, "height": 844})
    visit = ReadinessVisit.objects.get(agency__name="Arch City Wellness")
    log_in(TRAINER)
    page.goto(portal_url(f"/readiness/visits/{visit.pk}/edit/"))
    bar = page.get_by_role("region", name="Save the visit")
    expect(bar.get_by_role("status")).to_contain_text("Saved at")

    share = bar.bounding_box()["height"] / 844
    assert share < 0.12, f"the save bar takes {share:.0%} of the screen"
    # Still whole: the progress, the save status and both buttons, each button a big target.
    expect(bar).to_contain_text("areas rated")
    for name in ("Save draft", "Review and finalize"):
        button = bar.get_by_role("button", name=name)
        expect(button).to_be_visible()
        assert button.bounding_box()["height"] >= 44
