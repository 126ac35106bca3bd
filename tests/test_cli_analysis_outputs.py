"""Output files and options of the analysis commands, checked against the API results.

``montecarlo --prior/--param/--method/--out/--table/--plot``, ``sensitivity
--tornado/--outcome/--param/--out/--plot``, ``thresholds --out``, ``sweep --out
FILE.json`` with real numbers, and the one-line errors of bad scheduler
addresses, grid sizes, plots of 3-D sweeps and bad fixed values.
"""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import time
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np
import pytest

import gametheory as gt
from gametheory.cli import main

ROOT = Path(__file__).resolve().parents[1]
ARMS = str(ROOT / "models" / "arms_dilemma.yaml")
THREAT = str(ROOT / "models" / "threat_signaling.yaml")
SIGNATURES = {".png": b"\x89PNG\r\n\x1a\n", ".pdf": b"%PDF-"}


def run_ok(capsys, *argv: str) -> str:
    assert main(list(argv)) == 0
    out, _ = capsys.readouterr()
    return out


def run_json(capsys, *argv: str) -> dict:
    return json.loads(run_ok(capsys, *argv, "--format", "json"))


def fails(capsys, argv: list[str], code: int = 2) -> str:
    """Run a failing command: the exit code, nothing on stdout, one line on stderr."""
    assert main(argv) == code
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("gametheory: error: ")
    return err


def assert_figure(path: Path) -> None:
    data = path.read_bytes()
    assert len(data) > 1000
    if path.suffix == ".svg":
        assert data.lstrip().startswith(b"<?xml") and b"<svg" in data[:2000]
    else:
        assert data.startswith(SIGNATURES[path.suffix])


# ----------------------------------------------------------------------------- montecarlo
@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("uniform", {"dist": "uniform"}),
        ("uniform:1/2:2", {"dist": "uniform", "low": 0.5, "high": 2.0}),
        ("normal:1:0.5", {"dist": "normal", "mean": 1.0, "sd": 0.5}),
        ("normal:1:0.5:untruncated", {"dist": "normal", "mean": 1.0, "sd": 0.5, "truncate": False}),
        ("beta:2:5", {"dist": "beta", "a": 2.0, "b": 5.0}),
        ("beta:2:5:0.5:2.5", {"dist": "beta", "a": 2.0, "b": 5.0, "low": 0.5, "high": 2.5}),
        ("triangular:2", {"dist": "triangular", "mode": 2.0}),
        ("triangular:0:1/4:3", {"dist": "triangular", "low": 0.0, "mode": 0.25, "high": 3.0}),
    ],
)
def test_montecarlo_prior_forms_match_the_api(capsys, text, spec):
    data = run_json(
        capsys, "montecarlo", ARMS, "--n", "60", "--seed", "4", "--prior", f"approval_gain={text}"
    )
    want = gt.montecarlo(gt.load(ARMS), 60, {"approval_gain": spec}, seed=4)
    assert data == json.loads(json.dumps(want.to_dict(), default=str))
    assert list(data["priors"]) == ["approval_gain"]
    assert data["priors"]["approval_gain"]["dist"] == spec["dist"]


def test_montecarlo_priors_params_and_method(capsys):
    argv = [
        "montecarlo",
        ARMS,
        "--n",
        "80",
        "--seed",
        "2",
        "--prior",
        "transfer_cost=normal:2:1",
        "--param",
        "transfer_cost",
        "--param",
        "approval_gain",
        "--method",
        "support-enumeration",
    ]
    data = run_json(capsys, *argv)
    want = gt.montecarlo(
        gt.load(ARMS),
        80,
        {"transfer_cost": {"dist": "normal", "mean": 2, "sd": 1}},
        seed=2,
        method="support-enumeration",
        parameters=["transfer_cost", "approval_gain"],
    )
    assert data == json.loads(json.dumps(want.to_dict(), default=str))
    assert list(data["priors"]) == ["transfer_cost", "approval_gain"]
    assert data["priors"]["approval_gain"] == {"dist": "uniform", "low": 0.0, "high": 3.0}
    assert data["method"] == want.method and "support" in data["method"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("approval_gain=normal:1", "write normal:MEAN:SD"),
        ("approval_gain=normal:1:x", "'x' is not a number"),
        ("approval_gain=gamma:1:2", "unknown distribution 'gamma'"),
        ("approval_gain=beta:1:2:3", "write beta:A:B or beta:A:B:LO:HI"),
        ("approval_gain=triangular", "write triangular:MODE"),
        ("approval_gain=uniform:1", "write uniform or uniform:LO:HI"),
        ("approval_gain", "expected NAME=DIST[:ARGS]"),
        ("1x=uniform", "is not a parameter name"),
    ],
)
def test_montecarlo_bad_prior_text(capsys, value, message):
    err = fails(capsys, ["montecarlo", ARMS, "--n", "5", "--prior", value])
    assert message in err and "--prior" in err
    if "=" in value:
        assert repr(value) in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--prior", "approval_gain=normal:1:-1"], "needs sd > 0"),
        (["--prior", "approval_gain=uniform:2:1"], "needs low < high"),
        (["--prior", "approval_gain=triangular:0:5:3"], "needs low <= mode <= high"),
        (["--prior", "nope=uniform"], "nope"),
        (
            ["--prior", "approval_gain=uniform", "--prior", "approval_gain=beta:1:1"],
            "--prior approval_gain given twice",
        ),
        (["--param", "nope"], "nope"),
        (["--out", "x.txt"], "--out x.txt: write .csv or .json"),
        (["--plot", "x.txt"], "--plot x.txt: write .png, .pdf or .svg"),
        (["--table", "shares"], "--table shares needs --out FILE.csv"),
        (["--table", "shares", "--out", "x.json"], "--table shares needs --out FILE.csv"),
    ],
)
def test_montecarlo_bad_values(capsys, argv, message):
    assert message in fails(capsys, ["montecarlo", ARMS, "--n", "5", *argv])


@pytest.mark.parametrize("table", [None, "draws", "shares"])
def test_montecarlo_out_csv_is_the_api_table(capsys, tmp_path, table):
    out = tmp_path / "mc.csv"
    extra = [] if table is None else ["--table", table]
    text = run_ok(
        capsys, "montecarlo", ARMS, "--n", "150", "--seed", "7", "--out", str(out), *extra
    )
    want = gt.montecarlo(gt.load(ARMS), 150, seed=7)
    assert out.read_text() == want.to_csv(table=table or "draws")
    rows = list(csv.DictReader(out.open()))
    if table == "shares":
        assert [r["label"] for r in rows] == [s["label"] for s in want.shares()]
        assert sum(int(r["count"]) for r in rows) == 150
    else:
        assert len(rows) == 150
        assert [float(r["approval_gain"]) for r in rows] == pytest.approx(
            want.samples[:, list(want.names).index("approval_gain")].tolist(), abs=0
        )
    assert f"written to {out}" in text


def test_montecarlo_out_json_is_the_api_object(capsys, tmp_path):
    out = tmp_path / "mc.json"
    printed = run_json(capsys, "montecarlo", ARMS, "--n", "90", "--seed", "1", "--out", str(out))
    written = json.loads(out.read_text())
    want = gt.montecarlo(gt.load(ARMS), 90, seed=1).to_dict()
    assert written == printed == json.loads(json.dumps(want, default=str))


@pytest.mark.parametrize(
    ("suffix", "kind"), [(".png", "both"), (".svg", "shares"), (".pdf", "scatter")]
)
def test_montecarlo_plot(capsys, tmp_path, suffix, kind):
    fig = tmp_path / f"mc{suffix}"
    text = run_ok(capsys, "montecarlo", ARMS, "--n", "60", "--plot", str(fig), "--plot-kind", kind)
    assert_figure(fig)
    assert f"figure written to {fig}" in text


def test_montecarlo_plot_kind_is_checked(capsys):
    assert "invalid choice: 'pie'" in fails(
        capsys, ["montecarlo", ARMS, "--plot", "x.png", "--plot-kind", "pie"]
    )


# ----------------------------------------------------------------------------- tornado
def test_tornado_lines_match_the_bars(capsys):
    text = run_ok(
        capsys,
        "sensitivity",
        ARMS,
        "--tornado",
        "--outcome",
        "Moscow:transfer",
        "--outcome",
        "Seoul:arm",
    )
    want = gt.tornado(gt.load(ARMS), outcome=["Moscow:transfer", "Seoul:arm"])
    lines = text.splitlines()
    assert lines[0].endswith(f"tornado of {want.equilibrium}")
    bar_lines = lines[1 : 1 + len(want.bars)]
    for line, bar in zip(bar_lines, want.bars):
        words = line.split()
        assert words[:2] == [bar.outcome, bar.parameter]
        assert f"[{bar.range[0]:g}, {bar.range[1]:g}]" in line
        assert f"{bar.low:.6g} -> {bar.high:.6g}" in line
        assert f"swing {bar.swing:.6g}" in line
        assert line.endswith("*") == bar.support_changes
    assert {b.outcome for b in want.bars} == {"Moscow:transfer", "Seoul:arm"}
    assert any(b.support_changes for b in want.bars) and any(
        not b.support_changes for b in want.bars
    )
    assert lines[1 + len(want.bars)].startswith("* ")


def test_tornado_json_out_and_params(capsys, tmp_path):
    out = tmp_path / "tornado.json"
    argv = [
        "sensitivity",
        ARMS,
        "--tornado",
        "--outcome",
        "Seoul:arm",
        "--param",
        "transfer_cost",
        "--param",
        "approval_gain",
        "--set",
        "readiness_cost=1",
        "--out",
        str(out),
    ]
    printed = run_json(capsys, *argv)
    want = gt.tornado(
        gt.load(ARMS),
        outcome="Seoul:arm",
        parameters=["transfer_cost", "approval_gain"],
        at={"readiness_cost": 1},
    )
    assert printed == json.loads(out.read_text()) == json.loads(json.dumps(want.to_dict()))
    assert {b["parameter"] for b in printed["bars"]} == {"transfer_cost", "approval_gain"}


def test_tornado_csv_and_plot(capsys, tmp_path):
    out, fig = tmp_path / "tornado.csv", tmp_path / "tornado.png"
    text = run_ok(
        capsys,
        "sensitivity",
        ARMS,
        "--tornado",
        "--outcome",
        "Moscow:transfer",
        "--out",
        str(out),
        "--plot",
        str(fig),
    )
    want = gt.tornado(gt.load(ARMS), outcome="Moscow:transfer")
    assert out.read_text() == want.to_csv()
    rows = list(csv.DictReader(out.open()))
    assert [r["parameter"] for r in rows] == [b.parameter for b in want.bars]
    assert [float(r["swing"]) for r in rows] == [b.swing for b in want.bars]
    assert_figure(fig)
    assert f"bars written to {out}" in text and f"figure written to {fig}" in text


def test_sensitivity_out_json_and_params(capsys, tmp_path):
    out = tmp_path / "sens.json"
    text = run_ok(
        capsys,
        "sensitivity",
        ARMS,
        "--param",
        "approval_gain",
        "--param",
        "transfer_cost",
        "--out",
        str(out),
    )
    written = json.loads(out.read_text())
    want = gt.sensitivity(gt.load(ARMS), parameters=["approval_gain", "transfer_cost"])
    assert written == json.loads(json.dumps(want.to_dict(), default=str))
    (eq,) = written["equilibria"]
    assert set(eq["derivatives"]) == {"approval_gain", "transfer_cost"}
    assert eq["derivatives"]["transfer_cost"]["strategies"]["Seoul"]["arm"] == pytest.approx(1 / 3)
    assert f"result written to {out}" in text


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--plot", "t.png"], "--plot needs --tornado"),
        (["--outcome", "Seoul:arm"], "--outcome needs --tornado"),
        (["--out", "s.csv"], "--out s.csv: write .json (.csv needs --tornado)"),
        (["--tornado", "--out", "t.txt"], "--out t.txt: write .csv or .json"),
        (["--tornado", "--plot", "t.txt"], "--plot t.txt: write .png, .pdf or .svg"),
        (["--tornado", "--outcome", "Seoul:nope"], "unknown outcome 'Seoul:nope'"),
        (["--tornado", "--outcome", "Seoul:arm", "--outcome", "Seoul:arm"], "twice"),
        (["--tornado", "--param", "nope"], "nope"),
        (["--param", "nope"], "nope"),
    ],
)
def test_sensitivity_bad_options(capsys, argv, message):
    assert message in fails(capsys, ["sensitivity", ARMS, *argv])


# ----------------------------------------------------------------------------- thresholds
def test_thresholds_out_json_is_the_printed_object(capsys, tmp_path):
    out = tmp_path / "t.json"
    printed = run_json(
        capsys, "thresholds", ARMS, "--param", "approval_gain", "--range", "-3:6", "--out", str(out)
    )
    assert json.loads(out.read_text()) == printed
    assert [t["exact"] for t in printed["thresholds"]] == ["-1", "3"]


def test_thresholds_out_csv_rows(capsys, tmp_path):
    out = tmp_path / "t.csv"
    text = run_ok(
        capsys, "thresholds", ARMS, "--param", "approval_gain", "--range", "-3:6", "--out", str(out)
    )
    want = gt.thresholds(gt.load(ARMS), "approval_gain", -3, 6).to_dict()
    rows = list(csv.DictReader(out.open()))
    assert list(rows[0]) == ["value", "exact", "left", "right"]
    assert [float(r["value"]) for r in rows] == [t["value"] for t in want["thresholds"]]
    assert [r["exact"] for r in rows] == ["-1", "3"]
    assert [(r["left"], r["right"]) for r in rows] == [
        (t["left"]["label"], t["right"]["label"]) for t in want["thresholds"]
    ]
    assert rows[1]["right"] == "pure: Seoul=arm Moscow=transfer"
    assert f"thresholds written to {out}" in text


def test_thresholds_out_is_checked_first(capsys):
    assert "--out t.txt: write .csv or .json" in fails(
        capsys, ["thresholds", ARMS, "--param", "approval_gain", "--out", "t.txt"]
    )


# ----------------------------------------------------------------------------- sweep
def test_sweep_json_has_real_numbers(capsys, tmp_path):
    out = tmp_path / "sweep.json"
    run_ok(
        capsys,
        "sweep",
        ARMS,
        "--param",
        "approval_gain=0:2:5",
        "--param",
        "transfer_cost=1:4:3",
        "--out",
        str(out),
    )
    data = json.loads(out.read_text())
    grid = {"approval_gain": np.linspace(0, 2, 5), "transfer_cost": np.linspace(1, 4, 3)}
    want = gt.sweep(gt.load(ARMS), grid)
    assert data["parameters"] == ["approval_gain", "transfer_cost"]
    assert [list(r) for r in data["rows"]] == [want.columns] * len(want)
    for row, rec in zip(data["rows"], want.records, strict=True):
        for col in want.columns:
            assert type(row[col]) is type(rec[col]) and row[col] == rec[col]
    assert isinstance(data["rows"][0]["equilibrium"], int)
    assert isinstance(data["rows"][0]["Seoul:arm"], float)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            "approval_gain=0:1:x",
            "approval_gain: N must be a positive integer number of points, got 'x'",
        ),
        ("approval_gain=0:1:1e12", "N must be a positive integer number of points, got '1e12'"),
        ("approval_gain=0:1:0", "N must be a positive integer number of points, got '0'"),
        ("approval_gain=0:1:-4", "N must be a positive integer number of points, got '-4'"),
        ("approval_gain=0:1:20000000", "20000000 points is too many for one axis"),
    ],
)
def test_sweep_bad_number_of_points(capsys, spec, message):
    err = fails(capsys, ["sweep", ARMS, "--param", spec])
    assert message in err and "invalid literal" not in err


def never_called(*args, **kwargs):
    raise AssertionError("the sweep ran although the input was refused")


def test_sweep_refuses_a_huge_grid_before_computing(capsys, monkeypatch):
    monkeypatch.setattr("gametheory.analysis.sweep", never_called)
    err = fails(
        capsys,
        [
            "sweep",
            ARMS,
            "--param",
            "approval_gain=0:1:1000000",
            "--param",
            "transfer_cost=1:2:1000",
        ],
    )
    assert "the grid has 1,000,000,000 points" in err


def test_sweep_plot_of_three_parameters_is_refused_first(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr("gametheory.analysis.sweep", never_called)
    fig = tmp_path / "x.png"
    err = fails(
        capsys,
        [
            "sweep",
            ARMS,
            "--param",
            "approval_gain=0:1:2",
            "--param",
            "transfer_cost=1:2:2",
            "--param",
            "alliance_credit=0:1:2",
            "--plot",
            str(fig),
        ],
    )
    assert "--plot draws 1-D and 2-D sweeps only, and this one varies 3 parameters" in err
    assert not fig.exists()


def test_sweep_plot_of_two_parameters(capsys, tmp_path):
    fig = tmp_path / "map.svg"
    run_ok(
        capsys,
        "sweep",
        ARMS,
        "--param",
        "approval_gain=0:3:4",
        "--param",
        "transfer_cost=1:4:4",
        "--plot",
        str(fig),
    )
    assert_figure(fig)


def test_sweep_blames_the_fixed_value(capsys):
    err = fails(
        capsys, ["sweep", THREAT, "--set", "p_resolute=-0.1", "--param", "approval_gain=0:1:3"]
    )
    assert "at p_resolute=-0.1 the chance probability of 'resolute'" in err
    assert "which is negative" in err and "approval_gain" not in err


@pytest.mark.parametrize("command", ["sweep", "montecarlo"])
@pytest.mark.parametrize(
    "address", ["bogus", "tcp://host", "tcp://:8786", "http://h:1", "tcp://h:99999"]
)
def test_malformed_scheduler_address(capsys, command, address):
    grid = ["--param", "approval_gain=0:1:3"] if command == "sweep" else ["--n", "5"]
    err = fails(capsys, [command, ARMS, *grid, "--scheduler", address])
    assert f"{address!r} is not a scheduler address; write tcp://HOST:PORT or local" in err


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("command", ["sweep", "montecarlo"])
def test_unreachable_scheduler_fails_quickly(capsys, monkeypatch, command):
    monkeypatch.setattr("gametheory.analysis.sweep", never_called)
    monkeypatch.setattr("gametheory.analysis.montecarlo", never_called)
    address = f"tcp://127.0.0.1:{free_port()}"
    grid = ["--param", "approval_gain=0:1:3"] if command == "sweep" else ["--n", "5"]
    start = time.monotonic()
    err = fails(capsys, [command, ARMS, *grid, "--scheduler", address], code=1)
    assert time.monotonic() - start < 10
    assert f"--scheduler {address}: cannot reach the scheduler" in err


def test_workers_with_a_remote_scheduler_is_refused(capsys, monkeypatch):
    monkeypatch.setattr("gametheory.analysis.sweep", never_called)
    err = fails(
        capsys,
        [
            "sweep",
            ARMS,
            "--param",
            "approval_gain=0:1:3",
            "--workers",
            "2",
            "--scheduler",
            "tcp://127.0.0.1:8786",
        ],
    )
    assert "--workers does not apply to --scheduler tcp://127.0.0.1:8786" in err


@pytest.mark.parametrize("command", ["sweep", "montecarlo"])
def test_workers_size_the_local_cluster(capsys, monkeypatch, command):
    seen = {}

    def fake(*args, **kwargs):
        seen.update(kwargs)
        raise gt.GameTheoryError("stop here")

    monkeypatch.setattr(f"gametheory.analysis.{command}", fake)
    grid = ["--param", "approval_gain=0:1:3"] if command == "sweep" else ["--n", "5"]
    fails(capsys, [command, ARMS, *grid, "--workers", "3", "--scheduler", "local"])
    assert seen["backend"] == "dask" and seen["scheduler"] == "local" and seen["workers"] == 3


def test_help_says_what_workers_do_with_a_local_cluster(capsys):
    assert main(["sweep", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "with --scheduler local, the number of workers of the local Dask cluster" in text


def test_sweep_csv_out_still_streams(capsys, tmp_path):
    out = tmp_path / "s.csv"
    run_ok(capsys, "sweep", ARMS, "--param", "approval_gain=0:2:5", "--out", str(out))
    want = gt.sweep(gt.load(ARMS), {"approval_gain": np.linspace(0, 2, 5)})
    assert out.read_text() == want.to_csv()
    assert len(list(csv.DictReader(io.StringIO(out.read_text())))) == 5


def test_silent_address_times_out(capsys, monkeypatch):
    # something listens there but never answers the Dask handshake
    monkeypatch.setattr("gametheory.cli_options.CONNECT_TIMEOUT", 0.5)
    monkeypatch.setattr("gametheory.analysis.sweep", never_called)
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
        start = time.monotonic()
        err = fails(
            capsys,
            ["sweep", ARMS, "--param", "approval_gain=0:1:3", "--scheduler", address],
            code=1,
        )
    assert time.monotonic() - start < 8
    assert f"--scheduler {address}: no Dask scheduler answered within 0.5 s" in err


def test_sweep_on_a_running_scheduler(capsys, tmp_path):
    from dask.distributed import LocalCluster

    out = tmp_path / "s.csv"
    with LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=False,
        protocol="tcp://",
        dashboard_address=":0",
    ) as cluster:
        text = run_ok(
            capsys,
            "sweep",
            ARMS,
            "--param",
            "approval_gain=0:3:7",
            "--out",
            str(out),
            "--scheduler",
            cluster.scheduler_address,
        )
    assert "backend dask" in text
    want = gt.sweep(gt.load(ARMS), {"approval_gain": np.linspace(0, 3, 7)})
    assert out.read_text() == want.to_csv()
