"""Reachability runs: travel times from where people live to the nearest Lernort of a kind."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .common import JSONType, utcnow


class ReachRun(db.Model):
    """One `kbm-map monitoring reach`: a network, a mode, a selection of Lernorte."""

    __tablename__ = "reach_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    mode: Mapped[str] = mapped_column(String(8), index=True)  # walk, bike, car
    network_file: Mapped[str] = mapped_column(String(255))
    network_bytes: Mapped[int] = mapped_column(BigInteger)
    node_count: Mapped[int] = mapped_column(Integer)
    edge_count: Mapped[int] = mapped_column(Integer)
    # Which Lernorte counted: the search filters as URL arguments, e.g. "area=schule".
    selection: Mapped[str] = mapped_column(Text, default="")
    thresholds: Mapped[list] = mapped_column(JSONType, default=list)  # minutes
    population_source: Mapped[str] = mapped_column(String(255))  # "streets" or the grid file
    # True when each Gemeinde's population was spread over its streets (no grid given).
    approximated: Mapped[bool] = mapped_column(Boolean, default=True)
    notes: Mapped[list] = mapped_column(JSONType, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)

    results: Mapped[list[ReachResult]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="ReachResult.id"
    )
    layers: Mapped[list[ReachLayer]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="ReachLayer.id"
    )

    def results_for(self, kind: str) -> list[ReachResult]:
        """Return the figures of one kind: each Gemeinde, then the whole area."""
        return [r for r in self.results if r.kind == kind]

    def layer_for(self, kind: str) -> ReachLayer | None:
        """Return the map layer of one kind."""
        return next((layer for layer in self.layers if layer.kind == kind), None)

    def __repr__(self) -> str:
        return f"<ReachRun {self.id} {self.mode} {self.network_file!r}>"


class ReachResult(db.Model):
    """The figures of one kind of Lernort in one Gemeinde (or, without a code, the area)."""

    __tablename__ = "reach_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("reach_runs.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(64))  # Term code of the location kind
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id", ondelete="SET NULL"))
    # Kept as they were at the run; NULL code: the whole area (all Gemeinden together).
    region_code: Mapped[str | None] = mapped_column(String(12))
    region_name: Mapped[str] = mapped_column(String(255))
    population: Mapped[float] = mapped_column(Float)
    within: Mapped[dict] = mapped_column(JSONType, default=dict)  # {"15": inhabitants}
    not_reachable: Mapped[float] = mapped_column(Float, default=0.0)
    not_covered: Mapped[float] = mapped_column(Float, default=0.0)
    # Of the population the network covers; NULL: more than the largest threshold (or none).
    median_minutes: Mapped[float | None] = mapped_column(Float)

    run: Mapped[ReachRun] = relationship(back_populates="results")

    @property
    def is_total(self) -> bool:
        """Tell whether these are the figures of the whole area."""
        return self.region_code is None

    def share(self, minutes: int) -> float | None:
        """Return the share (0–1) of the population within the minutes, None without people."""
        if not self.population:
            return None
        return self.within.get(str(minutes), 0.0) / self.population


class ReachLayer(db.Model):
    """The map of one kind: population-weighted travel time per grid cell, and its legend."""

    __tablename__ = "reach_layers"
    __table_args__ = (UniqueConstraint("run_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("reach_runs.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    lernorte: Mapped[int] = mapped_column(Integer)  # of the selection, with a position
    lernorte_on_network: Mapped[int] = mapped_column(Integer)  # within reach of a street
    cell_size: Mapped[int] = mapped_column(Integer)  # metres, EPSG:3035
    # [[column, row, population, median minutes or null, class], …]; column = floor(x / size)
    cells: Mapped[list] = mapped_column(JSONType, default=list)
    legend: Mapped[list] = mapped_column(
        JSONType, default=list
    )  # [{"class", "from", "to", "colour"}]

    run: Mapped[ReachRun] = relationship(back_populates="layers")
