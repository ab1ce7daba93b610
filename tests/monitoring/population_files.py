"""Population files for tests: the shared Destatis files, and files in their layout."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from kbm_map.extensions import db
from kbm_map.models import PopulationFigure, Region

GV = "destatis/2022_12_31_Auszug_GV.xlsx"
GENESIS = "destatis/Altersstruktur 2018 Kreisebene 12411-02-03-5-B.csv"
FULDA_GEMEINDEN = "fulda/gemeinden_lk_fulda.geojson"
FULDA, BAD_SALZSCHLIRF, KUENZELL, KREIS = "06631009", "06631001", "06631017", "06631"
# A made-up age structure of Fulda (Gemeinde) on 31.12.2018, in the 17 GENESIS groups.
FULDA_2018 = [2100, 1950, 2480, 3050, 1900, 1800, 5600, 5900, 4700, 4100, 3800,
              4300, 5000, 4600, 3900, 6200, 7400]  # fmt: skip


def kbm(runner, *args):
    """Run a kbm-map command and return the result."""
    return runner.invoke(args=[str(a) for a in args])


def genesis_csv(shared_data: Path, path: Path, rows: dict, stichtag: str = "31.12.2018") -> Path:
    """Write a file in the layout of GENESIS table 12411-02-03-5 with these rows.

    `rows` maps a code to (name, 17 age-group figures); title and header lines, the footnotes
    and the encoding are those of the shared Kreis file; männlich and weiblich are "-".
    """
    lines = (shared_data / GENESIS).read_bytes().decode("latin-1").split("\n")
    head = lines[:9]
    head[5] = head[5].replace("31.12.2018", stichtag)
    footer = lines[lines.index("__________") :]
    body = [
        ";".join([code, name, *map(str, [*groups, sum(groups)]), *["-"] * 36])
        for code, (name, groups) in rows.items()
    ]
    path.write_bytes("\n".join([*head, *body, *footer]).encode("latin-1"))
    return path


def hessen_extract(shared_data: Path, path: Path) -> Path:
    """Write the GV extract with only its title, header, the Hessen rows and the footnotes."""
    source = load_workbook(shared_data / GV, read_only=True)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Onlineprodukt_Gemeinden")
    for number, row in enumerate(source["Onlineprodukt_Gemeinden"].iter_rows(values_only=True)):
        if number < 6 or row[2] == "06" or (row[0] and not str(row[0]).isdigit()):
            sheet.append(row)
    source.close()
    book.save(path)
    return path


def stored_figures() -> set[tuple]:
    """Return every stored figure as (source, date, code, age group, value, estimated)."""
    table = PopulationFigure
    stmt = select(
        table.source,
        table.reference_date,
        table.code,
        table.age_group,
        table.value,
        table.estimated,
    )
    return set(db.session.execute(stmt).all())


def region_populations() -> dict[str, int | None]:
    """Return {AGS: population} of the regions."""
    db.session.expire_all()
    return dict(db.session.execute(select(Region.code, Region.population)).all())
