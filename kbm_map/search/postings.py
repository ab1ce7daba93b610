"""Bulk readers for one segment's postings and field lengths, as numpy arrays.

Whoosh hands postings out one at a time through matchers, which costs about a microsecond per
posting in Python. These readers decode whole blocks of Whoosh 2.7.4's on-disk format (W3
codec) at once. They reach into private attributes, so each has a slow path through the public
API for any other reader or version; tests/search/test_search_postings.py checks both agree.
"""

from __future__ import annotations

import numpy as np
from whoosh.reading import IndexReader, TermNotFound
from whoosh.util.numeric import byte_to_length

_EMPTY_IDS = np.zeros(0, dtype=np.int32)
_EMPTY_WEIGHTS = np.zeros(0, dtype=np.float32)
_BYTE_TO_LENGTH = np.array([byte_to_length(b) for b in range(256)], dtype=np.float32)


def segment_key(reader: IndexReader) -> object:
    """Return a key that stays the same as long as the segment's files do."""
    segment = getattr(reader, "_segment", None)
    return segment.segment_id() if segment is not None else id(reader)


def _fast_matcher(reader: IndexReader, field: str, text: str) -> object | None:
    """Return Whoosh's raw W3 matcher for a term (deleted docs included), or None."""
    terms = getattr(reader, "_terms", None)
    if terms is None or not hasattr(reader, "_text_to_bytes"):
        return None
    btext = reader._text_to_bytes(field, text)
    matcher = terms.matcher(field, btext, reader.schema[field].format)
    needed = ("_data", "_read_data", "_blocklength", "_next_block", "_lastblock", "_byteids")
    return matcher if all(hasattr(matcher, a) for a in needed) else None


def read_postings(reader: IndexReader, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """Return (docnums, term frequencies) of a term in one segment; deleted docs included."""
    try:
        matcher = _fast_matcher(reader, field, text)
    except TermNotFound:
        return _EMPTY_IDS, _EMPTY_WEIGHTS
    if matcher is None:
        return _slow_postings(reader, field, text)
    deltas: list[int] = []  # each block's ids, delta-coded from 0: one list, one cumsum
    counts: list[int] = []
    weights: list[float] = []
    all_ones = True
    while True:
        if matcher._data is None:
            matcher._read_data()
        block_ids, block_weights = matcher._data[0], matcher._data[1]
        count = matcher._blocklength
        deltas.extend(block_ids)
        counts.append(count)
        if block_weights is None:
            weights.extend([1.0] * count)
        else:
            all_ones = False
            weights.extend(
                [block_weights] * count if isinstance(block_weights, float) else block_weights
            )
        if matcher._lastblock:
            break
        matcher._next_block()
    ids = np.array(deltas, dtype=np.int64)
    if not matcher._byteids:
        sums = np.cumsum(ids)
        block_ends = np.cumsum(counts)
        offsets = np.concatenate(([0], sums[block_ends[:-1] - 1]))
        ids = sums - np.repeat(offsets, counts)
    docnums = ids.astype(np.int32)
    if all_ones:  # n-gram and spell fields: a read-only view of one value, no memory
        return docnums, np.broadcast_to(np.float32(1.0), docnums.shape)
    return docnums, np.array(weights, dtype=np.float32)


def _slow_postings(reader: IndexReader, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """Return (docnums, weights) of a term through the public matcher API; no deleted docs."""
    try:
        matcher = reader.postings(field, text)
    except TermNotFound:
        return _EMPTY_IDS, _EMPTY_WEIGHTS
    ids, weights = [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return np.array(ids, dtype=np.int32), np.array(weights, dtype=np.float32)


def read_lengths(reader: IndexReader, field: str) -> np.ndarray:
    """Return the (approximate, as Whoosh stores them) length of a field for every doc."""
    count = reader.doc_count_all()
    perdoc = getattr(reader, "_perdoc", None)
    column = None
    if perdoc is not None and hasattr(perdoc, "_cached_reader"):
        from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

        column = perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
    if column is None or not hasattr(column, "_dbfile"):
        lengths = [reader.doc_field_length(d, field) or 0 for d in range(count)]
        return np.array(lengths, dtype=np.float32)
    raw = column._dbfile.get(column._basepos, column._count)
    codes = np.zeros(count, dtype=np.uint8)
    codes[: column._count] = np.frombuffer(raw, dtype=np.uint8)
    return _BYTE_TO_LENGTH[codes]


def deleted_docs(reader: IndexReader) -> np.ndarray:
    """Return the docnums deleted in one segment."""
    perdoc = getattr(reader, "_perdoc", None)
    if perdoc is not None and hasattr(perdoc, "deleted_docs"):
        return np.fromiter(perdoc.deleted_docs(), dtype=np.int64)
    live = np.zeros(reader.doc_count_all(), dtype=bool)
    live[np.fromiter(reader.all_doc_ids(), dtype=np.int64)] = True
    return np.flatnonzero(~live)
