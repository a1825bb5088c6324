"""A language added by configuration works on a phone: in a right-to-left test language the survey's start page, a
question page and the meeting sign-up have dir="rtl", pass axe-core and fit 320 px without sideways scrolling; in
the pseudo-locale no Danish (untranslated) text is left on them (tests/locales.py). Screenshots of each go to
test-artifacts/screenshots."""

from __future__ import annotations

import re

import pytest
from babel import Locale
from playwright.sync_api import Page

from tests.browser.checks import ARTIFACTS, axe_violations, describe_violations, sideways_overflow
from tests.chromium import PHONE
from tests.factories import SYDDJURS_SURVEY
from tests.live import serve
from tests.locales import PSEUDO, RTL, language_settings, pseudo, questionnaire_in_test_languages, write_catalogues

SCREENSHOTS = ARTIFACTS / "screenshots"
#: data, not UI: the place, the municipality's name, and the policy's focus-area titles (a policy file is the
#: municipality's Danish document and has no other language: data/policies)
DATA = ("Rådhuset, mødesal 1", "Lundbergsvej 2, 8400 Ebeltoft", "Syddjurs Kommune")

#: every text a person meets on the page: text nodes (screen-reader-only ones too) and named attributes
TEXTS = """() => {
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.parentElement.closest('script, style, .language-link')) continue;
    if (node.textContent.trim()) texts.push(node.textContent.trim());
  }
  for (const el of document.querySelectorAll('[aria-label], [placeholder], [title]')) {
    for (const name of ['aria-label', 'placeholder', 'title']) {
      if (el.getAttribute(name)) texts.push(el.getAttribute(name));
    }
  }
  return [document.title, ...texts];
}"""


@pytest.fixture
def languages_server(make_app, tmp_path):
    """The app speaking the test languages, on 127.0.0.1."""
    app = make_app(**language_settings(write_catalogues(tmp_path / "translations")))
    with serve(app) as server:
        yield server


@pytest.fixture
def phone(browser, languages_server):
    context = browser.new_context(**PHONE, base_url=languages_server.url)
    yield context.new_page()
    context.close()


@pytest.fixture
def pages(make_round, make_meeting, tmp_path):
    """(name, how to open it) for the three pages: the survey's start, its first question page, the sign-up."""
    questionnaire = questionnaire_in_test_languages(SYDDJURS_SURVEY, tmp_path / "survey.yaml")
    slug = make_round(questionnaire=questionnaire)
    title = "Dialogue meeting on jobs and education"
    meeting_id = make_meeting(title_en=pseudo(title), description_en=pseudo("We would like to hear from you."))

    def start(page: Page, lang: str) -> None:
        page.goto(f"/s/{slug}/?lang={lang}")

    def question(page: Page, lang: str) -> None:
        start(page, lang)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(re.compile(r"/s/.+/\d+"))

    def signup(page: Page, lang: str) -> None:
        page.goto(f"/moeder/{meeting_id}/tilmeld?lang={lang}")

    return {"survey-start": start, "survey-question": question, "meeting-signup": signup}


@pytest.mark.parametrize("name", ["survey-start", "survey-question", "meeting-signup"])
def test_a_right_to_left_page_is_marked_accessible_and_fits_a_small_phone(phone, pages, name):
    pages[name](phone, RTL)
    assert phone.evaluate("() => [document.documentElement.lang, document.documentElement.dir]") == ["ar-001", "rtl"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=SCREENSHOTS / f"rtl-{name}-375.png", full_page=True)
    violations = axe_violations(phone)
    assert not violations, describe_violations(violations)
    width, wider = sideways_overflow(phone, 320)
    phone.screenshot(path=SCREENSHOTS / f"rtl-{name}-320.png", full_page=True)
    assert width <= 320 and not wider, f"{name} scrolls sideways at 320 px: {width} px, {wider}"


@pytest.fixture
def policy_texts(app, pages) -> list[str]:
    """What the policy files give in Danish only: the focus areas' titles and the contact (unit, hours, address)."""
    from sqlalchemy import select

    from survey.kernel.extensions import db
    from survey.policies.models import FocusArea, Policy

    with app.app_context():
        contacts = [policy.contact for policy in db.session.scalars(select(Policy)) if policy.contact]
        details = [text for c in contacts for text in (c.unit, c.hours, c.address, c.email, c.municipality) if text]
        return [*db.session.scalars(select(FocusArea.title)), *details]


def _locale_words() -> set[str]:
    """Weekday and month names: the pseudo-locale's dates are English CLDR data, not our strings."""
    locale = Locale.parse(PSEUDO)
    return {*locale.days["format"]["wide"].values(), *locale.months["format"]["wide"].values()}


@pytest.mark.parametrize("name", ["survey-start", "survey-question", "meeting-signup"])
def test_the_pseudo_locale_leaves_no_untranslated_text(phone, pages, policy_texts, name):
    pages[name](phone, PSEUDO)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=SCREENSHOTS / f"pseudo-{name}-375.png", full_page=True)
    allowed = re.compile("|".join(map(re.escape, [*DATA, *policy_texts, *_locale_words()])))
    untranslated = [text for text in phone.evaluate(TEXTS) if re.search(r"[A-Za-zÆØÅæøå]{2,}", allowed.sub("", text))]
    assert not untranslated, f"{name} shows text that is not in the page's language: {untranslated}"
    width, wider = sideways_overflow(phone, 320)
    assert width <= 320 and not wider, f"{name} scrolls sideways at 320 px with longer words: {width} px, {wider}"
