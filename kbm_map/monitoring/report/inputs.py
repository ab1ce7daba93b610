"""What the report is given besides the coverage: gap findings and reachability, as plain data.

The gap rules and the reachability computation hand their results over as these dataclasses
or as dicts with the same keys (JSON-like), so the report depends on neither module.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from ...errors import KbmMapError

MINUTES = (5, 10, 15, 30)
MODES = {"walk": _l("zu Fuß"), "bike": _l("mit dem Fahrrad"), "car": _l("mit dem Auto")}
PERCENT = "%"  # unit of shares: value and target between 0 and 1, shown as percentages


class ReportError(KbmMapError):
    """The report cannot be made as asked (unknown format, section or indicator, bad input)."""


@dataclass(frozen=True)
class Gap:
    """A Gemeinde that misses a gap rule, and by how much.

    `value` and `target` are in the rule's `unit`; with unit "%" they are shares between 0
    and 1, and the distance is given in percentage points. `shortfall` replaces the computed
    distance where the rule says it in words.
    """

    code: str
    name: str
    rule: str
    value: float | None = None
    target: float | None = None
    unit: str = ""
    shortfall: str = ""


@dataclass(frozen=True)
class ReachRow:
    """The share of a Gemeinde's population (0–1) that reaches a Lernort within n minutes."""

    code: str
    name: str
    within: Mapping[int, float | None]
    population: int | None = None


@dataclass(frozen=True)
class Reach:
    """Reachability of one kind of Lernort by one mode (walk, bike, car), per Gemeinde."""

    kind: str  # the kind of Lernort in words, e.g. "Grundschule"
    mode: str  # walk | bike | car
    rows: Sequence[ReachRow]
    minutes: tuple[int, ...] = MINUTES
    total: ReachRow | None = None
    method: str = ""  # how it was computed (network, speeds), for the method notes
    approximate: bool = False  # population spread over residential street nodes

    @property
    def mode_text(self) -> str:
        """Return the mode in words ("mit dem Fahrrad")."""
        return str(MODES.get(self.mode, self.mode))


@dataclass(frozen=True)
class Attribution:
    """Attribution strings of the data the report shows besides the population."""

    outlines: str = ""  # e.g. "© GeoBasis-DE / BKG 2021 (Daten verändert)"
    network: str = "© OpenStreetMap contributors, ODbL"  # shown with reachability only
    listings: Sequence[str] = field(default_factory=tuple)  # sources of the Lernorte/Angebote


def _build(cls, item, what: str):
    """Make a dataclass from an instance or a mapping with its field names."""
    if isinstance(item, cls):
        return item
    if not isinstance(item, Mapping):
        raise ReportError(f"{what}: expected a {cls.__name__} or a mapping, got {item!r}")
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(item) - names)
    if unknown:
        raise ReportError(f"{what}: unknown field(s) {', '.join(unknown)}")
    try:
        return cls(**item)
    except TypeError as exc:
        raise ReportError(f"{what}: {exc}") from None


def gaps_of(items: Sequence | None) -> list[Gap]:
    """Return gap findings as Gap objects."""
    return [_build(Gap, item, f"gap {n}") for n, item in enumerate(items or (), start=1)]


def reach_of(items: Sequence | None) -> list[Reach]:
    """Return reachability tables as Reach objects (rows and minutes from dicts too)."""
    found = []
    for n, item in enumerate(items or (), start=1):
        reach = _build(Reach, item, f"reachability table {n}")
        rows = [_reach_row(row, f"reachability table {n}, row") for row in reach.rows]
        total = _reach_row(reach.total, f"reachability table {n}, total") if reach.total else None
        minutes = tuple(int(m) for m in reach.minutes)
        found.append(dataclasses.replace(reach, rows=rows, total=total, minutes=minutes))
    return found


def _reach_row(item, what: str) -> ReachRow:
    """Return a ReachRow with whole-number minutes (JSON keys are strings)."""
    row = _build(ReachRow, item, what)
    try:
        within = {int(m): share for m, share in row.within.items()}
    except (AttributeError, ValueError):
        raise ReportError(f"{what} {row.name}: within must map minutes to shares") from None
    return dataclasses.replace(row, within=within)
