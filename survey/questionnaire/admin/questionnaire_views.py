"""Questionnaires per policy with their versions, and the preview of a version as a citizen sees it.

Skeleton (issue 15): the endpoints other pages link to; the questionnaire helper replaces these."""

from __future__ import annotations

from flask import abort

from survey.questionnaire import admin_bp
from survey.questionnaire.admin import STAFF
from survey.staff.access import role_required


@admin_bp.get("/spoergeskemaer")
@role_required(*STAFF)
def questionnaires():
    abort(404)


@admin_bp.get("/spoergeskemaer/<int:questionnaire_id>")
@role_required(*STAFF)
def questionnaire(questionnaire_id: int):
    abort(404)


@admin_bp.get("/spoergeskemaer/<int:questionnaire_id>/forhaandsvisning")
@role_required(*STAFF)
def preview(questionnaire_id: int):
    abort(404)
