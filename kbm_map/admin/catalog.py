"""Routes: Träger, taxonomy terms and regions (Gemeinden)."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..extensions import db
from ..models import Organization, Region, Term, Vocabulary
from ..services import catalog, organizations
from ..services.editing import EditError
from ..services.population import newest_totals
from . import views
from .accounts import show_errors
from .blueprint import bp
from .forms import ActionForm, OrganizationForm, RegionForm, TermForm
from .security import staff_user


@bp.get("/traeger")
def organization_list():
    """List Träger."""
    return render_template(
        "admin/organization_list.html",
        page=views.organization_list(request.args),
        action=ActionForm(),
    )


@bp.route("/traeger/neu", methods=["GET", "POST"])
@bp.route("/traeger/<int:entry_id>", methods=["GET", "POST"])
def edit_organization(entry_id: int | None = None):
    """Create or edit a Träger."""
    organization = db.session.get(Organization, entry_id) if entry_id else None
    if entry_id and organization is None:
        abort(404)
    form = OrganizationForm(obj=organization)
    if form.validate_on_submit():
        try:
            if organization is None:
                result = organizations.create_organization(form.values(), staff_user())
            else:
                result = organizations.update_organization(
                    organization, form.values(), staff_user()
                )
        except EditError as problem:
            show_errors(form, problem)
        else:
            flash(_("Träger gespeichert."), "success")
            for warning in result.warnings:
                flash(warning, "warning")
            return redirect(url_for("admin.edit_organization", entry_id=result.entity.id))
    status = 422 if form.errors else 200
    return render_template(
        "admin/organization_form.html", form=form, organization=organization, action=ActionForm()
    ), status


@bp.post("/traeger/<int:entry_id>/<any(archivieren, wiederherstellen):action>")
def archive_organization(entry_id: int, action: str):
    """Archive or restore a Träger."""
    organization = db.session.get(Organization, entry_id) or abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    organizations.set_active(organization, action == "wiederherstellen", staff_user())
    flash(_("Gespeichert."), "success")
    return redirect(url_for("admin.edit_organization", entry_id=entry_id))


def _vocabulary(name: str) -> str:
    """Return a taxonomy name from the URL, or 404."""
    if name not in {v.value for v in Vocabulary}:
        abort(404)
    return name


@bp.get("/begriffe/<vocabulary>")
def term_list(vocabulary: str):
    """List the terms of a taxonomy, archived ones included."""
    vocabulary = _vocabulary(vocabulary)
    return render_template(
        "admin/term_list.html",
        vocabulary=vocabulary,
        terms=views.terms(vocabulary, active_only=False),
        action=ActionForm(),
    )


@bp.route("/begriffe/<vocabulary>/neu", methods=["GET", "POST"])
@bp.route("/begriffe/<vocabulary>/<int:term_id>", methods=["GET", "POST"])
def edit_term(vocabulary: str, term_id: int | None = None):
    """Create or edit a term; its code is fixed once created."""
    vocabulary = _vocabulary(vocabulary)
    term = db.session.get(Term, term_id) if term_id else None
    if term_id and (term is None or term.vocabulary != vocabulary):
        abort(404)
    form = TermForm()
    if term is not None and not form.is_submitted():
        form.code.data, form.position.data = term.code, term.position
        for lang in TermForm.LANGUAGES:
            getattr(form, f"label_{lang}").data = term.labels.get(lang, "")
    if form.validate_on_submit():
        try:
            if term is None:
                result = catalog.create_term(vocabulary, form.values(), staff_user())
            else:
                result = catalog.update_term(term, form.values(), staff_user())
        except EditError as problem:
            show_errors(form, problem)
        else:
            flash(_("Begriff gespeichert."), "success")
            for warning in result.warnings:
                flash(warning, "warning")
            return redirect(url_for("admin.term_list", vocabulary=vocabulary))
    status = 422 if form.errors else 200
    return render_template(
        "admin/term_form.html", form=form, term=term, vocabulary=vocabulary
    ), status


@bp.post("/begriffe/<int:term_id>/<any(archivieren, wiederherstellen):action>")
def archive_term(term_id: int, action: str):
    """Stop or resume offering a term for new entries."""
    term = db.session.get(Term, term_id) or abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    catalog.update_term(term, {"active": action == "wiederherstellen"}, staff_user())
    flash(_("Gespeichert."), "success")
    return redirect(url_for("admin.term_list", vocabulary=term.vocabulary))


@bp.get("/gemeinden")
def region_list():
    """List regions."""
    return render_template(
        "admin/region_list.html",
        page=views.region_list(request.args),
        action=ActionForm(),
        official=newest_totals(),
    )


@bp.route("/gemeinden/neu", methods=["GET", "POST"])
@bp.route("/gemeinden/<int:region_id>", methods=["GET", "POST"])
def edit_region(region_id: int | None = None):
    """Create or edit a region (outlines come from an import of official boundaries)."""
    region = db.session.get(Region, region_id) if region_id else None
    if region_id and region is None:
        abort(404)
    form = RegionForm(obj=region)
    if form.validate_on_submit():
        try:
            if region is None:
                region = catalog.create_region(form.values(), staff_user()).entity
            else:
                result = catalog.update_region(region, form.values(), staff_user())
                for warning in result.warnings:
                    flash(warning, "warning")
        except EditError as problem:
            show_errors(form, problem)
        else:
            flash(_("Gemeinde gespeichert."), "success")
            return redirect(url_for("admin.region_list"))
    status = 422 if form.errors else 200
    official = newest_totals().get(region.code) if region else None
    return render_template(
        "admin/region_form.html", form=form, region=region, official=official
    ), status


@bp.post("/gemeinden/<int:region_id>/<any(archivieren, wiederherstellen):action>")
def archive_region(region_id: int, action: str):
    """Archive or restore a region."""
    region = db.session.get(Region, region_id) or abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    catalog.update_region(region, {"active": action == "wiederherstellen"}, staff_user())
    flash(_("Gespeichert."), "success")
    return redirect(url_for("admin.region_list"))


@bp.get("/karte/gemeinden.geojson")
def region_outlines():
    """Return the Gemeinde outlines for the map picker."""
    return jsonify(views.region_outlines())
