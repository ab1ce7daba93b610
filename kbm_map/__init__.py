"""kbm-map: a Bildungslandkarte for German municipalities."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

__version__ = "0.1.0"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Create the Flask app from KBM_* environment variables, overridden by `config`."""
    from . import cli, db, errorpages, headers, i18n, models, routing  # noqa: F401  (models registers the tables)
    from .config import load_config

    instance_path = os.environ.get("KBM_INSTANCE_PATH") or str(PROJECT_ROOT / "instance")
    app = Flask(
        __name__,
        instance_path=os.path.abspath(instance_path),
        static_folder=str(PROJECT_ROOT / "static"),
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    app.config.update(load_config(app.instance_path, config))
    app.json.sort_keys = False  # keep the API's keys in their documented order
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_SECURE"] = app.config["KBM_ENV"] == "production"

    routing.init_app(app)  # before the blueprints: their <int:…> rules use it
    i18n.init_app(app)
    db.init_app(app)
    from .finding import search_engine

    search_engine.init_app(app)  # the search backend of KBM_SEARCH_BACKEND, opened on first use
    cli.init_app(app)
    errorpages.init_app(app)
    headers.init_app(app)  # CSP, nosniff, referrer and framing on every response

    from .public import bp as public_bp
    from .public import templating

    templating.init_app(app)
    app.register_blueprint(public_bp)
    from .api import bp as api_bp

    app.register_blueprint(api_bp, url_prefix="/api/v1")
    from . import admin, reports

    admin.init_app(app)  # sign-in, CSRF on every form, rate limits, /admin
    reports.init_app(app)
    from . import mapview

    mapview.init_app(app)  # the map page, embed, oEmbed and /api/v1/map
    return app
