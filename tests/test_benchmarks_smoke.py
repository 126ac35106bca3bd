"""The benchmark case generators are deterministic for a seed (no peers are run here)."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import cases  # noqa: E402


def _same(a: tuple[np.ndarray, ...], b: tuple[np.ndarray, ...]) -> bool:
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))


@pytest.mark.parametrize(
    "make",
    [
        lambda seed: cases.random_bimatrix(7, seed),
        lambda seed: cases.random_bimatrix(3, seed, m=5),
        lambda seed: cases.random_zero_sum(6, seed),
        lambda seed: cases.random_nplayer((3, 2, 4), seed),
    ],
)
def test_generators_repeat_for_a_seed_and_differ_across_seeds(make):
    first, again, other = make(11), make(11), make(12)
    assert _same(first, again)
    assert not _same(first, other)


def test_generated_games_have_the_documented_form():
    a, b = cases.random_bimatrix(4, 0, m=6)
    assert a.shape == b.shape == (4, 6)
    assert a.dtype == b.dtype == np.float64
    for x in (a, b):
        assert np.all(x == np.round(x))
        assert x.min() >= cases.PAYOFF_LOW and x.max() < cases.PAYOFF_HIGH
    z = cases.random_zero_sum(5, 0)
    assert np.array_equal(z[0] + z[1], np.zeros((5, 5)))
    arrays = cases.random_nplayer((2, 3, 2, 2), 0)
    assert len(arrays) == 4 and all(x.shape == (2, 3, 2, 2) for x in arrays)


def test_same_game_in_a_fresh_process():
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); "
        "import json; from benchmarks.cases import random_bimatrix; "
        "print(json.dumps(random_bimatrix(6, 1234)[1].tolist()))"
    )
    out = subprocess.run([sys.executable, "-c", code, str(ROOT)], capture_output=True,
                         text=True, check=True)
    assert json.loads(out.stdout) == cases.random_bimatrix(6, 1234)[1].tolist()


@pytest.mark.parametrize("key", sorted(cases.GROUPS))
@pytest.mark.parametrize("quick", [True, False])
def test_instances_are_deterministic(key, quick):
    group = cases.GROUPS[key]
    first = cases.instances(group, quick=quick, seeds=2)
    again = cases.instances(group, quick=quick, seeds=2)
    assert [(i.size, i.seed) for i in first] == [(i.size, i.seed) for i in again]
    assert all(_same(x.arrays, y.arrays) for x, y in zip(first, again))
    sizes = group.quick_sizes if quick else group.sizes
    assert len(first) == 2 * len(sizes)
    assert len({i.seed for i in first}) == len(first)  # every game has its own seed


def test_seeds_do_not_collide_across_groups():
    seeds = [i.seed for g in cases.GROUPS.values() for i in cases.instances(g, seeds=3)]
    assert len(seeds) == len(set(seeds))


def _pure_equilibria_brute(arrays: tuple[np.ndarray, ...]) -> int:
    shape = arrays[0].shape
    count = 0
    for profile in itertools.product(*(range(m) for m in shape)):
        stable = True
        for i, a in enumerate(arrays):
            line = list(profile)
            line[i] = slice(None)
            if a[profile] < a[tuple(line)].max():
                stable = False
                break
        count += stable
    return count


def test_has_pure_equilibrium_matches_brute_force():
    verdicts = []
    for seed in range(40):
        arrays = cases.random_nplayer((2, 3, 2), seed)
        verdicts.append(cases.has_pure_equilibrium(arrays))
        assert verdicts[-1] == (_pure_equilibria_brute(arrays) > 0)
    assert any(verdicts) and not all(verdicts)  # both cases were exercised


def test_pure_group_games_have_a_pure_equilibrium():
    for inst in cases.instances(cases.GROUPS["pure"]):
        assert _pure_equilibria_brute(inst.arrays) >= 1


def test_cli_game_is_the_12x12_case_of_the_all_equilibria_group():
    group = cases.GROUPS["all-equilibria"]
    twelve = next(i for i in cases.instances(group) if i.size == "12x12")
    assert _same(cases.cli_nfg_arrays(), twelve.arrays)
