"""Pages that belong to no capability: health check, privacy notice."""

from flask import Blueprint

bp = Blueprint("core", __name__)

from survey.core import views  # noqa: E402, F401
