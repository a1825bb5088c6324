"""Uploading a questionnaire file in the browser: the same loader and the same problems (line and field) as
`flask questionnaires load`, nothing stored on error, a new version once the old one has answers, audited."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from survey.kernel.datafiles import DataFileError
from survey.kernel.extensions import db
from survey.kernel.uploads import UPLOAD_LIMIT
from survey.questionnaire.loading import load_questionnaire
from survey.questionnaire.models import Question, Questionnaire, Round
from survey.questionnaire.services import start_draft, submit_response
from survey.staff.models import AuditEvent
from tests.factories import make_policy, make_round
from tests.helpers import TESTDATA, count
from tests.pages import csrf_token, error_summary, field_error, text_of, title

URL = "/personale/spoergeskemaer/upload"
MINI_POLICY = TESTDATA / "policies" / "mini.yaml"
MINI = TESTDATA / "questionnaires" / "mini-tilfredshed.yaml"
MINI_TEXT = MINI.read_text(encoding="utf-8")
UPLOAD_ACTIONS = ("questionnaire_uploaded",)


@pytest.fixture
def manager(client, login_as, app):
    with app.app_context():
        make_policy(MINI_POLICY)
        db.session.commit()
    return login_as(client, "survey_manager")


def upload(client, text: str | bytes | None = None, pasted: str = "", name: str = "mini.yaml"):
    """Send a file (text or bytes) and/or pasted text from the upload page."""
    token = csrf_token(client.get(URL))
    data = {"csrf_token": token, "text": pasted}
    if text is not None:
        raw = text.encode("utf-8") if isinstance(text, str) else text
        data["file"] = (io.BytesIO(raw), name)
    return client.post(URL, data=data, content_type="multipart/form-data")


def rows(in_app) -> tuple[int, int]:
    with in_app():
        return count(Questionnaire), count(Question)


def uploads(in_app) -> list[tuple[str, str, dict]]:
    with in_app():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.in_(UPLOAD_ACTIONS))).all()
        return [(e.action, e.target, e.detail) for e in events]


def answer_once(in_app, slug: str = "mini-tilfredshed") -> None:
    """A round of the newest version with one response: the version is frozen."""
    with in_app():
        round_ = make_round(policy=MINI_POLICY, questionnaire=MINI, slug="runde-1")
        draft, _ = start_draft(round_)
        draft.answers = {"hjaelp": {"choice": "job"}, "tilfreds": {"choice": "4"}}
        submit_response(draft)
        db.session.commit()


def test_the_page_offers_a_file_and_a_text_area(manager):
    page = manager.get(URL)

    assert page.status_code == 200
    form = page.doc.find(".//form[@enctype='multipart/form-data']")
    assert form is not None and form.find(".//input[@type='file']") is not None
    assert form.find(".//textarea[@name='text']") is not None


def test_valid_file_makes_version_one(manager, in_app):
    response = upload(manager, MINI_TEXT)

    assert response.status_code == 302
    with in_app():
        questionnaire = db.session.scalar(select(Questionnaire))
        assert (questionnaire.slug, questionnaire.version) == ("mini-tilfredshed", 1)
        assert [q.key for q in questionnaire.questions] == [
            "hjaelp",
            "tilfreds",
            "faellesskab",
            "kommentar",
            "maa-citere",
        ]
        assert response.location == f"/personale/spoergeskemaer/{questionnaire.id}"
    assert uploads(in_app) == [
        ("questionnaire_uploaded", "questionnaire:mini-tilfredshed:v1", {"outcome": "created", "file": "mini.yaml"})
    ]
    with manager.session_transaction() as session:
        assert session["_flashes"] == [("success", "Spørgeskemaet mini-tilfredshed er oprettet som version 1.")]


def test_pasted_text_works_like_a_file(manager, in_app):
    response = upload(manager, pasted=MINI_TEXT)

    assert response.status_code == 302
    assert rows(in_app) == (1, 5)
    assert uploads(in_app)[0][2] == {"outcome": "created", "file": "indsat tekst"}


def test_same_file_again_is_unchanged_and_not_audited(manager, in_app):
    upload(manager, MINI_TEXT)
    response = upload(manager, MINI_TEXT)

    assert response.status_code == 302
    assert rows(in_app) == (1, 5)
    assert len(uploads(in_app)) == 1
    with manager.session_transaction() as session:
        assert session["_flashes"][-1][1] == "Filen er den samme som version 1 af mini-tilfredshed. Intet er ændret."


BROKEN = MINI_TEXT.replace('            focus_area: "2"', '            focus_area: "9"').replace(
    "        kind: likert_satisfaction", "        kind: likert"
)


def test_invalid_file_shows_the_command_lines_problems_and_stores_nothing(manager, in_app, tmp_path):
    broken = tmp_path / "mini.yaml"
    broken.write_text(BROKEN, encoding="utf-8")
    with in_app(), pytest.raises(DataFileError) as on_the_command_line:
        load_questionnaire(broken)

    response = upload(manager, BROKEN)

    assert response.status_code == 400
    assert title(response).startswith("Fejl: ")
    problems = [message for _target, message in error_summary(response)]
    assert problems == on_the_command_line.value.problems
    assert problems[0].startswith("linje 31: pages.0.questions.1.kind: ")
    rejected = response.doc.find(".//*[@id='rejected']")
    assert text_of(rejected.find(".//h2")) == "Afvist: mini.yaml (intet er gemt)"
    # the file's text is back in the text area, to fix and send again
    assert response.doc.find(".//textarea[@name='text']").text.strip() == BROKEN.strip()
    assert rows(in_app) == (0, 0)
    assert uploads(in_app) == []


def test_unknown_focus_area_is_named_at_its_line(manager, in_app):
    response = upload(manager, MINI_TEXT.replace('            focus_area: "2"', '            focus_area: "9"'))

    assert [message for _t, message in error_summary(response)] == [
        "linje 27: pages.0.questions.0.options.1.focus_area: ukendt fokusområde '9'"
    ]
    assert rows(in_app) == (0, 0)


def test_yaml_syntax_error_is_named_at_its_line(manager, in_app):
    response = upload(manager, MINI_TEXT.replace("  - id: egne-ord", "  - id: [egne-ord"))

    assert response.status_code == 400
    assert [message for _t, message in error_summary(response)] == [
        "linje 43: ugyldig YAML: expected ',' or ']', but got ':'"
    ]
    assert rows(in_app) == (0, 0)


def test_questionnaire_of_a_policy_not_loaded_is_refused(manager, in_app):
    response = upload(manager, MINI_TEXT.replace("policy: mini", "policy: findes-ikke"))

    assert [m for _t, m in error_summary(response)] == ["linje 3: policy: politikken 'findes-ikke' er ikke indlæst"]


def test_changed_file_after_answers_makes_a_new_version(manager, in_app):
    upload(manager, MINI_TEXT)
    answer_once(in_app)
    with in_app():
        old = db.session.scalar(select(Questionnaire))
        old_id, old_definition, old_texts = old.id, old.definition, [q.text for q in old.questions]

    changed = MINI_TEXT.replace('"Hvor tilfreds er du med hjælpen?"', '"Hvor tilfreds er du?"')
    response = upload(manager, changed)

    assert response.status_code == 302
    with in_app():
        versions = db.session.scalars(select(Questionnaire).order_by(Questionnaire.version)).all()
        assert [(v.id == old_id, v.version) for v in versions] == [(True, 1), (False, 2)]
        assert versions[0].definition == old_definition
        assert [q.text for q in versions[0].questions] == old_texts
        assert versions[1].question_by_key()["tilfreds"].text == "Hvor tilfreds er du?"
        assert db.session.scalar(select(Round.questionnaire_id)) == old_id
        # straight to what changed since the version with answers
        assert response.location == f"/personale/spoergeskemaer/{versions[1].id}/forskel"
    assert uploads(in_app)[-1][:2] == ("questionnaire_uploaded", "questionnaire:mini-tilfredshed:v2")
    with manager.session_transaction() as session:
        assert session["_flashes"][-1][1] == (
            "Version 2 af mini-tilfredshed er lavet. Den forrige version har svar og er ikke ændret."
        )


def test_changed_file_without_answers_updates_the_version(manager, in_app):
    upload(manager, MINI_TEXT)
    response = upload(manager, MINI_TEXT.replace('"Hvor tilfreds er du med hjælpen?"', '"Hvor tilfreds er du?"'))

    assert response.status_code == 302
    assert rows(in_app) == (1, 5)
    assert uploads(in_app)[-1][2]["outcome"] == "updated"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (None, "Vælg en YAML-fil, eller indsæt teksten fra filen."),
        (
            MINI_TEXT.encode("utf-8").replace(b"Hvilken", "Hvilk\xe6n".encode("latin-1")),
            "Filen er ikke gemt som UTF-8 (linje 20). Gem den som UTF-8 i din editor, og prøv igen.",
        ),
        (b"#" * (UPLOAD_LIMIT + 1), "Filen er for stor. Den må højst fylde 256 kB."),
    ],
    ids=["nothing sent", "latin-1", "too large"],
)
def test_unreadable_file_is_refused_at_the_file_field(manager, in_app, raw, message):
    response = upload(manager, raw)

    assert response.status_code == 400
    assert error_summary(response) == [("#file", message)]
    assert field_error(response, "file") == f"Fejl: {message}"
    assert rows(in_app) == (0, 0)


@pytest.mark.parametrize("pasted", [False, True], ids=["file", "pasted"])
def test_a_file_larger_than_a_survey_page_is_read(manager, in_app, pasted):
    """The app refuses requests over 64 kB (a survey page); an upload may be larger."""
    padded = MINI_TEXT + ("# " + "x" * 98 + "\n") * 1000

    response = upload(manager, pasted=padded) if pasted else upload(manager, padded)

    assert response.status_code == 302
    assert rows(in_app) == (1, 5)


def test_problems_are_in_danish_and_show_their_line(manager, in_app):
    broken = (
        MINI_TEXT.replace("minutes: 3", "minutes: 90")
        .replace('          da: "Hvor tilfreds er du med hjælpen?"', '          dansk: "Hvor tilfreds?"')
        .replace("        required: true", "        required: false")
    )

    response = upload(manager, broken)

    assert [message for _t, message in error_summary(response)] == [
        "linje 4: minutes: må højst være 60",
        "linje 14: pages.0.questions.0: routing-spørgsmålet skal være single_choice og required: true",
        "linje 34: pages.0.questions.1.text.da: feltet mangler",
        "linje 35: pages.0.questions.1.text.dansk: ukendt felt (er det stavet rigtigt?)",
    ]
    shown = [text_of(item) for item in response.doc.find(".//*[@id='rejected']").iter("li")]
    assert shown[0] == "linje 4: minutes: må højst være 60Linjen i filen: minutes: 90"
    assert shown[3].endswith('Linjen i filen: dansk: "Hvor tilfreds?"')
