"""Read CSV files as spreadsheets export them: any of the usual encodings and delimiters."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator
from pathlib import Path

from ..cells import undefused
from .header import combine_header, header_rows, title_lines, unique_names
from .records import ImportFileError, RawRecord, RecordSource

DELIMITERS = (";", ",", "\t")
_DELIMITER_NAMES = {";": "semicolon", ",": "comma", "\t": "tab"}


def decode(raw: bytes, name: str) -> tuple[str, str]:
    """Decode file bytes as UTF-8 (with or without BOM), else cp1252; return text and encoding."""
    if raw.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    elif raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        encoding = "utf-32"
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"  # Excel's "Unicode text" export
    else:
        encoding = "utf-8"
    try:
        return raw.decode(encoding), encoding
    except UnicodeDecodeError:
        if encoding in ("utf-16", "utf-32"):
            raise ImportFileError(
                f"file {name}: cannot be read as {encoding.upper()} text (its byte-order mark "
                "says so); save it again as 'CSV UTF-8'"
            ) from None
    try:
        # Strict UTF-8 failed, so this is an older Windows export (Excel "CSV (Trennzeichen)").
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as error:
        raise ImportFileError(
            f"file {name}: is neither UTF-8 nor Windows-1252 text (byte {error.start}); "
            "save it again as 'CSV UTF-8'"
        ) from None


def detect_delimiter(header_line: str) -> str:
    """Pick the delimiter that splits the header line into the most columns."""
    counts = {d: len(next(csv.reader([header_line], delimiter=d))) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > 1 else ","


def _decode_as(raw: bytes, encoding: str, name: str) -> str:
    """Decode with the encoding a mapping names; refuse text that is plainly another one."""
    try:
        decoded = raw.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        raise ImportFileError(f"file {name}: cannot be read as {encoding}: {error}") from None
    if "\x00" in decoded and not encoding.lower().startswith("utf-16"):
        # latin-1 decodes any bytes; NULs show that the file is UTF-16 (or not text at all).
        raise ImportFileError(
            f"file {name}: cannot be read as {encoding} (the mapping's encoding): it holds NUL "
            "bytes, so it is probably UTF-16 ('Unicode text'); save it again as CSV in "
            f"{encoding} or UTF-8"
        )
    return decoded


def read_csv(
    path: Path,
    delimiter: str | None = None,
    encoding: str | None = None,
    header: tuple[int, int] | None = None,
) -> RecordSource:
    """Open a CSV file: detect encoding, delimiter and header; rows are read on iteration.

    `header` = (first, last) row of a header spread over several rows; the rows above it
    are the title, kept as lines of text.
    """
    raw = path.read_bytes()
    if encoding:
        text, used = _decode_as(raw, encoding, path.name), encoding
    else:
        text, used = decode(raw, path.name)
    lines = text.splitlines()
    skipped = 0
    notes = [f"encoding: {used}"]
    if lines and lines[0].strip().lower().startswith("sep=") and len(lines[0].strip()) == 5:
        # Excel's hint line; Excel hides it, so rows are numbered as if it were not there.
        delimiter = delimiter or lines[0].strip()[4]
        skipped = 1
    body = text.split("\n", skipped)[-1] if skipped else text
    filled = _filled_lines(body, 2)
    if not filled:
        raise ImportFileError(f"file {path.name}: is empty (no header row, no data)")
    if len(filled) < 2:
        raise ImportFileError(f"file {path.name}: has a header row but no data rows")
    if header is not None:
        return _read_with_header_rows(path, body, delimiter, header, used, notes)
    delimiter = delimiter or detect_delimiter(filled[0])
    notes.append(f"delimiter: {_DELIMITER_NAMES.get(delimiter, repr(delimiter))}")
    columns = _header(body, delimiter, path.name)
    return _source(path, body, delimiter, columns, 1, used, notes)


def _read_with_header_rows(
    path: Path, body: str, delimiter: str | None, header: tuple[int, int], used: str, notes
) -> RecordSource:
    """Open a CSV file whose header the mapping places on rows first–last."""
    lines = body.splitlines()
    first, last = header_rows(header, len(lines), path.name)
    delimiter = delimiter or detect_delimiter(lines[first])
    notes.append(f"delimiter: {_DELIMITER_NAMES.get(delimiter, repr(delimiter))}")
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=delimiter)
    top = list(itertools.islice(reader, last))
    columns = unique_names(combine_header(top[first:last]), path.name)
    if not columns:
        raise ImportFileError(f"file {path.name}: header rows {header[0]}–{header[1]} are empty")
    notes.append(f"header in rows {header[0]}–{header[1]}")
    return _source(path, body, delimiter, columns, last, used, notes, title_lines(top[:first]))


def _source(path, body, delimiter, header, header_row, used, notes, title=()) -> RecordSource:
    """Return the record source of a CSV text whose header ends in row header_row."""

    def rows() -> Iterator[RawRecord]:
        """Yield the data rows with the row number a spreadsheet shows."""
        reader = csv.reader(io.StringIO(body, newline=""), delimiter=delimiter)
        for _ in range(header_row):
            next(reader, None)
        width = len(header)
        for number, cells in enumerate(reader, start=header_row + 1):
            if not any(cells) or not any(cell.strip() for cell in cells):
                continue
            if len(cells) < width:
                cells += [""] * (width - len(cells))
            # Cells past the header (trailing empty columns) are dropped by zip.
            # A leading ' before formula-like text is how exports defuse it (kbm_map/cells.py).
            values = (undefused(cell.strip()) for cell in cells)
            data = dict(zip(header, values, strict=False))
            yield RawRecord(row=number, data=data)

    return RecordSource(
        path=path,
        format="csv",
        columns=header,
        read=rows,
        encoding=used,
        delimiter=delimiter,
        header_row=header_row,
        notes=notes,
        title=list(title),
    )


def _filled_lines(text: str, limit: int) -> list[str]:
    """Return up to `limit` lines that hold more than delimiters and blanks."""
    found = []
    for line in io.StringIO(text):
        if line.strip(" \t;,\r\n"):
            found.append(line)
            if len(found) == limit:
                break
    return found


def _header(body: str, delimiter: str, name: str) -> list[str]:
    """Read the header row: strip names, drop empty ones at the end, refuse gaps and repeats."""
    cells = next(csv.reader(io.StringIO(body, newline=""), delimiter=delimiter))
    header = [cell.strip().lstrip("\ufeff") for cell in cells]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise ImportFileError(f"file {name}: the first row is empty; it must name the columns")
    for position, column in enumerate(header, start=1):
        if not column:
            raise ImportFileError(f"file {name}: column {position} of the header row has no name")
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:
        raise ImportFileError(f"file {name}: columns named more than once: {', '.join(repeated)}")
    return header
