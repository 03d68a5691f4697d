"""The criteria set a results file was scored with, found and loaded for the report made of it.

A report is rendered from models (render/ loads no file), so its command finds the set here, once,
and passes it to the writer. `criteria_for` finds the set a force report needs (the shipped one of
the results' id, or `--criteria FILE`) and checks that every criterion's fingerprint still matches,
so that a report never pairs counts with a changed definition. `criteria_texts` and `criteria_of`
find the set whose questions and theme titles a programme, comparison or self-assessment report
shows, or None when there is none to show (criteria are then shown by id). Lives in scoring/
because the set is compiled (`scoring.criteria.load_criteria`) and fingerprinted here.
"""
from __future__ import annotations

from thematic.core.errors import InputError, Problem
from thematic.load.criteria import shipped_criteria_path
from thematic.load.results import Results
from thematic.scoring.criteria import CriteriaSet, load_criteria
from thematic.scoring.fingerprint import fingerprints

__all__ = ["criteria_for", "criteria_of", "criteria_texts"]


def criteria_texts(results: Results, path: str | None) -> CriteriaSet | None:
    """The criteria set whose questions and theme titles a programme or comparison report shows.

    `--criteria FILE` if given (InputError if it is another set); otherwise the shipped set of the
    results' id and version, if there is one; otherwise None, and criteria are shown by id.
    """
    if path is None:
        try:
            path = str(shipped_criteria_path(results.criteria_id))
        except InputError:
            return None
        criteria = load_criteria(path)
        return criteria if criteria.file.version == results.criteria_version else None
    criteria = load_criteria(path)
    if criteria.id != results.criteria_id or criteria.file.version != results.criteria_version:
        raise InputError([results.problem(
            ("criteria", "id"), f"scored with {results.criteria_id} version {results.criteria_version}, but {path} "
                                f"is {criteria.id} version {criteria.file.version}; give the criteria file the results "
                                "were scored with (--criteria FILE)")])
    return criteria


def criteria_of(criteria_id: str, version: str, path: str | None) -> CriteriaSet | None:
    """The criteria set `criteria_id` `version` from `path` (`--criteria`), or else the shipped set of
    that id and version; None when there is none. A file given that is another set is an InputError."""
    if path is None:
        try:
            path = str(shipped_criteria_path(criteria_id))
        except InputError:
            return None
        criteria = load_criteria(path)
        return criteria if criteria.file.version == version else None
    criteria = load_criteria(path)
    if criteria.id != criteria_id or criteria.file.version != version:
        raise InputError.single(path, f"is {criteria.id} version {criteria.file.version}, but the results were "
                                      f"scored with {criteria_id} version {version}", field="--criteria")
    return criteria


def criteria_for(results: Results, path: str | None) -> CriteriaSet:
    """The criteria set the results were scored with; InputError if it is not the same definition."""
    if path is None:
        try:
            path = str(shipped_criteria_path(results.criteria_id))
        except InputError:
            raise InputError([results.problem(("criteria", "id"),
                                              f"no shipped criteria set \"{results.criteria_id}\"; give the criteria "
                                              "file the results were scored with (--criteria FILE)")]) from None
    criteria = load_criteria(path)
    problems: list[Problem] = []
    if criteria.id != results.criteria_id or criteria.file.version != results.criteria_version:
        problems.append(results.problem(
            ("criteria", "id"),
            f"scored with {results.criteria_id} version {results.criteria_version}, but {path} is {criteria.id} "
            f"version {criteria.file.version}; give the criteria file the results were scored with (--criteria FILE)"))
        raise InputError(problems)
    missing = [p for c in criteria.criteria for p in sorted(c.parameters) if p not in results.parameters]
    if missing:
        raise InputError([results.problem(("parameters",), f"no value for {', '.join(sorted(set(missing)))}, "
                                                           f"which the criteria in {path} read")])
    expected = fingerprints(criteria, results.parameters)
    if list(expected) != list(results.fingerprints):
        problems.append(results.problem(
            ("criteria", "fingerprints"),
            f"the results hold criteria {', '.join(results.fingerprints)}, but {path} defines "
            f"{', '.join(expected)}; give the criteria file the results were scored with (--criteria FILE)"))
    else:
        changed = [cid for cid in expected if expected[cid] != results.fingerprints[cid]]
        if changed:
            problems.append(results.problem(
                ("criteria", "fingerprints"),
                f"{', '.join(changed)}: the definition in {path} differs from the one the results were scored with "
                "(fingerprints differ); give the criteria file they were scored with (--criteria FILE), or score "
                "again"))
    if problems:
        raise InputError(problems)
    return criteria
