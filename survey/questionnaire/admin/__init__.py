"""Staff pages that run a survey (the `questionnaire_admin` blueprint, survey.questionnaire.admin_bp): questionnaires
and their preview, upload and texts (questionnaire_views, upload_views), rounds (round_views), invitation letters
(letter_views) and e-mail invitations (email_views). The helpers they share are here."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select

from survey.kernel import roles
from survey.kernel.extensions import db
from survey.questionnaire.models import Round

#: who may use these pages
STAFF = roles.SURVEY_MANAGERS


def round_or_404(round_slug: str) -> Round:
    """The round with this slug or 404."""
    return db.session.scalar(select(Round).where(Round.slug == round_slug)) or abort(404)
