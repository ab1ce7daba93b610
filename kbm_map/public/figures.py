"""The public page "Zahlen": the monitoring figures, when the office publishes them."""

from __future__ import annotations

from flask import abort, current_app, g, render_template, request

from ..finding import ParamError
from ..monitoring.page import figures_page, figures_rate_limit


@figures_rate_limit()
def figures():
    """Show Lernorte and Angebote per Gemeinde and per 1,000 inhabitants (KBM_PUBLIC_FIGURES)."""
    if not current_app.config["PUBLIC_FIGURES"]:
        abort(404)
    try:
        context = figures_page(request.args, g.lang, gaps=False)
    except ParamError as error:
        return render_template("public/figures.html", error=error), 400
    return render_template("public/figures.html", error=None, **context)
