"""docs/trees.md runs as written: every Python snippet, in order, prints the output shown below it.

The snippets run in one namespace (later ones use names defined earlier) in a
temporary working directory holding a copy of ``models/``, so relative paths
resolve as they do from the repository root and written files go nowhere.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "trees.md"
FENCE = re.compile(r"^```([A-Za-z]*)\n(.*?)^```\n", re.S | re.M)


def snippets(text: str) -> list[tuple[int, str, str | None]]:
    """``(line, code, expected output or None)`` of each ```python block.

    The expected output is the untagged block that follows the snippet with
    only blank lines between them.
    """
    blocks = [
        (m.group(1), m.group(2), text.count("\n", 0, m.start()) + 1, m.start(), m.end())
        for m in FENCE.finditer(text)
    ]
    out = []
    for k, (lang, body, line, _, end) in enumerate(blocks):
        if lang != "python":
            continue
        expected = None
        if k + 1 < len(blocks):
            nlang, nbody, _, nstart, _ = blocks[k + 1]
            if nlang == "" and not text[end:nstart].strip():
                expected = nbody
        out.append((line, body, expected))
    return out


def test_the_page_has_snippets_with_outputs() -> None:
    found = snippets(PAGE.read_text(encoding="utf-8"))
    assert len(found) >= 12
    assert sum(expected is not None for _, _, expected in found) >= 10


def test_every_snippet_runs_and_prints_what_the_page_shows(tmp_path, monkeypatch) -> None:
    shutil.copytree(ROOT / "models", tmp_path / "models")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__docs__"}
    for line, code, expected in snippets(PAGE.read_text(encoding="utf-8")):
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            try:
                exec(compile(code, f"{PAGE.name}:{line}", "exec"), namespace)
            except Exception as exc:  # pragma: no cover - the failure report
                pytest.fail(f"the snippet at docs/trees.md:{line} raised {exc!r}")
        if expected is not None:
            assert buffer.getvalue() == expected, f"output of the snippet at docs/trees.md:{line}"
        else:
            assert buffer.getvalue() == "", f"the snippet at docs/trees.md:{line} prints output"
