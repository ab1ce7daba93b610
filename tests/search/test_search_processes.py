"""Several processes on one index: reopen after writes, concurrent writers, rebuild swaps."""

from __future__ import annotations

import fcntl
import multiprocessing
import threading
from pathlib import Path

import pytest
from search_documents import make_doc
from whoosh import index as whoosh_index

from kbm_map.finding.filters import LAYOUT
from kbm_map.search import SearchIndexBusyError, SearchQuery, WhooshBackend


@pytest.fixture
def search_index(whoosh_index):  # noqa: ANN001, ANN201
    """Whoosh only: generations, the rebuild journal and the write lock across processes."""
    return whoosh_index


# fork: children start in milliseconds; they open their own SearchIndex, nothing is shared.
processes = multiprocessing.get_context("fork")


def _index_one_by_one(directory: Path, prefix: str, count: int) -> None:
    """Index count documents, one commit each (runs in a child process)."""
    index = WhooshBackend(directory, LAYOUT, writer_timeout=20)
    for n in range(count):
        index.index([make_doc(f"offer:{prefix}{n}", f"Kurs {prefix} {n}")])


def _rebuild(directory: Path, count: int) -> None:
    """Rebuild the index with count new documents (runs in a child process)."""
    docs = (make_doc(f"offer:new{n}", f"Neuer Kurs {n}") for n in range(count))
    WhooshBackend(directory, LAYOUT).rebuild(docs)


def _run(target, *args) -> None:  # noqa: ANN001
    """Run target in a child process and fail if it fails."""
    child = processes.Process(target=target, args=args)
    child.start()
    child.join(30)
    assert child.exitcode == 0


def test_reader_sees_an_update_from_another_process_exactly_once(search_index, doc):
    search_index.index([doc("offer:1", "Schach für Kinder"), doc("offer:2", "Yoga")])
    assert search_index.query(SearchQuery(text="Schach")).total == 1  # searcher now open

    def update() -> None:
        WhooshBackend(search_index.directory, LAYOUT).index([doc("offer:1", "Schach für Eltern")])

    _run(update)
    result = search_index.query(SearchQuery(text="Schach"))
    assert [h.id for h in result.hits] == ["offer:1"]
    assert "Eltern" in result.hits[0].highlights["title"]
    assert search_index.query(SearchQuery()).total == 2


def test_second_index_object_sees_updates_exactly_once(search_index, doc):
    search_index.index([doc("offer:1", "Schach"), doc("offer:2", "Yoga")])
    other = WhooshBackend(search_index.directory, LAYOUT)
    assert other.query(SearchQuery()).total == 2
    for n in range(3):
        search_index.index([doc("offer:1", f"Schach Runde {n}")])
        assert [h.id for h in other.query(SearchQuery(text="Schach")).hits] == ["offer:1"]
    assert other.query(SearchQuery()).total == 2
    other.close()


def test_concurrent_writers_wait_for_each_other(search_index):
    children = [
        processes.Process(target=_index_one_by_one, args=(search_index.directory, p, 12))
        for p in "ab"
    ]
    for child in children:
        child.start()
    for child in children:
        child.join(60)
    assert [child.exitcode for child in children] == [0, 0]
    assert search_index.query(SearchQuery()).total == 24


def test_writer_timeout_names_the_index(search_index, doc):
    search_index.index([doc("offer:1", "Yoga")])
    generation = search_index.directory / (search_index.directory / "CURRENT").read_text()
    held = whoosh_index.open_dir(str(generation)).writer()
    try:
        impatient = WhooshBackend(search_index.directory, LAYOUT, writer_timeout=0.2)
        with pytest.raises(SearchIndexBusyError, match="stayed locked by another writer"):
            impatient.index([doc("offer:2", "Tanz")])
    finally:
        held.cancel()


def test_rebuild_swaps_while_another_process_reads(search_index, doc):
    search_index.index([doc(f"offer:old{n}", f"Alter Kurs {n}") for n in range(5)])
    child = processes.Process(target=_rebuild, args=(search_index.directory, 400))
    child.start()
    totals = set()
    while child.is_alive():
        totals.add(search_index.query(SearchQuery(text="Kurs")).total)
    child.join()
    totals.add(search_index.query(SearchQuery(text="Kurs")).total)
    assert child.exitcode == 0
    assert totals <= {5, 400} and 400 in totals
    assert len(list(search_index.directory.glob("gen-*"))) == 1


def test_writes_during_a_rebuild_are_kept(search_index, doc):
    search_index.index([doc("offer:1", "Yoga"), doc("offer:2", "Tanz")])
    writer = WhooshBackend(search_index.directory, LAYOUT)

    def snapshot():  # noqa: ANN202 - the service layer's generator over the database
        yield doc("offer:1", "Yoga")
        writer.index([doc("offer:3", "Schach")])  # a staff edit while the rebuild reads
        writer.remove(["offer:1"])
        yield doc("offer:2", "Tanz")

    assert search_index.rebuild(snapshot()) == 2
    assert sorted(h.id for h in search_index.query(SearchQuery()).hits) == ["offer:2", "offer:3"]


def test_second_rebuild_is_refused(search_index, doc):
    with open(search_index.directory / "REBUILD.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with pytest.raises(SearchIndexBusyError, match="Another process is rebuilding"):
            search_index.rebuild([doc("offer:1", "Yoga")])


def test_rebuild_with_several_processes(search_index, doc):
    docs = [
        doc(f"offer:{n}", f"Kurs {n}", terms={"language": ["de", "en"][n % 2 :]})
        for n in range(200)
    ]
    assert search_index.rebuild(docs, procs=2) == 200
    result = search_index.query(SearchQuery(text="Kurs", terms={"language": ["en"]}))
    assert result.total == 200
    assert result.facets["language"] == {"de": 100, "en": 200}


def test_failed_rebuild_keeps_the_current_generation(search_index, doc):
    search_index.index([doc("offer:1", "Yoga")])

    def broken():  # noqa: ANN202
        yield doc("offer:2", "Tanz")
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError, match="database went away"):
        search_index.rebuild(broken())
    assert [h.id for h in search_index.query(SearchQuery()).hits] == ["offer:1"]
    assert len(list(search_index.directory.glob("gen-*"))) == 1
    assert not (search_index.directory / "JOURNAL").exists()


def test_threads_query_while_another_writes(search_index, doc):
    search_index.index([doc(f"offer:{n}", f"Kurs {n}") for n in range(50)])
    errors: list[BaseException] = []

    def read() -> None:
        try:
            for _ in range(40):
                result = search_index.query(SearchQuery(text="Kurs", terms={"language": ["de"]}))
                assert len({h.id for h in result.hits}) == len(result.hits)
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    readers = [threading.Thread(target=read) for _ in range(4)]
    for reader in readers:
        reader.start()
    for n in range(5):
        search_index.index([doc(f"offer:{n}", f"Kurs {n} neu")])
    for reader in readers:
        reader.join()
    assert errors == []
    assert search_index.query(SearchQuery(text="neu")).total == 5


def test_journal_left_by_a_killed_rebuild_is_not_written(search_index, doc):
    (search_index.directory / "JOURNAL").write_text("")
    search_index.index([doc("offer:1", "Yoga")])
    assert (search_index.directory / "JOURNAL").read_text() == ""


def _hold_update_lock(directory: Path, held, release) -> None:
    """Hold the index's update lock until told to let go (runs in a child process)."""
    with WhooshBackend(directory, LAYOUT).updating():
        held.set()
        release.wait(20)


def test_an_update_is_held_off_while_another_process_updates(search_index):
    held, release = processes.Event(), processes.Event()
    child = processes.Process(
        target=_hold_update_lock, args=(search_index.directory, held, release)
    )
    child.start()
    try:
        assert held.wait(20)
        waiting = WhooshBackend(search_index.directory, LAYOUT, writer_timeout=0.2)
        busy = pytest.raises(SearchIndexBusyError, match="locked by another update")
        with busy, waiting.updating():
            pass
        release.set()
        child.join(20)
        with waiting.updating():  # free again
            pass
    finally:
        release.set()
        child.join(20)
