"""Phones: at 375 px wide nothing scrolls sideways and the text stays readable; and screenshots
of every page at 375 px and desktop width in test-artifacts/screenshots/ (issue 6)."""

import pytest

from tests.e2e.conftest import DESKTOP, PAGES, PHONE, axe_violations

pytestmark = pytest.mark.browser

# The smallest text we show on a phone, in CSS pixels (Bootstrap's badges: 12 px).
MIN_FONT_PX = 12

# Elements that stick out past the right edge of the viewport, outside any container that
# scrolls sideways on its own (a wide table in .table-responsive may, the page may not). An
# absolutely positioned element is held only by a scroller around its containing block.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const style = (el) => getComputedStyle(el);
  const scrolls = (el) => ["auto", "scroll"].includes(style(el).overflowX);
  const inScroller = (el) => {
    const position = style(el).position;
    if (position === "fixed") return false;
    let p = el.parentElement;
    if (position === "absolute") {
      while (p && p !== document.body && style(p).position === "static") p = p.parentElement;
    }
    for (; p && p !== document.body; p = p.parentElement) {
      if (scrolls(p)) return true;
    }
    return false;
  };
  return [...document.body.querySelectorAll("*")]
    .filter((el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && r.right > width + 0.5 && !inScroller(el);
    })
    .slice(0, 10)
    .map((el) => [el.localName + (el.id ? "#" + el.id : ""), ...el.classList].join("."));
}"""

# Visible text rendered smaller than `min` CSS pixels (SVG text scaled with its viewBox).
SMALL_TEXT = """(min) => {
  const small = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || !el.checkVisibility() || el.closest(".visually-hidden")) {
      continue;
    }
    let size = parseFloat(getComputedStyle(el).fontSize);
    if (el instanceof SVGElement) size *= el.getScreenCTM().a;
    if (size < min) small.push(`${node.textContent.trim().slice(0, 40)} (${size.toFixed(1)}px)`);
  }
  return small;
}"""


def screenshot(page, path) -> None:
    """The whole page, in a viewport as tall as the page: a full-page capture would show sticky
    parts (the questionnaire's submit bar) where the first screen ends, over other content."""
    viewport = page.viewport_size
    height = page.evaluate("() => document.documentElement.scrollHeight")
    page.set_viewport_size({"width": viewport["width"], "height": max(height, viewport["height"])})
    page.screenshot(path=path)
    page.set_viewport_size(viewport)


@pytest.mark.parametrize("name", PAGES)
def test_page_fits_a_phone(open_page, page, screenshots_dir, name):
    page.set_viewport_size(PHONE)
    open_page(name)
    screenshot(page, screenshots_dir / f"{name}-375.png")
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    overflowing = page.evaluate(OVERFLOWING)
    assert widths[0] <= widths[1] and not overflowing, (
        f"{name} scrolls sideways at 375 px (scrollWidth {widths[0]} > {widths[1]}); "
        f"sticking out: {overflowing}"
    )
    small = page.evaluate(SMALL_TEXT, MIN_FONT_PX)
    assert not small, f"{name}: text under {MIN_FONT_PX} px at 375 px: {small}"
    violations = axe_violations(page)
    assert not violations, f"axe on {name} at 375 px:\n" + "\n".join(violations)

    page.set_viewport_size(DESKTOP)
    screenshot(page, screenshots_dir / f"{name}-1280.png")
