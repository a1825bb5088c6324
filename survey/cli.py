"""The Flask CLI: operational commands, one group per capability."""

from flask import Flask


def register_cli(app: Flask) -> None:
    from survey.demo import demo_cli
    from survey.i18n_cli import i18n_cli
    from survey.policies.cli import policies_cli
    from survey.questionnaire.cli import invitations_cli, questionnaires_cli, rounds_cli

    for group in (policies_cli, questionnaires_cli, rounds_cli, invitations_cli, demo_cli, i18n_cli):
        app.cli.add_command(group)
