"""Regions (Gemeinden, Kreise) with their polygons and population."""

from __future__ import annotations

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import Boolean, Integer, String, true
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .common import TimestampMixin

KREIS_DIGITS = 5  # an AGS of 5 digits names a Kreis; a Gemeinde's begins with its Kreis's


class Region(TimestampMixin, db.Model):
    """A Gemeinde or Kreis; Lernorte are assigned to it by point in polygon."""

    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)  # AGS
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str | None] = mapped_column(String(64))  # Gemeinde, Stadt, Landkreis …
    population: Mapped[int | None] = mapped_column(Integer)
    # Credit line of the outline's source, e.g. "© GeoBasis-DE / BKG 2021 (Daten verändert)".
    attribution: Mapped[str | None] = mapped_column(String(255))
    geom: Mapped[WKBElement | None] = mapped_column(
        Geometry("MULTIPOLYGON", srid=4326, spatial_index=True), nullable=True
    )
    # Archived entries stay for history and old links but are offered for no new entry.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    def __repr__(self) -> str:
        return f"<Region {self.code} {self.name!r}>"
