"""Fixtures of the invitation list tests (tests/questionnaire/invitation_pages.py): an invitation round and a survey
manager logged in."""

from __future__ import annotations

import pytest


@pytest.fixture
def round_slug(make_round) -> str:
    return make_round(access="invitation")


@pytest.fixture
def manager(app, login_as):
    return login_as(app.test_client(), "survey_manager")
