"""Invitations of a round by SMS, as the gateway (the memory backend) receives them: a checked list of mobile numbers
confirmed by count and cost, nothing sent before that, one working code per number, reminders only to unused codes,
the failures on the round page, and no number left (in the list or in the SMS outbox) once the round has closed.
The e-mail side of the same list is tests/questionnaire/test_email_invitations.py."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select, update

from survey.kernel.clock import utcnow
from survey.kernel.extensions import db
from survey.kernel.sms import PermanentFailure, SmsMessage
from survey.kernel.sms_text import GSM7, MAX_SEGMENTS, measure
from survey.questionnaire import email_invitations as ei
from survey.questionnaire.models import EmailInvitation, Round
from survey.questionnaire.response_rate import round_rate
from survey.staff.models import AuditEvent
from tests.pages import csrf_token, error_summary, text_of, title
from tests.questionnaire.invitation_pages import SMS_PAGES
from tests.questionnaire.test_email_invitations import _stored_strings
from tests.questionnaire.walker import Citizen

CODE_LINK = re.compile(r"\?kode=([A-Z0-9]{8})")
#: as staff paste them, and as the gateway gets them
NUMBERS = ["20 30 40 50", "21 30 40 50", "+46 70 123 45 67", "0045 40 30 20 10"]
E164 = ["+4520304050", "+4521304050", "+46701234567", "+4540302010"]


page_url, check_list, confirm = SMS_PAGES.url, SMS_PAGES.check, SMS_PAGES.confirm


def codes_by_number(sms_sent) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for message in sms_sent.sent:
        (code,) = CODE_LINK.findall(message.text)
        found.setdefault(message.to, []).append(code)
    return found


def the_round() -> Round:
    return db.session.scalars(select(Round)).one()


def segments_each(in_app, reminder: bool = False) -> int:
    with in_app():
        return ei.sms_cost(the_round(), 1, reminder).segments


def test_bad_lines_are_reported_and_nothing_is_stored_or_sent_before_confirming(manager, round_slug, sms_sent, in_app):
    confirm(manager, round_slug, "20 30 40 50")
    sms_sent.sent.clear()
    text = "\n".join(["+45 20 30 40 50", "ikke et nummer", "", "21304050", "80 12 34 56", "Ole Hansen;+46 70 123 45 67",
                      "+4521304050", "0045 40 30 20 10"])  # fmt: skip
    checked = check_list(manager, round_slug, text)

    assert title(checked).startswith("Send invitation til 3 mobilnumre?")
    rows = [[text_of(td) for td in tr.iter("td")] for tr in checked.doc.iter("tr")][1:]
    assert rows == [
        ["1", "er allerede inviteret til denne runde"],
        ["2", "ikke et mobilnummer"],
        ["5", "ikke et mobilnummer"],  # a freephone number takes no SMS
        ["7", "står i listen to gange (første gang i linje 4)"],
    ]
    each = segments_each(in_app)
    assert f"Det koster 3 SMS, {3 * each} SMS-dele i alt." in text_of(checked.doc.find(".//main"))
    assert "30 40" not in checked.get_data(as_text=True).split("<form")[0], "the report names lines, not numbers"
    with in_app():
        assert db.session.scalars(select(EmailInvitation.address)).all() == ["+4520304050"]
        assert len(db.session.scalars(select(SmsMessage)).all()) == 1
    assert sms_sent.sent == []


def test_an_empty_list_and_a_wrong_file_are_explained(manager, round_slug):
    empty = check_list(manager, round_slug)
    assert empty.status_code == 400
    assert error_summary(empty) == [("#numbers", "Indsæt mobilnumre, eller vælg en fil med dem.")]
    wrong = check_list(manager, round_slug, file=(b"%PDF", "liste.pdf"))
    assert error_summary(wrong) == [("#numbers", "Vælg en fil af typen .txt eller .csv.")]


def test_an_uploaded_csv_is_read(manager, round_slug):
    checked = check_list(manager, round_slug, file=(b"navn;mobil\nOle;20 30 40 50\n", "liste.csv"))
    assert title(checked).startswith("Send invitation til 1 mobilnummer?")


def test_confirming_texts_each_number_its_own_working_code(app, manager, round_slug, sms_sent, in_app):
    response = confirm(manager, round_slug, "\n".join(NUMBERS))
    assert response.status_code == 302

    codes = codes_by_number(sms_sent)
    assert sorted(codes) == sorted(E164) and all(len(c) == 1 for c in codes.values())
    assert len({c[0] for c in codes.values()}) == len(E164)
    text = sms_sent.sent[0].text
    for words in ("Syddjurs Kommune", f"/s/{round_slug}/?kode=", "Kode ", "senest"):
        assert words in text
    assert measure(text).segments <= MAX_SEGMENTS and sms_sent.sent[0].encoding == GSM7
    for number, (code,) in codes.items():
        assert Citizen(app.test_client(), round_slug).start(code=code).status_code == 302, number
    page = manager.get(page_url(round_slug))
    assert "sendt 4 af 4" in text_of(page.doc.find(".//dl"))
    assert "30 40" not in page.get_data(as_text=True), "the page shows counts, never the numbers"
    with in_app():
        round_ = the_round()
        assert {m.topic for m in db.session.scalars(select(SmsMessage))} == {f"round:{round_.id}"}
        assert round_rate(round_, with_days=False).invited == len(E164), "SMS invitations count as invited"
        assert ei.progress(round_).addresses == 0, "the e-mail list is another list"
        audit = set(db.session.scalars(select(AuditEvent.action)))
        assert {"sms_invitations_added", "sms_invitations_sent"} <= audit


def test_a_reminder_goes_only_to_unused_codes_after_its_cost_is_shown(app, manager, round_slug, sms_sent, in_app):
    confirm(manager, round_slug, "\n".join(NUMBERS[:3]))
    first = codes_by_number(sms_sent)
    Citizen(app.test_client(), round_slug).start(code=first[E164[0]][0])
    sms_sent.sent.clear()

    ask = manager.get(page_url(round_slug, "/paamindelse"))
    assert title(ask).startswith("Send påmindelse til 2 mobilnumre?")
    each = segments_each(in_app, reminder=True)
    assert f"Det koster 2 SMS, {2 * each} SMS-dele i alt." in text_of(ask.doc.find(".//main"))
    assert sms_sent.sent == [], "asking sends nothing"
    manager.post(page_url(round_slug, "/paamindelse"), data={"csrf_token": csrf_token(ask)})

    reminded = codes_by_number(sms_sent)
    assert sorted(reminded) == sorted(E164[1:3])
    assert all("Påmindelse" in message.text for message in sms_sent.sent)
    for number, (code,) in reminded.items():
        assert code != first[number][0]
        assert Citizen(app.test_client(), round_slug).start(code=code).status_code == 302
        assert Citizen(app.test_client(), round_slug).start(code=first[number][0]).status_code == 400
    sms_sent.sent.clear()
    again = app.test_cli_runner().invoke(args=["invitations", "send-sms-reminders", "--round", round_slug])
    assert "Sendt 0 påmindelser på SMS" in again.output and sms_sent.sent == []
    email_reminders = app.test_cli_runner().invoke(args=["invitations", "send-reminders", "--round", round_slug])
    assert "Sendt 0 påmindelser" in email_reminders.output and sms_sent.sent == [], "e-mail reminders text nobody"


def test_the_next_batch_shows_its_cost_and_goes_on_a_click(manager, round_slug, sms_sent, in_app, monkeypatch):
    monkeypatch.setattr(ei, "BATCH", 2)
    confirm(manager, round_slug, "\n".join(NUMBERS[:3]))
    assert len(sms_sent.sent) == 2
    page = manager.get(page_url(round_slug))
    assert text_of(page.doc.find(".//h2[@id='send-heading']")) == "Sendt 2 af 3"
    assert f"Det koster 1 SMS, {segments_each(in_app)} SMS-dele i alt." in text_of(page.doc.find(".//main"))
    manager.post(page_url(round_slug, "/send"), data={"csrf_token": csrf_token(page)})
    assert sorted(codes_by_number(sms_sent)) == sorted(E164[:3])


def test_a_permanent_failure_is_shown_on_the_round_page_and_the_sms_page(manager, round_slug, sms_sent):
    sms_sent.fail = PermanentFailure("operatøren afviste nummeret")
    confirm(manager, round_slug, NUMBERS[0])
    round_page = manager.get(f"/personale/runder/{round_slug}")
    sms_page = manager.get(page_url(round_slug))
    for page in (round_page, sms_page):
        main = text_of(page.doc.find(".//main"))
        assert "1 SMS er ikke nået frem" in main
        rows = [[text_of(td) for td in tr.iter("td")] for tr in page.doc.iter("tr")]
        assert ["20 30 40 50", "Invitation", "Ikke leveret", "operatøren afviste nummeret"] in rows


def test_closing_the_round_deletes_the_numbers_and_their_sms(manager, round_slug, sms_sent, in_app):
    confirm(manager, round_slug, "\n".join(NUMBERS))
    with in_app():
        assert any("+4520304050" in s for s in _stored_strings())
    url = f"/personale/runder/{round_slug}/luk"
    response = manager.post(url, data={"csrf_token": csrf_token(manager.get(url))})
    assert response.status_code == 302
    with in_app():
        assert the_round().state() == "closed"
        assert db.session.scalars(select(EmailInvitation)).all() == []
        assert db.session.scalars(select(SmsMessage)).all() == []
        leaks = [s for s in _stored_strings() if re.search(r"\+?\d[\d ]{7,}", s) and "3040" in s.replace(" ", "")]
        assert leaks == []


def test_retention_forgets_the_numbers_and_their_sms_of_a_round_past_its_closing(app, round_slug, sms_sent, in_app):
    with in_app():
        ei.add_addresses(the_round(), E164[:2], ei.SMS)
        ei.send_invitations(the_round(), channel=ei.SMS)
        db.session.commit()
    with in_app():
        # the list is already gone (taken off by hand), the messages are not: they hold the numbers too
        db.session.execute(update(Round).values(closes_at=utcnow() - timedelta(minutes=1)))
        db.session.query(EmailInvitation).delete()
        db.session.commit()
        assert len(db.session.scalars(select(SmsMessage)).all()) == 2
    app.test_cli_runner().invoke(args=["purge-expired"])
    with in_app():
        assert db.session.scalars(select(SmsMessage)).all() == []
        assert not any("+4520304050" in s or "+4521304050" in s for s in _stored_strings())


def test_the_cli_adds_a_file_of_numbers_and_sends_once(app, round_slug, sms_sent, tmp_path, in_app):
    listed = tmp_path / "numre.txt"
    listed.write_text("\n".join([*NUMBERS[:2], "ikke et nummer"]), encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["invitations", "send-sms", "--round", round_slug, "--file", str(listed)])
    assert result.exit_code == 0, result.output
    each = segments_each(in_app)
    assert f"Tilføjet 2 mobilnumre: 2 SMS, {2 * each} SMS-dele i alt." in result.output
    assert "Linje 3: ikke et mobilnummer" in result.output and "Sendt 2 invitationer på SMS." in result.output
    again = runner.invoke(args=["invitations", "send-sms", "--round", round_slug, "--file", str(listed)])
    assert "Tilføjet 0 mobilnumre" in again.output and "Sendt 0 invitationer på SMS." in again.output
    assert sorted(codes_by_number(sms_sent)) == sorted(E164[:2])


def test_a_number_can_be_taken_off_the_list(manager, round_slug, in_app):
    with in_app():
        ei.add_addresses(the_round(), E164[:2], ei.SMS)
        db.session.commit()
    page = manager.get(page_url(round_slug))
    removed = manager.post(
        page_url(round_slug, "/fjern"), data={"csrf_token": csrf_token(page), "number": "20 30 40 50"}
    )
    assert removed.status_code == 302
    with in_app():
        assert db.session.scalars(select(EmailInvitation.address)).all() == [E164[1]]
    missing = manager.post(page_url(round_slug, "/fjern"), data={"csrf_token": csrf_token(page), "number": ""})
    assert error_summary(missing) == [("#number", "Indtast det mobilnummer, der skal fjernes.")]


def test_a_closed_round_texts_nobody(app, manager, make_round, sms_sent, in_app):
    slug = make_round(access="invitation", state="closed", label="lukket")
    page = manager.get(page_url(slug))
    assert "Runden er lukket" in text_of(page.doc.find(".//main")) and page.doc.find(".//textarea") is None
    refused = manager.post(page_url(slug, "/send"), data={"csrf_token": csrf_token(page)}, follow_redirects=True)
    assert "Runden er lukket" in text_of(refused.doc.find(".//main"))
    result = app.test_cli_runner().invoke(args=["invitations", "send-sms-reminders", "--round", slug])
    assert result.exit_code != 0 and "Runden er lukket" in result.output
    assert sms_sent.sent == []
