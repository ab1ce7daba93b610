"""The search index on disk: generations, writes from several processes, reopen, rebuild.

Layout of the index directory:
    CURRENT     names the generation in use; replaced atomically (os.replace) by rebuild
    gen-*/      one Whoosh index per generation, with a LAYOUT file: the facets it holds
    JOURNAL     exists while a rebuild runs: writes made meanwhile, replayed before the swap
    REBUILD.lock  held by the one rebuild that may run at a time
    UPDATE.lock   held by a caller from reading its documents to writing them (`updating`)
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.index import EmptyIndexError, LockError
from whoosh.searching import Searcher

from kbm_map.search.backend import Document
from kbm_map.search.bulk import BATCH, ParallelBulkWriter
from kbm_map.search.columns import Columns, SegmentColumns
from kbm_map.search.postings import segment_key
from kbm_map.search.query import FacetLayout, SearchQuery, SearchResult
from kbm_map.search.schema import build_schema, to_fields
from kbm_map.search.searching import run_query

# Written into every generation: the row format and the facet layout it was built with.
FORMAT = 2
# Whoosh's default is 128 postings per block, zlib level 3. We always read whole posting lists
# (postings.py), so fewer, lightly compressed blocks read ~30 % faster and build faster; the
# index is no bigger. Each segment records its codec, so indexes written before still read.
CODEC = W3Codec(blocklimit=512, compression=1)
# tempfile creates private files; the index must be readable by the web server's user too.
_UMASK = os.umask(0o022)
os.umask(_UMASK)
# A write of this many documents or more goes through the bulk writer (bulk.py), which is
# several times faster but starts a segment of its own; smaller writes use Whoosh's writer,
# whose merges also tidy up the segments of earlier bulk writes.
BULK_MIN = 200


def _make_generation_dir(directory: Path) -> Path:
    """Create a new, empty generation directory with the usual permissions."""
    path = Path(tempfile.mkdtemp(prefix="gen-", dir=directory))
    path.chmod(0o777 & ~_UMASK)
    return path


class SearchIndexBusyError(RuntimeError):
    """Another process holds the index's write or rebuild lock for too long."""


class SearchIndexOutdatedError(RuntimeError):
    """The index on disk was built for other facets or an older format: it needs a rebuild."""


def _layout_stamp(layout: FacetLayout) -> str:
    """Return the text of a generation's LAYOUT file."""
    return json.dumps({"format": FORMAT, "layout": layout.fingerprint()})


class WhooshBackend:
    """A Whoosh index of Lernorte and Angebote on local disk (the SearchBackend protocol)."""

    name = "whoosh"
    transactional = False  # writes go to disk at once: callers write after their commit

    def __init__(
        self,
        directory: str | os.PathLike[str],
        layout: FacetLayout,
        writer_timeout: float = 30.0,
        procs: int = 2,
    ) -> None:
        """Use (and create if needed) the index in directory, holding the layout's facets.

        procs is the number of processes that write rebuilds and large batches.
        """
        self.layout = layout
        self._to_fields = functools.partial(to_fields, layout=layout)  # picklable for helpers
        self.directory = Path(directory)
        self.writer_timeout = writer_timeout
        self.procs = max(procs, 1)
        self._pointer = self.directory / "CURRENT"
        self._journal = self.directory / "JOURNAL"
        self._lock = threading.Lock()
        self._opened: tuple[object, str, Any, Columns] | None = None  # stat, name, ix, cols
        self._retired: list[Searcher] = []
        self._segments: dict[object, SegmentColumns] = {}
        self._ensure()

    # Generations

    def _ensure(self) -> None:
        """Create an empty first generation unless the directory has one."""
        self.directory.mkdir(parents=True, exist_ok=True)
        if self._pointer.exists():
            return
        path = _make_generation_dir(self.directory)
        whoosh_index.create_in(path, build_schema())
        (path / "LAYOUT").write_text(_layout_stamp(self.layout))
        try:
            self._point_to(path.name, exclusive=True)
        except FileExistsError:  # another process created the first generation meanwhile
            shutil.rmtree(path, ignore_errors=True)

    def _point_to(self, name: str, exclusive: bool = False) -> None:
        """Make generation name current, atomically for readers in any process."""
        fd, tmp = tempfile.mkstemp(prefix=".CURRENT-", dir=self.directory)
        os.fchmod(fd, 0o666 & ~_UMASK)
        with os.fdopen(fd, "w") as f:
            f.write(name)
            f.flush()
            os.fsync(f.fileno())
        try:
            if exclusive:
                os.link(tmp, self._pointer)
            else:
                os.replace(tmp, self._pointer)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)

    def _current(self) -> str:
        """Return the name of the current generation."""
        return self._pointer.read_text().strip()

    def _open_current(self, check: bool = True) -> tuple[str, Any]:
        """Return the name and Whoosh index of the current generation (if built for us)."""
        name = self._current()
        if check and self._stamp(name) != _layout_stamp(self.layout):
            raise SearchIndexOutdatedError(
                f"The search index in {self.directory} was built for other search filters or "
                "by an older kbm-map; rebuild it with `kbm-map reindex`."
            )
        return name, whoosh_index.open_dir(str(self.directory / name))

    def _stamp(self, name: str) -> str | None:
        """Return the LAYOUT text of a generation, None if it has none (an older format)."""
        try:
            return (self.directory / name / "LAYOUT").read_text()
        except FileNotFoundError:
            return None

    def outdated(self) -> bool:
        """Tell whether the current generation was built for another layout or format."""
        return self._stamp(self._current()) != _layout_stamp(self.layout)

    # Reading

    def _columns(self) -> Columns:
        """Return the columns of the newest committed state, reopening only when it changed."""
        stat = os.stat(self._pointer)
        key = (stat.st_ino, stat.st_mtime_ns)
        with self._lock:
            opened = self._opened
            if opened is not None and opened[0] == key:
                _, _, ix, columns = opened
                if ix.latest_generation() == columns.searcher.reader().generation():
                    return columns
                return self._reopen(key, opened[1], ix)
            name, ix = self._open_current()
            return self._reopen(key, name, ix)

    def _reopen(self, key: object, name: str, ix: Any) -> Columns:
        """Open a fresh searcher (never Searcher.refresh) and the columns for it."""
        # A fresh searcher, because a refreshed one reuses segment readers and with them
        # stale deletion sets: a document replaced meanwhile would be found twice.
        columns = Columns(ix.searcher(), self._segments, self.layout)
        live = {segment_key(r) for r, _ in columns.searcher.reader().leaf_readers()}
        for stale in set(self._segments) - live:
            del self._segments[stale]
        if self._opened is not None:
            # Close one generation late: another thread may still be reading the last one.
            self._retired.append(self._opened[3].searcher)
            while len(self._retired) > 1:
                self._retired.pop(0).close()
        self._opened = (key, name, ix, columns)
        return columns

    def _read(self, read: Callable[[Columns], Any]) -> Any:
        """Call read with the newest columns, once more if a rebuild removed them meanwhile."""
        try:
            return read(self._columns())
        except (OSError, EmptyIndexError):
            # A rebuild removed the generation between our reading CURRENT and opening it,
            # or between our check and a lazy file open.
            with self._lock:
                self._opened = None
            return read(self._columns())

    def query(self, query: SearchQuery) -> SearchResult:
        """Answer a query from the newest committed state of the index."""
        self.layout.check(query)
        return self._read(lambda columns: run_query(columns, query))

    def count(self) -> int:
        """Return the number of documents in the index."""
        return self._read(lambda columns: int(columns.live.sum()))

    def close(self) -> None:
        """Close open searchers."""
        with self._lock:
            for searcher in self._retired:
                searcher.close()
            if self._opened is not None:
                self._opened[3].searcher.close()
            self._retired, self._opened = [], None

    # Writing

    def index(self, docs: Iterable[Document]) -> None:
        """Add documents, replacing any with the same id."""
        docs = list({str(doc["id"]): dict(doc) for doc in docs}.values())  # the last one wins
        if len(docs) >= BULK_MIN:
            # Helper processes take a second to start: worth it for thousands of documents.
            procs = self.procs if len(docs) >= 10 * BATCH else 1
            self._write(lambda w: _replace(w, docs), {"index": docs}, procs=procs)
        elif docs:
            fields = [self._to_fields(doc) for doc in docs]
            self._write(lambda w: [w.update_document(**f) for f in fields], {"index": docs})

    def remove(self, ids: Iterable[str]) -> None:
        """Remove the documents with these ids (unknown ids are ignored)."""
        ids = [str(i) for i in ids]
        if ids:
            self._write(lambda w: _delete(w, ids), {"remove": ids})

    @contextlib.contextmanager
    def updating(self) -> Iterator[None]:
        """Hold off other updaters (any process or thread) while documents are read and written.

        Without it, a writer that read an entry before another one changed it could store
        its older document last. Waits up to writer_timeout, like a write.
        """
        deadline = time.monotonic() + self.writer_timeout
        with open(self.directory / "UPDATE.lock", "a") as lock:
            while True:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise SearchIndexBusyError(
                            f"The search index in {self.directory} stayed locked by another "
                            f"update for {self.writer_timeout:.0f} s."
                        ) from None
                    time.sleep(0.02)
            yield  # closing the file releases the lock

    def _write(self, apply: Callable[[Any], object], entry: dict[str, Any], procs: int = 0) -> None:
        """Apply a change under the current generation's write lock, waiting for it.

        procs=0 uses Whoosh's writer; 1 or more the bulk writer with that many processes.
        """
        deadline = time.monotonic() + self.writer_timeout
        while True:
            name, ix = self._open_current()
            writer = self._writer(ix, deadline, procs)
            if self._current() != name:  # a rebuild swapped generations while we waited
                writer.cancel()
                continue
            try:
                apply(writer)
                if self._rebuild_running():  # it replays this into the new generation
                    with self._journal.open("a") as journal:
                        journal.write(json.dumps(entry, default=str) + "\n")
                writer.commit()
            except BaseException:
                writer.cancel()
                raise
            return

    def _writer(self, ix: Any, deadline: float, procs: int = 0) -> Any:
        """Return a writer, retrying while another process writes until the deadline."""
        try:
            timeout = max(deadline - time.monotonic(), 0.0)
            if procs:
                return ParallelBulkWriter(
                    ix, procs, self._to_fields, timeout=timeout, delay=0.02, codec=CODEC
                )
            return ix.writer(timeout=timeout, delay=0.02, codec=CODEC)
        except LockError:
            raise SearchIndexBusyError(
                f"The search index in {self.directory} stayed locked by another writer for "
                f"{self.writer_timeout:.0f} s. Wait for the running import or rebuild to "
                "finish, or raise writer_timeout."
            ) from None

    # Rebuilding

    def rebuild(self, docs: Iterable[Document], procs: int | None = None) -> int:
        """Build a new generation from docs, swap it in atomically; return the doc count."""
        with self._rebuild_lock():
            self._journal.write_text("")
            try:
                path = _make_generation_dir(self.directory)
                count = self._build(path, docs, procs or self.procs)
                self._swap(path)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    self._journal.unlink()
        for old in self.directory.glob("gen-*"):
            if old.name != path.name:
                shutil.rmtree(old, ignore_errors=True)
        return count

    def _rebuild_running(self) -> bool:
        """Return whether another process (or thread) is rebuilding right now."""
        # The lock, not the journal file: a rebuild killed midway leaves its journal behind.
        if not self._journal.exists():
            return False
        with open(self.directory / "REBUILD.lock", "a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(lock, fcntl.LOCK_UN)
            return False

    @contextlib.contextmanager
    def _rebuild_lock(self) -> Iterator[None]:
        """Hold the lock that lets one rebuild run at a time."""
        with open(self.directory / "REBUILD.lock", "w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise SearchIndexBusyError(
                    f"Another process is rebuilding the search index in {self.directory}."
                ) from None
            yield

    def _build(self, path: Path, docs: Iterable[Document], procs: int) -> int:
        """Write all docs into a new Whoosh index at path."""
        ix = whoosh_index.create_in(str(path), build_schema())
        (path / "LAYOUT").write_text(_layout_stamp(self.layout))
        writer = ParallelBulkWriter(ix, procs, self._to_fields, codec=CODEC)
        count = 0
        try:
            for doc in docs:
                writer.add(doc)
                count += 1
            writer.commit()
        except BaseException:
            writer.cancel()
            shutil.rmtree(path, ignore_errors=True)
            raise
        return count

    def _swap(self, path: Path) -> None:
        """Replay writes made during the build into path and make it current."""
        name, ix = self._open_current(check=False)  # an outdated one, too: it is replaced
        lock = self._writer(ix, time.monotonic() + self.writer_timeout)  # holds off writers
        try:
            entries = [json.loads(line) for line in self._journal.read_text().splitlines()]
            if entries:
                writer = whoosh_index.open_dir(str(path)).writer(codec=CODEC)
                for entry in entries:
                    for doc in entry.get("index", []):
                        writer.update_document(**self._to_fields(doc))
                    _delete(writer, entry.get("remove", []))
                writer.commit()
            self._point_to(path.name)
        finally:
            lock.cancel()


def _delete(writer: Any, ids: Iterable[str]) -> None:
    """Delete the documents with these ids, through one searcher for all of them."""
    with writer.searcher() as searcher:
        for doc_id in ids:
            writer.delete_by_term("id", doc_id, searcher=searcher)


def _replace(writer: ParallelBulkWriter, docs: list[Document]) -> None:
    """Delete the old versions of these documents and add the new ones (a bulk update)."""
    _delete(writer, (str(doc["id"]) for doc in docs))
    writer.add_all(docs)
