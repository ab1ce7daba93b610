"""Writes to the search tables: append documents block by block, clear removed ones.

All of it runs in the caller's transaction under the backend's write lock (postgres.py), so
writers never meet: they append after each other's documents and commit in order.
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from collections.abc import Iterable, Sequence

from kbm_map.search.pg.analysed import FIELDS, Analysed
from kbm_map.search.pg.blocks import bits_text, by_block, lengths_bytes, positions_bytes
from kbm_map.search.pg.schema import BLOCK, TABLES

UPSERT_ROWS = 10_000  # rows per INSERT … ON CONFLICT statement

_DOCUMENTS = (
    "search_documents (seq, id, min_age, max_age, sessions, start_day, end_day, lon, lat, name_key)"
)
_UPSERT_POSTINGS = """
    INSERT INTO search_postings (kind, term, block, docs, freqs)
    SELECT * FROM unnest(%s::text[]::"char"[], %s::text[], %s::int[], %s::bytea[], %s::bytea[])
    ON CONFLICT (kind, term, block) DO UPDATE
    SET docs = search_postings.docs || EXCLUDED.docs,
        freqs = search_postings.freqs || EXCLUDED.freqs
"""
_UPSERT_FACETS = """
    INSERT INTO search_facets (facet, value, block, bits)
    SELECT * FROM unnest(%s::text[], %s::text[], %s::int[], %s::varbit[])
    ON CONFLICT (facet, value, block) DO UPDATE SET bits = search_facets.bits | EXCLUDED.bits
"""
_EXTEND_BLOCK = """
    UPDATE search_blocks SET live = live | %s::varbit,
        lengths = overlay(overlay(overlay(lengths placing %s from %s) placing %s from %s)
                          placing %s from %s),
        totals = ARRAY[totals[1] + %s, totals[2] + %s, totals[3] + %s]
    WHERE block = %s
"""


class _Block:
    """The part of one block that a write adds: positions from `first` on."""

    def __init__(self, number: int, first: int) -> None:
        """Start collecting documents at position first of block number."""
        self.number = number
        self.first = first
        self.count = 0
        self.postings: dict[tuple[str, str], tuple[array, bytearray | None]] = {}
        self.facets: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.lengths = [bytearray() for _ in FIELDS]
        self.totals = [0] * len(FIELDS)
        self.documents: list[tuple] = []
        self.texts: list[tuple] = []

    def add(self, doc: Analysed) -> None:
        """Add the next document."""
        position = self.first + self.count
        seq = self.number * BLOCK + position
        self.documents.append(doc.record(seq))
        self.texts.append(doc.texts(seq))
        postings = self.postings
        for stem, freqs in doc.stems.items():
            entry = postings.get(("w", stem))
            if entry is None:
                entry = postings[("w", stem)] = (array("H"), bytearray())
            entry[0].append(position)
            entry[1].extend(freqs)
        for kind, terms in (("g", doc.grams), ("s", doc.spelling)):
            for term in terms:
                entry = postings.get((kind, term))
                if entry is None:
                    entry = postings[(kind, term)] = (array("H"), None)
                entry[0].append(position)
        for code in doc.codes:
            self.facets[code].append(position)
        encoded = lengths_bytes(doc.lengths)
        for field, length in enumerate(doc.lengths):
            self.lengths[field].append(encoded[field])
            self.totals[field] += length
        self.count += 1

    @property
    def full(self) -> bool:
        """Tell whether the block has no free position left."""
        return self.first + self.count >= BLOCK

    def write(self, cursor, existed: bool) -> None:
        """Write this part: append to the block's rows if it existed, else create them."""
        _copy(cursor, _DOCUMENTS, self.documents)
        _copy(cursor, "search_texts (seq, title, description)", self.texts)
        postings = [
            (kind, term, self.number, positions_bytes(positions), bytes(freqs) if freqs else None)
            for (kind, term), (positions, freqs) in self.postings.items()
        ]
        facets = [
            (facet, value, self.number, bits_text(positions))
            for (facet, value), positions in self.facets.items()
        ]
        live = bits_text(range(self.first, self.first + self.count))
        if existed:
            _upsert(cursor, _UPSERT_POSTINGS, postings)
            _upsert(cursor, _UPSERT_FACETS, facets)
            self._extend(cursor, live)
            return
        _copy(cursor, "search_postings (kind, term, block, docs, freqs)", postings)
        _copy(cursor, "search_facets (facet, value, block, bits)", facets)
        lengths = b"".join(
            bytes(self.first) + bytes(part) + bytes(BLOCK - self.first - self.count)
            for part in self.lengths
        )
        _copy(
            cursor,
            "search_blocks (block, live, lengths, totals)",
            [(self.number, live, lengths, self.totals)],
        )

    def _extend(self, cursor, live: str) -> None:
        """Add the new documents' bits, lengths and length sums to an existing block row."""
        overlays = []
        for field, part in enumerate(self.lengths):
            overlays += [bytes(part), field * BLOCK + self.first + 1]  # overlay counts from 1
        cursor.execute(_EXTEND_BLOCK, (live, *overlays, *self.totals, self.number))


def _copy(cursor, table: str, rows: Sequence[tuple]) -> None:
    """COPY rows into a table."""
    if rows:
        with cursor.copy(f"COPY {table} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def _upsert(cursor, statement: str, rows: Sequence[tuple]) -> None:
    """Run an INSERT … SELECT FROM unnest(columns) … ON CONFLICT over rows, in slices."""
    for start in range(0, len(rows), UPSERT_ROWS):
        columns = [list(column) for column in zip(*rows[start : start + UPSERT_ROWS], strict=True)]
        cursor.execute(statement, columns)


def append(cursor, docs: Iterable[Analysed], first_seq: int) -> int:
    """Write documents at seqs from first_seq on; return the next free seq."""
    number, first = divmod(first_seq, BLOCK)
    existed = first > 0  # the block has documents of earlier writes
    block = _Block(number, first)
    for doc in docs:
        if block.full:
            block.write(cursor, existed)
            block, existed = _Block(block.number + 1, 0), False
        block.add(doc)
    if block.count:
        block.write(cursor, existed)
    return block.number * BLOCK + block.first + block.count


def remove(cursor, ids: Sequence[str]) -> int:
    """Delete the documents with these ids and clear their live bits; return how many."""
    cursor.execute("DELETE FROM search_documents WHERE id = ANY(%s) RETURNING seq", (list(ids),))
    seqs = sorted(seq for (seq,) in cursor.fetchall())
    cursor.execute("DELETE FROM search_texts WHERE seq = ANY(%s)", (seqs,))
    for block, positions in by_block(seqs):
        keep = bits_text(positions).translate(_INVERT)
        cursor.execute(
            "UPDATE search_blocks SET live = live & %s::varbit WHERE block = %s", (keep, block)
        )
    return len(seqs)


_INVERT = str.maketrans("01", "10")


def clear(cursor) -> None:
    """Delete every document (a rebuild starts from an empty index)."""
    for table in TABLES[:-1]:  # all but search_state
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
