"""Staff users, login (password and second factor), roles and the audit log."""

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/personale")

from survey.staff import account_views, cli_audit, login_views, mailbox, sms_sink, user_views, views  # noqa: E402, F401
from survey.staff.sessions import enforce_limits  # noqa: E402

bp.before_app_request(enforce_limits)  # idle and absolute time limits, on every request of a staff session

#: see kernel.ratelimits
RATE_LIMITS = {
    "staff.login": ("RATELIMIT_LOGIN", ["POST"]),
    "staff.second_factor": ("RATELIMIT_SECOND_FACTOR", ["POST"]),
    "staff.enrol": ("RATELIMIT_SECOND_FACTOR", ["POST"]),
    "staff.change_password": ("RATELIMIT_SECOND_FACTOR", ["POST"]),
    "staff.set_password": ("RATELIMIT_LOGIN", ["POST"]),
}
