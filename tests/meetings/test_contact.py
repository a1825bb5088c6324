"""A human to call on the meeting pages and in every mail; the meeting list names each meeting's municipality and
offers only the chosen municipality's focus areas."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from survey.kernel.extensions import db
from survey.policies.models import Policy
from tests.meetings.signup import mails_to, sign_up
from tests.pages import text_of

PHONE = "87 53 50 00"
HOURS = "Mandag–onsdag kl. 10–14, torsdag kl. 10–17, fredag kl. 10–12"


def test_the_meeting_page_gives_the_number_and_hours(client, make_meeting):
    page = client.get(f"/moeder/{make_meeting()}")
    main = text_of(page.doc.find(".//main"))
    assert "Spørgsmål om mødet?" in main and f"Syddjurs Kommune: {PHONE}. {HOURS}." in main
    assert page.doc.find(".//main//a[@href='tel:+4587535000']") is not None
    assert PHONE in text_of(page.doc.find(".//footer"))


def test_after_the_deadline_the_page_says_whom_to_call(client, make_meeting):
    meeting_id = make_meeting(starts_in=timedelta(hours=12), deadline_before=timedelta(days=1))
    for path in (f"/moeder/{meeting_id}", f"/moeder/{meeting_id}/tilmeld"):
        main = text_of(client.get(path).doc.find(".//main"))
        assert "Kontakt kommunen" not in main and f"{PHONE}. {HOURS}." in main, path


def test_every_mail_ends_with_a_number_to_call(client, make_meeting):
    sign_up(client, make_meeting())
    (mail,) = mails_to(client.application, "karen@example.dk")
    assert "Du kan ikke svare på den" not in mail.body
    unit = "Borgerservice, Social og Beskæftigelse, Syddjurs Kommune"
    assert f"Har du spørgsmål, så ring til {unit}: {PHONE}." in mail.body
    assert HOURS in mail.body and "borgerservice@syddjurs.dk" in mail.body
    html = mail.alternatives[0][0]
    assert 'href="tel:+4587535000"' in html and HOURS in html


def test_the_list_names_the_municipality_and_filters_by_the_chosen_ones_areas(client, make_meeting, in_app):
    make_meeting(title="Om job i Syddjurs", areas=("1",))
    make_meeting(title="Om fællesskab i Syddjurs", areas=("4",))
    make_meeting(policy="norddjurs", title="Borgeren først i Norddjurs", areas=("1",))
    listing = client.get("/moeder/")
    cards = [text_of(card) for card in listing.doc.iter("li") if card.get("class") == "meeting-card"]
    assert any("Borgeren først i Norddjurs" in c and "Norddjurs Kommune" in c for c in cards)
    assert any("Om job i Syddjurs" in c and "Syddjurs Kommune" in c for c in cards)
    # two municipalities: no focus areas offered before one is chosen (Syddjurs' 1 is not Norddjurs' 1)
    assert listing.doc.find(".//select[@id='fokus']") is None
    assert [o.text for o in listing.doc.find(".//select[@id='kommune']")] == [
        "Alle kommuner",
        "Norddjurs Kommune",
        "Syddjurs Kommune",
    ]
    chosen = client.get("/moeder/?kommune=syddjurs")
    with in_app():
        syddjurs = db.session.scalar(select(Policy).where(Policy.slug == "syddjurs"))
        titles = {a.title for a in syddjurs.focus_areas if a.code in ("1", "4")}
        area_4 = next(a.id for a in syddjurs.focus_areas if a.code == "4")
    offered = [o.text for o in chosen.doc.find(".//select[@id='fokus']")]
    assert offered[0] == "Alle emner" and set(offered[1:]) == titles
    main = text_of(chosen.doc.find(".//main"))
    assert "Borgeren først i Norddjurs" not in main and "Om job i Syddjurs" in main
    body = text_of(client.get(f"/moeder/?kommune=syddjurs&fokus={area_4}").doc.find(".//main"))
    assert "Om fællesskab i Syddjurs" in body and "Om job i Syddjurs" not in body
