"""Staff pages of questionnaires: the list per policy, a version's page, and the preview, which stores nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey.kernel.extensions import db
from survey.questionnaire.models import Draft, Questionnaire, Round
from survey.questionnaire.preview import carry
from survey.questionnaire.services import submit_response
from tests.factories import DATA
from tests.pages import csrf_token, error_summary, text_of, title
from tests.questionnaire.walker import SYDDJURS_ANSWERS

#: tables a staff login writes to; every other table must hold as many rows after a preview as before
STAFF_TABLES = ("staff_user", "staff_recovery_code", "staff_pending_enrolment", "audit_event")


def _row_counts(in_app) -> dict[str, int]:
    """Rows in every table (drafts, responses, answers, the results' sums and quotes, counters…) but the staff's."""
    with in_app() as session:
        tables = [table for name, table in db.metadata.tables.items() if name not in STAFF_TABLES]
        return {table.name: session.scalar(select(func.count()).select_from(table)) for table in tables}


def _questionnaire_id(in_app) -> int:
    with in_app() as session:
        return session.scalar(select(Questionnaire.id))


def _banner(page) -> bool:
    return "Forhåndsvisning — intet bliver gemt" in text_of(page.doc.find(".//main"))


def _page_form_action(page) -> str:
    """Where the page's own form posts (not the "Tilbage" form, which carries preview_show)."""
    forms = [f for f in page.doc.iterfind(".//main//form") if f.find(".//input[@name='preview_show']") is None]
    return forms[-1].get("action")


def _carried(page) -> str:
    return page.doc.find(".//input[@name='preview_answers']").get("value")


class Previewer:
    """A member of staff walking the preview the way a browser does: each post carries the previous page's form."""

    def __init__(self, client, questionnaire_id: int):
        self.client = client
        self.base = f"/personale/spoergeskemaer/{questionnaire_id}/forhaandsvisning"
        self.page = None

    def start(self):
        self.page = self.client.get(self.base)
        return self.page

    def open(self, page_key: str):
        self.page = self.client.get(f"{self.base}/{page_key}")
        return self.page

    def post(self, url: str, answers: dict, carried: str | None = None):
        data = {"csrf_token": csrf_token(self.page), "preview_answers": carried or _carried(self.page), **answers}
        self.page = self.client.post(url, data=data)
        return self.page

    def answer_all(self, answers_by_page: dict = SYDDJURS_ANSWERS):
        """Answer every page the preview shows, in order, each posted with what the page before carried (a page
        of another route, if shown, left unanswered); returns the review page."""
        self.open(next(iter(answers_by_page)))
        answered = []
        while "Tjek dine svar" not in title(self.page):
            assert self.page.status_code == 200 and _banner(self.page)
            key = _page_form_action(self.page).rsplit("/", 1)[1]
            answered += [key] if key in answers_by_page else []
            self.post(f"{self.base}/{key}", answers_by_page.get(key, {}))
        assert answered == list(answers_by_page), "every page of the route, in order"
        return self.page

    def send(self):
        return self.post(f"{self.base}/svar/send", {"submission_id": ""})


@pytest.fixture
def previewer(client, login_as, make_round, in_app):
    make_round()
    return Previewer(login_as(client, "survey_manager"), _questionnaire_id(in_app))


def test_every_page_is_reachable_and_sending_stores_nothing(previewer, in_app):
    before = _row_counts(in_app)
    start = previewer.start()
    assert start.status_code == 200 and _banner(start)
    assert "Du er anonym" in text_of(start.doc.find(".//main")), "the citizen's start page"
    assert start.doc.find(".//main//a[@class='button button-primary']").get("href") == previewer.base + "/din-sag"
    review = previewer.answer_all()
    assert review.status_code == 200 and _banner(review)
    assert "Sagsbehandleren ringede altid tilbage." in text_of(review.doc.find(".//main"))
    end = previewer.send()
    assert end.status_code == 200 and _banner(end)
    assert "Forhåndsvisningen er slut" in title(end)
    assert _row_counts(in_app) == before, "a preview stores nothing"
    assert "submit_rate" not in previewer.client.application.extensions, "nor counts a submit"
    with in_app() as session:
        assert session.scalar(select(func.count()).select_from(Round)) == 1


def test_a_missing_required_answer_gets_the_citizens_error(previewer):
    previewer.open("din-sag")
    page = previewer.post(previewer.base + "/din-sag", {})
    assert page.status_code == 400 and title(page).startswith("Fejl: ") and _banner(page)
    assert error_summary(page) and "Vælg et svar" in error_summary(page)[0][1]


def test_a_too_long_free_text_gets_the_citizens_error(previewer):
    previewer.open("egne-ord")
    page = previewer.post(previewer.base + "/egne-ord", {"kommentar": "x" * 1501})
    assert page.status_code == 400 and "højst være 1500 tegn" in error_summary(page)[0][1]


def test_review_refuses_to_send_without_the_required_answer(previewer, in_app):
    before = _row_counts(in_app)
    previewer.open("om-dig")
    review = previewer.post(previewer.base + "/om-dig", SYDDJURS_ANSWERS["om-dig"])
    assert "Tjek dine svar" in title(review)
    page = previewer.send()
    assert page.status_code == 400 and _banner(page)
    assert error_summary(page)[0][0] == "#change-hjaelp"
    assert _row_counts(in_app) == before


@pytest.mark.parametrize("choice, area", [("job", "1 "), ("hverdag", "3 ")])
def test_the_routing_answer_decides_the_focus_area_of_what_follows(previewer, choice, area):
    answers = {**SYDDJURS_ANSWERS, "din-sag": {"hjaelp": choice}}
    if choice != "job":
        del answers["sagen"]  # the job route's own block: the preview asks it of no other route
    previewer.answer_all(answers)
    end = previewer.send()
    rows = {text_of(tr.findall("td")[0]): text_of(tr.findall("td")[2]) for tr in end.doc.iterfind(".//tbody/tr")}
    chosen = [area_of for question, area_of in rows.items() if question.startswith("Jeg ved, hvem jeg kan kontakte")]
    assert chosen and chosen[0].startswith(area), rows
    assert rows["Hvor gammel er du?"] == "–", "a background question counts for no focus area"


def test_the_answers_of_a_route_left_are_not_counted(previewer):
    previewer.answer_all()
    change = previewer.page.doc.find(".//button[@id='change-hjaelp']")
    page = previewer.post(change.get("formaction").split("#")[0], {"preview_show": "1"})
    previewer.post(_page_form_action(page), {"hjaelp": "ung"})
    end = previewer.send()
    rows = {text_of(tr.findall("td")[0]): text_of(tr.findall("td")[2]) for tr in end.doc.iterfind(".//tbody/tr")}
    assert not [question for question in rows if "afgørelser" in question], "the job route's block is not counted"
    assert rows["Hvor tilfreds er du alt i alt med den hjælp, du har fået?"].startswith("2 ")
    assert rows[next(q for q in rows if q.startswith("Hvilken hjælp"))] == "–", "the routing answer is background"


def test_back_and_change_keep_the_answers_given(previewer):
    previewer.answer_all()
    review = previewer.page
    # "Ændr" on the first page posts the carried answers there and comes back to the review
    change = review.doc.find(".//button[@id='change-hjaelp']")
    page = previewer.post(change.get("formaction").split("#")[0], {"preview_show": "1"})
    assert page.status_code == 200 and "Din sag" in title(page)
    assert page.doc.find(".//input[@value='job']").get("checked") is not None
    assert _page_form_action(page).endswith("/din-sag?retur=tjek")
    review = previewer.post(_page_form_action(page), {"hjaelp": "ung"})
    assert "Tjek dine svar" in title(review)
    # "Tilbage" from the review shows the last page with its answers
    back = review.doc.find(".//form[@id='preview-carry']").get("action")
    page = previewer.post(back, {"preview_show": "1"})
    assert "Om dig" in title(page) and page.doc.find(".//input[@value='30-49']").get("checked") is not None


def test_a_page_opened_directly_starts_empty(previewer):
    page = previewer.open("om-dig")
    assert page.status_code == 200 and _banner(page)
    assert not page.doc.findall(".//input[@checked]")
    assert previewer.client.get(previewer.base + "/ingen-side").status_code == 404


@pytest.mark.parametrize("tamper", ["changed", "other-version", "missing"])
def test_a_changed_carried_value_is_refused_cleanly(previewer, in_app, tamper):
    before = _row_counts(in_app)
    previewer.answer_all()
    carried = _carried(previewer.page)
    if tamper == "changed":
        carried = carried[:-3] + ("abc" if not carried.endswith("abc") else "xyz")
    elif tamper == "other-version":
        with in_app():
            other = Questionnaire(id=999, policy_id=1)
            carried = carry(other, {"hjaelp": {"choice": "ung"}})
    else:
        carried = ""
    data = {"csrf_token": csrf_token(previewer.page), "submission_id": ""}
    if tamper != "missing":
        data["preview_answers"] = carried
    page = previewer.client.post(previewer.base + "/svar/send", data=data)
    assert page.status_code == 400 and "Forhåndsvisningen kan ikke fortsætte" in title(page) and _banner(page)
    page = previewer.client.post(previewer.base + "/din-sag", data={**data, "hjaelp": "job"})
    assert page.status_code == 400
    assert _row_counts(in_app) == before


def test_a_colleague_of_any_role_may_open_the_preview_but_not_the_lists(client, login_as, make_round, in_app):
    make_round()
    questionnaire_id = _questionnaire_id(in_app)
    login_as(client, "meeting_host")
    assert client.get(f"/personale/spoergeskemaer/{questionnaire_id}/forhaandsvisning/din-sag").status_code == 200
    assert client.get(f"/personale/spoergeskemaer/{questionnaire_id}").status_code == 403
    assert client.get("/personale/spoergeskemaer").status_code == 403


def test_anonymous_visitors_are_sent_to_the_login(client, make_round, in_app):
    make_round()
    response = client.get(f"/personale/spoergeskemaer/{_questionnaire_id(in_app)}/forhaandsvisning")
    assert response.status_code == 302 and "/personale/log-ind" in response.location


def test_list_shows_versions_frozen_or_not_and_their_rounds(client, login_as, make_round, in_app):
    slug = make_round(label="Forår 2026")
    other = make_round(label="Efterår 2026")
    with in_app() as session:
        round_ = session.scalar(select(Round).where(Round.slug == slug))
        draft = Draft(round=round_, submission_id="a" * 32, token_hash="b" * 64, answers={"hjaelp": {"choice": "job"}})
        session.add(draft)
        session.flush()
        submit_response(draft)
        session.commit()
    login_as(client, "survey_manager")
    page = client.get("/personale/spoergeskemaer")
    assert page.status_code == 200
    main = text_of(page.doc.find(".//main"))
    assert "Social- og beskæftigelsespolitik" in main and "Syddjurs" in main
    assert "syddjurs-tilfredshed" in main and "Låst – har svar" in main
    rounds = [a.get("href") for a in page.doc.iterfind(".//td//a") if "/runder/" in a.get("href")]
    assert sorted(rounds) == sorted(f"/personale/runder/{s}" for s in (slug, other))


def test_an_unused_version_is_not_frozen(client, login_as, make_round):
    make_round()
    login_as(client, "survey_manager")
    page = client.get("/personale/spoergeskemaer")
    assert "Ikke låst – ingen svar endnu" in text_of(page.doc.find(".//main"))


def test_the_list_asks_the_database_the_same_few_times_for_many_versions(client, login_as, make_round, app):
    from sqlalchemy import event

    make_round(label="Forår 2026")
    login_as(client, "survey_manager")
    statements: list[str] = []

    def note(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        client.get("/personale/spoergeskemaer")
        few = len(statements)
        for name in ("norddjurs", "sonderborg"):
            policy, survey = DATA / f"policies/{name}.yaml", DATA / f"questionnaires/{name}-tilfredshed.yaml"
            make_round(policy=policy, questionnaire=survey, label=f"{name} 2026")
            make_round(policy=policy, questionnaire=survey, label=f"{name} 2027")
        statements.clear()
        page = client.get("/personale/spoergeskemaer")
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert len(statements) == few
    assert text_of(page.doc.find(".//main")).count("Ikke låst") == 3


def test_version_page_shows_questions_frozen_state_and_links(client, login_as, make_round, in_app):
    slug = make_round()
    questionnaire_id = _questionnaire_id(in_app)
    login_as(client, "survey_manager")
    page = client.get(f"/personale/spoergeskemaer/{questionnaire_id}")
    assert page.status_code == 200
    main = text_of(page.doc.find(".//main"))
    assert "Nej. Der er ingen svar endnu" in main
    assert "følger visitationsspørgsmålet" in main and "tilfredshed" in main and "Tilfredshed, 5 trin" in main
    links = {a.get("href") for a in page.doc.iterfind(".//main//a")}
    assert f"/personale/spoergeskemaer/{questionnaire_id}/forhaandsvisning" in links
    assert f"/personale/runder/ny?questionnaire={questionnaire_id}" in links
    assert f"/personale/runder/{slug}" in links
    assert page.headers["Cache-Control"] == "no-store"


def test_save_later_says_what_the_citizen_would_get_and_stores_nothing(previewer, in_app):
    before = _row_counts(in_app)
    previewer.open("din-sag")
    page = previewer.post(previewer.base + "/din-sag", {"hjaelp": "ung", "save_later": "1"})
    assert page.status_code == 200 and _banner(page) and "link og en kode" in text_of(page.doc.find(".//main"))
    # "Fortsæt forhåndsvisningen" takes up the page with its answer
    page = previewer.post(page.doc.find(".//main//form").get("action"), {"preview_show": "1"})
    assert page.doc.find(".//input[@value='ung']").get("checked") is not None
    assert _row_counts(in_app) == before
