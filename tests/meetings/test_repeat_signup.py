"""Signing up again with someone's e-mail or mobile number tells the one who typed it nothing: the answer is the
answer a new sign-up gets. Only the owner of the contact hears of it, by e-mail or SMS, with their own manage link;
their sign-up is not changed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.kernel.extensions import db
from survey.meetings.models import Registration, Topic
from tests.meetings.signup import mails_to, manage_link, sign_up
from tests.pages import csrf_token, text_of

OWNER = {"name": "Karen Hansen", "email": "karen@example.dk", "phone": "20 30 40 50", "seats": "2"}
#: what the stranger types besides the contact: the same for the repeat and for the new sign-up compared with it
STRANGER = {
    "name": "Mallory Mørk",
    "role": "borger",
    "on_behalf_of": "",
    "seats": "4",
    "needs": ["other"],
    "needs_other": "Ring til mig på 99 99 99 99",
    "topic": "Spam, spam, spam",
}


def answer(app, meeting_id: int, contact: dict, shown: str) -> tuple:
    """What a stranger sees when signing up with `contact` from a fresh browser: the POST's status and Location,
    whether it sets a cookie, and the page after the redirect (status, title, main text) with the contact as
    shown on it (`shown`) replaced."""
    browser = app.test_client()
    response = sign_up(browser, meeting_id, **STRANGER, **contact)
    page = browser.get(response.location)
    main = text_of(page.doc.find(".//main")).replace(shown, "<kontakt>")
    title = text_of(page.doc.find("head/title"))
    return response.status_code, response.location, "Set-Cookie" in response.headers, page.status_code, title, main


@pytest.mark.parametrize(
    "repeat, new, shown",
    [
        ({"email": "karen@example.dk", "phone": ""}, {"email": "ny@example.dk", "phone": ""}, "{email}"),
        ({"email": "KAREN@Example.dk ", "phone": ""}, {"email": "ny@example.dk", "phone": ""}, "{email}"),
        # the owner's mobile number with an e-mail of the stranger's own: the stranger is not told either
        (
            {"email": "mallory@example.dk", "phone": "20304050"},
            {"email": "m2@example.dk", "phone": "20304051"},
            "{email}",
        ),
        ({"email": "", "phone": "+45 20 30 40 50"}, {"email": "", "phone": "20 30 40 51"}, "{phone}"),
    ],
    ids=["email", "email-other-case", "phone-with-own-email", "phone-only"],
)
def test_a_repeat_sign_up_is_answered_exactly_like_a_new_one(app, make_meeting, in_app, repeat, new, shown):
    meeting_id = make_meeting(capacity=40)
    owner = app.test_client()
    assert sign_up(owner, meeting_id, **OWNER).status_code == 302
    with in_app():
        before = db.session.scalars(select(Registration)).one()
        before = {c.key: getattr(before, c.key) for c in Registration.__table__.columns}
    owner_mails = len(mails_to(app, "karen@example.dk"))

    seen = {}
    for name, contact in (("repeat", repeat), ("new", new)):
        email, phone = contact["email"].strip().lower(), contact["phone"]
        digits = phone.replace(" ", "").removeprefix("+45")
        typed = {"{email}": email, "{phone}": f"+45 {digits[:2]} {digits[2:4]} {digits[4:6]} {digits[6:]}"}
        seen[name] = answer(app, meeting_id, contact, typed[shown])
    assert seen["repeat"] == seen["new"]
    status, location, sets_cookie, page_status, title, main = seen["new"]
    assert (status, location, sets_cookie, page_status) == (302, f"/moeder/{meeting_id}/tilmeld/tak", True, 200)
    assert title.startswith("Tak for din tilmelding") and "<kontakt>" in main and "Antal pladser: 4" in main

    with in_app():
        registrations = db.session.scalars(select(Registration).order_by(Registration.id)).all()
        assert len(registrations) == 2, "the repeat made no sign-up, the new one did"
        after = {c.key: getattr(registrations[0], c.key) for c in Registration.__table__.columns}
        assert after == before, "the repeat changed nothing of the owner's sign-up"
        topics = sorted(db.session.scalars(select(Topic.text)))
        assert topics == ["Hvordan får vi svar hurtigere?", "Spam, spam, spam"], "the new one's, not the repeat's"

    told = mails_to(app, "karen@example.dk")[owner_mails:]
    assert [m.subject for m in told] == ["Du er allerede tilmeldt: Dialogmøde om job og uddannelse"]
    assert "Mallory" not in told[0].body and "99 99 99 99" not in told[0].body, "no word of the stranger's"
    assert "Du er allerede tilmeldt" in told[0].body and "Antal pladser: 2" in told[0].body
    if (typed := repeat["email"].strip().lower()) not in ("", "karen@example.dk"):
        assert mails_to(app, typed) == [], "the address the stranger typed gets nothing either"
    page = app.test_client().get(manage_link(app.test_client(), "karen@example.dk"))
    assert page.status_code == 200 and "Du har 2 pladser til mødet." in text_of(page.doc.find(".//main"))


def test_a_phone_only_owner_is_told_by_sms_and_nothing_changes(app, make_meeting, in_app, sms_sent):
    """The owner of a mobile number hears of the repeat as an owner of an e-mail does: by SMS, with their own
    short manage link and nothing of what the stranger typed; the stranger's answer is a new sign-up's."""
    meeting_id = make_meeting()
    assert sign_up(app.test_client(), meeting_id, **{**OWNER, "email": ""}).status_code == 302
    sent = len(app.extensions["mailman"].outbox)
    sms_sent.sent.clear()
    status, location, *_rest = answer(app, meeting_id, {"email": "", "phone": "20304050"}, "+45 20 30 40 50")
    assert (status, location) == (302, f"/moeder/{meeting_id}/tilmeld/tak")
    assert len(app.extensions["mailman"].outbox) == sent
    (told,) = sms_sent.sent
    assert told.to == "+4520304050"
    assert told.text.startswith("Du er allerede tilmeldt Dialogmøde om job og uddannelse, ")
    assert "Intet er ændret." in told.text and "Mallory" not in told.text and "99 99" not in told.text
    link = told.text.split()[-1]
    page = app.test_client().get(link, follow_redirects=True)
    assert page.status_code == 200 and "Du har 2 pladser til mødet." in text_of(page.doc.find(".//main"))
    with in_app():
        assert [(r.name, r.seats) for r in db.session.scalars(select(Registration))] == [("Karen Hansen", 2)]


def test_one_contact_holds_one_sign_up_whichever_way_the_two_are_combined(app, make_meeting, in_app):
    """E-mail A with phone P, then e-mail B with phone P: the second is a repeat, so one mobile number cannot
    hold more than the 4 seats of one sign-up."""
    meeting_id = make_meeting()
    for email in ("a@example.dk", "b@example.dk", "c@example.dk"):
        assert sign_up(app.test_client(), meeting_id, email=email, phone="20304050", seats="4").status_code == 302
    with in_app():
        assert [(r.email, r.seats) for r in db.session.scalars(select(Registration))] == [("a@example.dk", 4)]
    assert [m.subject.split(":")[0] for m in mails_to(app, "a@example.dk")] == [
        "Du er tilmeldt",
        "Du er allerede tilmeldt",
        "Du er allerede tilmeldt",
    ]
    assert mails_to(app, "b@example.dk") == mails_to(app, "c@example.dk") == []


def test_after_a_cancellation_the_contact_may_sign_up_again(app, make_meeting, in_app):
    meeting_id = make_meeting()
    client = app.test_client()
    sign_up(client, meeting_id, email="a@example.dk")
    link = manage_link(client, "a@example.dk")
    client.post(link + "/afmeld", data={"csrf_token": csrf_token(client.get(link + "/afmeld"))})
    sign_up(client, meeting_id, email="a@example.dk", seats="1")
    with in_app():
        statuses = db.session.scalars(select(Registration.status).order_by(Registration.id)).all()
    assert statuses == ["cancelled", "confirmed"]
    assert mails_to(app, "a@example.dk")[-1].subject.startswith("Du er tilmeldt")


def public_pages(client, meeting_id: int) -> list[str]:
    """The main text of every public page that speaks of the meeting's seats."""
    paths = ["/moeder/", f"/moeder/{meeting_id}", f"/moeder/{meeting_id}/tilmeld"]
    return [text_of(client.get(path).doc.find(".//main")) for path in paths]


def test_the_seats_shown_do_not_tell_whether_an_address_was_signed_up(app, make_meeting):
    """The attack on the count of free seats: read the meeting's pages, sign up with someone's address and one
    seat, read them again. A count that stays put would say the owner was already coming; one that drops, not."""
    meeting_id = make_meeting(capacity=40)
    assert sign_up(app.test_client(), meeting_id, **OWNER).status_code == 302
    stranger = app.test_client()
    for contact in ({"email": "karen@example.dk"}, {"email": "ny@example.dk"}):
        before = public_pages(stranger, meeting_id)
        assert (
            sign_up(app.test_client(), meeting_id, **{**STRANGER, "seats": "1", "phone": ""}, **contact).status_code
            == 302
        )
        assert public_pages(stranger, meeting_id) == before, contact


@pytest.mark.parametrize(
    "taken, listed, told",
    [
        (0, "Ledige pladser", "Der er ledige pladser."),
        (5, "Ledige pladser", "Der er ledige pladser."),
        (6, "Få ledige pladser", "Der er få ledige pladser tilbage."),
        (9, "Få ledige pladser", "Der er få ledige pladser tilbage."),
        (10, "Fuldt – du kan komme på venteliste", "Mødet er fuldt."),
    ],
)
def test_the_public_is_told_free_few_or_full(app, make_meeting, taken, listed, told):
    """Enough to decide whether to sign up (one sign-up takes up to 4 seats), not a number to watch."""
    meeting_id = make_meeting(capacity=10)
    for n, seats in enumerate([4] * (taken // 4) + ([taken % 4] if taken % 4 else [])):
        person = {**OWNER, "email": f"person{n}@example.dk", "phone": "", "seats": str(seats)}
        assert sign_up(app.test_client(), meeting_id, **person).status_code == 302
    listing, meeting, _signup = public_pages(app.test_client(), meeting_id)
    assert listed in listing and told in meeting
    assert not any(str(10 - taken) + " ledig" in text for text in (listing, meeting))
