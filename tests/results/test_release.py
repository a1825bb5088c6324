"""A round's results are published only once it has closed (survey.results.release), so no download before and
after one response tells what that person answered, and a cell hidden at 4 respondents never shows the fifth's.

While a round is open, the results page says how many have answered and when its results will be shown, and
nothing else of it: no figure on the pages, in CSV, XLSX or JSON, or in the committee's report (HTML and PDF).
After the close nothing can be sent to it, so its figures never change. Several rounds chosen at once are shown
side by side, each cell its own round's, so no choice of rounds lets one be subtracted from another."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from survey.kernel import clock
from survey.questionnaire.models import Answer, Response, Round
from survey.results.models import Quote
from survey.results.release import SETTLE
from survey.results.synthetic import generate_responses
from tests.pages import csrf_token, text_of
from tests.questionnaire.walker import Citizen
from tests.results.conftest import person
from tests.results.small_set import ROUND_A_JOB, ROUND_A_YOUNG, ROUND_B_JOB

BASE = "/personale/resultater"
CLOSED, OPEN = "2026 1. halvår", "2026 2. halvår"
AREAS = ("1", "2", "3", "4", "5")
#: the columns that name a row of a sheet; the others are its figures
KEYS = ("Fokusområde", "Runde", "Spørgsmål", "Svar", "Måler")
MONTHS = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober", "november")
MONTHS += ("december",)


@pytest.fixture
def frozen(monkeypatch):
    """The app's clock, stopped now; returns a function that moves it to a moment (aware UTC)."""
    moment = [datetime.now(UTC).replace(microsecond=0)]
    monkeypatch.setattr(clock, "now", lambda: moment[0])

    def move_to(when: datetime) -> None:
        moment[0] = when

    return move_to


def round_of(in_app, label: str) -> Round:
    with in_app() as session:
        round_ = session.scalar(select(Round).where(Round.label == label))
        session.expunge(round_)
        return round_


def responses_in(in_app, label: str) -> int:
    with in_app() as session:
        query = select(func.count()).select_from(Response).join(Round).where(Round.label == label)
        return session.scalar(query)


def send(app, slug: str) -> None:
    """One citizen answers the whole survey on their own phone, through the real submit."""
    citizen = Citizen(app.test_client(), slug)
    assert citizen.start().status_code == 302
    response, _form = citizen.submit(citizen.answer_all())
    assert response.status_code == 302, "stored"


def progress_of(page) -> list[str]:
    """The page's progress lines: one per chosen round that is not published yet."""
    return [text_of(li) for li in page.doc.iter("li") if li.get("id", "").startswith("fremdrift-")]


def counts(found: dict) -> list[str]:
    """The progress lines of the outputs (taken out of them) up to the count: "2026 2. halvår: 40 besvarelser…"."""
    return [line.split(" Resultaterne")[0] for line in found.pop("progress")]


def _main(page) -> str:
    """The page's main text without its progress lines (compared on their own)."""
    assert page.status_code == 200
    main = text_of(page.doc.find(".//main"))
    for line in progress_of(page):
        main = main.replace(line, "")
    return main


def outputs(client, query: str = "politik=syddjurs", pdf: bool = False) -> dict:
    """Everything staff can see or download for a choice of rounds: the overview and each focus area's page (their
    progress lines apart), the JSON, every CSV, every XLSX sheet, the report as HTML (and as PDF)."""
    index = client.get(f"{BASE}/?{query}")
    found = {"progress": progress_of(index), "index": _main(index)}
    found["tables"] = " ".join(text_of(s) for s in index.doc.iter("section") if "results-area" in s.get("class", ""))
    for code in AREAS:
        area = client.get(f"{BASE}/omraade/{code}?{query}")
        assert progress_of(area) == found["progress"]
        found[f"area {code}"] = _main(area)
    data = json.loads(client.get(f"{BASE}/eksport.json?{query}").data)
    data["facts"].pop("Udtrukket")  # when the file was made
    found["json"] = data
    for number in range(1, len(data["sheets"]) + 1):
        found[f"csv {number}"] = client.get(f"{BASE}/eksport-{number}.csv?{query}").data.decode("utf-8-sig")
    book = load_workbook(io.BytesIO(client.get(f"{BASE}/eksport.xlsx?{query}").data))
    found["xlsx"] = [[row for row in sheet.values if row[0] != "Udtrukket"] for sheet in book.worksheets]
    bilag = client.get(f"{BASE}/bilag?{query}")
    found["bilag"] = _main(bilag) if bilag.status_code == 200 else bilag.status_code
    if pdf:
        report = client.get(f"{BASE}/bilag.pdf?{query}")
        pages = PdfReader(io.BytesIO(report.data)).pages if report.status_code == 200 else []
        found["pdf"] = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pages))
    return found


def shown_text(found: dict) -> str:
    """Every result table, download and report as one text, to look for a round's name in."""
    parts = [json.dumps(found["json"], ensure_ascii=False), str(found["xlsx"]), str(found["bilag"]), found["tables"]]
    parts += [value for key, value in found.items() if key.startswith(("csv", "area", "pdf"))]
    return " ".join(parts)


@pytest.fixture
def two_rounds(app, make_round, in_app, frozen):
    """Syddjurs: a closed round of 60 responses and an open one of 40 (synthetic, with their kept sums)."""
    slugs = [make_round(state="closed", label=CLOSED), make_round(label=OPEN)]
    with in_app() as session:
        for seed, (slug, n) in enumerate(zip(slugs, (60, 40), strict=True)):
            generate_responses(session.scalar(select(Round).where(Round.slug == slug)), n, seed=seed)
    return slugs


def test_one_more_response_in_an_open_round_changes_nothing_but_its_count(app, client, login_as, two_rounds, in_app):
    """The differencing attack: download everything, let one citizen answer, download again."""
    login_as(client, "analyst")
    before = outputs(client, pdf=True)
    send(app, two_rounds[1])
    assert responses_in(in_app, OPEN) == 41
    after = outputs(client, pdf=True)

    open_id = round_of(in_app, OPEN).id
    assert counts(before) == [f"{OPEN}: 40 besvarelser indtil nu."]
    assert counts(after) == [f"{OPEN}: 41 besvarelser indtil nu."]
    for name in before:
        assert before[name] == after[name], f"{name} changed with one response"
    for found in (before, after):
        assert CLOSED in shown_text(found) and OPEN not in shown_text(found), "no figure of the open round"
    overview = {(r["Fokusområde"], r["Runde"]) for r in after["json"]["sheets"][0]["rows"]}
    assert {label for _area, label in overview} == {CLOSED}
    assert f"runde={open_id}" not in " ".join(str(value) for value in after.values())


def test_a_question_hidden_at_four_is_not_shown_at_five_while_open(app, client, login_as, make_round, in_app, frozen):
    slug = make_round(label=OPEN)
    for _ in range(4):
        send(app, slug)
    login_as(client, "analyst")
    at_four = outputs(client)
    send(app, slug)  # the fifth: each of the round's questions about job help now has 5 respondents
    at_five = outputs(client)

    assert counts(at_four) == [f"{OPEN}: 4 besvarelser indtil nu."]
    assert counts(at_five) == [f"{OPEN}: 5 besvarelser indtil nu."]
    assert at_four == at_five
    assert all(sheet["rows"] == [] for sheet in at_five["json"]["sheets"]), "no cell of the open round, hidden or not"
    assert at_five["bilag"] == 404, "no report without a closed round"
    assert OPEN not in shown_text(at_five)


def test_results_appear_after_the_close_and_never_change(
    app, client, login_as, make_round, in_app, frozen, monkeypatch
):
    # the analyst stays logged in while the clock jumps over the round's month
    monkeypatch.setitem(app.config, "STAFF_IDLE_MINUTES", 60 * 24 * 60)
    monkeypatch.setitem(app.config, "STAFF_ABSOLUTE_HOURS", 24 * 60)
    slug = make_round(label=OPEN)
    with in_app() as session:
        generate_responses(session.scalar(select(Round).where(Round.slug == slug)), 30, seed=3)
    late = Citizen(app.test_client(), slug)  # begins while the round is open, sends after it has closed
    late.start()
    review = late.answer_all()
    page = late.client.get(review)  # the citizen reads their answers, then presses "Send" after the close
    form = {
        "csrf_token": csrf_token(page),
        "submission_id": page.doc.find(".//input[@name='submission_id']").get("value"),
    }
    closes = round_of(in_app, OPEN).closes_at.replace(tzinfo=UTC)
    login_as(client, "analyst")

    frozen(closes - timedelta(minutes=1))
    assert OPEN not in shown_text(outputs(client))
    frozen(closes + timedelta(minutes=1))  # closed, but a submit that began before the close may still be on its way
    settling = outputs(client)
    assert OPEN not in shown_text(settling)
    when = clock.to_local((closes + SETTLE).replace(tzinfo=None))
    date = f"{when.day}. {MONTHS[when.month - 1]} {when.year} kl. {when:%H.%M}"
    assert settling["progress"] == [
        f"{OPEN}: 30 besvarelser indtil nu. Resultaterne vises fra den {date}, når runden er lukket, så ingen "
        "enkelt besvarelse kan regnes ud."
    ]
    refused = late.client.post(review, data=form)
    assert refused.status_code == 409 and responses_in(in_app, OPEN) == 30, "nothing is sent to a closed round"

    frozen(closes + SETTLE)
    first = outputs(client, pdf=True)
    frozen(closes + timedelta(days=7))
    assert late.client.post(review, data=form).status_code == 409
    second = outputs(client, pdf=True)
    overview = [r for r in first["json"]["sheets"][0]["rows"] if r["Runde"] == OPEN]
    assert any(isinstance(r["n, tilfredshed"], int) for r in overview), "now published"
    assert OPEN in shown_text(first) and first["progress"] == []
    assert first == second, "a closed round's figures are final"


def _n(row: dict):
    """A row's number of respondents: the overview gives one per measure (satisfaction's), the other sheets one."""
    return row.get("Svarpersoner", row.get("n, tilfredshed"))


def _cells(client, query: str) -> dict[tuple, dict]:
    """Every row of every JSON sheet by its names (sheet, area, round, question or group, measure), with its
    figures; the change since the previous round chosen is left out (it compares two shown figures)."""
    sheets = json.loads(client.get(f"{BASE}/eksport.json?politik=mini{query}").data)["sheets"]
    return {
        (sheet["title"], *(row.get(key) for key in KEYS)): {
            key: value for key, value in row.items() if key not in KEYS and "ndring" not in key
        }
        for sheet in sheets
        for row in sheet["rows"]
    }


def test_rounds_chosen_together_are_side_by_side_and_hide_what_each_hides(client, login_as, mini_rounds, in_app):
    """A hidden cell of round A cannot be had as (A + B) − B: every cell is one round's own, the same whatever
    else is chosen, and hidden wherever it is hidden alone; an open round adds nothing."""
    mini_rounds(
        {
            "Runde A": [("job", p) for p in ROUND_A_JOB] + [("ung", p) for p in ROUND_A_YOUNG],
            "Runde B": [("job", p) for p in ROUND_B_JOB] + [("ung", p) for p in ROUND_A_YOUNG],
        }
    )
    mini_rounds({"Runde C": [("job", p) for p in ROUND_B_JOB * 2] + [("ung", p) for p in ROUND_A_YOUNG]}, closed=False)
    ids = {label: round_of(in_app, label).id for label in ("Runde A", "Runde B", "Runde C")}
    login_as(client, "analyst")

    alone = {label: _cells(client, f"&runde={ids[label]}") for label in ("Runde A", "Runde B")}
    assert [key for key, row in alone["Runde A"].items() if "færre end 5 svar" in row.values()], "A hides"
    for chosen in (["Runde A", "Runde B"], ["Runde A", "Runde B", "Runde C"], ["Runde A", "Runde C"], []):
        together = _cells(client, "".join(f"&runde={ids[label]}" for label in chosen))
        assert {key[2] for key in together} <= {"Runde A", "Runde B"}, "nothing of the open round"
        for key, row in together.items():
            own = alone[key[2]].get(key)
            if isinstance(_n(row), int):
                assert row == own, f"{key} differs from the round's own cell when chosen with {chosen}"
            else:
                assert own is None or not isinstance(_n(own), int)
        for label in chosen or ["Runde A", "Runde B"]:
            for key, row in alone.get(label, {}).items():
                if isinstance(_n(row), int):
                    assert together.get(key) == row, f"{key} is not shown as alone when chosen with {chosen}"


def test_an_open_rounds_comments_are_neither_shown_nor_picked_as_quotes(client, login_as, mini_rounds, in_app):
    mini_rounds({"Runde A": [("job", person(number, True, "A")) for number in range(12)]}, closed=False)
    with in_app() as session:
        answer_id = session.scalar(select(Answer.id).where(Answer.text.is_not(None)).limit(1))
    login_as(client, "analyst")
    page = client.get(f"{BASE}/omraade/1?politik=mini")
    assert "Kommentar" not in _main(page), "12 comments, but the round is open"
    picked = client.post(
        f"{BASE}/omraade/1/citat?politik=mini",
        data={"csrf_token": csrf_token(page), "svar": answer_id, "handling": "vaelg"},
    )
    assert picked.status_code == 404
    with in_app() as session:
        assert session.scalar(select(func.count()).select_from(Quote)) == 0
