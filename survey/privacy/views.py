"""Admin pages for data-subject requests: find a person's sign-ups, download them, erase them.

Search terms travel in POST bodies, never in URLs, so no access log or browser history holds an e-mail address
or a phone number; the audit log holds ids only."""

from __future__ import annotations

import json

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from wtforms.fields.choices import SelectChoice

from survey.kernel import roles
from survey.kernel.converters import whole_number
from survey.kernel.extensions import db
from survey.kernel.rendering import render_form_page
from survey.kernel.tables import attachment
from survey.privacy import admin_bp
from survey.privacy.forms import EraseForm, PersonSearchForm, PersonSelectionForm, too_short
from survey.privacy.services import (
    erase_registrations,
    find_registrations,
    parse_query,
    person_export,
    registrations_by_id,
)
from survey.staff.access import role_required
from survey.staff.audit import audit

ACTIONS = ("export", "erase")


def _selection_form(found, formdata=None, exact: bool = False) -> PersonSelectionForm:
    form = PersonSelectionForm(formdata=formdata)
    form.registrations.choices = [SelectChoice(str(r.id), r.name) for r in found]
    if formdata is None and exact:
        form.registrations.data = [str(r.id) for r in found]  # an exact e-mail or phone match is the person
    return form


@admin_bp.route("/", methods=["GET", "POST"])
@role_required(*roles.ADMINS)
def search():
    """Find one person's meeting sign-ups by e-mail, mobile number or name."""
    if request.method == "POST" and request.form.get("action") in ACTIONS:
        return _act_on_selection(request.form["action"])
    form = PersonSearchForm()
    found = selection = None
    if form.validate_on_submit():
        query = parse_query(form.query.data)
        found = find_registrations(query)
        selection = _selection_form(found, exact=query.kind != "name")
        selection.term.data = form.query.data
        audit("person_search", target="registrations", found=[r.id for r in found])
        db.session.commit()
    return render_form_page("privacy/search.html", form, search_form=form, found=found, selection=selection)


def _act_on_selection(action: str):
    """Download or (after confirmation) erase the chosen sign-ups; without a choice the list comes back."""
    term = request.form.get("term", "")
    if too_short(term):
        return redirect(url_for(".search"))  # only a tampered form gets here: the search was valid when shown
    found = find_registrations(parse_query(term))
    form = _selection_form(found, formdata=request.form)
    if not form.validate_on_submit():
        search_form = PersonSearchForm(formdata=None, data={"query": term})
        return render_form_page("privacy/search.html", form, search_form=search_form, found=found, selection=form)
    chosen = [r for r in found if str(r.id) in form.registrations.data]
    if action == "erase":
        return redirect(url_for(".erase", id=[r.id for r in chosen]))
    return _download(chosen)


def _download(chosen):
    content = json.dumps(person_export(chosen), ensure_ascii=False, indent=2).encode("utf-8")
    audit("export", target="registrations", what="person", registrations=[r.id for r in chosen])
    db.session.commit()
    return attachment(content, "application/json", "personoplysninger-dialogmoeder.json")


@admin_bp.route("/slet", methods=["GET", "POST"])
@role_required(*roles.ADMINS)
def erase():
    """Erase the chosen sign-ups after a confirmation page; the waiting list moves up."""
    ids = request.args.getlist("id", type=whole_number) or abort(404)
    registrations = registrations_by_id(ids)
    if not registrations:
        flash(_("Tilmeldingerne findes ikke længere. De kan allerede være slettet."), "info")
        return redirect(url_for(".search"))
    form = EraseForm()
    if form.validate_on_submit():
        erased = erase_registrations(registrations)
        audit(
            "person_erased",
            target="registrations",
            registrations=[r.id for r in registrations],
            meetings=erased.meeting_ids,
            promoted=[r.id for r in erased.promoted],
        )
        db.session.commit()
        flash(_erased_message(erased.registrations, len(erased.promoted)), "success")
        return redirect(url_for(".search"))
    return render_form_page("privacy/erase.html", form, registrations=registrations)


def _erased_message(count: int, promoted: int) -> str:
    text = ngettext("%(num)d tilmelding er slettet.", "%(num)d tilmeldinger er slettet.", count)
    if promoted:
        text += " " + ngettext(
            "%(num)d person på ventelisten har fået plads og får besked.",
            "%(num)d personer på ventelisten har fået plads og får besked.",
            promoted,
        )
    return text


@admin_bp.app_template_global()
def registration_status_label(status: str) -> str:
    return {"confirmed": _("Tilmeldt"), "waitlisted": _("På venteliste"), "cancelled": _("Afmeldt")}.get(status, status)
