"""The report as a CSV file: one row per Gemeinde and indicator.

Written for Excel as German offices use it, like the Regionalstatistik's own CSV: UTF-8
with a byte order mark (so umlauts survive a double-click), semicolons between fields,
a decimal comma without thousands separators (1,2346; 69968), dates as YYYY-MM-DD. Figures
per 1,000 carry four decimals. Text that a spreadsheet would run as a formula gets a
leading apostrophe. Read it elsewhere with e.g. pandas.read_csv(path, sep=";",
decimal=",", encoding="utf-8-sig").
"""

from __future__ import annotations

import csv
from pathlib import Path

from ...cells import defused
from .document import Report, Row, Table

COLUMNS = (
    "ags",
    "gemeinde",
    "indicator",
    "label",
    "value",
    "unit",
    "reference_date",
    "population",
    "population_date",
    "estimated",
    "compare_date",
    "compare_value",
)
RATIO_DECIMALS = 4


def figure(value: float | int | None, ratio: bool) -> str:
    """Write a number with a decimal comma and no grouping ("" for none)."""
    if value is None:
        return ""
    if not ratio:
        return str(int(value))
    return f"{value:.{RATIO_DECIMALS}f}".replace(".", ",")


def csv_row(row: Row, table: Table, report: Report) -> list[str]:
    """Return the fields of one Gemeinde's value of one indicator."""
    population = row.population
    return [
        defused(row.code),
        defused(row.name),
        table.key,
        defused(table.label),
        figure(row.value, table.ratio),
        table.unit,
        report.reference_date.isoformat(),
        "" if population is None else str(population.value),
        "" if population is None else population.reference_date.isoformat(),
        "ja" if row.estimated else "nein",
        report.compare_date.isoformat() if report.comparing else "",
        figure(row.compare, table.ratio) if report.comparing else "",
    ]


def write_csv(report: Report, out_path: Path) -> None:
    """Write one row per Gemeinde and indicator (the whole area is in the other formats)."""
    with out_path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for table in report.tables:
            for row in table.rows:
                writer.writerow(csv_row(row, table, report))
