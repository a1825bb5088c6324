"""Staff pages that run a survey (the `questionnaire_admin` blueprint, survey.questionnaire.admin_bp): questionnaires
and their preview, upload and texts (questionnaire_views, upload_views), rounds (round_views), invitation letters
(letter_views) and invitations by e-mail and SMS (email_views). The helpers they share are here."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select

from survey.kernel import roles
from survey.kernel.extensions import db
from survey.kernel.uploads import allow_upload_size
from survey.questionnaire import admin_bp
from survey.questionnaire.models import Round

#: who may use these pages
STAFF = roles.SURVEY_MANAGERS
#: the pages that take a whole file's text in one request: a questionnaire file, its texts, a list of addresses or
#: mobile numbers (the list also comes back, once, with its confirmation)
LARGE_FORMS = {
    "questionnaire_admin.upload",
    "questionnaire_admin.edit_texts",
    "questionnaire_admin.emails",
    "questionnaire_admin.confirm_emails",
    "questionnaire_admin.sms_invitations",
    "questionnaire_admin.confirm_sms",
}


@admin_bp.url_value_preprocessor
def _large_forms(endpoint, _values):
    # runs before the CSRF check reads the form (kernel.uploads.allow_upload_size)
    if endpoint in LARGE_FORMS:
        allow_upload_size()


def round_or_404(round_slug: str) -> Round:
    """The round with this slug or 404 (a NUL, which PostgreSQL refuses to compare, names no round)."""
    if "\x00" in round_slug:
        abort(404)
    return db.session.scalar(select(Round).where(Round.slug == round_slug)) or abort(404)
