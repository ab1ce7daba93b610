"""Taxonomies with translatable labels: Bildungsbereiche, kinds, topics, target groups."""

from __future__ import annotations

import enum

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .common import JSONType


class Vocabulary(enum.StrEnum):
    """The taxonomies a term can belong to."""

    AREA = "area"
    LOCATION_KIND = "location_kind"
    TOPIC = "topic"
    TARGET_GROUP = "target_group"


class Term(db.Model):
    """One entry of a taxonomy, e.g. the Bildungsbereich 'Frühkindliche Bildung'."""

    __tablename__ = "terms"
    __table_args__ = (UniqueConstraint("vocabulary", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vocabulary: Mapped[str] = mapped_column(String(32), index=True)
    code: Mapped[str] = mapped_column(String(64))
    # {"de": "Frühkindliche Bildung", "en": "Early childhood education", ...}
    labels: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def label(self, locale: str = "de") -> str:
        """Return the label in the given language, falling back to German, then the code."""
        return self.labels.get(locale) or self.labels.get("de") or self.code

    def __repr__(self) -> str:
        return f"<Term {self.vocabulary}:{self.code}>"


def association(name: str, left: str) -> Table:
    """Build a many-to-many table between a listing table and terms."""
    return Table(
        name,
        db.metadata,
        Column(f"{left}_id", ForeignKey(f"{left}s.id", ondelete="CASCADE"), primary_key=True),
        # The primary key serves lookups by listing; facets and counts look up by term.
        Column("term_id", ForeignKey("terms.id", ondelete="CASCADE"), primary_key=True, index=True),
    )


location_areas = association("location_areas", "location")
offer_areas = association("offer_areas", "offer")
offer_topics = association("offer_topics", "offer")
offer_target_groups = association("offer_target_groups", "offer")
