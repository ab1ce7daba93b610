"""Public change reports ("Änderung melden") and offer suggestions, into the moderation queue.

No third-party captcha: a honeypot field that people never see, and a rate limit per address.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    url_for,
)

from ..extensions import limiter
from ..i18n import select_locale
from ..services import reports
from .forms import ChangeReportForm, SuggestionForm

bp = Blueprint("reports", __name__)


def _limit() -> str:
    """Return the configured rate limit for report forms."""
    return current_app.config["REPORT_RATE_LIMIT"]


@bp.url_value_preprocessor
def pull_language(endpoint, values):
    """Take the language out of the URL and reject languages this site does not offer."""
    lang = (values or {}).pop("lang", None)
    if lang is not None and lang not in current_app.config["LANGUAGES"]:
        abort(404)
    g.lang = lang


@bp.url_defaults
def add_language(endpoint, values):
    """Keep the current language in the URLs of this blueprint."""
    values.setdefault("lang", g.get("lang") or select_locale())


@bp.route("/<lang:lang>/melden/<any(location, offer):kind>/<int:id>", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
def report_change(kind: str, id: int):  # noqa: A002 - the URL parameter the public pages use
    """Let anyone report that a published Lernort or Angebot needs a correction."""
    entry = reports.reported_entry(kind, id) or abort(404)
    form = ChangeReportForm.for_kind(kind)
    if form.validate_on_submit():
        if not form.is_spam():
            reports.submit_change(
                kind, id, form.message.data, form.proposed(), form.email.data, g.lang
            )
        return redirect(url_for("reports.thanks"))
    status = 422 if form.errors else 200
    return render_template("reports/change.html", form=form, entry=entry, kind=kind), status


@bp.route("/<lang:lang>/vorschlagen", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
def suggest():
    """Let anyone suggest a new Angebot."""
    form = SuggestionForm()
    if form.validate_on_submit():
        if not form.is_spam():
            reports.submit_suggestion(form.values(), form.email.data, g.lang)
        return redirect(url_for("reports.thanks"))
    status = 422 if form.errors else 200
    return render_template("reports/suggest.html", form=form), status


@bp.get("/<lang:lang>/melden/danke")
def thanks():
    """Thank the sender (the same page for caught spam, so bots learn nothing)."""
    return render_template("reports/thanks.html")


def init_app(app: Flask) -> None:
    """Register the report forms."""
    app.register_blueprint(bp)
