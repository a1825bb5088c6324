"""Personal data of sign-ups is deleted after the retention period; anonymous counts and topics remain."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from survey.extensions import db
from survey.meetings.models import MeetingStats, Registration, Topic
from tests.helpers import count


def registration(meeting_id, role, seats=1, attended=False, status="confirmed", topic=""):
    row = Registration(
        meeting_id=meeting_id,
        role=role,
        name="N.N.",
        phone="+4520304050",
        seats=seats,
        attended=attended,
        status=status,
    )
    if topic:
        row.topics.append(Topic(meeting_id=meeting_id, text=topic))
    return row


def test_purge_deletes_sign_ups_of_old_meetings_and_keeps_anonymous_counts(make_meeting, in_app, runner):
    old, recent = make_meeting(starts_in=timedelta(days=-40)), make_meeting(starts_in=timedelta(days=-5))
    with in_app():
        db.session.add_all(
            [
                registration(old, "borger", seats=2, attended=True, topic="Ventetider"),
                registration(old, "paaroerende"),
                registration(old, "borger", status="waitlisted"),  # never had a seat: not counted
                registration(recent, "borger"),
            ]
        )
        db.session.commit()

    first, second = runner.invoke(args=["purge-expired"]), runner.invoke(args=["purge-expired"])
    assert first.exit_code == 0 and "Slettet: 3 tilmeldinger" in first.output
    assert "Slettet: 0 tilmeldinger" in second.output, "cron-safe: nothing more the second time"
    with in_app():
        assert [r.meeting_id for r in db.session.scalars(select(Registration))] == [recent]
        stats = db.session.get(MeetingStats, old)
        assert (stats.registered, stats.attended, stats.by_role) == (3, 2, {"borger": 2, "paaroerende": 1})
        topic = db.session.scalars(select(Topic)).one()
        assert topic.text == "Ventetider" and topic.registration_id is None
        assert count(MeetingStats) == 1
