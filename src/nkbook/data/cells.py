"""What the Table Schema cannot say about a cell: it is written plainly.

Frictionless reads a cell the way Python does: ``1_5``, ``+15``, `` 15``, ``١٥`` (Arabic-Indic
digits) and ``１５`` (full-width) are all the integer 15, ``nan``, ``inf`` and ``1e400`` are numbers,
an integer of any size passes, and a text cell may hold only spaces, a NUL byte or a formula that a
spreadsheet runs when the downloaded CSV is opened. :func:`cell_problems` reads the raw text of
every cell and names each of these, with what was expected:

- **integer**: ``-?[0-9]+`` (ASCII digits, an optional leading ``-``), within a 64-bit integer;
- **number**: ``-?[0-9]+(\\.[0-9]+)?`` (no exponent: no committed value needs one), finite. A
  field with ``"x-allow-nonfinite": true`` also takes ``NaN``, ``INF`` and ``-INF`` (none does);
- **date** (format ``%Y-%m-%d``) and **datetime** (format ``%Y-%m-%dT%H:%M:%SZ``): exactly that
  shape in ASCII digits (Python's ``strptime`` takes ``2020-1-1`` and other scripts' digits);
- **string**: not only whitespace, no whitespace at either end, no control or invisible format
  character (Unicode categories Cc, Cf, Cs, Co, Zl, Zp: NUL, tab, newline, bidi overrides, ...),
  and not beginning with ``=``, ``+``, ``-`` or ``@``, which spreadsheets execute.

Ranges (``minimum``/``maximum``) and text lengths (``maxLength``) are the schema's constraints,
checked by Frictionless. Problems of the file as a whole (encoding, quoting) are not this module's:
a file that cannot be read as CSV gives no cell problems here.
"""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from pathlib import Path

from nkbook.core.errors import Problem

INTEGER = re.compile(r"-?[0-9]+", re.ASCII)
NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?", re.ASCII)
EXPONENT = re.compile(r"-?[0-9]*\.?[0-9]+[eE][-+]?[0-9]+", re.ASCII)
#: The shape of a cell of each date and datetime format the schema uses.
DATE_SHAPES = {
    "%Y-%m-%d": (re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII), "YYYY-MM-DD"),
    "%Y-%m-%dT%H:%M:%SZ": (
        re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z", re.ASCII),
        "YYYY-MM-DDTHH:MM:SSZ",
    ),
}
INT64 = (-(2**63), 2**63 - 1)
#: The spellings of NaN and infinity a field with ``x-allow-nonfinite`` takes (the Table Schema's).
NONFINITE = ("NaN", "INF", "-INF")
#: Unicode categories refused in text: control, format (invisible), surrogate, private use,
#: line and paragraph separators.
REFUSED_CATEGORIES = ("Cc", "Cf", "Cs", "Co", "Zl", "Zp")
#: First characters a spreadsheet takes as the start of a formula.
FORMULA_START = ("=", "+", "-", "@")
_CONTROL_NAMES = {0: "NUL", 9: "TAB", 10: "LINE FEED", 13: "CARRIAGE RETURN", 127: "DELETE"}

EXPECTED_INTEGER = 'expected an integer in ASCII digits 0-9 with an optional leading "-", e.g. -15'
EXPECTED_NUMBER = (
    'expected a number in ASCII digits 0-9 with an optional leading "-" and decimal point, and no exponent, e.g. -1.5'
)


def show_cell(value: str, limit: int = 60) -> str:
    """A cell as the message quotes it: shortened, with invisible characters escaped."""
    text = value if len(value) <= limit else value[:limit] + "…"
    shown = "".join(
        f"\\u{ord(ch):04x}" if unicodedata.category(ch) in REFUSED_CATEGORIES or ch in "\u00a0\u3000" else ch
        for ch in text
    )
    return f'cell "{shown}"'


def _char_name(ch: str) -> str:
    return f"U+{ord(ch):04X} ({unicodedata.name(ch, None) or _CONTROL_NAMES.get(ord(ch), 'control character')})"


def _number_reason(value: str, what: str) -> str:
    """Why a cell that is not a plain number is not one."""
    if value != value.strip():
        return "has whitespace around it"
    if value.lower().lstrip("+-") in {"nan", "inf", "infinity"}:
        return "is not a finite number"
    if any(ch.isdigit() and not ch.isascii() for ch in value):
        return "uses digits other than ASCII 0-9"
    if "_" in value:
        return "has an underscore"
    if value.startswith("+"):
        return 'has a leading "+"'
    if EXPONENT.fullmatch(value):
        return "has an exponent"
    return f"is not an {what}" if what == "integer" else f"is not a {what}"


def integer_problem(value: str) -> str | None:
    if not INTEGER.fullmatch(value):
        return f"{_number_reason(value, 'integer')}; {EXPECTED_INTEGER}"
    if not INT64[0] <= int(value) <= INT64[1]:
        return f"is too large for a 64-bit integer; expected a value from {INT64[0]} to {INT64[1]}"
    return None


def number_problem(value: str, allow_nonfinite: bool = False) -> str | None:
    if allow_nonfinite and value in NONFINITE:
        return None
    if not NUMBER.fullmatch(value):
        expected = EXPECTED_NUMBER + (", or NaN, INF, -INF" if allow_nonfinite else "")
        return f"{_number_reason(value, 'number')}; {expected}"
    if not math.isfinite(float(value)):
        return "is too large for a 64-bit floating-point number; expected a finite number"
    return None


def date_problem(value: str, fmt: str) -> str | None:
    shape, text = DATE_SHAPES.get(fmt, (None, ""))
    if shape is None or shape.fullmatch(value):
        return None
    return f"is not written as {text} in ASCII digits"


def text_problem(value: str, required: bool) -> str | None:
    if not value.strip():
        return (
            "holds only whitespace; the field is required: expected a value"
            if required
            else "holds only whitespace: expected a value or an empty cell"
        )
    # str.isprintable() is False for every refused category (and for other spaces): a fast path
    bad = (
        None
        if value.isprintable()
        else next((ch for ch in value if unicodedata.category(ch) in REFUSED_CATEGORIES), None)
    )
    if bad is not None:
        return f"contains {_char_name(bad)}, a control or invisible character; expected printable text on one line"
    if value != value.strip():
        return "begins or ends with whitespace; expected the value without it"
    if value.startswith(FORMULA_START):
        return (
            f'begins with "{value[0]}", which spreadsheets run as a formula; '
            "expected text that does not begin with =, +, - or @"
        )
    return None


def _check(field: dict, value: str) -> tuple[str, str] | None:
    """(kind of problem, message) for a non-empty cell, or None. A number or date not written
    plainly is a ``type-error``, as Frictionless calls a cell it cannot read as its type."""
    kind = field.get("type", "string")
    if kind == "integer":
        found = integer_problem(value)
        return ("type-error", found) if found else None
    if kind == "number":
        found = number_problem(value, bool(field.get("x-allow-nonfinite")))
        return ("type-error", found) if found else None
    if kind in ("date", "datetime"):
        found = date_problem(value, field.get("format", "default"))
        return ("type-error", found) if found else None
    if kind == "string":
        found = text_problem(value, bool(field.get("constraints", {}).get("required")))
        return ("text-error", found) if found else None
    return None


def cell_problems(desc: dict, path: Path, file: str) -> list[Problem]:
    """One problem per cell of the table at ``path`` that is not written plainly (see the module)."""
    fields = {f["name"]: f for f in desc["schema"]["fields"]}
    problems = []
    try:
        with path.open(encoding=desc.get("encoding", "utf-8"), newline="") as handle:
            records = csv.reader(handle)
            header = next(records, [])
            columns = [(i, fields[name]) for i, name in enumerate(header) if name in fields]
            for row, record in enumerate(records, start=1):
                for i, field in columns:
                    if i >= len(record) or record[i] == "":
                        continue  # a missing or empty cell is the schema's to judge ("required")
                    found = _check(field, record[i])
                    if found:
                        problems.append(
                            Problem(file, f"{found[0]}: {show_cell(record[i])}: {found[1]}", row, field["name"])
                        )
    except (UnicodeError, csv.Error, OSError):
        return []  # the file as a whole cannot be read: its own checks say why
    return problems
