"""Packaging: light import, public names, entry points."""

from __future__ import annotations

import subprocess
import sys

import gametheory as gt


def test_import_is_light():
    code = (
        "import sys, gametheory; "
        "heavy = [m for m in ('sympy', 'matplotlib', 'dask', 'pandas', 'scipy.optimize', "
        "'scipy.spatial') if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_public_api_names():
    for name in (
        "NormalFormGame",
        "solve",
        "methods",
        "method_names",
        "SolveResult",
        "Equilibrium",
        "GameTheoryError",
        "Model",
        "Parameter",
    ):
        assert hasattr(gt, name), name
    assert set(gt.__all__) <= set(dir(gt))


def test_errors_share_one_base():
    for name in gt.__all__:
        obj = getattr(gt, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, gt.GameTheoryError)
