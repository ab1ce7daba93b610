"""The app's search backend as a Flask extension: chosen by KBM_SEARCH_BACKEND, opened lazily."""

from __future__ import annotations

import threading

from flask import Flask, current_app

from ..search import SearchBackend, WhooshBackend
from .filters import LAYOUT


class SearchEngine:
    """Attach a search backend to an app; `search.backend` is the current app's."""

    def __init__(self, app: Flask | None = None) -> None:
        """Create the extension, optionally bound to an app at once."""
        self._lock = threading.Lock()
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        """Register the extension; the backend opens on first use in each process."""
        app.extensions["kbm_search"] = {"engine": self, "backend": None}

    @property
    def backend(self) -> SearchBackend:
        """Return the current app's backend, opening it on first use in this process."""
        state = current_app.extensions["kbm_search"]
        if state["backend"] is None:
            with self._lock:
                if state["backend"] is None:
                    state["backend"] = self._open(current_app)
        return state["backend"]

    def close(self, app: Flask) -> None:
        """Close the app's backend (tests, and a worker shutting down)."""
        state = app.extensions["kbm_search"]
        if state["backend"] is not None:
            state["backend"].close()
            state["backend"] = None

    @staticmethod
    def _open(app: Flask) -> SearchBackend:
        """Open the backend the settings name."""
        if app.config["SEARCH_BACKEND"] == "postgres":
            from ..extensions import db
            from ..search.postgres import PostgresBackend

            return PostgresBackend(LAYOUT, session=lambda: db.session)
        return WhooshBackend(app.config["SEARCH_INDEX_DIR"], LAYOUT)


search_engine = SearchEngine()


def search_backend() -> SearchBackend:
    """Return the current app's search backend."""
    return search_engine.backend
