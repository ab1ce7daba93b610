"""The monitoring's URL parameters: the search filters plus a reference date and a comparison."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from ..finding import ParamError, SearchParams, parse_params

EXTRA = ("date", "compare", "indicator")
EARLIEST = dt.date(2000, 1, 1)


@dataclass
class MonitoringRequest:
    """Validated monitoring parameters."""

    params: SearchParams
    day: dt.date
    compare: dt.date | None
    indicator: str | None


def _day(args: MultiDict, name: str, today: dt.date) -> dt.date | None:
    """Read a reference date between 2000 and today."""
    raw = args.get(name, "").strip()
    if not raw:
        return None
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise ParamError(name, str(_l("erwartet ein Datum wie 2026-03-31"))) from None
    if not EARLIEST <= day <= today:
        raise ParamError(
            name, str(_l("liegt nicht zwischen %(a)s und heute", a=EARLIEST.isoformat()))
        )
    return day


def parse_monitoring(args: MultiDict, indicators: tuple[str, ...] = ()) -> MonitoringRequest:
    """Validate filters, date, compare (and an indicator key), or raise ParamError."""
    for name in EXTRA:
        if len(args.getlist(name)) > 1:
            raise ParamError(name, str(_l("darf nur einmal vorkommen")))
    today = dt.date.today()
    params = parse_params(args, allow=EXTRA)
    if params.q:
        raise ParamError("q", str(_l("Zahlen gibt es für Filter, nicht für Suchbegriffe")))
    day = _day(args, "date", today) or today
    compare = _day(args, "compare", today)
    if compare is not None and compare == day:
        raise ParamError("compare", str(_l("ist derselbe Tag wie date")))
    indicator = args.get("indicator", "").strip() or None
    if indicator is not None and indicator not in indicators:
        raise ParamError("indicator", str(_l("erlaubt sind %(v)s", v=", ".join(indicators))))
    return MonitoringRequest(params, day, compare, indicator)
