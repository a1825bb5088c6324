"""Rules of the meeting services that no page shows on its own."""

from __future__ import annotations

from datetime import timedelta

import pytest

from survey.kernel.clock import utcnow
from survey.kernel.extensions import db
from survey.meetings import services
from survey.meetings.models import Meeting


def signup(**changes) -> services.Signup:
    return services.Signup(**{"role": "borger", "name": "N.N.", "phone": "+4520304050", **changes})


def test_the_same_phone_number_cannot_sign_up_twice(make_meeting, in_app):
    meeting_id = make_meeting()
    with in_app():
        services.register_for_meeting(meeting_id, signup())
        with pytest.raises(services.DuplicateSignup):
            services.register_for_meeting(meeting_id, signup(name="Igen"))


@pytest.mark.parametrize(
    "setup, reason", [({"status": "cancelled"}, "cancelled"), ({"starts_in": timedelta(days=-1)}, "past")]
)
def test_no_seats_are_reserved_on_a_cancelled_or_past_meeting(make_meeting, in_app, setup, reason):
    meeting_id = make_meeting(**setup)
    with in_app(), pytest.raises(services.SignupRefused) as refused:
        services.reserve_seats(meeting_id, "Bostedet", 2)
    assert refused.value.reason == reason


def test_capacity_cannot_go_below_the_seats_given(make_meeting, in_app):
    meeting_id = make_meeting(capacity=3)
    with in_app():
        services.reserve_seats(meeting_id, "Bostedet", 3)
        with pytest.raises(services.NotEnoughSeats):
            services.update_meeting(db.session.get(Meeting, meeting_id), capacity=2)


def test_a_moved_meeting_is_reminded_again_and_more_seats_promote_the_waiting_list(make_meeting, in_app):
    meeting_id = make_meeting(capacity=1)
    with in_app():
        first = services.register_for_meeting(meeting_id, signup(phone="+4520304050"))
        waiting = services.register_for_meeting(meeting_id, signup(phone="+4520304051"))
        first.reminder_sent_at = utcnow()
        meeting = db.session.get(Meeting, meeting_id)
        told = services.update_meeting(meeting, starts_at=meeting.starts_at + timedelta(hours=1), capacity=2)
        assert told and meeting.sequence == 1
        assert first.reminder_sent_at is None
        assert waiting.status == "confirmed"


def test_free_seats_of_several_meetings_in_one_query(make_meeting, in_app):
    full, roomy = make_meeting(capacity=2), make_meeting(capacity=5)
    with in_app():
        services.reserve_seats(full, "Bostedet", 2)
        services.reserve_seats(roomy, "Klubben", 1)
        meetings = [db.session.get(Meeting, full), db.session.get(Meeting, roomy)]
        assert services.seats_free_by_meeting(meetings) == {full: 0, roomy: 4}
