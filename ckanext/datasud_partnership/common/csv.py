"""CSV exports a spreadsheet cannot turn into formulas.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
is read as a formula by spreadsheet software (CSV injection); OWASP's advice
is to prefix such a cell with a single quote, and to quote every cell that
holds a separator or a quote (the standard library's writer does that).
Every CSV export of the extension writes through :func:`text`.

Two flavours: ``,`` (the default of the API: stable for programs), and ``;``
with a UTF-8 byte-order mark, which French Excel opens as columns with its
accents right (the web pages' default in French). The header is the columns'
machine names, or their labels in the reader's language.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SEPARATORS = (",", ";")
HEADERS = ("names", "labels")
BOM = "\ufeff"


def default_separator(language: str) -> str:
    """``;`` where spreadsheets read ``,`` as the decimal mark (French), else ``,``."""
    return ";" if language.split("_")[0] == "fr" else ","


def neutralised(value: Any) -> str:
    """One cell as text, with a leading quote when it would start a formula."""
    cell = "" if value is None else str(value)
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def text(header: Iterable[str], rows: Iterable[Iterable[Any]], separator: str = ",") -> str:
    """The CSV text of ``header`` then ``rows`` (one line each, every cell
    neutralised), cells separated by ``separator``; with ``;``, a UTF-8
    byte-order mark first (for Excel)."""
    if separator not in SEPARATORS:
        raise ValueError(separator)
    out = io.StringIO()
    if separator == ";":
        out.write(BOM)
    writer = csv.writer(out, lineterminator="\n", delimiter=separator)
    writer.writerow([neutralised(cell) for cell in header])
    for row in rows:
        writer.writerow([neutralised(cell) for cell in row])
    return out.getvalue()
