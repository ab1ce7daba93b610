"""Import a file of Lernorte or Angebote for a source: validate, geocode, upsert, audit, index.

The whole run is one transaction. If anything goes wrong, or the run is interrupted, it is
rolled back and the ImportRun is recorded as failed or interrupted in a small transaction of
its own, so the database is as it was before the run.

A run that finds the same context as the source's last successful run (mapping, taxonomy …:
see services/fingerprints.py) skips every row whose record is as it was then and counts it
as unchanged, without mapping or comparing it.
"""

from __future__ import annotations

import csv
import gc
import itertools
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from ..cells import defused
from ..errors import KbmMapError
from ..extensions import db
from ..importers import (
    MappedRecord,
    RecordSource,
    Rejection,
    Unchanged,
)
from ..models import ImportRun, Source, utcnow
from ..text import slugify
from . import indexing
from .datafiles import DataFileError, mapped_records, read_mapping, resolve_mapping
from .fingerprints import context_fingerprint, fingerprints_to_keep
from .planning import LocationPlanner, OfferPlanner, term_codes
from .regions import assign_regions
from .stored import Planned
from .upsert import Upsert

CHUNK = 2_000
_SOURCE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class ImportRunError(KbmMapError):
    """An import could not run as asked; the database is unchanged."""


@dataclass
class ImportSummary:
    """What an import did (or, in a dry run, would do)."""

    source: str
    file: str
    mapping: str = ""
    target: str = ""
    dry_run: bool = False
    status: str = "running"  # done, dry-run, failed, interrupted
    rows: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    kept_edits: int = 0
    withdrawn: list[tuple[str, str]] = field(default_factory=list)  # external id, name
    rejected: list[Rejection] = field(default_factory=list)
    unplaced: list[tuple[str, int, str, str]] = field(default_factory=list)  # file, row, id, name
    geocoded: Counter = field(default_factory=Counter)  # precision -> rows
    warnings: list[str] = field(default_factory=list)
    index_note: str | None = None
    run_id: int | None = None
    seconds: float = 0.0
    ids: dict[str, list[int]] = field(default_factory=dict, repr=False)  # for the search index

    def counts(self) -> dict[str, int]:
        """Return the counts recorded with the ImportRun."""
        return {
            "rows": self.rows,
            "new": self.new,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "withdrawn": len(self.withdrawn),
            "rejected": len(self.rejected),
            "without_position": len(self.unplaced),
            "kept_edits": self.kept_edits,
            "geocoded_place": self.geocoded["place"],
            "geocoded_postcode": self.geocoded["postcode"],
            "warnings": len(self.warnings),
        }


def default_source_name(path: str | Path) -> str:
    """Name a source after its file: 'Schulen LK Fulda.csv' -> 'schulen-lk-fulda'."""
    return slugify(Path(str(path)).stem, max_length=64)


def check_source_name(name: str) -> str:
    """Return a valid source name or raise: letters, digits, '.', '_' and '-', up to 64."""
    if not _SOURCE_NAME.match(name):
        raise ImportRunError(
            f"source name {name!r} is not usable: use up to 64 letters, digits, '.', '_' or '-' "
            "(no blanks or colons), e.g. vhs-kurse"
        )
    return name


def run_import(
    path: str | Path,
    mapping: str | Path,
    source: str | None = None,
    *,
    dry_run: bool = False,
    records: RecordSource | None = None,
    progress: Callable[[int], None] | None = None,
    chunk_size: int = CHUNK,
    location: str | None = None,
    user_id: int | None = None,
    update_index: bool = True,
) -> ImportSummary:
    """Import a file with a mapping for a source; `location` is what refresh re-reads.

    With update_index=False the search index is left alone (for bulk loads that rebuild it
    once afterwards with `kbm-map reindex`).
    """
    began = time.perf_counter()
    name = check_source_name(source or default_source_name(location or path))
    summary = ImportSummary(source=name, file=str(location or path), dry_run=dry_run)
    pending = None  # the outbox batch of the run's index work
    try:
        mapping_path = resolve_mapping(mapping)
        summary.mapping = str(mapping_path)
        rules = read_mapping(mapping_path, ("location", "offer"))
        summary.target = rules.target
        mapping_text = mapping_path.read_bytes()
        with _collector_paused():
            fingerprinted = _run(summary, rules, mapping_text, path, records, progress, chunk_size)
        if dry_run:
            db.session.rollback()
            summary.status = "dry-run"
            _record_run(summary, user_id, began)
        else:
            where = location or str(Path(path).resolve())
            _record_source(name, where, summary.mapping, fingerprinted)
            summary.status = "done"
            pending = _record_index_work(summary, update_index)
            _record_run(summary, user_id, began)
    except KeyboardInterrupt:
        _fail(summary, "interrupted", "interrupted; nothing was changed", user_id, began)
        raise
    except KbmMapError as problem:
        _fail(summary, "failed", str(problem), user_id, began)
        raise
    except SQLAlchemyError as problem:
        detail = str(getattr(problem, "orig", None) or problem).strip().splitlines()[0]
        message = f"the database refused the import ({detail}); nothing was changed"
        _fail(summary, "failed", message, user_id, began)
        raise ImportRunError(f"source {name}: {message}") from None
    except BaseException as problem:
        _fail(summary, "failed", f"{type(problem).__name__}: {problem}", user_id, began)
        raise
    if not dry_run and update_index:
        summary.index_note = indexing.finish_pending(pending, lambda: _write_search_index(summary))
    elif not dry_run:
        summary.index_note = "search index not updated (as asked); run `kbm-map reindex`"
    summary.seconds = time.perf_counter() - began
    return summary


def _run(summary, rules, mapping_text, path, records, progress, chunk_size) -> tuple | None:
    """Read, plan and write every chunk, withdraw vanished entries, place new positions.

    Return the context fingerprint and the run's start, to be recorded with the source (None
    in a dry run).
    """
    planner_class = LocationPlanner if rules.target == "location" else OfferPlanner
    planner = planner_class(rules, summary.source)
    context, since = _last_context(summary.source, rules, mapping_text)
    upsert = Upsert(
        planner.spec, summary.source, f"import:{summary.source}", rules.status, utcnow(), since
    )
    codes = term_codes()
    for name in ("areas", "topics", "target_groups"):
        upsert.describe[name] = lambda rows: [codes.get(r[0], r[0]) for r in rows]
    upsert.describe["sessions"] = lambda rows: [
        "/".join(v.isoformat() for v in r if v is not None) for r in rows
    ]
    bbox = tuple(current_app.config["REGION_BBOX"])
    results = mapped_records(path, rules, records, bbox, upsert.is_unchanged)
    for chunk in _chunks(results, chunk_size):
        upsert.keep([item.key for item in chunk if isinstance(item, Unchanged)])
        mapped = [item for item in chunk if isinstance(item, MappedRecord)]
        planned = planner.plan(mapped)
        rejected = [p for p in planned if isinstance(p, Rejection)]
        rejected += [item for item in chunk if isinstance(item, Rejection)]
        summary.rejected.extend(rejected)
        # A rejected row is still in the file: keep what an earlier import wrote for it.
        upsert.keep_rejected([r.key for r in rejected if r.key])
        warned = planner.stats.warned_rows
        fingerprints = fingerprints_to_keep(mapped, planned, warned, planner.spec.has_geom)
        upsert.write([p for p in planned if isinstance(p, Planned)], fingerprints)
        summary.rows += len(chunk)
        if progress:
            progress(len(chunk))
    if summary.rows == len(summary.rejected):
        first = f" The first: {summary.rejected[0]}" if summary.rejected else ""
        raise DataFileError(
            f"file {Path(str(path)).name}: no row could be imported, so nothing was changed "
            f"({len(summary.rejected)} rejected).{first}"
        )
    upsert.withdraw()
    outcome = upsert.outcome
    if rules.target == "location":
        assign_regions(outcome.moved_ids)
    summary.rejected.sort(key=lambda r: r.row or 0)
    summary.new, summary.changed = len(outcome.new_ids), len(outcome.changed_ids)
    summary.unchanged, summary.kept_edits = outcome.unchanged, outcome.kept_edits
    summary.withdrawn = [(ext, label) for _, ext, label in outcome.archived]
    summary.unplaced, summary.geocoded = planner.stats.unplaced, planner.stats.geocoded
    summary.warnings = planner.stats.warnings
    summary.ids = {
        "indexed": outcome.new_ids + outcome.changed_ids,
        "archived": [row_id for row_id, _, _ in outcome.archived],
    }
    if summary.dry_run:
        return None
    if context is None or outcome.new_ids or outcome.changed_ids:
        # As the next run will find it, after this run's writes (providers, links). Storing
        # an older context would only make the next run read every row once more.
        context = context_fingerprint(mapping_text, rules, summary.source)
    return context, upsert.now


def _last_context(source: str, rules, mapping_text: bytes) -> tuple:
    """Return the context fingerprint and the start of the source's last successful run.

    Both are None if the source is new or its context changed: then every row is read.
    """
    known = db.session.scalar(select(Source).where(Source.name == source))
    if known is None or known.context_fingerprint is None or known.fingerprinted_at is None:
        return None, None
    context = context_fingerprint(mapping_text, rules, source)
    if context != known.context_fingerprint:
        return None, None
    return context, known.fingerprinted_at


def write_report(rejected: list[Rejection], path: Path) -> Path:
    """Write rejected rows as CSV (file, row, field, reason) for office staff; return the path."""
    try:
        with path.open("w", encoding="utf-8-sig", newline="") as handle:  # BOM: Excel reads UTF-8
            writer = csv.writer(handle)
            writer.writerow(["file", "row", "field", "reason"])
            writer.writerows(
                [defused(r.file), r.row, defused(r.field or ""), defused(r.reason)]
                for r in rejected
            )
    except OSError as error:
        raise ImportRunError(f"report {path}: cannot be written ({error.strerror})") from None
    return path


@contextmanager
def _collector_paused():
    """Pause Python's cyclic garbage collector during a run, then collect once.

    A run holds hundreds of thousands of small objects (the source's current rows) until it
    ends; the collector would rescan them again and again, which took 40 % of a refresh.
    Reference counting still frees everything that is not part of a cycle.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            gc.collect()


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    """Yield lists of up to `size` items."""
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _record_source(name: str, location: str, mapping: str, fingerprinted: tuple) -> None:
    """Remember where the source's file and mapping are, and the run's context fingerprint."""
    source = db.session.scalar(select(Source).where(Source.name == name))
    if source is None:
        source = Source(name=name, location=location, mapping=mapping)
        db.session.add(source)
    source.location, source.mapping, source.last_run_at = location, mapping, utcnow()
    source.context_fingerprint, source.fingerprinted_at = fingerprinted


def _record_run(summary: ImportSummary, user_id: int | None, began: float, message=None) -> None:
    """Write the ImportRun and commit (the run's own transaction, or a small one after it)."""
    run = ImportRun(
        source_name=summary.source,
        file_name=summary.file[:1000],
        mapping=summary.mapping[:1000] or None,
        status=summary.status,
        dry_run=summary.dry_run,
        finished_at=utcnow(),
        counts=summary.counts() if summary.status in ("done", "dry-run") else {},
        rejected=[
            {"file": r.file, "row": r.row, "field": r.field, "reason": r.reason}
            for r in summary.rejected
        ],
        message=message,
        user_id=user_id,
    )
    db.session.add(run)
    db.session.commit()
    summary.run_id = run.id
    summary.seconds = time.perf_counter() - began


def _fail(summary: ImportSummary, status: str, message: str, user_id, began: float) -> None:
    """Roll the run back, then record it as failed or interrupted."""
    db.session.rollback()
    summary.status = status
    try:
        _record_run(summary, user_id, began, message)
    except SQLAlchemyError:
        db.session.rollback()  # the database itself is gone; the caller sees the first error


def _touched(summary: ImportSummary) -> tuple[list[int], list[int]]:
    """Return the Lernorte and Angebote whose index entries the run changed."""
    changed = summary.ids.get("indexed", []) + summary.ids.get("archived", [])
    if summary.target == "location":
        # Offers show their Lernort's name and position, so they follow its changes.
        return changed, sorted(indexing.offers_at(changed))
    return [], changed


def _write_search_index(summary: ImportSummary) -> None:
    """Bring the search index up to date with what the run wrote (archived entries leave it)."""
    indexing.index_entries(*_touched(summary))


def _record_index_work(summary: ImportSummary, update_index: bool) -> str | None:
    """Write the index in the run's transaction, or record its work in the outbox.

    A transactional backend gets the documents before the commit (None is returned); a disk
    index gets outbox rows committed with the data (their batch is returned, for the writes
    after the commit). Without update_index, a whole rebuild is recorded as due.
    """
    if not update_index:
        indexing.record_pending(everything=True)
        return None
    if indexing.search_backend().transactional:
        db.session.flush()
        _write_search_index(summary)  # commits with the data (_record_run)
        return None
    return indexing.record_pending(*_touched(summary))
