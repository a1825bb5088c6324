"""`flask demo load`: the demo data loads, twice without change, and prints a working staff login."""

import re

import pyotp
from sqlalchemy import func, select

from survey.demo import DEMO_RESPONSES, DEMO_STAFF
from survey.kernel.extensions import db
from survey.meetings.models import Meeting
from survey.policies.models import Policy
from survey.questionnaire.models import Response, Round
from survey.questionnaire.response_rate import round_rate
from survey.staff.services import find_staff
from tests.pages import csrf_token, text_of


def test_demo_loads_idempotently_and_prints_a_staff_login(client, runner, in_app):
    first, second = runner.invoke(args=["demo", "load"]), runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output
    with in_app():
        assert db.session.scalar(select(func.count()).select_from(Policy)) == 3
        # a closed and an open round per policy, each with synthetic responses made once, not on the second load
        assert db.session.scalar(select(func.count()).select_from(Round)) == 6
        made = sum(DEMO_RESPONSES.values()) * 3
        assert db.session.scalar(select(func.count()).select_from(Response)) == made
        assert [round_rate(round_).without_day for round_ in db.session.scalars(select(Round))] == [0] * 6, "a day each"
        assert db.session.scalar(select(func.count()).select_from(Meeting)) == 4
    logins = dict(re.findall(r"^  (\w+): \S+ / (\S+)$", second.output, re.MULTILINE))
    assert set(logins) == set(DEMO_STAFF) == {"admin", "survey_manager", "meeting_host", "analyst"}
    with in_app():
        for role, email in DEMO_STAFF.items():
            user = find_staff(email)
            # its own password opens the account, no other demo user's does
            assert [user.check_password(password) for password in logins.values()].count(True) == 1
            assert user.check_password(logins[role]), role
    email, password = re.search(r"admin: (\S+) / (\S+)", second.output).groups()
    page = client.get("/personale/log-ind")
    response = client.post(
        "/personale/log-ind", data={"csrf_token": csrf_token(page), "email": email, "password": password}
    )
    assert response.status_code == 302 and response.location == "/personale/totrin/opsaet", "first login: enrol"
    page = client.get(response.location)
    secret = text_of(page.doc.find(".//*[@id='secret']")).replace(" ", "")
    enrolled = client.post(response.location, data={"csrf_token": csrf_token(page), "code": pyotp.TOTP(secret).now()})
    assert enrolled.status_code == 200 and client.get("/personale/").status_code == 200
