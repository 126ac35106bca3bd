"""The ``gametheory`` command on game trees: show, solve, validate, convert and analysis.

Hand-derived facts about ``models/threat_signaling.yaml`` used below (MODELS.md,
model 2).  Seoul's net gain from arming is X = approval_gain + alliance_credit
+ battlefield_effect*setback_value - readiness_cost = 1 + 1.5 + 1.5 - 2 = 2 at
the baseline; arming against a Moscow that transfers costs N + g = 10 + 4 more
(payoff X - 14 = -12).  Moscow's payoff when it transfers is
-e*D + r - c_T = -1.2 + r - 1.5: -0.2 for the resolute type (r = 2.5), -2.2 for
the bluffer (r = 0.5); restraining after a warning costs -e*D - b = -1.7,
without a warning -1.2.  The prior is p_resolute = 3/10.

With approval_gain = 4 and p_resolute = 0.15 (X = 5) deterrence fails in the
semi-separating equilibrium: the resolute type always warns, the bluffer warns
with probability w, and a warned Seoul is indifferent when its belief
mu = p/(p + (1-p)w) equals X/(N+g), so w = p((N+g)/X - 1)/(1-p) = 27/85 and
dw/dX = -p(N+g)/(X^2 (1-p)) = -42/425.  The bluffer is indifferent between
warning and staying quiet when Seoul arms after a warning with probability
s = e*D/(e*D + b) = 12/17, so ds/db = -e*D/(e*D + b)^2 = -120/289.
"""

from __future__ import annotations

import csv
import json
from fractions import Fraction
from pathlib import Path

import pytest

import gametheory as gt
from gametheory.cli import main

ROOT = Path(__file__).resolve().parents[1]
THREAT = str(ROOT / "models" / "threat_signaling.yaml")
THREAT_NF = str(ROOT / "models" / "arms_dilemma_threat.yaml")
TITLE = "Threat signaling: Moscow's warning and Seoul's arms decision, June 2024"

CARD = """\
title: One-card poker
description: Nature deals Ann a high or a low card; Bob sees only whether she bets.
parameters:
  stake: {value: 2, range: [1, 4], description: what a called bet wins}
  p_high: {value: 1/3, description: chance of a high card}
players: [Ann, Bob]
tree:
  chance:
    high:
      probability: p_high
      player: Ann
      infoset: holds high
      actions:
        fold: {payoffs: [-1, 1]}
        bet:
          player: Bob
          infoset: facing a bet
          actions:
            call: {payoffs: {Ann: stake, Bob: -stake}}
            pass: {payoffs: [1, -1]}
    low:
      probability: 1 - p_high
      player: Ann
      infoset: holds low
      actions:
        fold: {payoffs: [-1, 1]}
        bet:
          player: Bob
          infoset: facing a bet
          actions:
            call: {payoffs: {Ann: -stake, Bob: stake}}
            pass: {payoffs: [1, -1]}
"""

CARD_SHOW = """\
One-card poker
Nature deals Ann a high or a low card; Bob sees only whether she bets.

form: extensive, 2 players
<ExtensiveFormGame 'One-card poker': 2 players, 11 nodes, 4 information sets, symbolic>

parameters (2):
  name    value  range   description
  stake       2  [1, 4]  what a called bet wins
  p_high    1/3          chance of a high card

tree: 11 nodes (6 terminal, 1 chance), 3 player information sets (1 with several nodes), \
perfect recall; values at the baseline after '='
chance
  high (p = p_high = 1/3): Ann at "holds high"
    fold: payoffs Ann=-1, Bob=1
    bet: Bob at "facing a bet" (information set of 2 nodes)
      call: payoffs
          Ann = stake = 2
          Bob = -stake = -2
      pass: payoffs Ann=1, Bob=-1
  low (p = 1 - p_high = 2/3): Ann at "holds low"
    fold: payoffs Ann=-1, Bob=1
    bet: Bob at "facing a bet" (information set of 2 nodes)
      call: payoffs
          Ann = -stake = -2
          Bob = stake = 2
      pass: payoffs Ann=1, Bob=-1
"""

# Gambit file: a chance move with an outcome of its own (a toll added to every payoff
# below it), a node label, decimals and rationals, an unlabelled information set.
TOLL = """EFG 2 R "toll" { "A" "B" } ""
c "root" 1 "" { "x" 0.1 "y" 9/10 } 1 "toll" { -1/2, 0 }
t "" 2 "" { 1e1, .5 }
p "" 1 1 "" { "u" "v" } 0
t "" 3 "" { 1.25, -2 }
t "" 0
"""

ENTRY = """\
title: Entry deterrence
parameters:
  fight_cost: {value: 2, range: [0, 4], description: the incumbent's cost of a price war}
players: [Entrant, Incumbent]
tree:
  player: Entrant
  actions:
    out: {payoffs: [0, 2]}
    in:
      player: Incumbent
      actions:
        fight: {payoffs: [-1, 1 - fight_cost]}
        accommodate: {payoffs: [1, 0]}
"""


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys, *argv: str) -> str:
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert "Traceback" not in err and "internal error" not in err
    return out


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def tree_part(text: str) -> str:
    return text[text.index("\ntree: ") + 1 :]


# ---------------------------------------------------------------------------- show
def test_show_prints_the_indented_tree_with_formulas_and_values(capsys, tmp_path):
    assert ok(capsys, "show", write(tmp_path, "card.yaml", CARD)) == CARD_SHOW


def test_show_of_a_gambit_file_with_an_inner_outcome(capsys, tmp_path):
    out = ok(capsys, "show", write(tmp_path, "toll.efg", TOLL))
    # terminal payoffs include the toll of the root: 10 - 1/2, 5/4 - 1/2, 0 - 1/2
    assert tree_part(out) == (
        "tree: 5 nodes (3 terminal, 1 chance), 1 player information set, perfect information\n"
        'chance; adds payoffs A=-0.5, B=0  [node "root"]\n'
        "  x (p = 0.1): payoffs A=9.5, B=0.5\n"
        '  y (p = 0.9): A at "1"\n'
        "    u: payoffs A=0.75, B=-2\n"
        "    v: payoffs A=-0.5, B=0\n"
    )


def test_show_cuts_large_trees(capsys, tmp_path):
    path = write(tmp_path, "card.yaml", CARD)
    lines = tree_part(ok(capsys, "show", path, "--max-nodes", "3")).splitlines()
    assert lines[1:] == [
        "chance",
        '  high (p = p_high = 1/3): Ann at "holds high"',
        "    fold: payoffs Ann=-1, Bob=1",
        "... 8 of 11 nodes not shown (after the first 3); see --max-nodes and --depth",
    ]
    lines = tree_part(ok(capsys, "show", path, "--depth", "1")).splitlines()
    assert lines[1:] == [
        "chance",
        '  high (p = p_high = 1/3): Ann at "holds high"  ... (4 nodes below)',
        '  low (p = 1 - p_high = 2/3): Ann at "holds low"  ... (4 nodes below)',
        "... 8 of 11 nodes not shown (below depth 1); see --max-nodes and --depth",
    ]
    full = tree_part(ok(capsys, "show", path, "--max-nodes", "0"))
    assert full == tree_part(CARD_SHOW)


def test_show_of_the_threat_model(capsys):
    out = ok(capsys, "show", THREAT)
    assert out.startswith(TITLE + "\n")
    tree = tree_part(out).splitlines()
    assert tree[0].startswith("tree: 23 nodes (12 terminal, 1 chance), 8 player information "
                              "sets (2 with several nodes), perfect recall")
    assert tree[1:4] == [
        "chance",
        '  resolute (p = p_resolute = 0.3): Moscow at "resolute: signal"',
        '    warn: Seoul at "warned" (information set of 2 nodes)',
    ]
    assert '  bluffing (p = 1 - p_resolute = 0.7): Moscow at "bluffing: signal"' in tree
    # one line per node plus one line per player at each of the 8 symbolic terminals
    assert len(tree) == 1 + 23 + 8 * 2
    values = [line.rsplit(" = ", 1)[1] for line in tree if line.lstrip().startswith("Seoul  =")]
    assert values == ["-12", "2"] * 4  # X - N - g and X
    moscow = [line.rsplit(" = ", 1)[1] for line in tree if line.lstrip().startswith("Moscow =")]
    assert moscow == ["-0.2", "-1.7", "-0.2", "-1.2", "-2.2", "-1.7", "-2.2", "-1.2"]


def test_show_without_values_when_the_baseline_is_invalid(capsys, tmp_path):
    path = write(tmp_path, "bad.yaml", CARD.replace("value: 1/3", "value: 3/2"))
    out = ok(capsys, "show", path)
    assert "; no values at the baseline (" in out
    assert "  high (p = p_high): Ann" in out and "  low (p = 1 - p_high): Ann" in out
    code, out, err = run(capsys, "validate", path)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith(f"gametheory: error: {path}: ") and "negative probability" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--max-nodes", "-1"], "argument --max-nodes: needs a whole number >= 0, got '-1'"),
        (["--depth", "x"], "argument --depth: 'x' is not a whole number"),
    ],
)
def test_show_bad_options(capsys, argv, message):
    code, out, err = run(capsys, "show", THREAT, *argv)
    assert code == 2 and out == ""
    assert err == f"gametheory: error: {message} (see 'gametheory show --help')\n"


# ---------------------------------------------------------------------------- solve, validate
def test_the_title_of_a_tree_model_is_kept(capsys):
    assert ok(capsys, "solve", THREAT).splitlines()[0] == f"{TITLE}  [extensive form]"
    data = json.loads(ok(capsys, "solve", THREAT, "--format", "json"))
    assert data["game"]["title"] == TITLE and data["game"]["form"] == "extensive"
    assert gt.load(THREAT).baseline_game().title == TITLE


def test_validate_describes_trees(capsys, tmp_path):
    assert ok(capsys, "validate", THREAT) == (
        f"{THREAT}: valid (extensive form, 2 players, 23 nodes (12 terminal, 1 chance), "
        "8 player information sets (2 with several nodes), perfect recall, 13 parameters)\n"
    )
    toll = write(tmp_path, "toll.efg", TOLL)
    assert ok(capsys, "validate", toll) == (
        f"{toll}: valid (extensive form, 2 players, 5 nodes (3 terminal, 1 chance), "
        "1 player information set, perfect information, 0 parameters)\n"
    )


# ---------------------------------------------------------------------------- convert
def test_convert_tree_to_efg_binds_the_baseline(capsys, tmp_path):
    out = tmp_path / "threat.efg"
    assert ok(capsys, "convert", THREAT, str(out)) == ""
    text = out.read_text()
    assert text.startswith(f'EFG 2 R "{TITLE}" {{ "Seoul" "Moscow" }}')
    assert 'c "" 1 "" { "resolute" 3/10 "bluffing" 7/10 } 0' in text
    game = gt.load(out).game
    assert sorted(set(game.exact_payoffs()[:, 0].tolist())) == [-12, 0, 2]
    assert sorted(set(game.exact_payoffs()[:, 1].tolist())) == [
        Fraction(-11, 5), Fraction(-17, 10), Fraction(-6, 5), Fraction(-1, 5), 0]
    # --set applies: p_resolute = 1/2, approval_gain = 3 makes X = 4 and X - 14 = -10
    ok(capsys, "convert", THREAT, str(out), "--set", "p_resolute=1/2", "--set", "approval_gain=3")
    game = gt.load(out).game
    assert game.exact_probabilities()[:2].tolist() == [Fraction(1, 2), Fraction(1, 2)]
    assert sorted(set(game.exact_payoffs()[:, 0].tolist())) == [-10, 0, 4]
    assert "approval_gain = 3, " in out.read_text()


def test_convert_yaml_efg_yaml_and_json(capsys, tmp_path):
    efg, yaml_out, json_out = (str(tmp_path / f"t.{x}") for x in ("efg", "yaml", "json"))
    ok(capsys, "convert", THREAT, efg)
    ok(capsys, "convert", efg, yaml_out)
    ok(capsys, "convert", efg, json_out)
    shown = tree_part(ok(capsys, "show", efg))
    assert tree_part(ok(capsys, "show", yaml_out)) == shown
    assert tree_part(ok(capsys, "show", json_out)) == shown
    # a parametric tree keeps its formulas and parameters: the same show, line for line
    ok(capsys, "convert", THREAT, yaml_out)
    assert ok(capsys, "show", yaml_out) == ok(capsys, "show", THREAT)
    original = json.loads(ok(capsys, "solve", THREAT, "--format", "json", "--exact"))
    again = json.loads(ok(capsys, "solve", yaml_out, "--format", "json", "--exact"))
    assert again["equilibria"] == original["equilibria"]


def test_convert_a_tree_to_standard_output(capsys, tmp_path):
    text = ok(capsys, "convert", write(tmp_path, "toll.efg", TOLL), "-")
    assert text.startswith("title: toll\nplayers: [A, B]\ntree:\n  label: root\n")
    back = gt.io.loads(text, "yaml").game
    assert back.exact_payoffs().tolist() == [
        [Fraction(19, 2), Fraction(1, 2)], [Fraction(3, 4), -2], [Fraction(-1, 2), 0]]


def test_convert_tree_to_nfg_writes_the_reduced_normal_form(capsys, tmp_path):
    out = tmp_path / "threat.nfg"
    ok(capsys, "convert", THREAT, str(out))
    game = gt.load(out).game
    assert game.shape == (4, 16)  # Seoul: 2 x 2; Moscow: per type 2 signals x 2 replies
    s = game.strategies[0].index("arm/arm")
    m = game.strategies[1].index("warn/transfer/*/warn/transfer/*")
    # both types warn and transfer: Seoul X - 14; Moscow 3/10 (-1/5) + 7/10 (-11/5)
    assert game.exact_payoffs()[:, s, m].tolist() == [-12, Fraction(-8, 5)]
    assert "Reduced normal form of the game tree" in out.read_text()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["convert", "ARMS", "OUT.efg"],
         "OUT.efg: a normal-form game cannot be written as .efg; write .nfg, .yaml or .json"),
        (["convert", THREAT, "OUT.txt"],
         "OUT.txt: unknown file type (extension '.txt'); expected one of .yaml, .yml, .json, "
         ".nfg, .efg"),
        (["convert", THREAT, "OUT.yaml", "--set", "nope=1"],
         f"{THREAT}: unknown parameter 'nope'; declared: approval_gain, alliance_credit, "
         "battlefield_effect, setback_value, readiness_cost, compound_penalty, nightmare_loss, "
         "transfer_cost, damage_to_russia, p_resolute, retaliation_value_resolute, "
         "retaliation_value_bluffing, backdown_cost"),
    ],
)
def test_convert_bad_input(capsys, tmp_path, argv, message):
    argv = [a.replace("ARMS", str(ROOT / "models" / "arms_dilemma.yaml"))
             .replace("OUT", str(tmp_path / "out")) for a in argv]
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err == "gametheory: error: " + message.replace("OUT", str(tmp_path / "out")) + "\n"
    assert not list(tmp_path.iterdir())  # nothing written


def test_convert_names_the_input_when_its_baseline_is_invalid(capsys, tmp_path):
    path = write(tmp_path, "bad.yaml", CARD.replace("value: 1/3", "value: 3/2"))
    code, out, err = run(capsys, "convert", path, str(tmp_path / "bad.efg"))
    assert out == ""
    assert code == 2 and err.startswith(f"gametheory: error: {path}: ")
    assert not (tmp_path / "bad.efg").exists()
    # the model file keeps the formulas, so it can still be written
    assert run(capsys, "convert", path, str(tmp_path / "copy.yaml"))[0] == 0


# ---------------------------------------------------------------------------- analysis
def test_sensitivity_of_the_threat_model_shows_why_equilibria_are_not_regular(capsys):
    out = ok(capsys, "sensitivity", THREAT)
    assert out.startswith(f"{THREAT}: 8 equilibria, 2 regular; derivatives at the baseline\n")
    assert out.count("not regular (derivatives undefined)") == 6
    assert "      an unused action at Seoul's information set 'quiet' is also a best reply" in out
    data = json.loads(ok(capsys, "sensitivity", THREAT, "--format", "json"))
    for eq in data["equilibria"]:
        assert "behavior" in eq
        if eq["regular"]:
            d = eq["derivatives"]["approval_gain"]
            assert set(d) == {"behavior", "payoffs"}
        else:
            assert eq["derivatives"] is None and eq["reasons"]


def test_sensitivity_of_a_tree_prints_behaviour_derivatives(capsys):
    args = ("sensitivity", THREAT, "--set", "approval_gain=4", "--set", "p_resolute=0.15")
    out = ok(capsys, *args)
    block = out.split("\n\n")[1]
    assert block.startswith("#1  regular\n")
    assert "  Seoul   [warned] withhold 0.2941, arm 0.7059; [quiet] arm\n" in block  # s = 12/17
    assert "Moscow:bluffing: signal:warn -42/425" in block  # dw/dX
    assert "Seoul:warned:arm -120/289" in block  # ds/db
    data = json.loads(ok(capsys, *args, "--format", "json"))
    eq = next(e for e in data["equilibria"] if e["regular"])
    warn = eq["behavior"]["Moscow"]["bluffing: signal"]["warn"]
    assert warn == pytest.approx(27 / 85)
    d = eq["derivatives"]["approval_gain"]["behavior"]["Moscow"]["bluffing: signal"]["warn"]
    assert d == pytest.approx(-42 / 425)
    exact = eq["exact_derivatives"]["backdown_cost"]["behavior"]["Seoul"]["warned"]["arm"]
    assert exact == "-120/289"


def test_sensitivity_of_a_degenerate_normal_form_model(capsys):
    out = ok(capsys, "sensitivity", THREAT_NF)
    assert out.count("not regular (derivatives undefined)") == 2
    assert "supports of unequal size (degenerate game)" in out
    data = json.loads(ok(capsys, "sensitivity", THREAT_NF, "--format", "json"))
    assert [eq["regular"] for eq in data["equilibria"]] == [False, False]
    assert [eq["derivatives"] for eq in data["equilibria"]] == [None, None]


def test_sensitivity_of_a_model_without_parameters_is_refused(capsys, tmp_path):
    path = write(tmp_path, "toll.efg", TOLL)
    code, out, err = run(capsys, "sensitivity", path)
    assert (code, out) == (2, "")
    assert err == (f"gametheory: error: {path}: no payoff or probability depends on a "
                   "parameter, so there is nothing to differentiate by\n")


def test_sweep_of_the_threat_model_agrees_with_solve(capsys, tmp_path):
    out_csv = tmp_path / "sweep.csv"
    text = ok(capsys, "sweep", THREAT, "--param", "approval_gain=0:3:4", "--out", str(out_csv))
    assert text.startswith(f"{THREAT}: 4 grid points, method ")
    rows = list(csv.DictReader(out_csv.open()))
    assert "Seoul:warned:arm" in rows[0] and "Moscow:bluffing: signal:warn" in rows[0]
    for value in ("0.0", "1.0", "2.0", "3.0"):
        at = [r for r in rows if r["approval_gain"] == value]
        solved = json.loads(ok(capsys, "solve", THREAT, "--set", f"approval_gain={value}",
                               "--format", "json"))
        assert len(at) == len(solved["equilibria"]) > 0
        # deterrence holds (X <= p (N + g) = 4.2 while approval_gain <= 3.2): some
        # equilibrium has Seoul withhold after both signals
        assert any(float(r["Seoul:warned:withhold"]) == 1 == float(r["Seoul:quiet:withhold"])
                   for r in at)
    out_json = tmp_path / "sweep.json"
    ok(capsys, "sweep", THREAT, "--param", "approval_gain=0:3:4", "--out", str(out_json))
    data = json.loads(out_json.read_text())
    assert data["parameters"] == ["approval_gain"] and len(data["rows"]) == len(rows)


def test_region_map_of_a_tree_keeps_a_readable_size(capsys, tmp_path):
    # regimes of the signalling game name up to 8 equilibria each; the legend is cut
    png = tmp_path / "map.png"
    ok(capsys, "sweep", THREAT, "--param", "approval_gain=0:3:3", "--param",
       "p_resolute=0.1:0.6:3", "--plot", str(png))
    from PIL import Image

    width, height = Image.open(png).size
    assert 300 < width < 1500 and 300 < height < 1500


def test_thresholds_of_a_parametric_tree(capsys, tmp_path):
    # the incumbent fights iff 1 - fight_cost > 0: the equilibrium flips at fight_cost = 1
    path = write(tmp_path, "entry.yaml", ENTRY)
    assert ok(capsys, "thresholds", path, "--param", "fight_cost") == (
        "fight_cost in [0, 4]: 1 threshold(s)\n"
        "  fight_cost = 1\n"
        "    below: pure: Entrant{1=out} Incumbent{1=fight}\n"
        "    above: pure: Entrant{1=in} Incumbent{1=accommodate}\n"
    )
    data = json.loads(ok(capsys, "thresholds", path, "--param", "fight_cost", "--format", "json"))
    (t,) = data["thresholds"]
    assert t["exact"] == "1" and t["value"] == 1.0
    (eq,) = t["right"]["equilibria"]
    assert eq["behavior"]["Incumbent"]["1"] == {"fight": 0.0, "accommodate": 1.0}


def test_montecarlo_of_the_threat_model(capsys):
    data = json.loads(ok(capsys, "montecarlo", THREAT, "--n", "20", "--seed", "2",
                         "--format", "json"))
    assert sum(r["count"] for r in data["regimes"]) == 20
    text = ok(capsys, "montecarlo", THREAT, "--n", "20", "--seed", "2")
    assert text.startswith("20 draws (seed 2), method ")
    several = [r for r in data["regimes"] if " | " in r["label"]]
    assert several  # the signalling game has several equilibria at most draws
    n = len(several[0]["label"].split(" | "))
    assert f"  {n} equilibria:\n" in text
    for label in several[0]["label"].split(" | "):
        assert f"\n           {label}\n" in text
