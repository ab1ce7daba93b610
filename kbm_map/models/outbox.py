"""Index work a write committed with its data and the search index has not done yet."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .common import utcnow


class IndexOutbox(db.Model):
    """One entry to bring up to date in the index, or (kind "all") a whole rebuild.

    Rows are written in the transaction of the data change and deleted once the index has
    the change; `batch` names the write that added them, so each writer deletes only its own.
    """

    __tablename__ = "index_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # location, offer, all
    entity_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
