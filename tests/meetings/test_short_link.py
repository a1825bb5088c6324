"""The short manage link an SMS carries (/m/<16 characters>): it opens the same manage page as the long link, and a
mangled, expired, deleted or revoked one gets the same clear page as the long link would. It carries no id: the
links of sign-ups made one after another follow no order."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from survey.kernel.extensions import db
from survey.meetings.models import Registration
from survey.meetings.notify import short_manage_url
from tests.factories import DECEMBER_MEETING
from tests.meetings.signup import past_retention, sign_up
from tests.pages import text_of, title

SHORT = re.compile(r"http://127\.0\.0\.1:5000(/m/[A-Za-z0-9_-]{16})$")


def texted_link(sms_sent) -> str:
    """The path of the short link in the newest SMS (its last word)."""
    match = SHORT.match(sms_sent.sent[-1].text.split()[-1])
    assert match, sms_sent.sent[-1].text
    return match.group(1)


@pytest.fixture
def link(client, make_meeting, sms_sent) -> str:
    assert sign_up(client, make_meeting(), email="", phone="20304050", seats="2").status_code == 302
    return texted_link(sms_sent)


def test_the_short_link_opens_the_manage_page(app, link):
    phone = app.test_client()  # another device: nothing in its session
    response = phone.get(link)
    assert response.status_code == 302 and "/moeder/tilmelding/" in response.location
    assert response.headers["Cache-Control"] == "no-store" and response.headers["Referrer-Policy"] == "no-referrer"
    page = phone.get(response.location)
    assert page.status_code == 200 and "Du har 2 pladser til mødet." in text_of(page.doc.find(".//main"))


def test_an_english_sign_up_s_link_opens_the_page_in_english(app, make_meeting, request, sms_sent):
    service_sign_up = request.getfixturevalue("sign_up")  # tests/meetings/conftest.py, not the form's
    service_sign_up(make_meeting(**DECEMBER_MEETING), email=None, phone="+4520304050", language="en")
    page = app.test_client().get(texted_link(sms_sent), follow_redirects=True)
    assert page.doc.get("lang") == "en"


@pytest.mark.parametrize(
    "mangle",
    [
        lambda code: code[:-1] + ("A" if code[-1] != "A" else "B"),  # the tag bound to the manage key
        lambda code: ("A" if code[0] != "A" else "B") + code[1:],  # the key
        lambda code: code[:10] + ("A" if code[10] != "A" else "B") + code[11:],  # the key's own tag
        lambda code: code[:-1],
        lambda code: code + "x",
        lambda code: "ikke-et-link",
    ],
    ids=["bound-tag", "key", "key-tag", "cut", "longer", "garbage"],
)
def test_a_mangled_short_link_gets_the_long_links_page(client, link, mangle):
    page = client.get("/m/" + mangle(link.removeprefix("/m/")))
    assert page.status_code == 404 and "Linket virker ikke" in title(page)


def test_a_new_manage_key_revokes_the_short_link(client, link, in_app):
    with in_app():
        db.session.scalars(select(Registration)).one().manage_key = "replaced"
        db.session.commit()
    page = client.get(link)
    assert page.status_code == 404 and "Linket virker ikke" in title(page)


def test_the_short_link_expires_with_the_long_one(client, link, in_app):
    past_retention(in_app)
    page = client.get(link)
    assert page.status_code == 404 and "udløbet" in title(page)


def test_a_deleted_sign_up_s_short_link_has_expired(client, link, in_app):
    with in_app():
        db.session.delete(db.session.scalars(select(Registration)).one())
        db.session.commit()
    page = client.get(link)
    assert page.status_code == 404 and "udløbet" in title(page)


def test_short_links_carry_no_id_and_follow_no_order(app, make_meeting, make_registration):
    meeting_id = make_meeting(capacity=40)
    ids = [make_registration(meeting_id, phone=f"+45203040{n:02}") for n in range(30)]
    with app.app_context():
        codes = [short_manage_url(db.session.get(Registration, i)).rsplit("/", 1)[1] for i in ids]
    assert len(set(codes)) == 30 and all(len(code) == 16 for code in codes)
    assert codes != sorted(codes), "made one after another, yet in order"


def test_the_short_link_is_rate_limited(limited_app):
    app = limited_app(RATELIMIT_SHORT_LINK="3 per minute")
    client = app.test_client()
    answers = [client.get("/m/AAAAAAAAAAAAAAAA").status_code for _ in range(4)]
    assert answers == [404, 404, 404, 429]
