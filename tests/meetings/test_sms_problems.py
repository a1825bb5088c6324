"""The meeting's staff page lists the SMS messages that did not reach the person (the gateway refused them, or the
sender stopped and nobody knows whether they went): whom to call, about which message, when and why."""

from __future__ import annotations

from datetime import timedelta

from survey.kernel import sms
from survey.kernel.clock import utcnow
from survey.kernel.extensions import db
from survey.kernel.sms import PermanentFailure, SmsMessage
from tests.factories import DECEMBER_MEETING
from tests.pages import text_of


def rows(page) -> list[list[str]]:
    """The cells of the table of SMS messages that did not get through (found by its caption)."""
    (table,) = [t for t in page.doc.iter("table") if "ikke nåede frem" in text_of(t.find(".//caption"))]
    return [[text_of(cell) for cell in row.findall("td")] for row in table.iter("tr") if row.findall("td")]


def test_failed_and_unknown_sms_are_shown_on_the_meetings_page(app, client, login_as, make_meeting, sign_up, sms_sent):
    meeting_id, other_id = make_meeting(**DECEMBER_MEETING), make_meeting(**DECEMBER_MEETING, title="Et andet møde")
    sms_sent.fail = PermanentFailure("nummeret findes ikke")
    sign_up(meeting_id, email=None, phone="+4520304050", name="Birthe Berg")
    sign_up(other_id, email=None, phone="+4520304059", name="Fra et andet møde")
    sms_sent.fail = None
    sign_up(meeting_id, email=None, phone="+4520304051", name="Alt gik godt")
    stuck_id = sign_up(meeting_id, email=None, phone="+4520304052", name="Carl Christensen", notify_by="sms")
    with app.app_context():  # the sender died after claiming the message: its fate is unknown
        message = db.session.query(SmsMessage).filter(SmsMessage.topic.endswith(f":{stuck_id}")).one()
        message.status, message.claimed_at = sms.SENDING, utcnow() - timedelta(hours=1)
        db.session.commit()
        sms.send_due()

    login_as(client, "meeting_host")
    page = client.get(f"/personale/moeder/{meeting_id}")
    assert page.status_code == 200
    assert "2 sms'er nåede ikke frem" in text_of(page.doc)
    found = rows(page)
    assert [row[:3] + row[4:] for row in found] == [
        [
            "Carl Christensen",
            "20 30 40 52",
            "Bekræftelse af tilmeldingen",
            "Ukendt, om den er sendt",
            "afsenderen stoppede under afsendelsen",
        ],
        ["Birthe Berg", "20 30 40 50", "Bekræftelse af tilmeldingen", "Ikke sendt", "nummeret findes ikke"],
    ]
    assert page.doc.find(".//a[@href='tel:+4520304050']") is not None


def test_a_meeting_whose_sms_all_went_shows_no_list(client, login_as, make_meeting, sign_up, sms_sent):
    meeting_id = make_meeting(**DECEMBER_MEETING)
    sign_up(meeting_id, email=None, phone="+4520304050")
    login_as(client, "meeting_host")
    page = client.get(f"/personale/moeder/{meeting_id}")
    assert page.status_code == 200 and "nåede ikke frem" not in text_of(page.doc)
