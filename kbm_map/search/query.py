"""What the read side asks a search backend and what it gets back.

The search package knows no filter by name: the facets an index holds come from a
`FacetLayout` that the filter registry (kbm_map/finding/filters.py) builds, so adding a
filter never touches the engines.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from markupsafe import Markup

SORTS = ("relevance", "distance", "start", "name")


@dataclass(frozen=True)
class FacetLayout:
    """The facets of an index: lists of codes (OR within one, AND across) and yes/no flags."""

    lists: tuple[str, ...]
    flags: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """Return every facet name, lists first."""
        return self.lists + self.flags

    def fingerprint(self) -> str:
        """Return a short digest that changes whenever the layout does (stored with an index)."""
        text = "lists=" + ",".join(self.lists) + ";flags=" + ",".join(self.flags)
        return hashlib.sha1(text.encode()).hexdigest()[:12]  # noqa: S324 - not for security

    def check(self, query: SearchQuery) -> None:
        """Raise ValueError naming any facet of the query this layout does not hold."""
        unknown = (set(query.terms) - set(self.lists)) | (set(query.flags) - set(self.flags))
        if query.facets is not None:
            unknown |= set(query.facets) - set(self.names)
        if unknown:
            raise ValueError(f"unknown facets: {', '.join(sorted(unknown))}")


@dataclass(frozen=True)
class Near:
    """A circle to search in: WGS84 longitude/latitude and a radius in metres."""

    lon: float
    lat: float
    radius_m: float


@dataclass
class SearchQuery:
    """A search: text, filters, sort order, page and the facets to count."""

    text: str = ""
    terms: Mapping[str, Sequence[str]] = field(default_factory=dict)  # list facet -> any of
    flags: Mapping[str, bool] = field(default_factory=dict)  # True: with; False: without
    age: int | None = None  # min_age <= age <= max_age, a missing bound is open
    date_from: dt.date | None = None  # documents without any date always pass
    date_to: dt.date | None = None
    near: Near | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    facets: tuple[str, ...] | None = None  # the facets to count; None: all of the layout

    def __post_init__(self) -> None:
        """Reject values no engine can answer, with a message naming the field."""
        if self.sort not in SORTS:
            raise ValueError(f"sort must be one of {', '.join(SORTS)}, not {self.sort!r}")
        if self.page < 1 or not 1 <= self.per_page <= 1000:
            raise ValueError("page must be >= 1 and per_page between 1 and 1000")
        self.terms = {name: list(values) for name, values in self.terms.items() if values}

    def selected(self, name: str) -> list[str]:
        """Return the values selected in a list facet."""
        return list(self.terms.get(name, ()))


@dataclass
class Hit:
    """One found document: its id, score, highlighted fields and distance."""

    id: str
    score: float
    highlights: dict[str, Markup]  # "title", "description": escaped text with <mark> tags
    distance_m: float | None = None


@dataclass
class SearchResult:
    """One page of hits, the total, facet counts and a spelling suggestion."""

    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]  # flags count under the value "true"
    suggestion: str | None = None  # "did you mean", set when the words as typed found nothing
    fuzzy: bool = False  # True when hits come from the typo-tolerant fallback
    page: int = 1
    per_page: int = 20
