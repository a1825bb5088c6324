"""What only a browser shows of the easy-read slips, at 375×667: no stray "•" above a meeting card, a recovery code
or a meeting fact; the sign-up's back link and date on lines of their own; the contact in the footer. Each page
stays axe-clean. Screenshots in test-artifacts/ (easy-read-*.png)."""

from __future__ import annotations

import pyotp
from playwright.sync_api import Page

from tests.browser.checks import ARTIFACTS, axe_violations, describe_violations
from tests.browser.staff import password_step

#: the text each list item's ::before puts on the screen (DKFDS gives a bare <ul>'s items a "•")
MARKERS = """selector => Array.from(document.querySelectorAll(selector)).map(
    item => getComputedStyle(item, '::before').content)"""


def markers(page: Page, selector: str) -> list[str]:
    return [content for content in page.evaluate(MARKERS, selector) if content not in ("none", "normal", '""')]


def axe_clean(page: Page, name: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe-core on {name}:\n{describe_violations(violations)}"


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"easy-read-{name}.png", full_page=True)


def test_no_stray_bullet_above_meeting_cards_or_facts(page, make_meeting):
    meeting_id = make_meeting()
    make_meeting(policy="norddjurs", title="Borgeren først")
    page.goto("/moeder/")
    assert page.locator(".meeting-card").count() == 2
    assert markers(page, ".meeting-card") == []
    shot(page, "moedeliste")
    axe_clean(page, "the meeting list")
    page.goto(f"/moeder/{meeting_id}")
    assert markers(page, ".plain-list > li") == []
    axe_clean(page, "the meeting page")


def test_no_stray_bullet_above_the_recovery_codes(page, make_staff):
    password_step(page, make_staff("admin", second_factor=False), "/personale/totrin/opsaet")
    secret = page.inner_text("#secret").replace(" ", "")
    page.fill("#code", pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Bekræft").click()
    page.wait_for_selector("text=Dine reservekoder")
    items = page.locator("main li:has(.code)")
    assert items.count() >= 8
    assert markers(page, "main li:has(.code)") == []


def test_the_back_link_and_the_date_do_not_share_a_line(page, make_meeting):
    page.goto(f"/moeder/{make_meeting(title='Dialogmøde: Job og uddannelse')}/tilmeld")
    back = page.locator("main .back-link").bounding_box()
    heading = page.locator("main h1").bounding_box()
    caption = page.locator("main .caption").bounding_box()
    assert caption["y"] >= back["y"] + back["height"], "the meeting's title starts below the back link"
    assert heading["y"] >= caption["y"] + caption["height"]
    assert page.locator("main h1").inner_text() == "Tilmeld dig"
    shot(page, "tilmelding")
    axe_clean(page, "the sign-up page")


def test_a_survey_page_footer_gives_a_human_to_call(page, make_round):
    page.goto(f"/s/{make_round()}/")
    footer = page.locator("footer .footer-contact")
    assert "87 53 50 00" in footer.inner_text()
    footer.scroll_into_view_if_needed()
    page.screenshot(path=ARTIFACTS / "easy-read-undersoegelse-sidefod.png")
    axe_clean(page, "the survey start page")
