"""Normal-form methods on game trees, through the reduced normal form.

A tree with perfect recall is converted to its reduced normal form (with its
size guard, option ``max_profiles``), the normal-form method solves that game
with the same options and budget, and each mixed equilibrium is mapped to a
realisation-equivalent behaviour profile (Kuhn's theorem, see
:func:`~gametheory.games.reduced_normal_form.mixed_to_behavior`).  Every
behaviour profile is verified again on the tree (regret by a best response in
the tree, see :func:`~.tree_verify.build_tree_result`), so the result carries
``behavior``, ``path`` and the tree regret like any tree method.

Several mixed equilibria can map to the same behaviour profile (mixtures over
plans that differ only in how they correlate a player's choices at different
information sets); the result lists each behaviour profile once and
``stats["normal_form_equilibria"]`` says how many mixed equilibria there were.
At an information set that the player's own strategy rules out, behaviour is
uniform: every choice there is realisation-equivalent.

``complete`` is the normal-form method's: for ``vertex-enumeration`` it means
all extreme equilibria of the reduced normal form were found; their images
span the realisation plans of all Nash equilibria of the tree.

With ``exact=True`` the normal-form equilibria are certified in rationals on
the reduced normal form first (or come exact from ``arithmetic="exact"``),
mapped to rational behaviour and checked to have exact tree regret 0;
behaviour profiles that could not be certified that way get the tree's own
certification (rationalising the behaviour).

Methods not routed this way, and why:

* ``correlated``: a correlated equilibrium is a distribution over pure
  profiles, which has no behaviour-strategy counterpart (players' plans are
  correlated by a mediator);
* ``dominance``: its output is a smaller strategic game (and the list of
  eliminated strategies), not behaviour strategies; an equilibrium comes out
  only when a single profile survives.

Both stay available on the reduced normal form itself
(``game.to_normal_form().game``).  ``lp`` has its own tree implementation
(the sequence-form LP) and does not go through the reduced normal form.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from fractions import Fraction
from typing import Any

import numpy as np

from ..exceptions import InvalidOptionError
from ..games import behavior as bh
from ..games.extensive import ExtensiveFormGame
from ..games.reduced_normal_form import DEFAULT_MAX_PROFILES, mixed_to_behavior, reduced_normal_form
from . import lemke_howson, pure, support_enumeration, vertex_enumeration  # noqa: F401
from .budget import Budget
from .registry import get_method, register
from .result import Equilibrium, SolveResult
from .tree_verify import behavior_tuple, build_tree_result, certify_tree, profile_regret, vector_of

#: Normal-form methods whose equilibria map to behaviour profiles of a tree.
VIA_METHODS = ("pure", "support-enumeration", "vertex-enumeration", "lemke-howson")

#: Normal-form statistics renamed so that they do not read as the tree's own.
_RENAMED = ("rejected", "worst_rejected_regret", "certified", "not_certified")

_DEDUPE_TOL = 1e-7


def _key(vec: np.ndarray) -> bytes:
    """Deduplication key of a float behaviour vector (as in ``build_tree_result``)."""
    return np.round(np.asarray(vec, dtype=np.float64) / _DEDUPE_TOL).tobytes()


def _check_max_profiles(max_profiles: Any) -> int:
    if max_profiles is None:
        return DEFAULT_MAX_PROFILES
    if (
        not isinstance(max_profiles, (int, np.integer))
        or isinstance(max_profiles, bool)
        or (max_profiles < 1)
    ):
        raise InvalidOptionError(f"max_profiles must be a positive integer, got {max_profiles!r}")
    return int(max_profiles)


def solve_via_reduced_form(
    game: ExtensiveFormGame,
    method: str,
    *,
    budget: Budget,
    exact: bool = False,
    max_profiles: int | None = None,
    **options: Any,
) -> SolveResult:
    """Solve a tree with a normal-form method through its reduced normal form.

    Parameters
    ----------
    game
        A numeric tree with perfect recall.
    method
        Name of a registered normal-form method (one of :data:`VIA_METHODS`).
    budget
        The budget, shared with the normal-form method.
    exact
        Certify each equilibrium in rationals (exact tree regret 0), or note
        why it could not be certified.
    max_profiles
        Size guard: refuse before building a reduced normal form with more
        pure profiles (default
        :data:`~gametheory.games.reduced_normal_form.DEFAULT_MAX_PROFILES`).
    **options
        The normal-form method's options.

    Returns
    -------
    SolveResult
        Behaviour equilibria (one per distinct behaviour profile), verified on
        the tree.  ``stats`` holds ``via``, ``reduced_normal_form`` (strategies
        per player), ``reduced_profiles``, ``normal_form_equilibria`` and the
        normal-form method's own counters; ``details["reduced_normal_form"]``
        the :class:`~gametheory.games.reduced_normal_form.ReducedNormalForm`
        and ``details["normal_form_result"]`` the normal-form result.

    Raises
    ------
    InvalidGameError
        Without perfect recall, or when the reduced normal form has more than
        ``max_profiles`` pure profiles.
    """
    limit = _check_max_profiles(max_profiles)
    rnf = reduced_normal_form(game, max_profiles=limit)
    inner = get_method(method).function_for("normal")(rnf.game, budget=budget, **options)
    if exact:
        from .verify import certify_result

        inner = certify_result(inner)
    vectors: dict[bytes, np.ndarray] = {}  # one per distinct behaviour profile
    exact_of: dict[bytes, np.ndarray] = {}
    for eq in inner.equilibria:
        vec = mixed_to_behavior(game, rnf, eq.profile)
        key = _key(vec)
        vectors.setdefault(key, vec)
        if eq.exact_probabilities is not None and key not in exact_of:
            exact_of[key] = mixed_to_behavior(game, rnf, eq.exact_probabilities, exact=True)
    stats: dict[str, Any] = {
        "via": "reduced normal form",
        "reduced_normal_form": list(rnf.game.shape),
        "reduced_profiles": int(np.prod(rnf.game.shape, dtype=np.int64)),
        "normal_form_equilibria": len(inner.equilibria),
    }
    for k, v in inner.stats.items():
        if k != "time":
            stats[f"normal_form_{k}" if k in _RENAMED else k] = v
    result = build_tree_result(
        game,
        list(vectors.values()),
        method,
        complete=inner.complete,
        status=inner.status,
        stats=stats,
        details={"reduced_normal_form": rnf, "normal_form_result": inner},
    )
    if exact or exact_of:
        result = _with_exact(game, result, exact_of, certify_rest=exact)
    return result


def _with_exact(
    game: ExtensiveFormGame,
    result: SolveResult,
    exact_of: dict[bytes, np.ndarray],
    certify_rest: bool,
) -> SolveResult:
    """Attach the rational behaviour of certified normal-form equilibria; certify the rest."""
    out: list[Equilibrium] = []
    for eq in result.equilibria:
        vec = exact_of.get(_key(vector_of(game, eq.behavior)))  # type: ignore[arg-type]
        if vec is not None and profile_regret(game, vec, exact=True) == 0:
            payoffs = bh.expected_payoffs(game, vec, exact=True)
            eq = replace(
                eq,
                payoff_values=tuple(float(u) for u in payoffs),
                regret=0.0,
                exact_payoff_values=tuple(Fraction(u) for u in payoffs),
                behavior=behavior_tuple(game, vec, float),
                exact_behavior=behavior_tuple(game, vec, Fraction),
            )
        elif certify_rest:
            eq = certify_tree(game, eq)
        out.append(eq)
    stats = dict(result.stats)
    if certify_rest:
        failed = sum(1 for e in out if not e.exact)
        stats["certified"] = len(out) - failed
        if failed:
            stats["not_certified"] = failed
    return replace(result, equilibria=tuple(out), stats=stats)


def _tree_solver(method: str) -> Any:
    """The ``"extensive"`` implementation of ``method``: through the reduced normal form."""

    def solve_tree(
        game: ExtensiveFormGame, *, budget: Budget, exact: bool = False, **options: Any
    ) -> SolveResult:
        return solve_via_reduced_form(game, method, budget=budget, exact=exact, **options)

    solve_tree.__name__ = f"solve_{method.replace('-', '_')}_via_reduced_form"
    solve_tree.__doc__ = f"``{method}`` on a tree, through its reduced normal form."
    return solve_tree


def _install(names: Iterable[str]) -> None:
    for name in names:
        spec = get_method(name)
        register(
            name,
            summary="trees with perfect recall via the reduced normal form, each equilibrium "
            "mapped to behaviour strategies",
            forms=("extensive",),
            players=(spec.min_players, spec.max_players),
            finds=spec.finds,
            requires=spec.requires,
            iterative=spec.iterative,
            options={
                **spec.options_for("normal"),
                "max_profiles": "trees: size guard, largest number of pure profiles of the "
                f"reduced normal form (default {DEFAULT_MAX_PROFILES})",
            },
            via_reduced_form=True,
        )(_tree_solver(name))


_install(VIA_METHODS)
