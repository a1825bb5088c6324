"""What the public meeting pages cost the database: the meeting (or sign-up) with what every page shows of it in
one statement, and nothing read again after a sign-up commits."""

from __future__ import annotations

import pytest

from tests.meetings.signup import GOOD, manage_link
from tests.pages import csrf_token, title
from tests.sql_statements import after_commit, reads, recorded


@pytest.mark.parametrize("page", ["", "/tilmeld"])
def test_a_meeting_page_reads_the_meeting_with_its_policy_in_one_statement(app, client, make_meeting, page):
    meeting_id = make_meeting()
    with recorded(app) as sent:
        shown = client.get(f"/moeder/{meeting_id}{page}")
    assert shown.status_code == 200
    assert len(reads(sent)) == 3, reads(sent)  # the meeting (with its policy), its focus areas, the seats taken


def test_a_sign_up_reads_nothing_after_its_commit_and_its_page_reads_the_meeting_with_it(app, client, make_meeting):
    meeting_id = make_meeting()
    form = client.get(f"/moeder/{meeting_id}/tilmeld")
    with recorded(app) as sent:
        signed_up = client.post(f"/moeder/{meeting_id}/tilmeld", data={**GOOD, "csrf_token": csrf_token(form)})
    assert signed_up.status_code == 302 and after_commit(sent) == []

    with recorded(app) as sent:
        thanks = client.get(signed_up.location)
    assert thanks.status_code == 200 and "Tak for din tilmelding" in title(thanks)
    assert len(reads(sent)) == 2, reads(sent)  # the meeting (with its policy), its focus areas

    with recorded(app) as sent:
        manage = client.get(manage_link(client))
    assert manage.status_code == 200 and "Din tilmelding" in title(manage)
    # the sign-up (with its meeting and policy), the focus areas, its topic, the meetings it may move to
    assert len(reads(sent)) == 4, reads(sent)
