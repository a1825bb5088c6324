"""`flask questionnaires load`, `flask rounds create|list` and `flask invitations create`."""

from __future__ import annotations

import csv
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select, text

from survey.kernel import codes
from survey.kernel.config import ROOT
from survey.kernel.extensions import db
from survey.questionnaire import letters
from survey.questionnaire.loading import load_questionnaire
from survey.questionnaire.models import Invitation, Questionnaire, Round
from survey.questionnaire.rounds import find_invitation
from tests.factories import make_policy
from tests.helpers import TESTDATA, count

DATA = ROOT / "data"
SYDDJURS = DATA / "questionnaires" / "syddjurs-tilfredshed.yaml"
GROUPED_CODE = re.compile(rf"^[{codes.ALPHABET}]{{4}}-[{codes.ALPHABET}]{{4}}$")


def public_start_url(app, round_slug: str) -> str:
    return f"{app.config['PUBLIC_BASE_URL']}/s/{round_slug}/"


def days_from_today(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


@pytest.fixture
def syddjurs(app):
    """The Syddjurs policy and questionnaire, loaded and committed."""
    with app.app_context():
        make_policy(DATA / "policies" / "syddjurs.yaml")
        load_questionnaire(SYDDJURS)
        db.session.commit()


def rounds_create(runner, *options: str):
    """`flask rounds create OPTIONS…`"""
    return runner.invoke(args=["rounds", "create", *options])


@pytest.fixture
def create_round(runner, syddjurs):
    """Factory: `flask rounds create` for the Syddjurs questionnaire, open from yesterday by default."""

    def create(slug: str, opens: int = -1, closes: int = 30, access: str = "open", label: str | None = None):
        result = rounds_create(
            runner,
            "--questionnaire",
            "syddjurs-tilfredshed",
            "--label",
            label or slug,
            "--opens",
            days_from_today(opens),
            "--closes",
            days_from_today(closes),
            "--access",
            access,
            "--slug",
            slug,
            "--allow-overlap",  # several rounds at once are these tests' cases; overlap is tested in test_round_admin
        )
        assert result.exit_code == 0, result.output
        return result

    return create


# --- questionnaires load -------------------------------------------------------------------------------------------


def test_questionnaires_load_reports_each_outcome(app, runner):
    assert runner.invoke(args=["policies", "load", str(DATA / "policies" / "syddjurs.yaml")]).exit_code == 0

    first = runner.invoke(args=["questionnaires", "load", str(SYDDJURS)])
    again = runner.invoke(args=["questionnaires", "load", str(SYDDJURS)])

    assert first.exit_code == 0, first.output
    assert first.stdout == f"{SYDDJURS}: syddjurs-tilfredshed version 1: created\n"
    assert again.exit_code == 0, again.output
    assert again.stdout == f"{SYDDJURS}: syddjurs-tilfredshed version 1: unchanged\n"


def test_questionnaires_load_stores_nothing_when_one_file_is_broken(app, runner, tmp_path):
    policies = [str(DATA / "policies" / "syddjurs.yaml"), str(TESTDATA / "policies" / "mini.yaml")]
    assert runner.invoke(args=["policies", "load", *policies]).exit_code == 0
    mini = (TESTDATA / "questionnaires" / "mini-tilfredshed.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "mini.yaml"
    broken.write_text(mini.replace('focus_area: "3"', 'focus_area: "9"'), encoding="utf-8")

    result = runner.invoke(args=["questionnaires", "load", str(SYDDJURS), str(broken)])

    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Afvist: {broken} (intet er gemt)",
        "  linje 39: pages.0.questions.2.focus_area: ukendt fokusområde '9'",
    ]
    with app.app_context():
        assert count(Questionnaire) == 0


def test_questionnaires_load_rejects_a_file_before_its_policy(app, runner):
    result = runner.invoke(args=["questionnaires", "load", str(SYDDJURS)])

    assert result.exit_code == 1
    line = SYDDJURS.read_text(encoding="utf-8").splitlines().index("policy: syddjurs") + 1
    assert f"linje {line}: policy: politikken 'syddjurs' er ikke indlæst" in result.stderr


# --- rounds --------------------------------------------------------------------------------------------------------


def test_rounds_create_takes_danish_dates(app, runner, syddjurs):
    result = rounds_create(
        runner,
        "--questionnaire",
        "syddjurs-tilfredshed",
        "--label",
        "2026 1. halvår",
        "--opens",
        "2026-01-01",
        "--closes",
        "2026-07-01",
        "--access",
        "invitation",
        "--one-question-per-page",
    )

    assert result.exit_code == 0, result.output
    slug = "syddjurs-tilfredshed-2026-1-halvaar"
    assert result.stdout == f"Runde {slug} oprettet: {public_start_url(app, slug)}\n"
    with app.app_context():
        round_ = db.session.scalar(select(Round).where(Round.slug == slug))
        assert (round_.label, round_.access, round_.questionnaire.version) == ("2026 1. halvår", "invitation", 1)
        assert round_.one_question_per_page
        # midnight in Copenhagen, kept as naive UTC: winter time (UTC+1) in January, summer time (UTC+2) in July
        assert round_.opens_at == datetime(2025, 12, 31, 23, 0)
        assert round_.closes_at == datetime(2026, 6, 30, 22, 0)


@pytest.mark.parametrize(
    ("opens", "closes"),
    [("2026-07-01", "2026-01-01"), ("2026-01-01", "2026-01-01")],
    ids=["closes before opens", "closes when it opens"],
)
def test_rounds_create_refuses_a_round_that_closes_before_it_opens(app, runner, syddjurs, opens, closes):
    result = rounds_create(
        runner,
        "--questionnaire",
        "syddjurs-tilfredshed",
        "--label",
        "2026 1. halvår",
        "--opens",
        opens,
        "--closes",
        closes,
    )

    assert result.exit_code != 0
    assert "en runde skal lukke efter den åbner" in result.stderr
    with app.app_context():
        assert count(Round) == 0


def test_rounds_create_refuses_a_slug_that_is_taken(app, runner, create_round):
    create_round("foraar")

    result = rounds_create(
        runner,
        "--questionnaire",
        "syddjurs-tilfredshed",
        "--label",
        "igen",
        "--slug",
        "foraar",
        "--opens",
        "2026-01-01",
        "--closes",
        "2026-07-01",
    )

    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code != 0
    assert "foraar" in result.stderr
    with app.app_context():
        assert count(Round) == 1


def test_rounds_create_names_an_unknown_questionnaire(app, runner):
    result = rounds_create(
        runner, "--questionnaire", "findes-ikke", "--label", "x", "--opens", "2026-01-01", "--closes", "2026-07-01"
    )

    assert result.exit_code != 0
    assert "intet spørgeskema med slug 'findes-ikke'" in result.stderr


def test_rounds_list_prints_open_rounds_with_their_public_address(app, runner, create_round):
    create_round("aaben", opens=-1, closes=30)
    create_round("med-kode", opens=-2, closes=10, access="invitation")
    create_round("lukket", opens=-60, closes=-30)
    create_round("kommende", opens=5, closes=30)

    result = runner.invoke(args=["rounds", "list"])

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    # soonest closing first
    assert [line.split("\t")[0] for line in lines] == ["med-kode", "aaben"]
    assert lines[0].startswith("med-kode\tmed-kode\tinvitation\ttil og med ")
    assert lines[0].endswith(f"\t{public_start_url(app, 'med-kode')}")
    assert lines[1].endswith(f"\t{public_start_url(app, 'aaben')}")


def test_rounds_list_says_when_no_round_is_open(app, runner, create_round):
    create_round("lukket", opens=-60, closes=-30)

    result = runner.invoke(args=["rounds", "list"])

    assert (result.exit_code, result.stdout) == (0, "Ingen åbne runder.\n")


# --- invitations -------------------------------------------------------------------------------------------------


def read_codes(out: Path) -> list[dict[str, str]]:
    with (out / "koder.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_invitations_create_writes_the_letters_and_their_codes(app, runner, create_round, tmp_path):
    create_round("med-kode", access="invitation")
    out = tmp_path / "koder"

    result = runner.invoke(args=["invitations", "create", "--round", "med-kode", "--count", "5", "--out", str(out)])

    assert result.exit_code == 0, result.output
    rows = read_codes(out)
    assert len(rows) == 5
    assert list(rows[0]) == ["nummer", "kode", "adresse", "link"]
    written = [row["kode"] for row in rows]
    assert all(GROUPED_CODE.match(code) for code in written), written
    assert len(set(written)) == 5
    assert [row["nummer"] for row in rows] == ["1", "2", "3", "4", "5"]
    for row in rows:
        assert row["adresse"] == public_start_url(app, "med-kode")
        assert row["link"] == f"{row['adresse']}?kode={row['kode'].replace('-', '')}"
    pages = PdfReader(out / "breve.pdf").pages
    assert [row["kode"] in page.extract_text() for row, page in zip(rows, pages, strict=True)] == [True] * 5


def test_invitations_store_only_keyed_hashes(app, runner, create_round, tmp_path):
    create_round("med-kode", access="invitation")
    runner.invoke(args=["invitations", "create", "--round", "med-kode", "--count", "5", "--out", str(tmp_path)])
    written = [row["kode"] for row in read_codes(tmp_path)]

    with app.app_context():
        stored = "\n".join(str(row) for row in db.session.execute(text("SELECT * FROM invitation")))
        assert count(Invitation) == 5
        for code in written:
            for form in (code, code.replace("-", ""), code.lower(), code.replace("-", "").lower()):
                assert form not in stored


def test_invitation_codes_are_found_as_people_type_them(app, runner, create_round, tmp_path):
    create_round("med-kode", access="invitation")
    create_round("anden", access="invitation")
    runner.invoke(args=["invitations", "create", "--round", "med-kode", "--count", "5", "--out", str(tmp_path)])
    written = [row["kode"] for row in read_codes(tmp_path)]

    with app.app_context():
        round_ = db.session.scalar(select(Round).where(Round.slug == "med-kode"))
        other = db.session.scalar(select(Round).where(Round.slug == "anden"))
        found = [find_invitation(round_, code.lower().replace("-", " ")) for code in written]
        assert all(invitation is not None and not invitation.used for invitation in found)
        assert len({invitation.id for invitation in found}) == 5
        assert all(find_invitation(round_, f"  {code}  ") is not None for code in written)
        # a code belongs to its round only, and a code outside the alphabet never matches
        assert all(find_invitation(other, code) is None for code in written)
        assert find_invitation(round_, "OOOO-IIII") is None


def test_invitations_create_refuses_an_open_round(app, runner, create_round, tmp_path):
    create_round("aaben", access="open")
    out = tmp_path / "koder"

    result = runner.invoke(args=["invitations", "create", "--round", "aaben", "--count", "5", "--out", str(out)])

    assert result.exit_code != 0
    assert "ingen runde med det navn, der bruger invitationer" in result.stderr
    assert not out.exists()
    with app.app_context():
        assert count(Invitation) == 0


def test_invitations_create_never_writes_over_letters(app, runner, create_round, tmp_path):
    """The files are the only copy of their codes: a second run into the same folder is refused, and makes none."""
    create_round("med-kode", access="invitation")
    runner.invoke(args=["invitations", "create", "--round", "med-kode", "--count", "2", "--out", str(tmp_path)])

    again = runner.invoke(args=["invitations", "create", "--round", "med-kode", "--count", "3", "--out", str(tmp_path)])

    assert again.exit_code != 0
    assert "har allerede breve" in again.stderr
    assert len(read_codes(tmp_path)) == 2
    with app.app_context():
        assert count(Invitation) == 2


def test_the_letters_are_there_without_a_folder_for_a_staff_page(app, create_round):
    create_round("med-kode", access="invitation")
    create_round("aaben", access="open")
    with app.app_context():
        assert letters.invitation_round("aaben") is None
        (letter,) = letters.create_letters(letters.invitation_round("med-kode"), 1)
        assert letter.link == f"{public_start_url(app, 'med-kode')}?kode={letter.code}"
        assert letter.row(7) == ("7", codes.grouped(letter.code), public_start_url(app, "med-kode"), letter.link)
        assert b"<svg" in letters.qr_svg(letter.link)
        db.session.rollback()
