"""Reading model files: one-line errors for missing, huge, binary or odd paths."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import BinaryIO

from ..exceptions import ModelFileError

#: Largest file read, in bytes.
MAX_BYTES = 50 * 1024 * 1024


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{n} bytes"


def decode(data: bytes, name: str) -> str:
    """UTF-8 text of ``data`` (a leading byte-order mark is dropped).

    Raises
    ------
    ModelFileError
        For binary data (NUL bytes) or bytes that are not UTF-8.
    """
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise ModelFileError(f"not a text file (binary data at byte {nul + 1})", file=name,
                             line=line)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ModelFileError(f"not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at byte "
                             f"{exc.start + 1})", file=name, line=line) from None
    return text[1:] if text.startswith("\ufeff") else text


def read_bytes(path: str | os.PathLike[str]) -> bytes:
    """Bytes of a file, with clear errors for paths that are not readable files."""
    name = str(path)
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise ModelFileError("no such file", file=name) from None
    except PermissionError:
        raise ModelFileError("permission denied", file=name) from None
    except OSError as exc:
        raise ModelFileError(f"cannot read: {exc.strerror or exc}", file=name) from None
    if p.is_dir():
        raise ModelFileError("is a directory, not a model file", file=name)
    if st.st_size > MAX_BYTES:
        raise ModelFileError(f"file is too large ({_mb(st.st_size)}; the limit is "
                             f"{_mb(MAX_BYTES)})", file=name)
    try:
        with open(p, "rb") as fh:
            return _read_capped(fh, name)
    except PermissionError:
        raise ModelFileError("permission denied", file=name) from None
    except OSError as exc:
        raise ModelFileError(f"cannot read: {exc.strerror or exc}", file=name) from None


def _read_capped(fh: BinaryIO, name: str) -> bytes:
    """Read in chunks (no up-front buffer of the full limit), stopping past the limit."""
    chunks, total = [], 0
    while True:
        chunk = fh.read(1 << 20)
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > MAX_BYTES:
            raise ModelFileError(f"file is too large (more than {_mb(MAX_BYTES)})", file=name)
        chunks.append(chunk)


def read_stdin() -> bytes:
    """All of standard input (bounded by :data:`MAX_BYTES`)."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # a text stream substituted by a test harness
        return sys.stdin.read().encode("utf-8")
    return _read_capped(stream, "<stdin>")
