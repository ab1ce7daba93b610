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
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from kbm_map.search.columns import NO_DATE_HIGH, NO_DATE_LOW
from kbm_map.search.pg.analysed import FIELDS
from kbm_map.search.pg.blocks import decode_lengths, decode_positions
from kbm_map.search.pg.schema import BLOCK

POSTINGS_CACHE_BYTES = 32 * 2**20  # per process, as the Whoosh engine's postings cache
# Dates as Python's date.toordinal(): day - DATE '0001-01-01' + 1.
_COLUMNS = """
    SELECT array_agg(seq), array_agg(min_age), array_agg(max_age),
           array_agg(start_day - DATE '0001-01-01' + 1), array_agg(end_day - DATE '0001-01-01' + 1),
           array_agg(lon), array_agg(lat), array_agg(name_key)
    FROM search_documents WHERE seq >= %(low)s AND seq < %(high)s
"""
_SESSIONS = """
    SELECT array_agg(seq ORDER BY seq, day),
           array_agg(day - DATE '0001-01-01' + 1 ORDER BY seq, day)
    FROM search_documents, unnest(sessions) AS day WHERE seq >= %(low)s AND seq < %(high)s
"""


def _numbers(values: list | None, missing: float, dtype: type) -> np.ndarray:
    """Return a list from array_agg as an array, None replaced by missing."""
    return np.array([missing if v is None else v for v in values or ()], dtype=dtype)


@dataclass
class Block:
    """The columns of one block's documents, as the Whoosh engine's SegmentColumns."""

    number: int
    filled: int = 0  # positions read; those after may still be written
    min_age: np.ndarray = field(default_factory=lambda: np.full(BLOCK, -np.inf))
    max_age: np.ndarray = field(default_factory=lambda: np.full(BLOCK, np.inf))
    start: np.ndarray = field(default_factory=lambda: np.full(BLOCK, NO_DATE_LOW, np.int64))
    end: np.ndarray = field(default_factory=lambda: np.full(BLOCK, NO_DATE_HIGH, np.int64))
    lon: np.ndarray = field(default_factory=lambda: np.full(BLOCK, np.nan))
    lat: np.ndarray = field(default_factory=lambda: np.full(BLOCK, np.nan))
    names: np.ndarray = field(default_factory=lambda: np.full(BLOCK, "", dtype="<U32"))
    session_docs: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    session_days: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    lengths: list[np.ndarray] | None = None

    def read(self, cursor, filled: int) -> None:
        """Read the documents at positions from self.filled up to filled."""
        low, high = self.number * BLOCK + self.filled, self.number * BLOCK + filled
        cursor.execute(_COLUMNS, {"low": low, "high": high})
        seqs, min_age, max_age, start, end, lon, lat, names = cursor.fetchone()
        at = np.array(seqs or (), dtype=np.int64) - self.number * BLOCK
        self.min_age[at] = _numbers(min_age, -np.inf, np.float64)
        self.max_age[at] = _numbers(max_age, np.inf, np.float64)
        self.start[at] = _numbers(start, NO_DATE_LOW, np.int64)
        self.end[at] = _numbers(end, NO_DATE_HIGH, np.int64)
        self.lon[at] = _numbers(lon, np.nan, np.float64)
        self.lat[at] = _numbers(lat, np.nan, np.float64)
        self.names[at] = names or ()
        cursor.execute(_SESSIONS, {"low": low, "high": high})
        docs, days = cursor.fetchone()
        positions = _numbers(docs, 0, np.int64) - self.number * BLOCK
        self.session_docs = np.concatenate((self.session_docs, positions))
        self.session_days = np.concatenate((self.session_days, _numbers(days, 0, np.int64)))
        cursor.execute("SELECT lengths FROM search_blocks WHERE block = %s", (self.number,))
        row = cursor.fetchone()
        self.lengths = decode_lengths([(0, row[0])] if row else [], BLOCK, len(FIELDS))
        self.filled = filled


class Joined:
    """Every block's columns joined over seqs 0..count-1 (the Whoosh engine's Columns)."""

    def __init__(self, blocks: list[Block], count: int) -> None:
        """Concatenate the blocks' arrays."""
        self.count = count

        def join(part: Callable[[Block], np.ndarray]) -> np.ndarray:
            arrays = [part(b) for b in blocks]
            return np.concatenate(arrays)[:count] if arrays else np.zeros(0)

        self.min_age, self.max_age = join(lambda b: b.min_age), join(lambda b: b.max_age)
        self.start, self.end = join(lambda b: b.start), join(lambda b: b.end)
        self.lon, self.lat = join(lambda b: b.lon), join(lambda b: b.lat)
        self.names = join(lambda b: b.names)
        self.session_docs = np.concatenate(
            [b.session_docs + b.number * BLOCK for b in blocks] or [np.zeros(0, np.int64)]
        )
        self.session_days = np.concatenate(
            [b.session_days for b in blocks] or [np.zeros(0, np.int64)]
        )
        self.has_sessions = np.zeros(count, dtype=bool)
        self.has_sessions[self.session_docs] = True
        self.lengths = {
            name: join(lambda b, i=i: b.lengths[i]).astype(np.float32)
            for i, name in enumerate(FIELDS)
        }
        self._memo: dict[tuple, np.ndarray] = {}
        self._lock = threading.Lock()

    @cached_property
    def name_rank(self) -> np.ndarray:
        """Return each document's position in name order (equal names share one)."""
        return np.searchsorted(np.sort(self.names), self.names).astype(np.int64)

    def memo(self, key: tuple, compute: Callable[[], np.ndarray]) -> np.ndarray:
        """Return a derived array of these columns, computing it on first use."""
        with self._lock:
            value = self._memo.get(key)
        if value is None:
            value = compute()
            value.flags.writeable = False
            with self._lock:
                if len(self._memo) >= 32:
                    self._memo.pop(next(iter(self._memo)))
                self._memo[key] = value
        return value


class BlockCache:
    """The blocks, joined columns and full blocks' postings of one generation."""

    def __init__(self) -> None:
        """Start empty."""
        self._lock = threading.Lock()
        self._generation: str | None = None
        self._blocks: dict[int, Block] = {}
        self._joined: tuple[int, Joined] | None = None
        self._postings: OrderedDict[tuple[str, str], tuple[int, list]] = OrderedDict()
        self._bytes = 0

    def _use(self, generation: str) -> None:
        """Forget everything of another generation (a rebuild replaced the index)."""
        if generation != self._generation:
            self._generation, self._blocks, self._joined = generation, {}, None
            self._postings.clear()
            self._bytes = 0

    def columns(self, cursor, generation: str, count: int) -> Joined:
        """Return the joined columns of seqs below count, reading what is new."""
        with self._lock:
            self._use(generation)
            if self._joined is not None and self._joined[0] == count:
                return self._joined[1]
            blocks = []
            for number in range(-(-count // BLOCK)):
                block = self._blocks.setdefault(number, Block(number))
                filled = min(count - number * BLOCK, BLOCK)
                if block.filled < filled:
                    block.read(cursor, filled)
                blocks.append(block)
            joined = Joined(blocks, count)
            self._joined = (count, joined)
            return joined

    def postings(self, cursor, generation: str, keys: Iterable[tuple[str, str]], count: int):  # noqa: ANN201
        """Return {(kind, term): [(block, docs, freqs), …]}, reading all but cached blocks."""
        full = count // BLOCK  # blocks that can no longer change
        with self._lock:
            self._use(generation)
            cached = {key: self._postings.get(key, (0, [])) for key in keys}
            for key in cached:
                if key in self._postings:
                    self._postings.move_to_end(key)
        wanted = [(kind, term, upto) for (kind, term), (upto, _) in cached.items()]
        fresh: dict[tuple[str, str], list] = {key: [] for key in cached}
        if wanted:
            kinds, terms, froms = (list(column) for column in zip(*wanted, strict=True))
            cursor.execute(
                """SELECT p.kind::text, p.term, p.block, p.docs, p.freqs FROM search_postings p
                   JOIN unnest(%s::text[], %s::text[], %s::int[]) AS k(kind, term, first)
                     ON p.kind = k.kind::"char" AND p.term = k.term AND p.block >= k.first
                   ORDER BY p.kind, p.term, p.block""",
                (kinds, terms, froms),
            )
            for kind, term, block, docs, freqs in cursor:
                fresh[(kind, term)].append((block, decode_positions(block, docs), freqs))
        result = {}
        with self._lock:
            for key, (_, rows) in cached.items():
                rows = rows + fresh[key]
                result[key] = rows
                self._remember(key, full, [r for r in rows if r[0] < full])
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
