"""A report's input files, declared to its run's `OutputSet` (`declare_inputs`), so that no output
overwrites one of them.

The criteria set a report shows is found and loaded by its command
(`thematic.scoring.results_criteria`) and passed to the writer: render/ loads no file.
"""
from __future__ import annotations

from collections.abc import Sequence

from thematic.core.atomic import OutputSet

__all__ = ["declare_inputs"]


def declare_inputs(outputs: OutputSet, results: Sequence[str], criteria: str | None = None,
                   agreement: str | None = None) -> None:
    """The files a force or programme report reads: its results, and the criteria and agreement files if given."""
    for path in results:
        outputs.read(path, what="a results file")
    for given, what in ((criteria, "the criteria file (--criteria)"), (agreement, "the agreement file")):
        if given:
            outputs.read(given, what=what)
