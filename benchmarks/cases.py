"""Seeded game generators and the benchmark case groups.

Every game is drawn from :func:`numpy.random.default_rng` with a fixed seed,
so a case is reproducible from its group, size and seed alone.  Payoffs are
integers stored as float64: exact for every solver (pygambit converts them
to short rationals), and random enough that the games are non-degenerate with
overwhelming probability.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

#: Payoffs are drawn uniformly from ``range(PAYOFF_LOW, PAYOFF_HIGH)``.
PAYOFF_LOW = 0
PAYOFF_HIGH = 1000

Arrays = tuple[np.ndarray, ...]


def random_bimatrix(n: int, seed: int, m: int | None = None) -> Arrays:
    """Random two-player game with integer payoffs.

    Parameters
    ----------
    n, m
        Strategies of the row and the column player (``m`` defaults to ``n``).
    seed
        Seed of the generator.

    Returns
    -------
    tuple of numpy.ndarray
        ``(A, B)``, each of shape ``(n, m)`` and dtype float64.
    """
    m = n if m is None else m
    rng = np.random.default_rng(seed)
    a = rng.integers(PAYOFF_LOW, PAYOFF_HIGH, size=(n, m)).astype(np.float64)
    b = rng.integers(PAYOFF_LOW, PAYOFF_HIGH, size=(n, m)).astype(np.float64)
    return a, b


def random_zero_sum(n: int, seed: int) -> Arrays:
    """Random two-player zero-sum game ``(A, -A)`` with integer payoffs in [-500, 500)."""
    rng = np.random.default_rng(seed)
    half = (PAYOFF_HIGH - PAYOFF_LOW) // 2
    a = rng.integers(-half, half, size=(n, n)).astype(np.float64)
    return a, -a


def random_nplayer(shape: tuple[int, ...], seed: int) -> Arrays:
    """Random n-player game with integer payoffs.

    Parameters
    ----------
    shape
        Number of strategies of each player, e.g. ``(4, 4, 4, 4)``.
    seed
        Seed of the generator.

    Returns
    -------
    tuple of numpy.ndarray
        One float64 array of shape ``shape`` per player.
    """
    rng = np.random.default_rng(seed)
    full = rng.integers(PAYOFF_LOW, PAYOFF_HIGH, size=(len(shape), *shape)).astype(np.float64)
    return tuple(full[i] for i in range(len(shape)))


def has_pure_equilibrium(arrays: Arrays) -> bool:
    """True when the game has at least one pure Nash equilibrium."""
    best = np.ones(arrays[0].shape, dtype=bool)
    for i, a in enumerate(arrays):
        best &= a >= a.max(axis=i, keepdims=True)
    return bool(best.any())


@dataclass(frozen=True)
class Instance:
    """One game of a case group.

    Attributes
    ----------
    group
        Key of the group it belongs to.
    size
        Human-readable size, e.g. ``"12x12"`` or ``"4^4"``.
    seed
        Seed the game was drawn with.
    arrays
        One payoff array per player.
    """

    group: str
    size: str
    seed: int
    arrays: Arrays


@dataclass(frozen=True)
class Group:
    """A family of benchmark cases.

    Attributes
    ----------
    key
        Short name used by ``--only``.
    title
        Section heading in the report.
    task
        What every implementation is asked to compute.
    ours
        Our method names, the first one being the reference for ratios.
    peers
        Names of peer adapters (see :mod:`benchmarks.peers`).
    sizes, quick_sizes
        Size parameters of the full and the ``--quick`` run.
    make
        ``make(size, seed) -> arrays``.
    label
        ``label(size) -> str`` for the table.
    compare_sets
        True when every implementation should return the same set of
        equilibria (all equilibria, all pure equilibria).
    seed_base
        Seeds are ``seed_base + 100 * k + index of size`` for ``k`` in
        ``range(seeds)``.
    warm_size
        Size of the tiny game every implementation solves once before timing
        (lazy imports, JIT compilation).
    timeout_factor
        Implementation name -> multiple of the per-call timeout it gets
        (the reference set, and the pair a target compares, must finish).
    accept
        Optional condition on a game; seeds are tried upwards from the
        nominal seed until it holds (e.g. "has a pure equilibrium", so that
        the outputs compared are not all empty).
    """

    key: str
    title: str
    task: str
    ours: tuple[str, ...]
    peers: tuple[str, ...]
    sizes: tuple[object, ...]
    quick_sizes: tuple[object, ...]
    make: Callable[[object, int], Arrays]
    label: Callable[[object], str]
    compare_sets: bool
    seed_base: int
    warm_size: object = 3
    accept: Callable[[Arrays], bool] | None = None
    timeout_factor: dict[str, float] = field(default_factory=dict)

    def warm_arrays(self) -> Arrays:
        """The tiny warm-up game of this group."""
        return self.make(self.warm_size, self.seed_base - 1)


def _square(n: object) -> str:
    return f"{n}x{n}"


def _power(shape: object) -> str:
    dims = tuple(shape)  # type: ignore[call-overload]
    if len(set(dims)) == 1:
        return f"{dims[0]}^{len(dims)} ({len(dims)} players)"
    return "x".join(str(d) for d in dims) + f" ({len(dims)} players)"


GROUPS: dict[str, Group] = {
    "all-equilibria": Group(
        key="all-equilibria",
        title="All equilibria of random n x n games",
        task="every extreme Nash equilibrium of a 2-player game",
        ours=("vertex-enumeration", "support-enumeration"),
        peers=(
            "pygambit.enummixed_solve",
            "quantecon.vertex_enumeration",
            "nashpy.vertex_enumeration",
            "nashpy.support_enumeration",
        ),
        sizes=(6, 8, 10, 12),
        quick_sizes=(6, 8),
        make=lambda n, seed: random_bimatrix(int(n), seed),  # type: ignore[call-overload]
        label=_square,
        compare_sets=True,
        seed_base=1000,
        timeout_factor={"pygambit enummixed_solve": 3.0},
    ),
    "lemke-howson": Group(
        key="lemke-howson",
        title="One equilibrium by Lemke-Howson, random n x n games",
        task="one Nash equilibrium, Lemke-Howson path from the first label",
        ours=("lemke-howson",),
        peers=(
            "quantecon.lemke_howson",
            "pygambit.lcp_solve",
            "nashpy.lemke_howson",
        ),
        sizes=(50, 100, 200, 400),
        quick_sizes=(50, 100),
        make=lambda n, seed: random_bimatrix(int(n), seed),  # type: ignore[call-overload]
        label=_square,
        compare_sets=False,
        seed_base=2000,
    ),
    "zero-sum-lp": Group(
        key="zero-sum-lp",
        title="Zero-sum games by linear programming, random n x n",
        task="optimal (minimax) strategies of both players",
        ours=("lp",),
        peers=(
            "scipy.linprog",
            "pygambit.lp_solve",
            "nashpy.linear_program",
        ),
        sizes=(100, 300, 1000),
        quick_sizes=(100, 300),
        make=lambda n, seed: random_zero_sum(int(n), seed),  # type: ignore[call-overload]
        label=_square,
        compare_sets=False,
        seed_base=3000,
        timeout_factor={"ours: lp": 4.0, "scipy linprog (bare)": 4.0},
    ),
    "pure": Group(
        key="pure",
        title="All pure equilibria of n-player games",
        task="every pure-strategy Nash equilibrium",
        ours=("pure",),
        peers=(
            "pygambit.enumpure_solve",
            "quantecon.pure_nash_brute",
        ),
        sizes=((3, 3, 3, 3), (4, 4, 4, 4), (2, 2, 2, 2, 2)),
        quick_sizes=((3, 3, 3, 3), (2, 2, 2, 2, 2)),
        make=lambda shape, seed: random_nplayer(tuple(shape), seed),  # type: ignore[call-overload]
        label=_power,
        compare_sets=True,
        seed_base=4000,
        warm_size=(2, 2, 2),
        accept=has_pure_equilibrium,
    ),
}

#: The whole-process group is run by :mod:`benchmarks.cli_cases`.
CLI_GROUP = "cli"

#: Size and seed of the 12x12 game written to an ``.nfg`` file for the CLI group
#: (the same game as the 12x12 case of the all-equilibria group, first seed).
CLI_NFG_SIZE = 12


def seed_for(group: Group, size_index: int, k: int = 0) -> int:
    """Seed of the ``k``-th game of the ``size_index``-th size of a group."""
    return group.seed_base + 100 * k + size_index


def instances(group: Group, quick: bool = False, seeds: int = 1) -> list[Instance]:
    """The games of a group, in table order.

    Parameters
    ----------
    group
        The case group.
    quick
        Use the reduced size list of a smoke run.
    seeds
        Number of seeded games per size.
    """
    sizes = group.quick_sizes if quick else group.sizes
    out = []
    for size in sizes:
        index = group.sizes.index(size)
        for k in range(seeds):
            seed = seed_for(group, index, k)
            arrays = group.make(size, seed)
            while group.accept is not None and not group.accept(arrays):
                seed += 10_000
                arrays = group.make(size, seed)
            out.append(Instance(group.key, group.label(size), seed, arrays))
    return out


def cli_nfg_arrays() -> Arrays:
    """The 12x12 game the CLI cold-start group solves (seeded as in the all-equilibria group)."""
    group = GROUPS["all-equilibria"]
    return random_bimatrix(CLI_NFG_SIZE, seed_for(group, group.sizes.index(CLI_NFG_SIZE)))
