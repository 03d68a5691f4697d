"""Shared test helpers: build cases from small dicts and score them with the shipped criteria."""
from __future__ import annotations

import contextlib
import copy
import io
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from postgres_support import postgres_database, postgres_url  # noqa: F401  (fixtures for every test)

from thematic.load.criteria import shipped_criteria_path
from thematic.model.case import Case
from thematic.model.results import CaseResult
from thematic.scoring.criteria import load_criteria
from thematic.scoring.evaluate import Scorer

AS_OF = date(2019, 11, 30)
# Reports say the date they were produced (thematic.render.publication): fixed for every test and the
# commands tests run, so golden files and byte-for-byte comparisons hold on any day.
os.environ.setdefault("SOURCE_DATE_EPOCH", "1577836800")  # 1 January 2020

#: A minimal valid case: every optional section absent (the export did not capture it).
MINIMAL: dict[str, Any] = {
    "case_id": "T-001",
    "force": "testshire",
    "category": "neglect",
    "reported_at": "2019-03-04T16:20",
    "child": {"ref": "C-0001", "age": 9},
}

#: Every top-level section captured and empty or null: the baseline most criteria tests start from.
CAPTURED_EMPTY: dict[str, Any] = {
    **MINIMAL,
    "incidents": [],
    "risk_assessments": [],
    "referrals": [],
    "strategy_discussions": [],
    "section47": None,
    "police_protection": None,
    "investigation": None,
    "supervision": [],
    "devices": [],
    "child_as_suspect": None,
    "custody": None,
    "outcome": None,
}


@pytest.fixture(scope="session")
def criteria():
    return load_criteria(shipped_criteria_path())


def make_case(base: dict[str, Any] | None = None, /, **fields: Any) -> Case:
    """A validated case: `base` (CAPTURED_EMPTY by default) with `fields` replacing top-level keys.

    A field given the value `ABSENT` is removed, so the case reads as not captured there.
    """
    data = copy.deepcopy(CAPTURED_EMPTY if base is None else base)
    for key, value in fields.items():
        if value is ABSENT:
            data.pop(key, None)
        else:
            data[key] = value
    return Case.model_validate(data)


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = _Absent()


@pytest.fixture(scope="session")
def score(criteria):
    """score(case, as_of=AS_OF, **parameter overrides) -> CaseResult."""

    def run(case: Case, as_of: date = AS_OF, **overrides: Any) -> CaseResult:
        return Scorer(criteria, {**criteria.defaults(), **overrides}, as_of).score(case)

    return run


@pytest.fixture(scope="session")
def state(score):
    """state(criterion_id, case, **kw) -> the criterion's state on the case."""

    def run(criterion_id: str, case: Case, **kwargs: Any) -> str:
        return score(case, **kwargs).results[criterion_id].state

    return run


@dataclass(frozen=True)
class CommandRun:
    """One run of a command through `thematic.cli.main`: its exit code, what it printed, where it wrote."""

    code: int
    out: str
    err: str
    folder: Path


@pytest.fixture(scope="session")
def exampleshire_run(tmp_path_factory) -> CommandRun:
    """`thematic run inspections/exampleshire-2019.yaml -o DIR`, run once for the session: it writes the
    results, the force report (HTML and PDF) and the case tables, seconds of work that the tests of its
    outputs share rather than pay for each (tests/test_cli.py, tests/test_results_model.py)."""
    from thematic.cli import main

    folder = tmp_path_factory.mktemp("exampleshire-run")
    inspection = Path(__file__).resolve().parent.parent / "inspections" / "exampleshire-2019.yaml"
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["run", str(inspection), "-o", str(folder)])
    return CommandRun(code, out.getvalue(), err.getvalue(), folder)
