"""Loading policy files: the real ones, reloading, renames and removals, and broken files rejected whole."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from survey.kernel.config import ROOT
from survey.kernel.datafiles import DataFileError
from survey.kernel.extensions import db
from survey.policies.models import FocusArea, Goal, Policy
from survey.policies.services import load_policy
from tests.helpers import TESTDATA, count, edited

POLICIES = ROOT / "data" / "policies"
MINI = TESTDATA / "policies" / "mini.yaml"


def snapshot() -> dict[str, list]:
    """Every policy, focus area and goal row as (id, code, text) tuples, to compare before and after."""
    return {
        "policies": [(p.id, p.slug, p.title) for p in db.session.scalars(select(Policy).order_by(Policy.id))],
        "areas": [(a.id, a.code, a.title) for a in db.session.scalars(select(FocusArea).order_by(FocusArea.id))],
        "goals": [(g.id, g.code, g.text) for g in db.session.scalars(select(Goal).order_by(Goal.id))],
    }


# --- the real policy files -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "term", "goals_per_area"),
    [
        ("syddjurs", "fokusområde", {"1": 3, "2": 3, "3": 3, "4": 3, "5": 3}),
        ("norddjurs", "pejlemærke", {"1": 4, "2": 4, "3": 3, "4": 3}),
        ("sonderborg", "fokusområde", {"1": 8, "2": 7, "3": 5, "4": 6, "5": 7, "6": 7}),
    ],
)
def test_real_policy_loads_with_its_focus_areas_and_goals(app_ctx, name, term, goals_per_area):
    policy, changes = load_policy(POLICIES / f"{name}.yaml")
    db.session.commit()

    assert changes[0] == f"ny politik {name}"
    assert policy.slug == name and policy.focus_area_term == term
    assert {area.code: len(area.goals) for area in policy.focus_areas} == goals_per_area
    assert [area.position for area in policy.focus_areas] == list(range(len(goals_per_area)))
    for area in policy.focus_areas:
        assert area.title
        # goals are numbered "<area>.<n>" in file order
        assert [goal.code for goal in area.goals] == [f"{area.code}.{n}" for n in range(1, len(area.goals) + 1)]
    assert count(FocusArea) == len(goals_per_area)
    assert count(Goal) == sum(goals_per_area.values())


def test_norddjurs_keeps_the_goal_codes_of_its_text(app_ctx):
    policy, _ = load_policy(POLICIES / "norddjurs.yaml")

    codes = [goal.code for area in policy.focus_areas for goal in area.goals]
    assert codes == ["1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3", "2.4", "3.1", "3.2", "3.3", "4.1", "4.2", "4.3"]
    assert [area.title for area in policy.focus_areas] == [
        "Borgeren først",
        "Fundamentet på plads",
        "Mest muligt i eget liv",
        "Helhed og fremtidssikring",
    ]
    assert (policy.period_start, policy.period_end, policy.follow_up) == (2024, 2028, "half-yearly")


@pytest.mark.parametrize("name", ["syddjurs", "norddjurs", "sonderborg"])
def test_loading_twice_changes_nothing(app_ctx, name):
    load_policy(POLICIES / f"{name}.yaml")
    db.session.commit()
    before = snapshot()

    _, changes = load_policy(POLICIES / f"{name}.yaml")
    db.session.commit()

    assert changes == []
    assert snapshot() == before


# --- changes to a loaded policy ----------------------------------------------------------------------------------


def test_renamed_focus_area_is_updated_in_place(app_ctx, tmp_path):
    policy, _ = load_policy(MINI)
    db.session.commit()
    area_id = policy.focus_areas[1].id

    renamed = edited(MINI, tmp_path / "mini.yaml", ('title: "Unge"', 'title: "Unge og uddannelse"'))
    policy, changes = load_policy(renamed)
    db.session.commit()

    assert changes == ["fokusområde 2"]
    area = db.session.scalar(select(FocusArea).where(FocusArea.code == "2"))
    assert (area.id, area.title) == (area_id, "Unge og uddannelse")
    assert count(FocusArea) == 3


def test_removed_goal_is_deleted(app_ctx, tmp_path):
    load_policy(MINI)
    db.session.commit()
    kept = db.session.scalar(select(Goal).where(Goal.code == "1.1")).id

    without = edited(MINI, tmp_path / "mini.yaml", ('      - code: "1.2"\n        text: "Færre sygemeldte"\n', ""))
    _, changes = load_policy(without)
    db.session.commit()

    assert changes == ["fjernet målsætning 1.2"]
    assert db.session.scalars(select(Goal.code).order_by(Goal.code)).all() == ["1.1", "2.1"]
    assert db.session.scalar(select(Goal).where(Goal.code == "1.1")).id == kept


def test_unused_focus_area_removed_from_the_file_is_deleted(app_ctx, tmp_path):
    load_policy(MINI)
    db.session.commit()

    without = edited(MINI, tmp_path / "mini.yaml", ('  - code: "3"\n    title: "Fællesskab"\n    goals: []\n', ""))
    _, changes = load_policy(without)
    db.session.commit()

    assert changes == ["fjernet fokusområde 3"]
    assert db.session.scalars(select(FocusArea.code).order_by(FocusArea.code)).all() == ["1", "2"]


# --- broken files --------------------------------------------------------------------------------------------------

BROKEN_FILES = [
    ("unclosed-quote.yaml", "linje 9: ugyldig YAML", "end of stream"),
    ("bad-indentation.yaml", "linje 9: ugyldig YAML", "expected <block end>"),
    ("missing-title.yaml", "linje 12: focus_areas.2.title:", "feltet mangler"),
    ("code-as-number.yaml", "linje 11: focus_areas.0.goals.0.code:", "skal være en tekst"),
    ("unknown-field.yaml", "linje 11: focus_areas.1.titel:", "ukendt felt"),
    ("wrong-follow-up.yaml", "linje 6: follow_up:", "skal være 'yearly' eller 'half-yearly'"),
    ("duplicate-codes.yaml", "linje 10: focus_areas.1.code:", "er brugt før; værdien skal være unik"),
    ("period-reversed.yaml", "linje 5: period_end:", "ligger før period_start"),
    ("empty.yaml", "linje 1: filen er tom", ""),
    ("comments-only.yaml", "linje 1: filen er tom", ""),
]


@pytest.mark.parametrize(("fixture", "expected_start", "message"), BROKEN_FILES, ids=[row[0] for row in BROKEN_FILES])
def test_broken_file_is_rejected_naming_line_and_field(app_ctx, fixture, expected_start, message):
    path = TESTDATA / "policies" / fixture

    with pytest.raises(DataFileError) as caught:
        load_policy(path)

    assert caught.value.path == str(path)
    matching = [p for p in caught.value.problems if p.startswith(expected_start)]
    assert matching, f"no problem starts with {expected_start!r}: {caught.value.problems}"
    assert message in matching[0]
    assert count(Policy) == 0


# --- the CLI: all or nothing -----------------------------------------------------------------------------------------


def test_cli_loads_files_and_reports_what_changed(app, runner):
    result = runner.invoke(args=["policies", "load", str(POLICIES / "norddjurs.yaml")])
    assert result.exit_code == 0, result.output
    assert "norddjurs (4 pejlemærker): ny politik norddjurs" in result.stdout

    again = runner.invoke(args=["policies", "load", str(POLICIES / "norddjurs.yaml")])
    assert again.exit_code == 0, again.output
    assert "norddjurs (4 pejlemærker): ingen ændringer" in again.stdout


def test_cli_rejects_a_broken_file_on_stderr(app, runner):
    broken = TESTDATA / "policies" / "missing-title.yaml"

    result = runner.invoke(args=["policies", "load", str(broken)])

    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Afvist: {broken} (intet er gemt)",
        "  linje 12: focus_areas.2.title: feltet mangler",
    ]


def test_cli_stores_nothing_when_one_of_several_files_is_broken(app, runner):
    good, broken = POLICIES / "syddjurs.yaml", TESTDATA / "policies" / "code-as-number.yaml"

    result = runner.invoke(args=["policies", "load", str(good), str(broken)])

    assert result.exit_code == 1
    assert f"Afvist: {broken} (intet er gemt)" in result.stderr
    with app.app_context():
        assert count(Policy) == count(FocusArea) == count(Goal) == 0


def test_cli_broken_update_leaves_the_loaded_policy_untouched(app, runner, tmp_path):
    assert runner.invoke(args=["policies", "load", str(MINI)]).exit_code == 0
    with app.app_context():
        before = snapshot()
    # the rename is valid and flushed first; the broken file after it must take it back
    renamed = edited(MINI, tmp_path / "mini.yaml", ('title: "Unge"', 'title: "Unge og uddannelse"'))
    broken = edited(MINI, tmp_path / "broken.yaml", ("period_end: 2027", "period_end: 2020"))

    result = runner.invoke(args=["policies", "load", str(renamed), str(broken)])

    assert result.exit_code == 1
    with app.app_context():
        assert snapshot() == before


def test_focus_area_in_use_cannot_be_removed(app, runner, tmp_path):
    from survey.questionnaire.loading import load_questionnaire

    with app.app_context():
        load_policy(MINI)
        load_questionnaire(TESTDATA / "questionnaires" / "mini-tilfredshed.yaml")  # a question is fixed on area 3
        db.session.commit()
        before = snapshot()
    without = edited(
        MINI,
        tmp_path / "mini.yaml",
        ('title: "Unge"', 'title: "Unge og uddannelse"'),
        ('  - code: "3"\n    title: "Fællesskab"\n    goals: []\n', ""),
    )

    result = runner.invoke(args=["policies", "load", str(without)])

    assert result.exit_code == 1
    assert f"Afvist: {without} (intet er gemt)" in result.stderr
    assert "fokusområde 3 mangler i filen" in result.stderr
    with app.app_context():
        assert snapshot() == before


def topic_on_area_3(app) -> dict[str, list]:
    """The mini policy with a dialogue meeting whose sign-up sent in a topic about focus area 3 (Fællesskab);
    returns the snapshot of the policy rows."""
    from survey.meetings.models import Meeting, Topic

    with app.app_context():
        policy, _ = load_policy(MINI)
        starts = datetime(2030, 11, 8, 15)
        meeting = Meeting(
            policy=policy,
            title="Dialogmøde om fællesskab",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            venue_name="Rådhuset",
            venue_address="Torvet 1, 9999 Testrup",
            capacity=10,
            registration_deadline=starts - timedelta(days=1),
        )
        area = next(area for area in policy.focus_areas if area.code == "3")
        db.session.add(Topic(meeting=meeting, focus_area=area, text="Hvordan kommer flere med i foreningerne?"))
        db.session.commit()
        return snapshot()


WITHOUT_AREA_3 = ('  - code: "3"\n    title: "Fællesskab"\n    goals: []\n', "")


def test_focus_area_used_by_a_meeting_topic_cannot_be_removed_by_the_cli(app, runner, tmp_path):
    before = topic_on_area_3(app)
    without = edited(MINI, tmp_path / "mini.yaml", ('title: "Unge"', 'title: "Unge og uddannelse"'), WITHOUT_AREA_3)

    result = runner.invoke(args=["policies", "load", str(without)])

    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.exception
    assert result.stderr.splitlines() == [
        f"Afvist: {without} (intet er gemt)",
        "  fokusområde 3 mangler i filen, men det er i brug (meeting_topic)",
    ]
    with app.app_context():
        assert snapshot() == before


def test_focus_area_used_by_a_meeting_topic_cannot_be_removed_by_the_loader(app, tmp_path):
    from survey.meetings.models import Topic

    before = topic_on_area_3(app)
    without = edited(MINI, tmp_path / "mini.yaml", WITHOUT_AREA_3)

    with app.app_context():
        with pytest.raises(DataFileError) as caught:
            load_policy(without)
        assert caught.value.problems == ["fokusområde 3 mangler i filen, men det er i brug (meeting_topic)"]
        assert not (db.session.new or db.session.dirty or db.session.deleted)
        db.session.commit()
        assert snapshot() == before
        assert db.session.scalar(select(Topic)).focus_area.code == "3"
