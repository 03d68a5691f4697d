"""Suggested case grades from criterion results, by the grading rule of the criteria file.

A rule fires when, for any severity it lists, at least that many criteria of the severity failed
(not met or not evidenced). The suggestion is provisional when outstanding results (pending,
unable to assess, error) could still change it: the grade with every outstanding result taken as
met differs from the grade with every one taken as not met, or when nothing was assessable.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from thematic.model.criteria import GradingDef
from thematic.model.results import ASSESSED, FAILED, OUTSTANDING


def grade_from_failures(grading: GradingDef, failed: Mapping[str, int]) -> str:
    """The first rule's grade whose threshold the failure counts (by severity) reach, else the rule's `otherwise`."""
    for rule in grading.rules:
        if any(failed.get(severity, 0) >= threshold for severity, threshold in rule.when_failed.items()):
            return rule.grade
    return grading.otherwise


def suggest_grade(grading: GradingDef, results: Iterable[tuple[str, str]]) -> tuple[str, bool]:
    """(suggested grade, provisional) from (severity, state) pairs of one case's results."""
    # This runs once for every case of a caseload: plain dictionaries (a Counter costs several
    # times as much to make and add to), and the second grade only when something is outstanding.
    failed: dict[str, int] = {}
    outstanding: dict[str, int] = {}
    assessed = False
    for severity, state in results:
        if state in ASSESSED:
            assessed = True
            if state in FAILED:
                failed[severity] = failed.get(severity, 0) + 1
        elif state in OUTSTANDING:
            outstanding[severity] = outstanding.get(severity, 0) + 1
    suggested = grade_from_failures(grading, failed)
    if outstanding:
        both = dict(failed)
        for severity, number in outstanding.items():
            both[severity] = both.get(severity, 0) + number
        pessimistic = grade_from_failures(grading, both)
    else:
        pessimistic = suggested  # nothing outstanding: the same failures, the same grade
    # A case with nothing assessable gets the best grade, but only provisionally.
    return suggested, pessimistic != suggested or not assessed
