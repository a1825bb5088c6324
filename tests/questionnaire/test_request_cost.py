"""What a citizen's survey request costs: the round, its questionnaire and policy read in one statement, nothing
read again after the commit, the parsed questionnaire and its page forms shared between requests without
ever showing an old text or another language, and its routes and steps worked out once, not on every request."""

from __future__ import annotations

import pytest
import yaml
from flask_babel import force_locale, gettext
from sqlalchemy import event, select

from survey import ROOT
from survey.kernel.extensions import db
from survey.questionnaire import flow
from survey.questionnaire.loading import load_questionnaire
from survey.questionnaire.models import Questionnaire
from survey.questionnaire.schema import QuestionnaireSpec
from tests.factories import make_policy
from tests.helpers import TESTDATA, edited
from tests.pages import csrf_token, text_of
from tests.questionnaire.walker import SYDDJURS_ANSWERS, Citizen, path_of
from tests.sql_statements import after_commit, reads, recorded

MINI_POLICY = TESTDATA / "policies" / "mini.yaml"
MINI = TESTDATA / "questionnaires" / "mini-tilfredshed.yaml"


def test_a_question_page_reads_the_round_with_its_questionnaire_and_policy_in_one_statement(app, client, make_round):
    citizen = Citizen(client, make_round())
    citizen.start()
    with recorded(app) as sent:
        page = client.get(citizen.page_url)
    assert page.status_code == 200
    assert len(reads(sent)) == 2, reads(sent)  # the round (with questionnaire and policy) and the draft


def test_the_survey_posts_read_nothing_after_their_commit(app, client, make_round):
    slug = make_round()
    start = client.get(f"/s/{slug}/")
    with recorded(app) as sent:
        started = client.post(f"/s/{slug}/", data={"csrf_token": csrf_token(start)})
    assert started.status_code == 302 and after_commit(sent) == []

    url = path_of(started.location)
    for answers in SYDDJURS_ANSWERS.values():
        page = client.get(url)
        with recorded(app) as sent:
            posted = client.post(url, data={"csrf_token": csrf_token(page), **answers})
        assert posted.status_code == 302 and after_commit(sent) == [], url
        url = path_of(posted.location)

    review = client.get(url)
    submission_id = review.doc.find(".//input[@name='submission_id']").get("value")
    with recorded(app) as sent:
        sent_in = client.post(url, data={"csrf_token": csrf_token(review), "submission_id": submission_id})
    assert sent_in.status_code == 302 and after_commit(sent) == []
    assert "Kvitteringsnummer" in text_of(client.get(path_of(sent_in.location)).doc.find(".//main"))


@pytest.fixture
def mini_policy(app_ctx):
    make_policy(MINI_POLICY)
    db.session.commit()


def test_the_parsed_questionnaire_is_shared_until_its_file_changes(mini_policy, tmp_path):
    questionnaire, _ = load_questionnaire(MINI)
    db.session.commit()
    questionnaire_id, parsed = questionnaire.id, questionnaire.spec
    db.session.expunge_all()
    assert db.session.get(Questionnaire, questionnaire_id).spec is parsed, "parsed once per process"

    # no answers yet, so the file updates this version in place: the same id, a new text
    changed = edited(MINI, tmp_path / "mini.yaml", ('"Hvor tilfreds er du med hjælpen?"', '"Hvor tilfreds er du?"'))
    assert load_questionnaire(changed)[1] == "updated"
    db.session.commit()
    db.session.expunge_all()
    updated = db.session.get(Questionnaire, questionnaire_id)
    assert updated.spec.questions()[1].text.da == "Hvor tilfreds er du?"


def test_a_question_page_shows_the_language_asked_for_whichever_was_shown_before(app, client, make_round):
    citizen = Citizen(client, make_round())
    citizen.start()
    second_page = path_of(citizen.post_page(citizen.page_url, SYDDJURS_ANSWERS["din-sag"]).location)
    with app.test_request_context(), force_locale("en"):
        disagree = gettext("Helt uenig")
    assert disagree != "Helt uenig", "the English catalogue translates the scale"

    for lang, shown, not_shown in [("da", "Helt uenig", disagree), ("en", disagree, "Helt uenig")] * 2:
        body = text_of(client.get(f"{second_page}?lang={lang}").doc.find(".//main"))
        assert shown in body and not_shown not in body, lang


def test_the_front_page_reads_the_open_rounds_with_their_questionnaires_and_policies_in_one_statement(
    app, client, make_round
):
    make_round(), make_round(label="2026 ekstra")
    with recorded(app) as sent:
        front = client.get("/")
    assert len(front.doc.findall(".//main//ul[@class='link-list']/li")) == 2
    assert len(reads(sent)) == 1, reads(sent)


def _syddjurs_spec() -> QuestionnaireSpec:
    return QuestionnaireSpec.model_validate(
        yaml.safe_load((ROOT / "data/questionnaires/syddjurs-tilfredshed.yaml").read_text())
    )


@pytest.mark.parametrize("one_per_page", [False, True])
def test_the_steps_kept_per_route_are_those_worked_out_afresh(one_per_page):
    spec = _syddjurs_spec()
    partial = [{}, *({key: value} for route in flow.routes(spec) for key, value in route.items())]
    for answers in [*flow.routes(spec), *partial, {**flow.routes(spec)[0], "alder": {"choice": "30-49"}}]:
        for _ in range(2):  # worked out, then kept
            kept = flow.steps(spec, answers, one_per_page)
            fresh = flow._steps(spec, answers, one_per_page)
            assert [(s.page.id, [q.id for q in s.questions]) for s in kept] == [
                (s.page.id, [q.id for q in s.questions]) for s in fresh
            ]
            longest = max(len(flow._steps(spec, {**r, **answers}, one_per_page)) for r in flow._routes(spec))
            assert flow.expected_steps(spec, answers, one_per_page) == longest


def test_a_question_page_does_not_work_out_the_routes_again(app, client, make_round, monkeypatch):
    citizen = Citizen(client, make_round())
    citizen.start()
    assert client.get(citizen.page_url).status_code == 200  # the questionnaire's routes are worked out once
    worked_out = []
    for name in ("_routes", "_steps"):
        work = getattr(flow, name)
        monkeypatch.setattr(flow, name, lambda *args, _work=work, _name=name: worked_out.append(_name) or _work(*args))
    for _ in range(2):
        assert client.get(citizen.page_url).status_code == 200
    assert worked_out == []


def test_on_postgresql_a_question_page_reads_without_a_transaction(app, client, make_round):
    """No BEGIN and no ROLLBACK: two round trips of a page's four. SQLite's BEGIN costs no trip and stays."""
    citizen = Citizen(client, make_round())
    citizen.start()
    with app.app_context():
        engine = db.engine
    seen = []

    def on_execute(connection, _cursor, statement, *_args):
        seen.append((statement, getattr(connection.connection.dbapi_connection, "autocommit", False)))

    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        assert client.get(citizen.page_url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
    if engine.dialect.name == "postgresql":
        assert [autocommit for _statement, autocommit in seen] == [True, True], seen  # the round, the draft
    else:
        assert seen[0][0] == "BEGIN" and len(seen) == 3, seen


def test_a_citizens_page_shows_what_staff_changed_at_the_very_next_request(app, client, make_round, tmp_path):
    """The round, its questionnaire's texts and its policy's contact are read into plain copies on every request
    (survey.questionnaire.shown), the parsed questionnaire kept by its content hash: a change is never hidden."""
    from survey.policies.services import load_policy
    from survey.questionnaire.models import Round
    from survey.questionnaire.round_admin import close_round

    slug = make_round(policy=MINI_POLICY, questionnaire=MINI)
    citizen = Citizen(client, slug)
    citizen.start()
    shown = text_of(client.get(citizen.page_url).doc.find(".//body"))
    assert "Hvor tilfreds er du med hjælpen?" in shown and "77 77 77 77" not in shown

    with app.app_context():
        changed = edited(MINI, tmp_path / "mini.yaml", ('"Hvor tilfreds er du med hjælpen?"', '"Hvor tilfreds er du?"'))
        assert load_questionnaire(changed)[1] == "updated"
        contact = 'follow_up: yearly\ncontact:\n  unit: "Borgerservice"\n  phone: "77 77 77 77"\n  hours: "Kl. 10-14"'
        load_policy(edited(MINI_POLICY, tmp_path / "mini-policy.yaml", ("follow_up: yearly", contact)))
        db.session.commit()
    shown = text_of(client.get(citizen.page_url).doc.find(".//body"))
    assert "Hvor tilfreds er du?" in shown and "Hvor tilfreds er du med hjælpen?" not in shown
    assert "77 77 77 77" in shown

    with app.app_context():
        close_round(db.session.scalar(select(Round).where(Round.slug == slug)))
        db.session.commit()
    assert "Undersøgelsen er lukket" in text_of(client.get(citizen.page_url).doc.find(".//main"))


def test_a_post_that_passes_signs_no_csrf_token_and_a_page_signs_one(app, client, make_round, monkeypatch):
    """The token is signed when a page shows it (kernel.forms): a post that redirects never shows its form."""
    import flask_wtf.csrf

    citizen = Citizen(client, make_round())
    citizen.start()
    signed = []
    sign = flask_wtf.csrf.generate_csrf
    monkeypatch.setattr(
        flask_wtf.csrf, "generate_csrf", lambda *args, **kwargs: signed.append(1) or sign(*args, **kwargs)
    )
    page = client.get(citizen.page_url)
    assert len(signed) == 1 and csrf_token(page)
    posted = client.post(citizen.page_url, data={"csrf_token": csrf_token(page), **SYDDJURS_ANSWERS["din-sag"]})
    assert posted.status_code == 302 and len(signed) == 1


def test_a_text_saved_between_reading_the_round_and_its_questionnaire_is_not_kept_under_the_old_hash(
    app, make_round, monkeypatch, tmp_path
):
    """The parsed questionnaire is kept by the content hash the round was read with: a new text saved by staff
    just after that read must not be parsed and kept under the old hash (every later page would show it as the
    old version's); the round is read again instead."""
    from survey.questionnaire import models, shown

    slug = make_round(policy=MINI_POLICY, questionnaire=MINI)
    real, saved = shown.parsed_spec, []

    def staff_save_first(content_hash, definition):
        if not saved:  # between the round's statement and the read of its questionnaire's text
            changed = edited(MINI, tmp_path / "mini.yaml", ('"Hvor tilfreds er du med hjælpen?"', '"Hvor tilfreds?"'))
            saved.append((content_hash, load_questionnaire(changed)[1]))
        return real(content_hash, definition)

    monkeypatch.setattr(shown, "parsed_spec", staff_save_first)
    monkeypatch.setattr(models, "_SPECS", {})
    with app.test_request_context("/"):
        round_ = shown.shown_round(slug)
        texts = [question.text.da for question in round_.questionnaire.spec.questions()]
    ((old_hash, outcome),) = saved
    assert outcome == "updated"
    assert "Hvor tilfreds?" in str(texts)
    assert old_hash not in models._SPECS
