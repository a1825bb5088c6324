"""Every survey page in a phone-sized Chromium: no axe-core WCAG 2.2 AA violations, tap targets of at least
24×24 CSS px, no sideways scrolling at 375 and 320 px. Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import pytest

from tests.browser.checks import (
    ARTIFACTS,
    COMFORTABLE_TARGET,
    MIN_TARGET,
    axe_violations,
    describe_violations,
    sideways_overflow,
    tap_targets,
)
from tests.browser.survey_pages import SURVEY_PAGES, Visit

SCREENSHOTS = ARTIFACTS / "screenshots"
EVERY_PAGE = pytest.mark.parametrize("name", list(SURVEY_PAGES))


@pytest.fixture
def show(page, client, make_round):
    """show(name): bring the phone to one of the survey pages."""

    def go(name: str):
        SURVEY_PAGES[name](Visit(page, client, make_round))
        return page

    return go


@EVERY_PAGE
def test_axe_finds_no_wcag_violations(show, name):
    violations = axe_violations(show(name))
    assert not violations, f"axe-core on {name}:\n{describe_violations(violations)}"


@EVERY_PAGE
def test_tap_targets_are_at_least_24_px(show, name, below_44px):
    targets = tap_targets(show(name))
    assert targets, "the page has something to tap"
    if small := [t for t in targets if t["width"] < COMFORTABLE_TARGET or t["height"] < COMFORTABLE_TARGET]:
        below_44px[name] = small
    too_small = [t for t in targets if (t["width"] < MIN_TARGET or t["height"] < MIN_TARGET) and not t["inSentence"]]
    assert not too_small, f"tap targets under {MIN_TARGET}×{MIN_TARGET} CSS px on {name}: {too_small}"


@EVERY_PAGE
def test_page_fits_a_phone_without_sideways_scrolling(show, name):
    page = show(name)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    for width in (375, 320):
        scroll_width, sticking_out = sideways_overflow(page, width)
        assert scroll_width <= width, f"{name} scrolls sideways at {width} px: {sticking_out}"
