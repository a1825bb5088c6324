"""One question per page, resume exactly where the citizen stopped, and Back after sending (issue 17 §2–3).

Written against whatever the questionnaire asks: the steps are read from the page, never counted by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest
from babel.dates import format_date
from sqlalchemy import select

from survey.kernel.clock import to_local, utcnow
from survey.kernel.extensions import db
from survey.questionnaire import flow
from survey.questionnaire.models import Draft, Response, Round
from tests.helpers import TESTDATA, count
from tests.pages import csrf_token, text_of, title
from tests.questionnaire.walker import Citizen, path_of


def _spec(in_app, slug: str):
    with in_app():
        return db.session.scalar(select(Round).where(Round.slug == slug)).questionnaire.spec


def _fields(page) -> list[str]:
    """The names of the questions on a question page, in order."""
    groups = page.doc.iterfind(".//main//form//div[@class]")
    names = [
        element.get("name")
        for group in groups
        if group.get("class").startswith("form-group")
        for element in group.iterfind(".//*[@name]")
    ]
    return list(dict.fromkeys(names))


def _some_answers(page) -> dict[str, str]:
    """An answer to every question of the page: its first option, or a few words."""
    answers = {}
    for name in _fields(page):
        field = page.doc.find(f".//main//*[@name='{name}']")
        answers[name] = field.get("value") if field.tag == "input" else "Et par ord."
    return answers


def _step_number(url: str) -> int:
    return int(url.rsplit("/side/", 1)[1].split("?")[0])


def _resume(client, slug: str, code: str) -> str:
    form = client.get(f"/s/{slug}/fortsaet")
    resumed = client.post(f"/s/{slug}/fortsaet", data={"csrf_token": csrf_token(form), "code": code})
    assert resumed.status_code == 302
    return path_of(resumed.location)


def _code(client, saved_location: str) -> str:
    return text_of(client.get(path_of(saved_location)).doc.find(".//strong[@class='code']"))


def test_pausing_half_way_through_a_page_resumes_on_that_page(client, app, make_round):
    slug = make_round()
    citizen = Citizen(client, slug)
    citizen.start()
    url = citizen.page_url
    while len(_fields(page := client.get(url))) < 2:  # answered up to the first page of several questions
        url = path_of(citizen.post_page(url, _some_answers(page)).location)
    first = _fields(page)[0]
    choice = page.doc.find(f".//input[@name='{first}']").get("value")
    saved = citizen.post_page(url, {first: choice}, {"save_later": "1"})
    assert saved.location.endswith("/gemt")

    resumed = _resume(app.test_client(), slug, _code(client, saved.location))
    assert _step_number(resumed) == _step_number(url), "the page with questions still open, not the next one"


def test_a_question_passed_with_fortsaet_is_not_where_the_survey_resumes(client, app, make_round, in_app):
    slug = make_round(one_question_per_page=True)
    citizen = Citizen(client, slug)
    citizen.start()
    url, passed = citizen.page_url, None
    while passed is None:  # answered up to the first question that may be left blank, and that one passed
        page = client.get(url)
        left_blank = citizen.post_page(url, {})
        if left_blank.status_code == 302 and _step_number(url) > 1:
            passed = _fields(page)[0]
            url = path_of(left_blank.location)
        else:
            url = path_of(citizen.post_page(url, _some_answers(page)).location)
    stopped_at = _step_number(url)
    saved = citizen.post_page(url, {}, {"save_later": "1"})

    resumed = _resume(app.test_client(), slug, _code(client, saved.location))
    assert _step_number(resumed) == stopped_at, "after the question passed on purpose, where the citizen paused"
    with in_app():
        assert passed in db.session.scalar(select(Draft)).passed


def test_one_question_per_page_counts_questions_and_makes_the_question_the_heading(client, make_round, in_app):
    slug = make_round(one_question_per_page=True)
    spec = _spec(in_app, slug)
    citizen = Citizen(client, slug)
    citizen.start()
    page = client.get(citizen.page_url)
    total = flow.expected_steps(spec, {}, one_per_page=True)  # the longest route, before it is chosen
    first = spec.pages[0].questions[0]
    assert text_of(page.doc.find(".//p[@class='progress-text']")) == f"Spørgsmål 1 af {total}"
    assert [text_of(h1) for h1 in page.doc.iterfind(".//main//h1")] == [first.text.da]
    assert page.doc.find(".//main//legend/h1") is not None or page.doc.find(".//main//h1/label") is not None
    assert text_of(page.doc.find(".//p[@class='page-caption']")) == spec.pages[0].title.da
    assert len(_fields(page)) == 1


def test_the_review_stays_one_page_grouped_by_page_and_each_change_goes_to_its_question(client, make_round, in_app):
    slug = make_round(one_question_per_page=True)
    spec = _spec(in_app, slug)
    citizen = Citizen(client, slug)
    citizen.start()
    url = citizen.page_url
    while "/side/" in url:
        url = path_of(citizen.post_page(url, _some_answers(client.get(url))).location)
    review = client.get(url)
    with in_app():
        shown = flow.steps(spec, db.session.scalar(select(Draft)).answers, one_per_page=True)
    titles = list(dict.fromkeys(step.title.da for step in shown))
    assert len(titles) > 1 and [text_of(h2) for h2 in review.doc.iterfind(".//main//h2")] == titles
    links = [a.get("href") for a in review.doc.iterfind(".//main//a") if a.get("id", "").startswith("change-")]
    assert [_step_number(link.split("#")[0]) for link in links] == list(range(1, len(shown) + 1))
    back = review.doc.find(".//a[@class='back-link']")
    assert _step_number(back.get("href")) == len(shown), "Tilbage goes to the last question"


def test_the_saved_page_says_until_which_date_the_answers_are_kept(client, app, make_round, in_app):
    app.config["DRAFT_RETENTION_DAYS"] = 10
    slug = make_round()
    citizen = Citizen(client, slug)
    citizen.start()
    first = client.get(citizen.page_url)
    paused = citizen.post_page(citizen.page_url, _some_answers(first), {"save_later": "1"})
    saved = client.get(path_of(paused.location))
    with in_app():
        closes_at = db.session.scalar(select(Round.closes_at).where(Round.slug == slug))
    kept = to_local(closes_at + timedelta(days=10) - timedelta(seconds=1)).date()
    body = text_of(saved.doc.find(".//main"))
    assert f"Vi gemmer dine svar til og med den {format_date(kept, 'long', locale='da')}." in body


def test_the_saved_page_gives_the_date_once_when_drafts_go_with_the_round(client, app, make_round):
    app.config["DRAFT_RETENTION_DAYS"] = 0
    citizen = Citizen(client, make_round())
    citizen.start()
    paused = citizen.post_page(citizen.page_url, _some_answers(client.get(citizen.page_url)), {"save_later": "1"})
    body = text_of(client.get(path_of(paused.location)).doc.find(".//main"))
    assert body.count("til og med den") == 1 and "Er dine svar ikke sendt inden da, bliver de slettet." in body


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_back_after_sending_says_the_answers_are_sent(client, app, make_round, in_app, method):
    slug = make_round()
    citizen = Citizen(client, slug)
    citizen.start()
    page_url = citizen.page_url
    review_url = citizen.answer_all()
    page_form = {"csrf_token": csrf_token(client.get(page_url))}
    sent, form = citizen.submit(review_url)
    receipt = client.get(path_of(sent.location))

    for url in (review_url, page_url):
        again = client.get(url) if method == "GET" else client.post(url, data=page_form)
        if method == "POST" and url == review_url:
            # the review's form again: the same receipt as the first time (DESIGN: a repeated submit)
            again = client.post(url, data=form)
            assert again.status_code == 302 and again.location == sent.location
            assert client.get(path_of(again.location)).get_data() == receipt.get_data()
            continue
        assert again.status_code == 200, url
        assert "Dine svar er sendt. Tak" in text_of(again.doc.find(".//main//h1"))

    stranger = app.test_client().get(review_url)
    assert stranger.status_code == 404 and "Linket virker ikke" in title(stranger), "only the browser that sent"
    with in_app():
        assert count(Response) == 1


def test_the_preview_shows_one_question_per_page_keyed_by_the_question(client, login_as, make_round, in_app):
    slug = make_round()
    spec = _spec(in_app, slug)
    with in_app():
        questionnaire_id = db.session.scalar(select(Round).where(Round.slug == slug)).questionnaire_id
    staff = login_as(client, "survey_manager")
    base = f"/personale/spoergeskemaer/{questionnaire_id}/forhaandsvisning"
    start = staff.get(base)
    link = next(a.get("href") for a in start.doc.iterfind(".//main//a") if "/spoergsmaal/" in a.get("href", ""))
    first = spec.pages[0].questions[0]
    assert link == f"{base}/spoergsmaal/{first.id}"
    page = staff.get(link)
    total = flow.expected_steps(spec, {}, one_per_page=True)  # the longest route, before it is chosen
    assert text_of(page.doc.find(".//p[@class='progress-text']")) == f"Spørgsmål 1 af {total}"
    assert [text_of(h1) for h1 in page.doc.iterfind(".//main//h1")] == [first.text.da]
    carried = page.doc.find(".//input[@name='preview_answers']").get("value")
    data = {"csrf_token": csrf_token(page), "preview_answers": carried, **_some_answers(page)}
    second = staff.post(link, data=data)
    assert text_of(second.doc.find(".//p[@class='progress-text']")) == f"Spørgsmål 2 af {total}"
    action = second.doc.find(".//main//form[@method='post'][@novalidate]").get("action")
    assert "/spoergsmaal/" in action and len(_fields(second)) == 1


@pytest.mark.parametrize("ticked, expected", [("y", True), (None, False)])
def test_staff_choose_one_question_per_page_for_a_new_round(client, login_as, make_round, in_app, ticked, expected):
    make_round()
    with in_app():
        questionnaire_id = db.session.scalar(select(Round)).questionnaire_id
    staff = login_as(client, "survey_manager")
    form = staff.get("/personale/runder/ny")
    assert form.doc.find(".//input[@name='one_question_per_page']") is not None
    local = to_local(utcnow()).date()
    data = {
        "csrf_token": csrf_token(form),
        "questionnaire": str(questionnaire_id),
        "label": "2027 forår",
        "opens_date": (local + timedelta(days=1)).isoformat(),
        "opens_time": "08:00",
        "closes_date": (local + timedelta(days=31)).isoformat(),
        "closes_time": "23:59",
        "access": "open",
        "allow_overlap": "y",
        **({"one_question_per_page": ticked} if ticked else {}),
    }
    assert staff.post("/personale/runder/ny", data=data).status_code == 302
    with in_app():
        made = db.session.scalar(select(Round).where(Round.label == "2027 forår"))
        assert made.one_question_per_page is expected


def test_pausing_with_a_required_question_blank_keeps_the_other_answers(client, app, make_round, in_app):
    """'Gem og fortsæt senere' saves what is answered, a required question left blank included: it is where the
    survey resumes, and 'Fortsæt' still asks for it."""
    slug = make_round(
        policy=TESTDATA / "policies/mini.yaml", questionnaire=TESTDATA / "questionnaires/mini-tilfredshed.yaml"
    )
    citizen = Citizen(client, slug)
    citizen.start()
    url = citizen.page_url
    assert "hjaelp" in _fields(client.get(url)), "the required routing question is on the first page"

    refused = citizen.post_page(url, {"tilfreds": "4"})
    assert refused.status_code == 400, "'Fortsæt' still asks for the required question"

    saved = citizen.post_page(url, {"tilfreds": "4"}, {"save_later": "1"})
    assert saved.status_code == 302 and saved.location.endswith("/gemt")
    with in_app():
        assert db.session.scalar(select(Draft)).answers == {"tilfreds": {"choice": "4"}}
    resumed = _resume(app.test_client(), slug, _code(client, saved.location))
    assert _step_number(resumed) == _step_number(url)


def test_the_progress_line_announces_the_route_before_it_is_chosen(client, make_round, in_app):
    """'Spørgsmål 1 af N' on the routing question counts the longest route, so the count never jumps up after it."""
    slug = make_round(one_question_per_page=True)
    spec = _spec(in_app, slug)
    longest = max(len(flow.steps(spec, route, one_per_page=True)) for route in flow.routes(spec))
    assert len(flow.steps(spec, {}, one_per_page=True)) < longest, "the demo questionnaire routes"
    citizen = Citizen(client, slug)
    citizen.start()
    assert f"spørgsmål 1 af {longest}" in title(client.get(citizen.page_url))
