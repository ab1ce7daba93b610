"""The search index in PostgreSQL, written in the caller's transaction (the SearchBackend protocol).

Every app server reads and writes the same tables, so several servers need no shared disk;
an index write commits or rolls back with the data it describes. The tables and why they
are blocks of postings and bitmaps rather than rows per document: kbm_map/search/pg/schema.py.

Writes take a transaction-level advisory lock (released by the caller's commit or rollback):
writers append one after the other, as Whoosh's write lock makes them. Reads never wait.
Each call runs in a savepoint: a failed write leaves the index as it was and the caller's
transaction usable; a read rolls its savepoint back, which also undoes its settings.
"""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Callable, Iterable, Iterator

import psycopg
from sqlalchemy.orm import Session

from kbm_map.search.backend import Document
from kbm_map.search.index import SearchIndexBusyError, SearchIndexOutdatedError
from kbm_map.search.pg import writing
from kbm_map.search.pg.analysed import analyse
from kbm_map.search.pg.cache import BlockCache
from kbm_map.search.pg.reading import State, read_columns, run_query
from kbm_map.search.pg.schema import FORMAT, TABLES
from kbm_map.search.query import FacetLayout, SearchQuery, SearchResult

LOCK_SPACE = 0x6B626D  # "kbm": the advisory lock is (LOCK_SPACE, oid of search_state)
_LOCK = "SELECT pg_try_advisory_xact_lock(%s::bigint << 32 | 'search_state'::regclass::oid::bigint)"
_STATE = """
    SELECT (SELECT value FROM search_state WHERE key = 'stamp'),
           (SELECT value FROM search_state WHERE key = 'next_seq'),
           (SELECT value FROM search_state WHERE key = 'generation'),
           EXISTS (SELECT FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()
                   AND classid = %s::oid AND objid = 'search_state'::regclass::oid)
"""


class PostgresBackend:
    """A search index in the app's PostgreSQL database, updated in the caller's transaction."""

    name = "postgres"
    transactional = True  # index() and remove() write in the caller's transaction

    def __init__(
        self,
        layout: FacetLayout,
        session: Callable[[], Session],
        writer_timeout: float = 60.0,
    ) -> None:
        """Use the search tables through session() (e.g. lambda: db.session).

        writer_timeout: how long a write waits for another transaction's write to finish.
        """
        self.layout = layout
        self.session = session
        self.writer_timeout = writer_timeout
        self._stamp = json.dumps({"format": FORMAT, "layout": layout.fingerprint()})
        self._cache = BlockCache()

    # Transactions

    @contextlib.contextmanager
    def _savepoint(self, keep: bool) -> Iterator[psycopg.Cursor]:
        """Yield a binary cursor inside a savepoint, released if keep and all went well."""
        session = self.session()
        nested = session.begin_nested()
        try:
            driver = session.connection().connection.driver_connection
            with driver.cursor(binary=True) as cursor:
                try:
                    yield cursor
                except psycopg.errors.UndefinedTable:
                    raise SearchIndexOutdatedError(
                        "The search tables are missing from the database; create them with "
                        "`kbm-map init-db`, then fill them with `kbm-map reindex`."
                    ) from None
        except BaseException:
            nested.rollback()
            raise
        if keep:
            nested.commit()
        else:
            nested.rollback()

    def _read_state(self, cursor: psycopg.Cursor, check: bool = True) -> tuple[State | None, bool]:
        """Return the index state (None: never written) and whether this transaction writes."""
        cursor.execute(_STATE, (LOCK_SPACE,))
        stamp, next_seq, generation, own_writes = cursor.fetchone()
        if stamp is None:
            return None, own_writes
        if check and stamp != self._stamp:
            raise SearchIndexOutdatedError(
                "The search index in the database was built for other search filters or by an "
                "older kbm-map; rebuild it with `kbm-map reindex`."
            )
        return State(int(next_seq), generation), own_writes

    def outdated(self) -> bool:
        """Tell whether the index was built for another layout or table format."""
        with self._savepoint(keep=False) as cursor:
            try:
                self._read_state(cursor)
            except SearchIndexOutdatedError:
                return True
        return False

    @contextlib.contextmanager
    def _write(self, rebuild: bool = False) -> Iterator[tuple[psycopg.Cursor, State]]:
        """Yield a cursor and the state under the write lock; store the new state after."""
        with self._savepoint(keep=True) as cursor:
            deadline = time.monotonic() + self.writer_timeout
            while True:
                cursor.execute(_LOCK, (LOCK_SPACE,))
                if cursor.fetchone()[0]:
                    break
                if time.monotonic() > deadline:
                    raise SearchIndexBusyError(
                        "The search index in the database stayed locked by another "
                        f"transaction's write for {self.writer_timeout:.0f} s. Wait for the "
                        "running import or rebuild to finish, or raise writer_timeout."
                    )
                time.sleep(0.02)
            state = None if rebuild else self._read_state(cursor)[0]
            state = state or State(0, uuid.uuid4().hex)  # a new generation
            yield cursor, state
            cursor.execute(
                """INSERT INTO search_state (key, value)
                   VALUES ('stamp', %s), ('next_seq', %s), ('generation', %s)
                   ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value""",
                (self._stamp, str(state.next_seq), state.generation),
            )

    # The protocol

    def index(self, docs: Iterable[Document]) -> None:
        """Add documents, replacing any with the same id."""
        latest = {str(doc["id"]): doc for doc in docs}  # the last one wins
        if not latest:
            return
        analysed = (analyse(doc, self.layout) for doc in latest.values())  # block by block
        with self._write() as (cursor, state):
            writing.remove(cursor, list(latest))
            state.next_seq = writing.append(cursor, analysed, state.next_seq)

    def remove(self, ids: Iterable[str]) -> None:
        """Remove the documents with these ids (unknown ids are ignored)."""
        ids = [str(i) for i in ids]
        if ids:
            with self._write() as (cursor, _state):
                writing.remove(cursor, ids)

    def rebuild(self, docs: Iterable[Document]) -> int:
        """Replace every document by docs; others read the old index until the commit."""
        counted = 0

        def analysed() -> Iterator:
            nonlocal counted
            for doc in docs:
                counted += 1
                yield analyse(doc, self.layout)

        with self._write(rebuild=True) as (cursor, state):
            writing.clear(cursor)
            state.next_seq = writing.append(cursor, analysed(), 0)
            for table in TABLES:  # the planner should know the new sizes at once
                cursor.execute(f"ANALYZE {table}")
        return counted

    def query(self, query: SearchQuery) -> SearchResult:
        """Answer a query from what the caller's transaction sees."""
        self.layout.check(query)
        with self._savepoint(keep=False) as cursor:
            # JIT compiling costs more than these statements take; the savepoint undoes it.
            cursor.execute("SELECT set_config('jit', 'off', true)")
            state, own_writes = self._read_state(cursor)
            # Seqs this transaction wrote may still roll back: such reads cache nothing.
            cache = BlockCache() if own_writes else self._cache
            columns = read_columns(cursor, cache, state or State(0, ""))
            return run_query(cursor, self.layout, query, columns)

    def count(self) -> int:
        """Return the number of documents in the index."""
        with self._savepoint(keep=False) as cursor:
            if self._read_state(cursor)[0] is None:
                return 0
            cursor.execute("SELECT coalesce(sum(bit_count(live)), 0) FROM search_blocks")
            return int(cursor.fetchone()[0])

    def close(self) -> None:
        """Forget what this process kept of the index (the session belongs to the caller)."""
        self._cache = BlockCache()
