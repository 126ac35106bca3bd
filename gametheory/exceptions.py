"""Exception hierarchy.

Every error the package raises derives from :class:`GameTheoryError`; each
subclass also derives from the matching built-in exception so callers can
catch either (``except ValueError`` keeps working).
"""

from __future__ import annotations


class GameTheoryError(Exception):
    """Base class of every error raised by gametheory."""


class InvalidGameError(GameTheoryError, ValueError):
    """A game was built from inconsistent or non-finite data."""


class UnboundParameterError(GameTheoryError, ValueError):
    """A numeric operation needs parameter values that were not given."""


class UnknownParameterError(GameTheoryError, KeyError):
    """A parameter name is not declared by the game or model."""

    def __str__(self) -> str:  # KeyError quotes its message; keep it plain
        return str(self.args[0]) if self.args else ""


class UnknownMethodError(GameTheoryError, ValueError):
    """The requested solver method does not exist."""


class MethodNotApplicableError(GameTheoryError, ValueError):
    """The solver exists but cannot handle this game (form, players, zero-sum...)."""


class InvalidOptionError(GameTheoryError, TypeError):
    """A solver was given an option it does not take, or a bad value for one."""


class InvalidProfileError(GameTheoryError, ValueError):
    """A strategy profile does not fit the game (shape, negative or unnormalised)."""


class ModelFileError(GameTheoryError, ValueError):
    """A model file could not be read; the message names the file, line or key.

    Parameters
    ----------
    message
        What is wrong.
    file
        The file name (or ``"<stdin>"``).
    line
        1-based line number where known.
    key
        Key path inside the document (``payoffs[2].Seoul``) where known.
    """

    def __init__(
        self,
        message: str,
        file: str | None = None,
        line: int | None = None,
        key: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.key = key
        super().__init__(self._format())

    def _format(self) -> str:
        where = self.file or "<input>"
        if self.line is not None:
            where += f":{self.line}"
        elif self.key:
            where += f":{self.key}"
        text = self.message
        if self.key and self.line is not None and self.key not in text:
            text = f"{self.key}: {text}"
        return f"{where}: {text}"


class OutOfRangeWarning(UserWarning):
    """A parameter value lies outside the range its model declares."""


class SolverError(GameTheoryError, RuntimeError):
    """A solver failed in a way that is not the input's fault."""
