"""CSV exports a spreadsheet cannot turn into formulas.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
is read as a formula by spreadsheet software (CSV injection); OWASP's advice
is to prefix such a cell with a single quote, and to quote every cell that
holds a separator or a quote (the standard library's writer does that).
Every CSV export of the extension writes through :func:`text`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: Any) -> str:
    """One cell as text, with a leading quote when it would start a formula."""
    cell = "" if value is None else str(value)
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def text(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> str:
    """The CSV text of ``header`` then ``rows`` (one line each, every cell
    neutralised)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([neutralised(cell) for cell in header])
    for row in rows:
        writer.writerow([neutralised(cell) for cell in row])
    return out.getvalue()
