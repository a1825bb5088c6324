"""The detector of what looks like personal data in a comment (survey/results/personal_data.py)."""

from __future__ import annotations

import pytest

from survey.results.personal_data import find_personal_data, first_names


def kinds(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in find_personal_data(text)]


def test_the_name_list_holds_a_few_hundred_danish_first_names():
    names, ambiguous = first_names()
    assert len(names) >= 300 and {"Hanne", "Jens", "Mette", "Søren"} <= names
    assert {"Hans", "Per", "Bo"} <= ambiguous <= names


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("ring til mig, Hanne fra Rønde, 81 år, kørestol", [("name", "Hanne"), ("age", "81 år")]),
        ("Min tlf. er 86 12 34 56", [("phone", "86 12 34 56")]),
        ("ring på 20304050 eller +45 20 30 40 50", [("phone", "20304050"), ("phone", "+45 20 30 40 50")]),
        ("skriv til hanne.b@example.dk", [("email", "hanne.b@example.dk")]),
        ("mit cpr er 010190-1234", [("cpr", "010190-1234")]),
        ("cpr 0101901234", [("cpr", "0101901234")]),
        ("jeg bor på Kirkevej 12 B", [("address", "Kirkevej 12 B")]),
        ("lige ved Nørregade 5", [("address", "Nørregade 5")]),
        ("på Frederiksberg Allé 3", [("address", "Frederiksberg Allé 3")]),
        ("min mor er 81-årig", [("age", "81-årig")]),
        ("Jeg talte med Per og Anne-Marie", [("name", "Per"), ("name", "Anne-Marie")]),
    ],
)
def test_personal_data_is_found(text, found):
    assert kinds(text) == found


@pytest.mark.parametrize(
    "text",
    [
        "ring til mig [navn] fra [by], [alder], kørestol",
        "Sagsbehandleren ringede altid tilbage.",
        "Jeg har ventet i 3 år. For 2 år siden var det bedre, og om 2 år er det måske godt.",
        "Hans sagsbehandler var god. Per måned får jeg for lidt.",  # "his", "per month": words, not names
        "Mødet varede fra 1990-1995, og jeg vil have 3 timer hele vejen 3 gange.",
        "",
    ],
)
def test_ordinary_words_and_placeholders_are_not_personal_data(text):
    assert kinds(text) == []
