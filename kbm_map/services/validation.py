"""Checks of single values with German messages, shared by the staff forms and the services."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"'.]{2,}$")
PHONE = re.compile(r"^\+?[0-9 ()/\-–.]{5,40}$")
POSTCODE = re.compile(r"^[0-9]{5}$")

MESSAGES = {
    "required": _l("Bitte ausfüllen."),
    "email": _l("Bitte eine E-Mail-Adresse angeben, z. B. info@beispiel.de."),
    "url": _l("Bitte eine Webadresse mit http:// oder https:// angeben."),
    "phone": _l("Bitte eine Telefonnummer aus Ziffern angeben, z. B. 0661 12345-0."),
    "postcode": _l("Die Postleitzahl hat fünf Ziffern."),
    "opening_hours": _l(
        "Die Öffnungszeiten folgen nicht dem OSM-Format, "
        "z. B. „Mo-Fr 08:00-16:00; Sa 10:00-12:00“. Freie Angaben gehören "
        "in das Feld „Hinweis zu den Öffnungszeiten“."
    ),
    "ages": _l("Das Mindestalter ist höher als das Höchstalter."),
    "age_range": _l("Bitte ein Alter zwischen 0 und 120 angeben."),
    "dates": _l("Das Enddatum liegt vor dem Anfangsdatum."),
    "session": _l(
        "Zeile %(line)s: ein Termin ist „JJJJ-MM-TT HH:MM“, optional „- HH:MM“ als Ende."
    ),
    "session_order": _l("Zeile %(line)s: das Ende liegt vor dem Beginn."),
    "lat": _l("Die Breite liegt zwischen -90 und 90."),
    "lon": _l("Die Länge liegt zwischen -180 und 180."),
    "position_pair": _l("Bitte Breite und Länge angeben, oder beide leer lassen."),
    "amount": _l("Bitte einen Betrag von 0 oder mehr angeben."),
    "amount_missing": _l("Bei „Betrag“ bitte den Betrag angeben."),
    "choice": _l("Bitte einen der angebotenen Werte wählen."),
    "location_missing": _l("Lernort %(id)s gibt es nicht."),
    "code": _l("Nur Kleinbuchstaben, Ziffern und Unterstriche, z. B. familienbildung."),
    "code_taken": _l("Diesen Code gibt es in dieser Liste schon."),
    "region_code": _l("Der Gemeindeschlüssel (AGS) hat 8 bis 12 Ziffern."),
}


def email_problem(value: str | None):
    """Return why `value` is not an e-mail address, or None."""
    return None if not value or EMAIL.match(value) else MESSAGES["email"]


def url_problem(value: str | None):
    """Return why `value` is not an http(s) address, or None."""
    if not value:
        return None
    parts = urlsplit(value)
    ok = parts.scheme in ("http", "https") and "." in parts.netloc and " " not in value
    return None if ok else MESSAGES["url"]


def phone_problem(value: str | None):
    """Return why `value` is not a phone number, or None."""
    if not value:
        return None
    digits = sum(ch.isdigit() for ch in value)
    return None if PHONE.match(value) and digits >= 5 else MESSAGES["phone"]


def postcode_problem(value: str | None):
    """Return why `value` is not a German postcode, or None."""
    return None if not value or POSTCODE.match(value) else MESSAGES["postcode"]


def opening_hours_problem(value: str | None):
    """Return why `value` is not in OSM opening_hours syntax, or None."""
    if not value:
        return None
    import opening_hours  # the Rust parser of opening-hours-rs; works offline

    return None if opening_hours.validate(value) else MESSAGES["opening_hours"]
