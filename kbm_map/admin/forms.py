"""Forms of the staff area besides Lernorte and Angebote (those are in listing_forms)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import EqualTo, Length, NumberRange, Optional

from ..models import OrganizationKind, Role
from ..services import validation as v
from ..services.users import MIN_PASSWORD_LENGTH
from .fields import check, choices, max_length, required, text

ROLES = choices([(Role.EDITOR.value, _l("Redaktion")), (Role.ADMIN.value, _l("Administration"))])
ORGANIZATION_KINDS = choices(
    [
        ("", _l("unbekannt")),
        (OrganizationKind.PUBLIC.value, _l("öffentlich")),
        (OrganizationKind.NONPROFIT.value, _l("gemeinnützig")),
        (OrganizationKind.PRIVATE.value, _l("privat")),
    ]
)
BULK_ACTIONS = choices(
    [
        ("check", _l("Als geprüft markieren")),
        ("publish", _l("Veröffentlichen")),
        ("archive", _l("Archivieren")),
    ]
)


def new_password(label=None):
    """Return a password field with the minimum length."""
    return PasswordField(
        label or _l("Neues Passwort"),
        [
            required(),
            Length(
                min=MIN_PASSWORD_LENGTH,
                message=_l("Mindestens %(n)s Zeichen.", n=MIN_PASSWORD_LENGTH),
            ),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class LoginForm(FlaskForm):
    """E-mail address and password."""

    email = EmailField(_l("E-Mail"), [required()], render_kw={"autocomplete": "username"})
    password = PasswordField(
        _l("Passwort"), [required()], render_kw={"autocomplete": "current-password"}
    )
    submit = SubmitField(_l("Anmelden"))


class PasswordChangeForm(FlaskForm):
    """Change one's own password."""

    current_password = PasswordField(
        _l("Bisheriges Passwort"), [required()], render_kw={"autocomplete": "current-password"}
    )
    new_password = new_password()
    repeat = PasswordField(
        _l("Neues Passwort wiederholen"),
        [EqualTo("new_password", message=_l("Die beiden Passwörter sind nicht gleich."))],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Passwort ändern"))


class AccountForm(FlaskForm):
    """A new staff account."""

    email = EmailField(_l("E-Mail"), [required(), check(v.email_problem), max_length(255)])
    name = StringField(_l("Name"), [required(), max_length(255)])
    role = SelectField(_l("Rolle"), choices=ROLES)
    password = new_password(_l("Erstes Passwort"))
    submit = SubmitField(_l("Konto anlegen"))


class AccountEditForm(FlaskForm):
    """Name, role and access of an existing account."""

    name = StringField(_l("Name"), [required(), max_length(255)])
    role = SelectField(_l("Rolle"), choices=ROLES)
    active = BooleanField(_l("Konto aktiv"))
    submit = SubmitField(_l("Speichern"))


class PasswordResetForm(FlaskForm):
    """An admin sets a new password for someone."""

    password = new_password()
    reset = SubmitField(_l("Passwort neu setzen"))


class OrganizationForm(FlaskForm):
    """A Träger."""

    name = StringField(_l("Name"), [required(), max_length(255)])
    kind = SelectField(_l("Art"), choices=ORGANIZATION_KINDS)
    description = TextAreaField(_l("Beschreibung"), [Optional(), max_length(10_000)])
    email = text(_l("E-Mail"), check(v.email_problem))
    phone = text(_l("Telefon"), check(v.phone_problem), length=64)
    website = text(_l("Webseite"), check(v.url_problem), length=500)
    submit = SubmitField(_l("Speichern"))

    def values(self) -> dict:
        """Return the values for the Träger services."""
        return {
            name: (getattr(self, name).data or "").strip() or None
            for name in ("name", "kind", "description", "email", "phone", "website")
        }


class TermForm(FlaskForm):
    """A taxonomy term with a label per UI language."""

    code = StringField(_l("Code (unveränderlich)"), [Optional(), max_length(64)])
    label_de = StringField(_l("Bezeichnung (Deutsch)"), [required(), max_length(255)])
    label_en = text(_l("Bezeichnung (Englisch)"))
    label_ar = text(_l("Bezeichnung (Arabisch)"))
    label_uk = text(_l("Bezeichnung (Ukrainisch)"))
    label_tr = text(_l("Bezeichnung (Türkisch)"))
    position = IntegerField(
        _l("Reihenfolge"),
        [Optional(), NumberRange(min=0, max=10_000, message=_l("Zwischen 0 und 10000."))],
    )
    submit = SubmitField(_l("Speichern"))

    LANGUAGES = ("de", "en", "ar", "uk", "tr")

    def values(self) -> dict:
        """Return the values for the term services."""
        labels = {lang: getattr(self, f"label_{lang}").data or "" for lang in self.LANGUAGES}
        return {"code": self.code.data, "labels": labels, "position": self.position.data or 0}


class RegionForm(FlaskForm):
    """A Gemeinde or Kreis (its outline comes from an import)."""

    code = StringField(_l("Gemeindeschlüssel (AGS)"), [required(), max_length(12)])
    name = StringField(_l("Name"), [required(), max_length(255)])
    kind = text(_l("Art (z. B. Gemeinde, Stadt)"), length=64)
    population = IntegerField(
        _l("Einwohnerzahl"),
        [Optional(), NumberRange(min=0, message=_l("Bitte 0 oder mehr angeben."))],
    )
    submit = SubmitField(_l("Speichern"))

    def values(self) -> dict:
        """Return the values for the region services."""
        return {
            "code": (self.code.data or "").strip(),
            "name": (self.name.data or "").strip(),
            "kind": (self.kind.data or "").strip() or None,
            "population": self.population.data,
        }


class ActionForm(FlaskForm):
    """A button that changes something (status, check, restore): CSRF-protected POST."""

    submit = SubmitField(_l("Ausführen"))


class BulkForm(FlaskForm):
    """Apply one action to the selected entries of a list."""

    action = SelectField(_l("Aktion für die ausgewählten Einträge"), choices=BULK_ACTIONS)
    submit = SubmitField(_l("Ausführen"))


class DecisionForm(FlaskForm):
    """Accept or decline a public report, with an optional note."""

    note = TextAreaField(_l("Notiz (intern)"), [Optional(), max_length(2000)])
    accept = SubmitField(_l("Übernehmen"))
    decline = SubmitField(_l("Ablehnen"))


class ImportUploadForm(FlaskForm):
    """A file, the source name and a mapping (shipped, or edited here)."""

    file = FileField(
        _l("Datei (CSV, XLSX, GeoJSON, JSON, OSM)"), [FileRequired(_l("Bitte eine Datei wählen."))]
    )
    source = text(_l("Quelle (Name, z. B. vhs-kurse; leer: aus dem Dateinamen)"), length=64)
    mapping = SelectField(_l("Zuordnung"), validate_choice=False)
    mapping_text = TextAreaField(
        _l("Eigene Zuordnung (TOML; ersetzt die Auswahl, wenn ausgefüllt)"),
        [Optional(), max_length(100_000)],
    )
    submit = SubmitField(_l("Probelauf"))


class ImportApplyForm(FlaskForm):
    """Apply a file checked in a dry run."""

    token = HiddenField()
    submit = SubmitField(_l("Import ausführen"))
