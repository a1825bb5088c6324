"""The e-mails of dialogue meetings. Each function queues one message, sent after the commit (survey.mail)."""

from __future__ import annotations

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_mailman import EmailMultiAlternatives

from survey.mail import queue
from survey.meetings.models import Registration


def _manage_url(registration: Registration) -> str:
    from survey.meetings.tokens import manage_token

    return url_for("meetings.manage", token=manage_token(registration), _external=True)


def _send(registration: Registration, kind: str, subject: str) -> None:
    """Render mail/<kind>.txt (and .html) for the registration and queue it; no address, no mail."""
    if not registration.email:
        return
    with force_locale("da"):
        context = {
            "registration": registration,
            "meeting": registration.meeting,
            "manage_url": _manage_url(registration),
        }
        body = render_template(f"mail/{kind}.txt", **context)
        html = render_template(f"mail/{kind}.html", **context)
    message = EmailMultiAlternatives(subject, body, current_app.config["MAIL_DEFAULT_SENDER"], [registration.email])
    message.attach_alternative(html, "text/html")
    queue(message)


def registration_received(registration: Registration) -> None:
    subject = (
        _("Du er tilmeldt: %(title)s", title=registration.meeting.title)
        if registration.status == "confirmed"
        else _("Du er på venteliste: %(title)s", title=registration.meeting.title)
    )
    _send(registration, "registration_received", subject)


def promoted(registration: Registration) -> None:
    _send(registration, "promoted", _("Der er plads til dig: %(title)s", title=registration.meeting.title))


def manage_link_resent(registration: Registration) -> None:
    _send(registration, "manage_link", _("Dit link til din tilmelding: %(title)s", title=registration.meeting.title))


def meeting_changed(registration: Registration) -> None:
    _send(registration, "meeting_changed", _("Mødet er ændret: %(title)s", title=registration.meeting.title))


def meeting_cancelled(registration: Registration) -> None:
    _send(registration, "meeting_cancelled", _("Mødet er aflyst: %(title)s", title=registration.meeting.title))
