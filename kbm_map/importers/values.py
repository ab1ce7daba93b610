"""Parse and check single values the way German office spreadsheets write them."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from .targets import AREAS, KINDS, OFFER_TYPES

TRUE_WORDS = frozenset({"1", "x", "ja", "j", "yes", "y", "true", "wahr", "✓", "✔"})
FALSE_WORDS = frozenset({"0", "nein", "n", "no", "false", "falsch", "-"})

_EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[A-Za-z]{2,}$")
_DOMAIN = re.compile(r"^(?:[A-Za-z0-9äöüÄÖÜß-]+\.)+[A-Za-z]{2,}(?:[/:?#]\S*)?$")
_URL = re.compile(r"^https?://(?:[A-Za-z0-9äöüÄÖÜß-]+\.)+[A-Za-z]{2,}(?::\d+)?(?:[/?#]\S*)?$")
_KINDS = {k.casefold(): k for k in KINDS}
# German words offices use for the four offer types.
_OFFER_TYPES = {
    **{t: t for t in OFFER_TYPES},
    "counseling": "counselling",
    "kurs": "course",
    "lehrgang": "course",
    "seminar": "course",
    "workshop": "course",
    "beratung": "counselling",
    "veranstaltung": "event",
    "vortrag": "event",
    "termin": "event",
    "dienst": "service",
    "dienstleistung": "service",
    "offenes angebot": "service",
    "angebot": "service",
}
FREE_WORDS = frozenset(
    {"free", "kostenlos", "kostenfrei", "gratis", "frei", "umsonst", "entgeltfrei", "gebührenfrei"}
)
_CURRENCY = re.compile(r"^(?:€|eur|euro)?\s*(?P<number>[\d.,\s]+?)\s*(?:€|eur|euro|,-)?$", re.I)
MAX_AMOUNT = Decimal("99999999.99")  # Numeric(10, 2)
_AREAS = {**{c: c for c in AREAS}, **{label.casefold(): c for c, label in AREAS.items()}}


class BadValueError(ValueError):
    """A value that cannot be used; the message says why in words for office staff."""


def text(value: Any) -> str:
    """Return a value as stripped text; None becomes ''."""
    if type(value) is str:  # the common case, first: this runs for every cell
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores 36148 as 36148.0
    return str(value).strip()


def parse_number(value: Any) -> float:
    """Parse '50.55', '50,55', '1.234,5' or a number into a float."""
    if isinstance(value, bool):
        raise BadValueError(f"{value!r} is not a number")
    if isinstance(value, int | float):
        return float(value)
    raw = text(value).replace("\u00a0", "").replace(" ", "")
    if "," in raw:
        # German decimal comma; any dots before it are thousands separators.
        raw = raw.replace(".", "").replace(",", ".") if raw.count(",") == 1 else raw
    try:
        number = float(raw)
    except ValueError:
        raise BadValueError(f"{text(value)!r} is not a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise BadValueError(f"{text(value)!r} is not a number")
    return number


def parse_int(value: Any) -> int:
    """Parse '222584', '222.584' or '222 584' into an int."""
    raw = text(value).replace("\u00a0", "").replace(" ", "").replace("'", "")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", raw):
        raw = raw.replace(".", "")
    try:
        return int(raw)
    except ValueError:
        try:
            number = parse_number(raw)
        except BadValueError:
            number = None
        if number is None or not number.is_integer():
            raise BadValueError(f"{text(value)!r} is not a whole number") from None
        return int(number)


def parse_bool(value: Any) -> bool | None:
    """Parse 1/x/ja/yes and 0/nein/no/empty into True, False or None (empty)."""
    if value is None or isinstance(value, bool):
        return value
    word = text(value).casefold()
    if not word:
        return None
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise BadValueError(f"{text(value)!r} is neither yes nor no")


def is_flag_set(value: Any) -> bool:
    """Tell whether a flag column is ticked (1, x, ja, yes, true)."""
    if isinstance(value, bool):
        return value
    return text(value).casefold() in TRUE_WORDS


def normalize_postcode(value: str) -> tuple[str, str | None]:
    """Return a 5-digit postcode and a warning if it was repaired; raise if it is not one."""
    raw = value.strip().removeprefix("D-").removeprefix("DE-").strip()
    if re.fullmatch(r"\d{5}", raw):
        return raw, None
    if re.fullmatch(r"\d{4}", raw):
        # Spreadsheets drop the leading zero of Saxon and Thuringian postcodes (01067 -> 1067).
        return "0" + raw, f"postcode {value!r} read as {'0' + raw!r} (leading zero restored)"
    raise BadValueError(f"postcode {value!r} does not have 5 digits")


def normalize_code(value: str) -> tuple[str, str | None]:
    """Return an AGS-like code and a warning if a lost leading zero was restored."""
    raw = value.strip()
    if not raw.isdigit():
        raise BadValueError(f"code {value!r} is not made of digits")
    # AGS are 2 (Land), 3 (Bezirk), 5 (Kreis), 8 (Gemeinde) or 12 (ARS) digits.
    if len(raw) in (1, 4, 7, 11):
        return "0" + raw, f"code {value!r} read as {'0' + raw!r} (leading zero restored)"
    return raw, None


def clean_email(value: str) -> str:
    """Return a usable e-mail address (the first, if a cell lists several) or raise."""
    for part in re.split(r"[;,\s]+", value.strip()):
        address = part.removeprefix("mailto:").strip()
        if _EMAIL.match(address):
            return address
    raise BadValueError(f"{value!r} is not an e-mail address")


def clean_url(value: str) -> str:
    """Return an http(s) URL, adding https:// to a bare domain, or raise."""
    url = value.strip()
    if _DOMAIN.match(url):
        url = "https://" + url
    if not _URL.match(url):
        raise BadValueError(f"{value!r} is not a web address")
    return url


def normalize_kind(value: str) -> str:
    """Return the kind label for a value that names a kind (case does not matter)."""
    kind = _KINDS.get(value.strip().casefold())
    if kind is None:
        raise BadValueError(
            f"{value!r} is not a known kind of place (known: {', '.join(KINDS)}); "
            "translate it in the mapping"
        )
    return kind


def normalize_area(value: str) -> str:
    """Return the area code for a code or German label (case does not matter)."""
    code = _AREAS.get(value.strip().casefold())
    if code is None:
        raise BadValueError(
            f"{value!r} is not a known Bildungsbereich (known codes: {', '.join(AREAS)})"
        )
    return code


def normalize_offer_type(value: str) -> str:
    """Return course, counselling, event or service for a code or German word."""
    kind = _OFFER_TYPES.get(" ".join(value.split()).casefold())
    if kind is None:
        raise BadValueError(
            f"{value!r} is not a type of offer (course, counselling, event, service); "
            "translate it in the mapping"
        )
    return kind


def parse_cost(value: Any) -> tuple[str | None, Decimal | None, str | None]:
    """Read a cost cell as (kind, amount, note): free, an amount like '12,50 €', or text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        amount = _amount(str(value))
        return ("free", None, None) if amount == 0 else ("amount", amount, None)
    raw = text(value)
    if not raw:
        return None, None, None
    if raw.casefold() in FREE_WORDS:
        return "free", None, None
    match = _CURRENCY.match(raw)
    if match and re.search(r"\d", match["number"]):
        amount = _amount(match["number"].replace(" ", ""))
        if amount is not None:
            return ("free", None, None) if amount == 0 else ("amount", amount, None)
    return "text", None, raw


def _amount(raw: str) -> Decimal | None:
    """Parse '12,50', '12.50' or '1.250,00' into Decimal with cents; None if it is no number."""
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", raw):
        raw = raw.replace(".", "")  # 1.250 is one thousand two hundred and fifty in German
    try:
        number = Decimal(str(parse_number(raw)))
    except (BadValueError, InvalidOperation):
        return None
    if number < 0 or number > MAX_AMOUNT:
        raise BadValueError(f"amount {raw!r} is negative or too large")
    return number.quantize(Decimal("0.01"))


TOTAL = "total"  # the age group of all inhabitants
_AGE_GROUP = re.compile(r"(\d{1,3})\s*-\s*(\d{1,3})?")


def age_range(group: str) -> tuple[int, int | None]:
    """Return the half-open year range [first, end) of a canonical age group; None: no end."""
    if group == TOTAL:
        return 0, None
    first, _, end = group.partition("-")
    return int(first), int(end) if end else None


def normalize_age_group(value: str) -> str:
    """Return the canonical age group for '6-10', '6 - 10', '75-', 'total'; raise otherwise."""
    raw = text(value).casefold()
    if raw == TOTAL:
        return TOTAL
    match = _AGE_GROUP.fullmatch(raw)
    if match is None:
        raise BadValueError(
            f"age group {value!r} is not 'FROM-TO' in years (e.g. '6-10', '75-') or 'total'"
        )
    first, end = int(match[1]), int(match[2]) if match[2] else None
    if end is not None and end <= first:
        raise BadValueError(f"age group {value!r} ends before it begins")
    if first == 0 and end is None:
        return TOTAL
    return f"{first}-{end if end is not None else ''}"
