"""The Flask CLI: this module only registers the commands; each capability keeps its own (`<capability>/cli.py`).

The commands that span capabilities (demo data, retention purge, backup) live at the top of the package beside
this module, where they may use every capability."""

from __future__ import annotations

from flask import Flask

from survey.backup import backup_command
from survey.demo import demo_cli
from survey.kernel.i18n_cli import i18n_cli
from survey.kernel.sms_cli import sms_cli
from survey.meetings.cli import meetings_cli
from survey.policies.cli import policies_cli
from survey.questionnaire.cli import invitations_cli, questionnaires_cli, rounds_cli
from survey.questionnaire.email_cli import send_emails  # noqa: F401  (adds its commands to invitations_cli)
from survey.results.cli import results_cli
from survey.results.synthetic import generate_responses_command
from survey.retention import purge_expired_command
from survey.staff.cli import staff_cli

GROUPS = (
    policies_cli,
    questionnaires_cli,
    rounds_cli,
    invitations_cli,
    staff_cli,
    demo_cli,
    i18n_cli,
    meetings_cli,
    results_cli,
    sms_cli,
)
COMMANDS = (purge_expired_command, backup_command)


def register_cli(app: Flask) -> None:
    for command in (*GROUPS, *COMMANDS):
        app.cli.add_command(command)
    demo_cli.add_command(generate_responses_command)
