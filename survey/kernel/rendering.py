"""Rendering helpers shared by the views."""

from __future__ import annotations

from flask import render_template
from flask_babel import get_locale


def current_lang() -> str:
    return str(get_locale() or "da")


def render_form_page(template: str, form, **context):
    """Render a page with a form; when it failed validation: status 400, "Fejl: " title, error summary."""
    errors = form.error_list() if form.errors else []
    html = render_template(template, form=form, errors=errors, has_errors=bool(errors), **context)
    return html, 400 if errors else 200
