"""The committee's report as PDF is an accessible, tagged PDF (PDF/UA-1): it is published with the agenda, so the
webtilgængelighedslov applies. Read back with pikepdf: marked content, a structure tree with headings, tables with
header cells and figures whose text alternative states the chart's numbers, the document's title and language."""

from __future__ import annotations

import io
import re

import pikepdf
import pytest

from tests.results.closed_rounds import write_closed_rounds
from tests.results.small_set import ROUND_A_JOB

YOUNG = {"tilfreds-a": "5", "tilfreds-b": "5", "klar-a": "5", "klar-b": "5", "alder": "ung"}
OLDER = {"tilfreds-a": "4", "tilfreds-b": "3", "klar-a": "4", "klar-b": "4", "alder": "aeldre"}
NO_AGE = {"tilfreds-a": "2", "tilfreds-b": "1", "klar-a": "2", "klar-b": "2"}
# transparency index of "Job": round A (100 + 50 + 0 + 50 + 75) / 5 = 55; round B (7·100 + 5·75 + 3·25) / 15 ≈ 77
ROUNDS = {
    "Runde A": [("job", p) for p in ROUND_A_JOB],
    "Runde B": [("job", p) for p in [YOUNG] * 7 + [OLDER] * 5 + [NO_AGE] * 3],
}


@pytest.fixture
def pdf(client, login_as, in_app) -> pikepdf.Pdf:
    with in_app():
        write_closed_rounds(ROUNDS)
    login_as(client, "analyst")
    response = client.get("/personale/resultater/bilag.pdf?politik=mini")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return pikepdf.open(io.BytesIO(response.data))


def elements(node) -> list:
    """Every structure element under `node`, depth first (marked-content ids and object references left out)."""
    found = []
    kids = node.get("/K")
    if kids is None:
        return found
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            found.append(kid)
            found += elements(kid)
    return found


def text(value) -> str:
    return re.sub(r"\s+", " ", str(value))


def test_the_pdf_is_tagged_with_title_and_language(pdf):
    assert pdf.Root.MarkInfo.Marked is True, "pdfinfo: Tagged: yes"
    assert "/StructTreeRoot" in pdf.Root
    assert str(pdf.Root.Lang) == "da"
    assert pdf.Root.ViewerPreferences.DisplayDocTitle is True, "a reader shows the title, not the file name"
    with pdf.open_metadata() as meta:
        assert meta["dc:title"] == "Bilag: opfølgning på Lille socialpolitik"
        assert "pdfuaid:part" in meta and meta["pdfuaid:part"] == "1"


def test_headings_and_tables_are_structure(pdf):
    kinds = [str(e.S) for e in elements(pdf.Root.StructTreeRoot)]
    assert "/H1" in kinds and "/H2" in kinds
    # the rounds on the front page and one table per focus area, each with header and data cells
    assert kinds.count("/Table") >= 4 and "/TH" in kinds and "/TD" in kinds
    headers = [e for e in elements(pdf.Root.StructTreeRoot) if e.S == "/TH"]
    assert all("/A" in e for e in headers)


def test_every_chart_is_a_figure_whose_alternative_states_its_numbers(pdf):
    figures = [e for e in elements(pdf.Root.StructTreeRoot) if e.S == "/Figure"]
    assert all("/Alt" in f and re.search(r"\d", text(f.Alt)) for f in figures), "every figure states its numbers"
    # the charts over the rounds, one per focus area (Job, Unge, Fællesskab); the others are answer distributions
    alternatives = [text(f.Alt) for f in figures if "Runde A" in text(f.Alt)]
    assert len(alternatives) == 3
    for alternative in alternatives:
        assert "Runde A" in alternative and "Runde B" in alternative, "every round, not only the last"
    job = next(a for a in alternatives if "Job" in a)
    assert "Gennemsigtighed (0–100), Runde A: 55" in job and "Gennemsigtighed (0–100), Runde B: 77" in job
    assert re.search(r"Andel tilfredse \(%\), Runde B: \d+ \(\d+–\d+\)", job), "the share and its interval"
    assert all("færre end 5 svar" in a for a in alternatives if "Job" not in a), "hidden groups said as hidden"
