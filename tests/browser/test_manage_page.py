"""The manage page on a phone (375×667, Chromium): more seats on a full meeting go to the waiting list and the page
says so; the interpreter and "Andet" fields show only when their box is ticked, and always without JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from survey.kernel.extensions import db
from survey.meetings.models import Registration
from tests.browser.checks import ARTIFACTS, axe_violations, describe_violations, sideways_overflow
from tests.meetings.signup import signed_up_link


def _checked(page: Page, name: str) -> None:
    """axe-clean, fits 375 px, and a screenshot for a person to look at."""
    violations = axe_violations(page)
    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "screenshots" / f"{name}.png", full_page=True)
    assert not violations, f"axe-core on {name}:\n{describe_violations(violations)}"
    scroll_width, sticking_out = sideways_overflow(page, 375)
    assert scroll_width <= 375, f"{name} scrolls sideways: {sticking_out}"


def test_more_seats_on_a_full_meeting_go_to_the_waiting_list(page, client, make_meeting, make_registration, in_app):
    meeting_id = make_meeting(capacity=3)
    link = signed_up_link(client, meeting_id, seats="2")
    make_registration(meeting_id, "Bo", seats=1)  # the meeting is full now
    page.goto(link)
    _checked(page, "tilmelding-ret")
    page.get_by_label("Hvor mange kommer I?").select_option("4")
    page.get_by_role("button", name="Gem tilmeldingen").click()
    expect(page).to_have_title(re.compile("^Din tilmelding"))
    main = page.locator("main")
    expect(main).to_contain_text("Du har 2 pladser til mødet.")
    expect(main).to_contain_text("2 pladser mere står på ventelisten som nummer 1.")
    expect(main).to_contain_text("Mødet er fuldt. Du har beholdt de pladser, du havde")
    _checked(page, "tilmelding-ekstra-pladser-venter")
    with in_app():
        registration = db.session.scalars(select(Registration).where(Registration.name == "Karen Hansen")).one()
        assert (registration.status, registration.seats, registration.seats_waiting) == ("confirmed", 2, 2)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_interpreter_and_other_fields_show_when_their_box_is_ticked(new_page, make_meeting, javascript):
    page = new_page(javascript=javascript)
    page.goto(f"/moeder/{make_meeting()}/tilmeld")
    language, other = page.locator("#interpreter_language"), page.locator("#needs_other")
    if not javascript:  # simply shown
        expect(language).to_be_visible()
        expect(other).to_be_visible()
        return
    expect(language).to_be_hidden()
    expect(other).to_be_hidden()
    page.locator("input[name=needs][value=interpreter]").check()
    expect(language).to_be_visible()
    expect(other).to_be_hidden()
    page.locator("input[name=needs][value=other]").check()
    expect(other).to_be_visible()
    _checked(page, "tilmeld-tolk-vist")
