"""Policy, FocusArea and Goal: a municipality's policy as data."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.kernel.extensions import db


@dataclass(frozen=True)
class Contact:
    """A human to call: the municipality's unit for the citizens a policy serves."""

    municipality: str
    unit: str
    phone: str
    hours: str
    address: str
    email: str

    @property
    def phone_uri(self) -> str:
        """The number as a tel: link (Danish numbers given without +45)."""
        digits = "".join(c for c in self.phone if c.isdigit() or c == "+")
        return f"tel:{digits if digits.startswith('+') else '+45' + digits}"


class Policy(db.Model):
    __tablename__ = "policy"
    # the contact columns' server defaults are not read back after an INSERT (they are '' and deferred)
    __mapper_args__ = {"eager_defaults": False}

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    municipality: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(200))
    period_start: Mapped[int]
    period_end: Mapped[int]
    #: 'yearly' or 'half-yearly': how often the committee follows up
    follow_up: Mapped[str] = mapped_column(String(20))
    #: what this policy calls a focus area ('fokusområde', 'pejlemærke')
    focus_area_term: Mapped[str] = mapped_column(String(40), default="fokusområde")
    description: Mapped[str] = mapped_column(Text, default="")
    #: who citizens call or write to (the policy file's `contact:`); '' when the file gives none. Loaded together
    #: when first read, and never written for a policy file without a contact: code and tests that run against a
    #: database from before these columns (the migration tests) keep working
    contact_unit: Mapped[str] = mapped_column(String(200), server_default="", deferred=True, deferred_group="contact")
    contact_phone: Mapped[str] = mapped_column(String(40), server_default="", deferred=True, deferred_group="contact")
    contact_hours: Mapped[str] = mapped_column(String(300), server_default="", deferred=True, deferred_group="contact")
    contact_address: Mapped[str] = mapped_column(
        String(300), server_default="", deferred=True, deferred_group="contact"
    )
    contact_email: Mapped[str] = mapped_column(String(254), server_default="", deferred=True, deferred_group="contact")

    focus_areas: Mapped[list[FocusArea]] = relationship(
        back_populates="policy", order_by="FocusArea.position", cascade="all, delete-orphan"
    )

    @property
    def contact(self) -> Contact | None:
        """The contact, or None when the policy file gives no phone number."""
        if not self.contact_phone:
            return None
        return Contact(
            self.municipality,
            self.contact_unit,
            self.contact_phone,
            self.contact_hours,
            self.contact_address,
            self.contact_email,
        )

    def __repr__(self) -> str:
        return f"<Policy {self.slug}>"


class FocusArea(db.Model):
    __tablename__ = "focus_area"
    __table_args__ = (UniqueConstraint("policy_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policy.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)

    policy: Mapped[Policy] = relationship(back_populates="focus_areas")
    goals: Mapped[list[Goal]] = relationship(
        back_populates="focus_area", order_by="Goal.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<FocusArea {self.code} {self.title!r}>"


class Goal(db.Model):
    """A målsætning under a focus area."""

    __tablename__ = "goal"
    __table_args__ = (UniqueConstraint("focus_area_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    focus_area_id: Mapped[int] = mapped_column(ForeignKey("focus_area.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(default=0)

    focus_area: Mapped[FocusArea] = relationship(back_populates="goals")
