"""Change reports and offer suggestions sent by the public, waiting for staff to decide."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .common import JSONType, utcnow
from .user import User


class ReportKind(enum.StrEnum):
    """What a citizen sent."""

    CHANGE = "change"  # "Änderung melden" on a Lernort or Angebot
    SUGGESTION = "suggestion"  # "Angebot vorschlagen"


class ReportStatus(enum.StrEnum):
    """Where a report stands in the moderation queue."""

    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class ChangeReport(db.Model):
    """A message from the public; no IP address or other tracking data is kept."""

    __tablename__ = "change_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default=ReportKind.CHANGE.value)
    entity_type: Mapped[str | None] = mapped_column(String(32))  # location, offer
    entity_id: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text, default="")
    # {"phone": "0661 12345", ...}: corrections proposed for single fields
    proposed: Mapped[dict] = mapped_column(JSONType, default=dict)
    reporter_email: Mapped[str | None] = mapped_column(String(255))
    language: Mapped[str] = mapped_column(String(8), default="de")
    status: Mapped[str] = mapped_column(String(16), default=ReportStatus.OPEN.value, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision_note: Mapped[str | None] = mapped_column(Text)
    # The offer a suggestion became, or the entry a change was applied to.
    result_id: Mapped[int | None] = mapped_column(Integer)

    decided_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<ChangeReport {self.id} {self.kind} {self.status}>"
