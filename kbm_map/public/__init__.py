"""The public site: home page, health check (search and detail pages follow)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, jsonify, redirect, render_template, url_for

from ..db import check_connection
from ..errors import DatabaseSetupError
from ..i18n import select_locale
from . import views

bp = Blueprint("public", __name__)


@bp.url_value_preprocessor
def pull_language(endpoint, values):
    """Take the language out of the URL and reject languages this site does not offer."""
    if values and "lang" in values:
        lang = values.pop("lang")
        if lang not in current_app.config["LANGUAGES"]:
            abort(404)
        g.lang = lang


@bp.url_defaults
def add_language(endpoint, values):
    """Keep the current language in every URL built for this blueprint."""
    if "lang" not in values and current_app.url_map.is_endpoint_expecting(endpoint, "lang"):
        values["lang"] = g.get("lang") or select_locale()


@bp.get("/")
def root():
    """Send visitors to the home page in their preferred language."""
    return redirect(url_for("public.home", lang=select_locale()))


@bp.get("/<lang:lang>/")
def home():
    """Show the home page with the region's figures and the Bildungsbereiche."""
    return render_template("public/home.html", **views.home_figures())


@bp.get("/healthz")
def healthz():
    """Report whether the database is reachable and the schema is current."""
    try:
        backend = check_connection()
        counts = views.public_counts()
    except DatabaseSetupError as exc:
        return jsonify(status="error", database=str(exc)), 503
    except Exception as exc:  # noqa: BLE001 - a health check reports, it does not crash
        current_app.logger.exception("health check failed")
        return jsonify(status="error", database=type(exc).__name__), 503
    return jsonify(status="ok", database=backend, **counts)
