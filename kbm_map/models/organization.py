"""Organizations (Träger, Anbieter) that run Lernorte and provide offers."""

from __future__ import annotations

import enum

from sqlalchemy import Boolean, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .common import TimestampMixin


class OrganizationKind(enum.StrEnum):
    """Legal kind of a provider."""

    PUBLIC = "public"
    NONPROFIT = "nonprofit"
    PRIVATE = "private"


class Organization(TimestampMixin, db.Model):
    """A Träger or Anbieter."""

    __tablename__ = "organizations"
    __table_args__ = (UniqueConstraint("source", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), index=True)
    kind: Mapped[str | None] = mapped_column(String(16))
    description: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(64))
    website: Mapped[str | None] = mapped_column(String(500))
    source: Mapped[str | None] = mapped_column(String(64))
    external_id: Mapped[str | None] = mapped_column(String(128))
    # Archived entries stay for history and old links but are offered for no new entry.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    def __repr__(self) -> str:
        return f"<Organization {self.id} {self.name!r}>"
