"""Routes: the staff page "Monitoring" and the committee report as a download."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from flask import abort, render_template, request, send_file

from ..finding import ParamError
from ..monitoring.committee import MonitoringError, gather, write_report
from ..monitoring.page import figures_page
from ..monitoring.params import parse_monitoring
from ..monitoring.report import FORMATS
from .blueprint import bp

MIMETYPES = {
    "pdf": "application/pdf",
    "html": "text/html",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
}


@bp.get("/monitoring")
def monitoring():
    """Show coverage, gaps and reachability per Gemeinde for a selection."""
    try:
        context = figures_page(request.args, "de")
    except ParamError as error:
        return render_template("admin/monitoring.html", error=error), 400
    return render_template("admin/monitoring.html", error=None, **context)


@bp.get("/monitoring/bericht.<fmt>")
def monitoring_report(fmt: str):
    """Send the committee report of the page's selection as PDF, HTML, XLSX or CSV."""
    if fmt not in FORMATS:
        abort(404)
    args = request.args.copy()
    args.pop("indicator", None)  # the report has every indicator
    try:
        wanted = parse_monitoring(args)
    except ParamError as error:
        return render_template("admin/monitoring.html", error=error), 400
    with tempfile.TemporaryDirectory(prefix="kbm-report-") as folder:
        out = Path(folder) / f"bildungsmonitoring.{fmt}"
        try:
            write_report(gather(wanted.params, wanted.day, wanted.compare), fmt, out)
        except MonitoringError as error:  # no Gemeinden yet, broken gap rules
            return render_template("admin/monitoring.html", error=None, problem=str(error)), 409
        data = out.read_bytes()
    name = f"bildungsmonitoring-{wanted.day.isoformat()}.{fmt}"
    return send_file(
        io.BytesIO(data), mimetype=MIMETYPES[fmt], as_attachment=True, download_name=name
    )
