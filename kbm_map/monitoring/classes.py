"""Choropleth classes: quantiles of the distinct values, rounded to round numbers.

Quantiles of the distinct values (not of all values) keep a heap of equal values, such as
many Gemeinden with no Angebot at all, from swallowing every class. Zero gets a class of its
own where it occurs, since "none" is the figure a committee asks about first. The inner
breaks are rounded to the coarsest step (1, 0.1, 0.01 …) that keeps every class non-empty,
so a legend never reads "0,0 – < 0,0". Fewer distinct values than classes: one class per
value. Missing values (no population figure) fall in no class: the charts show them as
"keine Angabe".
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from flask_babel import lazy_gettext as _l

from .numbers import number

# ColorBrewer YlGnBu (colour-blind safe), without its darkest shade, so that every fill keeps
# a contrast of at least 3:1 (WCAG 1.4.11) against the dark outlines (OUTLINE).
PALETTE = ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8")
OUTLINE = "#1a1a1a"
MAX_CLASSES = len(PALETTE)


@dataclass(frozen=True)
class ValueClass:
    """One class of a choropleth: low ≤ value < high (None: open), or exactly low."""

    low: float | None
    high: float | None
    label: str
    fill: str
    exact: bool = False

    def contains(self, value: float) -> bool:
        """Tell whether a value falls in this class."""
        if self.exact:
            return value == self.low
        return (self.low is None or value >= self.low) and (self.high is None or value < self.high)


@dataclass(frozen=True)
class Breaks:
    """The classes of a choropleth, lowest first."""

    classes: tuple[ValueClass, ...]
    missing_label: str = ""

    def index(self, value: float | None) -> int | None:
        """Return the class of a value, or None for a missing value."""
        if value is None or not math.isfinite(value):
            return None
        for position, value_class in enumerate(self.classes):
            if value_class.contains(value):
                return position
        return None

    def fill(self, value: float | None) -> str | None:
        """Return the fill colour of a value's class (None: keine Angabe)."""
        position = self.index(value)
        return None if position is None else self.classes[position].fill


def class_breaks(
    values: Iterable[float | None], classes: int = 5, locale: str | None = None
) -> Breaks:
    """Return up to `classes` choropleth classes for the values, labelled in the locale."""
    if not 1 <= classes <= MAX_CLASSES:
        raise ValueError(f"classes must be between 1 and {MAX_CLASSES}, not {classes}")
    distinct = sorted({float(v) for v in values if v is not None and math.isfinite(v)})
    missing = str(_l("keine Angabe"))
    whole = all(v.is_integer() for v in distinct)
    if len(distinct) <= classes:
        fills = _fills(len(distinct))
        exact = [
            ValueClass(v, v, number(v, 0 if whole else 2, locale), fill, exact=True)
            for v, fill in zip(distinct, fills, strict=True)
        ]
        return Breaks(tuple(exact), missing)
    zero = distinct[0] == 0 and classes > 1
    rest = distinct[1:] if zero else distinct
    edges, exponent = _round_edges(rest, classes - zero, whole)
    decimals = max(0, -exponent)
    lows = [rest[0], *edges]
    highs = [*edges, None]
    labels = [
        _label(lo, hi, decimals, whole, locale, first=i == 0)
        for i, (lo, hi) in enumerate(zip(lows, highs, strict=True))
    ]
    if zero and not whole:
        labels[0] = str(_l("über 0 bis unter %(high)s", high=number(highs[0], decimals, locale)))
    if len(labels) == 1:  # a single class of all values
        labels[0] = _range(rest[0], rest[-1], 0 if whole else 2, locale)
    fills = _fills(len(labels) + zero)
    found = [ValueClass(0.0, 0.0, number(0, 0, locale), fills[0], exact=True)] if zero else []
    lows[0] = math.ulp(0.0) if zero else None  # the lowest class is open downwards
    for low, high, label, fill in zip(lows, highs, labels, fills[zero:], strict=True):
        found.append(ValueClass(low, high, label, fill))
    return Breaks(tuple(found), missing)


def _fills(count: int) -> list[str]:
    """Pick `count` colours spread over the palette (light to dark)."""
    if count <= 1:
        return [PALETTE[len(PALETTE) // 2]] * count
    return [PALETTE[round(i * (len(PALETTE) - 1) / (count - 1))] for i in range(count)]


def _round_edges(values: list[float], classes: int, whole: bool) -> tuple[list[float], int]:
    """Return the inner breaks (quantiles, rounded to 10**exponent) and the exponent used."""
    if classes == 1:
        return [], 0
    wanted = np.quantile(values, [i / classes for i in range(1, classes)]).tolist()
    # a hair over: log10 of 0.0005 / 5 is -4.00000000000005, and the step is 10**-4
    exponent = math.floor(math.log10((values[-1] - values[0]) / classes) + 1e-9)
    if whole:
        exponent = max(exponent, 0)
    best: tuple[list[float], int] = ([], exponent)
    for _ in range(6):  # finer steps until every class is there
        edges = _edges_at(wanted, exponent, values)
        if len(edges) == classes - 1:
            return edges, exponent
        if len(edges) > len(best[0]):
            best = (edges, exponent)
        if whole and exponent == 0:
            break  # counts: breaks stay whole numbers
        exponent -= 1
    return best


def _edges_at(wanted: list[float], exponent: int, values: list[float]) -> list[float]:
    """Round breaks to multiples of 10**exponent; keep those that leave no class empty."""
    step = 10.0**exponent
    edges: list[float] = []
    for edge in wanted:
        rounded = round(round(edge / step) * step, max(0, -exponent))
        below = edges[-1] if edges else -math.inf
        if rounded <= values[0] or rounded > values[-1] or rounded <= below:
            continue
        if any(below <= v < rounded for v in values):
            edges.append(rounded)
    return edges


def _label(
    low: float, high: float | None, decimals: int, whole: bool, locale: str | None, first: bool
) -> str:
    """Label a class [low, high): "unter 1,5", "1,5 bis unter 2,0", "2,0 und mehr" (counts: 3–5)."""
    if high is None:
        return str(_l("%(low)s und mehr", low=number(low, decimals, locale)))
    if whole:
        return _range(low, high - 1, 0, locale)
    if first:
        return str(_l("unter %(high)s", high=number(high, decimals, locale)))
    return str(
        _l(
            "%(low)s bis unter %(high)s",
            low=number(low, decimals, locale),
            high=number(high, decimals, locale),
        )
    )


def _range(low: float, high: float, decimals: int, locale: str | None) -> str:
    """Label a closed range of values: "3–5", or "3" where both ends are the same."""
    first, last = number(low, decimals, locale), number(high, decimals, locale)
    return first if first == last else f"{first}\u2013{last}"
