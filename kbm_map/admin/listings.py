"""Routes: Lernorte and Angebote: lists with filters, edit forms, status, checks, bulk actions."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import Location, Offer, Status, Vocabulary
from ..services import freshness, locations, offers
from ..services.editing import EditError
from . import views
from .accounts import safe_target, show_errors
from .blueprint import bp
from .fields import choices
from .forms import ActionForm, BulkForm
from .listing_forms import LocationForm, OfferForm
from .security import staff_user

KINDS = {
    "lernorte": (Location, locations.update_location, locations.set_status),
    "angebote": (Offer, offers.update_offer, offers.set_status),
}
STATUS_ACTIONS = {"publish": Status.PUBLISHED, "archive": Status.ARCHIVED, "restore": Status.DRAFT}


def _entry(kind: str, entry_id: int):
    """Return the Lernort or Angebot, or 404."""
    if kind not in KINDS:
        abort(404)
    return db.session.get(KINDS[kind][0], entry_id) or abort(404)


def _flash_result(result, saved_message: str) -> None:
    """Tell staff what happened and what to look at."""
    flash(saved_message if result.changes else _("Keine Änderungen."), "success")
    for warning in result.warnings:
        flash(warning, "warning")


@bp.get("/lernorte")
def location_list():
    """List Lernorte with filters and bulk actions."""
    return render_template(
        "admin/location_list.html",
        page=views.location_list(request.args),
        kinds=views.term_choices(Vocabulary.LOCATION_KIND.value, by="id"),
        areas=views.term_choices(Vocabulary.AREA.value),
        regions=views.region_choices(),
        bulk=BulkForm(),
    )


def _location_form(location=None) -> LocationForm:
    """Build the Lernort form with its choices."""
    form = LocationForm()
    if location is not None and not form.is_submitted():
        form.fill(location)
    form.kind.choices = choices(
        views.term_choices(Vocabulary.LOCATION_KIND.value, by="id", blank=True)
    )
    form.organization.choices = choices(
        views.organization_choices(location and location.organization_id)
    )
    form.areas.choices = choices(views.term_choices(Vocabulary.AREA.value))
    return form


def _geocode(form: LocationForm) -> None:
    """Fill the position from postcode and place through the postcode gazetteer."""
    try:
        from ..geo.gazetteer import locate  # the import helper's gazetteer, when installed
    except ImportError:
        flash(_("Die Ortssuche ist nicht eingerichtet."), "warning")
        return
    hit = locate(form.postcode.data or None, form.city.data or None)
    if hit is None:
        flash(_("Für diese Postleitzahl und diesen Ort ist keine Position bekannt."), "warning")
        return
    form.lat.data, form.lon.data = f"{hit.lat:.6f}", f"{hit.lon:.6f}"
    note = _("Ortsmitte") if hit.precision == "place" else _("Mitte des Postleitzahlgebiets")
    flash(_("Position gesetzt (%(what)s); bitte auf der Karte genau setzen.", what=note), "info")


def _save_location(form: LocationForm, location=None):
    """Validate and save the form; return the response, or None to show the form again."""
    if form.geocode.data:
        form.validate()  # shows the messages, but does not save
        _geocode(form)
        return None
    if not form.validate_on_submit():
        return None
    try:
        if location is None:
            result = locations.create_location(form.values(), staff_user())
        else:
            result = locations.update_location(location, form.values(), staff_user())
    except EditError as problem:
        show_errors(form, problem)
        return None
    _flash_result(result, _("Lernort gespeichert."))
    return redirect(url_for("admin.edit_location", entry_id=result.entity.id))


@bp.route("/lernorte/neu", methods=["GET", "POST"])
def new_location():
    """Create a Lernort."""
    form = _location_form()
    return _save_location(form) or _render_location(form, None)


@bp.route("/lernorte/<int:entry_id>", methods=["GET", "POST"])
def edit_location(entry_id: int):
    """Edit a Lernort."""
    location = _entry("lernorte", entry_id)
    form = _location_form(location)
    return _save_location(form, location) or _render_location(form, location)


def _render_location(form, location):
    """Show the Lernort form with the map picker's settings."""
    if location is not None and request.method == "GET":
        for warning in locations.position_warnings(location):
            flash(warning, "warning")
    config = current_app.config
    picker = {
        "center": list(config["MAP_CENTER"]),
        "zoom": config["MAP_ZOOM"],
        "bbox": list(config["REGION_BBOX"]),
        "tiles": config.get("TILE_URL") or "",
        "attribution": config.get("TILE_ATTRIBUTION") or "",
        "outlines": url_for("admin.region_outlines"),
    }
    status = 422 if request.method == "POST" and form.errors else 200
    return render_template(
        "admin/location_form.html", form=form, location=location, picker=picker, action=ActionForm()
    ), status


@bp.get("/angebote")
def offer_list():
    """List Angebote with filters and bulk actions."""
    return render_template(
        "admin/offer_list.html",
        page=views.offer_list(request.args),
        areas=views.term_choices(Vocabulary.AREA.value),
        organizations=views.organization_choices()[1:],
        bulk=BulkForm(),
    )


def _offer_form(offer=None) -> OfferForm:
    """Build the Angebot form with its choices."""
    form = OfferForm()
    if offer is not None and not form.is_submitted():
        form.fill(offer)
    form.organization.choices = choices(views.organization_choices(offer and offer.organization_id))
    form.areas.choices = choices(views.term_choices(Vocabulary.AREA.value))
    form.topics.choices = choices(views.term_choices(Vocabulary.TOPIC.value))
    form.target_groups.choices = choices(views.term_choices(Vocabulary.TARGET_GROUP.value))
    return form


def _save_offer(form: OfferForm, offer=None):
    """Validate and save the form; return the response, or None to show the form again."""
    if not form.validate_on_submit():
        return None
    try:
        if offer is None:
            result = offers.create_offer(form.values(), staff_user())
        else:
            result = offers.update_offer(offer, form.values(), staff_user())
    except EditError as problem:
        show_errors(form, problem)
        return None
    _flash_result(result, _("Angebot gespeichert."))
    return redirect(url_for("admin.edit_offer", entry_id=result.entity.id))


@bp.route("/angebote/neu", methods=["GET", "POST"])
def new_offer():
    """Create an Angebot."""
    form = _offer_form()
    return _save_offer(form) or _render_offer(form, None)


@bp.route("/angebote/<int:entry_id>", methods=["GET", "POST"])
def edit_offer(entry_id: int):
    """Edit an Angebot."""
    offer = _entry("angebote", entry_id)
    form = _offer_form(offer)
    return _save_offer(form, offer) or _render_offer(form, offer)


def _render_offer(form, offer):
    """Show the Angebot form."""
    names = views.location_names(loc.id for loc in offer.locations) if offer else {}
    status = 422 if request.method == "POST" and form.errors else 200
    return render_template(
        "admin/offer_form.html", form=form, offer=offer, names=names, action=ActionForm()
    ), status


@bp.post("/<kind>/<int:entry_id>/status/<action>")
def change_status(kind: str, entry_id: int, action: str):
    """Publish, archive or restore one entry."""
    entry = _entry(kind, entry_id)
    if action not in STATUS_ACTIONS or not ActionForm().validate_on_submit():
        abort(400)
    result = KINDS[kind][2](entry, STATUS_ACTIONS[action].value, staff_user())
    _flash_result(result, _("Status geändert."))
    return redirect(_back(kind, entry_id))


@bp.post("/<kind>/<int:entry_id>/geprueft")
def mark_checked(kind: str, entry_id: int):
    """Confirm an entry as current ("Als geprüft markieren")."""
    entry = _entry(kind, entry_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    freshness.mark_checked([entry], staff_user())
    flash(_("Als geprüft markiert."), "success")
    return redirect(_back(kind, entry_id))


def _back(kind: str, entry_id: int) -> str:
    """Return the edit page of an entry."""
    endpoint = "admin.edit_location" if kind == "lernorte" else "admin.edit_offer"
    return url_for(endpoint, entry_id=entry_id)


@bp.post("/<kind>/sammelaktion")
def bulk_action(kind: str):
    """Publish, archive or mark as checked the selected entries of a list."""
    if kind not in KINDS:
        abort(404)
    form = BulkForm()
    ids = [int(i) for i in request.form.getlist("ids") if i.isdigit()]
    if not form.validate_on_submit():
        abort(400)
    model = KINDS[kind][0]
    entries = list(db.session.scalars(select(model).where(model.id.in_(ids))))
    if not entries:
        flash(_("Bitte zuerst Einträge auswählen."), "warning")
    elif form.action.data == "check":
        count = freshness.mark_checked(entries, staff_user())
        flash(_("%(n)s Einträge als geprüft markiert.", n=count), "success")
    else:
        service = locations if model is Location else offers
        status = STATUS_ACTIONS[form.action.data].value
        count = service.bulk_set_status(entries, status, staff_user())
        flash(_("Status von %(n)s Einträgen geändert.", n=count), "success")
    endpoint = "admin.location_list" if model is Location else "admin.offer_list"
    return redirect(safe_target(request.form.get("back"), url_for(endpoint)))
