"""The Flask CLI: this module only registers the commands; each capability keeps its own (`<capability>/cli.py`).

The commands that span capabilities (demo data, retention purge, backup) live at the top of the package beside
this module, where they may use every capability.

A command's module is imported when the command is looked up (run, or listed by `flask --help`), not when the app
is built: a gunicorn worker never runs one, and importing them all (the loaders, the demo, the backup's sqlite3)
cost each worker about 1–2 MiB of RSS (issue 18)."""

from __future__ import annotations

from importlib import import_module

import click
from flask import Flask
from flask.cli import AppGroup

#: each command's name and where it is defined ("module:attribute")
COMMANDS = {
    "policies": "survey.policies.cli:policies_cli",
    "questionnaires": "survey.questionnaire.cli:questionnaires_cli",
    "rounds": "survey.questionnaire.cli:rounds_cli",
    "invitations": "survey.questionnaire.cli:invitations_cli",
    "staff": "survey.staff.cli:staff_cli",
    "demo": "survey.demo:demo_cli",
    "translate": "survey.kernel.i18n_cli:i18n_cli",
    "meetings": "survey.meetings.cli:meetings_cli",
    "results": "survey.results.cli:results_cli",
    "sms": "survey.kernel.sms_cli:sms_cli",
    "purge-expired": "survey.retention:purge_expired_command",
    "backup": "survey.backup:backup_command",
}
#: modules that add their commands to a group above when they are imported
AFTER = {"invitations": ("survey.questionnaire.email_cli",)}  # send-emails …


def load_command(name: str) -> click.Command:
    """The command `name` with everything that belongs to it, its modules imported now."""
    module, attribute = COMMANDS[name].split(":")
    command = getattr(import_module(module), attribute)
    for extra in AFTER.get(name, ()):
        import_module(extra)
    if name == "demo":  # the synthetic answers for a demo round belong to the results
        from survey.results.synthetic import generate_responses_command

        command.add_command(generate_responses_command)
    return command


class LazyAppGroup(AppGroup):
    """The app's command group, which imports a command of ours (COMMANDS) the first time it is looked up."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in COMMANDS and name not in self.commands:
            self.add_command(load_command(name), name)
        return super().get_command(ctx, name)


def register_cli(app: Flask) -> None:
    lazy = LazyAppGroup(app.cli.name)
    lazy.commands.update(app.cli.commands)  # what the blueprints registered
    app.cli = lazy
