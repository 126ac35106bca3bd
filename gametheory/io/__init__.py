"""Reading and writing models: YAML/JSON model files and Gambit ``.nfg``/``.efg``.

:func:`load` and :func:`save` choose the format by file extension.  Every
problem with an input file is a :class:`~gametheory.exceptions.ModelFileError`
whose text is ``FILE:LINE: key.path: what is wrong``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from ..exceptions import InvalidGameError, ModelFileError

#: File extension -> format name.
FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".nfg": "nfg", ".efg": "efg"}


def format_of(path: str | os.PathLike[str]) -> str:
    """Format name (``yaml``, ``json``, ``nfg``, ``efg``) of a path, by extension.

    Raises
    ------
    ModelFileError
        For an unknown extension.
    """
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        shown = f"extension {suffix!r}" if suffix else "no extension"
        raise ModelFileError(f"unknown file type ({shown}); expected one of "
                             f"{', '.join(FORMATS)}", file=str(path))
    return FORMATS[suffix]


def _sniff(text: str) -> str:
    head = text.lstrip("\ufeff \t\r\n")
    if head.startswith("NFG"):
        return "nfg"
    if head.startswith("EFG"):
        return "efg"
    if head.startswith("{") or head.startswith("["):
        return "json"
    return "yaml"


def loads(text: str, format: str = "yaml", filename: str = "<string>",
          strict: bool = False) -> Any:
    """Model from text in the given format (``yaml``, ``json``, ``nfg``, ``efg``).

    Parameters
    ----------
    text
        The file contents.
    format
        Format name; ``"auto"`` guesses from the first characters.
    filename
        Name used in error messages.
    strict
        Refuse parameter values outside their declared ranges.
    """
    fmt = _sniff(text) if format == "auto" else format
    if fmt in ("yaml", "json"):
        from .model_file import read_model_text

        return read_model_text(text, filename, fmt, strict=strict)
    if fmt == "nfg":
        from .nfg import read_nfg

        return read_nfg(text, filename)
    if fmt == "efg":
        from . import efg

        return efg.read_efg(text, filename)
    raise ModelFileError(f"unknown format {format!r}", file=filename)


def load(path: str | os.PathLike[str], strict: bool = False) -> Any:
    """Read a model file: ``.yaml``/``.yml``/``.json``/``.nfg``/``.efg``, or ``-`` for stdin.

    Parameters
    ----------
    path
        The file; ``"-"`` reads standard input (YAML, JSON or ``.nfg`` text,
        recognised by its first characters).
    strict
        Refuse parameter values outside their declared ranges.

    Returns
    -------
    Model
        The game with its parameter metadata and source information.

    Raises
    ------
    ModelFileError
        For any problem with the file; the message names file, line and key.
    """
    from .source import decode, read_bytes, read_stdin

    if str(path) == "-":
        name = "<stdin>"
        text = decode(read_stdin(), name)
        fmt = _sniff(text)
    else:
        name = str(path)
        data = read_bytes(path)
        fmt = format_of(path)
        text = decode(data, name)
    if not text.strip():
        raise ModelFileError("the file is empty", file=name)
    return loads(text, fmt, name, strict=strict)


def dumps(obj: Any, format: str = "yaml") -> str:
    """Text of ``obj`` (a Model or a game) in the given format."""
    if format in ("yaml", "json"):
        from .model_writer import dump_json, dump_yaml, model_to_data

        data = model_to_data(obj)
        return dump_yaml(data) if format == "yaml" else dump_json(data)
    if format == "nfg":
        from .nfg import write_nfg

        return write_nfg(obj)
    if format == "efg":
        from . import efg

        return efg.write_efg(obj)
    raise InvalidGameError(f"unknown format {format!r}; expected yaml, json, nfg or efg")


def save(obj: Any, path: str | os.PathLike[str], format: str | None = None) -> None:
    """Write a Model or game to ``path``; the format follows the extension.

    Parameters
    ----------
    obj
        A :class:`~gametheory.games.Model` or a game.  Models with parameters
        written as ``.nfg`` are written at their baseline values.
    path
        Target file; ``"-"`` writes to standard output (YAML unless ``format``).
    format
        Override the format chosen by extension.
    """
    if str(path) == "-":
        sys.stdout.write(dumps(obj, format or "yaml"))
        return
    text = dumps(obj, format or format_of(path))
    Path(path).write_text(text, encoding="utf-8")


__all__ = ["FORMATS", "dumps", "format_of", "load", "loads", "save"]
