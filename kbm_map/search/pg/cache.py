"""What a process keeps of the search tables between queries: only what cannot go stale.

Within one generation (the index between two rebuilds) a seq is never reused, and the
columns, field lengths and postings of a document never change: writes only append new
seqs, removals only clear live bits (read afresh by every query). So whatever a process
has read of the seqs below a snapshot's next_seq is true of every later snapshot of the
same generation, in any transaction of any process. The one exception is a transaction's
own uncommitted write, which may still roll back and free its seqs for other documents:
a query in a transaction holding the write lock uses a private cache (postgres.py).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from functools import cached_property

import numpy as np

from kbm_map.search.columns import NO_DATE_HIGH, NO_DATE_LOW
from kbm_map.search.pg.analysed import FIELDS
from kbm_map.search.pg.blocks import decode_lengths, decode_positions
from kbm_map.search.pg.schema import BLOCK

POSTINGS_CACHE_BYTES = 32 * 2**20  # per process, as the Whoosh engine's postings cache
MEMO_ENTRIES = 32  # filter masks and sort keys, as the Whoosh engine's
# Dates as Python's date.toordinal(): day - DATE '0001-01-01' + 1.
_COLUMNS = """
    SELECT array_agg(seq), array_agg(min_age), array_agg(max_age),
           array_agg(start_day - DATE '0001-01-01' + 1), array_agg(end_day - DATE '0001-01-01' + 1),
           array_agg(lon), array_agg(lat), array_agg(name_key)
    FROM search_documents WHERE seq >= %(low)s AND seq < %(high)s
"""
_SESSIONS = """
    SELECT array_agg(seq), array_agg(day - DATE '0001-01-01' + 1)
    FROM search_documents, unnest(sessions) AS day WHERE seq >= %(low)s AND seq < %(high)s
"""
_LENGTHS = "SELECT block, lengths FROM search_blocks WHERE block >= %s AND block <= %s"
# column: (value for a seq without a row or a NULL, dtype)
_FILLS = {
    "min_age": (-np.inf, np.float64),
    "max_age": (np.inf, np.float64),
    "start": (NO_DATE_LOW, np.int64),
    "end": (NO_DATE_HIGH, np.int64),
    "lon": (np.nan, np.float64),
    "lat": (np.nan, np.float64),
}


def _numbers(values: list | None, missing: float, dtype: type) -> np.ndarray:
    """Return a list from array_agg as an array, None replaced by missing."""
    return np.array([missing if v is None else v for v in values or ()], dtype=dtype)


class Joined:
    """The columns of seqs 0..count-1, as the Whoosh engine's Columns hold them."""

    def __init__(self, count: int, columns: dict[str, np.ndarray]) -> None:
        """Hold arrays over count seqs (session_docs/_days: one entry per session)."""
        self.count = count
        self.columns = columns
        for name, values in columns.items():
            setattr(self, name, values)
        self.has_sessions = np.zeros(count, dtype=bool)
        self.has_sessions[self.session_docs] = True
        self.lengths = {name: columns[f"length_{name}"] for name in FIELDS}
        self._memo: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def read(cls, cursor, count: int, before: Joined | None = None) -> Joined:
        """Read the seqs from before.count (or 0) up to count, after those of before."""
        low = before.count if before is not None else 0
        fresh = _read_range(cursor, low, count)
        if before is None:
            return cls(count, fresh)
        joined = cls(count, {k: np.concatenate((before.columns[k], v)) for k, v in fresh.items()})
        if "name_rank" in before.__dict__:  # ranked already: shift by the new names
            joined._rank_after(before, fresh["names"])
        return joined

    def _rank_after(self, before: Joined, names: np.ndarray) -> None:
        """Rank the names from before's ranks and the new names, without sorting them all."""
        new = np.sort(names)
        old = before.sorted_names
        shifted = before.name_rank + np.searchsorted(new, before.names)
        added = np.searchsorted(old, names) + np.searchsorted(new, names)
        self.name_rank = np.concatenate((shifted, added)).astype(np.int64)
        self.sorted_names = np.insert(old, np.searchsorted(old, new), new)

    def prefix(self, count: int) -> Joined:
        """Return the columns of an older snapshot, which ends at count."""
        keep = self.columns["session_docs"] < count
        columns = {
            name: values[keep] if name.startswith("session_") else values[:count]
            for name, values in self.columns.items()
        }
        return Joined(count, columns)

    @cached_property
    def sorted_names(self) -> np.ndarray:
        """Return every name in order."""
        return np.sort(self.names)

    @cached_property
    def name_rank(self) -> np.ndarray:
        """Return each document's position in name order (equal names share one)."""
        return np.searchsorted(self.sorted_names, self.names).astype(np.int64)

    def memo(self, key: tuple, compute: Callable[[], np.ndarray]) -> np.ndarray:
        """Return a derived array of these columns, computing it on first use."""
        with self._lock:
            value = self._memo.get(key)
        if value is None:
            value = compute()
            value.flags.writeable = False
            with self._lock:
                self._memo[key] = value
                if len(self._memo) > MEMO_ENTRIES:
                    self._memo.popitem(last=False)
        return value


def _read_range(cursor, low: int, high: int) -> dict[str, np.ndarray]:
    """Read the columns of seqs low..high-1 (a removed seq gets the fill values)."""
    size = high - low
    columns = {name: np.full(size, fill, dtype) for name, (fill, dtype) in _FILLS.items()}
    columns["names"] = np.full(size, "", dtype="<U32")
    if size:
        cursor.execute(_COLUMNS, {"low": low, "high": high})
        seqs, *numbers, names = cursor.fetchone()
        at = np.array(seqs or (), dtype=np.int64) - low
        for (name, (fill, dtype)), column in zip(_FILLS.items(), numbers, strict=True):
            columns[name][at] = _numbers(column, fill, dtype)
        columns["names"][at] = names or ()
    cursor.execute(_SESSIONS, {"low": low, "high": high})
    docs, days = cursor.fetchone()
    docs, days = _numbers(docs, 0, np.int64), _numbers(days, 0, np.int64)
    order = np.lexsort((days, docs))  # by document, then date, as searching.py expects
    columns["session_docs"], columns["session_days"] = docs[order], days[order]
    cursor.execute(_LENGTHS, (low // BLOCK, max(high - 1, 0) // BLOCK))
    first = low // BLOCK * BLOCK
    lengths = decode_lengths(
        [(block - low // BLOCK, raw) for block, raw in cursor.fetchall()], high - first, len(FIELDS)
    )
    for name, values in zip(FIELDS, lengths, strict=True):
        columns[f"length_{name}"] = values[low - first :].astype(np.float32)
    return columns


class BlockCache:
    """The columns and full blocks' postings of one generation, read once per process."""

    def __init__(self) -> None:
        """Start empty."""
        self._lock = threading.Lock()
        self._generation: str | None = None
        self._joined: Joined | None = None
        self._postings: OrderedDict[tuple[str, str], tuple[int, list]] = OrderedDict()
        self._bytes = 0

    def _use(self, generation: str) -> None:
        """Forget everything of another generation (a rebuild replaced the index)."""
        if generation != self._generation:
            self._generation, self._joined = generation, None
            self._postings.clear()
            self._bytes = 0

    def columns(self, cursor, generation: str, count: int) -> Joined:
        """Return the columns of seqs below count, reading only those not read yet."""
        with self._lock:
            self._use(generation)
            joined = self._joined
            if joined is not None and joined.count >= count:
                return joined if joined.count == count else joined.prefix(count)
            self._joined = Joined.read(cursor, count, joined)
            return self._joined

    def postings(self, cursor, generation: str, keys: Iterable[tuple[str, str]], count: int):  # noqa: ANN201
        """Return {(kind, term): [(block, seqs, freqs), …]}, reading all but cached blocks."""
        full = count // BLOCK  # blocks that can no longer change
        with self._lock:
            self._use(generation)
            cached = {key: self._postings.get(key, (0, [])) for key in keys}
            for key in cached:
                if key in self._postings:
                    self._postings.move_to_end(key)
        fresh: dict[tuple[str, str], list] = {key: [] for key in cached}
        if cached:
            kinds, terms = (list(column) for column in zip(*cached, strict=True))
            firsts = [upto for upto, _ in cached.values()]  # the first block not cached
            cursor.execute(
                """SELECT p.kind::text, p.term, p.block, p.docs, p.freqs FROM search_postings p
                   JOIN unnest(%s::text[], %s::text[], %s::int[]) AS k(kind, term, first)
                     ON p.kind = k.kind::"char" AND p.term = k.term AND p.block >= k.first
                   ORDER BY p.kind, p.term, p.block""",
                (kinds, terms, firsts),
            )
            for kind, term, block, docs, freqs in cursor:
                fresh[(kind, term)].append((block, decode_positions(block, docs), freqs))
        result = {}
        with self._lock:
            for key, (_, rows) in cached.items():
                result[key] = rows = rows + fresh[key]
                self._remember(key, full, [row for row in rows if row[0] < full])
        return result

    def _remember(self, key: tuple[str, str], full: int, rows: list) -> None:
        """Keep the rows of full blocks of a term, within the cache's size."""
        old = self._postings.pop(key, None)
        if old is not None:
            self._bytes -= _size(old[1])
        self._postings[key] = (full, rows)
        self._bytes += _size(rows)
        while self._bytes > POSTINGS_CACHE_BYTES and len(self._postings) > 1:
            _, (_, dropped) = self._postings.popitem(last=False)
            self._bytes -= _size(dropped)


def _size(rows: list) -> int:
    """Return the bytes a term's cached rows take."""
    return sum(seqs.nbytes + (len(freqs) if freqs else 0) for _, seqs, freqs in rows)
