"""The survey's steps as the benchmarks walk them: whatever a question page asks, answered from the walker's
Syddjurs answers (tests/questionnaire/walker.py) where it names the question, otherwise with its first option or a
few words. So the walks follow the questionnaire and the round's setting (whole pages or one question per page)
instead of a fixed list of pages, and count the requests a completed survey takes."""

from __future__ import annotations

import re

#: a question's field on a page: a radio of the scale or choice, or a free-text area (never the honeypot, an input)
_RADIO = re.compile(r'<input class="form-radio" type="radio" id="[^"]*" name="([^"]+)" value="([^"]*)"')
_TEXTAREA = re.compile(r'<textarea class="form-input" id="[^"]*" name="([^"]+)"')
OWN_WORDS = "Sagsbehandleren ringede altid tilbage."


def known_answers() -> dict[str, str]:
    """The walker's answers by question id."""
    from tests.questionnaire.walker import SYDDJURS_ANSWERS

    return {name: value for page in SYDDJURS_ANSWERS.values() for name, value in page.items()}


def answers_on(html: str, known: dict[str, str]) -> dict[str, str]:
    """An answer to every question on a question page."""
    answers: dict[str, str] = {}
    for name, value in _RADIO.findall(html):
        answers.setdefault(name, known.get(name, value))
    for name in _TEXTAREA.findall(html):
        answers[name] = known.get(name, OWN_WORDS)
    return answers


def is_step(path: str) -> bool:
    """True for the address of a question page (a step), False for the review that follows the last."""
    return "/side/" in path
