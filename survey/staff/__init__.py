"""Staff users, login, roles and the audit log."""

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/personale")

from survey.staff import mailbox, views  # noqa: E402, F401
