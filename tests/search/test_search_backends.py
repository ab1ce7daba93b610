"""Both backends answer alike: the same documents, writes and queries, the same results."""

from __future__ import annotations

import datetime as dt

import pytest
from search_documents import corpus

from kbm_map.finding.filters import LAYOUT
from kbm_map.search import Near, SearchQuery
from kbm_map.search.pg.schema import BLOCK
from kbm_map.search.postgres import PostgresBackend

CENTRE = Near(9.7, 52.37, 3000)
QUERIES = [
    SearchQuery(),
    SearchQuery(sort="name", page=3, per_page=50),
    SearchQuery(text="Kurs"),
    SearchQuery(text="Kurs", page=4),
    SearchQuery(text="Bewerbung"),  # compound parts: many equal scores
    SearchQuery(text="Gaerten Kinder"),
    SearchQuery(text="Bibliotek"),  # a typo: fuzzy
    SearchQuery(text="Pythn Schach"),
    SearchQuery(text="Theater", terms={"area": ["a1", "a2"], "language": ["uk"]}),
    SearchQuery(text="Yoga", flags={"free": True, "online": False}),
    SearchQuery(terms={"type": ["location"], "region": ["r2"]}, sort="name"),
    SearchQuery(text="Kaffee", age=4),
    SearchQuery(age=20, flags={"step_free": True}, facets=("area", "free")),
    SearchQuery(date_from=dt.date(2025, 3, 1), date_to=dt.date(2025, 3, 31)),
    SearchQuery(text="Kita", sort="start", date_from=dt.date(2025, 6, 1)),
    SearchQuery(text="Kurs", sort="start"),
    SearchQuery(near=CENTRE, sort="distance"),
    SearchQuery(text="Café", near=CENTRE, sort="distance", page=2),
    SearchQuery(text="Musikschule", sort="name"),
    SearchQuery(text="Quantenphysik"),
]


def answer(index, query):  # noqa: ANN001, ANN201
    """Return what a result says, hits by title, score and distance (ids differ on ties)."""
    result = index.query(query)
    hits = [
        (h.highlights["title"], round(h.score, 4), h.distance_m and round(h.distance_m, 3))
        for h in result.hits
    ]
    return result.total, result.facets, result.suggestion, result.fuzzy, hits


@pytest.fixture
def both(whoosh_index, pg_session):  # noqa: ANN001, ANN201
    """Return a Whoosh and a PostgreSQL index after the same writes, over three blocks."""
    postgres = PostgresBackend(LAYOUT, session=lambda: pg_session)
    docs = corpus(2 * BLOCK + 700)
    changed = [d | {"title": d["title"] + " Neu"} for d in docs[100:400]]
    removed = [d["id"] for d in docs[BLOCK - 50 : BLOCK + 50]] + ["offer:99999"]
    for index in (whoosh_index, postgres):
        index.index(docs[:5000])  # a second write fills a block the first began
        index.index(docs[5000:])
        index.index(changed)  # the old versions' seqs go, new ones come last
        index.remove(removed)
    return whoosh_index, postgres


def test_both_backends_answer_alike(both):
    whoosh, postgres = both
    assert whoosh.count() == postgres.count() == 2 * BLOCK + 700 - 100
    for query in QUERIES:
        assert answer(postgres, query) == answer(whoosh, query), query
