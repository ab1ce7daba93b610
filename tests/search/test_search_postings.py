"""The bulk postings readers agree with Whoosh's public API."""

import numpy as np
import pytest

from kbm_map.search.postings import _slow_postings, read_lengths, read_postings


@pytest.fixture
def search_index(whoosh_index):  # noqa: ANN001, ANN201
    """Whoosh only: these tests compare the segment readers with Whoosh's public API."""
    return whoosh_index


def test_fast_postings_equal_public_matcher(indexed, doc):
    # 1,200 documents: postings span several 512-posting blocks, with differing weights.
    docs = [doc(f"offer:{n}", "Kurs " * (1 + n % 3) + f"Nummer {n}") for n in range(1200)]
    index = indexed(*docs)
    reader = index._columns().searcher.reader()
    for field, term in [("title", "kur"), ("grams", "numm"), ("spell", "kurs"), ("title", "x")]:
        fast_ids, fast_weights = read_postings(reader, field, term)
        slow_ids, slow_weights = _slow_postings(reader, field, term)
        assert fast_ids.tolist() == slow_ids.tolist(), (field, term)
        assert np.allclose(fast_weights, slow_weights), (field, term)


def test_fast_lengths_equal_public_lengths(indexed, doc):
    index = indexed(*[doc(f"offer:{n}", "Wort " * n) for n in range(1, 40)])
    reader = index._columns().searcher.reader()
    expected = [reader.doc_field_length(d, "title") or 0 for d in range(reader.doc_count_all())]
    assert read_lengths(reader, "title").tolist() == expected
