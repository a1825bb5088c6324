"""The site's own pages, which belong to no capability: front page, health check, privacy notice, WAS link."""

from flask import Blueprint

bp = Blueprint("site", __name__)

from survey.site import views  # noqa: E402, F401
