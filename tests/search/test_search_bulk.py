"""The bulk writer: the same segment as Whoosh's writer, parallel builds, failures."""

from __future__ import annotations

import functools
import multiprocessing
import random
from pathlib import Path

import pytest
from search_documents import make_doc
from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from kbm_map.finding.filters import LAYOUT
from kbm_map.search import SearchQuery, WhooshBackend
from kbm_map.search.bulk import BulkWriteError, BulkWriter, ParallelBulkWriter
from kbm_map.search.index import BULK_MIN, CODEC
from kbm_map.search.schema import build_schema, to_fields

FIELDS = functools.partial(to_fields, layout=LAYOUT)


@pytest.fixture
def search_index(whoosh_index):  # noqa: ANN001, ANN201
    """Whoosh only: these tests compare the bulk writer's segments with Whoosh's writer."""
    return whoosh_index


WORDS = (
    "Gärten", "Garten", "Gaerten", "Deutschkurs", "für", "Kinder", "und", "Eltern", "Bibliothek",
    "Bücherei", "Straße", "Volkshochschule", "Integrationskurs", "Musikschule", "Jugendzentrum",
    "İstanbul", "Türkçe", "Бібліотека", "مكتبة", "z.B.", "A1.2", "der", "die", "das", "Beratung",
    "Bewerbungstraining", "Python", "Kurs", "Kita", "Krippe", "Café", "36037",
)  # fmt: skip


def varied_docs(count: int, seed: int = 7) -> list[dict]:
    """Return documents with shared and rare words, repeats, empty fields and dates."""
    rng = random.Random(seed)

    def text(most: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, most)))

    return [
        make_doc(
            f"{'offer' if n % 3 else 'location'}:{n}",
            text(6) or "Kurs",
            description=text(40),
            kind=text(2),
            topics=[text(2), text(1)],
            provider=text(3),
            place=text(4),
            dates=["2026-11-23", "2026-11-30"] if n % 2 else [],
            lon=9.6 + n / 10_000 if n % 5 else None,
            lat=50.5 if n % 5 else None,
        )
        for n in range(count)
    ]


def segment_files(directory: Path) -> dict[str, bytes]:
    """Return the files of the index's one segment by extension."""
    files = {}
    for path in directory.iterdir():
        if path.suffix not in (".toc", ".tmp") and "LOCK" not in path.name:
            files[path.name.split(".", 1)[1]] = path.read_bytes()
    return files


def write_segment(directory: Path, writer_class: type, docs: list[dict]) -> dict[str, bytes]:
    """Write docs as one uncompounded segment with writer_class; return its files."""
    directory.mkdir()
    ix = whoosh_index.create_in(str(directory), build_schema())
    writer = writer_class(ix, codec=CODEC, compound=False)
    for doc in docs:
        writer.add_document(**FIELDS(doc))
    writer.commit()
    return segment_files(directory)


def all_hits(index: WhooshBackend, text: str) -> set[tuple[str, float]]:
    """Return (id, rounded score) of every hit of a query, page by page."""
    hits: set[tuple[str, float]] = set()
    page = 1
    while True:
        result = index.query(SearchQuery(text=text, per_page=1000, page=page))
        hits |= {(h.id, round(h.score, 4)) for h in result.hits}
        if page * 1000 >= result.total:
            return hits
        page += 1


def test_the_bulk_segment_has_the_same_bytes_as_whooshs(tmp_path):
    # 1,300 documents: common words fill several 512-posting blocks, rare ones a few postings.
    docs = varied_docs(1300)
    whoosh_files = write_segment(tmp_path / "whoosh", SegmentWriter, docs)
    bulk_files = write_segment(tmp_path / "bulk", BulkWriter, docs)
    assert {"pst", "trm"} <= set(whoosh_files)
    assert whoosh_files.keys() == bulk_files.keys()
    for name, content in whoosh_files.items():
        assert bulk_files[name] == content, f"the {name} files differ"


def test_a_parallel_rebuild_answers_as_an_index_written_by_whoosh(search_index, tmp_path):
    docs = varied_docs(1600)
    assert search_index.rebuild(docs, procs=2) == 1600
    ix = whoosh_index.open_dir(str(search_index.directory / search_index._current()))
    assert len(ix._segments()) == 2  # this process's and the helper's
    by_whoosh = WhooshBackend(tmp_path / "by-whoosh", LAYOUT)
    for start in range(0, len(docs), BULK_MIN - 1):  # small batches: Whoosh's own writer
        by_whoosh.index(docs[start : start + BULK_MIN - 1])
    assert search_index.count() == by_whoosh.count() == 1600
    for text in ("", "Kurs", "Gärten", "Bibliotek", "Bewerbung", "istanbul", "A1.2"):
        bulk, whoosh = all_hits(search_index, text), all_hits(by_whoosh, text)
        assert bulk == whoosh, text
        assert search_index.query(SearchQuery(text=text)).facets == (
            by_whoosh.query(SearchQuery(text=text)).facets
        ), text
    assert search_index.query(SearchQuery()).facets["type"] == {"location": 534, "offer": 1066}


def test_a_large_update_replaces_documents_without_duplicates(search_index, doc):
    search_index.index([doc(f"offer:{n}", f"Schachkurs {n}") for n in range(BULK_MIN)])
    reader = WhooshBackend(search_index.directory, LAYOUT)
    assert reader.query(SearchQuery(text="Schach")).total == BULK_MIN
    search_index.index([doc(f"offer:{n}", f"Tanzkurs {n}") for n in range(50, BULK_MIN + 50)])
    assert reader.query(SearchQuery(text="Schach")).total == 50
    assert reader.query(SearchQuery(text="Tanz")).total == BULK_MIN
    assert reader.count() == BULK_MIN + 50
    search_index.index([doc("offer:0", "Yoga")])  # a small write merges Whoosh's way
    assert reader.query(SearchQuery(text="Yoga")).total == 1
    assert reader.count() == BULK_MIN + 50


def test_a_dead_helper_fails_the_write_and_leaves_the_index_as_it_was(search_index, doc):
    search_index.index([doc("offer:1", "Yoga")])
    _, ix = search_index._open_current()
    writer = ParallelBulkWriter(ix, 2, FIELDS, codec=CODEC)
    writer.add_all(varied_docs(1000))
    writer._helpers[0].kill()
    with pytest.raises(BulkWriteError, match="died"):
        writer.commit()
    assert multiprocessing.active_children() == []
    assert [h.id for h in search_index.query(SearchQuery()).hits] == ["offer:1"]
    search_index.index([doc("offer:2", "Tanz")])  # the write lock was released
    assert search_index.count() == 2


def test_an_interrupted_parallel_rebuild_stops_its_helper(search_index, doc):
    search_index.index([doc("offer:1", "Yoga")])

    def interrupted():  # noqa: ANN202 - a database cursor that fails midway
        yield from varied_docs(1200)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        search_index.rebuild(interrupted(), procs=2)
    assert multiprocessing.active_children() == []
    assert [h.id for h in search_index.query(SearchQuery()).hits] == ["offer:1"]
    assert len(list(search_index.directory.glob("gen-*"))) == 1
