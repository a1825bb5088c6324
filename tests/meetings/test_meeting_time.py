"""A meeting's time is written one way everywhere staff see it: with the end date when the meeting ends on
another day than it starts (22.00 to 02.00 the next morning)."""

from __future__ import annotations

import io
from datetime import datetime

import openpyxl
import pytest

from survey.kernel.extensions import db
from survey.meetings.models import Meeting
from tests.pages import text_of

BASE = "/personale/moeder"
#: 4 July 2030 22.00 to 5 July 2030 02.00 Danish summer time (UTC+2)
ACROSS_MIDNIGHT = "torsdag den 4. juli 2030 kl. 22.00 til fredag den 5. juli 2030 kl. 02.00"


@pytest.fixture
def late_meeting(app, make_meeting):
    """A published meeting from 22.00 to 02.00 the next day; returns its id."""
    meeting_id = make_meeting()
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        meeting.starts_at, meeting.ends_at = datetime(2030, 7, 4, 20), datetime(2030, 7, 5, 0)
        meeting.registration_deadline = datetime(2030, 7, 1, 10)
        db.session.commit()
    return meeting_id


@pytest.fixture
def host(client, login_as):
    return login_as(client, "meeting_host")


@pytest.mark.parametrize("page", ["/", "/{id}", "/{id}/indtjekning", "/{id}/aflys"])
def test_staff_pages_show_the_end_date_of_a_meeting_across_midnight(host, late_meeting, page):
    response = host.get(BASE + page.format(id=late_meeting))
    assert response.status_code == 200
    assert ACROSS_MIDNIGHT in text_of(response.doc.find(".//main"))


def test_export_says_when_a_meeting_across_midnight_ends(host, late_meeting):
    response = host.get(f"{BASE}/{late_meeting}/deltagere.xlsx")
    about = openpyxl.load_workbook(io.BytesIO(response.get_data()))["Om udtrækket"]
    facts = {row[0].value: row[1].value for row in about.iter_rows() if len(row) > 1}
    assert facts["Tidspunkt"] == ACROSS_MIDNIGHT
