"""The public report forms, each with a honeypot field that people never see."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..services import validation as v
from ..services.reports import REPORTABLE, SUGGESTED

LABELS = {
    "name": _l("Richtiger Name"),
    "title": _l("Richtiger Titel"),
    "street": _l("Straße"),
    "house_number": _l("Hausnummer"),
    "postcode": _l("Postleitzahl"),
    "city": _l("Ort"),
    "phone": _l("Telefon"),
    "email": _l("E-Mail des Lernorts"),
    "website": _l("Webseite"),
    "registration_phone": _l("Telefon für die Anmeldung"),
    "registration_email": _l("E-Mail für die Anmeldung"),
    "registration_url": _l("Webseite für die Anmeldung"),
}
CHECKS = {
    "postcode": v.postcode_problem,
    "phone": v.phone_problem,
    "email": v.email_problem,
    "website": v.url_problem,
    "registration_phone": v.phone_problem,
    "registration_email": v.email_problem,
    "registration_url": v.url_problem,
}


def _checked(problem):
    """Turn a validation function into a WTForms validator."""

    def validator(form, field):
        message = problem(field.data)
        if message:
            raise ValidationError(str(message))

    return validator


def _sender_email(form, field):
    """Check the optional reply address."""
    message = v.email_problem(field.data)
    if message:
        raise ValidationError(str(message))


class HoneypotForm(FlaskForm):
    """A form with a field only bots fill in (hidden from people and screen readers)."""

    homepage = StringField(
        _l("Bitte leer lassen"), render_kw={"autocomplete": "off", "tabindex": "-1"}
    )
    email = EmailField(
        _l("Ihre E-Mail-Adresse (freiwillig, für Rückfragen)"),
        [Optional(), Length(max=255), _sender_email],
        render_kw={"autocomplete": "email"},
    )
    submit = SubmitField(_l("Absenden"))

    def is_spam(self) -> bool:
        """Tell whether the honeypot was filled in."""
        return bool((self.homepage.data or "").strip())


class ChangeReportForm(HoneypotForm):
    """What is wrong, and optionally the right values."""

    message = TextAreaField(
        _l("Was stimmt nicht?"),
        [
            DataRequired(message=v.MESSAGES["required"]),
            Length(max=4000, message=_l("Höchstens 4000 Zeichen.")),
        ],
    )

    @classmethod
    def for_kind(cls, kind: str) -> ChangeReportForm:
        """Build the form with correction fields for a Lernort or an Angebot."""

        class KindForm(cls):
            pass

        for name in REPORTABLE[kind]:
            checks = [_checked(CHECKS[name])] if name in CHECKS else []
            field = StringField(LABELS[name], [Optional(), Length(max=500), *checks])
            setattr(KindForm, f"fix_{name}", field)
        KindForm.fields_of_kind = REPORTABLE[kind]
        return KindForm()

    def corrections(self):
        """Return the correction fields in order."""
        return [getattr(self, f"fix_{name}") for name in self.fields_of_kind]

    def proposed(self) -> dict:
        """Return the corrections that were filled in."""
        return {name: getattr(self, f"fix_{name}").data for name in self.fields_of_kind}


class SuggestionForm(HoneypotForm):
    """A new Angebot someone knows about."""

    title = StringField(
        _l("Name des Angebots"), [DataRequired(message=v.MESSAGES["required"]), Length(max=255)]
    )
    description = TextAreaField(_l("Worum geht es?"), [Optional(), Length(max=4000)])
    provider = StringField(_l("Anbieter"), [Optional(), Length(max=255)])
    place = StringField(_l("Ort oder Adresse"), [Optional(), Length(max=500)])
    dates = StringField(_l("Wann?"), [Optional(), Length(max=500)])
    contact = StringField(_l("Kontakt für Interessierte"), [Optional(), Length(max=500)])
    website = StringField(_l("Webseite"), [Optional(), Length(max=500), _checked(v.url_problem)])

    def values(self) -> dict:
        """Return the suggestion's fields."""
        return {name: getattr(self, name).data for name in SUGGESTED}
