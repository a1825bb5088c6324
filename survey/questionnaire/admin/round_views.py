"""Rounds: list, create, open now, close now, extend; a round's page with its address, QR code and poster."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from survey.kernel.extensions import db
from survey.kernel.rendering import render_form_page
from survey.kernel.urls import public_url
from survey.questionnaire import admin_bp
from survey.questionnaire.admin import STAFF, round_or_404
from survey.questionnaire.admin.round_forms import ExtendForm, NewRoundForm
from survey.questionnaire.models import Round
from survey.questionnaire.poster import PDF_TYPE, poster_pdf, qr_svg, shows_poster
from survey.questionnaire.round_admin import (
    CLOSED_IS_FINAL,
    RoundChangeRefused,
    all_rounds,
    close_round,
    extend_round,
    open_round_now,
)
from survey.questionnaire.rounds import create_round
from survey.staff.access import role_required
from survey.staff.audit import audit


def _to_round(round_: Round):
    return redirect(url_for(".round", round_slug=round_.slug))


def _target(round_: Round) -> str:
    return f"round:{round_.slug}"  # as the commands' events name it (questionnaire.changes)


@admin_bp.get("/runder")
@role_required(*STAFF)
def rounds():
    """Every round: its questionnaire, state, period and access."""
    return render_template("questionnaire_admin/rounds.html", rounds=all_rounds())


@admin_bp.route("/runder/ny", methods=["GET", "POST"])
@role_required(*STAFF)
def new_round():
    """Create a round of a questionnaire version (?questionnaire=<id> chooses the version)."""
    form = NewRoundForm()
    if request.method == "GET":
        form.questionnaire.data = request.args.get("questionnaire", type=int)
    if form.validate_on_submit():
        round_ = create_round(
            form.chosen,
            form.label.data,
            form.opens_at,
            form.closes_at,
            form.access.data,
            allow_overlap=form.allow_overlap.data,
            one_question_per_page=form.one_question_per_page.data,
        )
        audit(
            "round_created",
            target=_target(round_),
            questionnaire=f"{round_.questionnaire.slug} v{round_.questionnaire.version}",
            opens_at=round_.opens_at.isoformat(),
            closes_at=round_.closes_at.isoformat(),
            access=round_.access,
            one_question_per_page=round_.one_question_per_page,
            overlaps=[other.slug for other in form.overlaps],
        )
        db.session.commit()
        flash(_("Runden er oprettet."), "success")
        return _to_round(round_)
    return render_form_page("questionnaire_admin/round_form.html", form)


@admin_bp.get("/runder/<round_slug>")
@role_required(*STAFF)
def round(round_slug: str):
    """A round: state, period, questionnaire, access, address; QR code and poster while citizens can use them."""
    round_ = round_or_404(round_slug)
    address = public_url("questionnaire.start", round_slug=round_.slug)
    qr = qr_svg(address, _("QR-kode til rundens adresse")) if shows_poster(round_) else None
    return render_template("questionnaire_admin/round.html", round_=round_, address=address, qr=qr)


@admin_bp.route("/runder/<round_slug>/aabn", methods=["GET", "POST"])
@role_required(*STAFF)
def open_now(round_slug: str):
    """Open an upcoming round now, after a confirmation."""
    return _change(round_slug, "open", open_round_now, "round_opened_now", "opens_at", _("Runden er åben."))


@admin_bp.route("/runder/<round_slug>/luk", methods=["GET", "POST"])
@role_required(*STAFF)
def close_now(round_slug: str):
    """Close an open round now, early, after a confirmation: a closed round is final."""
    return _change(round_slug, "close", close_round, "round_closed_now", "closes_at", _("Runden er lukket."))


def _change(round_slug: str, what: str, service, action: str, column: str, done: str):
    """The confirmation page (GET), or the change (POST): the service's rule, audit, commit, back to the round."""
    round_ = round_or_404(round_slug)
    if request.method == "GET" and round_.state() != {"open": "upcoming", "close": "open"}[what]:
        return _to_round(round_)  # nothing to confirm: the round's page shows what can be done now
    if request.method == "GET":
        return render_template("questionnaire_admin/round_confirm.html", round_=round_, what=what)
    try:
        planned = service(round_)
    except RoundChangeRefused as refused:
        flash(str(refused), "error")
        return _to_round(round_)
    audit(
        action,
        target=_target(round_),
        before=planned.isoformat(),
        after=getattr(round_, column).isoformat(),
    )
    db.session.commit()
    flash(done, "success")
    return _to_round(round_)


@admin_bp.route("/runder/<round_slug>/forlaeng", methods=["GET", "POST"])
@role_required(*STAFF)
def extend(round_slug: str):
    """Give an upcoming or open round a later closing time."""
    round_ = round_or_404(round_slug)
    if round_.state() == "closed":
        flash(str(CLOSED_IS_FINAL), "error")
        return _to_round(round_)
    form = ExtendForm()
    if form.validate_on_submit():
        try:
            planned = extend_round(round_, form.closes_at)
        except RoundChangeRefused as refused:
            form.closes_date.errors.append(str(refused))
        else:
            audit(
                "round_extended",
                target=_target(round_),
                before=planned.isoformat(),
                after=round_.closes_at.isoformat(),
            )
            db.session.commit()
            flash(_("Runden er forlænget."), "success")
            return _to_round(round_)
    return render_form_page("questionnaire_admin/round_extend.html", form, round_=round_)


@admin_bp.get("/runder/<round_slug>/plakat.pdf")
@role_required(*STAFF)
def poster(round_slug: str):
    """An A4 poster for a waiting room: the QR code, the address and the closing date (open-link rounds)."""
    round_ = round_or_404(round_slug)
    if not shows_poster(round_):
        abort(404)
    content = poster_pdf(round_)
    return Response(
        content,
        mimetype=PDF_TYPE,
        headers={"Content-Disposition": f'inline; filename="plakat-{round_.slug}.pdf"', "Cache-Control": "no-store"},
    )
