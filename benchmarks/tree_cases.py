"""The extensive-form benchmark group (issue 4's targets), side by side with the peers.

``run(quick, timeout, log)`` times, on seeded trees and the poker games:

1. backward induction: a 1,000,000-node perfect-information tree in fresh
   processes (time from the arrays to the verified result, and peak memory),
   a 100,000-node tree against a plain numpy backward induction, and small
   trees against pygambit (which has no subgame-perfect method: its outputs
   are counted as subgame perfect or not);
2. the zero-sum sequence-form LP on Kuhn and Leduc poker against a bare
   HiGHS solve of the same LP and pygambit's ``lp_solve``;
3. sequence-form Lemke on random trees with chance and information sets
   against pygambit's ``lcp_solve``;
4. reading a 10 MB ``.efg`` file, ours and pygambit's.

It returns a :class:`~benchmarks.group_report.GroupReport`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from . import tree_games as tg
from . import tree_peers as tp
from .group_report import GroupReport
from .harness import Measurement, measure
from .peers import Adapter
from .tree_memory import run_fresh
from .tree_report import TreeRow, check_facts, check_profiles, seconds, set_ratios, table

KEY = "trees"
TITLE = "Extensive form: backward induction, sequence-form LP and Lemke, .efg reading"
ROOT = Path(__file__).resolve().parent.parent
BUDGET = 3.0  # seconds of timed calls after which no further repeat starts

#: Seeds of the generated trees (fixed: a case is reproducible from its size and seed).
SEED_BIG, SEED_MID, SEED_SMALL, SEED_EFG = 1, 2, 3, 4
LCP_SEEDS = {100: (101, 102, 103), 600: (601, 602)}
#: Nodes of the generated ``.efg`` file: about 10 MB of text (about 1 MB in quick runs).
EFG_NODES, EFG_NODES_QUICK = 370_000, 37_000

Log = Callable[[str], None]


def _efg_text(game: Any) -> str:
    from gametheory.io.efg_writer import write_efg

    return write_efg(game)


def _measure_rows(case: tp.TreeCase, adapters: list[Adapter], *, repeats: int, timeout: float,
                  log: Log) -> list[TreeRow]:
    rows = []
    for a in adapters:
        log(f"  trees {case.size}: {a.name}")
        m = measure(a, case, repeats=repeats, timeout=timeout, budget=BUDGET)  # type: ignore[arg-type]
        rows.append(TreeRow(case.size, a.name, a.is_ours, m))
    return rows


def _warm(adapters: list[Adapter], case: tp.TreeCase) -> None:
    for a in adapters:
        if a.unavailable() is None:
            a.warm(case)  # type: ignore[arg-type]


def _log_rows(rows: list[TreeRow], log: Log) -> None:
    log("    " + ", ".join(
        f"{r.name}=" + (f"{r.median * 1e3:.1f} ms" if r.median else r.measurement.status)
        + (f" [{'; '.join(r.problems)}]" if r.problems else "") for r in rows))


# ---------------------------------------------------------------------- backward induction
def _pi_case(nodes: int, seed: int, with_efg: bool) -> tuple[tp.TreeCase, np.ndarray]:
    tree = tg.random_pi_arrays(nodes, seed)
    game = tree.game()
    _, choice = tp.numpy_backward_induction(tree.parent, tree.mover, tree.payoffs,
                                            tree.chance_probs)
    spe = tp.reference_vector(game, tree, choice)
    case = tp.TreeCase("bi", f"{tree.num_nodes:,} nodes", game, tree,
                       _efg_text(game) if with_efg else None)
    return case, spe


def _fresh_rows(nodes: int, tmp: Path, runs: int, timeout: float, log: Log) -> list[TreeRow]:
    tree = tg.random_pi_arrays(nodes, SEED_BIG)
    path = tmp / "big_tree.npz"
    np.savez(path, parent=tree.parent, mover=tree.mover, payoffs=tree.payoffs,
             chance_probs=tree.chance_probs)
    label = f"{tree.num_nodes:,} nodes (fresh process)"
    rows, roots = [], []
    for impl, name in (("ours", "ours: from_arrays + backward-induction"),
                       ("numpy", "plain numpy backward induction")):
        log(f"  trees {label}: {name}")
        outs = [run_fresh(str(path), impl, timeout, ROOT) for _ in range(runs)]
        done = [o for o in outs if "error" not in o]
        m = Measurement("ok" if done else "error", times=[o["seconds"] for o in done],
                        message=next((o["error"] for o in outs if "error" in o), ""))
        row = TreeRow(label, name, impl == "ours", m)
        if done:
            growth = max(o["growth_mb"] for o in done)
            peak = max(o["peak_rss_mb"] for o in done)
            before = done[0]["rss_before_mb"]
            row.facts.append(f"peak memory +{growth:,.0f} MB over the {before:,.0f} MB before "
                             f"building (peak RSS {peak:,.0f} MB)")
            row.measurement.info = f"one run per fresh process ({len(done)})"
            row.results = done[0]["equilibria"]
            roots.append(np.array(done[0]["root"]))
            if impl == "ours":
                row.regret = done[0]["regret"]
                if done[0]["status"] != "ok" or done[0]["equilibria"] != 1:
                    row.problems.append(f"status {done[0]['status']}, "
                                        f"{done[0]['equilibria']} equilibria")
        rows.append(row)
    if len(roots) == 2 and not np.allclose(roots[0], roots[1], rtol=1e-12, atol=1e-12):
        rows[0].problems.append("root payoffs differ from the numpy reference")
    elif len(roots) == 2:
        rows[0].facts.append("root payoffs = numpy reference's")
    return rows


def backward_induction(quick: bool, timeout: float, repeats: int, tmp: Path,
                       log: Log) -> tuple[list[str], list[tuple[str, str, bool | None]]]:
    """The backward-induction rows and target."""
    big = 20_000 if quick else 1_000_000
    rows = _fresh_rows(big, tmp, 1 if quick else 3, timeout, log)
    tiny, _ = _pi_case(30, 0, True)
    ours_arrays, ref = tp.ours_bi_from_arrays(), tp.numpy_bi()
    ours_built = tp.ours_solve("backward-induction")
    g_lcp, g_agent = tp.gambit_lcp(), tp.gambit_enumpure_agent()
    _warm([ours_arrays, ours_built, ref, g_lcp, g_agent], tiny)
    sizes = [(10_000 if quick else 100_000, SEED_MID, [ours_arrays, ours_built, ref]),
             (20 if quick else 25, SEED_SMALL, [ours_arrays, ref, g_lcp, g_agent]),
             (100 if quick else 1_000, SEED_SMALL, [ours_arrays, ref, g_lcp])]
    for nodes, seed, impls in sizes:
        case, spe = _pi_case(nodes, seed, any(not a.is_ours and a is not ref for a in impls))
        new = _measure_rows(case, impls, repeats=repeats, timeout=timeout, log=log)
        for r in new:
            check_profiles(r, case.game, spe=spe, nash_required=r.is_ours)
        _log_rows(new, log)
        rows += new
    set_ratios(rows)
    t_ours = rows[0].median
    growth = _growth(rows[0])
    met = (None if quick or t_ours is None or growth is None
           else bool(t_ours < 2.0 and growth < 500 and rows[0].ok))
    text = (f"{rows[0].game}: ours {seconds(t_ours)}, peak memory +{growth or 0:,.0f} MB; "
            f"plain numpy {seconds(rows[1].median)}")
    if quick:
        text += " (quick run: target size not measured)"
    target = ("Backward induction on a random perfect-information tree with 1,000,000 nodes: "
              "< 2 s and < 500 MB peak memory, building the tree included")
    md = ["### Backward induction (perfect information, chance moves)", "",
          "Random trees (2-3 children, 30% terminal, 10% chance nodes, two players, payoffs "
          "uniform in [0, 1), so the subgame-perfect equilibrium is unique), given as arrays "
          "in breadth-first order (`benchmarks/tree_games.py`). The large tree is solved in "
          "fresh processes: one solve each after loading the arrays and a warm-up solve of a "
          "tiny tree; time from the arrays to the verified result; memory is the peak resident "
          "set size (`getrusage(RUSAGE_SELF).ru_maxrss`) minus the resident set size just "
          "before building. pygambit has no subgame-perfect method; its outputs are checked "
          "against the unique subgame-perfect profile (the numpy reference's choices).", "",
          table(rows, "ours (from arrays)"), ""]
    return md, [(target, text, met)]


def _growth(row: TreeRow) -> float | None:
    for f in row.facts:
        if f.startswith("peak memory +"):
            return float(f.split("+")[1].split(" MB")[0].replace(",", ""))
    return None


# ---------------------------------------------------------------------- sequence-form LP
def zero_sum_lp(quick: bool, timeout: float, repeats: int,
                log: Log) -> tuple[list[str], list[tuple[str, str, bool | None]]]:
    """The sequence-form LP rows and targets."""
    ours, bare, gb = tp.ours_solve("lp"), tp.bare_highs(), tp.gambit_lp()
    kuhn = tg.kuhn_poker()
    _warm([ours, bare, gb], tp.TreeCase("lp", "Kuhn", kuhn, efg_text=_efg_text(kuhn)))
    rows: list[TreeRow] = []
    targets = []
    for name, game, value, with_gambit in (
        ("Kuhn poker", kuhn, -1 / 18, True),
        ("Leduc poker", tg.leduc_poker(), None, not quick),
    ):
        players = int((np.asarray(game.infoset_player) >= 0).sum())
        case = tp.TreeCase("lp", f"{name} ({game.num_nodes:,} nodes, {players} infosets)", game,
                           efg_text=_efg_text(game) if with_gambit else None)
        impls = [ours, bare] + ([gb] if with_gambit else [])
        new = _measure_rows(case, impls, repeats=repeats, timeout=timeout, log=log)
        ref = value
        if ref is None and new[1].ok and new[1].measurement.profiles:
            from gametheory.games.behavior import expected_payoffs

            ref = float(expected_payoffs(game, new[1].measurement.profiles[0])[0])
        for r in new:
            check_profiles(r, game, value=ref)
        if name.startswith("Leduc") and ref is not None and abs(ref + 0.0856) > 5e-4:
            new[0].problems.append(f"value {ref:.4f}, expected about -0.0856")
        set_ratios(new)
        _log_rows(new, log)
        rows += new
        t0, tb = new[0].median, new[1].median
        met = None if t0 is None or tb is None else bool(t0 <= 1.5 * tb and new[0].ok)
        gtext = (f"; pygambit lp_solve {seconds(new[2].median)}" if with_gambit and new[2].median
                 else (f"; pygambit {new[2].measurement.message}" if with_gambit else ""))
        targets.append((f"Zero-sum sequence-form LP, {name}: within 1.5× of a bare HiGHS solve "
                        "of the same LP",
                        f"ours {_ms(t0)}, bare HiGHS {_ms(tb)}"
                        + (f" (ours / bare = {t0 / tb:.2f})" if t0 and tb else "") + gtext,
                        met))
    md = ["### Zero-sum sequence-form LP (poker)", "",
          "Kuhn poker (3 cards) and Leduc hold'em (6 cards: J, Q, K in two suits; raises 2 "
          "then 4, at most two per round), cards dealt one at a time (`benchmarks/tree_games.py`)."
          " Ours is timed from the game object (perfect-recall check, sequence form, LP "
          "arrays, HiGHS, behaviour strategies, regret verification); the bare solve from the "
          "LP arrays. Values are checked: Kuhn -1/18, Leduc against the bare solve's and "
          "about -0.0856.", "", table(rows), ""]
    return md, targets


def _ms(t: float | None) -> str:
    return "—" if t is None else f"{t * 1e3:.1f} ms"


# ---------------------------------------------------------------------- sequence-form Lemke
def lemke(quick: bool, timeout: float, repeats: int,
          log: Log) -> tuple[list[str], list[tuple[str, str, bool | None]]]:
    """The sequence-form Lemke rows and targets."""
    ours, gb = tp.ours_solve("lcp"), tp.gambit_lcp()
    tiny = tg.random_imperfect_tree(20, 0)
    _warm([ours, gb], tp.TreeCase("lcp", "tiny", tiny, efg_text=_efg_text(tiny)))
    rows: list[TreeRow] = []
    targets = []
    plan = {100: LCP_SEEDS[100][:1]} if quick else LCP_SEEDS
    for nodes, seeds in plan.items():
        speedups: list[float] = []
        lower: list[bool] = []
        mine: list[TreeRow] = []
        theirs: list[TreeRow] = []
        for seed in seeds:
            game = tg.random_imperfect_tree(nodes, seed)
            case = tp.TreeCase("lcp", f"random {game.num_nodes} nodes (seed {seed})", game,
                               efg_text=_efg_text(game))
            new = _measure_rows(case, [ours, gb], repeats=repeats, timeout=timeout, log=log)
            for r in new:
                check_profiles(r, game)
            set_ratios(new)
            _log_rows(new, log)
            rows += new
            mine.append(new[0])
            theirs.append(new[1])
            t0, tg_ = new[0].median, new[1].median
            if t0 and new[0].ok and tg_:
                speedups.append(tg_ / t0)
                lower.append(False)
            elif t0 and new[0].ok and new[1].measurement.status == "timeout":
                speedups.append(timeout / t0)
                lower.append(True)
        if not speedups:
            targets.append((f"Sequence-form Lemke, random trees of ~{nodes} nodes: ≥ 10× faster "
                            "than pygambit lcp_solve, verified", "not measured", None))
            continue
        parts = [f"{'≥ ' if lo else ''}{s:,.1f}×" for s, lo in zip(speedups, lower)]
        worst = min(speedups)
        verified = all(r.ok for r in mine)
        met = None if quick else bool(worst >= 10 and len(speedups) == len(seeds) and verified)
        gm = float(np.exp(np.mean(np.log(speedups))))
        regret_ours = max((r.regret for r in mine if r.regret is not None), default=None)
        regret_theirs = max((r.regret for r in theirs if r.regret is not None), default=None)
        check = ("ours verified on every tree" if verified
                 else "ours NOT verified on every tree") + (
            f" (max regret {regret_ours:.1e}" if regret_ours is not None else " (") + (
            f"; pygambit's {regret_theirs:.1e})" if regret_theirs is not None else ")")
        targets.append((f"Sequence-form Lemke, random trees of ~{nodes} nodes: ≥ 10× faster than "
                        "pygambit lcp_solve(use_strategic=False), result verified",
                        f"pygambit / ours per tree: {', '.join(parts)} (geometric mean "
                        f"{gm:,.1f}×); {check}"
                        + (" (quick run: one tree)" if quick else ""), met))
    md = ["### General-sum sequence-form Lemke", "",
          "Random two-player trees with chance moves and information sets, perfect recall by "
          "construction, integer payoffs in [0, 1000) (`random_imperfect_tree` in "
          "`benchmarks/tree_games.py`). Every output (ours and pygambit's) is checked by our "
          "regret. A pygambit timeout counts as a speed-up of at least timeout / ours.", "",
          table(rows), ""]
    return md, targets


# ---------------------------------------------------------------------- reading .efg
def read_efg(quick: bool, timeout: float, repeats: int, tmp: Path,
             log: Log) -> tuple[list[str], list[tuple[str, str, bool | None]]]:
    """The ``.efg`` reading rows and target."""
    game = tg.efg_tree(EFG_NODES_QUICK if quick else EFG_NODES, SEED_EFG)
    path = tmp / "big.efg"
    path.write_text(_efg_text(game), encoding="utf-8")
    mb = path.stat().st_size / 1e6
    case = tp.TreeCase("efg", f"{mb:.1f} MB .efg ({game.num_nodes:,} nodes)", game,
                       path=str(path))
    small = tg.efg_tree(200, SEED_EFG)
    small_path = tmp / "small.efg"
    small_path.write_text(_efg_text(small), encoding="utf-8")
    ours, gb = tp.ours_read_efg(), tp.gambit_read_efg()
    _warm([ours, gb], tp.TreeCase("efg", "small", small, path=str(small_path)))
    rows = _measure_rows(case, [ours, gb], repeats=repeats, timeout=timeout, log=log)
    expected = tp._efg_facts(game)
    for r in rows:
        check_facts(r, expected)
    set_ratios(rows)
    _log_rows(rows, log)
    t0 = rows[0].median
    met = None if quick or t0 is None else bool(t0 < 3.0 and rows[0].ok)
    gtext = (seconds(rows[1].median) if rows[1].median else rows[1].measurement.message)
    md = ["### Reading a .efg file", "",
          "A random tree with chance moves, information sets (pairs of same-level nodes), "
          "integer payoffs and rational chance probabilities, written by our `.efg` writer "
          "(`efg_tree` in `benchmarks/tree_games.py`); the structure read back (nodes, "
          "information sets, payoff sum) is compared with the game written.", "",
          table(rows), ""]
    return md, [("Reading a 10 MB .efg file: < 3 s",
                 f"{case.size}: ours {seconds(t0)}; pygambit {gtext}"
                 + (" (quick run: 1 MB file)" if quick else ""), met)]


# ---------------------------------------------------------------------- entry point
def run(quick: bool, timeout: float, log: Log) -> GroupReport:
    """Run the group; ``timeout`` is the limit per timed call (seconds)."""
    import warnings

    warnings.simplefilter("ignore")
    repeats = 3 if quick else 5
    md = ["Task: issue 4's targets for game trees, each implementation timed on the same "
          "seeded games in forked processes (one warm-up call on a tiny game first; every "
          "call has the timeout, a call that exceeds it is killed). Reported: the median of "
          f"up to {repeats} calls (fewer once they took {BUDGET:g} s); `time / ours` is the "
          "median divided by our first row's on the same game. Building a peer's game object "
          "(pygambit reads our `.efg` text) is not timed.", ""]
    targets: list[tuple[str, str, bool | None]] = []
    notes: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        for part in (lambda: backward_induction(quick, timeout, repeats, tmp, log),
                     lambda: zero_sum_lp(quick, timeout, repeats, log),
                     lambda: lemke(quick, timeout, repeats, log),
                     lambda: read_efg(quick, timeout, repeats, tmp, log)):
            lines, tgt = part()
            md += lines
            targets += tgt
    for a in (tp.ours_bi_from_arrays(), tp.ours_solve("backward-induction"), tp.numpy_bi(),
              tp.ours_solve("lp"), tp.bare_highs(), tp.ours_solve("lcp"), tp.gambit_lcp(),
              tp.gambit_lp(), tp.gambit_enumpure_agent(), tp.ours_read_efg(),
              tp.gambit_read_efg()):
        notes.setdefault(a.name, a.note)
    md += ["How each implementation is called:", ""]
    md += [f"- {k}: {v}" for k, v in notes.items()]
    return GroupReport(KEY, TITLE, "\n".join(md).rstrip() + "\n", targets)

