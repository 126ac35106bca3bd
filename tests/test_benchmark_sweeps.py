"""The sweep benchmark group: its references, checks, measurements and quick report."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import gametheory as gt  # noqa: E402
from benchmarks import sweep_peers as sp  # noqa: E402
from benchmarks.group_report import GroupReport  # noqa: E402
from benchmarks.sweep_process import CpuMeter, check_pure_csv, run_measured  # noqa: E402


def _sorted(a):
    return a[np.lexsort(a.T[::-1])]


@pytest.fixture(scope="module")
def three_player():
    model, base, slope = sp.affine_game(5, (2, 3, 2))
    return sp.SweepCase("3 players", model, base, slope, np.linspace(-2, 2, 401))


def test_affine_game_is_seeded_and_matches_its_arrays():
    model, base, slope = sp.affine_game(3, (2, 3))
    again = sp.affine_game(3, (2, 3))
    assert np.array_equal(base, again[1]) and np.array_equal(slope, again[2])
    assert not np.array_equal(base, sp.affine_game(4, (2, 3))[1])
    bound = model.bind(theta=0.75)
    want = base + slope * 0.75
    for i, arr in enumerate(bound.float_payoffs()):
        assert np.array_equal(arr, want[i])


def test_bare_numpy_finds_our_pure_equilibria(three_player):
    case = three_player
    res = gt.sweep(case.model, {"theta": case.grid}, method="pure")
    hits = sp.bare_pure_equilibria(case.base.astype(float), case.slope.astype(float), case.grid)
    bare = np.stack(hits, axis=1)
    assert len(bare) > len(case.grid) // 2
    assert np.array_equal(_sorted(sp.pure_rows_of(res)), _sorted(bare))


def test_bare_numpy_counts_rounded_ties_as_ties():
    # u = theta * 3 against 0.3 * 3 at theta = 0.3 (one rounding apart): a tie
    base = np.zeros((2, 2, 1))
    slope = np.zeros((2, 2, 1))
    slope[0, 0, 0] = 3.0
    base[0, 1, 0] = 0.9
    hits = sp.bare_pure_equilibria(base, slope, np.array([0.3, 0.5]))
    assert list(zip(hits[0].tolist(), hits[1].tolist())) == [(0, 0), (0, 1), (1, 0)]


def test_pygambit_loops_agree_with_our_sweeps(three_player):
    # theta values that are no small-denominator fraction: no payoff ties (which pygambit's
    # exact float comparisons may break by rounding, and our tolerance keeps)
    grid = np.linspace(-1.9937, 1.9937, 401)
    case = sp.SweepCase("sampled", three_player.model, three_player.base, three_player.slope,
                        grid, np.arange(0, 401, 40))
    loop = sp.gambit_enumpure_loop()
    out = loop.profiles(loop.call(loop.prepare(case)), case)[0]
    res = gt.sweep(case.model, {"theta": case.grid}, method="pure")
    ours = sp.pure_rows_of(res)
    ours = ours[np.isin(ours[:, 0], case.sampled)]
    assert out["solve"] > 0 and out["build"] > 0
    assert np.array_equal(_sorted(ours), _sorted(out["pure"]))

    model, base, slope = sp.affine_game(11, (3, 3))
    mixed = sp.SweepCase("mixed", model, base, slope, np.linspace(-1.9, 1.9, 30))
    loop = sp.gambit_enummixed_loop()
    theirs = loop.profiles(loop.call(loop.prepare(mixed)), mixed)[0]["mixed"]
    mine = sp.mixed_sets_of(gt.sweep(model, {"theta": mixed.grid}))
    assert sorted(mine) == sorted(theirs) == list(range(30))
    assert any(len(v) > 1 for v in mine.values())
    assert all(sp.same_sets(mine[k], theirs[k]) for k in range(30))


def test_same_sets_ignores_order_not_content():
    a = np.array([[1.0, 0.0], [0.25, 0.75]])
    assert sp.same_sets(a, a[::-1])
    assert sp.same_sets(a, a + 1e-8)
    assert not sp.same_sets(a, a + 1e-4)
    assert not sp.same_sets(a, a[:1])
    assert not sp.same_sets(np.array([[1.0, 0.0], [1.0, 0.0]]), a)  # each matched once


def test_digest_is_bit_exact(three_player):
    case = three_player
    a = gt.sweep(case.model, {"theta": case.grid}, method="pure")
    b = gt.sweep(case.model, {"theta": case.grid}, method="pure", chunk_size=7)
    assert sp.digest(a) == sp.digest(b)
    b.probs[0, 0] = np.nextafter(b.probs[0, 0], 2.0)
    assert sp.digest(a) != sp.digest(b)


def test_csv_check_accepts_the_streamed_file_and_catches_changes(tmp_path, three_player):
    case = three_player
    path = tmp_path / "sweep.csv"
    gt.sweep(case.model, {"theta": case.grid}, method="pure", out=path, chunk_size=50)
    rows, problems = check_pure_csv(path, case.base, case.slope, case.grid)
    assert problems == [] and rows > len(case.grid) // 2
    lines = path.read_text().splitlines()
    del lines[5]
    path.write_text("\n".join(lines) + "\n")
    _, problems = check_pure_csv(path, case.base, case.slope, case.grid)
    assert problems and "numpy finds" in problems[0]


def test_run_measured_reports_the_child_alone():
    big = run_measured([sys.executable, "-c", "b = bytearray(300 * 2**20); print(len(b))"],
                       cwd=str(ROOT), timeout=60)
    assert big["code"] == 0 and big["stdout"].strip() == str(300 * 2**20)
    assert big["peak_rss_mb"] >= 300
    small = run_measured([sys.executable, "-S", "-c", "pass"], cwd=str(ROOT), timeout=60)
    assert small["code"] == 0 and small["peak_rss_mb"] < 100  # not this (big) process's size
    failed = run_measured([sys.executable, "-c", "import sys; sys.exit('boom')"],
                          cwd=str(ROOT), timeout=60)
    assert failed["code"] == 1 and failed["stderr_tail"] == "boom"
    slow = run_measured([sys.executable, "-c", "import time; time.sleep(30)"],
                        cwd=str(ROOT), timeout=0.5)
    assert slow["timeout"] and slow["seconds"] < 10


def test_cpu_meter_counts_a_process_it_did_not_reap():
    meter = CpuMeter()
    meter.start()
    spin = subprocess.Popen([sys.executable, "-c",
                             "import time\nt = time.time()\nwhile time.time() - t < 1.5: pass"])
    time.sleep(1.0)
    meter.stop()  # the spinning child is not reaped yet: its CPU time is someone else's
    spin.wait()
    assert meter.wall >= 1.0
    assert meter.cores is not None and meter.cores >= 0.3


@pytest.fixture(scope="module")
def quick_report():
    from benchmarks import sweep_cases

    messages: list[str] = []
    rep = sweep_cases.run(True, 10.0, messages.append)
    return rep, messages


def test_quick_group_report_structure(quick_report):
    rep, messages = quick_report
    assert isinstance(rep, GroupReport)
    assert rep.key == "sweeps" and rep.title.startswith("Parameter sweeps")
    assert len(rep.targets) == 5
    for target, measured, met in rep.targets:
        assert "10,000" in target or "1,000" in target
        assert met is None  # quick run: targets not measured at their size
        assert "quick run" in measured
    for heading in ("### All pure equilibria, 4 players", "### All equilibria, 2 players",
                    "### Streaming a sweep to CSV (command line)",
                    "### Process backend against serial"):
        assert heading in rep.markdown
    assert "Load average" in rep.markdown
    assert any("round 2" in m for m in messages)


def test_quick_group_report_checks_agree(quick_report):
    rep, _ = quick_report
    md = rep.markdown
    assert "same equilibria as ours at every point" in md
    assert "same equilibria as ours at the 50 points" in md
    assert "same equilibrium sets as ours at all 200 points" in md
    assert md.count("every row is the equilibrium numpy finds at its point") == 2
    assert md.count("bit-identical to serial") == 2
    rows = [line for line in md.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) > 10
    for line in rows:
        check = line.rstrip(" |").split(" | ")[-1]
        assert not check.startswith("**"), line  # a problem flagged on one of our rows
        assert "Error" not in line and "timeout (>" not in line, line


def test_runner_knows_the_group():
    from benchmarks import run

    assert run.MODULE_GROUPS["sweeps"] == "benchmarks.sweep_cases"
    args = run.parse_args(["--quick", "--only", "sweeps"])
    assert args.only == ["sweeps"]
