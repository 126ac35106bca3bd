"""Models read from files: numeric binding without sympy, symbolic game on demand.

A model file's payoffs are parsed into :class:`gametheory.params.Expression`
trees.  :class:`FileModel` keeps them as a :class:`PayoffProgram` so that
``model.bind(...)`` (and therefore ``gametheory solve``) evaluates them
directly in exact or float arithmetic, without importing sympy.  The sympy
game (``model.game``) is built the first time it is asked for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..exceptions import InvalidGameError
from ..games.model import Model, Parameter
from ..games.normal_form import NormalFormGame
from ..params import Expression, ExpressionError


class PayoffProgram:
    """Payoffs of a normal-form game in which some entries are expressions.

    Parameters
    ----------
    entries
        Object array of shape ``(n, m_1, ..., m_n)`` holding numbers and
        :class:`~gametheory.params.Expression` objects.
    players, strategies, title
        Labels of the game.
    """

    __slots__ = ("constants", "expressions", "names", "players", "strategies", "title")

    def __init__(self, entries: np.ndarray, players: Sequence[str],
                 strategies: Sequence[Sequence[str]], title: str = "") -> None:
        flat = entries.reshape(-1)
        self.expressions = [(k, e) for k, e in enumerate(flat) if isinstance(e, Expression)]
        constants = flat.copy()
        for k, _ in self.expressions:
            constants[k] = 0
        self.constants = constants.reshape(entries.shape)
        names: set[str] = set()
        for _, e in self.expressions:
            names.update(e.names)
        self.names = tuple(sorted(names))
        self.players = tuple(players)
        self.strategies = tuple(tuple(s) for s in strategies)
        self.title = title

    @property
    def shape(self) -> tuple[int, ...]:
        """Number of strategies of each player."""
        return tuple(self.constants.shape[1:])

    def entries(self) -> np.ndarray:
        """Object array of shape ``(n, m_1, ..., m_n)``: numbers and expressions."""
        out = self.constants.reshape(-1).copy()
        for k, e in self.expressions:
            out[k] = e
        return out.reshape(self.constants.shape)

    def where(self, k: int) -> str:
        """``"payoff of Seoul at (arm, transfer)"`` for flat index ``k``."""
        idx = np.unravel_index(k, self.constants.shape)
        labels = ", ".join(self.strategies[i][j] for i, j in enumerate(idx[1:]))
        return f"payoff of {self.players[idx[0]]} at ({labels})"

    def evaluate(self, values: Mapping[str, Any]) -> NormalFormGame:
        """The numeric game at ``values`` (exact when every value is exact)."""
        out = self.constants.reshape(-1).copy()
        for k, e in self.expressions:
            try:
                out[k] = e.evaluate(values)
            except ExpressionError as exc:
                raise InvalidGameError(f"{self.where(k)} cannot be evaluated at "
                                       f"{_show(values, e.names)}: {exc}") from None
        if any(isinstance(v, float) for v in values.values()):
            try:
                out = out.astype(np.float64)
            except OverflowError:
                raise InvalidGameError("a payoff is too large for floating point") from None
        used = {k: values[k] for k in self.names}
        return NormalFormGame(list(out.reshape(self.constants.shape)), self.players,
                              self.strategies, self.title, parameter_values=used)

    def symbolic_game(self) -> NormalFormGame:
        """The game with sympy expressions as entries (imports sympy)."""
        out = self.constants.reshape(-1).copy()
        cache: dict = {}
        for k, e in self.expressions:
            out[k] = e.to_sympy(cache)
        return NormalFormGame(list(out.reshape(self.constants.shape)), self.players,
                              self.strategies, self.title)


def _show(values: Mapping[str, Any], names: Sequence[str]) -> str:
    return ", ".join(f"{n}={values[n]}" for n in names if n in values) or "these values"


class FileModel(Model):
    """A :class:`~gametheory.games.Model` whose payoffs are parsed expressions.

    Behaves like a ``Model``; ``bind`` evaluates the expressions directly and
    ``game`` (the sympy game) is built on first access.
    """

    def __init__(
        self,
        game: Any = None,
        parameters: Mapping[str, Parameter] | None = None,
        title: str = "",
        description: str = "",
        source_file: str | None = None,
        *,
        program: PayoffProgram | None = None,
    ) -> None:
        if game is None and program is None:
            raise TypeError("FileModel needs a game or a payoff program")
        object.__setattr__(self, "parameters", dict(parameters or {}))
        object.__setattr__(self, "title", title)
        object.__setattr__(self, "description", description)
        object.__setattr__(self, "source_file", source_file)
        object.__setattr__(self, "_program", program)
        if game is not None:
            object.__setattr__(self, "game", game)

    def __getattr__(self, name: str) -> Any:
        if name == "game":
            program = self.__dict__.get("_program")
            if program is not None:
                game = program.symbolic_game()
                object.__setattr__(self, "game", game)
                return game
        raise AttributeError(name)

    @property
    def program(self) -> PayoffProgram | None:
        """The parsed payoffs (``None`` when built from a game)."""
        return self.__dict__.get("_program")

    @property
    def form(self) -> str:
        """``"normal"``."""
        return "normal" if self.program is not None else self.game.form

    @property
    def num_players(self) -> int:
        """Number of players."""
        program = self.program
        return len(program.players) if program is not None else self.game.num_players

    def bind(self, strict: bool = False, **values: Any) -> Any:
        """Numeric game at the baseline, with some parameters overridden (no sympy)."""
        program = self.program
        if program is None:
            return super().bind(strict=strict, **values)
        merged = self.resolve(strict=strict, **values)
        return program.evaluate({k: merged[k] for k in program.names})
