"""Invitation letters of a round: codes, one print-ready PDF of letters, a CSV for mail merge.

The codes are access credentials: the database keeps only their keyed hashes, so the PDF and the CSV are the only
place the codes exist. They are made in the POST and kept as a batch under LETTERS_DIR for staff to download (more
than once: a download can fail, and the print shop and the Digital Post upload each need a file) until staff delete
them, LETTERS_KEEP_HOURS have passed or the round has closed; `flask purge-expired` deletes them then
(survey.questionnaire.letters)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from survey.kernel.clock import utcnow
from survey.kernel.extensions import db
from survey.kernel.rendering import render_form_page
from survey.questionnaire import admin_bp, letters
from survey.questionnaire.admin import STAFF, round_or_404
from survey.questionnaire.admin.letter_forms import LettersForm
from survey.questionnaire.models import Invitation, Round
from survey.staff.access import role_required
from survey.staff.audit import audit


def invitation_round_or_404(round_slug: str) -> Round:
    """The round, if it uses personal invitations; an open-link round has no letters (404)."""
    round_ = round_or_404(round_slug)
    if not round_.uses_invitations:
        abort(404)
    return round_


def _codes_made(round_: Round) -> tuple[int, int]:
    """(codes made, codes used) for the round."""
    made, used = db.session.execute(
        select(func.count(Invitation.id), func.count(Invitation.id).filter(Invitation.used)).where(
            Invitation.round_id == round_.id
        )
    ).one()
    return made, used


@admin_bp.app_template_global()
def letters_for_round(round_: Round) -> dict | None:
    """What the round page's letters box shows (templates/questionnaire_admin/_round_letters.html), or None for a
    round that has no letters (open link)."""
    if not round_.uses_invitations:
        return None
    return {"waiting": sum(batch.count for batch in letters.batches(round_))}


@admin_bp.get("/invitationer")
@role_required(*STAFF)
def invitations():
    """Every round with personal invitations: codes made and used, and a link to its letters."""
    counts = (
        select(
            Invitation.round_id,
            func.count(Invitation.id).label("made"),
            func.count(Invitation.id).filter(Invitation.used).label("used"),
        )
        .group_by(Invitation.round_id)
        .subquery()
    )
    query = (
        select(Round, counts.c.made, counts.c.used)
        .outerjoin(counts, counts.c.round_id == Round.id)
        .where(Round.access == "invitation")
        .order_by(Round.closes_at.desc(), Round.id.desc())
    )
    return render_template("questionnaire_admin/invitations.html", rows=db.session.execute(query).all(), now=utcnow())


@admin_bp.route("/runder/<round_slug>/breve", methods=["GET", "POST"])
@role_required(*STAFF)
def letters_page(round_slug: str):
    """Make N letters for a round, and the batches made so far that still wait to be downloaded."""
    round_ = invitation_round_or_404(round_slug)
    form = LettersForm()
    closed = round_.state() == "closed"
    if form.validate_on_submit():
        if closed:
            flash(_("Runden er lukket. Der kan ikke laves breve til den."), "error")
            return redirect(url_for(".letters_page", round_slug=round_.slug))
        batch = letters.make_batch(round_, form.count.data)
        try:
            audit("invitations_created", target=f"round:{round_.slug}", count=batch.count, letters=batch.name)
            db.session.commit()
        except Exception:
            letters.delete_batch(batch)  # the codes in it were never stored: nobody may print them
            raise
        flash(
            ngettext(
                "%(num)d brev er klar. Hent PDF'en og CSV-filen herunder.",
                "%(num)d breve er klar. Hent PDF'en og CSV-filen herunder.",
                batch.count,
            ),
            "success",
        )
        return redirect(url_for(".letters_page", round_slug=round_.slug))
    made, used = _codes_made(round_)
    return render_form_page(
        "questionnaire_admin/letters.html",
        form,
        round_=round_,
        batches=letters.batches(round_),
        made=made,
        used=used,
        closed=closed,
        keep_hours=letters.keep_hours(),
    )


def _batch_or_404(round_: Round, batch: str) -> letters.Batch:
    return letters.find_batch(round_, batch) or abort(404)


def _download(round_slug: str, batch: str, kind: str):
    round_ = invitation_round_or_404(round_slug)
    found = _batch_or_404(round_, batch)
    path, mimetype = (found.pdf, "application/pdf") if kind == "pdf" else (found.csv, "text/csv; charset=utf-8")
    audit("letters_downloaded", target=f"round:{round_.slug}", letters=found.name, format=kind)
    db.session.commit()
    name = f"{'breve' if kind == 'pdf' else 'koder'}-{round_.slug}-{found.made_at:%Y%m%d-%H%M%S}.{kind}"
    response = send_file(path, mimetype=mimetype, as_attachment=True, download_name=name, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response


@admin_bp.get("/runder/<round_slug>/breve/<batch>/breve.pdf")
@role_required(*STAFF)
def letters_pdf(round_slug: str, batch: str):
    """The batch's letters, one A4 page each."""
    return _download(round_slug, batch, "pdf")


@admin_bp.get("/runder/<round_slug>/breve/<batch>/koder.csv")
@role_required(*STAFF)
def letters_csv(round_slug: str, batch: str):
    """The batch's codes and addresses, numbered as the PDF's pages."""
    return _download(round_slug, batch, "csv")


@admin_bp.post("/runder/<round_slug>/breve/<batch>/slet")
@role_required(*STAFF)
def delete_letters(round_slug: str, batch: str):
    """Delete a batch's files now (the codes stay valid: whoever has a printed letter can still answer)."""
    round_ = invitation_round_or_404(round_slug)
    found = _batch_or_404(round_, batch)
    letters.delete_batch(found)
    audit("letters_deleted", target=f"round:{round_.slug}", letters=found.name, count=found.count)
    db.session.commit()
    flash(_("Filerne er slettet."), "success")
    return redirect(url_for(".letters_page", round_slug=round_.slug))
