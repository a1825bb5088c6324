"""What an operator does to a new database before the app servers of a deployment test take requests: `flask db
upgrade` (and `flask staff create`), then a policy, a questionnaire with an open round, and a published meeting."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from survey.kernel.config import ROOT

DATA = ROOT / "data"


def migrate_and_load(url: str, key: str, staff: tuple[str, str] | None = None) -> tuple[str, int]:
    """Migrate the database at `url`, create the staff admin (e-mail, password) by the CLI when given, and load the
    Syddjurs policy, its questionnaire with an open round and a 10-seat meeting; returns (round slug, meeting id)."""
    from survey import create_app
    from survey.kernel.clock import utcnow
    from survey.kernel.extensions import db
    from survey.meetings.models import Meeting
    from survey.policies.models import Policy
    from survey.policies.services import load_policy
    from survey.questionnaire.loading import load_questionnaire
    from survey.questionnaire.rounds import create_round

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": key, "TESTING": True})
    # the operator's commands themselves, run in this process (a new interpreter would import the app again)
    cli = app.test_cli_runner()
    upgrade = cli.invoke(args=["db", "upgrade"])
    assert upgrade.exit_code == 0, upgrade.output
    if staff is not None:
        email, password = staff
        created = cli.invoke(args=["staff", "create", "--email", email, "--role", "admin", "--password", password])
        assert created.exit_code == 0, created.output
    with app.app_context():
        load_policy(DATA / "policies/syddjurs.yaml")
        questionnaire, _ = load_questionnaire(DATA / "questionnaires/syddjurs-tilfredshed.yaml")
        now = utcnow().replace(microsecond=0)
        round_ = create_round(questionnaire, "2026 2. halvår", now - timedelta(days=1), now + timedelta(days=30))
        policy = db.session.scalar(select(Policy).where(Policy.slug == "syddjurs"))
        starts = now + timedelta(days=7)
        meeting = Meeting(
            policy=policy,
            title="Dialogmøde om job og uddannelse",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            registration_deadline=starts - timedelta(days=1),
            venue_name="Rådhuset, mødesal 1",
            venue_address="Lundbergsvej 2, 8400 Ebeltoft",
            capacity=10,
            status="published",
            focus_areas=[a for a in policy.focus_areas if a.code in ("1", "5")],
        )
        db.session.add(meeting)
        db.session.commit()
        found = round_.slug, meeting.id
        db.session.remove()
        db.engine.dispose()
    return found
