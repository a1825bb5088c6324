"""The migration that moves a feedback round's meeting to the meetings' side (revision 4e27985a7d10), run on a
database written before it: a meeting's feedback round (round.meeting_id) becomes the round's focus areas (the
meeting's) and the meeting's feedback_round_id; nothing that points at the rebuilt round and meeting tables is lost
on the way (invitations, a response, sign-ups, topics), and the downgrade gives round.meeting_id back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, inspect, select, text

from survey import create_app
from survey.kernel.clock import utcnow
from survey.kernel.config import ROOT, TestConfig
from survey.kernel.extensions import db
from survey.meetings.feedback import feedback_round
from survey.meetings.models import Meeting
from survey.policies.models import FocusArea
from survey.policies.services import load_policy
from survey.questionnaire.loading import load_questionnaire
from survey.questionnaire.models import Round
from tests.factories import SYDDJURS, without_contact
from tests.servers import postgres_database

MIGRATIONS = str(ROOT / "migrations")
REVISION, BEFORE = "4e27985a7d10", "45131a907031"
#: tables whose rows point at round or meeting, which SQLite's batch mode copies and drops
KEPT = ("invitation", "response", "registration", "meeting_topic", "meeting_focus_area", "meeting_stats")


@pytest.fixture
def own_app(database_url, tmp_path) -> Iterator:
    """The app on an empty database of its own (a file, or a new database on the suite's PostgreSQL server)."""
    settings = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()} | {"SECRET_KEY": "test-secret"}
    if database_url.startswith("sqlite"):
        app = create_app(settings | {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'feedback.sqlite3'}"})
        yield app
    else:
        with postgres_database(database_url, "borgerdialog_feedback_round") as url:
            app = create_app(settings | {"SQLALCHEMY_DATABASE_URI": url})
            yield app
    with app.app_context():
        db.engine.dispose()


def insert(table: str, **row) -> int:
    """A row written with SQL (the models are those of the new head); returns its id."""
    columns, values = ", ".join(row), ", ".join(f":{name}" for name in row)
    return db.session.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({values}) RETURNING id"), row).scalar()


def meeting_row(policy_id: int, title: str, areas: list[int]) -> int:
    """A meeting of two hours, ended an hour ago, on the given focus areas, written as before the revision."""
    ends = utcnow().replace(microsecond=0) - timedelta(hours=1)
    meeting_id = insert(
        "meeting",
        policy_id=policy_id,
        title=title,
        description="",
        starts_at=ends - timedelta(hours=2),
        ends_at=ends,
        venue_name="Rådhuset",
        venue_address="Lundbergsvej 2, 8400 Ebeltoft",
        step_free=True,
        hearing_loop=False,
        accessible_toilet=False,
        parking=False,
        accessibility_note="",
        capacity=10,
        registration_deadline=ends - timedelta(days=2),
        status="published",
        reminder_days=2,
        reminder_note="",
        sequence=0,
        created_at=ends - timedelta(days=30),
    )
    for area_id in areas:
        db.session.execute(
            text("INSERT INTO meeting_focus_area (meeting_id, focus_area_id) VALUES (:m, :a)"),
            {"m": meeting_id, "a": area_id},
        )
    return meeting_id


def old_database() -> dict[str, int]:
    """At the revision before: two meetings, the first with its feedback round (codes handed out, one answer sent),
    a sign-up with a topic, and an ordinary round; returns the ids."""
    policy, _ = load_policy(SYDDJURS, without_contact(SYDDJURS))
    areas = {area.code: area.id for area in policy.focus_areas}
    survey, _ = load_questionnaire(ROOT / "data/questionnaires/syddjurs-tilfredshed.yaml")
    after_meeting, _ = load_questionnaire(ROOT / "data/questionnaires/syddjurs-dialogmoede.yaml")
    now = utcnow()
    # in SQL, as the other rows: the models' round has the columns of later revisions
    closes = now + timedelta(days=30)
    ordinary = insert(
        "round",
        questionnaire_id=survey.id,
        slug="syddjurs-2026-2",
        label="2026 2. halvår",
        opens_at=now - timedelta(days=1),
        closes_at=closes,
        access="open",
    )
    feedback = insert(
        "round",
        questionnaire_id=after_meeting.id,
        slug="syddjurs-dialogmoede",
        label="Dialogmøde",
        opens_at=now - timedelta(hours=1),
        closes_at=closes,
        access="invitation",
    )
    for n in range(3):
        insert("invitation", round_id=feedback, code_hash=f"{n:064d}", used=False)
    met = meeting_row(policy.id, "Dialogmøde om job", [areas["1"], areas["5"]])
    other = meeting_row(policy.id, "Dialogmøde om unge", [areas["2"]])
    db.session.execute(text("UPDATE round SET meeting_id = :m WHERE id = :r"), {"m": met, "r": feedback})
    person = {"meeting_id": met, "kind": "public", "role": "borger", "name": "Karen", "email": "karen@example.dk"}
    person |= {"on_behalf_of": "", "seats": 1, "status": "confirmed", "needs": "[]", "interpreter_language": ""}
    person |= {"needs_other": "", "attended": True, "manage_key": "k" * 16, "created_at": now}
    registration = insert("registration", **person)
    topic = {"meeting_id": met, "registration_id": registration, "focus_area_id": areas["5"], "text": "Kaffe?"}
    insert("meeting_topic", **topic)
    db.session.execute(
        text("INSERT INTO meeting_stats (meeting_id, registered, attended, by_role) VALUES (:m, 1, 1, '{}')"),
        {"m": other},
    )
    answered = {"id": "r" * 32, "round_id": feedback, "submission_id": "s" * 32, "receipt": "ABCD2345"}
    db.session.execute(
        text("INSERT INTO response (id, round_id, submission_id, receipt, iso_week) VALUES (:id, :r, :s, :c, :w)"),
        {"id": answered["id"], "r": feedback, "s": answered["submission_id"], "c": "ABCD2345", "w": "2026-W49"},
    )
    db.session.commit()
    return {"met": met, "other": other, "feedback": feedback, "ordinary": ordinary} | areas


def counts() -> dict[str, int]:
    return {table: db.session.scalar(text(f"SELECT count(*) FROM {table}")) for table in KEPT}


def columns(table: str) -> set[str]:
    return {column["name"] for column in inspect(db.session.connection()).get_columns(table)}


def test_the_meeting_of_a_feedback_round_becomes_its_focus_areas_and_the_meetings_link(own_app):
    with own_app.app_context():
        upgrade(directory=MIGRATIONS, revision=BEFORE)
        ids = old_database()
        before = counts()
        assert "meeting_id" in columns("round") and before["invitation"] == 3
        db.session.remove()

        upgrade(directory=MIGRATIONS, revision=REVISION)
        assert counts() == before, "nothing pointing at the rebuilt round and meeting tables is lost"
        assert "meeting_id" not in columns("round")
        moved = db.session.execute(text("SELECT round_id, focus_area_id FROM round_focus_area")).all()
        assert sorted(moved) == sorted([(ids["feedback"], ids["1"]), (ids["feedback"], ids["5"])])
        links = dict(db.session.execute(text("SELECT id, feedback_round_id FROM meeting")).all())
        assert links == {ids["met"]: ids["feedback"], ids["other"]: None}
        # the app finds the round it made before instead of making a second one (with the later migrations too:
        # the models have their columns)
        db.session.remove()
        upgrade(directory=MIGRATIONS)
        meeting = db.session.get(Meeting, ids["met"])
        round_ = feedback_round(meeting)
        assert round_.id == ids["feedback"] and db.session.scalar(select(func.count()).select_from(Round)) == 2
        assert [area.code for area in round_.focus_areas] == ["1", "5"]
        assert db.session.get(Round, ids["ordinary"]).focus_areas == []
        if db.engine.dialect.name == "sqlite":
            assert db.session.execute(text("PRAGMA foreign_key_check")).all() == []
            assert db.session.scalar(text("PRAGMA foreign_keys")) == 1, "the migration turns foreign keys on again"
        db.session.remove()

        downgrade(directory=MIGRATIONS, revision=BEFORE)
        assert counts() == before
        assert "round_focus_area" not in inspect(db.session.connection()).get_table_names()
        assert "feedback_round_id" not in columns("meeting")
        back = dict(db.session.execute(text("SELECT id, meeting_id FROM round")).all())
        assert back == {ids["ordinary"]: None, ids["feedback"]: ids["met"]}
        db.session.remove()

        db.session.remove()
        upgrade(directory=MIGRATIONS)
        assert counts() == before
        assert db.session.scalar(select(FocusArea.code).where(FocusArea.id == ids["5"])) == "5"
