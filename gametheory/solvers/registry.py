"""The one table of solver methods, and :func:`solve`, the front door.

Each solver module registers a plain function ``f(game, *, budget, **options)
-> SolveResult`` with :func:`register`.  :func:`solve`, :func:`methods`, the
CLI's ``--method`` choices and the methods page of the docs are all generated
from this table.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ..exceptions import (
    InvalidOptionError,
    MethodNotApplicableError,
    UnboundParameterError,
    UnknownMethodError,
)
from .budget import Budget
from .result import SolveResult

SolverFunction = Callable[..., SolveResult]


@dataclass(frozen=True)
class MethodSpec:
    """One registered method.

    Attributes
    ----------
    name
        Kebab-case method name shared by the API and the CLI.
    function
        ``f(game, *, budget, **options) -> SolveResult``.
    summary
        One-line description.
    forms
        Game forms handled (``"normal"``, ``"extensive"``).
    min_players, max_players
        Player counts handled (``max_players=None``: any).
    finds
        What it guarantees: ``"all"``, ``"all-extreme"``, ``"all-pure"``,
        ``"one"``, ``"some"``.
    requires
        Extra condition on the game (``"constant-sum"``) or ``None``.
    iterative
        True when ``max_iter`` applies.
    options
        Option name -> one-line description.
    implementations
        Only for a method with one implementation per game form (registered
        once per form, see :func:`register`): form -> ``(function, options,
        summary)``.  Empty when ``function`` handles every form.
    via_reduced_form
        True for a normal-form method that also solves trees (with perfect
        recall) through their reduced normal form, its equilibria mapped to
        behaviour strategies (see :mod:`.via_reduced_form`); its
        ``"extensive"`` implementation then takes ``exact`` itself.
    tree_requires
        What a tree must have for the method to solve it:
        ``"perfect-recall"`` (the default: every tree method here needs it) or
        ``"perfect-information"`` (which implies perfect recall).
    """

    name: str
    function: SolverFunction
    summary: str
    forms: tuple[str, ...] = ("normal",)
    min_players: int = 1
    max_players: int | None = None
    finds: str = "some"
    requires: str | None = None
    iterative: bool = False
    options: Mapping[str, str] = field(default_factory=dict)
    implementations: Mapping[str, tuple[SolverFunction, Mapping[str, str], str]] = field(
        default_factory=dict
    )
    via_reduced_form: bool = False
    tree_requires: str = "perfect-recall"

    def function_for(self, form: str) -> SolverFunction:
        """The function that solves games of the given form."""
        impl = self.implementations.get(form)
        return self.function if impl is None else impl[0]

    def options_for(self, form: str) -> Mapping[str, str]:
        """The options that the implementation for the given form accepts."""
        impl = self.implementations.get(form)
        return self.options if impl is None else impl[1]

    def reason_not_applicable(self, game: Any) -> str | None:
        """Why this method cannot solve ``game``, or ``None`` when it can."""
        if game.form not in self.forms:
            forms = " and ".join(self.forms)
            why = f"method {self.name!r} handles {forms}-form games, not {game.form}-form"
            if self.forms == ("normal",):
                why += (
                    "; its results do not map to behaviour strategies (apply it to the tree's "
                    "reduced normal form, game.to_normal_form().game, instead)"
                )
            return why
        if game.form == "extensive":
            why = self._tree_structure_problem(game)
            if why is not None:
                return why
        n = game.num_players
        if n < self.min_players or (self.max_players is not None and n > self.max_players):
            if self.min_players == self.max_players:
                want = f"{self.min_players}-player games"
            else:
                want = f"games with at least {self.min_players} players"
            return f"method {self.name!r} handles {want}; this game has {n} players"
        if self.requires == "constant-sum" and not game.is_constant_sum():
            return f"method {self.name!r} needs a zero-sum (constant-sum) game; this game is not"
        return None

    def _tree_structure_problem(self, game: Any) -> str | None:
        """Why the tree lacks the structure this method needs, or ``None``."""
        if self.tree_requires == "perfect-information":
            from ..games.tree_structure import perfect_information_violation

            shared = perfect_information_violation(game)
            if shared is not None:
                player, label, size = shared
                return (
                    f"method {self.name!r} needs perfect information; information set "
                    f"{label!r} of {player} has {size} nodes (use 'spe' or a sequence-form "
                    "method)"
                )
        bad = game.perfect_recall_violation()
        if bad is None:
            return None
        needs = (
            "solves trees through the reduced normal form, which needs"
            if self.routes_via_reduced_form("extensive")
            else "needs"
        )
        return (
            f"method {self.name!r} {needs} perfect recall; {bad[0]} forgets at information set "
            f"{bad[1]!r} (its nodes differ in that player's own earlier moves or information)"
        )

    def routes_via_reduced_form(self, form: str) -> bool:
        """True when games of ``form`` are solved through their reduced normal form."""
        return self.via_reduced_form and form == "extensive"

    def describe(self) -> dict[str, Any]:
        """Plain-data description (used by the CLI and the docs)."""
        players = (
            f"{self.min_players}+"
            if self.max_players is None
            else str(self.min_players)
            if self.min_players == self.max_players
            else f"{self.min_players}-{self.max_players}"
        )
        return {
            "name": self.name,
            "summary": self.summary,
            "forms": list(self.forms),
            "players": players,
            "finds": self.finds,
            "requires": self.requires,
            "iterative": self.iterative,
            "options": dict(self.options),
            "via_reduced_form": self.via_reduced_form,
            "tree_requires": self.tree_requires if "extensive" in self.forms else None,
        }


_REGISTRY: dict[str, MethodSpec] = {}


def register(
    name: str,
    *,
    summary: str,
    forms: tuple[str, ...] = ("normal",),
    players: tuple[int, int | None] = (2, 2),
    finds: str = "some",
    requires: str | None = None,
    iterative: bool = False,
    options: Mapping[str, str] | None = None,
    via_reduced_form: bool = False,
    tree_requires: str = "perfect-recall",
) -> Callable[[SolverFunction], SolverFunction]:
    """Decorator adding a solver function to the method table.

    A method name may have one implementation per game form: registering a
    name again with forms it does not cover yet adds an implementation for
    them (it must agree on ``players``, ``finds``, ``requires`` and
    ``iterative``); :func:`solve` calls the one for the game's form and
    accepts that implementation's options.  The summaries are joined.
    ``via_reduced_form=True`` marks an ``"extensive"`` implementation that
    solves the reduced normal form with the method's normal-form one.
    ``tree_requires`` (``"perfect-recall"`` or ``"perfect-information"``)
    is what a tree needs for the method to apply.
    """
    if tree_requires not in ("perfect-recall", "perfect-information"):
        raise ValueError(f"unknown tree requirement {tree_requires!r}")

    def decorate(func: SolverFunction) -> SolverFunction:
        spec = MethodSpec(
            name=name,
            function=func,
            summary=summary,
            forms=forms,
            min_players=players[0],
            max_players=players[1],
            finds=finds,
            requires=requires,
            iterative=iterative,
            options=dict(options or {}),
            via_reduced_form=via_reduced_form,
            tree_requires=tree_requires,
        )
        old = _REGISTRY.get(name)
        _REGISTRY[name] = spec if old is None else _merged(old, spec)
        return func

    return decorate


#: Order of game forms in merged method entries.
_FORM_ORDER = ("normal", "extensive")


def _merged(old: MethodSpec, new: MethodSpec) -> MethodSpec:
    """One method entry with the implementations of ``old`` and ``new`` (disjoint forms)."""
    if set(old.forms) & set(new.forms):
        raise RuntimeError(f"method {old.name!r} registered twice")
    same = ("min_players", "max_players", "finds", "requires", "iterative")
    if any(getattr(old, k) != getattr(new, k) for k in same):
        raise RuntimeError(
            f"method {old.name!r}: an implementation for {', '.join(new.forms)} games must "
            "agree with the existing one on players, finds, requires and iterative"
        )
    impls = dict(old.implementations) or {
        f: (old.function, old.options, old.summary) for f in old.forms
    }
    impls.update({f: (new.function, new.options, new.summary) for f in new.forms})
    forms = tuple(sorted(impls, key=lambda f: (*_FORM_ORDER, f).index(f)))
    options: dict[str, str] = {}
    for f in forms:
        for key, text in impls[f][1].items():
            options.setdefault(key, text)
    return replace(
        old,
        function=impls[forms[0]][0],
        summary="; ".join(dict.fromkeys(impls[f][2] for f in forms)),
        forms=forms,
        options=options,
        implementations=impls,
        via_reduced_form=old.via_reduced_form or new.via_reduced_form,
        tree_requires=(new if "extensive" in new.forms else old).tree_requires,
    )


def method_names() -> list[str]:
    """All method names, ``auto`` first."""
    _load_all()
    return ["auto", *sorted(_REGISTRY)]


def get_method(name: str) -> MethodSpec:
    """The spec of a method by name."""
    _load_all()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownMethodError(
            f"unknown method {name!r}; choose from: {', '.join(method_names())}"
        ) from None


def methods(game: Any = None) -> list[MethodSpec]:
    """Methods in the table, or those applicable to ``game``."""
    _load_all()
    specs = [_REGISTRY[k] for k in sorted(_REGISTRY)]
    if game is None:
        return specs
    game = _as_game(game)
    return [s for s in specs if s.reason_not_applicable(game) is None]


def _requirements(described: Mapping[str, Any]) -> str:
    """The ``requires`` cell of the methods page: game conditions, trees' structure."""
    parts = [described["requires"]] if described["requires"] else []
    if described.get("tree_requires"):
        parts.append(f"trees: {described['tree_requires'].replace('-', ' ')}")
    return "; ".join(parts) or "-"


def methods_markdown(specs: list[MethodSpec] | None = None) -> str:
    """The methods page of the documentation (``docs/methods.md``), generated from the table."""
    specs = methods() if specs is None else specs
    lines = [
        "# Methods",
        "",
        "Generated from the method table:",
        "`gametheory methods --format markdown > docs/methods.md`.",
        "`finds` says what a method guarantees: `all` equilibria, `all-extreme` equilibria,",
        "`all-pure` equilibria, `one` or `some`.",
        "",
        "| method | forms | players | finds | requires | iterative | summary |",
        "|---|---|---|---|---|---|---|",
        "| `auto` | normal, extensive | any | - | - | - | picks a method by game form, "
        "player count and size, and reports its choice |",
    ]
    for spec in specs:
        d = spec.describe()
        lines.append(
            f"| `{d['name']}` | {', '.join(d['forms'])} | {d['players']} | {d['finds']} | "
            f"{_requirements(d)} | {'yes' if d['iterative'] else 'no'} | {d['summary']} |"
        )
    lines += ["", "## Options", ""]
    for spec in specs:
        if spec.options:
            lines.append(
                f"- `{spec.name}`: "
                + "; ".join(f"`{k}`: {v}" for k, v in sorted(spec.options.items()))
            )
    return "\n".join(lines) + "\n"


def _load_all() -> None:
    from . import _catalogue  # noqa: F401  (imports every solver module)


def _as_game(obj: Any) -> Any:
    """Accept a game, or a model (anything with ``baseline_game()``)."""
    if hasattr(obj, "baseline_game"):
        return obj.baseline_game()
    if hasattr(obj, "form") and hasattr(obj, "num_players"):
        return obj
    raise TypeError(f"expected a game or a model, got {type(obj).__name__}")


def choose_method(game: Any) -> tuple[str, str]:
    """The method ``auto`` runs on ``game`` and why."""
    from .auto import choose

    return choose(game)


def solve(
    game: Any,
    method: str = "auto",
    *,
    exact: bool = False,
    max_time: float | None = None,
    max_iter: int | None = None,
    **options: Any,
) -> SolveResult:
    """Compute equilibria of a game with a named method.

    Parameters
    ----------
    game
        A numeric game, or a model (solved at its parameters' baseline values).
    method
        A name from :func:`method_names`; ``"auto"`` picks one and records
        which in ``result.stats["chosen_by"]``.
    exact
        Re-solve each equilibrium on its support in rational arithmetic and
        certify it (exact regret 0), or note why it could not be certified.
    max_time, max_iter
        Budget; when it runs out the result has ``status="budget-exhausted"``
        and holds what was found so far.
    **options
        Method-specific options (see ``gt.methods()``); unknown ones are errors.

    Returns
    -------
    SolveResult
    """
    game = _as_game(game)
    if getattr(game, "is_symbolic", False):
        raise UnboundParameterError(
            f"the game has unbound parameters {', '.join(game.parameters)}; "
            "bind them first (game.bind(name=value, ...))"
        )
    chosen_by = None
    if method == "auto":
        method, chosen_by = choose_method(game)
    spec = get_method(method)
    reason = spec.reason_not_applicable(game)
    if reason:
        raise MethodNotApplicableError(reason)
    accepted = spec.options_for(game.form)
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        allowed = ", ".join(sorted(accepted)) or "none"
        raise InvalidOptionError(
            f"method {method!r} has no option {unknown[0]!r} (its options: {allowed})"
        )
    if max_iter is not None and not spec.iterative:
        raise InvalidOptionError(f"method {method!r} is not iterative; max_iter does not apply")
    budget = Budget(max_time=max_time, max_iter=max_iter)
    start = time.perf_counter()
    if spec.routes_via_reduced_form(game.form):  # certifies on the reduced normal form
        result = spec.function_for(game.form)(game, budget=budget, exact=exact, **options)
    else:
        result = spec.function_for(game.form)(game, budget=budget, **options)
        if exact:
            from .verify import certify_result

            result = certify_result(result)
    stats = dict(result.stats)
    stats["time"] = time.perf_counter() - start
    if chosen_by is not None:
        stats["chosen_by"] = f"auto: {chosen_by}"
    return replace(result, stats=stats)
