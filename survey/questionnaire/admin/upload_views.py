"""Questionnaire files from the browser: upload a new version, the difference between two versions, the texts of a
version without answers.

Skeleton (issue 15): the endpoints other pages link to; the upload helper replaces these."""

from __future__ import annotations

from flask import abort

from survey.questionnaire import admin_bp
from survey.questionnaire.admin import STAFF
from survey.staff.access import role_required


@admin_bp.get("/spoergeskemaer/upload")
@role_required(*STAFF)
def upload():
    abort(404)


@admin_bp.get("/spoergeskemaer/<int:questionnaire_id>/forskel")
@role_required(*STAFF)
def diff(questionnaire_id: int):
    abort(404)


@admin_bp.get("/spoergeskemaer/<int:questionnaire_id>/tekster")
@role_required(*STAFF)
def edit_texts(questionnaire_id: int):
    abort(404)
