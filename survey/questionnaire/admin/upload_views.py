"""Questionnaire files from the browser: upload a new version, the difference between two versions, the texts of a
version without answers. The file goes through the same loader as `flask questionnaires load` (loading.py), so the
page shows the same problems, line and field, and a version with answers is never changed."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from survey.kernel.datafiles import DataFileError
from survey.kernel.extensions import db
from survey.kernel.rendering import render_form_page
from survey.kernel.uploads import DataFileForm, render_upload_page
from survey.questionnaire import admin_bp
from survey.questionnaire.admin import STAFF
from survey.questionnaire.admin.text_forms import slot_name, texts_form
from survey.questionnaire.diff import diff_specs
from survey.questionnaire.loading import load_questionnaire
from survey.questionnaire.models import Questionnaire
from survey.questionnaire.texts import VersionFrozen, can_edit_texts, change_texts, text_slots
from survey.staff.access import role_required
from survey.staff.audit import audit


def questionnaire_or_404(questionnaire_id: int) -> Questionnaire:
    return db.session.get(Questionnaire, questionnaire_id) or abort(404)


def versions_of(questionnaire: Questionnaire) -> list[Questionnaire]:
    """Every version of the questionnaire, oldest first."""
    query = select(Questionnaire).where(Questionnaire.slug == questionnaire.slug).order_by(Questionnaire.version)
    return list(db.session.scalars(query))


def previous_version(questionnaire: Questionnaire) -> Questionnaire | None:
    query = select(Questionnaire).where(
        Questionnaire.slug == questionnaire.slug, Questionnaire.version < questionnaire.version
    )
    return db.session.scalar(query.order_by(Questionnaire.version.desc()).limit(1))


@admin_bp.app_template_global()
def questionnaire_file_links(questionnaire: Questionnaire) -> dict:
    """For _version_actions.html: the previous version to compare with (or None), whether it has answers and whether
    its texts can be edited."""
    frozen = questionnaire.frozen
    editable = not frozen and can_edit_texts(questionnaire)
    return {"previous": previous_version(questionnaire), "frozen": frozen, "editable": editable}


OUTCOMES = {
    "created": lambda q: _("Spørgeskemaet %(slug)s er oprettet som version %(version)d.", slug=q.slug, version=1),
    "updated": lambda q: _(
        "Version %(version)d af %(slug)s er opdateret. Den har endnu ingen svar.", slug=q.slug, version=q.version
    ),
    "new version": lambda q: _(
        "Version %(version)d af %(slug)s er lavet. Den forrige version har svar og er ikke ændret.",
        slug=q.slug,
        version=q.version,
    ),
    "unchanged": lambda q: _(
        "Filen er den samme som version %(version)d af %(slug)s. Intet er ændret.", slug=q.slug, version=q.version
    ),
}


@admin_bp.route("/spoergeskemaer/upload", methods=["GET", "POST"])
@role_required(*STAFF)
def upload():
    """Upload a questionnaire file: a new questionnaire, or a new version of one."""
    form = DataFileForm()
    if loaded := form.load(load_questionnaire):
        name, (questionnaire, outcome) = loaded
        if outcome != "unchanged":
            target = f"questionnaire:{questionnaire.slug}:v{questionnaire.version}"
            audit("questionnaire_uploaded", target=target, outcome=outcome, file=name)
        db.session.commit()
        flash(OUTCOMES[outcome](questionnaire), "success")
        if outcome in ("updated", "new version") and previous_version(questionnaire):
            return redirect(url_for(".diff", questionnaire_id=questionnaire.id))
        return redirect(url_for(".questionnaire", questionnaire_id=questionnaire.id))
    return render_upload_page("questionnaire_admin/upload.html", form)


@admin_bp.get("/spoergeskemaer/<int:questionnaire_id>/forskel")
@role_required(*STAFF)
def diff(questionnaire_id: int):
    """What changed between two versions of a questionnaire (by default: since the previous version)."""
    questionnaire = questionnaire_or_404(questionnaire_id)
    versions = versions_of(questionnaire)
    other_id = request.args.get("mod", type=int)
    other = next((v for v in versions if v.id == other_id), None) if other_id else previous_version(questionnaire)
    if other_id and other is None:
        abort(404)
    old, new = sorted((questionnaire, other), key=lambda v: v.version) if other else (None, questionnaire)
    changes = diff_specs(old.spec, new.spec) if old else None
    return render_template(
        "questionnaire_admin/diff.html",
        questionnaire=questionnaire,
        other=other,
        old=old,
        new=new,
        versions=versions,
        changes=changes,
    )


@admin_bp.route("/spoergeskemaer/<int:questionnaire_id>/tekster", methods=["GET", "POST"])
@role_required(*STAFF)
def edit_texts(questionnaire_id: int):
    """Change the Danish and English texts of a version that has no answers yet."""
    questionnaire = questionnaire_or_404(questionnaire_id)
    if not can_edit_texts(questionnaire):
        return render_template("questionnaire_admin/texts_frozen.html", questionnaire=questionnaire), 409
    slots = text_slots(questionnaire.spec)
    form = texts_form(slots)
    if form.validate_on_submit():
        try:
            outcome = change_texts(questionnaire, form.texts())
        except VersionFrozen:
            db.session.rollback()
            return render_template("questionnaire_admin/texts_frozen.html", questionnaire=questionnaire), 409
        except DataFileError as error:
            db.session.rollback()
            form.show_problems(error)
        else:
            if outcome != "unchanged":
                target = f"questionnaire:{questionnaire.slug}:v{questionnaire.version}"
                audit("questionnaire_texts_changed", target=target, texts=form.changed_count())
            db.session.commit()
            flash(_("Teksterne er gemt.") if outcome != "unchanged" else _("Ingen tekster er ændret."), "success")
            return redirect(url_for(".questionnaire", questionnaire_id=questionnaire.id))
    return render_form_page(
        "questionnaire_admin/edit_texts.html", form, questionnaire=questionnaire, slots=slots, slot_name=slot_name
    )
