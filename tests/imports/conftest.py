"""Fixtures for the database side of imports: shared files, edited copies, counts, regions.

The app, database and `shared_data` fixtures come from tests/conftest.py; every test here
runs on SpatiaLite and on PostGIS.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kbm_map.extensions import db
from kbm_map.models import Location, Region
from kbm_map.services.imports import ImportSummary, run_import

FULDA_SCHOOLS = "fulda/schulen_lk_fulda.csv"
FULDA_GEMEINDEN = "fulda/gemeinden_lk_fulda.geojson"


@pytest.fixture()
def app_ctx(app):
    """Run the test in an app context on an emptied database, like the shared app_ctx.

    It empties the tables with DELETE instead of TRUNCATE: on PostGIS a TRUNCATE of all
    tables takes about 0.45 s per test, a DELETE of the few rows a test wrote about 1 ms.
    Ids are not reset; no test here depends on them.
    """
    from kbm_map.finding import search_backend
    from kbm_map.services.taxonomy import seed_terms

    with app.app_context():
        empty_tables(db.metadata.sorted_tables)
        seed_terms()
        search_backend().rebuild([])
        db.session.commit()  # the postgres backend writes in the session
        yield app
        db.session.rollback()
        db.session.remove()


def empty_tables(tables) -> None:
    """Delete the rows of the tables, dependent tables first."""
    with db.engine.begin() as conn:
        for table in reversed(tables):
            conn.execute(table.delete())


def empty_listings() -> None:
    """Delete Lernorte, Angebote and everything written with them; keep regions and terms."""
    db.session.commit()
    keep = {"regions", "terms", "postcode_places", "users"}
    empty_tables([t for t in db.metadata.sorted_tables if t.name not in keep])


@pytest.fixture
def count() -> Callable[..., int]:
    """Return a function counting the rows of a model, optionally filtered."""

    def _count(model, *where) -> int:
        return db.session.scalar(select(func.count()).select_from(model).where(*where))

    return _count


@pytest.fixture
def fulda_regions(app_ctx, shared_data) -> dict[str, int]:
    """Import the 23 Gemeinden of Landkreis Fulda and return {AGS: region id}."""
    from kbm_map.services.regions import import_regions

    import_regions(shared_data / FULDA_GEMEINDEN)
    return dict(db.session.execute(select(Region.code, Region.id)).all())


@pytest.fixture
def fulda_copy(shared_data, tmp_path) -> Path:
    """Return an editable copy of the Fulda schools CSV."""
    copy = tmp_path / "schulen.csv"
    copy.write_bytes((shared_data / FULDA_SCHOOLS).read_bytes())
    return copy


@pytest.fixture
def fulda(app_ctx, fulda_copy) -> ImportSummary:
    """Import the copy of the Fulda schools as source 'fulda'."""
    return run_import(fulda_copy, "jedeschule-schulen", "fulda", update_index=False)


class CsvTable:
    """A CSV file read into rows that a test edits and writes back."""

    def __init__(self, path: Path):
        """Read the file."""
        self.path = path
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            self.columns = list(reader.fieldnames or [])
            self.rows = list(reader)

    def row(self, external_id: str) -> dict:
        """Return the row with this id."""
        return next(r for r in self.rows if r["id"] == external_id)

    def save(self) -> None:
        """Write the rows back."""
        out = io.StringIO()
        writer = csv.DictWriter(out, self.columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.rows)
        self.path.write_text(out.getvalue(), encoding="utf-8")


@pytest.fixture
def table() -> Callable[[Path], CsvTable]:
    """Return a reader for CSV files to edit."""
    return CsvTable


def location(external_id: str, source: str = "fulda") -> Location:
    """Return an imported Lernort by its id in the source."""
    stmt = select(Location).where(Location.source == source, Location.external_id == external_id)
    return db.session.scalars(stmt).one()
