"""Population figures per region, reference date and age group, from official statistics."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, Index, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .common import utcnow


class PopulationFigure(db.Model):
    """The inhabitants of one region in one age group on one reference date, from one source.

    `code` is the AGS as text (leading zeros kept); it names a region or the Kreis of
    regions (whose age shares serve to estimate the Gemeinden's age groups). `age_group`
    is a half-open range of years ("0-3", "6-10", "75-") or "total".
    """

    __tablename__ = "population_figures"
    __table_args__ = (
        UniqueConstraint("source", "reference_date", "code", "age_group"),
        Index("ix_population_figures_code_date", "code", "reference_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12))
    reference_date: Mapped[date] = mapped_column(Date)  # Stichtag
    age_group: Mapped[str] = mapped_column(String(16))
    value: Mapped[int] = mapped_column(Integer)
    # The source publishes this figure as an estimate (estimates kbm-map makes are not stored).
    estimated: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The import's name (default: the file name); a new import of it replaces its figures
    # for the same reference date.
    source: Mapped[str] = mapped_column(String(128))
    publisher: Mapped[str | None] = mapped_column(String(255))  # e.g. Destatis, Gemeindeverzeichnis
    licence: Mapped[str | None] = mapped_column(String(64))
    attribution: Mapped[str | None] = mapped_column(String(255))
    imported_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<PopulationFigure {self.code} {self.reference_date} {self.age_group}={self.value}>"
