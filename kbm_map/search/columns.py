"""Numpy columns of every document, built once per segment and joined once per generation.

Filtering, facet counting, scoring and sorting run on these arrays instead of Whoosh's
per-document Python loops; that is what keeps a query with facets over 110,000 documents in
milliseconds. Whoosh segments never change (only their deletion sets do), so a segment's
arrays and postings survive the commits that add new small segments.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from functools import cached_property
from itertools import chain

import numpy as np
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from kbm_map.search.postings import deleted_docs, read_lengths, read_postings, segment_key
from kbm_map.search.query import FacetLayout
from kbm_map.search.schema import FIELD_BOOSTS, Row

NO_DATE_LOW = np.iinfo(np.int32).min
NO_DATE_HIGH = np.iinfo(np.int32).max
MEMO_ENTRIES = 32  # filter masks and sort keys per generation; at most 1 MB each
POSTINGS_CACHE_BYTES = 32 * 2**20  # per segment and process; a common 4-gram takes ~200 kB


def _floats(values: tuple, missing: float) -> np.ndarray:
    """Return numbers as a float array, None replaced by missing."""
    return np.array([missing if v is None else v for v in values], dtype=np.float64)


class FacetColumn:
    """(document, value) pairs of one multi-valued facet, values coded as integers."""

    def __init__(self, docs: np.ndarray, codes: np.ndarray, vocab: Sequence[str]) -> None:
        """Hold pairs of docnums (ascending) and codes into vocab."""
        self.docs = docs
        self.codes = codes
        self.vocab = list(vocab)
        self.index = {value: i for i, value in enumerate(self.vocab)}


def _transpose(rows: tuple, width: int) -> list[tuple]:
    """Return the columns of equally long tuples (width empty columns for no rows)."""
    return list(zip(*rows, strict=True)) if rows else [()] * width


def pack(mask: np.ndarray) -> np.ndarray:
    """Return a boolean mask as a bitset of 64-bit words."""
    packed = np.packbits(mask)
    padding = -len(packed) % 8
    if padding:
        packed = np.concatenate((packed, np.zeros(padding, dtype=np.uint8)))
    return packed.view(np.uint64)


class SegmentColumns:
    """The arrays of one Whoosh segment, and a cache of its postings."""

    def __init__(self, reader: IndexReader, layout: FacetLayout) -> None:
        """Decode every document's row of one segment into arrays."""
        self.key = segment_key(reader)
        self.count = reader.doc_count_all()
        rows = list(reader.column_reader("row")) if self.count else []
        # One tuple per Row field, transposed in C: far faster than attribute access per row.
        transposed = zip(*rows, strict=True) if rows else [()] * len(Row._fields)
        column = dict(zip(Row._fields, transposed, strict=True))
        lists = _transpose(column["terms"], len(layout.lists))
        self.facets = {
            name: self._facet(values) for name, values in zip(layout.lists, lists, strict=True)
        }
        flags = _transpose(column["flags"], len(layout.flags))
        for name, values in zip(layout.flags, flags, strict=True):
            docs = np.flatnonzero(np.array(values, dtype=bool)).astype(np.int32)
            self.facets[name] = FacetColumn(docs, np.zeros(len(docs), np.int32), ["true"])
        self.min_age = _floats(column["min_age"], -np.inf)
        self.max_age = _floats(column["max_age"], np.inf)
        self.lon = _floats(column["lon"], np.nan)
        self.lat = _floats(column["lat"], np.nan)
        self.start = np.array([d or NO_DATE_LOW for d in column["start"]], dtype=np.int64)
        self.end = np.array([d or NO_DATE_HIGH for d in column["end"]], dtype=np.int64)
        dates = column["dates"]
        counts = np.fromiter(map(len, dates), dtype=np.int64, count=len(dates))
        self.session_docs = np.repeat(np.arange(len(dates), dtype=np.int32), counts)
        self.session_days = np.fromiter(chain.from_iterable(dates), np.int64, int(counts.sum()))
        # 32 characters order any list well enough and keep numpy's string compares fast.
        names = [name[:32] for name in column["name_sort"]]
        self.names = np.array(names or [""], dtype=str)[: self.count]
        self.sorted_names = np.sort(self.names)
        self._bits: dict[str, np.ndarray] = {}
        # Segments never change, so name positions between two of them are computed once.
        self._names_below: dict[object, np.ndarray] = {}
        self.lengths = {f: read_lengths(reader, f) for f in FIELD_BOOSTS}
        self._reader = reader
        self._postings: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._cached_bytes = 0
        self._lock = threading.Lock()

    def forget_postings(self) -> None:
        """Empty the postings cache (benchmarks measure reading from disk with it)."""
        with self._lock:
            self._postings.clear()
            self._cached_bytes = 0

    def attach(self, reader: IndexReader) -> None:
        """Read postings through this (open) reader of the same segment from now on."""
        self._reader = reader

    def names_below(self, other: SegmentColumns) -> np.ndarray:
        """Return, for each document, how many documents of other sort before it by name."""
        below = self._names_below.get(other.key)
        if below is None:
            below = self._names_below[other.key] = np.searchsorted(other.sorted_names, self.names)
        return below

    def forget_others(self, keys: set[object]) -> None:
        """Drop cached name positions in segments that are gone."""
        for key in set(self._names_below) - keys:
            del self._names_below[key]

    def facet_bits(self, name: str) -> np.ndarray:
        """Return one bitset per value of a facet (values x words), built on first use."""
        bits = self._bits.get(name)
        if bits is None:
            column = self.facets[name]
            matrix = np.zeros((len(column.vocab), self.count), dtype=bool)
            matrix[column.codes, column.docs] = True
            bits = self._bits[name] = (
                np.stack([pack(row) for row in matrix])
                if len(matrix)
                else (np.zeros((0, 0), dtype=np.uint64))
            )
        return bits

    @staticmethod
    def _facet(column: tuple) -> FacetColumn:
        """Return the (doc, value) pairs of one facet column (a tuple of codes per document)."""
        counts = np.fromiter(map(len, column), dtype=np.int64, count=len(column))
        vocab: dict[str, int] = {}
        codes = [vocab.setdefault(v, len(vocab)) for values in column for v in values]
        docs = np.repeat(np.arange(len(column), dtype=np.int32), counts)
        return FacetColumn(docs, np.array(codes, dtype=np.int32), list(vocab))

    def postings(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Return (docnums, frequencies) of a term, from the cache when possible."""
        key = (field, text)
        with self._lock:  # web workers may run threads; LRU bookkeeping is not atomic
            cached = self._postings.get(key)
            if cached is not None:
                self._postings.move_to_end(key)
                return cached
        cached = read_postings(self._reader, field, text)
        with self._lock:
            if key not in self._postings:
                self._postings[key] = cached
                self._cached_bytes += cached[0].nbytes + cached[1].nbytes
            while self._cached_bytes > POSTINGS_CACHE_BYTES and len(self._postings) > 1:
                ids, freqs = self._postings.popitem(last=False)[1]
                self._cached_bytes -= ids.nbytes + freqs.nbytes
        return cached


class Columns:
    """All documents of one index generation: segment arrays joined with global docnums."""

    def __init__(
        self, searcher: Searcher, cache: dict[object, SegmentColumns], layout: FacetLayout
    ) -> None:
        """Join the arrays of the searcher's segments, loading the ones not in the cache."""
        self.searcher = searcher
        self.layout = layout
        self.segments: list[tuple[SegmentColumns, int]] = []
        deleted: list[np.ndarray] = []
        for reader, base in searcher.reader().leaf_readers():
            seg = cache.get(segment_key(reader))
            if seg is None:
                seg = cache[segment_key(reader)] = SegmentColumns(reader, layout)
            seg.attach(reader)
            self.segments.append((seg, base))
            deleted.append(deleted_docs(reader) + base)
        keys = {seg.key for seg, _ in self.segments}
        for seg, _ in self.segments:
            seg.forget_others(keys)
        self.count = sum(s.count for s, _ in self.segments)
        self.live = np.ones(self.count, dtype=bool)
        if deleted:
            self.live[np.concatenate(deleted)] = False
        self._recodes: dict[str, list[np.ndarray]] = {}
        self._memo: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self._memo_lock = threading.Lock()
        self.facets = {name: self._join_facet(name) for name in layout.names}
        self.min_age = self._join(lambda s: s.min_age)
        self.max_age = self._join(lambda s: s.max_age)
        self.lon = self._join(lambda s: s.lon)
        self.lat = self._join(lambda s: s.lat)
        self.start = self._join(lambda s: s.start)
        self.end = self._join(lambda s: s.end)
        self.session_docs = np.concatenate(
            [s.session_docs.astype(np.int64) + b for s, b in self.segments] or [np.zeros(0)]
        ).astype(np.int64)
        self.session_days = self._join(lambda s: s.session_days)
        self.has_sessions = np.zeros(self.count, dtype=bool)
        self.has_sessions[self.session_docs] = True
        self.lengths = {f: self._join(lambda s, f=f: s.lengths[f]) for f in FIELD_BOOSTS}
        reader = searcher.reader()
        self.avg_length = {
            f: max(reader.field_length(f) / max(self.count, 1), 1.0) for f in FIELD_BOOSTS
        }

    def memo(self, key: tuple, compute: Callable[[], np.ndarray]) -> np.ndarray:
        """Return a derived array of this generation, computing it on first use."""
        # Web users repeat filters (facet clicks, paging), so filter masks are worth keeping.
        with self._memo_lock:
            value = self._memo.get(key)
            if value is not None:
                self._memo.move_to_end(key)
                return value
        value = compute()
        value.flags.writeable = False
        with self._memo_lock:
            self._memo[key] = value
            if len(self._memo) > MEMO_ENTRIES:
                self._memo.popitem(last=False)
        return value

    def _join(self, part) -> np.ndarray:  # noqa: ANN001 - a small accessor lambda
        """Concatenate one array of every segment."""
        arrays = [part(s) for s, _ in self.segments]
        return np.concatenate(arrays) if arrays else np.zeros(0)

    def _join_facet(self, name: str) -> FacetColumn:
        """Join one facet over the segments, recoding values into a shared vocabulary."""
        vocab = sorted({v for s, _ in self.segments for v in s.facets[name].vocab})
        index = {v: i for i, v in enumerate(vocab)}
        docs, codes = [], []
        self._recodes[name] = []
        for seg, base in self.segments:
            column = seg.facets[name]
            recode = np.array([index[v] for v in column.vocab], dtype=np.int64)
            self._recodes[name].append(recode)
            docs.append(column.docs.astype(np.int64) + base)
            codes.append(recode[column.codes] if len(recode) else column.codes)
        if not docs:
            return FacetColumn(np.zeros(0, np.int64), np.zeros(0, np.int32), vocab)
        return FacetColumn(np.concatenate(docs), np.concatenate(codes), vocab)

    def postings(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Return (global docnums, frequencies) of a term over all segments."""
        parts = [(seg.postings(field, text), base) for seg, base in self.segments]
        ids = [p[0].astype(np.int64) + base for p, base in parts if len(p[0])]
        if not ids:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        return np.concatenate(ids), np.concatenate([p[1] for p, _ in parts if len(p[0])])

    def term_mask(self, field: str, text: str) -> np.ndarray:
        """Return a boolean mask of the documents containing a term."""
        mask = np.zeros(self.count, dtype=bool)
        mask[self.postings(field, text)[0]] = True
        return mask

    def spelling_within(self, word: str, maxdist: int, prefix: int) -> list[str]:
        """Return the spelling-field words within maxdist edits of word, in term order."""
        return list(self.searcher.reader().terms_within("spell", word, maxdist, prefix=prefix))

    def spelling_suggestions(self, word: str, maxdist: int, prefix: int) -> list[str]:
        """Return the best correction of a word from the spelling field (or none)."""
        corrector = self.searcher.corrector("spell")
        return corrector.suggest(word, limit=1, maxdist=maxdist, prefix=prefix)

    def count_values(self, name: str, mask: np.ndarray) -> np.ndarray:
        """Return how many documents in mask have each value of a facet."""
        # Per-segment bitsets: AND with the packed mask and a popcount per value, a few
        # microseconds per value, and they survive commits that leave the segment alone.
        counts = np.zeros(len(self.facets[name].vocab), dtype=np.int64)
        for (seg, base), recode in zip(self.segments, self._recodes[name], strict=True):
            if len(recode):
                packed = pack(mask[base : base + seg.count])
                bits = seg.facet_bits(name) & packed
                counts[recode] += np.bitwise_count(bits).sum(axis=1, dtype=np.int64)
        return counts

    @cached_property
    def name_rank(self) -> np.ndarray:
        """Return each document's position in name order (equal names share one)."""
        # Summing per-segment positions avoids sorting all names again after each commit.
        ranks = [
            sum(seg.names_below(other) for other, _ in self.segments) for seg, _ in self.segments
        ]
        return np.concatenate(ranks).astype(np.int64) if ranks else np.zeros(0, np.int64)
