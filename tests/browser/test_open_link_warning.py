"""The results page of an open-link round with a burst of answers: the self-selected-sample note and the warning
pass axe-core at desktop size; a screenshot is kept."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.browser.checks import ARTIFACTS, axe_violations, describe_violations


def test_the_burst_warning_passes_axe_at_desktop_size(app, staff_page, results, monkeypatch):
    from survey.kernel import clock
    from survey.kernel.extensions import db
    from survey.questionnaire import submit_rate
    from survey.questionnaire.models import Round

    now = clock.now()
    with app.app_context():
        round_ = db.session.scalar(select(Round).where(Round.label == "2026 2. halvår"))
        for ago in range(1, 25):  # 2 an hour for a day, then 60 in this hour
            monkeypatch.setattr(clock, "now", lambda ago=ago: now - timedelta(hours=ago))
            for _ in range(2):
                submit_rate.note_submit(round_.id, round_.opens_at)
        monkeypatch.setattr(clock, "now", lambda: now)
        for _ in range(60):
            submit_rate.note_submit(round_.id, round_.opens_at)
        round_id = round_.id

    page = staff_page("analyst")
    page.goto("/personale/resultater/?politik=syddjurs")
    assert "60 besvarelser på én time" in page.inner_text(f"#mange-svar-{round_id}")
    violations = axe_violations(page)
    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "screenshots" / "staff-resultater-mange-svar.png")
    assert not violations, f"axe-core:\n{describe_violations(violations)}"
