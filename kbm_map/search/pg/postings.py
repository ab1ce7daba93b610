"""The postings of a query's terms read from the search tables, for matching.py.

StoredPostings offers what matching.py reads from the Whoosh engine's Columns (postings per
field and term, field lengths, the spelling vocabulary), so both backends match, score,
correct and tolerate typos with the same code. Documents are numbered by seq; arrays span
all seqs handed out, removed documents included (as Whoosh counts a segment's deleted ones).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from whoosh.support.levenshtein import distance

from kbm_map.search.analysis import QueryWord
from kbm_map.search.pg.analysed import FIELDS
from kbm_map.search.pg.blocks import decode_lengths, decode_positions

_EMPTY = (np.zeros(0, np.int64), np.zeros(0, np.float32))
_KINDS = {"grams": "g", "spell": "s"}  # other fields: the stems ("w") with their frequencies


class StoredPostings:
    """Postings, lengths and spelling words of one query, read in the caller's transaction."""

    def __init__(self, cursor, count: int, totals: Iterable[int]) -> None:
        """Read through a psycopg cursor (binary); count is the number of seqs handed out."""
        self._cursor = cursor
        self.count = count
        self.avg_length = {
            field: max(total / max(count, 1), 1.0)
            for field, total in zip(FIELDS, totals, strict=True)
        }
        self._rows: dict[tuple[str, str], list[tuple[int, bytes, bytes | None]]] = {}
        self._lengths: dict[str, np.ndarray] | None = None

    def prefetch(self, words: Iterable[QueryWord], spelling: Iterable[str] = ()) -> None:
        """Read the postings of every term these words (and spelling words) may need."""
        wanted = set()
        for word in words:
            wanted |= {("w", word.stem), ("s", word.raw)} | {("g", g) for g in word.grams}
        wanted |= {("s", word) for word in spelling}
        self._read(wanted - set(self._rows))

    def _read(self, keys: set[tuple[str, str]]) -> None:
        """Read the rows of (kind, term) keys, in block order."""
        if not keys:
            return
        kinds, terms = zip(*sorted(keys), strict=True)
        self._cursor.execute(
            """SELECT p.kind::text, p.term, p.block, p.docs, p.freqs FROM search_postings p
               JOIN unnest(%s::text[], %s::text[]) AS k(kind, term)
                 ON p.kind = k.kind::"char" AND p.term = k.term
               ORDER BY p.kind, p.term, p.block""",
            (list(kinds), list(terms)),
        )
        for key in keys:
            self._rows[key] = []
        for kind, term, block, docs, freqs in self._cursor:
            self._rows[(kind, term)].append((block, docs, freqs))

    def postings(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Return (seqs, frequencies) of a term in a field."""
        key = (_KINDS.get(field, "w"), text)
        if key not in self._rows:
            self._read({key})
        rows = self._rows[key]
        if not rows:
            return _EMPTY
        seqs = np.concatenate([decode_positions(block, docs) for block, docs, _ in rows])
        if key[0] != "w":
            return seqs, np.ones(len(seqs), dtype=np.float32)
        column = FIELDS.index(field)
        freqs = np.concatenate(
            [np.frombuffer(f, dtype=np.uint8).reshape(-1, len(FIELDS))[:, column] for *_, f in rows]
        )
        present = freqs > 0
        return seqs[present], freqs[present].astype(np.float32)

    def term_mask(self, field: str, text: str) -> np.ndarray:
        """Return a boolean mask of the documents containing a term."""
        mask = np.zeros(self.count, dtype=bool)
        mask[self.postings(field, text)[0]] = True
        return mask

    @property
    def lengths(self) -> dict[str, np.ndarray]:
        """Return each stemmed field's length per seq (as Whoosh stores them), read once."""
        if self._lengths is None:
            self._cursor.execute("SELECT block, lengths FROM search_blocks ORDER BY block")
            arrays = decode_lengths(self._cursor.fetchall(), self.count, len(FIELDS))
            self._lengths = dict(zip(FIELDS, arrays, strict=True))
        return self._lengths

    def _spelling_near(self, word: str, maxdist: int, prefix: int) -> dict[str, int]:
        """Return {spelling word: documents} within maxdist edits of word, sharing a prefix."""
        # pg_trgm narrows the vocabulary, then Whoosh's own edit distance decides. The
        # threshold is a lower bound of the trigram similarity of any word within maxdist
        # edits: an edit changes at most 4 of the word's trigrams (a transposition), and a
        # word of n characters has at most 2n trigrams (each split at a non-letter adds one).
        self._cursor.execute("SELECT cardinality(show_trgm(%s))", (word,))
        (trigrams,) = self._cursor.fetchone()
        bound = max(trigrams - 4 * maxdist, 0) / (2 * len(word) + 6 * maxdist)
        self._cursor.execute(
            "SELECT set_config('pg_trgm.similarity_threshold', %s, true)", (str(bound),)
        )
        similar = "AND term %% %(word)s" if bound > 0 else ""
        self._cursor.execute(
            f"""SELECT term, sum(length(docs)) / 2 FROM search_postings
                WHERE kind = 's' {similar} AND left(term, %(prefix)s) = left(%(word)s, %(prefix)s)
                  AND length(term) BETWEEN %(shortest)s AND %(longest)s
                GROUP BY term""",  # noqa: S608 - a fixed condition
            {
                "word": word,
                "prefix": prefix,
                "shortest": len(word) - maxdist,
                "longest": len(word) + maxdist,
            },
        )
        return {
            term: int(docs)
            for term, docs in self._cursor
            if distance(term, word, limit=maxdist) <= maxdist
        }

    def spelling_within(self, word: str, maxdist: int, prefix: int) -> list[str]:
        """Return the spelling words within maxdist edits of word, in term order (Whoosh's)."""
        near = self._spelling_near(word, maxdist, prefix)
        return sorted(near, key=lambda term: term.encode("utf-8"))

    def spelling_suggestions(self, word: str, maxdist: int, prefix: int) -> list[str]:
        """Return the best correction of word as Whoosh's corrector picks it (or none)."""
        # Whoosh tries one edit, then two; among the words found it prefers the frequent.
        for edits in range(1, maxdist + 1):
            near = self._spelling_near(word, edits, prefix)
            if near:
                return [min(near, key=lambda term: (-near[term], term))]
        return []
