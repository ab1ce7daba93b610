"""Short-lived memory for the map API: panning asks the same expensive questions again and again.

What is kept: the Lernort ids matching a filter set that needs Angebote or the search engine
(100,000 Angebote are too many to join on every pan), and the extent of all places. Entries
end after `SECONDS` or as soon as this process writes to the database, whichever comes
first; another process's writes show after at most `SECONDS` (the API's responses may be
cached for as long by browsers anyway: Cache-Control max-age=60).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from sqlalchemy import bindparam, event
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

SECONDS = 60.0
WRITES = ("INSERT", "UPDATE", "DELETE", "TRUNCATE", "REPLACE")


class _Memory:
    """A small LRU of values valid until a write in this process or a timeout."""

    def __init__(self, size: int = 4096):
        self.size = size
        self.version = 0
        self.entries: OrderedDict[tuple, tuple[int, float, object]] = OrderedDict()
        self.lock = threading.Lock()

    def wrote(self) -> None:
        """Forget everything: the database changed."""
        with self.lock:
            self.version += 1
            self.entries.clear()

    def recall(self, key: tuple) -> object | None:
        """Return the remembered value for key, or None if there is none or it is stale."""
        with self.lock:
            entry = self.entries.get(key)
            if entry and entry[0] == self.version and time.monotonic() - entry[1] < SECONDS:
                self.entries.move_to_end(key)
                return entry[2]
        return None

    def keep(self, key: tuple, value: object, version: int) -> None:
        """Remember a value computed from the data as it was at `version`."""
        with self.lock:
            if self.version == version:  # a write meanwhile makes the value suspect
                self.entries[key] = (version, time.monotonic(), value)
                while len(self.entries) > self.size:
                    self.entries.popitem(last=False)

    def get(self, key: tuple, compute: Callable[[], object]) -> object:
        """Return the remembered value for key, or compute and remember it."""
        value = self.recall(key)
        if value is None:
            version = self.version
            value = compute()
            self.keep(key, value, version)
        return value


MEMORY = _Memory()


def remember(key: tuple, compute: Callable[[], object]) -> object:
    """Return a remembered value (see the module docstring for how long)."""
    return MEMORY.get(key, compute)


def watch_writes(engine) -> None:
    """Forget remembered values whenever this process writes through the engine."""

    def after_execute(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip()[:8].upper().startswith(WRITES):
            MEMORY.wrote()

    event.listen(engine, "after_cursor_execute", after_execute)


class in_ids(FunctionElement):  # noqa: N801 - reads like the SQL it stands for
    """`column IN (ids)` with the ids in one parameter (thousands of ids, one placeholder)."""

    name = "in_ids"
    inherit_cache = True


@compiles(in_ids, "sqlite")
def _in_ids_sqlite(element, compiler, **kw):
    column, ids = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"({column} IN (SELECT value FROM json_each({ids})))"  # noqa: S608 - placeholders


@compiles(in_ids, "postgresql")
def _in_ids_pg(element, compiler, **kw):
    column, ids = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"({column} = ANY(CAST({ids} AS INTEGER[])))"


def encode_ids(ids, dialect: str) -> str:
    """Write ids as one text parameter: a JSON list for SQLite, an array literal for PostgreSQL.

    One string is bound much faster than thousands of integers (psycopg checks each one).
    """
    values = ",".join(str(int(i)) for i in sorted(ids))
    return f"{{{values}}}" if dialect == "postgresql" else f"[{values}]"


def id_filter(column, encoded: str):
    """Return `column IN ids` for ids written by encode_ids."""
    return in_ids(column, bindparam("ids", encoded, unique=True))
