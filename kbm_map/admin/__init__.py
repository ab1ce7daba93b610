"""The staff area (/admin): accounts, editing, review, public reports, history, imports."""

from __future__ import annotations

from flask import Flask

from . import (  # noqa: F401  (routes)
    accounts,
    catalog,
    history,
    listings,
    monitoring,
    review,
    uploads,
)
from .blueprint import bp
from .security import init_app as init_security


def init_app(app: Flask) -> None:
    """Attach sign-in, CSRF and rate limits, and register the staff area."""
    init_security(app)
    app.register_blueprint(bp)
