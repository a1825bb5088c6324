"""Two staff picking the last free quote of a focus area at the same moment: one gets it, the other is refused."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from survey.kernel.extensions import db
from survey.questionnaire.models import Answer
from survey.results.models import Quote
from survey.results.quotes import QuoteRefused, pick
from survey.staff.models import StaffUser


def _pick(app, answer_id: int, staff_email: str) -> None:
    answer = db.session.get(Answer, answer_id)
    staff_id = db.session.scalar(select(StaffUser.id).where(StaffUser.email == staff_email))
    pick(answer, staff_id)


def test_two_picks_at_once_never_make_a_fourth_quote(app, commented, make_staff, in_app):
    first, second = make_staff("analyst", "en@kommune.test"), make_staff("analyst", "to@kommune.test")
    ids = [commented[f"Kommentar {n} fra runde A"] for n in (0, 2, 4, 6)]
    with app.app_context():
        _pick(app, ids[0], first)
        _pick(app, ids[1], first)
        db.session.commit()

    outcome = {}

    def other_staff():
        with app.app_context():
            try:
                _pick(app, ids[3], second)
                db.session.commit()
                outcome["second"] = "picked"
            except QuoteRefused:
                outcome["second"] = "refused"
            finally:
                db.session.remove()

    with app.app_context():
        _pick(app, ids[2], first)  # the third quote, not committed yet
        racer = threading.Thread(target=other_staff)
        racer.start()
        # without the lock the other pick counts 2 quotes now and stores a fourth; with it, it waits for us
        racer.join(timeout=2)
        db.session.commit()
    racer.join(timeout=30)
    assert not racer.is_alive()
    assert outcome == {"second": "refused"}
    with in_app():
        assert db.session.scalar(select(func.count()).select_from(Quote)) == 3
