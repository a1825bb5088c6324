"""What an operator does to a new database before the app servers of a deployment test take requests: `flask db
upgrade` (and `flask staff create`), then a policy, a questionnaire with an open round, and a published meeting."""

from __future__ import annotations

from datetime import timedelta


def migrate_and_load(url: str, key: str, staff: tuple[str, str] | None = None) -> tuple[str, int]:
    """Migrate the database at `url`, create the staff admin (e-mail, password) by the CLI when given, and load the
    Syddjurs policy, its questionnaire with an open round and a 10-seat meeting; returns (round slug, meeting id)."""
    from survey import create_app
    from survey.kernel.clock import utcnow
    from survey.kernel.extensions import db
    from tests.factories import make_meeting, make_round

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
        now = utcnow().replace(microsecond=0)
        round_ = make_round(opens=now - timedelta(days=1), closes=now + timedelta(days=30))
        meeting = make_meeting(starts_at=now + timedelta(days=7), description="", step_free=False, hearing_loop=False)
        db.session.commit()
        found = round_.slug, meeting.id
        db.session.remove()
        db.engine.dispose()
    return found
