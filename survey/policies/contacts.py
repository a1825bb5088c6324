"""The human to call on a page that belongs to no one municipality (the meeting list, an error page)."""

from __future__ import annotations

from flask import current_app, g
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from survey.kernel.extensions import db
from survey.policies.models import Contact, Policy


def footer_contacts() -> list[Contact]:
    """Every policy's contact, by municipality (read once per request). Empty when the database does not answer:
    the page saying so must still be shown."""
    if "footer_contacts" not in g:
        try:
            policies = db.session.scalars(
                select(Policy).where(Policy.contact_phone != "").order_by(Policy.municipality)
            )
            contacts = {policy.contact for policy in policies}
        except SQLAlchemyError:
            current_app.logger.debug("no contacts for the footer: the database did not answer", exc_info=True)
            db.session.rollback()
            contacts = set()
        g.footer_contacts = sorted(contacts, key=lambda contact: (contact.municipality, contact.unit))
    return g.footer_contacts
