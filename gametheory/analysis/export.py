"""Small helpers shared by the result tables: CSV writing and the optional pandas import."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Sequence
from typing import IO, Any


def write_csv(
    target: str | os.PathLike | IO[str] | None,
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    body: str = "",
) -> str | None:
    """Write a header and rows of already formatted cells as CSV (``\n`` line ends).

    Parameters
    ----------
    target
        A file name, an open text file, or ``None`` to return the text.
    header
        Column names.
    rows
        Rows of cells (strings).
    body
        Further lines already formatted as CSV (appended after ``rows``).

    Returns
    -------
    str or None
        The CSV text when ``target`` is ``None``.
    """
    if target is None:
        buffer = io.StringIO()
        _write(buffer, header, rows, body)
        return buffer.getvalue()
    if isinstance(target, (str, os.PathLike)):
        with open(target, "w", newline="", encoding="utf-8") as fh:
            _write(fh, header, rows, body)
        return None
    _write(target, header, rows, body)
    return None


def csv_field(text: str) -> str:
    """One CSV field, quoted as :mod:`csv` would quote it."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow([text])
    return buffer.getvalue()


def _write(fh: IO[str], header: Sequence[str], rows: Iterable[Sequence[str]], body: str) -> None:
    writer = csv.writer(fh, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    fh.write(body)


def pandas(what: str) -> Any:
    """Import pandas, or raise an ImportError saying that ``what`` needs it."""
    try:
        import pandas as pd
    except ImportError:
        raise ImportError(
            f"{what} needs pandas, which is not installed: pip install pandas"
        ) from None
    return pd
