"""Write a whole Whoosh segment at once, for rebuilds and large imports.

Whoosh's SegmentWriter analyses text through a generator pipeline, pushes every posting
through an external-sort pool, and on commit reads every document's field length back from
disk, all at a few microseconds per posting: a rebuild of 110,000 entries (ten million
postings) took over two minutes. BulkWriter is a SegmentWriter that keeps the postings of the
new segment in memory, grouped by term, and writes each term's posting blocks in one go. The
per-document part (stored fields, lengths, the row column) and the segment and TOC handling
are Whoosh's own, so the result is an ordinary W3 segment; tests/search/test_search_bulk.py
checks that it equals what Whoosh's own writer produces.

Like postings.py, it fills private attributes of Whoosh 2.7.4's W3 postings writer (pinned).
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
import time
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pickle import dumps
from typing import Any

import numpy as np
from whoosh import formats
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from kbm_map.search.analysis import gram_terms, spell_terms, text_terms

BATCH = 500  # documents handed to a helper process at a time
PARENT_POLL = 0.2  # seconds between a helper's checks that its parent is still alive

Analyse = Callable[[str], Mapping[str, int]]
Prepare = Callable[[Any], Mapping[str, Any]]  # an item (e.g. a search document) -> its fields

# Field name -> the function giving the same terms as the field's analyzer (schema.py).
FAST_ANALYSIS: dict[str, Analyse] = {
    "title": text_terms,
    "description": text_terms,
    "tags": text_terms,
    "grams": gram_terms,
    "spell": spell_terms,
}
# Whoosh stores a field's length as one byte; block statistics use the rounded value.
_ROUNDED = np.array([byte_to_length(b) for b in range(256)], dtype=np.int64)


class _FieldPostings:
    """The postings of one field of the new segment, in flat arrays until the flush.

    Each posting appends its term's number, the docnum and the frequency to three arrays
    (bulk extends, no per-term containers); the flush groups them by term with one stable
    sort, which keeps each term's docnums ascending.
    """

    def __init__(self) -> None:
        """Start empty."""
        self.vocabulary: dict[str, int] = {}
        self.terms = array("I")
        self.docs = array("I")
        self.freqs = array("I")
        self.lengths = array("I")  # per docnum; 0 when the field was empty or not scorable

    def add(self, docnum: int, terms: Mapping[str, int], length: int) -> None:
        """Record the terms of one document."""
        vocabulary = self.vocabulary
        numbers = [vocabulary.setdefault(term, len(vocabulary)) for term in terms]
        self.terms.extend(numbers)
        self.docs.extend([docnum] * len(numbers))
        self.freqs.extend(terms.values())
        lengths = self.lengths
        if len(lengths) < docnum:
            lengths.extend([0] * (docnum - len(lengths)))
        lengths.append(length)

    def grouped(self) -> Iterator[tuple[bytes, np.ndarray, np.ndarray]]:
        """Yield (term bytes, docnums, frequencies) in the order of the term bytes."""
        numbers = np.frombuffer(self.terms, dtype=np.uint32)
        order = np.argsort(numbers, kind="stable")
        docs = np.frombuffer(self.docs, dtype=np.uint32)[order]
        freqs = np.frombuffer(self.freqs, dtype=np.uint32)[order]
        ends = np.cumsum(np.bincount(numbers, minlength=len(self.vocabulary)))
        encoded = sorted((term.encode("utf-8"), n) for term, n in self.vocabulary.items())
        for term, n in encoded:
            start = ends[n - 1] if n else 0
            yield term, docs[start : ends[n]], freqs[start : ends[n]]


class BulkWriter(SegmentWriter):
    """A SegmentWriter that writes one new segment fast, never merging existing ones.

    Use it as Whoosh's writer (add_document, delete_by_term, commit, cancel) for whole-index
    builds and large batches; small updates keep using Whoosh's writer, whose merges tidy up
    the segments a bulk write leaves. Indexed fields must use the Existence or Frequency
    format (all of schema.py's do).
    """

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        """Open the writer (taking the index's write lock) like SegmentWriter."""
        super().__init__(ix, **kwargs)
        self._fields: dict[str, _FieldPostings] = {}
        for name, field in self.schema.items():
            if field.indexed:
                if type(field.format) not in (formats.Existence, formats.Frequency):
                    raise TypeError(f"BulkWriter cannot index field {name!r} ({field.format})")
                self._fields[name] = _FieldPostings()

    def add_document(self, **fields: Any) -> None:
        """Add one document (stored fields, lengths and columns as Whoosh does)."""
        self._check_state()
        schema = self.schema
        docnum = self.docnum
        perdoc = self.perdocwriter
        perdoc.start_doc(docnum)
        for name in sorted(fields):
            value = fields[name]
            if value is None:
                continue
            if name not in schema:
                raise ValueError(f"no field named {name!r} in the search schema")
            field = schema[name]
            length = 0
            if field.indexed:
                terms = self._terms(name, field, value)
                if field.scorable:
                    length = sum(terms.values())
                self._fields[name].add(docnum, terms, length)
            perdoc.add_field(name, field, value if field.stored else None, length)
            if field.column_type is not None:
                perdoc.add_column_value(name, field.column_type, field.to_column_value(value))
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    @staticmethod
    def _terms(name: str, field: Any, value: Any) -> Mapping[str, int]:
        """Return {term: frequency} of a field value, fast for the text fields of schema.py."""
        analyse = FAST_ANALYSIS.get(name)
        if analyse is not None:
            return analyse(value)
        return {term.decode("utf-8"): freq for term, freq, _, _ in field.index(value)}

    def commit(self, **_ignored: Any) -> None:
        """Write the new segment beside the existing ones (which are never merged here)."""
        self.commit_segments([self.finish_segment()])

    def finish_segment(self) -> Any:
        """Write this writer's segment without committing it; return it (None if empty)."""
        self._check_state()
        if self._added:
            return self._finalize_segment()
        self._close_segment()  # its empty files go with the next commit's clean-up
        return None

    def commit_segments(self, segments: Sequence[Any]) -> None:
        """Commit finished segments (None for an empty one) beside the existing ones."""
        self._check_state()
        self._commit_toc([*self.segments, *(s for s in segments if s is not None)])
        self._finish()

    def _flush_segment(self) -> None:
        """Write the postings of every field, term by term, then close the segment's files."""
        self.perdocwriter.close()
        writer = self.fieldwriter
        for name in sorted(self._fields):
            postings = self._fields[name]
            if not postings.vocabulary:
                continue
            field = self.schema[name]
            writer.start_field(name, field)
            lengths = postings.lengths
            lengths.extend([0] * (self.docnum - len(lengths)))
            rounded = _ROUNDED[[length_to_byte(n) if n else 0 for n in lengths]]
            frequencies = type(field.format) is formats.Frequency
            for term, docs, freqs in postings.grouped():
                writer.start_term(term)
                freqs = freqs if frequencies else None
                _write_term(writer._postwriter, field.format, docs, freqs, rounded)
                writer.finish_term()
            writer.finish_field()
        writer.close()


class _Block:
    """The statistics of one posting block, as W3TermInfo.add_block reads them."""

    def __init__(self, ids: list[int], weight_sum: float, lengths: list[int], maxweight: float):
        """Take the block's docnums, summed weight, rounded field lengths and top weight."""
        self._ids = ids
        self._weights = (weight_sum,)  # add_block only sums them
        present = [n for n in lengths if n]
        self._minlength = min(present) if present else None
        self._maxlength = max(lengths, default=0)
        self._maxweight = maxweight

    def __len__(self) -> int:
        """Return the number of postings."""
        return len(self._ids)

    def min_id(self) -> int:
        """Return the first docnum."""
        return self._ids[0]

    def max_id(self) -> int:
        """Return the last docnum."""
        return self._ids[-1]

    def min_length(self) -> int | None:
        """Return the shortest non-zero field length."""
        return self._minlength

    def max_length(self) -> int:
        """Return the longest field length."""
        return self._maxlength

    def max_weight(self) -> float:
        """Return the highest weight."""
        return self._maxweight


def _write_term(postwriter: Any, format_: Any, docs: np.ndarray, freqs, rounded) -> None:
    """Write a term's posting blocks as W3PostingsWriter would, whole arrays at a time.

    The bytes equal those of add_posting() one posting at a time followed by
    finish_postings() (tests/search/test_search_bulk.py); the caller then calls finish_term.
    """
    limit = postwriter._blocklimit
    boost = format_.field_boost
    postfile = postwriter._postfile
    compression = postwriter._compression
    lengths = rounded[docs].tolist()
    postfile.write(WHOOSH3_HEADER_MAGIC)
    # Most terms have a handful of postings: plain lists beat numpy's per-call cost there.
    all_ids = docs.tolist()
    all_freqs = freqs.tolist() if freqs is not None else None
    stored_boost = float(np.float32(boost))  # as the array("f") of weights keeps it
    for start in range(0, len(all_ids), limit):
        ids = all_ids[start : start + limit]
        deltas = (ids[0], *(b - a for a, b in zip(ids, ids[1:], strict=False)))
        if all_freqs is None:  # Existence: every weight is the field boost, no values
            weights = None if stored_boost == 1.0 else stored_boost
            weight_sum, maxweight, values = stored_boost * len(ids), boost, None
        else:
            block_freqs = all_freqs[start : start + limit]
            as_float = array("f", [f * boost for f in block_freqs]).tolist()
            if all(w == 1.0 for w in as_float):
                weights = None
            elif all(w == as_float[0] for w in as_float):
                weights = as_float[0]
            else:
                weights = tuple(as_float)
            weight_sum = sum(as_float)
            maxweight = max(block_freqs) * boost
            values = b"".join(map(pack_uint, block_freqs))  # Frequency's value bytes
        block = _Block(ids, weight_sum, lengths[start : start + limit], maxweight)
        postwriter._terminfo.add_block(block)
        data = dumps((deltas, weights, values), 2)
        if compression:
            data = zlib.compress(data, compression)
        info = dumps(
            (
                len(ids),
                ids[-1],
                maxweight,
                compression,
                length_to_byte(block._minlength),
                length_to_byte(block._maxlength),
            ),
            2,
        )
        size = len(info) + len(data)
        postfile.write_int(-size if start + limit >= len(all_ids) else size)
        postfile.write(info)
        postfile.write(data)
        postwriter._blockcount += 1


class BulkWriteError(RuntimeError):
    """A helper process of a bulk write failed or died."""


def _exit_with_parent(parent: int) -> None:
    """End this process at once when the parent process is gone (killed, say).

    A helper waits on a queue whose other end it holds itself, so it would never see the
    parent go; it holds no lock (the parent has the index's), so ending abruptly is safe.
    """

    def watch() -> None:
        """Poll the parent's pid; a dead parent's children are adopted by another process."""
        while os.getppid() == parent:
            time.sleep(PARENT_POLL)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _helper(folder: str, indexname: str, codec: Any, inbox: Any, outbox: Any, parent: int) -> None:
    """Write the batches from inbox into one new segment; put it (or the error) in outbox."""
    from whoosh.index import open_dir

    _exit_with_parent(parent)
    try:
        writer = BulkWriter(open_dir(folder, indexname=indexname), _lk=False, codec=codec)
        while (batch := inbox.get()) is not None:
            for fields in batch:
                writer.add_document(**fields)
        outbox.put(("segment", writer.finish_segment()))
    except BaseException as error:  # the parent reports it and cancels the whole write
        outbox.put(("error", f"{type(error).__name__}: {error}"))


class ParallelBulkWriter:
    """A BulkWriter plus helper processes, each writing a segment of its own.

    The calling process hands batches of documents to the helpers while they keep up and
    writes the rest itself, so that the producer of the documents (usually the database)
    is never held up. The commit puts all segments into the index at once; a cancel or an
    error leaves the index as it was.
    """

    def __init__(
        self, ix: Any, procs: int = 2, prepare: Prepare | None = None, **kwargs: Any
    ) -> None:
        """Open the writer (taking the write lock); procs - 1 helpers start with the 1st batch.

        prepare turns each added item into the fields of a document; without it, items are
        the fields. It runs here: a search document takes longer to pickle for a helper
        than its fields (dates, many keys), which costs this process more than it saves.
        """
        self.writer = BulkWriter(ix, **kwargs)
        self._procs = procs
        self._prepare = prepare
        self._batch: list[Any] = []
        self._helpers: list[Any] = []

    def _start_helpers(self) -> None:
        """Start the helper processes (once there is a whole batch for them)."""
        # spawn, not fork: the parent holds database connections and threads.
        context = multiprocessing.get_context("spawn")
        self._inbox = context.Queue(maxsize=self._procs)
        self._outbox = context.Queue()
        writer = self.writer
        args = (
            writer.storage.folder,
            writer.indexname,
            writer.codec,
            self._inbox,
            self._outbox,
            os.getpid(),
        )
        self._helpers = [
            context.Process(target=_helper, args=args, daemon=True) for _ in range(self._procs - 1)
        ]
        for process in self._helpers:
            process.start()

    def delete_by_term(self, fieldname: str, text: str, searcher: Any = None) -> int:
        """Delete documents from the existing segments (see SegmentWriter.delete_by_term)."""
        return self.writer.delete_by_term(fieldname, text, searcher=searcher)

    def searcher(self) -> Any:
        """Return a searcher over the existing segments, for many deletions in a row."""
        return self.writer.searcher()

    def add(self, item: Any) -> None:
        """Add one document (handed on in batches)."""
        self._batch.append(self._prepare(item) if self._prepare else item)
        if len(self._batch) >= BATCH:
            self._hand_on()

    def add_all(self, items: Iterable[Any]) -> None:
        """Add many documents."""
        for item in items:
            self.add(item)

    def _hand_on(self) -> None:
        """Give the batch to an idle helper, or write it here when all are busy."""
        batch, self._batch = self._batch, []
        if self._procs > 1 and not self._helpers and len(batch) >= BATCH:
            self._start_helpers()
        if self._helpers:
            try:
                self._inbox.put_nowait(batch)
                return
            except queue.Full:
                pass
        for fields in batch:
            self.writer.add_document(**fields)

    def commit(self) -> None:
        """Write this process's segment while the helpers write theirs; commit them all."""
        try:
            if self._batch:
                self._hand_on()
            for _ in self._helpers:
                self._wait(lambda: self._inbox.put(None, timeout=1.0), queue.Full)
            segments = [self.writer.finish_segment()]
            segments += [self._wait(self._answer, queue.Empty) for _ in self._helpers]
        except BaseException:
            self.cancel()
            raise
        self._stop_helpers()
        self.writer.commit_segments(segments)

    def _answer(self) -> Any:
        """Return the next helper's segment (None if it had no documents)."""
        kind, value = self._outbox.get(timeout=1.0)
        if kind == "error":
            raise BulkWriteError(f"a search index helper process failed: {value}")
        return value

    def _wait(self, step: Callable[[], Any], waiting: type[Exception]) -> Any:
        """Retry step while it raises `waiting`, until a helper process has died."""
        while True:
            try:
                return step()
            except waiting:
                # A helper that ends normally has always put its answer first.
                dead = [p.exitcode for p in self._helpers if p.exitcode not in (None, 0)]
                if dead:
                    raise BulkWriteError(
                        f"a search index helper process died (exit code {dead[0]})"
                    ) from None

    def _stop_helpers(self) -> None:
        """End the helper processes and close the queues without waiting on their pipes."""
        for process in self._helpers:
            if process.pid is None:
                continue
            if process.is_alive():
                process.join(timeout=5.0)
            if process.is_alive():
                process.kill()
                process.join()
        if self._helpers:
            for channel in (self._inbox, self._outbox):
                channel.cancel_join_thread()  # a dead reader must not block our exit
                channel.close()
        self._helpers = []

    def cancel(self) -> None:
        """Stop the helpers and release the index unchanged (their files are cleaned later)."""
        for process in self._helpers:
            if process.pid is not None:  # a helper that failed to start has nothing to kill
                process.kill()
        self._stop_helpers()
        if not self.writer.is_closed:
            self.writer.cancel()
