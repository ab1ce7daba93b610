"""Angebote: courses, counselling, events and ongoing services."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .common import JSONType, ListingMixin
from .location import Location
from .organization import Organization
from .taxonomy import Term, offer_areas, offer_target_groups, offer_topics

offer_locations = Table(
    "offer_locations",
    db.metadata,
    Column("offer_id", ForeignKey("offers.id", ondelete="CASCADE"), primary_key=True),
    # Indexed for "offers at this Lernort" (detail pages, map figures).
    Column(
        "location_id", ForeignKey("locations.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)


class OfferType(enum.StrEnum):
    """What kind of offer this is."""

    COURSE = "course"
    COUNSELLING = "counselling"
    EVENT = "event"
    SERVICE = "service"


class CostKind(enum.StrEnum):
    """How the cost of an offer is stated."""

    FREE = "free"
    AMOUNT = "amount"
    TEXT = "text"
    UNKNOWN = "unknown"


class Offer(ListingMixin, db.Model):
    """An Angebot held at one or more Lernorte, or online."""

    __tablename__ = "offers"
    __table_args__ = (UniqueConstraint("source", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(160), unique=True)
    title: Mapped[str] = mapped_column(String(255), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    offer_type: Mapped[str] = mapped_column(String(16), default=OfferType.COURSE.value)
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    online: Mapped[bool] = mapped_column(Boolean, default=False)

    min_age: Mapped[int | None] = mapped_column(Integer)
    max_age: Mapped[int | None] = mapped_column(Integer)
    languages: Mapped[list[str]] = mapped_column(JSONType, default=list)

    cost_kind: Mapped[str] = mapped_column(String(8), default=CostKind.UNKNOWN.value)
    cost_amount: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    cost_note: Mapped[str | None] = mapped_column(String(500))
    funding: Mapped[str | None] = mapped_column(String(255))  # e.g. Bildungsgutschein

    registration_url: Mapped[str | None] = mapped_column(String(500))
    registration_phone: Mapped[str | None] = mapped_column(String(64))
    registration_email: Mapped[str | None] = mapped_column(String(255))

    # Schedule: dated sessions and/or an iCalendar RRULE; neither means "ongoing".
    recurrence: Mapped[str | None] = mapped_column(String(255))
    schedule_note: Mapped[str | None] = mapped_column(Text)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date, index=True)
    # Digest of the record the source's last import read (see Location.import_fingerprint).
    import_fingerprint: Mapped[str | None] = mapped_column(String(32))

    organization: Mapped[Organization | None] = relationship()
    # By id, so that "the first Lernort" (search index, detail page, API) is the same everywhere.
    locations: Mapped[list[Location]] = relationship(
        secondary=offer_locations, order_by="Location.id"
    )
    areas: Mapped[list[Term]] = relationship(secondary=offer_areas, order_by=Term.position)
    topics: Mapped[list[Term]] = relationship(secondary=offer_topics, order_by=Term.position)
    target_groups: Mapped[list[Term]] = relationship(
        secondary=offer_target_groups, order_by=Term.position
    )
    sessions: Mapped[list[OfferSession]] = relationship(
        back_populates="offer", cascade="all, delete-orphan", order_by="OfferSession.starts_at"
    )

    @property
    def is_free(self) -> bool:
        """Tell whether the offer costs nothing."""
        return self.cost_kind == CostKind.FREE.value

    def __repr__(self) -> str:
        return f"<Offer {self.id} {self.title!r}>"


class OfferSession(db.Model):
    """One dated occurrence of an offer."""

    __tablename__ = "offer_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    ends_at: Mapped[datetime | None] = mapped_column(DateTime)

    offer: Mapped[Offer] = relationship(back_populates="sessions")
