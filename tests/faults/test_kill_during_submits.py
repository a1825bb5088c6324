"""kill -9 the app server (gunicorn master and workers) while 200 citizens press "Send svar" at once.

Then: every submit that got its receipt is stored, with that receipt; no response is half-written and none is
both stored and still a draft; and sending every form again (same submission id) stores each one once and
answers each with its receipt."""

from __future__ import annotations

import http.client
import threading
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest
from itsdangerous import BadSignature
from sqlalchemy import func, select

from survey.kernel.extensions import db
from survey.questionnaire.models import Answer, Draft, Response, Round
from survey.questionnaire.services import build_answers, response_for_submission, start_draft
from tests.faults.conftest import SECRET, complete_draft_answers
from tests.pages import parse
from tests.servers import START_TIMEOUT, Gunicorn, free_port

#: besides the fault, a server of its own: gunicorn (tests/markers.py)
pytestmark = pytest.mark.deploy

SUBMITS = 200
#: answers to wait for before the kill; the other submits are then being handled or queued
KILL_AFTER = 30


class SubmitServer(Gunicorn):
    """`gunicorn wsgi:app`, two workers of four threads each (eight submits inside the app at any moment);
    kill() reaches the master and every worker at once."""

    def __init__(self, env: dict[str, str], log):
        # --preload: the app is imported once and forked, so a start costs one import on a busy 2-core machine
        super().__init__(free_port(), env, log, workers=2, threads=4, extra=("--preload",))

    def request(self, method: str, path: str, form: dict | None = None, cookie: str = ""):
        """One request on a connection of its own; (status, headers, body), or None when the connection broke."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=START_TIMEOUT)
        headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
        try:
            connection.request(method, path, body=urlencode(form) if form else None, headers=headers)
            answer = connection.getresponse()
            return answer.status, answer.headers, answer.read().decode()
        except (OSError, http.client.HTTPException):
            return None
        finally:
            connection.close()


@pytest.fixture
def gunicorn(database_url, tmp_path):
    env = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET,
        "BORGERDIALOG_INSTANCE": str(tmp_path / "instance"),
        "RATELIMIT_SURVEY_POST": "100000 per minute",  # 200 citizens behind one address (the test's)
    }
    server = SubmitServer(env, tmp_path / "gunicorn.log")
    yield server
    server.kill()


@pytest.fixture
def ready_drafts(app, make_round):
    """200 drafts with every answer given, ready to send: (resume code, submission id) each, and the round's slug."""
    slug = make_round()
    with app.app_context():
        round_ = db.session.scalar(select(Round).where(Round.slug == slug))
        answers = complete_draft_answers(round_.questionnaire)
        rows = len(build_answers(round_.questionnaire, answers, []))
        drafts = []
        for _ in range(SUBMITS):
            draft, token = start_draft(round_)
            draft.answers = answers
            drafts.append((token, draft.submission_id))
        db.session.commit()
    return slug, drafts, rows


def receipt_of(app, answer) -> str | None:
    """The receipt number a 302 to the receipt page carries in the session cookie it sets."""
    status, headers, _body = answer
    if status != 302 or not headers["Location"].endswith("/kvittering"):
        return None
    serializer = app.session_interface.get_signing_serializer(app)
    for header in headers.get_all("Set-Cookie"):
        for morsel in SimpleCookie(header).values():
            try:
                return serializer.loads(morsel.value).get("receipt")
            except BadSignature:  # another cookie than the session
                continue
    return None


def test_kill_9_during_200_submits_loses_no_answer(app, in_app, gunicorn, ready_drafts):
    slug, drafts, rows_per_response = ready_drafts
    gunicorn.start().wait_until_ready()
    # one session for every citizen: its CSRF token is good for all the forms
    status, headers, body = gunicorn.request("GET", f"/s/{slug}/svar/{drafts[0][0]}/tjek")
    assert status == 200
    cookie = "; ".join(
        f"{m.key}={m.coded_value}" for h in headers.get_all("Set-Cookie") for m in SimpleCookie(h).values()
    )
    token = parse(body).find(".//input[@name='csrf_token']").get("value")

    def send(draft):
        code, submission_id = draft
        form = {"csrf_token": token, "submission_id": submission_id}
        return gunicorn.request("POST", f"/s/{slug}/svar/{code}/tjek", form, cookie)

    answers: dict[str, tuple | None] = {}
    enough, lock = threading.Event(), threading.Lock()

    def citizen(draft):
        answer = send(draft)
        with lock:
            answers[draft[1]] = answer
            if sum(a is not None for a in answers.values()) >= KILL_AFTER:
                enough.set()

    threads = [threading.Thread(target=citizen, args=(draft,)) for draft in drafts]
    for thread in threads:
        thread.start()
    assert enough.wait(START_TIMEOUT), "no answers came back"
    gunicorn.kill()
    for thread in threads:
        thread.join()

    answered = {sid: answer for sid, answer in answers.items() if answer is not None}
    assert len(answered) < SUBMITS, "the kill must catch submits in flight"
    assert {status for status, _headers, _body in answered.values()} <= {302, 503}, "a receipt or 'prøv igen'"
    receipts = {sid: receipt_of(app, answer) for sid, answer in answered.items() if answer[0] == 302}
    assert receipts and all(receipts.values()), "a submit that was let through got its receipt"

    def check_database() -> dict[str, str]:
        with in_app() as session:
            found = {sid: response_for_submission(sid) for _code, sid in drafts}
            stored = {sid: response.receipt for sid, response in found.items() if response is not None}
            sizes = select(Response.id, func.count(Answer.id)).outerjoin(Answer).group_by(Response.id)
            sizes = dict(session.execute(sizes).all())
            left = set(session.scalars(select(Draft.submission_id)))
            responses = session.scalar(select(func.count()).select_from(Response))
        assert {sid: stored.get(sid) for sid in receipts} == receipts, "a receipt was given for an answer not stored"
        assert set(sizes.values()) <= {rows_per_response}, "a response is missing answers"
        assert len(stored) == responses
        assert not left & stored.keys(), "a response was stored while its draft was kept"
        assert left | stored.keys() == {sid for _code, sid in drafts}, "a draft vanished without its response"
        return stored

    before = check_database()

    gunicorn.start().wait_until_ready()
    with ThreadPoolExecutor(16) as pool:
        retried = dict(zip([sid for _code, sid in drafts], pool.map(send, drafts), strict=True))
    after = check_database()
    assert len(after) == SUBMITS, "every retried submit is stored, once"
    assert {sid: receipt_of(app, answer) for sid, answer in retried.items()} == after
    assert {sid: after[sid] for sid in before} == before, "a stored response kept its receipt"
