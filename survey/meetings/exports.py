"""What staff take out of a meeting: the attendee list, the needs summary, the topics sent in ahead, and the
same as CSV (for Danish Excel: UTF-8 with BOM, ';') and XLSX (with a sheet that says what the file is)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import select

from survey.kernel.clock import utc_to_local, utcnow
from survey.kernel.extensions import db
from survey.kernel.i18n import language_name, local_time_span
from survey.kernel.tables import Column, Sheet, csv_bytes, xlsx_bytes
from survey.meetings.models import Meeting, Registration, Topic
from survey.meetings.vocabulary import NEED_PHRASES, NEEDS, ROLES


@dataclass
class Attendees:
    confirmed: list[Registration]
    #: (position, registration), first on the waiting list first
    waitlisted: list[tuple[int, Registration]]
    cancelled: list[Registration]


def attendees(meeting: Meeting) -> Attendees:
    """A meeting's sign-ups: confirmed by name, the waiting list in arrival order, then the cancelled."""
    registrations = db.session.scalars(
        select(Registration).where(Registration.meeting_id == meeting.id).order_by(Registration.id)
    ).all()
    waiting = [r for r in registrations if r.status == "waitlisted"]
    return Attendees(
        confirmed=sorted((r for r in registrations if r.status == "confirmed"), key=lambda r: r.name.casefold()),
        waitlisted=list(enumerate(waiting, start=1)),
        cancelled=[r for r in registrations if r.status == "cancelled"],
    )


def need_labels(registration: Registration) -> list[str]:
    """A sign-up's needs in Danish, the interpreter with the language."""
    labels = []
    for need, label in NEEDS.items():
        if need not in registration.needs:
            continue
        if need == "interpreter" and registration.interpreter_language:
            labels.append(_("Tolk (%(language)s)", language=language_name(registration.interpreter_language)))
        else:
            labels.append(str(label))
    return labels


def needs_summary(confirmed: list[Registration]) -> str:
    """'3 har brug for trinfri adgang, 1 for tegnsprogstolk og 1 for tolk (arabisk).' counting sign-ups."""
    order = list(NEED_PHRASES)
    counts: Counter[tuple[int, str]] = Counter()
    for registration in confirmed:
        for need in registration.needs:
            typed = registration.interpreter_language if need == "interpreter" else ""
            language = language_name(typed).strip().casefold() if typed.strip() else ""
            if language:
                counts[(order.index(need), _("tolk (%(language)s)", language=language))] += 1
            elif need in NEED_PHRASES:
                counts[(order.index(need), str(NEED_PHRASES[need]))] += 1
    if not counts:
        return _("Ingen af de tilmeldte har bedt om støtte.")
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    parts = [
        _("%(count)d har brug for %(need)s", count=n, need=need)
        if i == 0
        else _("%(count)d for %(need)s", count=n, need=need)
        for i, ((_order, need), n) in enumerate(ordered)
    ]
    text = parts[0] if len(parts) == 1 else _("%(list)s og %(last)s", list=", ".join(parts[:-1]), last=parts[-1])
    return text + "."


def topics_by_focus_area(meeting: Meeting) -> list[tuple[str, list[Topic]]]:
    """Topics sent in ahead, grouped under their focus area in the policy's order; 'Uden fokusområde' last."""
    topics = db.session.scalars(select(Topic).where(Topic.meeting_id == meeting.id).order_by(Topic.id)).all()
    groups = []
    for area in meeting.policy.focus_areas:
        if found := [t for t in topics if t.focus_area_id == area.id]:
            groups.append((f"{area.code}. {area.title}", found))
    known = {area.id for area in meeting.policy.focus_areas}
    if without := [t for t in topics if t.focus_area_id is None or t.focus_area_id not in known]:
        groups.append((_("Uden fokusområde"), without))
    return groups


# ---------------------------------------------------------------- tables


def _attendee_table(meeting: Meeting) -> tuple[list[Column], list[list]]:
    """(header, explanation) pairs and one row per confirmed or waiting sign-up."""
    columns = [
        Column(_("Status"), _("Tilmeldt eller på venteliste")),
        Column(_("Nr. på venteliste"), _("Rækkefølgen på ventelisten; tom for tilmeldte")),
        Column(_("Navn"), _("Den tilmeldtes navn, eller hvem en reservation er til")),
        Column(_("Deltager som"), _("Borger, pårørende, fagperson, virksomhed eller andet")),
        Column(_("Pladser"), _("Antal pladser tilmeldingen fylder")),
        Column(_("På vegne af"), _("Fornavn på den, der tilmeldes på vegne af")),
        Column(_("Behov"), _("Den støtte, personen har bedt om")),
        Column(_("Andre behov"), _("Personens egen beskrivelse")),
        Column(_("E-mail"), _("Kontakt")),
        Column(_("Telefon"), _("Kontakt")),
        Column(_("Tilmeldt"), _("Hvornår tilmeldingen kom ind (dansk tid)")),
        Column(_("Tilmeldt af"), _("Personen selv, en medarbejder, eller en reservation")),
        Column(_("Mødt"), _("Markeret ved indtjekning")),
    ]
    kinds = {"public": _("Personen selv"), "staff_added": _("Medarbejder"), "reservation": _("Reservation")}
    found = attendees(meeting)
    rows = [(None, r) for r in found.confirmed] + list(found.waitlisted)
    table = [
        [
            _("Venteliste") if position else _("Tilmeldt"),
            position,
            r.name,
            str(ROLES.get(r.role, r.role)),
            r.seats,
            r.on_behalf_of,
            ", ".join(need_labels(r)),
            r.needs_other,
            r.email or "",
            r.phone or "",
            utc_to_local(r.created_at),
            kinds.get(r.kind, r.kind),
            _("Ja") if r.attended else _("Nej"),
        ]
        for position, r in rows
    ]
    return columns, table


def _topic_table(meeting: Meeting) -> tuple[list[Column], list[list]]:
    columns = [
        Column(_("Fokusområde"), _("Det fokusområde, spørgsmålet er sendt ind under")),
        Column(_("Spørgsmål eller emne"), _("Teksten, som den blev sendt ind, uden navn")),
    ]
    return columns, [[label, topic.text] for label, topics in topics_by_focus_area(meeting) for topic in topics]


def _xlsx(meeting: Meeting, sheet: Sheet, what: str, personal: bool) -> bytes:
    deleted = utc_to_local(meeting.ends_at + timedelta(days=current_app.config["REGISTRATION_RETENTION_DAYS"]))
    facts = [
        (_("Møde"), meeting.title),
        (_("Tidspunkt"), local_time_span(meeting.starts_at, meeting.ends_at)),
        (_("Sted"), f"{meeting.venue_name}, {meeting.venue_address}"),
        (_("Indhold"), what),
        (_("Udtrukket"), format_datetime(utcnow(), "d. MMMM y 'kl.' HH.mm")),
    ]
    if personal:
        facts.append(
            (
                _("Personoplysninger"),
                _(
                    "Filen indeholder personoplysninger. Del den kun med dem, der skal bruge den, og slet den efter "
                    "mødet. Borgerdialog sletter tilmeldingerne %(days)d dage efter mødet (%(date)s).",
                    days=current_app.config["REGISTRATION_RETENTION_DAYS"],
                    date=deleted.strftime("%d-%m-%Y"),
                ),
            )
        )
    return xlsx_bytes(_("Om udtrækket"), facts, [sheet])


def attendees_file(meeting: Meeting, fmt: str) -> bytes:
    """The attendee list (confirmed and waiting) as 'csv' or 'xlsx'."""
    sheet = Sheet(_("Deltagere"), *_attendee_table(meeting))
    if fmt == "csv":
        return csv_bytes(sheet)
    return _xlsx(meeting, sheet, _("Tilmeldte og venteliste, én række pr. tilmelding"), personal=True)


def topics_file(meeting: Meeting, fmt: str) -> bytes:
    """The topics sent in ahead, without names, as 'csv' or 'xlsx'."""
    sheet = Sheet(_("Spørgsmål"), *_topic_table(meeting))
    if fmt == "csv":
        return csv_bytes(sheet)
    what = _("Spørgsmål og emner sendt ind før mødet, grupperet efter fokusområde, uden navne")
    return _xlsx(meeting, sheet, what, personal=False)
