"""Error pages: a clear message in the visitor's language, JSON for the API, never a traceback."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, InternalServerError

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
        return jsonify(error={"status": code, "title": str(title), "detail": detail}), code
    return render_template("errors/error.html", title=title, message=message), code


def init_app(app: Flask) -> None:
    """Register the error handlers."""
    app.register_error_handler(HTTPException, render_error)

    @app.errorhandler(Exception)
    def unexpected(error):
        """Log an unexpected error and answer with a plain 500 page."""
        app.logger.exception("unhandled error on %s", request.path)
        return render_error(InternalServerError())
