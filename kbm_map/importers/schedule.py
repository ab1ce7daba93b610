"""Read dates, times and sessions the way German lists write them ('02.03.2026 18:00–19:30')."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from .values import BadValueError, text

# Sessions are stored as local wall-clock time; times with an offset are converted to it.
LOCAL_TIME = ZoneInfo("Europe/Berlin")

_GERMAN = re.compile(
    r"^(?:[A-Za-zÄÖÜäöü]{2,10}\.?,?\s+)?"  # an optional weekday: "Mo., ", "Montag "
    r"(?P<day>\d{1,2})\.\s*(?P<month>\d{1,2})\.\s*(?P<year>\d{4}|\d{2})"
    r"(?:,?\s*(?:um\s+)?(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?::(?P<second>\d{2}))?"
    r"(?:\s*Uhr)?)?$",
    re.IGNORECASE,
)
_TIME = re.compile(r"^(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?::(?P<second>\d{2}))?(?:\s*Uhr)?$")
# "start - end", "start – end", "start bis end", "start/end" (ISO 8601 interval).
_RANGE = re.compile(r"^(?P<start>.+?)\s*(?:\s[-–—]\s|[–—]|\sbis\s|/)\s*(?P<end>.+)$", re.I)
# "02.03.2026 18:00-19:30": a hyphen without blanks between two times.
_TIME_RANGE = re.compile(r"^(?P<start>.*\d{1,2}[:.]\d{2})-(?P<end>\d{1,2}[:.]\d{2}(?:\s*Uhr)?)$")


def parse_datetime(value: Any) -> datetime:
    """Parse '2026-03-02T18:00', '02.03.2026 18:00 Uhr' or a date (midnight) into a datetime."""
    if isinstance(value, datetime):
        return _local(value)
    if isinstance(value, date):
        return datetime.combine(value, time())
    raw = " ".join(text(value).split())
    if not raw:
        raise BadValueError("the date is empty")
    try:
        return _local(datetime.fromisoformat(raw.replace("Z", "+00:00")))
    except ValueError:
        pass
    match = _GERMAN.match(raw)
    if match is None:
        raise BadValueError(f"{raw!r} is not a date and time (e.g. 02.03.2026 18:00)")
    year = int(match["year"])
    year += 2000 if year < 100 else 0
    try:
        return datetime(
            year,
            int(match["month"]),
            int(match["day"]),
            int(match["hour"] or 0),
            int(match["minute"] or 0),
            int(match["second"] or 0),
        )
    except ValueError as error:
        raise BadValueError(f"{raw!r} is not a valid date ({error})") from None


def parse_date(value: Any) -> date:
    """Parse '2026-12-31', '31.12.2026' or a spreadsheet date into a date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    moment = parse_datetime(value)
    if moment.time() != time():
        raise BadValueError(f"{text(value)!r} is a date with a time; give only the date")
    return moment.date()


def parse_session(value: Any) -> tuple[datetime, datetime | None]:
    """Parse one session: a start, or a start and an end (a date and time, or a time that day)."""
    if isinstance(value, datetime | date):
        return parse_datetime(value), None
    raw = " ".join(text(value).split())
    # Fast path for machine-written ISO 8601 ("start" or "start/end"), e.g. our own exports.
    start_text, slash, end_text = raw.partition("/")
    try:
        start = _local(datetime.fromisoformat(start_text))
    except ValueError:
        pass
    else:
        if not slash:
            return start, None
        try:
            end = _local(datetime.fromisoformat(end_text))
        except ValueError:
            return start, session_end(start, end_text, raw)  # "…T18:00/19:30"
        if end < start:
            raise BadValueError(f"session {raw!r} ends before it starts")
        return start, end
    for pattern in (_TIME_RANGE, _RANGE):
        match = pattern.match(raw)
        if match is None:
            continue
        try:
            start = parse_datetime(match["start"])
        except BadValueError:
            continue  # the separator was part of the start, e.g. the hyphens of an ISO date
        return start, session_end(start, match["end"], raw)
    return parse_datetime(raw), None


def session_end(start: datetime, raw_end: str, whole: str) -> datetime:
    """Return the end of a session: a full date and time, or a time on the start's day."""
    clock = _TIME.match(raw_end.strip())
    if clock:
        end = start.replace(
            hour=int(clock["hour"]), minute=int(clock["minute"]), second=int(clock["second"] or 0)
        )
        # "22:00–01:00" ends after midnight.
        return end + timedelta(days=1) if end < start else end
    end = parse_datetime(raw_end)
    if end < start:
        raise BadValueError(f"session {whole!r} ends before it starts")
    return end


def _local(moment: datetime) -> datetime:
    """Return a naive local time; a time with an offset is converted to German time first."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(LOCAL_TIME).replace(tzinfo=None)


_DATE_IN_TEXT = re.compile(r"\b(\d{1,2}\.\s*\d{1,2}\.\s*\d{4}|\d{4}-\d{2}-\d{2})\b")


def date_in_lines(lines: list[str]) -> date | None:
    """Return the first complete date in lines of text ('Stichtag: 31.12.2018'), or None."""
    for line in lines:
        for match in _DATE_IN_TEXT.finditer(line):
            try:
                return parse_date(match[1])
            except BadValueError:
                continue  # 31.02.2020 is no date; look on
    return None
