"""Comments are shown, picked and printed only where enough respondents were asked the open question for the focus
area. Counting everyone who answered anything about the area let a 2-person group's comments through: a question with
a fixed focus area, answered by all, lifted the area over the threshold."""

from __future__ import annotations

from sqlalchemy import func, select

from survey.kernel.extensions import db
from survey.policies.models import FocusArea
from survey.questionnaire.models import Round
from survey.results.comments import asked
from survey.results.models import Quote
from survey.staff.models import StaffUser
from tests.helpers import edited
from tests.results import quoting
from tests.results.quoting import choose, comment_round, main_text, report_texts, shown_comments

#: ten chose "job" (area 1), two chose "ung" (area 2); all twelve answered area 2's fixed question
PEOPLE = [("job", f"Jobkommentar nummer {n}") for n in range(10)] + [
    ("ung", f"Ungekommentar nummer {n}") for n in (0, 1)
]


def test_the_comment_is_counted_as_asked_of_those_routed_to_the_area(in_app):
    comment_round(in_app, PEOPLE)
    with in_app():
        round_id = db.session.scalar(select(Round.id))
        area = dict(db.session.execute(select(FocusArea.code, FocusArea.id)).all())  # ids differ on PostgreSQL
        assert [g.asked for g in asked(area["1"], [round_id])] == [10]
        assert [g.asked for g in asked(area["2"], [round_id])] == [2], "not the 12 who answered area 2's fixed question"
        assert [g.asked for g in asked(area["3"], [round_id])] == [0], "no routing answer chose area 3"


def test_a_two_person_groups_comments_are_not_shown_picked_or_printed(client, login_as, in_app):
    ids = comment_round(in_app, PEOPLE)
    login_as(client, "analyst")
    assert len(shown_comments(client, "1")) == 10
    assert shown_comments(client, "2") == [], "area 2 has 12 respondents, but only 2 were asked its comment"

    refused = choose(client, "2", ids["Ungekommentar nummer 0"])
    assert "for lille" in main_text(client, refused.location)
    assert choose(client, "1", ids["Jobkommentar nummer 0"]).status_code == 303
    with in_app():
        assert db.session.scalar(select(func.count()).select_from(Quote)) == 1
        # picked before the rule was right: the report checks again when it is made
        staff_id = db.session.scalar(select(StaffUser.id))
        db.session.add(Quote(answer_id=ids["Ungekommentar nummer 1"], chosen_by_id=staff_id))
        db.session.commit()

    for text in report_texts(client):
        assert "Jobkommentar nummer 0" in text, "an area where enough were asked shows its quote"
        assert "Ungekommentar" not in text


def test_a_routed_comment_is_counted_as_asked_only_on_the_routes_that_ask_it(in_app, tmp_path, monkeypatch):
    """The comment on a page only for "job": the two who chose "ung" (area 2) were never asked it."""
    routed = edited(
        quoting.COMMENTS,
        tmp_path / "comments.yaml",
        (
            '      - {id: kommentar, kind: free_text, dimension: open, focus_area: chosen, text: {da: "Kommentar?"}}\n',
            "  - id: egne-ord\n"
            "    show_if: {question: hjaelp, any_of: [job]}\n"
            '    title: {da: "Egne ord"}\n'
            "    questions:\n"
            '      - {id: kommentar, kind: free_text, dimension: open, focus_area: chosen, text: {da: "Kommentar?"}}\n',
        ),
    )
    monkeypatch.setattr(quoting, "COMMENTS", routed)
    comment_round(in_app, PEOPLE)
    with in_app():
        round_id = db.session.scalar(select(Round.id))
        area = dict(db.session.execute(select(FocusArea.code, FocusArea.id)).all())
        assert [g.asked for g in asked(area["1"], [round_id])] == [10]
        assert [g.asked for g in asked(area["2"], [round_id])] == [0], "the ung route does not ask the comment"
