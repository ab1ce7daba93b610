"""The postcode gazetteer: places per postcode with a centroid, for offline geocoding."""

from __future__ import annotations

from sqlalchemy import Float, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class PostcodePlace(db.Model):
    """One place within a postcode area (GeoNames lists several per postcode)."""

    __tablename__ = "postcode_places"

    id: Mapped[int] = mapped_column(primary_key=True)
    postcode: Mapped[str] = mapped_column(String(10), index=True)
    place: Mapped[str] = mapped_column(String(255))
    # The place folded for matching ("Frankfurt am Main" and "frankfurt a.m." differ; case,
    # umlauts and punctuation do not), see kbm_map.geo.gazetteer.place_key.
    place_key: Mapped[str] = mapped_column(String(255))
    community_code: Mapped[str | None] = mapped_column(String(12))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)

    def __repr__(self) -> str:
        return f"<PostcodePlace {self.postcode} {self.place!r}>"
