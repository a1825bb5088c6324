"""The respondent-level export of a closed round (survey.results.microdata), for analysts and admins; every
download is logged like the other results downloads."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from survey.kernel.extensions import db
from survey.kernel.tables import CSV_TYPE, XLSX_TYPE, attachment, csv_bytes, xlsx_bytes
from survey.questionnaire.models import Round
from survey.results import admin_bp
from survey.results.microdata import NotPublishable, codebook_sheet, facts, respondent_sheet
from survey.results.views import ROLES
from survey.staff.access import role_required
from survey.staff.audit import audit

FORMATS = {"csv": CSV_TYPE, "xlsx": XLSX_TYPE}


@admin_bp.get("/runde/<slug>/besvarelser.<fmt>")
@role_required(*ROLES)
def respondents(slug: str, fmt: str):
    """One anonymised row per response of a closed round, as CSV or as XLSX with a codebook; logged."""
    # a NUL in the address: PostgreSQL refuses to compare it with the slug column (as questionnaire.round_named)
    round_ = None if "\x00" in slug else db.session.scalar(db.select(Round).where(Round.slug == slug))
    if round_ is None or fmt not in FORMATS:
        abort(404)
    try:
        sheet = respondent_sheet(round_)
    except NotPublishable as refused:
        flash(str(refused), "error")
        return redirect(url_for(".index", politik=request.args.get("politik")), code=303)
    if fmt == "csv":
        content = csv_bytes(sheet)
    else:
        content = xlsx_bytes(_("Om udtrækket"), facts(round_, sheet), [sheet, codebook_sheet(round_, sheet)])
    audit("export", target=f"round:{round_.slug}", format=fmt, what="respondents", rows=len(sheet.rows))
    db.session.commit()
    return attachment(content, FORMATS[fmt], f"besvarelser-{round_.slug}.{fmt}")
