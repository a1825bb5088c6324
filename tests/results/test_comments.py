"""Citizens' comments per focus area: shown only where at least RESULTS_COMMENTS_MIN respondents were asked, and
without background answers; picked as quotes for the report only with the writer's yes, at most 3 per round."""

from __future__ import annotations

from sqlalchemy import func, select

from survey.kernel.extensions import db
from survey.results.models import Quote
from tests.pages import csrf_token, text_of


def area_page(client, query: str = ""):
    page = client.get(f"/personale/resultater/omraade/1?politik=mini{query}")
    assert page.status_code == 200
    return page


def choose(client, answer_id: int, action: str = "vaelg"):
    page = area_page(client)
    return client.post(
        "/personale/resultater/omraade/1/citat?politik=mini",
        data={"csrf_token": csrf_token(page), "svar": answer_id, "handling": action},
    )


def test_comments_show_only_for_large_enough_groups_and_without_background(client, login_as, commented):
    login_as(client, "analyst")
    page = area_page(client)
    comments = [text_of(li) for li in page.doc.iterfind(".//li[@class='comment']")]
    assert len(comments) == 10 and all("runde A" in c for c in comments), "round B has 9: under the minimum of 10"
    assert not any("Under 30" in c for c in comments), "no background answers next to a comment"
    quotable = area_page(client, "&citerbare=1").doc.iterfind(".//li[@class='comment']")
    assert len(list(quotable)) == 5


def test_the_comment_filter_sent_as_the_page_builds_it_keeps_the_choice_and_shows_the_quotable_ones(
    client, login_as, commented
):
    login_as(client, "analyst")
    form = next(f for f in area_page(client).doc.iterfind(".//form") if f.get("method") == "get")
    fields = [(i.get("name"), i.get("value")) for i in form.iterfind(".//input")]  # the box ticked, as a person would
    assert ("politik", "mini") in fields and any(name == "citerbare" for name, _value in fields)
    page = client.get(form.get("action"), query_string=fields)
    assert page.status_code == 200 and len(list(page.doc.iterfind(".//li[@class='comment']"))) == 5


def test_a_comment_is_picked_only_with_consent_and_at_most_three_per_round(client, login_as, commented, in_app):
    login_as(client, "analyst")
    refused = choose(client, commented["Kommentar 1 fra runde A"])
    assert refused.status_code == 303
    assert "ikke givet lov" in text_of(client.get(refused.location).doc.find(".//main"))
    for number in (0, 2, 4):
        assert choose(client, commented[f"Kommentar {number} fra runde A"]).status_code == 303
    fourth = choose(client, commented["Kommentar 6 fra runde A"])
    assert "allerede valgt 3 citater" in text_of(client.get(fourth.location).doc.find(".//main"))
    with in_app():
        assert db.session.scalar(select(func.count()).select_from(Quote)) == 3

    report = text_of(client.get("/personale/resultater/bilag?politik=mini").doc.find(".//main"))
    assert all(f"Kommentar {n} fra runde A" in report for n in (0, 2, 4))
    assert "Kommentar 6 fra runde A" not in report

    choose(client, commented["Kommentar 2 fra runde A"], "fravaelg")
    with in_app():
        assert db.session.scalar(select(func.count()).select_from(Quote)) == 2


def test_a_comment_in_a_round_under_the_minimum_cannot_be_picked(client, login_as, commented, in_app):
    login_as(client, "analyst")
    response = choose(client, commented["Kommentar 0 fra runde B"])
    assert "for lille" in text_of(client.get(response.location).doc.find(".//main"))
    with in_app():
        assert db.session.scalar(select(func.count()).select_from(Quote)) == 0


def test_picking_quotes_needs_the_analyst_or_admin_role(client, login_as, commented, in_app):
    login_as(client, "meeting_host")
    page = client.get("/personale/")
    response = client.post(
        "/personale/resultater/omraade/1/citat?politik=mini",
        data={"csrf_token": csrf_token(page), "svar": commented["Kommentar 0 fra runde A"]},
    )
    assert response.status_code == 403
    with in_app():
        assert db.session.scalar(select(func.count()).select_from(Quote)) == 0
