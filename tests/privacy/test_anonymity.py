"""Proof of anonymity: a citizen answers three surveys (with a letter's code, by the open link, and with the
feedback code mailed after a dialogue meeting they signed up for) from a known address; then every column of
every table that stores anything of a response is inspected for anything that could tie it to the invitation,
the draft, the sign-up, the address or the time of sending.

What a database administrator can still work out is in the report of issue 5 (physical row order, PostgreSQL
transaction ids); it is not something a stored value shows, so it is not tested here."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import combinations

import pytest
from sqlalchemy import Date, DateTime, Interval, Table, Time, func, inspect, select, text

from survey import ROOT, codes
from survey.extensions import db
from survey.meetings.feedback import hand_out_codes
from survey.meetings.models import Meeting, Registration
from survey.meetings.tokens import manage_token
from survey.models import to_local, utcnow
from survey.questionnaire.loading import load_questionnaire
from survey.questionnaire.models import Answer, Draft, Invitation, Response, Round
from survey.questionnaire.rounds import create_invitations
from survey.results.models import Quote, ResultSum
from survey.staff.models import StaffUser
from tests.pages import csrf_token, error_summary
from tests.privacy.scan import leaks
from tests.questionnaire.walker import Citizen

IP, FORWARDED_IP = "203.0.113.7", "198.51.100.23"
USER_AGENT = "Mozilla/5.0 (Linux; Android 9) AnonymitetsProeve/7.3"
PERSON = {"name": "Gudrun Kjærsgaard", "email": "gudrun.kjaersgaard@example.dk", "phone": "+4531425364"}
FEEDBACK = {
    "moedet": {"moede-tilfreds": "5", "moede-lyttet": "4", "moede-adgang": "dont_know"},
    "bagefter": {"moede-ved-hvad-nu": "2"},
    "egne-ord": {"kommentar": "Godt at blive hørt.", "maa-citere": "yes"},
    "om-dig": {"hvem-svarer": "paaroerende"},
}
#: where the response tables may point: the round and questionnaire they belong to, and each other
ALLOWED_REFERENCES = {"round", "question", "focus_area", "response", "answer"}
#: the one exception, checked by hand: a quote names the staff member who picked it and when. Both are set later,
#: by staff, in the results pages; chosen_at says only that the answer was written before it was picked.
STAFF_ACTION = {("quote", "chosen_by_id"), ("quote", "chosen_at")}


@dataclass
class Trail:
    """Everything the citizen's visits left outside the response: none of it may be found next to the answers."""

    texts: dict[str, str] = field(default_factory=dict)
    numbers: dict[str, int] = field(default_factory=dict)
    sent: list[datetime] = field(default_factory=list)

    def draft(self, name: str, citizen: Citizen, submission_id: str) -> None:
        with_hash = db.session.scalar(select(Draft).where(Draft.submission_id == submission_id))
        self.texts |= {f"{name} resume code": citizen.token, f"{name} submission id": submission_id}
        self.texts[f"{name} resume code hash"] = with_hash.token_hash
        self.numbers[f"{name} draft id"] = with_hash.id

    def invitation(self, name: str, code: str) -> None:
        digest = codes.keyed_hash(code, "invitation")
        invitation = db.session.scalar(select(Invitation).where(Invitation.code_hash == digest))
        self.texts |= {f"{name} code": code, f"{name} grouped code": codes.grouped(code), f"{name} hash": digest}
        self.numbers[f"{name} invitation id"] = invitation.id

    def times(self) -> None:
        """The sending moments as dates, minutes and epoch seconds, in UTC and Danish time."""
        first, last = min(self.sent) - timedelta(seconds=1), max(self.sent) + timedelta(seconds=1)
        moments = {first + timedelta(seconds=s) for s in range(int((last - first).total_seconds()) + 1)}
        for moment in moments:
            for shown in (moment, to_local(moment)):
                for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%Y%m%d", "%H:%M"):
                    self.texts[f"send time {shown:%Y-%m-%d %H:%M:%S%z} as {pattern}"] = shown.strftime(pattern)
            epoch = int(moment.timestamp() if moment.tzinfo else (moment - datetime(1970, 1, 1)).total_seconds())
            self.numbers |= {f"send time {epoch}": epoch, f"send time {epoch} ms": epoch * 1000}
            self.texts[f"send time {epoch}"] = str(epoch)


def response_tables() -> list[Table]:
    """response and answer, every table made from answers without pointing at them (marked from_answers in its
    info, like the results' running sums), and every table with a foreign key to one of these (found, not listed)."""
    found = {"response", "answer"} | {t.name for t in db.metadata.sorted_tables if t.info.get("from_answers")}
    while grown := {
        t.name
        for t in db.metadata.sorted_tables
        if t.name not in found and any(fk.column.table.name in found for fk in t.foreign_keys)
    }:
        found |= grown
    return [t for t in db.metadata.sorted_tables if t.name in found]


def start_ids_at(model, start: int, **placeholder) -> None:
    """Make the next id of `model` start+1 (a kept placeholder row; on PostgreSQL the sequence is moved too), so
    that an id found among the answers cannot be a small number that is there for another reason."""
    db.session.add(model(id=start, **placeholder))
    db.session.flush()
    if db.engine.dialect.name == "postgresql":
        name = model.__tablename__
        db.session.execute(text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :n)"), {"t": name, "n": start})


def answer_survey(client, slug: str, trail: Trail, name: str, code: str | None = None, answers=None) -> None:
    citizen = Citizen(client, slug)
    assert citizen.start(code=code).status_code == 302
    review = citizen.answer_all(*([answers] if answers else []))
    submission_id = client.get(review).doc.find(".//input[@name='submission_id']").get("value")
    with client.application.app_context():
        trail.draft(name, citizen, submission_id)
    trail.sent.append(utcnow())
    response, _form = citizen.submit(review)
    trail.sent.append(utcnow())
    assert response.status_code == 302


def sign_up(client, meeting_id: int) -> None:
    page = client.get(f"/moeder/{meeting_id}/tilmeld")
    data = {**PERSON, "role": "borger", "seats": "1", "needs": ["sign_language"], "consent": "y"}
    data["topic_focus_area"] = ""
    response = client.post(f"/moeder/{meeting_id}/tilmeld", data={**data, "csrf_token": csrf_token(page)})
    assert response.status_code == 302, error_summary(response)


@pytest.fixture
def citizen_client(app):
    """A phone at a known address behind a proxy that names another, with a user agent of its own."""
    client = app.test_client()
    client.environ_base.update({"REMOTE_ADDR": IP, "HTTP_X_FORWARDED_FOR": FORWARDED_IP, "HTTP_USER_AGENT": USER_AGENT})
    return client


@pytest.fixture
def trail(app, citizen_client, make_round, make_meeting) -> Trail:
    """The three surveys and the sign-up, made through the pages; returns what they left behind."""
    trail = Trail(texts={"IP address": IP, "forwarded IP address": FORWARDED_IP, "user agent": USER_AGENT})
    invitation_slug, open_slug = make_round(access="invitation"), make_round(label="2027 1. halvår")
    meeting_id = make_meeting(areas=("1", "5"))
    with app.app_context():
        invitation_round = db.session.scalar(select(Round).where(Round.slug == invitation_slug))
        start_ids_at(Invitation, 7_000_000, round=invitation_round, code_hash="placeholder")
        start_ids_at(Draft, 6_000_000, round=invitation_round, token_hash="placeholder", submission_id="placeholder")
        start_ids_at(Registration, 8_000_000, meeting_id=meeting_id, role="andet", name="-", status="cancelled")
        [letter_code] = create_invitations(invitation_round, 1)
        trail.invitation("letter", letter_code)
        load_questionnaire(ROOT / "data/questionnaires/syddjurs-dialogmoede.yaml")
        db.session.commit()

    sign_up(citizen_client, meeting_id)
    answer_survey(citizen_client, invitation_slug, trail, "letter", code=letter_code)
    answer_survey(citizen_client, open_slug, trail, "open link")

    with app.app_context():
        registration = db.session.scalar(select(Registration).where(Registration.email == PERSON["email"]))
        trail.texts |= {f"sign-up {k}": v for k, v in PERSON.items()}
        trail.texts |= {"manage key": registration.manage_key, "manage link token": manage_token(registration)}
        trail.numbers["registration id"] = registration.id
        meeting = db.session.get(Meeting, meeting_id)
        meeting.starts_at, meeting.ends_at = utcnow() - timedelta(hours=3), utcnow() - timedelta(hours=1)
        registration.attended = True
        feedback_code = hand_out_codes(meeting, [registration])[registration.id]
        feedback_slug = db.session.scalar(select(Round.slug).where(Round.meeting_id == meeting_id))
        trail.invitation("feedback", feedback_code)
        db.session.commit()
    answer_survey(citizen_client, feedback_slug, trail, "feedback", code=feedback_code, answers=FEEDBACK)

    with app.app_context():
        # staff pick the letter's comment as a quote, so that the quote table has a row to inspect
        staff = StaffUser(email="analytiker@kommune.test", role="analyst", password_hash="-")
        db.session.add(staff)
        db.session.flush()
        comment = db.session.scalar(select(Answer).where(Answer.text.is_not(None), Answer.may_quote).limit(1))
        db.session.add(Quote(answer_id=comment.id, chosen_by_id=staff.id))
        db.session.commit()
    trail.times()
    return trail


def test_the_response_tables_have_no_reference_and_no_time_column_that_could_identify(app):
    with app.app_context():
        tables = response_tables()
        assert {t.name for t in tables} >= {"response", "answer", "quote", "result_sum"}
        for table in tables:
            for fk in table.foreign_keys:
                target = fk.column.table.name
                assert target in ALLOWED_REFERENCES or (table.name, fk.parent.name) in STAFF_ACTION, (
                    f"{table.name}.{fk.parent.name} points at {target}"
                )
            for column in table.columns:
                timed = isinstance(column.type, Date | DateTime | Time | Interval)
                assert not timed or (table.name, column.name) in STAFF_ACTION, f"{table.name}.{column.name} is a time"
            # the migrations made nothing the models do not know about
            in_database = {c["name"] for c in inspect(db.engine).get_columns(table.name)}
            assert in_database == set(table.columns.keys()), table.name


def test_no_stored_value_of_a_response_ties_it_to_the_citizen(app, trail):
    with app.app_context():
        responses = db.session.scalars(select(Response)).all()
        assert len(responses) == 3 and db.session.scalar(select(Quote.answer_id)) is not None
        assert db.session.scalar(select(func.count()).select_from(ResultSum)) > 0, "the sums are inspected too"
        found = leaks(trail.texts, trail.numbers, tables=response_tables())
        assert found == [], "\n".join(found)


def test_nothing_outside_the_response_points_back_at_it(app, trail):
    """The other direction: the invitation, the sign-up, the audit log… hold no response id, receipt or the like."""
    with app.app_context():
        names = {t.name for t in response_tables()}
        others = [t for t in db.metadata.sorted_tables if t.name not in names]
        marks = {}
        for response in db.session.scalars(select(Response)):
            marks |= {f"{response.id} id": response.id, f"{response.receipt} receipt": response.receipt}
            marks[f"{response.id} submission"] = response.submission_id
        assert db.session.scalars(select(Draft.id).where(Draft.submission_id != "placeholder")).all() == []
        found = leaks(marks, tables=others)
        assert found == [], "\n".join(found)
        assert leaks({"IP address": IP, "forwarded IP address": FORWARDED_IP, "user agent": USER_AGENT}) == []


def test_response_ids_and_receipts_are_random_not_counted(app, trail):
    with app.app_context():
        rows = db.session.execute(select(Response.id, Response.receipt)).all()
    ids, receipts = [r.id for r in rows], [r.receipt for r in rows]
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)
    assert all(len(r) == 8 and set(r) <= set(codes.ALPHABET) for r in receipts)
    for a, b in combinations(ids, 2):
        assert abs(int(a, 16) - int(b, 16)) > 2**64, f"{a} and {b} are too close to be random"
        assert a[:6] != b[:6] and a[-6:] != b[-6:], "shared parts (a clock, a counter, a machine id)"
    for a, b in combinations(receipts, 2):
        assert sum(x != y for x, y in zip(a, b, strict=True)) >= 3, f"receipts {a} and {b} look counted"
