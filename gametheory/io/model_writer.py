"""Writing models and games as YAML or JSON model files."""

from __future__ import annotations

import itertools
import json
from fractions import Fraction
from typing import Any

import numpy as np

from ..exceptions import InvalidGameError
from ..params import Expression, ExpressionError, format_expression


def _value(v: Any) -> Any:
    """Plain data for one payoff or parameter value."""
    if isinstance(v, (bool, np.bool_)):
        raise InvalidGameError(f"payoff {v!r} is a boolean, not a number")
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, Fraction):
        return int(v) if v.denominator == 1 else str(v)
    if isinstance(v, (float, np.floating)):
        return float(v)
    if isinstance(v, Expression):
        return v.text()
    try:
        text = format_expression(v)
    except ExpressionError as exc:
        raise InvalidGameError(str(exc)) from None
    if getattr(v, "is_Rational", False):
        return int(text) if getattr(v, "is_Integer", False) else text
    return text


def _entries(obj: Any) -> tuple[Any, Any, np.ndarray]:
    """(model or None, labels source, payoff entries) of a Model or NormalFormGame."""
    from ..games.model import Model
    from .file_model import FileModel

    if isinstance(obj, FileModel) and obj.program is not None:
        return obj, obj.program, obj.program.entries()
    if getattr(obj, "form", None) not in ("normal", None):
        raise InvalidGameError(f"cannot write a {obj.form}-form game as a model file")
    if isinstance(obj, Model):
        return obj, obj.game, np.asarray(obj.game.payoff_array)
    if getattr(obj, "form", None) == "normal":
        if obj.is_symbolic:
            raise InvalidGameError("the game has unbound parameters "
                                   f"{', '.join(obj.parameters)}; save a Model (which declares "
                                   "them) or bind the game first")
        return None, obj, np.asarray(obj.payoff_array)
    raise InvalidGameError(f"cannot write a {type(obj).__name__} as a model file")


def model_to_data(obj: Any) -> dict[str, Any]:
    """Plain data (dicts, lists, numbers, text) of a model file for ``obj``.

    Two-player games use the ``matrix`` form; other games the ``profiles`` form;
    trees the ``tree`` syntax (see :mod:`.tree_writer`).
    """
    if getattr(obj, "form", None) == "extensive":
        from .tree_writer import tree_model_data

        return tree_model_data(obj)
    model, labels, entries = _entries(obj)
    title = model.title if model is not None and model.title else getattr(labels, "title", "")
    data: dict[str, Any] = {}
    if title:
        data["title"] = title
    if model is not None and model.description:
        data["description"] = model.description
    if model is not None and model.parameters:
        data["parameters"] = {name: _param_fields(p) for name, p in model.parameters.items()}
    players = list(labels.players)
    strategies = [list(s) for s in labels.strategies]
    data["players"] = players
    data["strategies"] = dict(zip(players, strategies))
    flat = np.asarray(entries, dtype=object)
    n = len(players)
    if n == 2:
        data["payoffs"] = {"matrix": {
            r: {c: [_value(flat[0, i, j]), _value(flat[1, i, j])]
                for j, c in enumerate(strategies[1])}
            for i, r in enumerate(strategies[0])}}
    else:
        rows = []
        for idx in itertools.product(*(range(len(s)) for s in strategies)):
            rows.append({
                "profile": {p: strategies[i][k] for i, (p, k) in enumerate(zip(players, idx))},
                "payoffs": [_value(flat[(i, *idx)]) for i in range(n)],
            })
        data["payoffs"] = {"profiles": rows}
    return data


def _param_fields(p: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"value": _value(p.value)}
    if p.range is not None:
        out["range"] = [_value(x) for x in p.range]
    if p.description:
        out["description"] = p.description
    if p.source:
        out["source"] = p.source
    return out


def dump_json(data: dict[str, Any]) -> str:
    """JSON text of model data (short lists, such as payoff vectors, kept on one line)."""
    return _json(data, 0) + "\n"


def _json(value: Any, level: int) -> str:
    if isinstance(value, list) and all(not isinstance(x, (list, dict)) for x in value):
        text = json.dumps(value, ensure_ascii=False)
        if len(text) <= 80:
            return text
    if not isinstance(value, (list, dict)) or not value:
        return json.dumps(value, ensure_ascii=False)
    pad, inner = "  " * level, "  " * (level + 1)
    if isinstance(value, list):
        items = [inner + _json(x, level + 1) for x in value]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    items = [f"{inner}{json.dumps(str(k), ensure_ascii=False)}: {_json(v, level + 1)}"
             for k, v in value.items()]
    return "{\n" + ",\n".join(items) + "\n" + pad + "}"


def dump_yaml(data: dict[str, Any]) -> str:
    """YAML text of model data: block mappings, payoff vectors in flow style."""
    import yaml

    base = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

    class _Dumper(base):  # type: ignore[misc, valid-type]
        pass

    def represent_list(dumper: Any, items: list) -> Any:
        flow = (all(not isinstance(x, (list, dict)) for x in items)
                 and sum(len(str(x)) + 2 for x in items) <= 60)
        return dumper.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=flow)

    def represent_str(dumper: Any, text: str) -> Any:
        style = "|" if "\n" in text else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)

    _Dumper.add_representer(list, represent_list)
    _Dumper.add_representer(str, represent_str)
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100,
                     default_flow_style=False)
