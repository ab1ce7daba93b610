"""The report as an Excel workbook: a sheet per indicator, gaps, reachability, sources and notes.

Numbers are stored as numbers with number formats ("#,##0.00"), which Excel shows with the
reader's separators: 1.234,56 in a German Excel. Text from imported files that looks like a
formula is stored as text with Excel's quote prefix, so it is never run.
"""

from __future__ import annotations

from pathlib import Path

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ...cells import formula_like
from ..numbers import day
from .document import Report, Row, Table, gap_distance
from .inputs import PERCENT

COUNT, RATIO, CHANGE = "#,##0", "#,##0.00", "+#,##0.00;-#,##0.00;0.00"
COUNT_CHANGE, SHARE, DATE = "+#,##0;-#,##0;0", "0%", "DD.MM.YYYY"
HEADER_ROW = 3
NOTES_SHEET = _l("Quellen und Hinweise")


def put(sheet: Worksheet, row: int, column: int, value, number_format: str | None = None):
    """Write a cell; formula-like text stays text, numbers get their format."""
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str) and formula_like(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    if number_format and value is not None:
        cell.number_format = number_format
    return cell


def heading(sheet: Worksheet, title: str, columns: list[str], widths: list[int]) -> None:
    """Write a sheet's title, its column headers (bold, frozen, filterable) and widths."""
    put(sheet, 1, 1, title).font = Font(bold=True, size=13)
    for column, (name, width) in enumerate(zip(columns, widths, strict=True), start=1):
        put(sheet, HEADER_ROW, column, name).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=1)


def write_xlsx(report: Report, out_path: Path) -> None:
    """Write the report as an XLSX workbook."""
    book = Workbook()
    book.remove(book.active)
    for table in report.tables:
        indicator_sheet(book.create_sheet(table.key), table, report)
    if report.gaps is not None:
        gaps_sheet(book.create_sheet(str(_l("Angebotslücken"))), report)
    if report.reach:
        reach_sheet(book.create_sheet(str(_l("Erreichbarkeit"))), report)
    notes_sheet(book.create_sheet(str(NOTES_SHEET)), report)
    book.properties.title = f"{_l('Bildungsmonitoring')} – {report.region_name}"
    book.properties.creator = "kbm-map"
    book.save(out_path)


def indicator_sheet(sheet: Worksheet, table: Table, report: Report) -> None:
    """Write one indicator: a row per Gemeinde, then entries in no Gemeinde and the total."""
    columns = [_l("AGS"), _l("Gemeinde"), _l("Wert"), _l("Einheit"), _l("Stichtag")]
    columns += [table.population_label or _l("Einwohner"), _l("Bevölkerungsstand")]
    columns += [_l("geschätzt")]
    widths = [12, 30, 12, 24, 12, 16, 18, 10]
    if report.comparing:
        columns += [_l("Wert am %(date)s", date=day(report.compare_date)), _l("Veränderung")]
        widths += [16, 12]
    heading(sheet, table.label, [str(c) for c in columns], widths)
    rows = [*table.rows, *([table.unplaced] if table.unplaced else []), table.total]
    for offset, row in enumerate(rows, start=HEADER_ROW + 1):
        _figure_row(sheet, offset, row, table, report)
        if row is table.total:
            for cell in sheet[offset]:
                cell.font = Font(bold=True)
    last = HEADER_ROW + len(table.rows)
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(columns))}{last}"


def _figure_row(sheet: Worksheet, line: int, row: Row, table: Table, report: Report) -> None:
    """Write one Gemeinde's value with unit, date, population and comparison."""
    value_format = RATIO if table.ratio else COUNT
    put(sheet, line, 1, row.code)
    put(sheet, line, 2, row.name)
    put(sheet, line, 3, row.value, value_format)
    put(sheet, line, 4, table.unit)
    put(sheet, line, 5, report.reference_date, DATE)
    if row.population is not None:
        put(sheet, line, 6, row.population.value, COUNT)
        put(sheet, line, 7, row.population.reference_date, DATE)
    put(sheet, line, 8, str(_l("ja")) if row.estimated else str(_l("nein")))
    if report.comparing:
        put(sheet, line, 9, row.compare, value_format)
        put(sheet, line, 10, row.change, CHANGE if table.ratio else COUNT_CHANGE)


def gaps_sheet(sheet: Worksheet, report: Report) -> None:
    """Write the Gemeinden that miss a gap rule, with value, target and distance."""
    columns = [_l("AGS"), _l("Gemeinde"), _l("Regel"), _l("Wert"), _l("Ziel"), _l("Einheit")]
    columns += [_l("Abstand")]
    heading(
        sheet, str(_l("Angebotslücken")), [str(c) for c in columns], [12, 30, 50, 10, 10, 16, 20]
    )
    for line, gap in enumerate(report.gaps, start=HEADER_ROW + 1):
        figure_format = SHARE if gap.unit == PERCENT else "#,##0.##"
        put(sheet, line, 1, gap.code)
        put(sheet, line, 2, gap.name)
        put(sheet, line, 3, gap.rule)
        put(sheet, line, 4, gap.value, figure_format)
        put(sheet, line, 5, gap.target, figure_format)
        put(sheet, line, 6, gap.unit)
        put(sheet, line, 7, gap_distance(gap, report.locale))


def reach_sheet(sheet: Worksheet, report: Report) -> None:
    """Write the share of inhabitants within each travel time, per kind, mode and Gemeinde."""
    minutes = sorted({m for reach in report.reach for m in reach.minutes})
    columns = [str(_l("Art des Lernorts")), str(_l("Verkehrsmittel")), str(_l("AGS"))]
    columns += [str(_l("Gemeinde"))] + [str(_l("bis %(minutes)s Min.", minutes=m)) for m in minutes]
    heading(sheet, str(_l("Erreichbarkeit")), columns, [22, 18, 12, 30] + [12] * len(minutes))
    line = HEADER_ROW
    for reach in report.reach:
        for row in [*reach.rows, *([reach.total] if reach.total else [])]:
            line += 1
            put(sheet, line, 1, reach.kind)
            put(sheet, line, 2, reach.mode_text)
            put(sheet, line, 3, row.code)
            put(sheet, line, 4, row.name)
            for column, m in enumerate(minutes, start=5):
                put(sheet, line, column, row.within.get(m), SHARE)


def notes_sheet(sheet: Worksheet, report: Report) -> None:
    """Write dates, selection, sources, licences and method notes."""
    population_dates = ", ".join(day(d, report.locale) for d in report.population_dates)
    facts = [
        (_l("Bericht"), f"{_l('Bildungsmonitoring')} – {report.region_name}", None),
        (_l("Stichtag der Einträge"), report.reference_date, DATE),
        (_l("Vergleich mit dem Stichtag"), report.compare_date if report.comparing else None, DATE),
        (_l("Bevölkerungsstand"), population_dates, None),
        (_l("Altersgruppe"), report.ages or None, None),
        (_l("Auswahl"), "; ".join(report.filters), None),
        (_l("Erstellt am"), report.generated_at, "DD.MM.YYYY HH:MM"),
    ]
    heading(sheet, str(NOTES_SHEET), [str(_l("Angabe")), str(_l("Inhalt"))], [28, 110])
    line = HEADER_ROW
    for label, value, number_format in facts:
        if value is not None and value != "":
            line += 1
            put(sheet, line, 1, str(label)).font = Font(bold=True)
            put(sheet, line, 2, value, number_format).alignment = Alignment(horizontal="left")
    for title, texts in ((_l("Quelle"), report.sources), (_l("Hinweis"), report.notes)):
        for text in texts:
            line += 1
            put(sheet, line, 1, str(title)).font = Font(bold=True)
            put(sheet, line, 2, text).alignment = Alignment(wrap_text=True, vertical="top")
