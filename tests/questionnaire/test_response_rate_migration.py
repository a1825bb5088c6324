"""The migration that counts surveys per day (revision 0d684522f94d), run on a database written before it: a draft
that already holds answers was started before counting began and is marked as counted (its next page must not count
it), an empty one is not; responses sent before it are in the round's total but have no day; the downgrade drops
the table and the column."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from survey import create_app
from survey.kernel.clock import utcnow
from survey.kernel.config import ROOT, TestConfig
from survey.kernel.extensions import db
from survey.policies.services import load_policy
from survey.questionnaire.loading import load_questionnaire
from survey.questionnaire.models import Draft, Round
from survey.questionnaire.response_rate import round_rate
from survey.questionnaire.services import save_page
from tests.factories import SYDDJURS, without_contact
from tests.servers import postgres_database

MIGRATIONS = str(ROOT / "migrations")
REVISION, BEFORE = "0d684522f94d", "8c41e5d2a7f3"


@pytest.fixture
def own_app(database_url, tmp_path) -> Iterator:
    """The app on an empty database of its own (a file, or a new database on the suite's PostgreSQL server)."""
    settings = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()} | {"SECRET_KEY": "test-secret"}
    if database_url.startswith("sqlite"):
        app = create_app(settings | {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'rate.sqlite3'}"})
        yield app
    else:
        with postgres_database(database_url, "borgerdialog_response_rate") as url:
            app = create_app(settings | {"SQLALCHEMY_DATABASE_URI": url})
            yield app
    with app.app_context():
        db.engine.dispose()


def old_database() -> int:
    """At the revision before: an open round with one response, a draft with an answer and an empty one."""
    load_policy(SYDDJURS, without_contact(SYDDJURS))
    survey, _ = load_questionnaire(ROOT / "data/questionnaires/syddjurs-tilfredshed.yaml")
    # in SQL, as the other rows: the model's round has the columns of later revisions
    db.session.execute(
        text(
            "INSERT INTO round (questionnaire_id, slug, label, opens_at, closes_at, access) "
            "VALUES (:q, 'syddjurs-2026-2', '2026 2. halvår', :o, :c, 'open')"
        ),
        {"q": survey.id, "o": utcnow() - timedelta(days=3), "c": utcnow() + timedelta(days=30)},
    )
    round_id = db.session.scalar(text("SELECT id FROM round WHERE slug = 'syddjurs-2026-2'"))
    for key, answers in (("answered", '{"hjaelp": {"choice": "job"}}'), ("empty", "{}")):
        db.session.execute(
            text(
                "INSERT INTO draft (round_id, token_hash, submission_id, answers, updated_at) "
                "VALUES (:r, :t, :s, :a, :u)"
            ),
            {"r": round_id, "t": key, "s": key, "a": answers, "u": utcnow()},
        )
    db.session.execute(
        text("INSERT INTO response (id, round_id, submission_id, receipt, iso_week) VALUES (:i, :r, :s, :c, :w)"),
        {"i": "r" * 32, "r": round_id, "s": "s" * 32, "c": "ABCD2345", "w": "2026-W49"},
    )
    db.session.commit()
    return round_id


def test_drafts_begun_before_are_not_counted_again_and_old_responses_have_no_day(own_app):
    with own_app.app_context():
        upgrade(directory=MIGRATIONS, revision=BEFORE)
        round_id = old_database()
        db.session.remove()

        upgrade(directory=MIGRATIONS, revision=REVISION)
        flags = dict(db.session.execute(text("SELECT token_hash, started_counted FROM draft")).all())
        assert {key: bool(flag) for key, flag in flags.items()} == {"answered": True, "empty": False}
        db.session.remove()
        upgrade(directory=MIGRATIONS)  # the models below are the head's (later columns of round and draft)
        round_ = db.session.get(Round, round_id)
        first_page = round_.questionnaire.spec.pages[0]
        for draft in db.session.query(Draft).order_by(Draft.token_hash):
            save_page(draft, first_page, {"hjaelp": {"choice": "ung"}})
        db.session.commit()
        rate = round_rate(round_)
        assert (rate.started, rate.completed, rate.without_day) == (1, 1, 1), "only the empty draft starts now"
        db.session.remove()

        downgrade(directory=MIGRATIONS, revision=BEFORE)
        assert "round_day" not in inspect(db.session.connection()).get_table_names()
        assert "started_counted" not in {c["name"] for c in inspect(db.session.connection()).get_columns("draft")}
        db.session.remove()
        upgrade(directory=MIGRATIONS)
