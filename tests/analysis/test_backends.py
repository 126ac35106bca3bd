"""Process and Dask backends give exactly the serial results, in the same order."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import random_parametric_game

from gametheory.analysis import sweep

FIELDS = ("point", "equilibrium", "branch", "label", "probs", "payoffs", "regret")


def assert_same(a, b):
    for f in FIELDS:
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f), err_msg=f)
    assert a.labels == b.labels
    assert a.to_csv() == b.to_csv()


@pytest.fixture(scope="module")
def cases(arms_model):
    four, _, _ = random_parametric_game(7, (3, 3, 3, 2))
    return [
        (
            arms_model,
            {"approval_gain": np.linspace(0, 3, 401), "retaliation_value": [1.0, 3.0, 5.0]},
            97,
        ),
        (four, {"theta": np.linspace(-2, 2, 3001)}, 500),
    ]


@pytest.fixture(scope="module")
def dask_client():
    # started through the backend's own "local" path: a LocalCluster of 2 worker processes
    from gametheory.analysis.backends import dask_client as local_client

    with local_client("local", 2) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        yield client


def test_processes_match_serial(cases):
    for model, grid, chunk in cases:
        serial = sweep(model, grid, chunk_size=chunk)
        procs = sweep(model, grid, backend="processes", workers=2, chunk_size=chunk)
        assert "backend processes" in procs.method
        assert_same(serial, procs)
        # chunking changes neither results nor branches
        assert_same(serial, sweep(model, grid))


def test_workers_alone_selects_processes(cases):
    model, grid, chunk = cases[0]
    res = sweep(model, grid, workers=2, chunk_size=chunk)
    assert res.method.endswith("backend processes")


def test_dask_client_and_address_match_serial(cases, dask_client):
    for model, grid, chunk in cases:
        serial = sweep(model, grid, chunk_size=chunk)
        assert_same(serial, sweep(model, grid, scheduler=dask_client, chunk_size=chunk))
    model, grid, chunk = cases[0]
    address = dask_client.scheduler.address
    assert address.startswith("tcp://")
    via_address = sweep(model, grid, scheduler=address, chunk_size=chunk)
    assert "backend dask" in via_address.method
    assert_same(sweep(model, grid, chunk_size=chunk), via_address)


def test_progress_bar_only_when_asked(cases, capsys):
    model, grid, chunk = cases[0]
    sweep(model, grid, chunk_size=chunk)
    assert capsys.readouterr().err == ""  # not a terminal: quiet
    sweep(model, grid, chunk_size=chunk, progress=True)
    assert "sweep" in capsys.readouterr().err


def test_dask_backend_without_scheduler_starts_a_local_cluster(cases):
    model, grid, chunk = cases[0]
    res = sweep(model, grid, backend="dask", workers=2, chunk_size=chunk)
    assert "backend dask" in res.method
    assert_same(sweep(model, grid, chunk_size=chunk), res)
