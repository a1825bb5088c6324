"""A submit is one transaction: when the database fails after the response row is written but before its answers
are, nothing of it is kept (no half-written response, the draft stays), and sending again stores it whole, once.

The failure is put in the exact spot with an engine event: the real database then raises the driver's own
OperationalError on the first INSERT into `answer`, as when the server goes away between two statements."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event, func, select

from survey.kernel.extensions import db
from survey.questionnaire.models import Answer, Draft, Response
from survey.questionnaire.services import response_for_submission
from tests.faults.pages import SUBMIT_MESSAGE, assert_try_again, submit_form
from tests.questionnaire.walker import Citizen


@contextmanager
def database_fails_on_first_answer(app):
    with app.app_context():
        engine = db.engine

    def fail(connection, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("INSERT INTO ANSWER"):
            raise connection.dialect.loaded_dbapi.OperationalError("the database went away (injected by the test)")

    event.listen(engine, "before_cursor_execute", fail)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", fail)


def test_a_submit_cut_off_half_way_keeps_nothing_and_goes_through_again(app, client, in_app, make_round):
    citizen = Citizen(client, make_round())
    citizen.start()
    review_url = citizen.answer_all()
    review = client.get(review_url)
    form = submit_form(review)
    submission_id = form["submission_id"]

    with database_fails_on_first_answer(app):
        cut_off = client.post(review_url, data=form)
    assert_try_again(cut_off, SUBMIT_MESSAGE)
    with in_app() as session:
        assert session.scalar(select(func.count()).select_from(Response)) == 0, "no response without its answers"
        assert session.scalar(select(func.count()).select_from(Answer)) == 0
        assert session.scalar(select(Draft.submission_id)) == submission_id, "the draft is kept"

    sent = client.post(review_url, data=form)
    assert sent.status_code == 302 and sent.location.endswith("/kvittering")
    with in_app() as session:
        response = response_for_submission(submission_id)
        assert session.scalar(select(func.count()).select_from(Response)) == 1
        assert session.scalar(select(func.count()).select_from(Answer).where(Answer.response_id == response.id)) > 0
        assert session.scalar(select(func.count()).select_from(Draft)) == 0
