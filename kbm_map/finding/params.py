"""Search parameters in URLs: one vocabulary for the results page, the API and the map.

The filter parameters are the registry's (filters.py); the others (text, age, dates, place,
sort, paging) are declared here. Every parameter is validated; anything unknown or
malformed becomes a `ParamError` naming the parameter, which the page shows and the API
answers with a 400.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from ..errors import KbmMapError
from ..search import Near, SearchQuery
from .filters import FLAG_FILTERS, LIST_FILTERS

LIST_PARAMS = tuple(f.name for f in LIST_FILTERS)  # several values: OR within one
FLAG_PARAMS = tuple(f.name for f in FLAG_FILTERS)  # =1
CHOICES = {f.name: f.choices for f in LIST_FILTERS if f.choices}
WHEN_VALUES = ("today", "week", "month")
SORT_VALUES = ("relevance", "distance", "start", "name")
SCALAR_PARAMS = ("q", "age", "when", "from", "to", "near", "radius", "sort", "page", "per_page")
KNOWN_PARAMS = (*SCALAR_PARAMS, *LIST_PARAMS, *FLAG_PARAMS)
EXTRA_PARAMS = ("bbox", "zoom")  # map only
CODE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
LAT_LON = re.compile(r"^\s*(-?\d{1,2}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*$")
MAX_QUERY_LENGTH = 200
DEFAULT_RADIUS_KM = 10


class ParamError(KbmMapError):
    """A search parameter is unknown or malformed."""

    def __init__(self, param: str, message: str):
        super().__init__(f"{param}: {message}")
        self.param = param
        self.message = message


@dataclass
class SearchParams:
    """The validated parameters of a search, as they appear in the URL."""

    q: str = ""
    lists: dict[str, list[str]] = field(default_factory=dict)  # URL name → values
    flags: dict[str, bool] = field(default_factory=dict)
    age: int | None = None
    when: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    near: str = ""
    radius_km: int = DEFAULT_RADIUS_KM
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20

    def values(self, name: str) -> list[str]:
        """Return the selected values of a list parameter."""
        return self.lists.get(name, [])

    def to_args(self, **changes) -> MultiDict:
        """Return the URL arguments of this search, with some changed (for links)."""
        args: list[tuple[str, str]] = []
        plain = {
            "q": self.q,
            "age": self.age,
            "when": self.when,
            "near": self.near,
            "from": self.date_from.isoformat() if self.date_from and not self.when else None,
            "to": self.date_to.isoformat() if self.date_to and not self.when else None,
            "radius": self.radius_km if self.near and self.radius_km != DEFAULT_RADIUS_KM else None,
            "sort": self.sort if self.sort != "relevance" else None,
            "page": self.page if self.page > 1 else None,
        }
        plain.update({k: v for k, v in changes.items() if k in plain})
        for name, value in plain.items():
            if value not in (None, ""):
                args.append((name, str(value)))
        for name in LIST_PARAMS:
            for value in changes.get(name, self.values(name)):
                args.append((name, value))
        for name in FLAG_PARAMS:
            if changes.get(name, self.flags.get(name)):
                args.append((name, "1"))
        return MultiDict(args)

    def toggled(self, name: str, value: str) -> MultiDict:
        """Return the URL arguments with one facet value switched on or off (page reset)."""
        if name in FLAG_PARAMS:
            return self.to_args(**{name: not self.flags.get(name)}, page=None)
        current = self.values(name)
        new = [v for v in current if v != value] if value in current else [*current, value]
        return self.to_args(**{name: new}, page=None)

    @property
    def active_filters(self) -> int:
        """Count the filters in use (for "remove all filters")."""
        return (
            sum(len(v) for v in self.lists.values())
            + sum(self.flags.values())
            + (self.age is not None)
            + bool(self.when or self.date_from or self.date_to)
            + bool(self.near)
        )


def _int(args: MultiDict, name: str, low: int, high: int, default: int | None) -> int | None:
    """Read a whole number within bounds."""
    raw = args.get(name, "").strip()
    if raw == "":
        return default
    if not re.fullmatch(r"\d{1,6}", raw) or not low <= int(raw) <= high:
        raise ParamError(
            name, str(_l("erwartet eine ganze Zahl von %(low)s bis %(high)s", low=low, high=high))
        )
    return int(raw)


def _date(args: MultiDict, name: str) -> dt.date | None:
    """Read an ISO date (YYYY-MM-DD)."""
    raw = args.get(name, "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ParamError(name, str(_l("erwartet ein Datum wie 2026-03-31"))) from None


def parse_params(
    args: MultiDict, allow: tuple[str, ...] = (), max_per_page: int = 100
) -> SearchParams:
    """Validate URL arguments into SearchParams, or raise ParamError for the first problem."""
    unknown = sorted(set(args) - set(KNOWN_PARAMS) - set(allow))
    if unknown:
        raise ParamError(
            unknown[0],
            str(
                _l(
                    "unbekannter Parameter; bekannt sind: %(known)s",
                    known=", ".join((*KNOWN_PARAMS, *allow)),
                )
            ),
        )
    for name in SCALAR_PARAMS:
        if len(args.getlist(name)) > 1:
            raise ParamError(name, str(_l("darf nur einmal vorkommen")))
    params = SearchParams()
    params.q = args.get("q", "").strip()
    if len(params.q) > MAX_QUERY_LENGTH:
        raise ParamError("q", str(_l("ist länger als %(n)s Zeichen", n=MAX_QUERY_LENGTH)))
    for name in LIST_PARAMS:
        values = [v.strip() for v in args.getlist(name) if v.strip()]
        bad = next((v for v in values if not CODE.match(v)), None)
        if bad is not None:
            raise ParamError(name, str(_l("ungültiger Wert")))
        if name in CHOICES and set(values) - set(CHOICES[name]):
            allowed = ", ".join(CHOICES[name])
            raise ParamError(name, str(_l("erlaubt sind %(v)s", v=allowed)))
        if values:
            params.lists[name] = list(dict.fromkeys(values))
    for name in FLAG_PARAMS:
        raw = args.get(name, "")
        if raw not in ("", "0", "1", "true", "false", "on"):
            raise ParamError(name, str(_l("erlaubt sind 1 oder 0")))
        if raw in ("1", "true", "on"):
            params.flags[name] = True
    params.age = _int(args, "age", 0, 120, None)
    params.when = args.get("when", "").strip()
    if params.when and params.when not in WHEN_VALUES:
        raise ParamError("when", str(_l("erlaubt sind today, week, month")))
    params.date_from, params.date_to = _date(args, "from"), _date(args, "to")
    if params.date_from and params.date_to and params.date_from > params.date_to:
        raise ParamError("to", str(_l("liegt vor dem Anfangsdatum")))
    params.near = args.get("near", "").strip()[:100]
    params.radius_km = _int(args, "radius", 1, 50, DEFAULT_RADIUS_KM)
    params.sort = args.get("sort", "relevance").strip() or "relevance"
    if params.sort not in SORT_VALUES:
        raise ParamError("sort", str(_l("erlaubt sind %(v)s", v=", ".join(SORT_VALUES))))
    if params.sort == "distance" and not params.near:
        raise ParamError("sort", str(_l("Sortierung nach Entfernung braucht einen Ort (near)")))
    params.page = _int(args, "page", 1, 10_000, 1)
    params.per_page = _int(args, "per_page", 1, max_per_page, 20)
    return params


def date_range(params: SearchParams, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """Turn "today", "week", "month" or from/to into a date range."""
    if params.when == "today":
        return today, today
    if params.when == "week":
        return today, today + dt.timedelta(days=6 - today.weekday())
    if params.when == "month":
        next_month = (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return today, next_month - dt.timedelta(days=1)
    return params.date_from, params.date_to


def to_query(
    params: SearchParams,
    near: tuple[float, float] | None,
    today: dt.date,
    facets: tuple[str, ...] | None = None,
) -> SearchQuery:
    """Build the search engine's query from validated parameters and a resolved position."""
    date_from, date_to = date_range(params, today)
    return SearchQuery(
        text=params.q,
        terms=dict(params.lists),
        flags={name: True for name, on in params.flags.items() if on},
        facets=facets,
        age=params.age,
        date_from=date_from,
        date_to=date_to,
        near=Near(lon=near[0], lat=near[1], radius_m=params.radius_km * 1000) if near else None,
        sort=params.sort,
        page=params.page,
        per_page=params.per_page,
    )
