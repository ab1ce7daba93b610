"""The interactive map: its page, the embeddable map, and its data under /api/v1/map."""

from __future__ import annotations

from flask import Flask

from ..extensions import db
from ..maps import check_tile_url
from .api import bp as api_bp
from .cache import watch_writes
from .embedding import check_embed_origins
from .pages import bp
from .views import position_map


def init_app(app: Flask) -> None:
    """Check the map settings and register the map pages and the map API."""
    check_tile_url(app.config["TILE_URL"])
    check_embed_origins(app.config["EMBED_ORIGINS"])
    with app.app_context():
        watch_writes(db.engine)
    app.add_template_global(position_map, "position_map")  # the Lernort page's small map
    app.register_blueprint(bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
