"""The model commands of ``gametheory``: show, validate, convert.

Thin: parse arguments, call the API, format the output.  The shared argument
types, loading and error handling live in :mod:`gametheory.cli`.  For game
trees ``show`` prints the indented tree (:mod:`gametheory.games.tree_render`)
and ``convert`` writes model files in the tree syntax, ``.efg`` at the
baseline (or ``--set`` values) and the reduced normal form as ``.nfg``.
"""

from __future__ import annotations

import argparse
from typing import Any

from .cli import (
    EXIT_OK,
    CommandError,
    _assignment,
    _collect,
    _display,
    _in_file,
    _load,
    _whole_number,
    _write,
)


def _count(text: str) -> int:
    return _whole_number(text, 0)


def add_model_commands(sub: Any, debug: argparse.ArgumentParser, model_help: str) -> None:
    """Add ``show``, ``validate`` and ``convert`` to the parser."""
    p = sub.add_parser("show", parents=[debug], help="players, strategies, payoffs, parameters",
                       description="Describe a model: players, strategies and payoff table, or "
                                   "the game tree (one line per node), and the parameters.")
    p.add_argument("model", metavar="MODEL", help=model_help)
    p.add_argument("--max-nodes", type=_count, default=200, metavar="N",
                   help="trees: show at most N nodes (default: 200; 0 for all)")
    p.add_argument("--depth", type=_count, default=None, metavar="N",
                   help="trees: show nodes down to depth N only (the root is at depth 0)")
    p.set_defaults(handler=_cmd_show)

    p = sub.add_parser("validate", parents=[debug], help="check a model file (exit 0 when valid)")
    p.add_argument("model", metavar="MODEL", help=model_help)
    p.add_argument("--strict", action="store_true",
                   help="also refuse baseline values outside their declared ranges")
    p.set_defaults(handler=_cmd_validate)

    p = sub.add_parser("convert", parents=[debug], help="convert between model formats",
                       description="Convert a model between .yaml/.yml/.json/.nfg/.efg "
                                   "(formats chosen by extension).")
    p.add_argument("input", metavar="IN", help=model_help)
    p.add_argument("output", metavar="OUT", help="file to write (format by extension)")
    p.add_argument("--set", dest="assignments", action="append", default=[], type=_assignment,
                   metavar="NAME=VALUE",
                   help="give a parameter this value (repeatable): the value written to "
                        ".yaml/.json, the value bound in .nfg/.efg (which hold numbers only; "
                        "without --set they hold the payoffs at the baseline)")
    p.set_defaults(handler=_cmd_convert)


def _cmd_show(args: argparse.Namespace) -> int:
    from .exceptions import GameTheoryError
    from .io.report import show_model

    model = _load(args.model)
    try:
        text = show_model(model)
        if model.form == "extensive":
            text = text.rstrip("\n") + "\n\n" + _show_tree(model, args.max_nodes, args.depth)
    except GameTheoryError as exc:
        raise _in_file(args.model, exc) from exc
    _write(text)
    return EXIT_OK


def _show_tree(model: Any, max_nodes: int, depth: int | None) -> str:
    """The indented tree of an extensive-form model, values at the baseline beside formulas."""
    from .exceptions import GameTheoryError
    from .games.tree_render import render_tree, tree_summary

    game = model.game
    head = f"tree: {tree_summary(game)}"
    values = None
    if game.is_symbolic:
        try:
            values = model.baseline_game()
            head += "; values at the baseline after '='"
        except GameTheoryError as exc:  # show the tree as written, and why values are missing
            head += f"; no values at the baseline ({exc})"
    lines = render_tree(game, values, max_nodes=max_nodes or None, max_depth=depth)
    if lines[-1].startswith("... "):
        lines[-1] += "; see --max-nodes and --depth"
    return "\n".join([head, *lines]) + "\n"


def _cmd_validate(args: argparse.Namespace) -> int:
    from .exceptions import GameTheoryError

    model = _load(args.model, strict=args.strict)
    try:
        model.resolve(strict=args.strict)
        game = model.baseline_game()
        game.float_payoffs()  # every payoff evaluates to a finite number at the baseline
        if game.form == "extensive":
            game.float_probabilities()
    except GameTheoryError as exc:
        raise _in_file(args.model, exc) from exc
    shape = " x ".join(str(m) for m in getattr(game, "shape", ()))
    n_par = len(model.parameters)
    detail = f"{game.form} form, {game.num_players} players"
    if shape:
        detail += f", {shape} strategies"
    if game.form == "extensive":
        from .games.tree_render import tree_summary

        detail += f", {tree_summary(game)}"
    detail += f", {n_par} parameter{'' if n_par == 1 else 's'}"
    _write(f"{_display(args.model)}: valid ({detail})")
    return EXIT_OK


def _cmd_convert(args: argparse.Namespace) -> int:
    from .exceptions import GameTheoryError
    from .io import format_of, save

    values = _collect(args.assignments)
    try:
        fmt = "yaml" if args.output == "-" else format_of(args.output)
    except GameTheoryError as exc:
        raise _in_file(args.output, exc) from exc
    model = _load(args.input)
    if fmt == "efg" and model.form != "extensive":
        raise CommandError(f"{args.output}: a {model.form}-form game cannot be written as .efg; "
                           "write .nfg, .yaml or .json")
    try:
        if values:
            model = _with_values(model, values)
        if fmt == "nfg" and model.form == "extensive":
            model = _reduced_normal_form(model)
        elif fmt in ("nfg", "efg"):  # numbers only: written at the (possibly --set) baseline
            model.baseline_game()
    except GameTheoryError as exc:
        raise _in_file(args.input, exc) from exc
    try:
        save(model, args.output)
    except GameTheoryError as exc:
        raise _in_file(args.output, exc) from exc
    except OSError as exc:
        raise CommandError(f"{args.output}: cannot write: {exc.strerror or exc}") from exc
    return EXIT_OK


def _reduced_normal_form(model: Any) -> Any:
    """A tree model as the reduced normal form of its game at the baseline (for ``.nfg``)."""
    from .games.model import Model

    rnf = model.baseline_game().to_normal_form()
    note = ("Reduced normal form of the game tree: a strategy names the action at each "
            "information set of the player, * where an earlier own action excludes it.")
    if model.parameters:
        note += " Payoffs at the parameter values: " + ", ".join(
            f"{k} = {v}" for k, v in model.baseline().items())
    text = (model.description.rstrip() + "\n\n" if model.description else "") + note
    return Model(game=rnf.game, title=model.title, description=text)


def _with_values(model: Any, values: dict[str, Any]) -> Any:
    """The model with these parameter values as its baseline (checked like ``--set``)."""
    import dataclasses

    from .games.model import Model
    from .io.file_model import FileModel

    merged = model.resolve(**values)
    params = {name: dataclasses.replace(p, value=merged[name])
              for name, p in model.parameters.items()}
    texts = {"title": model.title, "description": model.description,
             "source_file": model.source_file}
    if isinstance(model, FileModel) and model.program is not None:
        return FileModel(parameters=params, program=model.program, **texts)
    return Model(game=model.game, parameters=params, **texts)
