"""Invitation rounds: a single-use code from a letter opens the survey; nothing ties it to the answers."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from survey.kernel import codes
from survey.kernel.extensions import db
from survey.questionnaire.models import Draft, Invitation, Response, Round
from survey.questionnaire.rounds import create_invitations
from tests.pages import csrf_token, error_summary, field_error, title
from tests.questionnaire.walker import Citizen


@pytest.fixture
def invitation_round(make_round, in_app):
    slug = make_round(access="invitation")
    with in_app():
        made = create_invitations(db.session.scalars(select(Round)).one(), 3)
        db.session.commit()
    return slug, made


def test_start_page_asks_for_the_code(client, invitation_round):
    slug, _codes = invitation_round
    page = client.get(f"/s/{slug}/")
    assert page.doc.find(".//input[@name='code']") is not None


def test_code_from_qr_link_is_filled_in(client, invitation_round):
    slug, made = invitation_round
    page = client.get(f"/s/{slug}/?kode={made[0]}")
    assert page.doc.find(".//input[@name='code']").get("value") == made[0]


def test_a_code_opens_the_survey_once(client, app, invitation_round, in_app):
    slug, made = invitation_round
    citizen = Citizen(client, slug)
    typed = codes.grouped(made[0]).lower().replace("-", " ")  # as people type it
    assert citizen.start(code=typed).status_code == 302
    response, _ = citizen.submit(citizen.answer_all())
    assert response.status_code == 302
    with in_app():
        invitation = db.session.scalars(select(Invitation).where(Invitation.used)).one()
        assert invitation.code_hash == codes.keyed_hash(made[0], "invitation")
        assert db.session.scalars(select(Draft)).all() == []

    again = Citizen(app.test_client(), slug).start(code=made[0])
    assert again.status_code == 400
    assert "allerede brugt" in field_error(again, "code")


def test_the_same_code_before_sending_takes_up_the_same_draft(client, app, invitation_round, in_app):
    slug, made = invitation_round
    first = Citizen(client, slug)
    first.start(code=made[1])
    first.post_page(first.page_url, {"hjaelp": "ung"})
    second = Citizen(app.test_client(), slug)
    assert second.start(code=made[1]).status_code == 302
    page = second.client.get(second.page_url)
    assert page.doc.find(".//input[@name='hjaelp'][@checked]").get("value") == "ung"
    assert first.client.get(first.page_url).status_code == 404, "the old link stops working"
    with in_app():
        assert len(db.session.scalars(select(Draft)).all()) == 1


@pytest.mark.parametrize(
    "typed, message",
    [
        ("", "Indtast din kode"),
        ("ABCD", "Koden skal have 8 tegn"),
        ("ABCD-EFG!", "Koden skal have 8 tegn"),
        ("ZZZZ-ZZZZ", "Vi kan ikke finde koden"),
    ],
)
def test_wrong_codes_are_explained(client, invitation_round, in_app, typed, message):
    slug, _codes = invitation_round
    page = client.get(f"/s/{slug}/")
    response = client.post(f"/s/{slug}/", data={"csrf_token": csrf_token(page), "code": typed})
    assert response.status_code == 400 and title(response).startswith("Fejl: ")
    assert error_summary(response)[0][0] == "#code"
    assert message in field_error(response, "code")
    with in_app():
        assert db.session.scalars(select(Draft)).all() == []


def test_nothing_stored_links_a_response_to_its_invitation(client, invitation_round, in_app):
    slug, made = invitation_round
    citizen = Citizen(client, slug)
    citizen.start(code=made[2])
    citizen.submit(citizen.answer_all())
    with in_app():
        response_columns = {c.name for c in Response.__table__.columns}
        invitation_columns = {c.name for c in Invitation.__table__.columns}
        response = db.session.scalars(select(Response)).one()
    assert response_columns == {"id", "round_id", "submission_id", "receipt", "iso_week"}
    assert invitation_columns == {"id", "round_id", "code_hash", "used"}
    assert len(response.id) == 32 and not response.id.isdigit(), "a random key, not an arrival order"
    assert response.iso_week.startswith("20") and "-W" in response.iso_week


def test_the_code_is_used_up_when_the_survey_begins_not_in_the_submit(client, invitation_round, in_app):
    slug, made = invitation_round
    citizen = Citizen(client, slug)
    citizen.start(code=made[0])
    with in_app():
        assert db.session.scalars(select(Invitation.used)).all().count(True) == 1, "used up at the start"
    citizen.submit(citizen.answer_all())
    with in_app():
        assert db.session.scalar(select(Response.id)) is not None
        if db.engine.dialect.name == "postgresql":
            # rows written in one transaction share its id (xmin): the submit must not touch the invitation
            shared = db.session.execute(text("SELECT count(*) FROM invitation i JOIN response r ON r.xmin = i.xmin"))
            assert shared.scalar() == 0
