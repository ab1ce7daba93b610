"""Re-import recorded sources from their file or URL (`kbm-map refresh`)."""

from __future__ import annotations

import shutil
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from sqlalchemy import select

from ..errors import KbmMapError
from ..extensions import db
from ..importers import ImportFileError, load_mapping
from ..models import Source
from .datafiles import DataFileError
from .imports import ImportSummary, run_import

MAX_DOWNLOAD = 500 * 1024 * 1024  # bytes; a list of a district's Lernorte is far smaller
TIMEOUT = 60  # seconds


@dataclass
class RefreshResult:
    """The outcome of refreshing one source: a summary, or the error that stopped it."""

    source: str
    summary: ImportSummary | None = None
    error: str | None = None


def recorded_sources(names: Sequence[str] = ()) -> list[Source]:
    """Return the named sources (all if none are named), Lernorte before Angebote."""
    sources = list(db.session.scalars(select(Source).order_by(Source.name)))
    if names:
        known = {s.name: s for s in sources}
        unknown = [n for n in names if n not in known]
        if unknown:
            listed = ", ".join(known) or "none yet; run kbm-map import first"
            raise DataFileError(f"no source named {', '.join(unknown)} (recorded: {listed})")
        sources = [known[n] for n in dict.fromkeys(names)]
    # Angebote name the Lernorte they are held at, so Lernorte are refreshed first.
    return sorted(sources, key=lambda s: _target(s.mapping) != "location")


def _target(mapping: str) -> str | None:
    """Return a mapping's target, or None if it cannot be read (refresh reports that later)."""
    try:
        return load_mapping(mapping).target
    except ImportFileError:
        return None


def refresh_sources(
    names: Sequence[str] = (),
    progress: Callable[[str], Callable[[int], None] | None] | None = None,
) -> Iterator[RefreshResult]:
    """Re-import each source in its own transaction; a failing one does not stop the others."""
    for source in recorded_sources(names):
        name, location, mapping = source.name, source.location, source.mapping
        try:
            with fetched(location) as path:
                summary = run_import(
                    path,
                    mapping,
                    name,
                    location=location,
                    progress=progress(name) if progress else None,
                )
            yield RefreshResult(name, summary=summary)
        except KbmMapError as problem:
            yield RefreshResult(name, error=str(problem))


@contextmanager
def fetched(location: str) -> Iterator[Path]:
    """Yield a local path for a file path or an http(s) URL (downloaded to a temporary file)."""
    scheme = urlsplit(location).scheme.lower()
    if scheme not in ("http", "https"):
        if scheme and len(scheme) > 1:
            raise DataFileError(f"{location}: only files and http(s) addresses can be refreshed")
        yield Path(location)
        return
    folder = Path(tempfile.mkdtemp(prefix="kbm-refresh-"))
    try:
        name = Path(unquote(urlsplit(location).path)).name or "download"
        target = folder / name
        _download(location, target)
        yield target
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _download(url: str, target: Path) -> None:
    """Download a URL to a file, refusing very large answers."""
    request = urllib.request.Request(url, headers={"User-Agent": "kbm-map refresh"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer, target.open("wb") as out:  # noqa: S310 - scheme checked above
            copied = 0
            while block := answer.read(1 << 20):
                copied += len(block)
                if copied > MAX_DOWNLOAD:
                    raise DataFileError(f"{url}: larger than {MAX_DOWNLOAD >> 20} MB; not imported")
                out.write(block)
    except urllib.error.HTTPError as error:
        raise DataFileError(f"{url}: cannot be downloaded ({error})") from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", None) or error
        raise DataFileError(f"{url}: cannot be downloaded ({reason})") from None
