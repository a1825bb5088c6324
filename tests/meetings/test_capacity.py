"""Seats are never overbooked, also when many people sign up at the same moment (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading

from sqlalchemy import select

from survey.kernel.extensions import db
from survey.meetings import services
from survey.meetings.models import Registration
from tests.meetings.signup import GOOD
from tests.pages import csrf_token

PEOPLE = 50
SEATS = 10


def test_fifty_concurrent_sign_ups_fill_ten_seats_and_queue_the_rest_in_arrival_order(app, make_meeting, in_app):
    meeting_id = make_meeting(capacity=SEATS)
    clients = [app.test_client() for _ in range(PEOPLE)]
    tokens = [csrf_token(c.get(f"/moeder/{meeting_id}/tilmeld")) for c in clients]
    start = threading.Barrier(PEOPLE)
    statuses: list[int] = [0] * PEOPLE

    def sign_up(i: int) -> None:
        data = {
            **GOOD,
            "email": "",
            "phone": f"203040{i:02d}",
            "seats": "1",
            "name": f"Person {i}",
            "csrf_token": tokens[i],
        }
        start.wait()
        statuses[i] = clients[i].post(f"/moeder/{meeting_id}/tilmeld", data=data).status_code

    threads = [threading.Thread(target=sign_up, args=(i,)) for i in range(PEOPLE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [302] * PEOPLE, "every sign-up was answered"
    with in_app():
        registrations = db.session.scalars(select(Registration).order_by(Registration.id)).all()
        confirmed = [r for r in registrations if r.status == "confirmed"]
        waiting = [r for r in registrations if r.status == "waitlisted"]
        assert len(registrations) == PEOPLE
        assert sum(r.seats for r in confirmed) == SEATS
        assert len(waiting) == PEOPLE - SEATS
        # arrival order: seats went to the first ten to get the lock, the queue follows in the same order
        assert max(r.id for r in confirmed) < min(r.id for r in waiting)
        assert [services.waitlist_position(r) for r in waiting] == list(range(1, PEOPLE - SEATS + 1))

        services.cancel_registration(confirmed[0])
        db.session.commit()
        assert db.session.get(Registration, waiting[0].id).status == "confirmed", "the first in the queue moves up"
        assert services.waitlist_position(db.session.get(Registration, waiting[1].id)) == 1
