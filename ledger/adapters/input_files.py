"""Reading a user's input file (roster, bank results) in bounded memory, or refusing it clearly.

A path typed by a user can name ``/dev/zero``, a FIFO, or 50 MB of junk; read
whole, those took 820 MB, raised ``MemoryError`` or printed millions of error
lines. So an input file is:

- a regular file (:func:`check_input_file`), else refused at once;
- decoded as a stream (the encoding is chosen by a first streaming pass, so a
  GBK file is never half read as UTF-8);
- read a line at a time, each at most :data:`MAX_LINE` characters: a longer one
  is not a roster or results line, and reading stops there;
- XLSX only from its first visible sheet, and only when no other sheet (hidden
  or not) holds data too; formula cells are marked (:class:`Formula`), not read
  as their cached value or as empty.

Problems with the file as a whole are :class:`UnreadableInput`; callers cap the
problems they list at :data:`MAX_LISTED`.
"""

from __future__ import annotations

import codecs
import csv
import os
import stat
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path

MAX_LINE = 64 * 1024
"""Characters in one line of a CSV input; a roster line is a few hundred."""
MAX_LISTED = 200
"""Problems listed one by one; beyond these only their number is given."""
_CHUNK = 1 << 20
XLSX_MAX_RATIO = 100
"""An XLSX part unpacking to more than this many times its packed size is refused."""
XLSX_MAX_PART = 2 << 30
"""The largest unpacked sheet accepted: a million-row roster's sheet is about 600 MB."""
XLSX_MAX_SHARED = 256 << 20
"""The largest unpacked shared-strings part (read whole into memory by the reader)."""


class UnreadableInput(Exception):
    """Raised when a file as a whole cannot be read; the message says why."""


class Formula(str):
    """A spreadsheet cell holding a formula (its text, e.g. ``=B2*3``), not a value."""


def check_input_file(path: Path) -> None:
    """Refuse anything but a regular file (a device, FIFO, directory ...); may raise OSError."""
    st = os.stat(path)  # OSError (no such file ...) is the caller's to word
    if not stat.S_ISREG(st.st_mode):
        kind = "a directory" if stat.S_ISDIR(st.st_mode) else (
            "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else
            "a FIFO or socket")
        raise UnreadableInput(f"is {kind}, not a regular file")


def detect_encoding(path: Path, encodings: Sequence[str] = ("utf-8-sig", "gb18030")) -> str:
    """The first encoding the whole file decodes in, found by streaming (flat memory)."""
    for encoding in encodings:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as f:
                while chunk := f.read(_CHUNK):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise UnreadableInput("the file is neither UTF-8 nor GBK text")


def text_lines(path: Path, encoding: str) -> Iterator[str]:
    """The file's lines (with their line ends), each at most :data:`MAX_LINE` characters."""
    with path.open("r", encoding=encoding, newline="") as f:
        number = 0
        while line := f.readline(MAX_LINE + 1):
            number += 1
            if len(line) > MAX_LINE:
                raise UnreadableInput(f"line {number} is longer than {MAX_LINE // 1024} KiB: "
                                      "not a text table (is it the right file?)")
            yield line


def csv_records(path: Path, encodings: Sequence[str] = ("utf-8-sig", "gb18030")
                ) -> Iterator[list[str]]:
    """CSV records, streamed; a tab-separated file (Excel 'text') is accepted too."""
    lines = text_lines(path, detect_encoding(path, encodings))
    first = next(lines, None)
    if first is None:
        return
    delimiter = "\t" if "\t" in first and "," not in first else ","

    def all_lines() -> Iterator[str]:
        yield first
        yield from lines

    try:
        yield from csv.reader(all_lines(), delimiter=delimiter)
    except csv.Error as e:
        raise UnreadableInput(f"not a readable CSV file: {e}") from None


def _has_data(sheet: object) -> bool:
    for row in sheet.iter_rows(values_only=True):  # type: ignore[attr-defined]
        if any(v is not None and (not isinstance(v, str) or v.strip()) for v in row):
            return True
    return False


def check_xlsx_parts(path: Path) -> None:
    """Refuse an XLSX whose parts would unpack to far more than it holds (a zip bomb).

    The sheets are streamed, but the shared strings are read whole into memory: a 219 KB
    file whose shared strings unpack to 90 MB of five million empty strings took 894 MB and
    104 s. Spreadsheet XML compresses 5-20 times; :data:`XLSX_MAX_RATIO` is far beyond
    that, and the sizes checked are the ones the reader enforces while unpacking.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            for part in archive.infolist():
                limit = XLSX_MAX_SHARED if part.filename.endswith("sharedStrings.xml") \
                    else XLSX_MAX_PART
                too_packed = part.file_size > (1 << 20) and \
                    part.file_size > XLSX_MAX_RATIO * max(part.compress_size, 1)
                if part.file_size > limit or too_packed:
                    raise UnreadableInput(
                        f"not a plausible XLSX file: its part {part.filename[:60]!r} unpacks to "
                        f"{part.file_size // (1 << 20)} MB from {part.compress_size // 1024} KB")
    except zipfile.BadZipFile as e:
        raise UnreadableInput(f"not a readable XLSX file ({type(e).__name__})") from None


def xlsx_rows(path: Path) -> Iterator[Sequence[object]]:
    """Rows of the first visible sheet, formula cells as :class:`Formula`; read-only, streamed.

    A sheet's declared size is not believed: ``A1:XFD1048576`` made the reader pad every
    row to 16,384 cells (about 50 minutes for a 5 KB file); rows are as long as their cells.
    """
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    check_xlsx_parts(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as e:
        raise UnreadableInput(f"not a readable XLSX file ({type(e).__name__})") from None
    try:
        try:
            for ws in workbook.worksheets:
                ws.reset_dimensions()
            visible = [ws for ws in workbook.worksheets if ws.sheet_state == "visible"]
            if not visible:
                raise UnreadableInput("the workbook has no visible sheet")
            sheet = visible[0]
            others = [ws for ws in workbook.worksheets if ws is not sheet and _has_data(ws)]
        except UnreadableInput:
            raise
        except Exception as e:  # a damaged sheet can fail in many parser-specific ways
            raise UnreadableInput(f"not a readable XLSX file ({type(e).__name__})") from None
        if others:
            names = ", ".join(f"'{ws.title}'" + ("" if ws.sheet_state == "visible" else
                                                 f" ({ws.sheet_state})") for ws in others)
            raise UnreadableInput(
                f"only the first visible sheet ('{sheet.title}') is read, but sheet(s) {names} "
                "hold data too: put the whole table in that one sheet and delete the others")
        rows = sheet.iter_rows()
        while True:
            try:
                cells = next(rows)
            except StopIteration:
                return
            except Exception as e:
                raise UnreadableInput(f"not a readable XLSX file ({type(e).__name__})") from None
            yield tuple(Formula(str(c.value)) if getattr(c, "data_type", None) == "f"
                        else c.value for c in cells)
    finally:
        workbook.close()
