"""Staff pages of policies: the list, one policy with its focus areas and goals, and uploading a policy file with
the problems (line and field) of `flask policies load`, nothing stored on error, audited."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from survey.kernel.datafiles import DataFileError
from survey.kernel.extensions import db
from survey.policies.models import FocusArea, Goal, Policy
from survey.policies.services import load_policy
from survey.staff.models import AuditEvent
from tests.factories import DATA, make_policy
from tests.helpers import TESTDATA, count
from tests.pages import csrf_token, error_summary, text_of, title

BASE = "/personale/politikker"
URL = f"{BASE}/upload"
MINI = TESTDATA / "policies" / "mini.yaml"
MINI_TEXT = MINI.read_text(encoding="utf-8")


@pytest.fixture
def manager(client, login_as):
    return login_as(client, "survey_manager")


def upload(client, text: str, name: str = "mini.yaml"):
    token = csrf_token(client.get(URL))
    data = {"csrf_token": token, "file": (io.BytesIO(text.encode("utf-8")), name)}
    return client.post(URL, data=data, content_type="multipart/form-data")


def rows(in_app) -> tuple[int, int, int]:
    with in_app():
        return count(Policy), count(FocusArea), count(Goal)


def policy_events(in_app) -> list[tuple[str, dict]]:
    with in_app():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "policy_uploaded"))
        return [(e.target, e.detail) for e in events]


def test_list_and_one_policy_as_its_file_has_it(manager, app):
    with app.app_context():
        policy_id = make_policy(DATA / "policies" / "norddjurs.yaml").id
        db.session.commit()

    listing = manager.get(f"{BASE}/")
    page = manager.get(f"{BASE}/{policy_id}")

    assert listing.status_code == 200
    cells = [[text_of(cell) for cell in row] for row in listing.doc.iter("tr")][1]
    assert cells == [
        "Fælles langsigtet strategi på Socialområdet",
        "Norddjurs Kommune",
        "2024–2028",
        "hvert halve år",
        "4",
    ]
    assert page.status_code == 200
    headings = [text_of(h) for h in page.doc.find(".//main").iter("h3")]
    assert len(headings) == 4 and headings[0].startswith("1. ")
    goals = [text_of(li) for li in page.doc.find(".//main").iter("li")]
    assert goals and goals[0].startswith("1.1 ")


def test_valid_upload_creates_the_policy(manager, in_app):
    response = upload(manager, MINI_TEXT)

    assert response.status_code == 302
    assert rows(in_app) == (1, 3, 3)
    with in_app():
        policy_id = db.session.scalar(select(Policy.id))
    assert response.location == f"{BASE}/{policy_id}"
    ((target, detail),) = policy_events(in_app)
    assert target == "policy:mini"
    assert detail["file"] == "mini.yaml" and detail["changes"][0] == "ny politik mini"


def test_changed_upload_updates_and_names_the_changes(manager, in_app):
    upload(manager, MINI_TEXT)
    response = upload(manager, MINI_TEXT.replace('        text: "Flere i job"', '        text: "Flere i arbejde"'))

    assert response.status_code == 302
    assert policy_events(in_app)[-1] == ("policy:mini", {"changes": ["målsætning 1.1"], "file": "mini.yaml"})
    with manager.session_transaction() as session:
        assert session["_flashes"][-1] == ("success", "Politikken er gemt. Ændret: målsætning 1.1.")


def test_same_file_again_changes_nothing(manager, in_app):
    upload(manager, MINI_TEXT)
    upload(manager, MINI_TEXT)

    assert len(policy_events(in_app)) == 1


@pytest.mark.parametrize(
    "broken", ["missing-title.yaml", "duplicate-codes.yaml", "wrong-follow-up.yaml", "unclosed-quote.yaml"]
)
def test_invalid_upload_shows_the_command_lines_problems_and_stores_nothing(manager, in_app, broken):
    path = TESTDATA / "policies" / broken
    with in_app(), pytest.raises(DataFileError) as on_the_command_line:
        load_policy(path)

    response = upload(manager, path.read_text(encoding="utf-8"), name=broken)

    assert response.status_code == 400
    assert title(response).startswith("Fejl: ")
    problems = [message for _target, message in error_summary(response)]
    assert problems == on_the_command_line.value.problems
    assert all(problem.startswith("linje ") for problem in problems)
    assert text_of(response.doc.find(".//*[@id='rejected']//h2")) == f"Afvist: {broken} (intet er gemt)"
    assert rows(in_app) == (0, 0, 0)
    assert policy_events(in_app) == []


def test_invalid_update_leaves_the_stored_policy_alone(manager, in_app):
    upload(manager, MINI_TEXT)
    broken = MINI_TEXT.replace('title: "Lille socialpolitik"', 'title: "Ny titel"').replace(
        "period_end: 2027", "period_end: 2020"
    )

    response = upload(manager, broken)

    assert [m for _t, m in error_summary(response)] == ["linje 6: period_end: ligger før period_start"]
    with in_app():
        assert db.session.scalar(select(Policy.title)) == "Lille socialpolitik"
    assert len(policy_events(in_app)) == 1
