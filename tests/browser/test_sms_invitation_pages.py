"""The SMS invitation pages of a round at a desktop viewport: paste a list of mobile numbers, read the report and
the cost, confirm, remind, see a message that did not arrive on the round page, close the round — axe-core finds no
WCAG 2.1/2.2 A/AA violations on any step, and no number is stored once the round has closed."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from survey.kernel.sms import PermanentFailure
from tests.browser.staff import check_staff_page
from tests.browser.test_email_invitation_pages import check_a_list, send_two_reminders
from tests.questionnaire.test_email_invitations import _stored_strings


def test_sms_invitation_pages_pass_axe_and_the_numbers_go_when_the_round_closes(
    staff_page, make_round, sms_sent, in_app
):
    slug = make_round(access="invitation")
    page = staff_page("survey_manager")
    listed = "20 30 40 50\nikke et nummer\n+46 70 123 45 67\n20304050"
    url, heading = f"/personale/runder/{slug}/sms", "Send invitation til 2 mobilnumre?"
    check_a_list(page, url, "numbers", listed, heading, "sms-invitationer")
    expect(page.locator("main")).to_contain_text(re.compile(r"Det koster 2 SMS, [24] SMS-dele i alt\."))
    assert sms_sent.sent == [], "nothing is sent before staff confirm"
    sent = []

    def the_second_is_refused(sms):
        sent.append(sms)
        if len(sent) == 2:
            raise PermanentFailure("operatøren afviste nummeret")
        sms_sent.sent.append(sms)

    vars(sms_sent)["send"] = the_second_is_refused  # the gateway refuses the second number
    try:
        page.get_by_role("button", name="Ja, send til 2 mobilnumre").click()
        page.wait_for_selector("text=2 invitationer er sendt.")
    finally:
        del sms_sent.send
    expect(page.locator("main")).to_contain_text("1 SMS er ikke nået frem")
    expect(page.locator("main")).to_contain_text("+46 70 123 45 67")
    check_staff_page(page, "sms-invitationer")
    send_two_reminders(page, "Send påmindelse til 2 mobilnumre?", "sms-paamindelse")

    page.goto(f"/personale/runder/{slug}")
    expect(page.locator("#round-sms-heading")).to_be_visible()
    expect(page.locator("main")).to_contain_text("1 SMS er ikke nået frem")
    check_staff_page(page, "runde-sms-fejl")
    page.get_by_role("link", name="Luk nu").click()
    page.get_by_role("button", name="Ja, luk runden nu").click()
    expect(page.locator("main")).to_contain_text("Runden er lukket")
    with in_app():
        stored = "".join(_stored_strings()).replace(" ", "")
        assert "20304050" not in stored and "701234567" not in stored, "a number is still stored"
