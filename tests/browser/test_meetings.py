"""The dialogue-meeting pages on a phone: sign up by keyboard only, and every page passes axe-core, has tap
targets of at least 24 px and fits 320 px without sideways scrolling."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from survey.kernel.extensions import db
from survey.meetings.models import Registration
from tests.browser.checks import (
    ARTIFACTS,
    MIN_TARGET,
    axe_violations,
    describe_violations,
    sideways_overflow,
    tap_targets,
)
from tests.browser.keyboard import choose_radio, press_button, tab_until, type_into
from tests.browser.staff import DESKTOP, password_step
from tests.helpers import totp_code
from tests.meetings.signup import sign_up, signed_up_link


def tick(page: Page, name: str, value: str | None = None) -> None:
    """Tab to a checkbox and tick it with Space."""
    tab_until(
        page,
        lambda el: el["type"] == "checkbox" and el["name"] == name and (value is None or el["value"] == value),
        f"the checkbox {name}={value}",
    )
    page.keyboard.press("Space")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_sign_up_by_keyboard_only(new_page, make_meeting, in_app, javascript):
    meeting_id = make_meeting()
    page = new_page(javascript=javascript)
    page.goto(f"/moeder/{meeting_id}")
    press_button(page, "Tilmeld dig")
    expect(page).to_have_title(re.compile("^Tilmeld dig"))
    type_into(page, "name", "Karen Hansen")
    type_into(page, "email", "karen@example.dk")
    choose_radio(page, "role", "paaroerende")
    type_into(page, "on_behalf_of", "Ole")
    tab_until(page, lambda el: el["name"] == "seats", "the seats list")
    page.keyboard.press("ArrowDown")  # 1 → 2
    tick(page, "needs", "sign_language")
    tick(page, "consent")
    press_button(page, "Tilmeld")
    expect(page).to_have_title(re.compile("^Tak for din tilmelding"))
    assert "Vi har sendt en bekræftelse til karen@example.dk." in page.inner_text("main")
    with in_app():
        registration = db.session.scalars(select(Registration)).one()
        assert (registration.name, registration.role, registration.seats, registration.needs) == (
            "Karen Hansen",
            "paaroerende",
            2,
            ["sign_language"],
        )


def _list(page, client, make_meeting):
    make_meeting()
    page.goto("/moeder/")


def _meeting(page, client, make_meeting):
    page.goto(f"/moeder/{make_meeting()}")


def _signup(page, client, make_meeting):
    page.goto(f"/moeder/{make_meeting()}/tilmeld")


def _signup_errors(page, client, make_meeting):
    page.goto(f"/moeder/{make_meeting()}/tilmeld")
    page.get_by_role("button", name="Tilmeld", exact=True).click()
    expect(page).to_have_title(re.compile("^Fejl: "))
    page.wait_for_load_state("load")  # the title comes with the HTML, before the stylesheet the checks measure


def _thanks(page, client, make_meeting, **changes):
    """The thank-you page, opened in the browser that sent the sign-up (it is shown from that browser's session)."""
    meeting_id = make_meeting()
    page.goto(f"/moeder/{meeting_id}/tilmeld")
    page.fill("#name", "Karen Hansen")
    for field, value in changes.items():
        page.fill(f"#{field}", value)
    for box in ("role", "needs-2", "consent"):  # borger, Tegnsprogstolk, consent
        page.locator(f"label[for={box}]").click()
    page.get_by_role("button", name="Tilmeld", exact=True).click()
    expect(page).to_have_title(re.compile("^Tak for din tilmelding"))
    page.wait_for_load_state("load")


def _confirmation(page, client, make_meeting):
    _thanks(page, client, make_meeting, email="karen@example.dk")


def _confirmation_phone_only(page, client, make_meeting):
    _thanks(page, client, make_meeting, phone="20 30 40 50")


def _waitlisted(page, client, make_meeting):
    meeting_id = make_meeting(capacity=1)
    sign_up(client, meeting_id, email="a@example.dk", seats="1")
    page.goto(signed_up_link(client, meeting_id, email="b@example.dk", seats="1"))


def _manage(page, client, make_meeting):
    page.goto(signed_up_link(client, make_meeting()))


def _cancel(page, client, make_meeting):
    page.goto(signed_up_link(client, make_meeting()) + "/afmeld")


def _delete(page, client, make_meeting):
    page.goto(signed_up_link(client, make_meeting()) + "/slet")


def _closed(page, client, make_meeting):
    page.goto(f"/moeder/{make_meeting(deadline_before=timedelta(days=10))}/tilmeld")


def _bad_link(page, client, make_meeting):
    page.goto("/moeder/tilmelding/ikke-et-rigtigt-link")


MEETING_PAGES = {
    "moeder": _list,
    "moede": _meeting,
    "tilmeld": _signup,
    "tilmeld-fejl": _signup_errors,
    "tilmeldt": _confirmation,
    "tilmeldt-mobil": _confirmation_phone_only,
    "venteliste": _waitlisted,
    "tilmelding": _manage,
    "afmeld": _cancel,
    "slet": _delete,
    "lukket-tilmelding": _closed,
    "ugyldigt-link": _bad_link,
}


@pytest.mark.parametrize("name", list(MEETING_PAGES))
def test_meeting_pages_are_accessible_on_a_phone(page, client, make_meeting, name):
    MEETING_PAGES[name](page, client, make_meeting)
    violations = axe_violations(page)
    assert not violations, f"axe-core on {name}:\n{describe_violations(violations)}"
    small = [
        t for t in tap_targets(page) if (t["width"] < MIN_TARGET or t["height"] < MIN_TARGET) and not t["inSentence"]
    ]
    assert not small, f"tap targets under {MIN_TARGET} px on {name}: {small}"
    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "screenshots" / f"{name}.png", full_page=True)
    for width in (375, 320):
        scroll_width, sticking_out = sideways_overflow(page, width)
        assert scroll_width <= width, f"{name} scrolls sideways at {width} px: {sticking_out}"


def _log_in_as_host(app, page, make_staff) -> None:
    email = make_staff("meeting_host")
    password_step(page, email, "/personale/totrin")
    page.fill("#code", totp_code(app, email))
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url("**/personale/")


def _check(page, name: str) -> None:
    violations = axe_violations(page)
    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "screenshots" / f"{name}.png", full_page=True)
    assert not violations, f"axe-core on {name}:\n{describe_violations(violations)}"


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_host_sees_a_burst_and_cancels_two_of_it(app, new_page, client, make_staff, make_meeting, in_app, size):
    meeting_id = make_meeting(capacity=6)
    for n in range(4):  # one after another from the test client: a burst; the fourth waits
        sign_up(client, meeting_id, name=f"Falsk Person {n}", email=f"falsk{n}@example.dk", seats="2")
    page = new_page()
    if size == "desktop":
        page.set_viewport_size(DESKTOP)
    _log_in_as_host(app, page, make_staff)
    page.goto(f"/personale/moeder/{meeting_id}")
    assert "4 tilmeldinger fra hjemmesiden kom tæt efter hinanden." in page.inner_text("main")
    _check(page, f"staff-moede-burst-{size}")
    for n in range(2):
        page.get_by_label(re.compile(f"Falsk Person {n},")).check()
    page.get_by_role("button", name="Afmeld de valgte").click()
    expect(page).to_have_title(re.compile("^Afmeld de valgte"))
    page.wait_for_load_state("load")
    _check(page, f"staff-afmeld-valgte-{size}")
    if size == "phone":
        scroll_width, sticking_out = sideways_overflow(page, 375)
        assert scroll_width <= 375, sticking_out
    page.get_by_role("button", name="Ja, afmeld 2 tilmeldinger").click()
    expect(page.locator("main")).to_contain_text("2 tilmeldinger er afmeldt.")
    with in_app():
        by_name = {r.name: r.status for r in db.session.scalars(select(Registration))}
    assert by_name == {
        "Falsk Person 0": "cancelled",
        "Falsk Person 1": "cancelled",
        "Falsk Person 2": "confirmed",
        "Falsk Person 3": "confirmed",
    }
