"""The result of one self-contained benchmark group, as the runner combines it.

A group module (for example :mod:`benchmarks.tree_cases` or
:mod:`benchmarks.sweep_cases`) exposes ``run(quick, timeout, log) -> GroupReport``;
the runner appends ``markdown`` to the report and ``targets`` to the Targets table.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class GroupReport:
    """One benchmark group's section of the report and its target verdicts.

    Attributes
    ----------
    key
        Short name of the group, as given to ``--only`` (e.g. ``"trees"``).
    title
        Heading of the group's section in the report.
    markdown
        The section body: the task, a table of rows (median ms, runs, ratio,
        checks) and notes; without the heading.
    targets
        ``(target text, measured text, met)`` for each target of the issue the
        group measures; ``met`` is ``None`` when the target was not measured.
    """

    key: str
    title: str
    markdown: str
    targets: list[tuple[str, str, bool | None]] = field(default_factory=list)
