"""URL converters shared by all blueprints."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

#: The largest id a database column of type BIGINT (PostgreSQL) or INTEGER (SQLite) holds.
LARGEST_ID = 2**63 - 1


class DatabaseIdConverter(IntegerConverter):
    """`<int:…>` that does not match numbers no database id can have (a 404, not a 500).

    Werkzeug's converter accepts any length of digits; PostgreSQL and SQLite then fail
    with an overflow when the number is bound as a parameter.
    """

    def __init__(self, map, *args, **kwargs):
        """Like IntegerConverter, with `max` defaulting to LARGEST_ID."""
        kwargs.setdefault("max", LARGEST_ID)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    """Replace the `int` converter; must run before any blueprint is registered."""
    app.url_map.converters["int"] = DatabaseIdConverter
