"""Audit trail, import sources and import runs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .common import JSONType, TimestampMixin, utcnow
from .user import User


class AuditEntry(db.Model):
    """Who changed which fields of which entry when, with old and new values."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_type: Mapped[str] = mapped_column(String(32))  # location, offer, organization …
    entity_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))  # create, update, archive, restore
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    origin: Mapped[str] = mapped_column(String(80))  # staff, import:<source>, report, demo
    # {"field": [old, new], ...}
    changes: Mapped[dict] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)

    user: Mapped[User | None] = relationship()


class Source(TimestampMixin, db.Model):
    """A configured import source that `kbm-map refresh` re-reads."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    location: Mapped[str] = mapped_column(String(1000))  # file path or URL
    mapping: Mapped[str] = mapped_column(String(1000))  # mapping file path
    last_run_at: Mapped[datetime | None] = mapped_column(DateTime)
    # What else decided the rows' mapping at the last successful run (mapping file,
    # taxonomy, …), and when that run began: rows changed later by anyone are re-read.
    context_fingerprint: Mapped[str | None] = mapped_column(String(64))
    fingerprinted_at: Mapped[datetime | None] = mapped_column(DateTime)


class ImportRun(db.Model):
    """One import or refresh of a source: counts and rejected rows with reasons."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_name: Mapped[str] = mapped_column(String(64), index=True)
    file_name: Mapped[str] = mapped_column(String(1000))
    mapping: Mapped[str | None] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(16), default="running")  # done, failed, dry-run
    dry_run: Mapped[bool] = mapped_column(default=False)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    # {"new": 3, "changed": 1, "unchanged": 100, "withdrawn": 0, "rejected": 2, ...}
    counts: Mapped[dict] = mapped_column(JSONType, default=dict)
    # [{"row": 12, "field": "lat", "reason": "..."}]
    rejected: Mapped[list] = mapped_column(JSONType, default=list)
    message: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
