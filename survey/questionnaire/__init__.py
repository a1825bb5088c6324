"""The citizen survey: questionnaires, rounds, invitations, drafts, responses and answers."""

from flask import Blueprint

bp = Blueprint("questionnaire", __name__, url_prefix="/s")

from survey.questionnaire import views  # noqa: E402, F401
