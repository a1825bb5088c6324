"""Results for the committee: aggregation in SQL, honest statistics, suppression of small groups."""

from flask import Blueprint

admin_bp = Blueprint("results_admin", __name__, url_prefix="/personale/resultater")

from survey.results import microdata_views, quote_views, views  # noqa: E402, F401
