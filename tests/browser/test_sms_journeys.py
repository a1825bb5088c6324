"""Issue 16's "done when", through Debian's Kannel and its fake SMSC (tests/kannel.py): a person with only a mobile
number signs up on a phone, lands on the waiting list and is told everything by SMS — the confirmation, the seat
when one frees, the reminder — then opens the short link from the SMS and cancels; and a survey manager sends an
invitation round's codes and one reminder by SMS, and the numbers are gone once the round closes. Kannel's own
delivery reports mark the messages delivered."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from survey.kernel.extensions import db
from survey.kernel.sms import SmsMessage
from survey.meetings import scheduled, services
from survey.meetings.models import Meeting, Registration
from tests.browser.test_run_a_survey import answer_with_the_client, stored_text
from tests.meetings.signup import signed_up_link
from tests.sms_gateway.helpers import until

pytestmark = pytest.mark.deploy  # Kannel

NUMBER, SMSC_NUMBER = "20 30 40 50", "+4520304050"
SHORT_LINK = re.compile(r"https?://\S+/m/\S+")
CODE_LINK = re.compile(r"https?://\S+/s/(?P<slug>[\w-]+)/\?kode=(?P<code>[A-Z0-9]{8})")


def texts_to(kannel, receiver: str, count: int) -> list[str]:
    """The texts that reached the fake SMSC for `receiver`, once `count` have come (bounded wait)."""
    until(lambda: len([m for m in kannel.messages() if m.receiver == receiver and m.whole]) >= count, f"{count} SMS")
    return [m.text for m in kannel.messages() if m.receiver == receiver and m.whole]


def all_delivered(in_app) -> None:
    """Kannel's reports reach /sms/rapport on the live server: every message is marked delivered."""

    def statuses() -> set[str]:
        with in_app():
            return set(db.session.scalars(select(SmsMessage.status)))

    until(lambda: statuses() == {"delivered"}, "every SMS reported delivered by Kannel")


def test_a_phone_only_sign_up_is_told_everything_by_sms_and_cancels_from_the_sms_link(
    app, new_page, client, make_meeting, kannel_sms, in_app
):
    meeting_id = make_meeting(capacity=1)
    signed_up_link(client, meeting_id, email="anna@example.dk", seats="1")  # Anna has the only seat

    page = new_page()  # a phone: 375×667
    page.goto(f"/moeder/{meeting_id}/tilmeld")
    page.fill("#name", "Karen Hansen")
    page.fill("#phone", NUMBER)
    for box in ("role", "consent"):
        page.locator(f"label[for={box}]").click()
    page.get_by_role("button", name="Tilmeld", exact=True).click()
    expect(page).to_have_title(re.compile("^Tak for din tilmelding"))
    expect(page.locator("main")).to_contain_text("sms")
    [confirmation] = texts_to(kannel_sms, SMSC_NUMBER, 1)
    assert "nr. 1 på ventelisten" in confirmation, confirmation

    # Anna cancels: the seat goes to Karen, who is told by SMS
    with in_app():
        anna_id = db.session.scalar(select(Registration.id).where(Registration.email == "anna@example.dk"))
        services.cancel_registration(db.session.get(Registration, anna_id))
        db.session.commit()
    promotion = texts_to(kannel_sms, SMSC_NUMBER, 2)[1]
    assert "Der er blevet plads til dig" in promotion, promotion

    # the reminder, when the meeting is due one
    with in_app():
        meeting = db.session.get(Meeting, meeting_id)
        due = meeting.starts_at - timedelta(days=meeting.reminder_days) + timedelta(minutes=1)
        assert scheduled.send_reminders(due) == 1
    reminder = texts_to(kannel_sms, SMSC_NUMBER, 3)[2]
    assert reminder.startswith("Husk:"), reminder

    # the short link from the SMS opens the manage page on the phone; Karen cancels
    link = SHORT_LINK.search(reminder)[0]
    assert len(link) < 60 and SHORT_LINK.search(confirmation)[0] == link == SHORT_LINK.search(promotion)[0]
    page.goto(urlsplit(link).path)  # PUBLIC_BASE_URL is fixed in the tests; the live server has its own port
    page.get_by_role("link", name="Afmeld mig").click()
    page.get_by_role("button", name="Ja, afmeld mig").click()
    expect(page.locator("main")).to_contain_text("afmeldt")
    with in_app():
        assert (
            db.session.get(
                Registration, db.session.scalar(select(Registration.id).where(Registration.phone == SMSC_NUMBER))
            ).status
            == "cancelled"
        )
    cancelled = texts_to(kannel_sms, SMSC_NUMBER, 4)[3]
    assert cancelled.startswith("Du er afmeldt"), cancelled
    all_delivered(in_app)


def test_an_invitation_round_sends_codes_and_one_reminder_by_sms_and_forgets_the_numbers(
    app, staff_page, make_round, client, kannel_sms, in_app
):
    slug = make_round(access="invitation")
    page = staff_page("survey_manager")
    page.goto(f"/personale/runder/{slug}/sms")
    page.fill("#numbers", "20 30 40 50\n+46 70 123 45 67")
    page.get_by_role("button", name="Tjek listen").click()
    expect(page.locator("main")).to_contain_text(re.compile(r"Det koster 2 SMS, [24] SMS-dele i alt\."))
    assert kannel_sms.messages() == [], "nothing is sent before staff confirm"
    page.get_by_role("button", name="Ja, send til 2 mobilnumre").click()
    page.wait_for_selector("text=2 invitationer er sendt.")

    codes = {}
    for receiver in (SMSC_NUMBER, "+46701234567"):
        [text] = texts_to(kannel_sms, receiver, 1)
        codes[receiver] = CODE_LINK.search(text)["code"]
    answer_with_the_client(client, slug, codes[SMSC_NUMBER])  # one answers; the other gets the reminder

    page.goto(f"/personale/runder/{slug}/sms")
    page.get_by_role("link", name="Send en påmindelse til dem, der ikke har brugt deres kode").click()
    page.get_by_role("button", name="Ja, send 1 påmindelse").click()
    reminded = texts_to(kannel_sms, "+46701234567", 2)[1]
    assert CODE_LINK.search(reminded)["code"] != codes["+46701234567"], "a reminder carries a new code"
    assert len(texts_to(kannel_sms, SMSC_NUMBER, 1)) == 1, "who answered gets no reminder"
    all_delivered(in_app)

    page.goto(f"/personale/runder/{slug}")
    page.get_by_role("link", name="Luk nu").click()
    page.get_by_role("button", name="Ja, luk runden nu").click()
    expect(page.locator("main")).to_contain_text("Runden er lukket")
    with in_app():
        stored = "".join(stored_text()).replace(" ", "")
        assert "20304050" not in stored and "701234567" not in stored, "a number is still stored"
        assert db.session.scalars(select(SmsMessage)).all() == []
