"""How listing tables are described for imports, and their rows read as they are stored."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from geoalchemy2.functions import ST_X, ST_Y
from sqlalchemy import ColumnElement, DateTime, Row, Select, String, Table, select, type_coerce

from ..extensions import db

BATCH = 2_000


@dataclass(frozen=True)
class Link:
    """Rows of another table that belong to a listing: terms, Lernorte, sessions."""

    name: str  # the field staff see, e.g. "areas"
    table: Table
    owner: str  # column pointing at the listing, e.g. "location_id"
    columns: tuple[str, ...]  # the values of one row, e.g. ("term_id",)
    nullable: bool = False  # values may be None (a session without an end)

    def sorted(self, rows) -> tuple:
        """Return link rows in a canonical order, so that equal sets compare equal."""
        if len(rows) < 2:
            return tuple(rows)
        return tuple(sorted(rows, key=link_key if self.nullable else None))


@dataclass(frozen=True)
class Spec:
    """How one listing table is upserted."""

    model: type
    entity: str  # "location" or "offer", as in audit entries
    label: str  # "name" or "title"
    columns: tuple[str, ...]  # plain columns an import may write
    links: tuple[Link, ...]
    has_geom: bool
    defaults: dict[str, Any] = field(default_factory=dict)  # for columns that must not be NULL


@dataclass
class Planned:
    """A file row ready to be written: the values of the fields its mapping fills."""

    file: str
    row: int
    external_id: str
    label: str
    values: dict[str, Any]  # column -> value
    links: dict[str, tuple]  # link name -> sorted tuple of row tuples
    geom: tuple[float, float] | None = None
    precision: str | None = None  # "place" or "postcode" when the gazetteer gave the position
    city: str | None = None  # for the slug


class Existing(NamedTuple):
    """A listing of the source as it is in the database."""

    id: int
    status: str
    edited: frozenset[str]
    label: str
    values: dict[str, Any]
    geom: tuple[float, float] | None
    links: dict[str, tuple]


def load_existing(
    spec: Spec, source: str | None = None, ids: Collection[int] | None = None
) -> dict[str, Existing]:
    """Read listings with the columns and links an import compares: a source's, or by id.

    A whole source is read with one query per table (fastest when every row is compared);
    listings by id (the rows of a chunk that a refresh compares) in batches of BATCH ids.
    """
    if (source is None) == (ids is None):
        raise TypeError("load_existing reads either a source or listings by id")
    table = spec.model.__table__
    columns = [table.c[name] for name in spec.columns]
    geom = [ST_X(table.c.geom), ST_Y(table.c.geom)] if spec.has_geom else []
    stmt = select(
        table.c.id,
        table.c.external_id,
        table.c.status,
        table.c.edited_fields,
        table.c[spec.label],
        *columns,
        *geom,
    )
    if ids is None:
        stmt = stmt.where(table.c.source == source)
    links = {link: _load_links(link, table, source, ids) for link in spec.links}
    existing = {}
    width = len(columns)
    for row in _rows(stmt, table.c.id, ids):
        values = dict(zip(spec.columns, row[5 : 5 + width], strict=True))
        point = None
        if spec.has_geom and row[5 + width] is not None:
            point = (row[5 + width], row[6 + width])
        existing[row.external_id] = Existing(
            id=row.id,
            status=row.status,
            edited=frozenset(row.edited_fields or ()),
            label=row[4],
            values=values,
            geom=point,
            links={link.name: link.sorted(found.get(row.id, ())) for link, found in links.items()},
        )
    return existing


def _load_links(
    link: Link, owners: Table, source: str | None, ids: Collection[int] | None
) -> dict[int, list[tuple]]:
    """Return {listing id: [row tuple, …]} for a source's listings, or for listings by id."""
    table = link.table
    owner = table.c[link.owner]
    columns = [table.c[c] for c in link.columns]
    as_text = db.engine.dialect.name == "sqlite" and any(
        isinstance(c.type, DateTime) for c in columns
    )
    if as_text:
        # SQLAlchemy parses SQLite's datetime text with a regular expression; for the
        # hundreds of thousands of session times of a large source, fromisoformat (in C)
        # is several times faster. Only DateTime columns are read this way.
        columns = [type_coerce(c, String) if isinstance(c.type, DateTime) else c for c in columns]
    stmt = select(owner, *columns)
    if ids is None:
        stmt = stmt.join(owners, owners.c.id == owner).where(owners.c.source == source)
    found: dict[int, list[tuple]] = defaultdict(list)
    if not as_text:
        for row in _rows(stmt, owner, ids):
            found[row[0]].append(tuple(row[1:]))
        return found
    parse = [_from_text if isinstance(table.c[c].type, DateTime) else None for c in link.columns]
    for row in _rows(stmt, owner, ids):
        found[row[0]].append(tuple(f(v) if f else v for f, v in zip(parse, row[1:], strict=True)))
    return found


def _rows(stmt: Select, owner: ColumnElement, ids: Collection[int] | None) -> Iterator[Row]:
    """Run a query as it is, or (given ids) once per batch of ids that the owner is among."""
    if ids is None:
        yield from db.session.execute(stmt).all()
        return
    wanted = list(ids)
    for start in range(0, len(wanted), BATCH):
        yield from db.session.execute(stmt.where(owner.in_(wanted[start : start + BATCH]))).all()


def _from_text(value: str | None) -> datetime | None:
    """Read a datetime as SQLite stores it ('2026-03-02 18:00:00.000000')."""
    return None if value is None else datetime.fromisoformat(value)


def link_key(row: tuple) -> tuple:
    """Sort key for session rows (start, end) whose end may be None."""
    start, end = row
    return (start, end is None, end or start)
