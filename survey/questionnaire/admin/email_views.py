"""E-mail invitations of a round: an address list, a code for each by mail, reminders to unused codes.

The list is checked and shown as a count to confirm; it is stored only when confirmed (until then it travels in the
confirmation page). Each POST sends one batch; the page says how far it has come."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from survey.kernel.extensions import db
from survey.questionnaire import admin_bp
from survey.questionnaire import email_invitations as ei
from survey.questionnaire.admin import STAFF, round_or_404
from survey.questionnaire.admin.email_forms import AddressListForm, ConfirmListForm, RemoveAddressForm
from survey.questionnaire.models import Round
from survey.staff.access import role_required
from survey.staff.audit import audit

REFUSED = {
    "closed": _l("Runden er lukket. Der sendes ikke flere invitationer, og adresselisten er slettet."),
    "not_invitation": _l("Runden bruger et åbent link, ikke personlige koder. Der kan ikke sendes invitationer."),
}
#: the file types a list may be uploaded as
LIST_FILES = (".txt", ".csv")


@admin_bp.app_template_global()
def email_invitation_progress(round_: Round) -> ei.Progress:
    """Counts for the round page's e-mail include (templates/questionnaire_admin/_round_emails.html)."""
    return ei.progress(round_)


def _to_page(round_: Round):
    return redirect(url_for(".emails", round_slug=round_.slug))


def _refused(round_: Round) -> str | None:
    try:
        ei.check_round(round_)
    except ei.SendRefused as refused:
        return str(REFUSED[refused.reason])
    return None


def _page(round_: Round, form=None, remove_form=None, status: int = 200):
    form, remove_form = form or AddressListForm(), remove_form or RemoveAddressForm()
    errors = form.error_list() + remove_form.error_list()
    html = render_template(
        "questionnaire_admin/emails.html",
        round_=round_,
        form=form,
        remove_form=remove_form,
        errors=errors,
        has_errors=bool(errors),
        progress=ei.progress(round_),
        refused=_refused(round_),
        batch=ei.BATCH,
    )
    return html, 400 if errors else status


@admin_bp.route("/runder/<round_slug>/e-mail", methods=["GET", "POST"])
@role_required(*STAFF)
def emails(round_slug: str):
    """The round's e-mail invitations in counts; a pasted or uploaded list goes to a confirmation page."""
    round_ = round_or_404(round_slug)
    form = AddressListForm()
    if request.method == "GET" or _refused(round_):
        return _page(round_, form)
    text = _uploaded_text(form) if form.validate_on_submit() else None
    if text is None:
        return _page(round_, form)
    found = ei.read_address_list(round_, text)
    confirm = ConfirmListForm(formdata=None, addresses=text, count=str(len(found.addresses)))
    return render_template("questionnaire_admin/emails_confirm.html", round_=round_, found=found, form=confirm)


def _uploaded_text(form: AddressListForm) -> str | None:
    """The pasted text, or the chosen file's; None with an error on the form when there is neither."""
    upload = request.files.get("list_file")
    if upload and upload.filename:
        if not upload.filename.lower().endswith(LIST_FILES):
            form.addresses.errors.append(_("Vælg en fil af typen .txt eller .csv."))
            return None
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            form.addresses.errors.append(_("Filen kan ikke læses. Gem den som tekst i UTF-8, og prøv igen."))
            return None
    if not form.addresses.data:
        form.addresses.errors.append(_("Indsæt e-mailadresser, eller vælg en fil med dem."))
        return None
    return form.addresses.data


@admin_bp.post("/runder/<round_slug>/e-mail/bekraeft")
@role_required(*STAFF)
def confirm_emails(round_slug: str):
    """Store the confirmed list and send its first batch; a list that reads differently now is shown again."""
    round_ = round_or_404(round_slug)
    form = ConfirmListForm()
    if (refused := _refused(round_)) or not form.validate_on_submit():
        flash(refused or _("Siden har været åben for længe. Indsæt listen igen."), "error")
        return _to_page(round_)
    found = ei.read_address_list(round_, form.addresses.data or "")
    if str(len(found.addresses)) != form.count.data or not found.addresses:
        form.count.data = str(len(found.addresses))
        template = "questionnaire_admin/emails_confirm.html"
        return render_template(template, round_=round_, found=found, form=form, changed=True)
    added = ei.add_addresses(round_, found.addresses)
    sent = ei.send_invitations(round_)
    audit("email_invitations_added", target=f"round:{round_.slug}", addresses=added, skipped=len(found.problems))
    audit("email_invitations_sent", target=f"round:{round_.slug}", sent=sent)
    db.session.commit()
    flash(ngettext("%(num)d invitation er sendt.", "%(num)d invitationer er sendt.", sent), "success")
    return _to_page(round_)


@admin_bp.post("/runder/<round_slug>/e-mail/send")
@role_required(*STAFF)
def send_emails(round_slug: str):
    """Send the next batch of invitations (a repeated click sends nobody twice)."""
    return _send(round_or_404(round_slug), ei.send_invitations, "email_invitations_sent")


@admin_bp.route("/runder/<round_slug>/e-mail/paamindelse", methods=["GET", "POST"])
@role_required(*STAFF)
def send_reminders(round_slug: str):
    """Confirm, then send a batch of reminders to those whose code is still unused."""
    round_ = round_or_404(round_slug)
    if request.method == "GET":
        if refused := _refused(round_):
            flash(refused, "error")
            return _to_page(round_)
        progress = ei.progress(round_)
        return render_template(
            "questionnaire_admin/emails_reminder.html", round_=round_, progress=progress, batch=ei.BATCH
        )
    return _send(round_, ei.send_reminders, "email_reminders_sent")


def _send(round_: Round, send, action: str):
    if not ConfirmListForm().validate_on_submit():  # the CSRF token only
        flash(_("Siden har været åben for længe. Prøv igen."), "error")
        return _to_page(round_)
    try:
        sent = send(round_)
    except ei.SendRefused as refused:
        flash(str(REFUSED[refused.reason]), "error")
        return _to_page(round_)
    audit(action, target=f"round:{round_.slug}", sent=sent)
    db.session.commit()
    if action == "email_reminders_sent":
        flash(ngettext("%(num)d påmindelse er sendt.", "%(num)d påmindelser er sendt.", sent), "success")
    else:
        flash(ngettext("%(num)d invitation er sendt.", "%(num)d invitationer er sendt.", sent), "success")
    return _to_page(round_)


@admin_bp.post("/runder/<round_slug>/e-mail/fjern")
@role_required(*STAFF)
def remove_email(round_slug: str):
    """Take one address off the list (someone asked not to be mailed again)."""
    round_ = round_or_404(round_slug)
    form = RemoveAddressForm()
    if not form.validate_on_submit() or not form.email.data:
        form.email.errors.append(_("Indtast den e-mailadresse, der skal fjernes."))
        return _page(round_, remove_form=form)
    if ei.remove_address(round_, form.email.data):
        audit("email_invitation_removed", target=f"round:{round_.slug}")
        db.session.commit()
        flash(_("Adressen er fjernet fra listen. Den får ingen flere e-mails om undersøgelsen."), "success")
    else:
        flash(_("Adressen står ikke på listen til denne runde."), "info")
    return _to_page(round_)
