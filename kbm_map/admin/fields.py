"""Form building blocks with German messages: validators, choices and value conversions."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..services import validation as v


def choices(pairs) -> list[SelectChoice]:
    """Turn (value, label) pairs into select choices."""
    return [SelectChoice(value, label) for value, label in pairs]


TRI_STATE = choices([("", _l("unbekannt")), ("yes", _l("ja")), ("no", _l("nein"))])
STATUS_CHOICES = choices(
    [("draft", _l("Entwurf")), ("published", _l("Veröffentlicht")), ("archived", _l("Archiviert"))]
)


def required():
    """Return the 'please fill in' validator."""
    return DataRequired(message=v.MESSAGES["required"])


def max_length(n: int):
    """Return a length limit with a German message."""
    return Length(max=n, message=_l("Höchstens %(max)d Zeichen.", max=n))


def check(problem):
    """Turn a `validation.*_problem` function into a WTForms validator."""

    def validator(form, field):
        message = problem(field.data)
        if message:
            raise ValidationError(str(message))

    return validator


def text(label, *validators, length: int = 255, **kwargs) -> StringField:
    """Return an optional text field."""
    return StringField(label, [Optional(), max_length(length), *validators], **kwargs)


def tri_state(label) -> SelectField:
    """Return a yes/no/unknown field (None means "not known", which differs from "no")."""
    return SelectField(label, choices=TRI_STATE, default="")


def tri_value(data: str):
    """Turn a yes/no/unknown answer into True, False or None."""
    return {"yes": True, "no": False}.get(data)


def tri_data(value) -> str:
    """Turn True, False or None into the answer of a yes/no/unknown field."""
    return "" if value is None else ("yes" if value else "no")


def blank_none(value):
    """Return stripped text, or None when empty."""
    value = (value or "").strip() if isinstance(value, str) else value
    return value or None


def int_or_none(value):
    """Coerce a select value to int, '' to None."""
    return int(value) if value not in (None, "", "None") else None


def number(text_value: str | None):
    """Read a number typed with a decimal comma or point; None when empty; raise ValueError."""
    text_value = (text_value or "").strip().replace(",", ".")
    if not text_value:
        return None
    try:
        return Decimal(text_value)
    except InvalidOperation:
        raise ValueError(text_value) from None


def number_field(label, low: float, high: float, message_key: str) -> StringField:
    """Return a number field that accepts decimal commas and checks a range."""

    def in_range(form, field):
        try:
            value = number(field.data)
        except ValueError:
            raise ValidationError(_l("Bitte eine Zahl angeben, z. B. 50,55.")) from None
        if value is not None and not low <= value <= high:
            raise ValidationError(str(v.MESSAGES[message_key]))

    return StringField(label, [Optional(), in_range])


def languages(text_value: str | None) -> list[str]:
    """Read 'de, en tr' into ['de', 'en', 'tr']."""
    return [code for code in (text_value or "").replace(",", " ").lower().split() if code]


def check_languages(form, field):
    """Accept two-letter language codes only."""
    if any(len(code) != 2 or not code.isalpha() for code in languages(field.data)):
        raise ValidationError(_l("Sprachen als Kürzel mit zwei Buchstaben, z. B. „de, en, tr“."))
