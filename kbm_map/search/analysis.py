"""German text analysis shared by indexing, querying and highlighting.

Folding choice: umlauts fold to the base vowel (ä→a, ö→o, ü→u), the transcriptions ae/oe/ue
fold the same way (except "ue" after "q"), ß→ss, other accents are stripped. Folding to the
base vowel (not ä→ae) is what makes "Gärten", "Gaerten" and "Garten" meet: the Snowball German
stemmer already strips umlauts, so ä→ae would turn "Gärten" into "gaert" and miss "gart". The
cost is a few harmless merges ("Bauer"/"Baur"); index and query always fold the same way.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

from whoosh.analysis import (
    Filter,
    LowercaseFilter,
    NgramFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.lang import stemmer_for_language, stopwords_for_language

GRAM_SIZE = 4
MAX_QUERY_WORDS = 12  # each word costs a few postings reads; longer input is not a search

_UMLAUTS = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})
# "ue" after "q" is not an umlaut transcription ("Quelle", "Queue").
_DIGRAPHS = re.compile(r"ae|oe|(?<!q)ue")
# Cached: highlighting stems every word of each hit, and German texts repeat their words.
_stem = lru_cache(maxsize=200_000)(stemmer_for_language("de"))


@lru_cache(maxsize=100_000)
def fold(word: str) -> str:
    """Return a lowercase word with umlauts, ß and accents folded."""
    word = word.lower().translate(_UMLAUTS)
    word = _DIGRAPHS.sub(lambda m: m.group(0)[0], word)
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


STOPWORDS = frozenset(fold(w) for w in stopwords_for_language("de"))
WORD = re.compile(r"\w+(?:\.?\w+)*")  # as RegexTokenizer splits


class FoldFilter(Filter):
    """Fold umlauts, ß and accents in each token (after lowercasing)."""

    def __call__(self, tokens):  # noqa: ANN001, ANN204 - whoosh's filter protocol
        """Yield tokens with folded text."""
        for t in tokens:
            t.text = fold(t.text)
            yield t


def text_analyzer():  # noqa: ANN201 - whoosh composes analyzers with "|"
    """Return the stemming analyzer for title, description and tags."""
    return (
        RegexTokenizer()
        | LowercaseFilter()
        | FoldFilter()
        | StopFilter(stoplist=STOPWORDS, minsize=2)
        | StemFilter(lang="de", cachesize=100_000)
    )


def gram_analyzer():  # noqa: ANN201
    """Return the analyzer cutting folded, unstemmed words into 4-grams for compounds."""
    return RegexTokenizer() | LowercaseFilter() | FoldFilter() | NgramFilter(GRAM_SIZE, GRAM_SIZE)


def spell_analyzer():  # noqa: ANN201
    """Return the analyzer for the unstemmed, unfolded words used for typos and suggestions."""
    # Unfolded so that "did you mean" shows real words ("Bibliothek", "Gärten").
    return RegexTokenizer() | LowercaseFilter()


# The same analysis as the three analyzers above, as plain functions from a text to its
# {term: frequency}, for bulk builds (bulk.py): Whoosh's token pipeline costs several
# microseconds per token, these a dictionary lookup. tests/search/test_search_analysis.py
# checks that both give the same terms.


@lru_cache(maxsize=200_000)
def _stemmed(token: str) -> str | None:
    """Return the stemmed-field term of one token, None for a stopword or a short word."""
    folded = fold(token)  # fold() lowercases first
    if len(folded) < 2 or folded in STOPWORDS:
        return None
    return _stem(folded)


@lru_cache(maxsize=200_000)
def _token_grams(token: str) -> tuple[str, ...]:
    """Return the 4-grams of one folded, unstemmed token (none for shorter tokens)."""
    folded = fold(token)  # fold() lowercases first
    return tuple(folded[i : i + GRAM_SIZE] for i in range(len(folded) - GRAM_SIZE + 1))


# Texts are analysed line by line, each line cached: a document's kind, topics, provider
# and place are lines of their own (schema.to_fields) and repeat across thousands of entries.
# Tokens never span a line break. The returned dicts may be shared: do not change them.


@lru_cache(maxsize=50_000)
def _text_line(line: str) -> dict[str, int]:
    """Return {term: frequency} of one line for the stemmed fields."""
    terms: dict[str, int] = {}
    for token in WORD.findall(line):
        term = _stemmed(token)
        if term is not None:
            terms[term] = terms.get(term, 0) + 1
    return terms


@lru_cache(maxsize=50_000)
def _gram_line(line: str) -> dict[str, int]:
    """Return {4-gram: 1} of one line."""
    return dict.fromkeys((g for token in WORD.findall(line) for g in _token_grams(token)), 1)


@lru_cache(maxsize=50_000)
def _spell_line(line: str) -> dict[str, int]:
    """Return {word: 1} of one line."""
    return dict.fromkeys((token.lower() for token in WORD.findall(line)), 1)


def text_terms(text: str) -> dict[str, int]:
    """Return {term: frequency} as text_analyzer() indexes a text."""
    lines = text.split("\n")
    if len(lines) == 1:
        return _text_line(text)
    terms: dict[str, int] = {}
    for line in lines:
        for term, count in _text_line(line).items():
            terms[term] = terms.get(term, 0) + count
    return terms


def gram_terms(text: str) -> dict[str, int]:
    """Return {4-gram: 1} as gram_analyzer() indexes a text into an existence field."""
    lines = text.split("\n")
    if len(lines) == 1:
        return _gram_line(text)
    return dict.fromkeys(chain.from_iterable(map(_gram_line, lines)), 1)


def spell_terms(text: str) -> dict[str, int]:
    """Return {word: 1} as spell_analyzer() indexes a text into an existence field."""
    lines = text.split("\n")
    if len(lines) == 1:
        return _spell_line(text)
    return dict.fromkeys(chain.from_iterable(map(_spell_line, lines)), 1)


@dataclass(frozen=True)
class QueryWord:
    """One word of a user's query in the forms each index field needs."""

    raw: str  # lowercase, unfolded: the spell field and suggestions
    folded: str
    stem: str  # title, description, tags
    grams: tuple[str, ...]  # all must occur in the grams field: compound parts


def gram_source(folded: str, stem: str) -> str:
    """Return the string whose n-grams must occur in a compound for it to match."""
    # The stem drops inflection ("Bewerbungen" -> "bewerb" finds "Bewerbungstraining"),
    # but is too short for some words ("Kurs" -> "kur"): then use the folded word.
    return stem if len(stem) >= GRAM_SIZE else folded


def ngrams(text: str) -> tuple[str, ...]:
    """Return the distinct 4-grams of a string in order of first occurrence."""
    grams = (text[i : i + GRAM_SIZE] for i in range(len(text) - GRAM_SIZE + 1))
    return tuple(dict.fromkeys(grams))


def query_words(text: str) -> list[QueryWord]:
    """Split a query into words without stopwords, each in all its analysed forms."""
    words: dict[str, QueryWord] = {}
    for match in WORD.finditer(text.lower()):
        raw = match.group(0)
        folded = fold(raw)
        if len(folded) < 2 or folded in STOPWORDS or raw in words:
            continue
        stem = _stem(folded)
        words[raw] = QueryWord(raw, folded, stem, ngrams(gram_source(folded, stem)))
    return list(words.values())[:MAX_QUERY_WORDS]


def stem(word: str) -> str:
    """Return the index term of a word in the stemmed fields."""
    return _stem(fold(word))
