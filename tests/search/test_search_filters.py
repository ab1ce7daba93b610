"""Filters, facet counts, sorting and paging."""

import datetime as dt
import random

import pytest

from kbm_map.finding.filters import LAYOUT
from kbm_map.search import Near, SearchQuery

# Hannover Kröpcke and two places at known distances from it.
KROEPCKE = (9.7386, 52.3745)


def ids(index, **query):  # noqa: ANN001, ANN201
    """Return the ids found, in result order."""
    return [hit.id for hit in index.query(SearchQuery(**query)).hits]


@pytest.fixture
def courses(indexed, doc):  # noqa: ANN001, ANN201
    """Return an index with three offers and a location that differ in every filter."""
    return indexed(
        doc("offer:1", "Deutsch A1", min_age=16,
            terms={"area": ["weiterbildung"], "target": ["newcomers"], "language": ["de", "ar"],
                   "kind": ["course"], "region": ["R1"]},
            flags={"free": True}),
        doc("offer:2", "Englisch B2", min_age=18, max_age=99,
            terms={"area": ["weiterbildung"], "target": ["adults"], "language": ["en"],
                   "kind": ["course"], "region": ["R2"]},
            flags={"online": True}),
        doc("offer:3", "Lesestart", min_age=2, max_age=6,
            terms={"area": ["fruehkindlich", "nonformal"], "kind": ["event"],
                   "target": ["children", "parents"], "language": ["de", "tr"], "region": ["R1"]},
            flags={"free": True, "step_free": True}),
        doc("location:4", "Stadtbibliothek",
            terms={"area": ["nonformal"], "kind": ["library"], "language": ["de", "en", "uk"],
                   "region": ["R2"]},
            flags={"step_free": True}),
    )  # fmt: skip


def test_values_of_one_facet_are_or_ed(courses):
    assert ids(courses, terms={"language": ["ar", "tr"]}) == ["offer:1", "offer:3"]


def test_facets_are_and_ed(courses):
    found = ids(courses, terms={"language": ["de"], "area": ["nonformal"]})
    assert found == ["offer:3", "location:4"]


def test_unknown_filter_value_finds_nothing(courses):
    assert ids(courses, terms={"area": ["hochschule"]}) == []


def test_type_filter(courses):
    assert ids(courses, terms={"type": ["location"]}) == ["location:4"]


def test_age_filter_treats_missing_bounds_as_open(courses):
    assert ids(courses, age=4) == ["offer:3", "location:4"]
    assert ids(courses, age=30) == ["offer:1", "offer:2", "location:4"]


@pytest.mark.parametrize(
    ("flag", "expected"),
    [
        ("free", ["offer:1", "offer:3"]),
        ("step_free", ["offer:3", "location:4"]),
        ("online", ["offer:2"]),
    ],
)
def test_flag_filters(courses, flag, expected):
    assert ids(courses, flags={flag: True}) == expected


def test_flag_filter_false_excludes(courses):
    assert ids(courses, flags={"free": False}) == ["offer:2", "location:4"]


def test_region_filter(courses):
    assert ids(courses, terms={"region": ["R1"]}) == ["offer:1", "offer:3"]


def test_facet_counts_ignore_their_own_selection(courses):
    result = courses.query(SearchQuery(terms={"language": ["en"]}))
    assert result.total == 2
    assert result.facets["language"] == {"de": 3, "en": 2, "ar": 1, "tr": 1, "uk": 1}
    assert result.facets["type"] == {"location": 1, "offer": 1}
    assert result.facets["online"] == {"true": 1}


def test_every_facet_of_the_layout_is_counted(courses):
    assert set(courses.query(SearchQuery()).facets) == set(LAYOUT.names)


def test_only_requested_facets_are_counted(courses):
    assert set(courses.query(SearchQuery(facets=("area",))).facets) == {"area"}


def test_a_facet_the_layout_lacks_is_refused(courses):
    with pytest.raises(ValueError, match="unknown facets: colour"):
        courses.query(SearchQuery(terms={"colour": ["red"]}))


@pytest.fixture
def dated(indexed, doc):  # noqa: ANN001, ANN201
    """Return an index with sessions, a period and an undated offer."""
    return indexed(
        doc("offer:1", "Sessions", dates=["2025-03-03", "2025-03-17"]),
        doc("offer:2", "Period", start="2025-03-05", end="2025-03-30"),
        doc("offer:3", "Ongoing"),
        doc("offer:4", "Past", dates=["2024-01-10"]),
    )


def test_date_filter_matches_sessions_and_overlapping_periods(dated):
    found = ids(dated, date_from=dt.date(2025, 3, 10), date_to=dt.date(2025, 3, 20))
    assert found == ["offer:3", "offer:2", "offer:1"]
    assert ids(dated, date_from=dt.date(2025, 3, 4), date_to=dt.date(2025, 3, 4)) == ["offer:3"]


def test_sort_by_next_start(dated):
    found = ids(dated, sort="start", date_from=dt.date(2025, 3, 4))
    assert found == ["offer:2", "offer:1", "offer:3"]


@pytest.fixture
def places(indexed, doc):  # noqa: ANN001, ANN201
    """Return an index with places 0.7 km, 2.3 km and far from the Kröpcke, one unplaced."""
    return indexed(
        doc("location:1", "Anna", lon=9.7320, lat=52.3700),
        doc("location:2", "Bert", lon=9.7700, lat=52.3700),
        doc("location:3", "Cora", lon=10.5, lat=52.26),
        doc("location:4", "Dora"),
    )


def test_near_filters_by_radius_and_reports_distance(places):
    result = places.query(SearchQuery(near=Near(*KROEPCKE, 2500), sort="distance"))
    assert [h.id for h in result.hits] == ["location:1", "location:2"]
    assert [round(h.distance_m, -2) for h in result.hits] == [700, 2200]


def test_sort_by_name(places):
    assert ids(places, sort="name") == ["location:1", "location:2", "location:3", "location:4"]


def test_paging(places):
    result = places.query(SearchQuery(sort="name", page=2, per_page=3))
    assert result.total == 4
    assert [h.id for h in result.hits] == ["location:4"]


def test_removed_documents_are_gone(places):
    places.remove(["location:2", "location:99"])
    assert ids(places) == ["location:1", "location:3", "location:4"]
    assert places.count() == 3


def test_indexing_an_id_again_replaces_it(places, doc):
    places.index([doc("location:1", "Anna neu")])
    result = places.query(SearchQuery(text="Anna"))
    assert [h.highlights["title"] for h in result.hits] == ["<mark>Anna</mark> neu"]
    assert places.count() == 4


VALUES = {
    "area": ["a1", "a2", "a3"],
    "kind": ["k1", "k2"],
    "topic": ["t1", "t2", "t3"],
    "target": ["g1", "g2"],
    "language": ["de", "en", "ar"],
    "region": ["r1", "r2"],
}


def random_docs(doc, rng):  # noqa: ANN001, ANN201
    """Return 300 documents with random facet values."""
    return [
        doc(f"{rng.choice(['offer', 'location'])}:{n}", rng.choice(["Kurs", "Treff Kurs"]),
            terms={"area": rng.sample(VALUES["area"], rng.randint(0, 2)),
                   "kind": [rng.choice(VALUES["kind"])],
                   "topic": rng.sample(VALUES["topic"], rng.randint(0, 2)),
                   "target": rng.sample(VALUES["target"], rng.randint(0, 2)),
                   "language": rng.sample(VALUES["language"], rng.randint(1, 2)),
                   "region": [rng.choice(VALUES["region"])]},
            flags={"free": rng.random() < 0.5, "step_free": rng.random() < 0.3,
                   "online": rng.random() < 0.2})
        for n in range(300)
    ]  # fmt: skip


def doc_values(d, facet):  # noqa: ANN001, ANN201
    """Return the values a document has in a facet (a flag: ["true"] when set)."""
    if facet in LAYOUT.flags:
        return ["true"] if d["flags"][facet] else []
    return d["terms"][facet]


def test_facet_counts_match_brute_force(indexed, doc):
    rng = random.Random(4)
    docs = random_docs(doc, rng)
    index = indexed(*docs[:150])
    index.index(docs[150:])  # two writes (Whoosh: two segments)
    index.remove([docs[7]["id"], docs[200]["id"]])  # deletions in both
    docs = [d for d in docs if d["id"] not in (docs[7]["id"], docs[200]["id"])]

    for _ in range(20):
        terms = {f: rng.sample(v, rng.randint(0, 2)) for f, v in VALUES.items()}
        flags = {"free": rng.choice([True, False])} if rng.random() < 0.7 else {}
        text = rng.choice(["", "Treff"])
        result = index.query(SearchQuery(text=text, terms=terms, flags=flags))

        def passes(d, skip=None, terms=terms, flags=flags, text=text):  # noqa: ANN001, ANN202
            if text and "Treff" not in d["title"]:
                return False
            for facet, want in terms.items():
                if facet != skip and want and not set(doc_values(d, facet)) & set(want):
                    return False
            return all(d["flags"][f] == want for f, want in flags.items() if f != skip)

        assert result.total == sum(passes(d) for d in docs)
        for facet in LAYOUT.names:
            expected: dict[str, int] = {}
            for d in docs:
                if passes(d, skip=facet):
                    for value in doc_values(d, facet):
                        expected[value] = expected.get(value, 0) + 1
            assert result.facets[facet] == expected, facet
            assert list(result.facets[facet]) == sorted(expected, key=lambda v: (-expected[v], v))


def test_empty_index_answers(search_index):
    result = search_index.query(SearchQuery(text="Kurs"))
    assert (result.total, result.hits, result.suggestion) == (0, [], None)
    assert search_index.query(SearchQuery()).facets == {name: {} for name in LAYOUT.names}
