"""The public site: home, search results, Lernort and Angebot pages, sitemap, health check."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)

from ..db import check_connection
from ..errors import DatabaseSetupError
from ..finding import ParamError, parse_params, run_search
from ..i18n import add_language, pull_language, select_locale
from . import figures, views

bp = Blueprint("public", __name__)
SITEMAP_PAGE = 10_000  # entries per sitemap page; with 5 languages that is 50,000 URLs


bp.url_value_preprocessor(pull_language)
bp.url_defaults(add_language)


@bp.get("/")
def root():
    """Send visitors to the home page in their preferred language."""
    return redirect(url_for("public.home", lang=select_locale()))


@bp.get("/<lang:lang>/")
def home():
    """Show the home page with the search box, the Bildungsbereiche and the figures."""
    return render_template("public/home.html", **views.home_figures())


@bp.get("/<lang:lang>/suche")
def search():
    """Show search results with facets; every state of the page is in its URL."""
    try:
        params = parse_params(request.args)
    except ParamError as error:
        return render_template("public/search.html", error=error, outcome=None), 400
    return render_template("public/search.html", error=None, outcome=run_search(params))


bp.add_url_rule("/<lang:lang>/zahlen", "figures", figures.figures)


@bp.get("/<lang:lang>/lernort/<slug>")
def location(slug: str):
    """Show a Lernort with its address, hours, accessibility and current offers."""
    return render_template("public/location.html", **views.location_page(slug))


@bp.get("/<lang:lang>/angebot/<slug>")
def offer(slug: str):
    """Show an Angebot with dates, cost, registration and places."""
    return render_template("public/offer.html", **views.offer_page(slug))


@bp.get("/robots.txt")
def robots():
    """Allow crawlers on public pages and point them at the sitemap."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /api/",
        "Disallow: /embed/",
        f"Sitemap: {url_for('public.sitemap', _external=True)}",
        "",
    ]
    return Response("\n".join(lines), mimetype="text/plain")


@bp.get("/sitemap.xml")
def sitemap():
    """List the sitemap pages (a sitemap may hold at most 50,000 URLs)."""
    pages = max(1, -(-views.sitemap_size() // SITEMAP_PAGE))
    xml = render_template("public/sitemap-index.xml", pages=range(1, pages + 1))
    return Response(xml, mimetype="application/xml")


@bp.get("/sitemap-<int:page>.xml")
def sitemap_page(page: int):
    """List one page of published entries, each with its language versions."""
    entries = views.sitemap_entries(offset=(page - 1) * SITEMAP_PAGE, limit=SITEMAP_PAGE)
    if page < 1 or (page > 1 and not entries):
        abort(404)
    xml = render_template("public/sitemap.xml", entries=entries)
    return Response(xml, mimetype="application/xml")


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
