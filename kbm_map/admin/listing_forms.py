"""Edit forms of Lernorte and Angebote; values() returns what the edit services take."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Optional, ValidationError

from ..models import CostKind, OfferType
from ..services import validation as v
from ..services.editing import EditError, position_of, read
from ..services.offers import FIELDS as OFFER_FIELDS
from ..services.offers import parse_sessions, sessions_text
from .fields import (
    STATUS_CHOICES,
    blank_none,
    check,
    check_languages,
    choices,
    int_or_none,
    languages,
    max_length,
    number,
    number_field,
    required,
    text,
    tri_data,
    tri_state,
    tri_value,
)

ACCESSIBILITY = ("step_free", "accessible_toilet", "parking", "induction_loop", "sign_language")
OFFER_TYPES = choices(
    [
        (OfferType.COURSE.value, _l("Kurs")),
        (OfferType.COUNSELLING.value, _l("Beratung")),
        (OfferType.EVENT.value, _l("Veranstaltung")),
        (OfferType.SERVICE.value, _l("Dauerangebot")),
    ]
)
COST_KINDS = choices(
    [
        (CostKind.UNKNOWN.value, _l("unbekannt")),
        (CostKind.FREE.value, _l("kostenlos")),
        (CostKind.AMOUNT.value, _l("Betrag")),
        (CostKind.TEXT.value, _l("siehe Hinweis")),
    ]
)


class LocationForm(FlaskForm):
    """A Lernort: name, kind, address, position, contact, opening hours, accessibility."""

    name = StringField(_l("Name"), [required(), max_length(255)])
    kind = SelectField(_l("Art des Lernorts"), coerce=int_or_none, validate_choice=False)
    organization = SelectField(_l("Träger"), coerce=int_or_none, validate_choice=False)
    areas = SelectMultipleField(_l("Bildungsbereiche"), validate_choice=False)
    description = TextAreaField(_l("Beschreibung"), [Optional(), max_length(10_000)])
    street = text(_l("Straße"))
    house_number = text(_l("Hausnummer"), length=32)
    postcode = text(_l("Postleitzahl"), check(v.postcode_problem), length=10)
    city = text(_l("Ort"), length=128)
    lat = number_field(_l("Breite (Lat)"), -90, 90, "lat")
    lon = number_field(_l("Länge (Lon)"), -180, 180, "lon")
    email = text(_l("E-Mail"), check(v.email_problem))
    phone = text(_l("Telefon"), check(v.phone_problem), length=64)
    website = text(_l("Webseite"), check(v.url_problem), length=500)
    opening_hours = text(
        _l("Öffnungszeiten (OSM-Format)"), check(v.opening_hours_problem), length=500
    )
    opening_hours_note = TextAreaField(
        _l("Hinweis zu den Öffnungszeiten"), [Optional(), max_length(2000)]
    )
    languages = text(_l("Sprachen (Kürzel)"), check_languages, length=100)
    step_free = tri_state(_l("Stufenloser Zugang"))
    accessible_toilet = tri_state(_l("Barrierefreie Toilette"))
    parking = tri_state(_l("Behindertenparkplatz"))
    induction_loop = tri_state(_l("Induktionsschleife"))
    sign_language = tri_state(_l("Gebärdensprache"))
    accessibility_note = TextAreaField(_l("Hinweis zur Barrierefreiheit"), [Optional()])
    status = SelectField(_l("Status"), choices=STATUS_CHOICES, default="draft")
    save = SubmitField(_l("Speichern"))
    geocode = SubmitField(_l("Position aus Adresse"))

    def validate(self, extra_validators=None) -> bool:
        """Check the fields, then ask for both coordinates or neither."""
        valid = super().validate(extra_validators)
        lat, lon = ((f.data or "").strip() for f in (self.lat, self.lon))
        if bool(lat) != bool(lon):
            empty = self.lon if lat else self.lat
            empty.errors = [*empty.errors, str(v.MESSAGES["position_pair"])]
            return False
        return valid

    def position(self):
        """Return (lon, lat) as floats, or None."""
        lat, lon = number(self.lat.data), number(self.lon.data)
        return None if lat is None or lon is None else (float(lon), float(lat))

    def values(self) -> dict:
        """Return the values for the Lernort services."""
        values = {
            name: blank_none(getattr(self, name).data)
            for name in (
                *("name", "description", "street", "house_number", "postcode", "city"),
                *("email", "phone", "website", "opening_hours", "opening_hours_note"),
                *("accessibility_note", "status", "kind", "organization"),
            )
        }
        values.update({name: tri_value(getattr(self, name).data) for name in ACCESSIBILITY})
        values["areas"] = list(self.areas.data or [])
        values["languages"] = languages(self.languages.data)
        values["geom"] = self.position()
        return values

    def fill(self, location) -> None:
        """Show a Lernort's current values."""
        for name in (
            *("name", "description", "street", "house_number", "postcode", "city"),
            *("email", "phone", "website", "opening_hours", "opening_hours_note"),
            *("accessibility_note", "status"),
        ):
            getattr(self, name).data = getattr(location, name)
        self.kind.data, self.organization.data = location.kind_id, location.organization_id
        self.areas.data = [term.code for term in location.areas]
        self.languages.data = ", ".join(location.languages or [])
        for name in ACCESSIBILITY:
            getattr(self, name).data = tri_data(getattr(location, name))
        point = position_of(location)
        self.lat.data = f"{point[1]:.6f}" if point else ""
        self.lon.data = f"{point[0]:.6f}" if point else ""


class OfferForm(FlaskForm):
    """An Angebot: title, type, places, target groups, ages, cost, registration, schedule."""

    title = StringField(_l("Titel"), [required(), max_length(255)])
    offer_type = SelectField(_l("Art des Angebots"), choices=OFFER_TYPES)
    organization = SelectField(_l("Träger"), coerce=int_or_none, validate_choice=False)
    locations = text(_l("Lernorte (Nummern, durch Komma getrennt)"), length=1000)
    online = BooleanField(_l("Online"))
    description = TextAreaField(_l("Beschreibung"), [Optional(), max_length(10_000)])
    areas = SelectMultipleField(_l("Bildungsbereiche"), validate_choice=False)
    topics = SelectMultipleField(_l("Themen"), validate_choice=False)
    target_groups = SelectMultipleField(_l("Zielgruppen"), validate_choice=False)
    min_age = number_field(_l("Mindestalter"), 0, 120, "age_range")
    max_age = number_field(_l("Höchstalter"), 0, 120, "age_range")
    languages = text(_l("Sprachen (Kürzel)"), check_languages, length=100)
    cost_kind = SelectField(_l("Kosten"), choices=COST_KINDS)
    cost_amount = number_field(_l("Betrag in Euro"), 0, 1_000_000, "amount")
    cost_note = text(_l("Hinweis zu den Kosten"), length=500)
    funding = text(_l("Förderung (z. B. Bildungsgutschein)"))
    registration_url = text(_l("Anmeldung: Webseite"), check(v.url_problem), length=500)
    registration_phone = text(_l("Anmeldung: Telefon"), check(v.phone_problem), length=64)
    registration_email = text(_l("Anmeldung: E-Mail"), check(v.email_problem))
    valid_from = DateField(_l("Gültig ab"), [Optional()])
    valid_until = DateField(_l("Gültig bis"), [Optional()])
    sessions = TextAreaField(_l("Termine (einer je Zeile: JJJJ-MM-TT HH:MM - HH:MM)"))
    recurrence = text(_l("Wiederholung (iCalendar RRULE)"))
    schedule_note = TextAreaField(_l("Hinweis zu den Terminen"), [Optional()])
    status = SelectField(_l("Status"), choices=STATUS_CHOICES, default="draft")
    save = SubmitField(_l("Speichern"))

    def validate_locations(self, field):
        """Accept Lernort numbers separated by commas or blanks."""
        parts = (field.data or "").replace(",", " ").split()
        if any(not part.isdigit() for part in parts):
            raise ValidationError(_l("Bitte die Nummern der Lernorte angeben, z. B. „12, 40“."))

    def validate_sessions(self, field):
        """Check the session lines."""
        try:
            parse_sessions(field.data)
        except EditError as problem:
            raise ValidationError(problem.errors["sessions"]) from None

    def values(self) -> dict:
        """Return the values for the Angebot services."""
        values = {
            name: blank_none(getattr(self, name).data)
            for name in (
                *("title", "offer_type", "description", "cost_kind", "cost_note", "funding"),
                *("registration_url", "registration_phone", "registration_email"),
                *("recurrence", "schedule_note", "status", "organization"),
                *("valid_from", "valid_until"),
            )
        }
        values["online"] = bool(self.online.data)
        for name in ("areas", "topics", "target_groups"):
            values[name] = list(getattr(self, name).data or [])
        values["locations"] = [
            int(p) for p in (self.locations.data or "").replace(",", " ").split()
        ]
        for name in ("min_age", "max_age"):
            age = number(getattr(self, name).data)
            values[name] = int(age) if age is not None else None
        values["cost_amount"] = number(self.cost_amount.data)
        values["languages"] = languages(self.languages.data)
        values["sessions"] = parse_sessions(self.sessions.data)
        return values

    def fill(self, offer) -> None:
        """Show an Angebot's current values."""
        for name in (
            *("title", "offer_type", "description", "cost_kind", "cost_note", "funding"),
            *("registration_url", "registration_phone", "registration_email", "online"),
            *("recurrence", "schedule_note", "status", "valid_from", "valid_until"),
        ):
            getattr(self, name).data = getattr(offer, name)
        self.organization.data = offer.organization_id
        for name in ("areas", "topics", "target_groups"):
            getattr(self, name).data = read(offer, OFFER_FIELDS[name])
        self.locations.data = ", ".join(str(loc.id) for loc in offer.locations)
        self.min_age.data = "" if offer.min_age is None else str(offer.min_age)
        self.max_age.data = "" if offer.max_age is None else str(offer.max_age)
        self.cost_amount.data = "" if offer.cost_amount is None else str(offer.cost_amount)
        self.languages.data = ", ".join(offer.languages or [])
        self.sessions.data = sessions_text(offer)
