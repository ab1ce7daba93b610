"""The Whoosh engine's Columns, read from the search tables, for one query.

StoredColumns offers what facets.py, matching.py and searching.py read (filter columns,
postings per field and term, field lengths, the spelling vocabulary, name ranks), so both
backends filter, match, score, correct typos and sort with the same code. Seqs number the
documents; arrays span every seq handed out, removed documents included (as Whoosh counts a
segment's deleted ones), and `live` marks the documents of the caller's snapshot.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from whoosh.support.levenshtein import distance

from kbm_map.search.analysis import QueryWord
from kbm_map.search.matching import MAX_FUZZY_TERMS, max_edits
from kbm_map.search.pg.analysed import FIELDS
from kbm_map.search.pg.cache import BlockCache

_EMPTY = (np.zeros(0, np.int64), np.zeros(0, np.float32))
_KINDS = {"grams": "g", "spell": "s"}  # other fields: the stems ("w") with their frequencies


def _trigram_count(word: str) -> int | None:
    """Return how many trigrams pg_trgm makes of a plain ASCII word (None for others)."""
    if not (word.isascii() and word.isalnum()):
        return None
    padded = f"  {word.lower()} "
    return len({padded[i : i + 3] for i in range(len(padded) - 2)})


class StoredColumns:
    """Columns, postings and spelling words of one query, read in the caller's transaction."""

    def __init__(
        self,
        cursor,
        cache: BlockCache,
        generation: str,
        live: np.ndarray,
        totals: Iterable[int],
    ) -> None:
        """Read through a psycopg cursor (binary); live spans every seq handed out."""
        self._cursor, self._cache, self._generation = cursor, cache, generation
        self.count = len(live)
        self.live = live
        joined = cache.columns(cursor, generation, self.count)
        self._joined = joined
        self.min_age, self.max_age = joined.min_age, joined.max_age
        self.start, self.end = joined.start, joined.end
        self.lon, self.lat = joined.lon, joined.lat
        self.session_docs, self.session_days = joined.session_docs, joined.session_days
        self.has_sessions = joined.has_sessions
        self.lengths = joined.lengths
        self.memo = joined.memo
        self.avg_length = {
            name: max(total / max(self.count, 1), 1.0)
            for name, total in zip(FIELDS, totals, strict=True)
        }
        self._rows: dict[tuple[str, str], list] = {}
        self._near: dict[tuple[str, int, int], dict[str, tuple[int, int]]] = {}
        self._threshold: float | None = None

    @property
    def name_rank(self) -> np.ndarray:
        """Return each document's position in name order (equal names share one)."""
        return self._joined.name_rank

    def prefetch(self, words: Iterable[QueryWord], spelling: Iterable[str] = ()) -> None:
        """Read the postings of every term these words (and spelling words) may need."""
        wanted = set()
        for word in words:
            wanted |= {("w", word.stem), ("s", word.raw)} | {("g", g) for g in word.grams}
        wanted |= {("s", word) for word in spelling}
        self._read(wanted - set(self._rows))

    def _read(self, keys: set[tuple[str, str]]) -> None:
        """Read the rows of (kind, term) keys."""
        if keys:
            self._rows |= self._cache.postings(self._cursor, self._generation, keys, self.count)

    def postings(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Return (seqs, frequencies) of a term in a field."""
        key = (_KINDS.get(field, "w"), text)
        if key not in self._rows:
            self._read({key})
        rows = self._rows[key]
        if not rows:
            return _EMPTY
        seqs = np.concatenate([seqs for _, seqs, _ in rows])
        # A snapshot older than what the cache has read ends before the cached blocks do.
        present = seqs < self.count
        if key[0] != "w":
            return seqs[present], np.ones(int(present.sum()), dtype=np.float32)
        column = FIELDS.index(field)
        freqs = np.concatenate(
            [np.frombuffer(f, dtype=np.uint8).reshape(-1, len(FIELDS))[:, column] for *_, f in rows]
        )
        present &= freqs > 0
        return seqs[present], freqs[present].astype(np.float32)

    def term_mask(self, field: str, text: str) -> np.ndarray:
        """Return a boolean mask of the documents containing a term."""
        mask = np.zeros(self.count, dtype=bool)
        mask[self.postings(field, text)[0]] = True
        return mask

    def _spelling_near(self, word: str, maxdist: int, prefix: int) -> dict[str, int]:
        """Return {spelling word: postings} within maxdist edits of word, sharing a prefix."""
        widest = max(maxdist, max_edits(word))  # read once per word for every distance asked
        key = (word, widest, prefix)
        if key not in self._near:
            self._near[key] = self._read_near(word, widest, prefix)
        return {term: n for term, (n, edits) in self._near[key].items() if edits <= maxdist}

    def _read_near(self, word: str, maxdist: int, prefix: int) -> dict[str, tuple[int, int]]:
        """Read {spelling word: (postings, edits)} within maxdist edits of word."""
        # pg_trgm narrows the vocabulary, then Whoosh's own edit distance decides. The
        # threshold is a lower bound of the trigram similarity of any word within maxdist
        # edits: an edit changes at most 4 of the word's trigrams (a transposition), and a
        # word of n characters has at most 2n trigrams (each split at a non-letter adds one).
        cursor = self._cursor
        trigrams = _trigram_count(word)
        if trigrams is None:  # not plain ASCII: let PostgreSQL count as pg_trgm does
            cursor.execute("SELECT cardinality(show_trgm(%s))", (word,))
            (trigrams,) = cursor.fetchone()
        bound = round(max(trigrams - 4 * maxdist, 0) / (2 * len(word) + 6 * maxdist), 4)
        if bound and bound != self._threshold:
            cursor.execute(
                "SELECT set_config('pg_trgm.similarity_threshold', %s, true)", (str(bound),)
            )
            self._threshold = bound
        similar = "AND term %% %(word)s" if bound else ""
        cursor.execute(
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
        near = {}
        for term, docs in cursor:
            edits = distance(term, word, limit=maxdist)
            if edits <= maxdist:
                near[term] = (int(docs), edits)
        return near

    def spelling_within(self, word: str, maxdist: int, prefix: int) -> list[str]:
        """Return the spelling words within maxdist edits of word, in term order (Whoosh's)."""
        near = sorted(self._spelling_near(word, maxdist, prefix), key=lambda t: t.encode())
        self.prefetch((), near[:MAX_FUZZY_TERMS])  # their postings, in one statement
        return near

    def spelling_suggestions(self, word: str, maxdist: int, prefix: int) -> list[str]:
        """Return the best correction of word as Whoosh's corrector picks it (or none)."""
        # Whoosh tries one edit, then two; among the words found it prefers the frequent.
        for edits in range(1, maxdist + 1):
            near = self._spelling_near(word, edits, prefix)
            if near:
                return [min(near, key=lambda term: (-near[term], term))]
        return []
