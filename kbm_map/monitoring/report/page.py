"""The report as one HTML document (styles and SVG inline), and as PDF through WeasyPrint."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale

from ..numbers import day, number, percent, signed
from .document import Report, gap_distance, gap_figure

STYLESHEET = "css/report.css"


def template_helpers(locale: str) -> dict:
    """Return the number and date formatters the monitoring templates use, for a locale."""
    return {
        "number": lambda v, d=0: number(v, d, locale),
        "percent": lambda v: percent(v, locale),
        "day": lambda v: day(v, locale),
        "signed": lambda v, d=0: signed(v, d, locale),
        "gap_figure": lambda g, v: gap_figure(g, v, locale),
        "gap_distance": lambda g: gap_distance(g, locale),
    }


def html_document(report: Report) -> str:
    """Render the report's HTML with its stylesheet inline (works without a request)."""
    css = (Path(current_app.static_folder) / STYLESHEET).read_text(encoding="utf-8")
    with force_locale(report.locale):
        return render_template(
            "monitoring/report.html", report=report, css=css, **template_helpers(report.locale)
        )


def write_html(report: Report, out_path: Path) -> None:
    """Write the report as a self-contained HTML file."""
    out_path.write_text(html_document(report), encoding="utf-8")


def write_pdf(report: Report, out_path: Path) -> None:
    """Write the report as a tagged PDF (PDF/UA) for printing and for screen readers."""
    from weasyprint import HTML  # imported here: loads Pango, which only the PDF needs

    document = HTML(string=html_document(report), base_url=current_app.static_folder)
    document.write_pdf(out_path, pdf_variant="pdf/ua-1")
