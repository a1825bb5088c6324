"""Rounds: list, create, open now, close now, extend; a round's page with its address, QR code and poster.

Skeleton (issue 15): the endpoints other pages link to; the rounds helper replaces these."""

from __future__ import annotations

from flask import abort

from survey.questionnaire import admin_bp
from survey.questionnaire.admin import STAFF
from survey.staff.access import role_required


@admin_bp.get("/runder")
@role_required(*STAFF)
def rounds():
    abort(404)


@admin_bp.get("/runder/ny")
@role_required(*STAFF)
def new_round():
    abort(404)


@admin_bp.get("/runder/<round_slug>")
@role_required(*STAFF)
def round(round_slug: str):
    abort(404)
