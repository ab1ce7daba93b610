"""Read Excel workbooks (.xlsx), finding the header row below any title rows."""

from __future__ import annotations

import re
import warnings
import zipfile
import zlib
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from .header import combine_header, header_rows, title_lines, unique_names
from .records import READ_ERRORS, ImportFileError, RawRecord, RecordSource

HEADER_SEARCH_ROWS = 30  # title blocks in office lists are a few rows; the header is near the top


# Bounds against workbooks that unpack to far more than they weigh (a 500 kB file can hold
# 200 MB of shared strings, which openpyxl keeps in memory): checked before and while reading.
MAX_ENTRIES = 1_000  # parts in the zip; Excel writes about a dozen plus one per sheet
MAX_UNPACKED = 512 * 2**20  # declared size of all parts together
MAX_SHARED_STRINGS_BYTES = 64 * 2**20  # xl/sharedStrings.xml unpacked
MAX_SHARED_STRINGS = 1_000_000  # distinct texts in the workbook
MAX_ROWS = 1_048_576  # Excel's own limit
MAX_COLUMNS = 1_000
MAX_CELLS = 20_000_000  # rows × columns as read, empty cells included
_SHARED_STRING = re.compile(rb"<(?:\w+:)?si[\s>/]")


def check_zip(path: Path) -> None:
    """Refuse a workbook whose parts are too many or unpack to too much, before reading it."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ENTRIES:
                raise ImportFileError(
                    f"file {path.name}: holds more than {MAX_ENTRIES:,} parts; a workbook has "
                    "a few dozen: save it again from Excel or as CSV UTF-8"
                )
            unpacked = sum(entry.file_size for entry in entries)
            if unpacked > MAX_UNPACKED:
                raise ImportFileError(
                    f"file {path.name}: unpacks to more than {MAX_UNPACKED >> 20} MB; "
                    "split the file or save it as CSV UTF-8"
                )
            shared = next((e for e in entries if e.filename.endswith("sharedStrings.xml")), None)
            if shared is not None:
                _check_shared_strings(path, archive, shared)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError) as error:
        raise ImportFileError(
            f"file {path.name}: is not a readable .xlsx workbook ({error})"
        ) from None


def _check_shared_strings(path: Path, archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> None:
    """Refuse a shared-string table too large to hold in memory; count its texts streaming."""
    if entry.file_size > MAX_SHARED_STRINGS_BYTES:
        raise ImportFileError(
            f"file {path.name}: its texts (shared strings) unpack to more than "
            f"{MAX_SHARED_STRINGS_BYTES >> 20} MB; split the file or save it as CSV UTF-8"
        )
    count, tail = 0, b""
    with archive.open(entry) as handle:
        while chunk := handle.read(2**20):
            block = tail + chunk
            count += len(_SHARED_STRING.findall(block))
            if count > MAX_SHARED_STRINGS:
                raise ImportFileError(
                    f"file {path.name}: holds more than {MAX_SHARED_STRINGS:,} different texts; "
                    "split the file or save it as CSV UTF-8"
                )
            tail = block[-8:]  # a tag cut by the chunk boundary is counted with the next
            count -= len(_SHARED_STRING.findall(tail))


def _open(path: Path):
    """Open a workbook read-only, turning a broken file into a clear error."""
    check_zip(path)
    try:
        with warnings.catch_warnings():
            # Workbooks written by other programs than Excel lack a default style; harmless.
            warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
            return load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, *READ_ERRORS) as error:
        raise ImportFileError(
            f"file {path.name}: is not a readable .xlsx workbook ({error})"
        ) from None


def _check_bounds(path: Path, row: int, columns: int, cells: int) -> None:
    """Refuse a sheet past the bounds on rows, columns or cells, naming the row."""
    if row > MAX_ROWS:
        raise ImportFileError(
            f"file {path.name}, row {row}: more than {MAX_ROWS:,} rows; split the file"
        )
    if columns > MAX_COLUMNS:
        raise ImportFileError(
            f"file {path.name}, row {row}: more than {MAX_COLUMNS:,} columns; delete the "
            "unused columns on the right or save the sheet as CSV UTF-8"
        )
    if cells > MAX_CELLS:
        raise ImportFileError(
            f"file {path.name}, row {row}: more than {MAX_CELLS:,} cells; split the file or "
            "delete unused columns"
        )


def _cells(row: tuple[Any, ...]) -> list[Any]:
    """Strip text cells and turn empty ones into None."""
    out = []
    for value in row:
        if isinstance(value, str):
            value = value.strip() or None
        out.append(value)
    return out


def find_header(rows: list[list[Any]], required: Collection[str] = ()) -> int:
    """Return the index of the header row among the first rows of a sheet."""
    wanted = {c.casefold() for c in required}
    if wanted:
        for index, row in enumerate(rows):
            names = {str(v).casefold() for v in row if isinstance(v, str)}
            if wanted <= names:
                return index
    widest = max((sum(v is not None for v in row) for row in rows), default=0)
    for index, row in enumerate(rows[:-1]):
        labels = sum(isinstance(v, str) for v in row)
        # A header names most columns, and the next filled row holds data, not more titles.
        following = next((r for r in rows[index + 1 :] if any(v is not None for v in r)), [])
        if labels >= max(2, widest // 2) and sum(v is not None for v in following) >= 2:
            return index
    raise ImportFileError("no header row found: no row names at least two columns")


def read_xlsx(
    path: Path,
    required: Collection[str] = (),
    sheet: str | None = None,
    header: tuple[int, int] | None = None,
) -> RecordSource:
    """Open the first (or the named) sheet; rows are read on iteration.

    `header` = (first, last) row of a header spread over several rows; without it the
    header row is found among the first rows. Rows above the header are the title.
    """
    workbook = _open(path)
    try:
        if sheet and sheet not in workbook.sheetnames:
            sheets = ", ".join(workbook.sheetnames)
            raise ImportFileError(f"file {path.name}: has no sheet {sheet!r} (sheets: {sheets})")
        worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
        limit = max(HEADER_SEARCH_ROWS, header[1] + 1 if header else 0)
        rows_seen = worksheet.iter_rows(max_row=limit, values_only=True)
        top = []
        for number, row in enumerate(rows_seen, start=1):
            _check_bounds(path, number, len(row), 0)
            top.append(_cells(row))
    finally:
        workbook.close()
    if not any(any(v is not None for v in row) for row in top):
        raise ImportFileError(f"file {path.name}: the sheet is empty")
    if header is not None:
        first, header_row = header_rows(header, len(top), path.name)
        columns = unique_names(combine_header(top[first:header_row]), path.name)
        notes = [f"header in rows {header[0]}–{header[1]}"]
    else:
        try:
            first = find_header(top, required)
        except ImportFileError as error:
            raise ImportFileError(f"file {path.name}: {error}") from None
        names = [str(v) if v is not None else "" for v in top[first]]
        while names and not names[-1]:
            names.pop()
        columns = [name or f"column {i}" for i, name in enumerate(names, start=1)]
        header_row = first + 1
        notes = [f"header in row {header_row}"]
    if all(not any(v is not None for v in row) for row in top[header_row:]) and (len(top) < limit):
        raise ImportFileError(f"file {path.name}: has a header row but no data rows")

    def rows() -> Iterator[RawRecord]:
        """Yield the data rows below the header with their sheet row numbers."""
        book = _open(path)
        try:
            ws = book[sheet] if sheet else book.worksheets[0]
            cells_read = 0
            for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
                cells_read += len(row)
                _check_bounds(path, number, len(row), cells_read)
                if number <= header_row:
                    continue
                cells = _cells(row)
                if not any(v is not None for v in cells):
                    continue
                cells += [None] * (len(columns) - len(cells))
                yield RawRecord(row=number, data=dict(zip(columns, cells, strict=False)))
        finally:
            book.close()

    return RecordSource(
        path=path,
        format="xlsx",
        columns=columns,
        read=rows,
        header_row=header_row,
        notes=notes,
        title=title_lines(top[:first]),
    )
