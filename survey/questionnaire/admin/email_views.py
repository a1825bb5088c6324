"""Invitations of a round by e-mail or SMS: an address (or mobile number) list, a code for each, reminders to
unused codes. One set of views serves both channels: the e-mail routes (…/e-mail) and the SMS routes (…/sms) differ
only in their `channel` (MEDIA).

The list is checked and shown as a count to confirm; it is stored only when confirmed (until then it travels in the
confirmation page). Each POST sends one batch; the page says how far it has come. Before an SMS is sent in bulk the
page says what it costs (messages and segments), and the SMS page shows the messages that did not arrive."""

from __future__ import annotations

from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from survey.kernel import sms
from survey.kernel.extensions import db
from survey.kernel.forms import BaseForm
from survey.kernel.sms_text import display_number
from survey.questionnaire import admin_bp
from survey.questionnaire import email_invitations as ei
from survey.questionnaire.admin import STAFF, round_or_404
from survey.questionnaire.admin.email_forms import (
    AddressListForm,
    ConfirmListForm,
    NumberListForm,
    RemoveAddressForm,
    RemoveNumberForm,
)
from survey.questionnaire.models import Round
from survey.staff.access import role_required
from survey.staff.audit import audit

REFUSED = {
    "closed": _l("Runden er lukket. Der sendes ikke flere invitationer, og adresselisten er slettet."),
    "not_invitation": _l("Runden bruger et åbent link, ikke personlige koder. Der kan ikke sendes invitationer."),
}
#: the file types a list may be uploaded as
LIST_FILES = (".txt", ".csv")


@dataclass(frozen=True)
class Medium:
    """A channel's pages: its endpoints (in this blueprint), forms and audit actions."""

    channel: str
    page: str
    confirm: str
    send: str
    remind: str
    remove: str
    list_form: type[BaseForm]
    remove_form: type[BaseForm]

    @property
    def is_sms(self) -> bool:
        return self.channel == ei.SMS

    def action(self, what: str) -> str:
        """The audit action: 'email_invitations_sent', 'sms_reminders_sent', …"""
        return f"{self.channel}_{what}"


MEDIA = {
    ei.EMAIL: Medium(
        ei.EMAIL, "emails", "confirm_emails", "send_emails", "send_reminders", "remove_email",
        AddressListForm, RemoveAddressForm,
    ),
    ei.SMS: Medium(
        ei.SMS, "sms_invitations", "confirm_sms", "send_sms", "send_sms_reminders", "remove_sms",
        NumberListForm, RemoveNumberForm,
    ),
}  # fmt: skip


@admin_bp.app_template_global()
def email_invitation_progress(round_: Round, channel: str = ei.EMAIL) -> ei.Progress:
    """Counts for the round page's invitation include (templates/questionnaire_admin/_round_emails.html)."""
    return ei.progress(round_, channel)


@admin_bp.app_template_global()
def sms_invitation_problems(round_: Round) -> list[sms.SmsMessage]:
    """The round's SMS that failed or whose fate is unknown, newest first (the round page and the SMS page)."""
    return sms.problems(ei.sms_topic(round_))


@admin_bp.app_template_filter()
def mobile_number(e164: str | None) -> str:
    """A stored number as people write it ('20 30 40 50'); '' when it is forgotten."""
    return display_number(e164) if e164 else ""


def _to_page(round_: Round, medium: Medium):
    return redirect(url_for(f".{medium.page}", round_slug=round_.slug))


def _refused(round_: Round) -> str | None:
    try:
        ei.check_round(round_)
    except ei.SendRefused as refused:
        return str(REFUSED[refused.reason])
    return None


def _page(round_: Round, medium: Medium, form=None, remove_form=None, status: int = 200):
    form, remove_form = form or medium.list_form(), remove_form or medium.remove_form()
    errors = form.error_list() + remove_form.error_list()
    progress = ei.progress(round_, medium.channel)
    html = render_template(
        "questionnaire_admin/emails.html",
        round_=round_,
        medium=medium,
        form=form,
        remove_form=remove_form,
        errors=errors,
        has_errors=bool(errors),
        progress=progress,
        refused=_refused(round_),
        batch=ei.BATCH,
        cost=_cost(round_, medium, min(progress.unsent, ei.BATCH)),
        reminder_cost=_cost(round_, medium, min(progress.remindable, ei.BATCH), reminder=True),
        problems=sms.problems(ei.sms_topic(round_)) if medium.is_sms else [],
    )
    return html, 400 if errors else status


def _cost(round_: Round, medium: Medium, count: int, reminder: bool = False) -> ei.Cost | None:
    """What sending `count` messages costs (SMS only: an e-mail costs nothing per message)."""
    return ei.sms_cost(round_, count, reminder) if medium.is_sms else None


def emails(round_slug: str, channel: str = ei.EMAIL):
    """The round's invitations in counts; a pasted or uploaded list goes to a confirmation page."""
    round_, medium = round_or_404(round_slug), MEDIA[channel]
    form = medium.list_form()
    if request.method == "GET" or _refused(round_):
        return _page(round_, medium, form)
    text = _uploaded_text(form) if form.validate_on_submit() else None
    if text is None:
        return _page(round_, medium, form)
    found = ei.read_address_list(round_, text, channel)
    confirm = ConfirmListForm(formdata=None, addresses=text, count=str(len(found.addresses)))
    return _confirm_page(round_, medium, found, confirm)


def _confirm_page(round_: Round, medium: Medium, found: ei.AddressList, form: ConfirmListForm, changed=False):
    cost = _cost(round_, medium, len(found.addresses))
    template = "questionnaire_admin/emails_confirm.html"
    return render_template(template, round_=round_, medium=medium, found=found, form=form, changed=changed, cost=cost)


def _uploaded_text(form) -> str | None:
    """The pasted text, or the chosen file's; None with an error on the form when there is neither."""
    upload = request.files.get("list_file")
    if upload and upload.filename:
        if not upload.filename.lower().endswith(LIST_FILES):
            form.field.errors.append(_("Vælg en fil af typen .txt eller .csv."))
            return None
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            form.field.errors.append(_("Filen kan ikke læses. Gem den som tekst i UTF-8, og prøv igen."))
            return None
    if not form.field.data:
        form.field.errors.append(str(form.missing))
        return None
    return form.field.data


def confirm_emails(round_slug: str, channel: str = ei.EMAIL):
    """Store the confirmed list and send its first batch; a list that reads differently now is shown again."""
    round_, medium = round_or_404(round_slug), MEDIA[channel]
    form = ConfirmListForm()
    if (refused := _refused(round_)) or not form.validate_on_submit():
        flash(refused or _("Siden har været åben for længe. Indsæt listen igen."), "error")
        return _to_page(round_, medium)
    found = ei.read_address_list(round_, form.addresses.data or "", channel)
    if str(len(found.addresses)) != form.count.data or not found.addresses:
        form.count.data = str(len(found.addresses))
        return _confirm_page(round_, medium, found, form, changed=True)
    added = ei.add_addresses(round_, found.addresses, channel)
    sent = ei.send_invitations(round_, channel=channel)
    target = f"round:{round_.slug}"
    audit(medium.action("invitations_added"), target=target, addresses=added, skipped=len(found.problems))
    audit(medium.action("invitations_sent"), target=target, sent=sent)
    db.session.commit()
    flash(ngettext("%(num)d invitation er sendt.", "%(num)d invitationer er sendt.", sent), "success")
    return _to_page(round_, medium)


def send_emails(round_slug: str, channel: str = ei.EMAIL):
    """Send the next batch of invitations (a repeated click sends nobody twice)."""
    return _send(round_or_404(round_slug), MEDIA[channel], reminder=False)


def send_reminders(round_slug: str, channel: str = ei.EMAIL):
    """Confirm, then send a batch of reminders to those whose code is still unused."""
    round_, medium = round_or_404(round_slug), MEDIA[channel]
    if request.method == "GET":
        if refused := _refused(round_):
            flash(refused, "error")
            return _to_page(round_, medium)
        progress = ei.progress(round_, channel)
        cost = _cost(round_, medium, min(progress.remindable, ei.BATCH), reminder=True)
        return render_template(
            "questionnaire_admin/emails_reminder.html",
            round_=round_,
            medium=medium,
            progress=progress,
            batch=ei.BATCH,
            cost=cost,
        )
    return _send(round_, medium, reminder=True)


def _send(round_: Round, medium: Medium, reminder: bool):
    if not ConfirmListForm().validate_on_submit():  # the CSRF token only
        flash(_("Siden har været åben for længe. Prøv igen."), "error")
        return _to_page(round_, medium)
    send = ei.send_reminders if reminder else ei.send_invitations
    try:
        sent = send(round_, channel=medium.channel)
    except ei.SendRefused as refused:
        flash(str(REFUSED[refused.reason]), "error")
        return _to_page(round_, medium)
    audit(medium.action("reminders_sent" if reminder else "invitations_sent"), target=f"round:{round_.slug}", sent=sent)
    db.session.commit()
    if reminder:
        flash(ngettext("%(num)d påmindelse er sendt.", "%(num)d påmindelser er sendt.", sent), "success")
    else:
        flash(ngettext("%(num)d invitation er sendt.", "%(num)d invitationer er sendt.", sent), "success")
    return _to_page(round_, medium)


def remove_email(round_slug: str, channel: str = ei.EMAIL):
    """Take one address off the list (someone asked not to be mailed or texted again)."""
    round_, medium = round_or_404(round_slug), MEDIA[channel]
    form = medium.remove_form()
    if not form.validate_on_submit() or not form.field.data:
        form.field.errors.append(str(form.missing))
        return _page(round_, medium, remove_form=form)
    if ei.remove_address(round_, form.field.data, channel):
        audit(medium.action("invitation_removed"), target=f"round:{round_.slug}")
        db.session.commit()
        flash(str(form.removed), "success")
    else:
        flash(str(form.not_found), "info")
    return _to_page(round_, medium)


def _register() -> None:
    """The views under their e-mail and SMS addresses, each guarded for STAFF."""
    views = [
        ("", "page", emails, ["GET", "POST"]),
        ("/bekraeft", "confirm", confirm_emails, ["POST"]),
        ("/send", "send", send_emails, ["POST"]),
        ("/paamindelse", "remind", send_reminders, ["GET", "POST"]),
        ("/fjern", "remove", remove_email, ["POST"]),
    ]
    for part, medium in (("e-mail", MEDIA[ei.EMAIL]), ("sms", MEDIA[ei.SMS])):
        for tail, role, view, methods in views:
            admin_bp.add_url_rule(
                f"/runder/<round_slug>/{part}{tail}",
                endpoint=getattr(medium, role),
                view_func=role_required(*STAFF)(view),
                methods=methods,
                defaults={"channel": medium.channel},
            )


_register()
