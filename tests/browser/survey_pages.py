"""Every page a citizen can meet in a survey, each as a small recipe that brings the browser there.

The state behind a page (a draft, answers, a sent response) is made with the test client's Citizen, so that
the browser only opens what is to be checked; pages with errors are made by posting the form in the browser."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from playwright.sync_api import Page, expect

from tests.questionnaire.walker import SYDDJURS_ANSWERS, Citizen


def answer_survey(page: Page) -> None:
    """Every page of the Syddjurs survey, answered as in the client tests, then sent."""
    page.get_by_role("button", name="Start undersøgelsen").click()
    for answers in SYDDJURS_ANSWERS.values():
        for name, value in answers.items():
            if name == "kommentar":
                page.fill(f"textarea[name='{name}']", value)
            else:
                page.check(f"input[name='{name}'][value='{value}']")
        page.get_by_role("button", name="Fortsæt", exact=True).click()
    expect(page).to_have_title(re.compile("^Tjek dine svar"))
    page.get_by_role("button", name="Send svar", exact=True).click()
    expect(page).to_have_title(re.compile("^Tak for dine svar"))


@dataclass
class Visit:
    page: Page
    client: object  # the checked Flask test client
    make_round: Callable[..., str]

    def citizen(self, answered: bool = False) -> Citizen:
        """A citizen with a started draft, every page answered when `answered`."""
        citizen = Citizen(self.client, self.make_round())
        citizen.start()
        if answered:
            citizen.answer_all()
        return citizen

    def draft_page(self, citizen: Citizen, tail: str) -> None:
        self.page.goto(citizen.page_url.replace("/side/1", tail))

    def post_in_browser(self, button: str) -> None:
        """Press a submit button and wait for the page with errors it brings back."""
        self.page.get_by_role("button", name=button, exact=True).click()
        expect(self.page).to_have_title(re.compile(r"^Fejl: "))
        # the title arrives with the HTML; measuring before the stylesheet has loaded would see unstyled sizes
        self.page.wait_for_load_state("load")


def start(visit: Visit) -> None:
    visit.page.goto(f"/s/{visit.make_round()}/")


def start_english(visit: Visit) -> None:
    visit.page.goto(f"/s/{visit.make_round()}/?lang=en")


def question_page(number: int) -> Callable[[Visit], None]:
    def show(visit: Visit) -> None:
        visit.draft_page(visit.citizen(answered=number > 1), f"/side/{number}")

    return show


def first_page_with_errors(visit: Visit) -> None:
    visit.draft_page(visit.citizen(), "/side/1")
    visit.post_in_browser("Fortsæt")


def review(visit: Visit) -> None:
    visit.draft_page(visit.citizen(answered=True), "/tjek")


def review_with_missing_answer(visit: Visit) -> None:
    visit.draft_page(visit.citizen(), "/tjek")
    visit.post_in_browser("Send svar")


def receipt(visit: Visit) -> None:
    """Sent from the browser: the receipt number travels in the browser's session."""
    visit.draft_page(visit.citizen(answered=True), "/tjek")
    visit.page.get_by_role("button", name="Send svar", exact=True).click()
    expect(visit.page).to_have_title(re.compile(r"^Tak for dine svar"))
    visit.page.wait_for_load_state("load")  # as post_in_browser: the title comes before the stylesheet


def saved(visit: Visit) -> None:
    citizen = visit.citizen()
    citizen.post_page(citizen.page_url, SYDDJURS_ANSWERS["din-sag"], {"save_later": "1"})
    visit.draft_page(citizen, "/gemt")


def saved_and_sent(visit: Visit) -> None:
    """The code sent to a number from the saved page (the session's app texts into memory)."""
    saved(visit)
    visit.page.get_by_label("Mobilnummer eller e-mail").fill("20 30 40 50")
    visit.page.get_by_role("button", name="Send koden", exact=True).click()
    expect(visit.page.get_by_role("status")).to_contain_text("Koden er sendt i en sms til 20 30 40 50.")
    visit.page.wait_for_load_state("load")


def saved_with_error(visit: Visit) -> None:
    saved(visit)
    visit.post_in_browser("Send koden")


def resume(visit: Visit) -> None:
    visit.page.goto(f"/s/{visit.make_round()}/fortsaet")


def resume_with_error(visit: Visit) -> None:
    resume(visit)
    visit.post_in_browser("Fortsæt")


def closed_round(visit: Visit) -> None:
    visit.page.goto(f"/s/{visit.make_round(state='closed')}/")


def not_found(visit: Visit) -> None:
    visit.page.goto("/s/findes-ikke/")


def unknown_resume_link(visit: Visit) -> None:
    visit.page.goto(f"/s/{visit.make_round()}/svar/ABCDEFGHJKMN/side/1")


def privacy(visit: Visit) -> None:
    visit.page.goto("/privatliv")


#: name (also the screenshot's file name) → recipe
SURVEY_PAGES: dict[str, Callable[[Visit], None]] = {
    "start": start,
    **{f"side-{n}-{page_id}": question_page(n) for n, page_id in enumerate(SYDDJURS_ANSWERS, start=1)},
    "side-1-fejl": first_page_with_errors,
    "tjek": review,
    "tjek-fejl": review_with_missing_answer,
    "kvittering": receipt,
    "gemt": saved,
    "gemt-sendt": saved_and_sent,
    "gemt-fejl": saved_with_error,
    "fortsaet": resume,
    "fortsaet-fejl": resume_with_error,
    "lukket": closed_round,
    "404": not_found,
    "ukendt-link": unknown_resume_link,
    "privatliv": privacy,
    "start-en": start_english,
}
