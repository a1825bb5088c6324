"""Two gunicorn app servers behind one address: a citizen's requests may land on either, so nothing a journey
needs may live in one server's memory (sessions, CSRF tokens, drafts, receipts, rate-limit counts).

Every request goes to the other server than the one before, so each page is fetched from one server and posted
to the other."""

from __future__ import annotations

import email
import email.policy
import re

from sqlalchemy import func, select

from survey.kernel import codes
from survey.meetings.models import Registration
from survey.questionnaire.models import Answer, Draft, Response
from tests.deploy.conftest import CODE_ENTRY_LIMIT
from tests.deploy.phone import Alternating, Phone, csrf_token, hidden
from tests.meetings.signup import GOOD as SIGNUP
from tests.pages import text_of
from tests.questionnaire.walker import SYDDJURS_ANSWERS

WRONG_RESUME_CODE = "ABCD-EFGH-JKMN"


def receipt_number(answer) -> str:
    return answer.doc.find(".//strong[@class='code']").text


def test_a_survey_walked_across_both_servers_is_stored_once(deployment):
    servers = deployment.servers
    phone, server = Phone(), Alternating(*servers)
    start = f"/s/{deployment.round_slug}/"
    page = phone.get(server(), start)
    started = phone.post(server(), start, {"csrf_token": csrf_token(page)})
    assert started.status == 302, started.text[:2000]
    url = started.location
    for number, answers in enumerate(SYDDJURS_ANSWERS.values()):
        page = phone.get(server(), url)
        if number == 3:
            page = phone.get(server(), url)  # the phone reloads the page: from here on the other server gets the posts
        assert page.status == 200
        posted = phone.post(server(), url, {"csrf_token": csrf_token(page), **answers})
        assert posted.status == 302, posted.text[:2000]
        url = posted.location
    assert url.endswith("/tjek")

    review = phone.get(server(), url)
    form = {"csrf_token": csrf_token(review), "submission_id": hidden(review, "submission_id")}
    sent = phone.post(server(), url, form)
    assert sent.status == 302 and sent.location.endswith("/kvittering")
    shown = receipt_number(phone.get(server(), sent.location))  # the receipt travels in the session cookie
    again = phone.post(server(), url, form)  # a double tap, or a retry after a timeout, reaches the other server
    assert again.status == 302
    assert receipt_number(phone.get(server(), again.location)) == shown
    assert {(method, s) for method, s in phone.sent} == {(m, s) for m in ("GET", "POST") for s in servers}

    with deployment.session() as stored:
        response = stored.scalars(select(Response)).one()
        assert codes.grouped(response.receipt) == shown
        answers = stored.scalar(select(func.count()).select_from(Answer).where(Answer.response_id == response.id))
        assert answers == sum(len(page) for page in SYDDJURS_ANSWERS.values())
        assert stored.scalar(select(func.count()).select_from(Draft)) == 0


def test_a_meeting_sign_up_across_both_servers(deployment):
    servers = deployment.servers
    phone, server = Phone(), Alternating(*servers)
    path = f"/moeder/{deployment.meeting_id}/tilmeld"
    form = phone.get(server(), path)
    assert form.status == 200
    signed_up = phone.post(server(), path, {**SIGNUP, "csrf_token": csrf_token(form)})
    assert signed_up.status == 302 and signed_up.location.endswith(f"{path}/tak"), signed_up.text[:2000]
    # the thank-you page comes from the session the other server signed
    thanks = phone.get(server(), signed_up.location)
    assert "Vi har sendt en bekræftelse til karen@example.dk." in text_of(thanks.doc.find(".//main"))
    # the manage link is signed with SECRET_KEY by the server that mailed it and opened on the other
    (sender,) = [n for n, folder in enumerate(deployment.mail_dirs) if folder.exists() and any(folder.iterdir())]
    (mail,) = [f.read_bytes() for f in deployment.mail_dirs[sender].iterdir()]
    body = email.message_from_bytes(mail, policy=email.policy.default).get_body(("plain",)).get_content()
    (link,) = re.findall(r"^https?://[^/\s]+(/moeder/tilmelding/\S+)$", body, re.MULTILINE)
    manage = phone.get(servers[1 - sender], link)
    assert manage.status == 200 and "Du har 2 pladser til mødet." in text_of(manage.doc.find(".//main"))

    with deployment.session() as stored:
        registrations = stored.scalars(select(Registration).where(Registration.meeting_id == deployment.meeting_id))
        assert [(r.email, r.seats, r.status) for r in registrations] == [("karen@example.dk", 2, "confirmed")]


def test_wrong_codes_are_counted_across_both_servers(deployment, redis_server):
    """Code entry is limited to 4 per minute: the 5th attempt is refused although neither server has seen more
    than 3, because both count in Redis. With memory:// each server counts alone and all 5 get through
    (test_rate_limit_storage.py shows that side)."""
    assert CODE_ENTRY_LIMIT == "4 per minute"
    redis_server.client().flushall()  # whatever an earlier test counted
    servers = deployment.servers
    phone, server = Phone(), Alternating(*servers)
    resume = f"/s/{deployment.round_slug}/fortsaet"
    token = csrf_token(phone.get(server(), resume))
    attempts = [phone.post(server(), resume, {"csrf_token": token, "code": WRONG_RESUME_CODE}) for _ in range(5)]

    posts = [s for method, s in phone.sent if method == "POST"]
    assert sorted(posts.count(s) for s in servers) == [2, 3]
    assert [a.status for a in attempts] == [400, 400, 400, 400, 429]
    assert "Vi kan ikke finde påbegyndte svar med den kode" in attempts[0].text
    assert redis_server.client().keys("LIMITS:*"), "the counts are kept in Redis"
