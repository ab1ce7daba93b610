"""Match and score query words against the columns: stemmed, compound parts, typos.

Every word must match (AND across words); a word matches if its stem occurs in title, tags or
description, or if all 4-grams of it occur in the grams field (a part of a compound). Scores
are BM25F as Whoosh computes them, so exact and stemmed matches rank far above n-gram ones.

`columns` is the Whoosh engine's Columns or anything with the same postings interface (the
PostgreSQL backend's StoredColumns): count, postings(), term_mask(), lengths, avg_length,
spelling_within() and spelling_suggestions().
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from kbm_map.search.analysis import QueryWord, fold, gram_source, stem
from kbm_map.search.columns import Columns
from kbm_map.search.schema import FIELD_BOOSTS

K1, B = 1.2, 0.75  # Whoosh's BM25F defaults
GRAM_SCORE = 0.5  # below any stemmed title match, so compounds come after exact words
FUZZY_SCORE = 0.3
MAX_FUZZY_TERMS = 30


@dataclass
class TextMatch:
    """The documents matching all words of a query and their scores."""

    mask: np.ndarray
    scores: np.ndarray
    words: list[QueryWord]
    fuzzy_words: set[str] = field(default_factory=set)  # spell-field words found for typos

    _marked: dict[str, bool] = field(default_factory=dict)  # words repeat across hits

    def marks(self, word: str) -> bool:
        """Return whether a word of a document's text matches the query (for highlighting)."""
        marked = self._marked.get(word)
        if marked is None:
            marked = self._marked[word] = self._matches(word)
        return marked

    def _matches(self, word: str) -> bool:
        """Return whether a word matches the query as a stem, a compound part or a typo."""
        folded = fold(word)
        lower = word.lower()
        if any(found in lower for found in self.fuzzy_words):
            return True
        for w in self.words:
            source = gram_source(w.folded, w.stem)
            if stem(word) == w.stem or (len(source) >= 4 and source in folded):
                return True
        return False


def _word_scores(columns: Columns, word: QueryWord) -> tuple[np.ndarray, np.ndarray]:
    """Return (mask, scores) of one word: stemmed fields scored by BM25F, n-grams flat."""
    mask = np.zeros(columns.count, dtype=bool)
    scores = np.zeros(columns.count, dtype=np.float32)
    for name, boost in FIELD_BOOSTS.items():
        ids, freqs = columns.postings(name, word.stem)
        if not len(ids):
            continue
        idf = math.log(columns.count / (len(ids) + 1)) + 1.0
        norm = K1 * ((1 - B) + B * columns.lengths[name][ids] / columns.avg_length[name])
        scores[ids] += boost * idf * freqs * (K1 + 1) / (freqs + norm)
        mask[ids] = True
    if word.grams:
        grams = _all_grams(columns, word.grams)
        scores[grams] += GRAM_SCORE
        mask |= grams
    return mask, scores


def _all_grams(columns: Columns, grams: tuple[str, ...]) -> np.ndarray:
    """Return the mask of documents containing every one of the n-grams."""
    # Rarest first keeps the intersection small; an absent gram ends it at once.
    postings = sorted((columns.postings("grams", g)[0] for g in grams), key=len)
    mask = np.zeros(columns.count, dtype=bool)
    if not len(postings[0]):
        return mask
    mask[postings[0]] = True
    for ids in postings[1:]:
        other = np.zeros(columns.count, dtype=bool)
        other[ids] = True
        mask &= other
    return mask


def match_words(columns: Columns, words: list[QueryWord]) -> TextMatch:
    """Return the documents matching every word as typed (stemmed or as compound part)."""
    mask = np.ones(columns.count, dtype=bool)
    scores = np.zeros(columns.count, dtype=np.float32)
    for word in words:
        word_mask, word_scores = _word_scores(columns, word)
        mask &= word_mask
        scores += word_scores
    return TextMatch(mask, scores, words)


def max_edits(word: str) -> int:
    """Return how many edits a word may be off: one, two for long words."""
    return 1 if len(word) < 8 else 2


def match_fuzzy(columns: Columns, words: list[QueryWord]) -> TextMatch:
    """Return the documents matching every word allowing typos in names and titles."""
    # Fuzzy terms come from the unstemmed "spell" field: a typo'd word stems unpredictably,
    # so edit distances on stems mislead.
    mask = np.ones(columns.count, dtype=bool)
    scores = np.zeros(columns.count, dtype=np.float32)
    found: set[str] = set()
    for word in words:
        word_mask, word_scores = _word_scores(columns, word)
        if len(word.raw) >= 4:
            near = columns.spelling_within(word.raw, max_edits(word.raw), prefix=1)
            for term in near[:MAX_FUZZY_TERMS]:
                term_mask = columns.term_mask("spell", term)
                if term_mask.any():
                    found.add(term)
                word_scores[term_mask & ~word_mask] += FUZZY_SCORE
                word_mask |= term_mask
        mask &= word_mask
        scores += word_scores
    return TextMatch(mask, scores, words, found)


def suggest(columns: Columns, text: str, words: list[QueryWord]) -> str | None:
    """Return the query with misspelt words replaced by the likeliest indexed word."""
    suggestion = text
    for word in words:
        if len(word.raw) < 3 or _known(columns, word):
            continue
        best = columns.spelling_suggestions(word.raw, max_edits(word.raw), prefix=1)
        if best:
            suggestion = re.sub(
                rf"\b{re.escape(word.raw)}\b",
                lambda m, b=best[0]: _same_case(m[0], b),
                suggestion,
                flags=re.I,
            )
    return suggestion if suggestion != text else None


def _known(columns: Columns, word: QueryWord) -> bool:
    """Return whether a word occurs in the index as typed (so it needs no correction)."""
    if len(columns.postings("spell", word.raw)[0]):
        return True
    return any(len(columns.postings(name, word.stem)[0]) for name in FIELD_BOOSTS)


def _same_case(typed: str, word: str) -> str:
    """Return word capitalised like the word the user typed."""
    return word[:1].upper() + word[1:] if typed[:1].isupper() else word
