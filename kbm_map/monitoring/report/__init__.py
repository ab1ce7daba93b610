"""The committee report of a coverage: PDF, self-contained HTML, XLSX or CSV.

    document.py  the report as data (tables per indicator, charts, gaps, reachability, notes)
    words.py     the selection in words, method notes, sources and licences
    inputs.py    gap findings and reachability as plain data, and attribution strings
    page.py      HTML (template monitoring/report.html) and PDF (WeasyPrint)
    workbook.py  XLSX        table.py  CSV        (kbm_map/cells.py: formula-like text defused)

Needs an app context (templates, translations); runs without a request (the CLI).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path

from ..charts import Shape
from ..indicators import Coverage
from .document import SECTIONS, Report, build_report
from .inputs import Attribution, Gap, Reach, ReachRow, ReportError
from .page import write_html, write_pdf
from .table import write_csv
from .workbook import write_xlsx

WRITERS = {"pdf": write_pdf, "html": write_html, "xlsx": write_xlsx, "csv": write_csv}
FORMATS = tuple(WRITERS)

__all__ = [
    "FORMATS",
    "SECTIONS",
    "Attribution",
    "Gap",
    "Reach",
    "ReachRow",
    "Report",
    "ReportError",
    "build_report",
    "render_report",
]


def render_report(
    coverage: Coverage,
    fmt: str,
    out_path: str | os.PathLike,
    *,
    region_name: str,
    sections: Sequence[str] | None = None,
    indicators: Sequence[str] | None = None,
    shapes: Sequence[Shape] | None = None,
    gaps: Sequence | None = None,
    reach: Sequence | None = None,
    generated_at: dt.datetime | None = None,
    attribution: Attribution | None = None,
    locale: str = "de",
) -> Path:
    """Write the report in a format (pdf, html, xlsx, csv) to a file, whole or not at all."""
    writer = WRITERS.get(fmt.lower())
    if writer is None:
        raise ReportError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}")
    out_path = Path(out_path)
    if not out_path.parent.is_dir():
        raise ReportError(f"cannot write {out_path}: folder {out_path.parent} does not exist")
    report = build_report(
        coverage,
        region_name=region_name,
        sections=sections,
        indicators=indicators,
        shapes=shapes,
        gaps=gaps,
        reach=reach,
        generated_at=generated_at,
        attribution=attribution,
        charts=fmt.lower() in ("pdf", "html"),
        locale=locale,
    )
    # A half-written file must never replace a good one: write beside it, then rename.
    temporary = out_path.with_name(f".{out_path.name}.{os.getpid()}.part")
    try:
        writer(report, temporary)
        os.replace(temporary, out_path)
    except OSError as exc:
        raise ReportError(f"cannot write {out_path}: {exc.strerror or exc}") from None
    finally:
        temporary.unlink(missing_ok=True)
    return out_path
