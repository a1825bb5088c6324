"""A human to call: each policy file gives its municipality's contact, kept on the policy and shown on the
citizen pages of that municipality (survey pages' footer, the closed-round page, error pages)."""

from __future__ import annotations

import pytest

from survey.kernel.datafiles import DataFileError
from survey.kernel.extensions import db
from survey.policies.services import load_policy
from tests.factories import SYDDJURS, make_policy
from tests.pages import text_of

SYDDJURS_PHONE = "87 53 50 00"
HOURS = "Mandag–onsdag kl. 10–14, torsdag kl. 10–17, fredag kl. 10–12"


def test_the_policy_file_gives_the_contact(app):
    with app.app_context():
        contact = make_policy().contact
        assert (contact.municipality, contact.unit, contact.phone, contact.hours) == (
            "Syddjurs Kommune",
            "Borgerservice, Social og Beskæftigelse",
            SYDDJURS_PHONE,
            HOURS,
        )
        assert contact.phone_uri == "tel:+4587535000" and contact.email and contact.address


def test_a_file_without_a_contact_loads_and_gives_none(app, tmp_path):
    original = SYDDJURS.read_text()
    without = original.split("\ncontact:")[0] + "\nfocus_areas:" + original.split("\nfocus_areas:")[1]
    assert "contact:" not in without
    with app.app_context():
        policy, _changes = load_policy(tmp_path / "syddjurs.yaml", without)
        assert policy.contact is None
        db.session.rollback()


def test_a_phone_number_must_be_a_number(app):
    broken = SYDDJURS.read_text().replace(f'phone: "{SYDDJURS_PHONE}"', 'phone: "ring til os"')
    with app.app_context(), pytest.raises(DataFileError) as error:
        load_policy(SYDDJURS, broken)
    assert "contact.phone" in str(error.value)


def test_a_survey_page_footer_gives_the_municipalitys_number_and_hours(client, make_round):
    footer = text_of(client.get(f"/s/{make_round()}/").doc.find(".//footer"))
    assert f"Telefon: {SYDDJURS_PHONE}" in footer and HOURS in footer and "Syddjurs Kommune" in footer


def test_a_closed_round_gives_a_number_to_call_instead_of_contact_the_municipality(client, make_round):
    main = text_of(client.get(f"/s/{make_round(state='closed')}/").doc.find(".//main"))
    assert "kontakt kommunen" not in main.lower()
    assert f"Ring til Borgerservice, Social og Beskæftigelse, Syddjurs Kommune: {SYDDJURS_PHONE}. {HOURS}." in main


def test_an_unknown_address_shows_every_municipalitys_number(client, make_round, make_meeting):
    make_round()
    make_meeting(policy="norddjurs")
    page = client.get("/s/findes-ikke/")
    assert page.status_code == 404
    footer = text_of(page.doc.find(".//footer"))
    assert SYDDJURS_PHONE in footer and "89 59 10 00" in footer


def test_staff_pages_have_no_citizen_switchboard(client, make_round):
    make_round()
    assert SYDDJURS_PHONE not in text_of(client.get("/personale/log-ind").doc.find(".//footer"))
