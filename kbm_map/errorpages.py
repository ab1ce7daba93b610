"""Error pages: a clear message in the visitor's language, JSON for the API, never a traceback."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from .search import SearchIndexBusyError

MESSAGES = {
    400: (_l("Ungültige Anfrage"), _l("Die Anfrage enthält ungültige Angaben.")),
    403: (_l("Kein Zugriff"), _l("Sie haben keine Berechtigung für diese Seite.")),
    404: (
        _l("Seite nicht gefunden"),
        _l("Diese Seite gibt es nicht (mehr). Vielleicht hilft die Suche."),
    ),
    405: (_l("Nicht erlaubt"), _l("Diese Aktion ist hier nicht möglich.")),
    429: (
        _l("Zu viele Anfragen"),
        _l("Bitte warten Sie einen Moment und versuchen Sie es erneut."),
    ),
    503: (
        _l("Gerade nicht möglich"),
        _l(
            "Der Suchindex wird gerade neu aufgebaut. Ihre Änderung ist nicht gespeichert; "
            "bitte versuchen Sie es in einer Minute erneut."
        ),
    ),
    500: (
        _l("Interner Fehler"),
        _l("Etwas ist schiefgegangen. Bitte versuchen Sie es später erneut."),
    ),
}


def render_error(error: HTTPException):
    """Render an HTTP error as a page, or as JSON under /api/."""
    code = error.code or 500
    title, message = MESSAGES.get(code, (error.name, error.description))
    if request.path.startswith("/api/"):
        detail = error.description if code < 500 else str(message)
        response = jsonify(error={"status": code, "title": str(title), "detail": detail})
        for name, value in error.get_headers():  # Allow on 405, Retry-After on 429/503
            if name.lower() != "content-type":
                response.headers[name] = value
        return response, code
    return render_template("errors/error.html", title=title, message=message), code


def init_app(app: Flask) -> None:
    """Register the error handlers."""
    app.register_error_handler(HTTPException, render_error)

    @app.errorhandler(SearchIndexBusyError)
    def index_busy(error):
        """Answer a write that waited too long for the search index (a rebuild runs) with 503."""
        from .extensions import db

        db.session.rollback()
        app.logger.warning("search index busy on %s: %s", request.path, error)
        response, code = render_error(ServiceUnavailable())
        response = app.make_response((response, code))
        response.headers["Retry-After"] = "60"
        return response

    @app.errorhandler(Exception)
    def unexpected(error):
        """Log an unexpected error and answer with a plain 500 page."""
        app.logger.exception("unhandled error on %s", request.path)
        return render_error(InternalServerError())
