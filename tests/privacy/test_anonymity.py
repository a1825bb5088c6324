"""Proof of anonymity: a citizen answers three surveys (with a letter's code, by the open link, and with the
feedback code mailed after a dialogue meeting they signed up for) from a known address; then every column of
every table that stores anything of a response is inspected for anything that could tie it to the invitation,
the draft, the sign-up, the address or the time of sending.

Then the order: fifty citizens send a survey one after another, and no way the app or a database reader lists the
tables holding answers (as stored, by key, by the app's own orderings) may follow the order they were sent in,
or the n-th `POST …/tjek` in the web server's access log would give a response's time and address. What remains
(PostgreSQL's heap order and transaction ids, the pages of the database files) is described in the README."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import combinations, groupby

import pytest
from sqlalchemy import Date, DateTime, Interval, Select, Table, Time, func, inspect, select, text

from survey.kernel import codes
from survey.kernel.clock import to_local, utcnow
from survey.kernel.config import ROOT
from survey.kernel.extensions import db
from survey.meetings.feedback import hand_out_codes
from survey.meetings.models import Meeting, Registration
from survey.meetings.tokens import manage_token
from survey.questionnaire.loading import load_questionnaire
from survey.questionnaire.models import Answer, Draft, Invitation, Response, Round
from survey.questionnaire.rounds import create_invitations
from survey.questionnaire.services import response_for_submission
from survey.results.comments import comment_groups, comments
from survey.results.models import Quote, ResultSum
from survey.results.quotes import report_quotes
from survey.staff.models import StaffUser
from tests.pages import csrf_token, error_summary
from tests.privacy.ranks import LEAST_UNITS, SIGMAS, follows
from tests.privacy.scan import leaks
from tests.privacy.submit_order import SURVEYS, counted_columns, response_tables, varied_answers
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
        feedback_slug = db.session.get(Round, meeting.feedback_round_id).slug
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


@dataclass
class Sent:
    """What fifty citizens sent one after another, by submit number (0 for the first)."""

    response_ids: list[str] = field(default_factory=list)
    #: the running sums' rows (by primary key) → the submit that made the row
    sums_made_by: dict[tuple, int] = field(default_factory=dict)
    #: each comment's text → its submit
    comments: dict[str, int] = field(default_factory=dict)


@pytest.fixture
def sent_in_order(app, make_round) -> Sent:
    """Fifty surveys sent one after another through the pages, each from a phone of its own; then staff pick every
    comment as a quote in the order they were sent (the quote table's worst case)."""
    slug, sent = make_round(), Sent()
    for n in range(SURVEYS):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"198.51.100.{n + 1}"
        citizen = Citizen(client, slug)
        assert citizen.start().status_code == 302
        answers = varied_answers(n)
        response, form = citizen.submit(citizen.answer_all(answers))
        assert response.status_code == 302
        sent.comments[answers["egne-ord"]["kommentar"]] = n
        with app.app_context():
            sent.response_ids.append(response_for_submission(form["submission_id"]).id)
            for key in db.session.execute(select(*ResultSum.__table__.primary_key.columns)):
                sent.sums_made_by.setdefault(tuple(key), n)
    with app.app_context():
        staff = StaffUser(email="analytiker@kommune.test", role="analyst", password_hash="-")
        db.session.add(staff)
        db.session.flush()
        number = {response_id: n for n, response_id in enumerate(sent.response_ids)}
        quotable = db.session.execute(select(Answer.id, Answer.response_id).where(Answer.may_quote)).all()
        for answer_id, _ in sorted(quotable, key=lambda row: number[row.response_id]):
            db.session.add(Quote(answer_id=answer_id, chosen_by_id=staff.id))
            db.session.flush()
        db.session.commit()
    return sent


def submit_number_of(sent: Sent) -> dict:
    """Per table holding answers: a row (as a mapping) → the submit number of the response it belongs to."""
    number = {response_id: n for n, response_id in enumerate(sent.response_ids)}
    of_answer = {row.id: number[row.response_id] for row in db.session.execute(select(Answer.id, Answer.response_id))}
    sum_key = [column.name for column in ResultSum.__table__.primary_key.columns]
    return {
        "response": lambda row: number[row["id"]],
        "answer": lambda row: number[row["response_id"]],
        "quote": lambda row: of_answer[row["answer_id"]],
        "result_sum": lambda row: sent.sums_made_by[tuple(row[name] for name in sum_key)],
    }


def listings(table: Table) -> dict[str, Select]:
    """The ways a table is read back in an order: by primary key (and the model's, where it differs), by any
    relationship's order_by, and on SQLite as stored (no ORDER BY: the order of the table's B-tree, by rowid or,
    WITHOUT ROWID, by key). PostgreSQL gives back a plain SELECT in heap order, which follows insertion until a
    CLUSTER: what the README says remains."""
    found = {"by primary key": select(table).order_by(*table.primary_key.columns)}
    if db.engine.dialect.name == "sqlite":
        found["as stored"] = select(table)
    for mapper in db.Model.registry.mappers:
        if mapper.local_table is table and list(mapper.primary_key) != list(table.primary_key.columns):
            found["by the model's key"] = select(table).order_by(*mapper.primary_key)
        for relationship in mapper.relationships:
            if relationship.target is table and relationship.order_by:
                found[f"by {relationship}'s order_by"] = select(table).order_by(*relationship.order_by)
    return found


def app_listings(sent: Sent) -> dict[str, list[int]]:
    """The submit numbers of what the staff's comment list (every page) and the committee report's quotes show,
    in the order they show it."""
    number = submit_number_of(sent)
    round_id, area_id = db.session.execute(
        select(Response.round_id, Answer.focus_area_id).join(Answer).where(Answer.text.is_not(None)).distinct()
    ).one()
    shown, page = [], 1
    while len(shown) < SURVEYS:
        found, _total = comments(area_id, comment_groups(area_id, [round_id]), quotable_only=False, page=page)
        assert found, "the comment list ended early"
        shown += [number["quote"]({"answer_id": comment.answer_id}) for comment in found]
        page += 1
    quotes = [sent.comments[quote] for quote in report_quotes(area_id, [round_id], limit=SURVEYS)]
    return {"staff's comment list": shown, "the report's quotes": quotes}


def test_no_listing_of_the_answers_follows_the_order_they_were_sent_in(app, sent_in_order):
    with app.app_context():
        number, listed = submit_number_of(sent_in_order), {}
        for table in response_tables():
            assert table.name in number, f"{table.name} holds answers: say here how its rows belong to a response"
            for how, query in listings(table).items():
                rows = db.session.execute(query).mappings().all()
                listed[f"{table.name} {how}"] = [number[table.name](row) for row in rows]
        listed |= app_listings(sent_in_order)
    # a running sum's key is what it sums (round, area, dimension, question, group): its place is fixed by the
    # seeded answers, not drawn, so its rows are compared one by one (a row belongs to the submit that made it)
    followed = {name: follows(order, by_response=not name.startswith("result_sum")) for name, order in listed.items()}
    assert {name: units for name, (units, _, _) in followed.items() if units < LEAST_UNITS} == {}, "too few to tell"
    # under a random order, SIGMAS is reached with a probability of about 2e-9 per listing (tests/privacy/ranks.py)
    leaking = {
        name: f"ρ = {rho:.2f} ({sigmas:.1f} σ)" for name, (_, rho, sigmas) in followed.items() if sigmas >= SIGMAS
    }
    assert leaking == {}, f"listed in the order the surveys were sent: {leaking}"
    # while a response's answers lie side by side (one page to read or write: questionnaire.models.Answer)
    assert len([n for n, _ in groupby(listed["answer by primary key"])]) == SURVEYS


def test_the_tables_holding_answers_count_nothing(app):
    with app.app_context():
        assert counted_columns([table.name for table in response_tables()]) == []
