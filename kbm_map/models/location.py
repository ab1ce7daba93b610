"""Lernorte: places of lifelong learning."""

from __future__ import annotations

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .common import JSONType, ListingMixin
from .organization import Organization
from .region import Region
from .taxonomy import Term, location_areas


class Location(ListingMixin, db.Model):
    """A Lernort: a Kita, school, VHS, library, youth centre, counselling office …"""

    __tablename__ = "locations"
    __table_args__ = (UniqueConstraint("source", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(160), unique=True)
    name: Mapped[str] = mapped_column(String(255), index=True)
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    kind_id: Mapped[int | None] = mapped_column(ForeignKey("terms.id"), index=True)
    description: Mapped[str | None] = mapped_column(Text)

    street: Mapped[str | None] = mapped_column(String(255))
    house_number: Mapped[str | None] = mapped_column(String(32))
    postcode: Mapped[str | None] = mapped_column(String(10), index=True)
    city: Mapped[str | None] = mapped_column(String(128))
    region_id: Mapped[int | None] = mapped_column(
        ForeignKey("regions.id", ondelete="SET NULL"), index=True
    )
    # Nullable: a place may be listed without a known position.
    geom: Mapped[WKBElement | None] = mapped_column(
        Geometry("POINT", srid=4326, spatial_index=True), nullable=True
    )

    email: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(64))
    website: Mapped[str | None] = mapped_column(String(500))
    opening_hours: Mapped[str | None] = mapped_column(String(500))  # OSM opening_hours syntax
    opening_hours_note: Mapped[str | None] = mapped_column(Text)
    languages: Mapped[list[str]] = mapped_column(JSONType, default=list)  # ISO 639-1 codes

    # Structured accessibility; None means "not known", which differs from "no".
    step_free: Mapped[bool | None] = mapped_column(Boolean)
    accessible_toilet: Mapped[bool | None] = mapped_column(Boolean)
    parking: Mapped[bool | None] = mapped_column(Boolean)
    induction_loop: Mapped[bool | None] = mapped_column(Boolean)
    sign_language: Mapped[bool | None] = mapped_column(Boolean)
    accessibility_note: Mapped[str | None] = mapped_column(Text)
    # Digest of the record the source's last import read for this entry; a refresh skips the
    # row while it is the same (NULL: read it in full next time). See services/fingerprints.py.
    import_fingerprint: Mapped[str | None] = mapped_column(String(32))

    organization: Mapped[Organization | None] = relationship()
    kind: Mapped[Term | None] = relationship()
    region: Mapped[Region | None] = relationship()
    areas: Mapped[list[Term]] = relationship(secondary=location_areas, order_by=Term.position)

    @property
    def address(self) -> str:
        """Return the postal address on one line."""
        street = " ".join(p for p in (self.street, self.house_number) if p)
        town = " ".join(p for p in (self.postcode, self.city) if p)
        return ", ".join(p for p in (street, town) if p)

    def __repr__(self) -> str:
        return f"<Location {self.id} {self.name!r}>"
