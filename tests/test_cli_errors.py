"""Errors of the ``gametheory`` command: exit codes, one-line messages, empty stdout."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import gametheory as gt
from gametheory.cli import _report_exception, main

ROOT = Path(__file__).resolve().parents[1]
ARMS = str(ROOT / "models" / "arms_dilemma.yaml")
PREFIX = "gametheory: error: "


def fail(capsys, *argv: str, code: int = 2) -> str:
    """Run the command, expect ``code``, nothing on stdout and one line on stderr; return it."""
    got = main(list(argv))
    out, err = capsys.readouterr()
    assert got == code, err
    assert out == ""
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith(PREFIX), err
    assert "Traceback" not in err
    return err[len(PREFIX):].rstrip("\n")


def process(*argv: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gametheory", *argv], input=stdin,
                          capture_output=True, text=True, timeout=60)


# ----------------------------------------------------------------------------- usage
def test_no_command(capsys):
    assert "required: COMMAND" in fail(capsys)


def test_unknown_command(capsys):
    assert "invalid choice: 'solv'" in fail(capsys, "solv", ARMS)


def test_unknown_method_lists_the_methods(capsys):
    msg = fail(capsys, "solve", ARMS, "--method", "magic")
    assert "invalid choice: 'magic'" in msg
    for name in gt.method_names():
        assert repr(name) in msg


def test_bad_format(capsys):
    assert "invalid choice: 'xml'" in fail(capsys, "solve", ARMS, "--format", "xml")


def test_missing_model_argument(capsys):
    assert "required: MODEL" in fail(capsys, "solve")


@pytest.mark.parametrize(("assignment", "message"), [
    ("approval_gain", "expected NAME=VALUE, got 'approval_gain'"),
    ("=3", "expected NAME=VALUE, got '=3'"),
    ("approval_gain=lots", "approval_gain: 'lots' is not a number"),
    ("approval_gain=nan", "approval_gain: 'nan' is not a number"),
    ("approval_gain=1/0", "approval_gain: '1/0' divides by zero"),
    ("2x=1", "'2x' is not a parameter name"),
])
def test_bad_set_syntax(capsys, assignment, message):
    msg = fail(capsys, "solve", ARMS, "--set", assignment)
    assert msg.startswith("argument --set: ") and message in msg


@pytest.mark.parametrize("seconds", ["0", "-1", "soon", "inf"])
def test_bad_max_time(capsys, seconds):
    assert fail(capsys, "solve", ARMS, "--max-time", seconds).startswith("argument --max-time: ")


# ----------------------------------------------------------------------- parameters and methods
def test_unknown_parameter_names_it_and_lists_the_declared_ones(capsys):
    msg = fail(capsys, "solve", ARMS, "--set", "approval=2")
    assert msg.startswith(f"{ARMS}: unknown parameter 'approval'; declared: ")
    declared = msg.split("declared: ", 1)[1].split(", ")
    assert "approval_gain" in declared and "transfer_cost" in declared


def test_parameter_set_twice(capsys):
    msg = fail(capsys, "solve", ARMS, "--set", "approval_gain=1", "--set", "approval_gain=2")
    assert msg == "--set approval_gain given twice"


def test_strict_refuses_values_outside_the_range(capsys):
    # approval_gain is declared with range 0..3
    msg = fail(capsys, "solve", ARMS, "--strict", "--set", "approval_gain=7")
    assert msg.startswith(f"{ARMS}: ") and "approval_gain" in msg and "outside its range" in msg
    # without --strict the same value is accepted
    assert main(["solve", ARMS, "--set", "approval_gain=7", "--format", "json"]) == 0
    capsys.readouterr()


def test_method_not_applicable(capsys):
    msg = fail(capsys, "solve", ARMS, "--method", "lp")
    assert msg == f"{ARMS}: method 'lp' needs a zero-sum (constant-sum) game; this game is not"


# ------------------------------------------------------------------ unreadable or invalid files
def test_missing_file(capsys, tmp_path):
    path = str(tmp_path / "nothing.yaml")
    assert fail(capsys, "solve", path).startswith(f"{path}: ")


def test_directory(capsys, tmp_path):
    assert fail(capsys, "show", str(tmp_path)).startswith(f"{tmp_path}")


@pytest.mark.parametrize(("name", "text", "where", "what"), [
    ("empty.yaml", "", "", "empty"),
    # the YAML scanner notices the unclosed list where the next key starts
    ("syntax.yaml", "title: x\nplayers: [Seoul, Moscow\nstrategies: {}\n", ":3", "invalid YAML"),
    ("tabs.yaml", "title: x\n\tplayers: [a, b]\n", ":2", "tab"),
    ("count.nfg", 'NFG 1 R "g" { "A" "B" } { 2 2 }\n\n1 2 3 4 5 6 7\n', ":4", "expected 8 payoffs"),
    ("binary.yaml", "\x00\x01\x02", ":1", "not a text file"),
])
def test_validate_bad_files(capsys, tmp_path, name, text, where, what):
    path = tmp_path / name
    path.write_text(text)
    msg = fail(capsys, "validate", str(path))
    assert msg.startswith(f"{path}{where}: "), msg
    assert what in msg


def test_validate_reports_a_typo_in_a_payoff_formula(capsys, tmp_path):
    text = Path(ARMS).read_text()
    assert "transfer_cost" in text
    lines = text.splitlines()
    # corrupt the first line of the payoffs block that mentions transfer_cost
    start = lines.index("payoffs:")
    k = next(i for i in range(start, len(lines)) if "transfer_cost" in lines[i])
    lines[k] = lines[k].replace("transfer_cost", "transfer_kost", 1)
    path = tmp_path / "typo.yaml"
    path.write_text("\n".join(lines) + "\n")
    msg = fail(capsys, "validate", str(path))
    assert msg.startswith(f"{path}:{k + 1}:") and "transfer_kost" in msg


def test_convert_to_an_unwritable_place(capsys, tmp_path):
    out = tmp_path / "no" / "such" / "dir" / "arms.json"
    assert fail(capsys, "convert", ARMS, str(out)).startswith(f"{out}: ")


def test_convert_to_an_unknown_extension(capsys, tmp_path):
    out = tmp_path / "arms.docx"
    msg = fail(capsys, "convert", ARMS, str(out))
    assert msg.startswith(f"{out}") and ".docx" in msg
    assert not out.exists()


# -------------------------------------------------------------------- debug and internal errors
def test_debug_shows_the_traceback(capsys, tmp_path):
    path = str(tmp_path / "nothing.yaml")
    assert main(["--debug", "solve", path]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" in err and err.rstrip().splitlines()[-1].startswith(PREFIX)
    assert main(["solve", path, "--debug"]) == 2
    assert "Traceback" in capsys.readouterr().err


def test_unexpected_exception_is_one_line_internal_error(capsys):
    try:
        raise RuntimeError("something broke\nacross lines")
    except RuntimeError as exc:
        assert _report_exception(exc, debug=False) == 1
    err = capsys.readouterr().err
    assert err == "gametheory: internal error: RuntimeError: something broke across lines\n"


# ----------------------------------------------------------------------------- real processes
def test_exit_codes_of_a_real_process(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("players: [a\n")
    for argv, code in [(("solve", str(bad)), 2), (("solve", ARMS, "--set", "nope=1"), 2),
                       (("frobnicate",), 2)]:
        proc = process(*argv)
        assert proc.returncode == code, (argv, proc.stderr)
        assert proc.stdout == ""
        assert proc.stderr.startswith(PREFIX) and proc.stderr.count("\n") == 1, proc.stderr
    ok = process("validate", ARMS)
    assert ok.returncode == 0 and ok.stderr == ""


def test_bad_stdin_names_stdin():
    proc = process("solve", "-", stdin="players: [a\n")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith(PREFIX + "<stdin>:"), proc.stderr


def _big_nfg(path: Path, n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    A, B = rng.integers(0, 1000, (n, n)), rng.integers(0, 1000, (n, n))
    labels = [" ".join(f'"s{i}"' for i in range(n))] * 2
    pays = " ".join(f"{A[i, j]} {B[i, j]}" for j in range(n) for i in range(n))
    head = f'NFG 1 R "big" {{ "P1" "P2" }} {{ {{ {labels[0]} }} {{ {labels[1]} }} }}'
    path.write_text(f"{head}\n\n{pays}\n")


def test_budget_exhausted_exits_1_with_the_result(tmp_path):
    path = tmp_path / "big.nfg"
    _big_nfg(path, 60, seed=3)
    proc = process("solve", str(path), "--method", "support-enumeration", "--max-time", "0.2",
                   "--format", "json")
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    assert data["status"] == "budget-exhausted"
    assert data["complete"] is False
    assert proc.stderr.startswith("gametheory: error: ") and "budget-exhausted" in proc.stderr
    assert proc.stderr.count("\n") == 1


def test_out_of_range_value_warns_and_strict_refuses(capsys):
    assert main(["solve", ARMS, "--set", "approval_gain=4"]) == 0
    err = capsys.readouterr().err
    assert err.strip() == ("gametheory: warning: "
                           "parameter approval_gain = 4 is outside its range [0, 3]")
    msg = fail(capsys, "solve", ARMS, "--set", "approval_gain=4", "--strict")
    assert msg.endswith("parameter approval_gain = 4 is outside its range [0, 3]")
