"""Read a table's CSV file strictly: UTF-8 without a byte-order mark, a header and at least one
row, every quoted field closed.

Everything that reads a committed table goes through :func:`file_problems` (what is wrong with
the file as a file, each as a :class:`~nkbook.core.errors.Problem` naming the line, row and field)
or :func:`read_table` (the table as text, or a :class:`~nkbook.core.errors.DataError` with those
problems): never a bare ``UnicodeDecodeError`` or ``EmptyDataError``, and never a file a byte-order
mark or a stray quote makes other tools read differently. What the cells hold is the schema's
business (:mod:`nkbook.data.package`).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from nkbook.core.errors import DataError, Problem
from nkbook.core.paths import relative

UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _where(data: bytes, offset: int) -> tuple[int, int]:
    """Line and column (both from 1) of a byte offset; a lone CR ends a line too."""
    before = data[:offset]
    line = before.count(b"\n") + before.replace(b"\r\n", b"").count(b"\r") + 1
    start = max(before.rfind(b"\n"), before.rfind(b"\r")) + 1
    return line, len(before[start:].decode("utf-8", errors="replace")) + 1


def _cell_at(text: str, marker: str) -> tuple[int | None, str | None]:
    """Row (1 = first data row; None for the header) and field of the first cell holding ``marker``."""
    try:
        rows = csv.reader(io.StringIO(text, newline=""))
        header = next(rows)
        if any(marker in name for name in header):
            return None, None
        for number, row in enumerate(rows, start=1):
            for i, cell in enumerate(row):
                if marker in cell:
                    return number, header[i] if i < len(header) else f"(cell {i + 1} of the row)"
    except csv.Error:
        pass
    return None, None


def _quote_problem(text: str, file: str) -> Problem | None:
    """The first quoted field that is never closed, or whose closing quote is followed by more text
    (a stray quote inside a field opens a quoted field that swallows what follows it)."""
    header: list[str] = []
    line, record, field, i, n = 1, 0, 0, 0, len(text)

    def problem(message: str) -> Problem:
        if record == 0:
            return Problem(file, f"in the header: {message}")
        name = header[field] if field < len(header) else f"(cell {field + 1} of the row)"
        return Problem(file, message, row=record, field=name)

    cell: list[str] = []
    start_of_field = True
    while i < n:
        c = text[i]
        if start_of_field and c == '"':
            opened = line
            i += 1
            while True:
                if i >= n:
                    return problem(
                        f"the quote that opens this field at line {opened} is never closed: every quote inside "
                        'a quoted field must be doubled ("") and the field must end with a quote'
                    )
                c = text[i]
                if c == '"':
                    if i + 1 < n and text[i + 1] == '"':
                        cell.append('"')
                        i += 2
                        continue
                    i += 1
                    break
                if c == "\n" or (c == "\r" and text[i + 1 : i + 2] != "\n"):
                    line += 1
                cell.append(c)
                i += 1
            if i < n and text[i] not in ",\r\n":
                return problem(
                    f"the quoted field that opens at line {opened} is closed by the quote at line {line} but goes "
                    f'on with {text[i : i + 20]!r}: a quote inside a field must be doubled ("") and the whole '
                    "field quoted"
                )
            start_of_field = False
            continue
        if c == ",":
            if record == 0:
                header.append("".join(cell))
            cell, field, start_of_field = [], field + 1, True
        elif c in "\r\n":
            if c == "\r" and text[i + 1 : i + 2] == "\n":
                i += 1
            if record == 0:
                header.append("".join(cell))
            cell, line, record, field, start_of_field = [], line + 1, record + 1, 0, True
        else:
            cell.append(c)
            start_of_field = False
        i += 1
    return None


def decode(data: bytes, file: str) -> tuple[str | None, list[Problem]]:
    """A table's bytes as text, or the problems that stop it being read as UTF-8 CSV."""
    if not data.strip():
        what = "is empty (0 bytes)" if not data else "holds only blank lines"
        return None, [Problem(file, f"{what}: a table needs a header line and at least one row")]
    nuls = data[:200].count(b"\x00")  # UTF-16 without a byte-order mark: every other byte of ASCII text is 0
    if data.startswith(UTF16_BOMS) or (nuls and nuls >= len(data[:200]) // 4):
        return None, [Problem(file, "is UTF-16, not UTF-8: save it as UTF-8 (without a byte-order mark)")]
    if data.startswith(UTF8_BOM):
        return None, [
            Problem(
                file,
                "starts with a UTF-8 byte-order mark (bytes EF BB BF) that other tools read as part of the "
                "first column's name: save it as UTF-8 without a byte-order mark",
            )
        ]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line, column = _where(data, exc.start)
        row, field = _cell_at(data.decode("utf-8", errors="surrogateescape"), chr(0xDC00 + data[exc.start]))
        return None, [
            Problem(
                file,
                f"byte 0x{data[exc.start]:02X} at line {line}, character {column} is not UTF-8 ({exc.reason}): "
                "the file must be saved as UTF-8",
                row=row,
                field=field,
            )
        ]


def text_problems(text: str, file: str) -> list[Problem]:
    """What stops decoded CSV text being read as a table: an unclosed quote, no header, no rows."""
    try:
        rows = [r for r in csv.reader(io.StringIO(text, newline=""), strict=True) if any(c.strip() for c in r)]
    except csv.Error as exc:  # found again by a slower scan that knows where the quote opened
        return [_quote_problem(text, file) or Problem(file, f"cannot be read as CSV: {exc}")]
    if not rows:
        return [Problem(file, "has no header line: a table needs a header line and at least one row")]
    if len(rows) == 1:
        return [Problem(file, "has a header line but no rows: a table needs at least one row")]
    return []


def _read(path: Path) -> tuple[str | None, list[Problem]]:
    file = relative(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [Problem(file, f"cannot read the file: {exc.strerror or exc}")]
    text, problems = decode(data, file)
    if text is not None:
        problems = text_problems(text, file)
    return (None if problems else text), problems


def file_problems(path: Path) -> list[Problem]:
    """What is wrong with a table's file as a file (encoding, byte-order mark, no rows, an unclosed
    quote): an empty list if it can be read as a table."""
    return _read(path)[1]


def read_table(path: Path) -> pd.DataFrame:
    """A table's CSV file, every cell as text and empty cells as "", read strictly (see
    :func:`file_problems`); a :class:`DataError` naming what is wrong otherwise."""
    text, problems = _read(path)
    if problems:
        raise DataError(problems)
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def table_from_bytes(data: bytes, file: str) -> pd.DataFrame:
    """:func:`read_table` for a table's bytes that are not a file here (e.g. an earlier commit's,
    read with ``git show``); ``file`` is how problems name it."""
    text, problems = decode(data, file)
    if text is not None:
        problems = text_problems(text, file)
    if problems:
        raise DataError(problems)
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
