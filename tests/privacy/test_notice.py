"""The privacy notice (GDPR art. 13) says what the installation really does, and every page links to it and to
the accessibility statement."""

from __future__ import annotations

import pytest

from tests.pages import text_of


@pytest.fixture
def settings(app, monkeypatch):
    """Distinctive settings, so that the page is seen to take them from config (restored after the test)."""
    values = {
        "CONTROLLER_NAME": "Testrup Kommune",
        "CONTROLLER_ADDRESS": "Torvet 9, 9999 Testrup",
        "CONTROLLER_CVR": "87654321",
        "CONTROLLER_EMAIL": "post@testrup.dk",
        "DPO_CONTACT": "dpo@testrup.dk",
        "DATA_PROCESSORS": ["Drift A/S", "Post ApS"],
        "REGISTRATION_RETENTION_DAYS": 17,
        "DRAFT_RETENTION_DAYS": 9,
        "AUDIT_RETENTION_DAYS": 123,
        "RESULTS_MIN_GROUP": 6,
    }
    for name, value in values.items():
        monkeypatch.setitem(app.config, name, value)
    return values


def sections(response) -> dict[str, str]:
    """The text under each h2 of the page, by the h2's id."""
    found, current = {}, None
    for element in response.doc.find(".//main"):
        if element.tag == "h2" and element.get("id") != "privacy-contents":
            current = element.get("id")
            found[current] = ""
        elif current:
            found[current] += " " + text_of(element)
    return found


@pytest.mark.parametrize(
    "section, phrases",
    [
        ("dataansvarlig", ["Testrup Kommune er dataansvarlig", "Torvet 9, 9999 Testrup", "CVR-nummer: 87654321",
                           "post@testrup.dk", "databeskyttelsesrådgiver", "dpo@testrup.dk"]),
        ("undersoegelse", ["gøre kommunens hjælp bedre", "artikel 6, stk. 1, litra e", "servicelovens § 16",
                           "ikke dit navn", "IP-adresse", "9 dage efter, at undersøgelsen er lukket", "anonyme",
                           "aldrig hvilke svar den hører til", "e-mailadresse sletter vi, når undersøgelsen lukker"]),
        ("dialogmoeder", ["planlægge mødet", "artikel 6, stk. 1, litra e", "helbred", "udtrykkelige samtykke",
                          "artikel 9, stk. 2, litra a", "trække samtykket tilbage", "17 dage efter mødet"]),
        ("medarbejdere", ["logger", "artikel 32", "efter 123 dage"]),
        ("modtagere", ["databehandlere", "Drift A/S, Post ApS", "mindst 6 svar"]),
        ("rettigheder", ["indsigt", "rettet", "slettet", "begrænset", "indsigelse", "trække dit samtykke tilbage",
                         "dataportabilitet"]),
        ("klage", ["Datatilsynet", "Carl Jacobsens Vej 35", "2500 Valby", "dt@datatilsynet.dk"]),
    ],
)  # fmt: skip
def test_the_notice_covers_each_point_of_article_13(client, settings, section, phrases):
    text = sections(client.get("/privatliv"))[section]
    missing = [phrase for phrase in phrases if phrase not in text]
    assert not missing, f"section {section!r} lacks {missing}"


def test_the_notice_is_one_h1_with_a_contents_list_that_leads_to_its_headings(client):
    page = client.get("/privatliv")
    assert page.status_code == 200 and len(page.doc.findall(".//h1")) == 1
    targets = [a.get("href") for a in page.doc.findall(".//nav[@aria-labelledby='privacy-contents']//a")]
    ids = {h.get("id") for h in page.doc.findall(".//h2")}
    assert len(targets) == 7 and {t.removeprefix("#") for t in targets} <= ids


def test_without_draft_retention_days_drafts_go_when_the_round_closes(client, settings, app):
    app.config["DRAFT_RETENTION_DAYS"] = 0
    assert "slettes de, når undersøgelsen lukker" in sections(client.get("/privatliv"))["undersoegelse"]


@pytest.mark.parametrize("path", ["/", "/privatliv", "/moeder/", "/personale/log-ind", "/findes/ikke", "/personale/"])
def test_every_page_links_the_privacy_notice_and_the_accessibility_statement_in_its_footer(client, login_as, path):
    if path == "/personale/":
        login_as(client, "analyst")
    page = client.get(path)
    footer_links = {a.get("href"): text_of(a) for a in page.doc.findall(".//footer//a")}
    assert footer_links.get("/privatliv") == "Privatlivspolitik", path
    assert footer_links.get("/was") == "Tilgængelighedserklæring", path


def test_was_sends_the_browser_to_the_municipalitys_accessibility_statement(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "ACCESSIBILITY_STATEMENT_URL", "https://www.was.digst.dk/testrup-borgerdialog")
    response = client.get("/was")
    assert response.status_code == 302
    assert response.location == "https://www.was.digst.dk/testrup-borgerdialog"


@pytest.mark.parametrize(
    "lang, sentences",
    [
        ("da", "Dine midlertidige svar slettes, når du sender dem. Sender du dem ikke"),
        ("en", "Your temporary answers are deleted when you send them. If you do not send them"),
    ],
)
def test_two_sentences_of_one_list_item_are_set_apart_by_a_space(client, settings, lang, sentences):
    assert sentences in text_of(client.get(f"/privatliv?lang={lang}").doc.find(".//main"))
