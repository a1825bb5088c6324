"""The anonymised respondent-level export of a closed round (survey.results.microdata): one row per response with
scores and background answers, no free text, no id that exists anywhere else, shuffled, k-anonymous (k = 5) on
the background questions, refused for an open round, and logged at every download."""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from survey.kernel.clock import utcnow
from survey.kernel.extensions import db
from survey.questionnaire.models import Answer, Response
from survey.results.microdata import NOT_ASKED, k_anonymous
from survey.results.sums import rebuild_sums
from survey.staff.models import AuditEvent
from tests.factories import make_round
from tests.helpers import edited
from tests.results.closed_rounds import write_closed_rounds
from tests.results.small_set import MEASURES, MINI, answer

BASE = "/personale/resultater/runde"
BACKGROUND = ("hjaelp", "alder")
# (routing answer, age) → how many: the last two combinations are shared by fewer than 5
GROUPS = {("job", "ung"): 8, ("job", "aeldre"): 6, ("ung", "ung"): 5, ("ung", "aeldre"): 2, ("job", None): 3}
LABELS = {"job": "Job", "ung": "Ung"}
AGES = {"ung": "Under 30", "aeldre": "30 eller ældre"}


def people() -> list[tuple[str, dict]]:
    """24 respondents of the groups above, with varied scores and each a comment that must never be exported."""
    found = []
    for (routing, age), count in GROUPS.items():
        for _ in range(count):
            i = len(found)
            items = {"tilfreds-a": str(1 + i % 5), "tilfreds-b": str(1 + i * 2 % 5), "klar-a": str(1 + i * 3 % 5)}
            items |= {"kommentar": f"Hemmelig kommentar nummer {i}", "maa-citere": "yes"}
            found.append((routing, items | ({"alder": age} if age else {})))
    return found


@pytest.fixture
def closed(in_app) -> str:
    with in_app():
        return write_closed_rounds({"Runde A": people()})[0]


def download_csv(client, slug: str) -> list[dict]:
    response = client.get(f"{BASE}/{slug}/besvarelser.csv")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))


@pytest.mark.parametrize(
    "rows, expected",
    [
        ([["a", "x"]] * 5, [["a", "x"]] * 5),
        # the rare combination loses its rarest answer ("b", held by 2), and then is shared by 5
        (
            [["a", "x"]] * 3 + [["b", "x"]] * 2 + [["a", "y"]] * 5,
            [[None, "x"]] * 3 + [[None, "x"]] * 2 + [["a", "y"]] * 5,
        ),
        # nothing left to share: every answer of the row is blanked
        ([["a", "x"]] * 5 + [["b", "y"]], [["a", "x"]] * 5 + [[None, None]]),
        ([[None, None]] * 2, [[None, None]] * 2),
    ],
)
def test_rare_background_combinations_are_blanked_until_shared_by_k(rows, expected):
    assert k_anonymous(rows, 5) == expected


def test_k_anonymity_holds_on_many_rare_combinations():
    rng = random.Random(14)
    rows = [[rng.choice("abcdefg"), rng.choice("xyz"), rng.choice(["1", "2", None])] for _ in range(300)]
    result = k_anonymous(rows, 5)
    counts = Counter(tuple(row) for row in result)
    assert all(n >= 5 for c, n in counts.items() if any(c)), "every combination with an answer is shared by 5"
    for before, after in zip(rows, result, strict=True):
        assert all(a is None or a == b for a, b in zip(after, before, strict=True)), "answers are blanked, not changed"
    assert sum(v is not None for row in result for v in row) > 300, "most answers are kept"


def test_every_background_combination_is_shared_by_at_least_five(client, login_as, closed):
    login_as(client, "analyst")
    rows = download_csv(client, closed)
    assert len(rows) == sum(GROUPS.values()), "one row per response"
    combinations = Counter(tuple(row[key] for key in BACKGROUND) for row in rows)
    assert all(count >= 5 for combination, count in combinations.items() if any(combination)), combinations
    assert ("Ung", "30 eller ældre") not in combinations, "the 2 with a rare combination cannot be picked out"
    # the common combinations are kept as they are
    for (routing, age), count in GROUPS.items():
        if count >= 5:
            assert combinations[(LABELS[routing], AGES[age])] == count


def test_scores_per_question_and_no_free_text(client, login_as, closed):
    login_as(client, "analyst")
    rows = download_csv(client, closed)
    assert list(rows[0]) == ["Nr.", "hjaelp", "alder", "tilfreds-a", "tilfreds-b", "klar-a", "klar-b"]
    assert Counter(row["tilfreds-a"] for row in rows) == Counter(str(1 + i % 5) for i in range(24))
    assert {row["klar-b"] for row in rows} == {""}, "not answered"
    workbook = load_workbook(io.BytesIO(client.get(f"{BASE}/{closed}/besvarelser.xlsx").data))
    assert workbook.sheetnames == ["Om udtrækket", "Besvarelser", "Kodebog"]
    cells = [str(c) for sheet in workbook for row in sheet.values for c in row if c is not None]
    assert not [c for c in cells if "kommentar" in c.lower() and "Hemmelig" in c], "no comment"
    codebook = {row[0]: row for row in workbook["Kodebog"].values}
    assert codebook["alder"][1] == "Alder?" and "Under 30" in codebook["alder"][3]
    assert codebook["tilfreds-a"][2] == "Tilfredshed" and "maa-citere" not in codebook and "kommentar" not in codebook


def test_no_id_from_the_database_and_a_new_order_every_time(client, login_as, closed, in_app):
    login_as(client, "analyst")
    with in_app():
        ids = {str(v) for r in db.session.scalars(select(Response)) for v in (r.id, r.submission_id, r.receipt)}
        ids |= {str(a.id) for a in db.session.scalars(select(Answer))}
    orders = []
    for _ in range(3):
        rows = download_csv(client, closed)
        assert [row["Nr."] for row in rows] == [str(n) for n in range(1, 25)], "numbered after shuffling"
        assert not ids & {value for row in rows for value in row.values()}
        orders.append([tuple(row.values())[1:] for row in rows])
    xlsx = client.get(f"{BASE}/{closed}/besvarelser.xlsx").data
    cells = {str(c) for sheet in load_workbook(io.BytesIO(xlsx)) for row in sheet.values for c in row}
    assert not ids & cells
    assert len({tuple(order) for order in orders}) > 1, "the rows come in a new random order"


def test_every_download_is_logged(client, login_as, closed, in_app):
    login_as(client, "analyst")
    download_csv(client, closed)
    assert client.get(f"{BASE}/{closed}/besvarelser.xlsx").status_code == 200
    with in_app():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()
        assert sorted((e.actor_email, e.target, e.detail["format"], e.detail["what"]) for e in events) == [
            ("analyst@kommune.test", f"round:{closed}", fmt, "respondents") for fmt in ("csv", "xlsx")
        ]


def test_an_open_round_is_refused(client, login_as, in_app):
    with in_app():
        round_ = make_round(policy=MINI, questionnaire=MEASURES, label="Åben runde", state="open")
        db.session.add_all(answer(round_.questionnaire, round_, "job", {"tilfreds-a": "4"}) for _ in range(6))
        db.session.commit()
        slug = round_.slug
    login_as(client, "analyst")
    for fmt in ("csv", "xlsx"):
        response = client.get(f"{BASE}/{slug}/besvarelser.{fmt}")
        assert response.status_code == 303, "back to the results page with a message"
    page = client.get(response.headers["Location"])
    assert "Runden er ikke lukket endnu" in page.data.decode()
    with in_app():
        assert not db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()


def test_the_results_page_links_to_the_closed_round_only(client, login_as, closed, in_app):
    with in_app():
        make_round(policy=MINI, questionnaire=MEASURES, label="Åben runde", slug="aaben", state="open")
        db.session.commit()
    login_as(client, "analyst")
    page = client.get("/personale/resultater/?politik=mini").data.decode()
    assert f"{BASE}/{closed}/besvarelser.xlsx" in page and f"{BASE}/{closed}/besvarelser.csv" in page
    assert f"{BASE}/aaben/besvarelser" not in page and "Åben runde" in page, "the open round: its progress only"


#: the measures questionnaire with klar-b on a page of its own, asked only of those who chose "ung"
ROUTED_KLAR_B = (
    '      - {id: klar-b, kind: likert_agreement, dimension: transparency, focus_area: chosen, text: {da: "D?"}}\n',
    "  - id: ung-side\n"
    "    show_if: {question: hjaelp, any_of: [ung]}\n"
    '    title: {da: "Som ung"}\n'
    "    questions:\n"
    '      - {id: klar-b, kind: likert_agreement, dimension: transparency, focus_area: chosen, text: {da: "D?"}}\n'
    "  - id: resten\n"
    '    title: {da: "Resten"}\n'
    "    questions:\n",
)


def test_a_question_not_asked_on_the_route_says_so_and_a_skipped_one_is_blank(client, login_as, in_app, tmp_path):
    routed = edited(MEASURES, tmp_path / "measures.yaml", ROUTED_KLAR_B)
    # every job respondent has a klar-b answer in the draft (given before changing route, say): it is not asked
    given = [("job", {"tilfreds-a": "4", "klar-b": "5"})] * 6 + [("ung", {"tilfreds-a": "3", "klar-b": "2"})] * 5
    given += [("ung", {"tilfreds-a": "5"})] * 2
    with in_app():
        now = utcnow().replace(microsecond=0)
        round_ = make_round(
            policy=MINI,
            questionnaire=routed,
            label="Rutet",
            opens=now - timedelta(days=30),
            closes=now - timedelta(days=1),
        )
        db.session.add_all(answer(round_.questionnaire, round_, routing, items) for routing, items in given)
        db.session.flush()
        rebuild_sums(db.session.connection())
        db.session.commit()
        slug = round_.slug
    login_as(client, "analyst")
    rows = download_csv(client, slug)
    assert Counter(row["klar-b"] for row in rows) == {NOT_ASKED: 6, "2": 5, "": 2}
    assert {row["hjaelp"] for row in rows if row["klar-b"] == NOT_ASKED} == {"Job"}
    workbook = load_workbook(io.BytesIO(client.get(f"{BASE}/{slug}/besvarelser.xlsx").data))
    codebook = {row[0]: row for row in workbook["Kodebog"].values}
    assert "ikke stillet på borgerens vej" in codebook["klar-b"][3]
