"""Time and iteration budgets for iterative solvers."""

from __future__ import annotations

import math
import time

from ..exceptions import InvalidOptionError


class BudgetExhausted(Exception):
    """Raised inside a solver when its budget runs out; caught by the solver."""


class Budget:
    """A time limit (seconds) and an iteration limit; ``None`` means unlimited.

    Solvers call :meth:`tick` once per iteration (pivot, support, ...).
    """

    __slots__ = ("iterations", "max_iter", "max_time", "start")

    def __init__(self, max_time: float | None = None, max_iter: int | None = None) -> None:
        if max_time is not None:
            if (
                not isinstance(max_time, (int, float))
                or isinstance(max_time, bool)
                or not (math.isfinite(max_time) and max_time > 0)
            ):
                raise InvalidOptionError(
                    f"max_time must be a positive number of seconds, got {max_time!r}"
                )
        if max_iter is not None:
            if not isinstance(max_iter, int) or isinstance(max_iter, bool) or max_iter <= 0:
                raise InvalidOptionError(f"max_iter must be a positive integer, got {max_iter!r}")
        self.max_time = None if max_time is None else float(max_time)
        self.max_iter = max_iter
        self.start = time.perf_counter()
        self.iterations = 0

    def elapsed(self) -> float:
        """Seconds since the budget was created."""
        return time.perf_counter() - self.start

    def tick(self, n: int = 1) -> None:
        """Count ``n`` iterations; raise :class:`BudgetExhausted` when over budget."""
        self.iterations += n
        if self.max_iter is not None and self.iterations > self.max_iter:
            raise BudgetExhausted(f"iteration limit {self.max_iter} reached")
        if self.max_time is not None and self.elapsed() > self.max_time:
            raise BudgetExhausted(f"time limit {self.max_time:g} s reached")

    def out_of_time(self) -> bool:
        """True when the time limit has passed (for checks between batches)."""
        return self.max_time is not None and self.elapsed() > self.max_time
