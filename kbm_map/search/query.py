"""What the service layer asks the search engine and what it gets back."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from markupsafe import Markup

# Multi-valued facets: OR within one, AND across them. The keys are SearchQuery fields.
LIST_FACETS = ("type", "areas", "kinds", "topics", "target_groups", "languages", "regions")
FLAG_FACETS = ("free", "step_free", "online")
FACETS = LIST_FACETS + FLAG_FACETS
SORTS = ("relevance", "distance", "start", "name")


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
    type: list[str] = field(default_factory=list)  # "location", "offer"
    areas: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    target_groups: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    free: bool | None = None  # None: no filter; True: only free ones
    step_free: bool | None = None
    online: bool | None = None
    age: int | None = None  # min_age <= age <= max_age, a missing bound is open
    date_from: dt.date | None = None  # documents without any date always pass
    date_to: dt.date | None = None
    near: Near | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    facets: tuple[str, ...] = FACETS

    def __post_init__(self) -> None:
        """Reject values the engine cannot answer, with a message naming the field."""
        if self.sort not in SORTS:
            raise ValueError(f"sort must be one of {', '.join(SORTS)}, not {self.sort!r}")
        if self.page < 1 or not 1 <= self.per_page <= 1000:
            raise ValueError("page must be >= 1 and per_page between 1 and 1000")
        unknown = set(self.facets) - set(FACETS)
        if unknown:
            raise ValueError(f"unknown facets: {', '.join(sorted(unknown))}")


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
    facets: dict[str, dict[str, int]]
    suggestion: str | None = None  # "did you mean", set when the words as typed found nothing
    fuzzy: bool = False  # True when hits come from the typo-tolerant fallback
    page: int = 1
    per_page: int = 20
