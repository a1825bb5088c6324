"""The citizen survey: questionnaires, rounds, invitations, drafts, responses and answers."""

from flask import Blueprint

bp = Blueprint("questionnaire", __name__, url_prefix="/s")
admin_bp = Blueprint("questionnaire_admin", __name__, url_prefix="/personale")

from survey.questionnaire import pause_views, views  # noqa: E402, F401
from survey.questionnaire.admin import (  # noqa: E402, F401
    email_views,
    letter_views,
    questionnaire_views,
    rate_views,
    round_views,
    upload_views,
)
from survey.questionnaire.changes import describe_change  # noqa: E402, F401
from survey.questionnaire.open_link import start_limit  # noqa: E402

#: see kernel.ratelimits; an invitation code can be guessed, a start of an open round cannot (open_link.start_limit)
RATE_LIMITS = {
    "questionnaire.start": (start_limit, ["POST"]),
    "questionnaire.resume": ("RATELIMIT_CODE_ENTRY", ["POST"]),
    "questionnaire.saved": ("RATELIMIT_RESUME_SEND", ["POST"]),
    "questionnaire.page": ("RATELIMIT_SURVEY_POST", ["POST"]),
    "questionnaire.submit": ("RATELIMIT_SURVEY_POST", ["POST"]),
}
