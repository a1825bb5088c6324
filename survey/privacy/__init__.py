"""Data-subject requests (GDPR art. 15–17): admins find one person's meeting sign-ups, hand them over as a
file and erase them. Survey answers are anonymous and cannot be found for anyone, by design."""

from flask import Blueprint

admin_bp = Blueprint("privacy_admin", __name__, url_prefix="/personale/personer")

from survey.privacy import views  # noqa: E402, F401
