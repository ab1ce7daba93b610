"""Column types and mixins shared by the models."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import JSON, DateTime, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

# JSONB on PostgreSQL (indexable, compact), plain JSON text on SQLite.
JSONType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    """Return the current time as naive UTC (stored alike on SQLite and PostgreSQL)."""
    return datetime.now(UTC).replace(tzinfo=None)


class Status(enum.StrEnum):
    """Publication status of a listing; only published entries are public."""

    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class TimestampMixin:
    """created_at / updated_at; updated_at moves only when a column really changes."""

    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class ListingMixin(TimestampMixin):
    """Fields every public listing (Lernort, Angebot) has: status, freshness, provenance."""

    status: Mapped[str] = mapped_column(String(16), default=Status.DRAFT.value, index=True)
    checked_at: Mapped[datetime | None] = mapped_column(DateTime)
    source: Mapped[str | None] = mapped_column(String(64), index=True)
    external_id: Mapped[str | None] = mapped_column(String(128))
    # Fields changed by staff by hand; imports and refreshes leave them alone.
    edited_fields: Mapped[list[str]] = mapped_column(JSONType, default=list)

    @property
    def is_public(self) -> bool:
        """Tell whether citizens may see this entry."""
        return self.status == Status.PUBLISHED.value
