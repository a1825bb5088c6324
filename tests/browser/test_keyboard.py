"""Keyboard only, with JavaScript on and off: a whole survey answered with Tab, arrow keys, Space and Enter,
and an error summary that takes focus and leads to the field."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from survey.questionnaire.models import Answer, Question
from tests.browser.keyboard import choose_radio, focused, press_button, tab_until, type_into

COMMENT = "Min sagsbehandler svarede hurtigt."
# Chosen in page order; questions left out are skipped. "1" is a group's first option (Space), "dont_know" its last.
KEYBOARD_ANSWERS = {
    "din-sag": {"hjaelp": "hverdag"},
    "hverdagen": {"tilfreds-hjem": "4"},  # the block of the route chosen
    "overblik": {"ved-hvad-der-sker": "2", "ved-hvem-kontakte": "dont_know"},
    "moedet": {"tilfreds-respekt": "5"},
    "hjaelpen": {"tilfreds-hjaelp": "1"},
    "egne-ord": {"kommentar": COMMENT, "maa-citere": "yes"},
    "om-dig": {"alder": "80-plus"},
}
JS_ON_AND_OFF = pytest.mark.parametrize("page_fixture", ["page", "page_no_js"], ids=["js", "no-js"])


def start_survey(page, slug: str) -> None:
    page.goto(f"/s/{slug}/")
    press_button(page, "Start undersøgelsen")
    page.wait_for_url("**/side/1")


@JS_ON_AND_OFF
def test_whole_survey_can_be_answered_with_the_keyboard(request, page_fixture, make_round, in_app):
    page = request.getfixturevalue(page_fixture)
    start_survey(page, make_round())
    for number, answers in enumerate(KEYBOARD_ANSWERS.values(), start=1):
        for name, value in answers.items():
            if name == "kommentar":
                type_into(page, name, value)
            else:
                choose_radio(page, name, value)
        press_button(page, "Fortsæt")
        page.wait_for_url("**/tjek" if number == len(KEYBOARD_ANSWERS) else f"**/side/{number + 1}")
    press_button(page, "Send svar")
    expect(page).to_have_title(re.compile(r"^Tak for dine svar"))
    expect(page.locator("h1")).to_have_text("Tak for dine svar")

    with in_app() as session:
        stored = {a.question.key: a for a in session.scalars(select(Answer).join(Question))}
        assert set(stored) == {name for answers in KEYBOARD_ANSWERS.values() for name in answers}
        assert stored["hjaelp"].choice == "hverdag"
        assert (stored["ved-hvad-der-sker"].score, stored["tilfreds-respekt"].score) == (2, 5)
        assert stored["tilfreds-hjaelp"].score == 1
        assert (stored["ved-hvem-kontakte"].choice, stored["ved-hvem-kontakte"].score) == ("dont_know", None)
        assert stored["tilfreds-hjem"].score == 4
        assert stored["kommentar"].text == COMMENT and stored["kommentar"].may_quote
        assert stored["alder"].choice == "80-plus"


@JS_ON_AND_OFF
def test_error_summary_takes_focus_and_its_link_leads_to_the_first_option(request, page_fixture, make_round):
    page = request.getfixturevalue(page_fixture)
    start_survey(page, make_round())
    press_button(page, "Fortsæt")  # nothing chosen in the required routing question
    expect(page).to_have_title(re.compile(r"^Fejl: "))  # waits for the page the form post brings back
    summary = page.locator(".js-error-summary")
    expect(summary).to_be_focused()

    link = tab_until(page, lambda el: el["tag"] == "a", "the error summary's link")
    assert link["href"] == "#hjaelp" and link["text"]
    page.keyboard.press("Enter")
    expect(page.locator("#hjaelp")).to_be_focused()
    assert focused(page)["type"] == "radio"
