"""The survey after a dialogue meeting: a code per attendee, answers tagged with the meeting's focus areas."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from survey.kernel.config import ROOT
from survey.kernel.extensions import db
from survey.meetings.feedback import hand_out_codes
from survey.meetings.models import Meeting, Registration
from survey.policies.models import FocusArea
from survey.questionnaire.loading import load_questionnaire
from survey.questionnaire.models import Answer, Invitation, Question, Round
from tests.factories import make_registration
from tests.questionnaire.walker import Citizen

FEEDBACK = {
    "moedet": {"moede-tilfreds": "5", "moede-lyttet": "4", "moede-adgang": "dont_know"},
    "bagefter": {"moede-ved-hvad-nu": "2"},
    "egne-ord": {"kommentar": "Godt med kaffe.", "maa-citere": "yes"},
    "om-dig": {"hvem-svarer": "paaroerende"},
}


def test_attendee_answers_with_the_code_and_answers_carry_the_meetings_focus_areas(client, make_meeting, in_app):
    meeting_id = make_meeting(starts_in=timedelta(hours=-3), areas=("1", "5"))
    with in_app():
        load_questionnaire(ROOT / "data/questionnaires/syddjurs-dialogmoede.yaml")
        meeting = db.session.get(Meeting, meeting_id)
        people = [make_registration(meeting_id, f"P{i}", phone="+4520304050", attended=True) for i in range(3)]
        codes = hand_out_codes(meeting, people)
        again = hand_out_codes(meeting, [])  # the round is made once
        made = db.session.get(Round, meeting.feedback_round_id)
        round_slug = made.slug
        assert [area.code for area in made.focus_areas] == ["1", "5"], "the round asks about the meeting's areas"
        db.session.commit()
        assert again == {} and len(set(codes.values())) == 3
        assert all(r.feedback_sent_at is not None for r in db.session.scalars(select(Registration)))

    citizen = Citizen(client, round_slug)
    assert citizen.start(code=next(iter(codes.values()))).status_code == 302
    response, _ = citizen.submit(citizen.answer_all(FEEDBACK))
    assert response.status_code == 302

    with in_app():
        areas = {
            a.id: a.code for a in db.session.scalars(select(FocusArea).where(FocusArea.policy.has(slug="syddjurs")))
        }
        rows = db.session.execute(select(Question.key, Answer.focus_area_id, Answer.score).join(Question)).all()
        by_question = {}
        for key, area_id, score in rows:
            by_question.setdefault(key, []).append((areas.get(area_id), score))
        assert sorted(by_question["moede-tilfreds"]) == [("1", 5), ("5", 5)], "one row per focus area of the meeting"
        assert by_question["hvem-svarer"] == [(None, None)]
        assert db.session.scalars(select(Invitation.used)).all().count(True) == 1
