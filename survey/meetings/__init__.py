"""Dialogue meetings: public sign-up (`meetings`) and staff management (`meetings_admin`)."""

from flask import Blueprint

bp = Blueprint("meetings", __name__, url_prefix="/moeder")
admin_bp = Blueprint("meetings_admin", __name__, url_prefix="/personale/moeder")
#: the short manage link sent by SMS (/m/…), outside /moeder to keep it short
link_bp = Blueprint("meetings_link", __name__)

from survey.meetings import feed, views  # noqa: E402, F401
from survey.meetings.admin import meeting_views, registration_views  # noqa: E402, F401

#: see kernel.ratelimits; the per-meeting limit (RATELIMIT_SIGNUP_MEETING) is applied by the sign-up view itself
RATE_LIMITS = {
    "meetings.signup": ("RATELIMIT_SIGNUP", ["POST"]),
    "meetings_link.short_link": ("RATELIMIT_SHORT_LINK", ["GET"]),
}
