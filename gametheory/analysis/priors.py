"""Priors of a Monte Carlo run: what to sample, validation of the specs and seed, the draws.

A prior spec is ``None`` or ``"uniform"`` (uniform over the declared range), a
distribution name, or a mapping with ``dist`` and that distribution's fields
(:data:`FIELDS`).  Every mistake raises a :class:`~gametheory.GameTheoryError`
whose one-line message names the parameter and the field.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Mapping, Sequence
from statistics import NormalDist
from typing import Any

import numpy as np

from ..exceptions import InvalidOptionError, OutOfRangeWarning
from .grid import InvalidGridError, check_parameter

#: The fields each distribution takes (besides ``dist``).
FIELDS: dict[str, tuple[str, ...]] = {
    "uniform": ("low", "high"),
    "normal": ("mean", "sd", "truncate"),
    "beta": ("a", "b", "low", "high"),
    "triangular": ("low", "mode", "high"),
}
DISTRIBUTIONS = tuple(FIELDS)

#: A truncated normal prior must put at least this much mass in the declared range.
MIN_TRUNCATED_MASS = 1e-3


def check_seed(seed: Any) -> int | None:
    """``None`` or a non-negative integer seed (as ``int``).

    Raises
    ------
    InvalidOptionError
        For anything else (text, a float, a bool, a negative number).
    """
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise InvalidOptionError(f"seed must be a non-negative integer or None, got {seed!r}")
    if seed < 0:
        raise InvalidOptionError(f"seed must be a non-negative integer, got {int(seed)}")
    return int(seed)


def _number(name: str, dist: str, key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidOptionError(
            f"{dist} prior of {name!r}: {key} must be a number, got {value!r}"
        )
    out = float(value)
    if not math.isfinite(out):
        raise InvalidGridError(f"{dist} prior of {name!r}: {key} must be finite, got {value!r}")
    return out


def _spec(name: str, spec: Any) -> dict[str, Any]:
    """The spec as a dict with a valid ``dist`` and only that distribution's fields."""
    if spec is None:
        return {"dist": "uniform"}
    if isinstance(spec, str):
        spec = {"dist": spec}
    if not isinstance(spec, Mapping):
        raise InvalidOptionError(
            f"prior of {name!r} must be a distribution name or a mapping such as "
            f"{{'dist': 'normal', 'mean': 1, 'sd': 0.5}}, got {spec!r} "
            "(to fix a parameter at a value, use at=)"
        )
    dist = spec.get("dist", "uniform")
    if not isinstance(dist, str) or dist not in FIELDS:
        raise InvalidOptionError(
            f"prior of {name!r}: unknown distribution {dist!r}; "
            f"choose from: {', '.join(DISTRIBUTIONS)}"
        )
    for key in spec:
        if key != "dist" and key not in FIELDS[dist]:
            raise InvalidOptionError(
                f"{dist} prior of {name!r}: unknown field {key!r}; "
                f"it takes: dist, {', '.join(FIELDS[dist])}"
            )
    return {**spec, "dist": dist}


def resolve_prior(model: Any, name: str, spec: Any) -> dict[str, Any]:
    """Validate one prior spec and fill in its defaults from the declared parameter.

    Parameters
    ----------
    model
        The model (declared baseline and range of ``name``).
    name
        A declared parameter.
    spec
        Its prior spec (see the module docstring).

    Returns
    -------
    dict
        ``dist`` and every field as floats; a normal prior's ``truncate`` is
        the declared range as ``[low, high]`` or ``None``.

    Raises
    ------
    InvalidOptionError
        Bad type: unknown distribution or field, text where a number belongs.
    InvalidGridError
        Bad value: non-finite numbers, ``sd <= 0``, ``a`` or ``b <= 0``,
        ``low >= high``, a mode outside the bounds, no mass in the range.
    """
    p = model.parameters[name]
    rng = None if p.range is None else (float(p.range[0]), float(p.range[1]))
    spec = _spec(name, spec)
    dist = spec["dist"]
    out: dict[str, Any] = {"dist": dist}
    num = {k: _number(name, dist, k, v) for k, v in spec.items() if k not in ("dist", "truncate")}
    if dist in ("uniform", "beta", "triangular"):
        lo = num.get("low", None if rng is None else rng[0])
        hi = num.get("high", None if rng is None else rng[1])
        if lo is None or hi is None or not lo < hi:
            raise InvalidGridError(
                f"{dist} prior of {name!r} needs low < high (or a declared range), "
                f"got low={lo}, high={hi}"
            )
        if rng is not None and (lo < rng[0] or hi > rng[1]):
            warnings.warn(
                f"{dist} prior of {name!r} on [{lo:g}, {hi:g}] goes outside the declared "
                f"range [{rng[0]:g}, {rng[1]:g}]",
                OutOfRangeWarning,
                stacklevel=4,
            )
        out.update(low=lo, high=hi)
    if dist == "normal":
        _normal(name, p, rng, spec, num, out)
    if dist == "beta":
        a, b = num.get("a"), num.get("b")
        if a is None or b is None or not (a > 0 and b > 0):
            raise InvalidGridError(
                f"beta prior of {name!r} needs a > 0 and b > 0, got a={a}, b={b}"
            )
        out.update(a=a, b=b)
    if dist == "triangular":
        if "mode" in num:
            mode, why = num["mode"], ""
        elif p.value is not None:
            mode, why = float(p.value), " (mode defaults to the baseline)"
        else:
            raise InvalidGridError(f"triangular prior of {name!r} needs mode (no baseline)")
        if not out["low"] <= mode <= out["high"]:
            raise InvalidGridError(
                f"triangular prior of {name!r} needs low <= mode <= high, got "
                f"{out['low']:g} <= {mode:g} <= {out['high']:g}{why}"
            )
        out["mode"] = mode
    return out


def _normal(
    name: str,
    p: Any,
    rng: tuple[float, float] | None,
    spec: Mapping[str, Any],
    num: Mapping[str, float],
    out: dict[str, Any],
) -> None:
    if "mean" in num:
        mean = num["mean"]
    elif p.value is not None:
        mean = float(p.value)
    else:
        raise InvalidGridError(f"normal prior of {name!r} needs mean (no baseline)")
    sd = num.get("sd")
    if sd is None or not sd > 0:
        raise InvalidGridError(f"normal prior of {name!r} needs sd > 0, got sd={sd}")
    truncate = spec.get("truncate", True)
    if not isinstance(truncate, bool):
        raise InvalidOptionError(
            f"normal prior of {name!r}: truncate must be true or false, got {truncate!r}"
        )
    out.update(mean=mean, sd=sd, truncate=None if rng is None or not truncate else list(rng))
    if out["truncate"] is not None:
        dist = NormalDist(mean, sd)
        mass = dist.cdf(rng[1]) - dist.cdf(rng[0])  # type: ignore[index]
        if mass < MIN_TRUNCATED_MASS:
            raise InvalidGridError(
                f"normal prior of {name!r} (mean {mean:g}, sd {sd:g}) puts {mass:.2g} of its "
                f"mass in the declared range [{rng[0]:g}, {rng[1]:g}]; "  # type: ignore[index]
                "move the mean, widen sd, or set truncate: false"
            )


def draw(gen: np.random.Generator, prior: Mapping[str, Any], n: int) -> np.ndarray:
    """``n`` draws from a resolved prior (a normal one truncated by rejection)."""
    d = prior["dist"]
    if d == "uniform":
        return gen.uniform(prior["low"], prior["high"], n)
    if d == "beta":
        return prior["low"] + (prior["high"] - prior["low"]) * gen.beta(prior["a"], prior["b"], n)
    if d == "triangular":
        return gen.triangular(prior["low"], prior["mode"], prior["high"], n)
    x = gen.normal(prior["mean"], prior["sd"], n)
    if prior["truncate"] is not None:  # rejection sampling into the declared range
        lo, hi = prior["truncate"]
        # the mass in range is at least MIN_TRUNCATED_MASS: this many rounds leave
        # a draw out of range with probability below 1e-20 per draw
        out = np.flatnonzero((x < lo) | (x > hi))
        for _ in range(int(50 / MIN_TRUNCATED_MASS)):
            if not out.size:
                break
            y = gen.normal(prior["mean"], prior["sd"], out.size)
            x[out] = y
            out = out[(y < lo) | (y > hi)]
        if out.size:  # pragma: no cover - a failure of probability < 1e-20
            raise InvalidGridError("normal prior puts almost no mass in the declared range")
    return x


def sampled_parameters(
    model: Any,
    priors: Mapping[str, Any] | None,
    parameters: str | Sequence[str] | None,
    at: Mapping[str, Any],
) -> tuple[str, ...]:
    """The parameters to sample, after checking ``priors`` and ``parameters`` against the model.

    Default: those with a prior, else every payoff parameter with a declared
    range that ``at`` does not fix.

    Raises
    ------
    UnknownParameterError, UnusedParameterError
        For a name in ``priors`` or ``parameters`` that is not declared, or
        not used by the payoffs.
    InvalidOptionError
        For a prior on a parameter outside ``parameters``, a name listed twice,
        or a parameter both sampled and fixed by ``at``.
    InvalidGridError
        When nothing is left to sample.
    """
    if priors is not None and not isinstance(priors, Mapping):
        raise InvalidOptionError(
            f"priors maps parameter names to prior specs, got {type(priors).__name__}"
        )
    priors = dict(priors or {})
    used = frozenset(getattr(model.game, "parameters", ()))
    for name in priors:
        check_parameter(model, name, used=used)
    if parameters is None:
        names = [
            p
            for p in model.parameters
            if p in priors
            or (not priors and p in used and p not in at and model.parameters[p].range is not None)
        ]
    else:
        names = [parameters] if isinstance(parameters, str) else list(parameters)
        for name in names:
            check_parameter(model, name, used=used)
        if len(set(names)) != len(names):
            raise InvalidOptionError(f"parameters= lists a parameter twice: {names}")
        for name in priors:
            if name not in names:
                raise InvalidOptionError(
                    f"priors give {name!r}, which is not in parameters=; add it there or "
                    "drop its prior"
                )
    if not names:
        raise InvalidGridError(
            "no parameter to sample: give priors, or declare ranges in the model"
            + (" (at= fixes every parameter that has one)" if at else "")
        )
    for name in names:
        if name in at:
            raise InvalidOptionError(
                f"parameter {name!r} is both sampled and fixed by at=; drop one of the two"
            )
    return tuple(names)
