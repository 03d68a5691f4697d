"""Property: scoring any case file against any criteria file succeeds or stops with exit 2 and a
located message; never a traceback, never an internal error, never a hang, never a changed input.

Hypothesis generates criteria files whose expressions are random trees over the language's own
names, fields and functions (valid and broken), random junk text and known hostile expressions,
and case files from a valid case with sections dropped or null, fields of the wrong type, unknown
keys and extreme values. Each example goes through the real command line entry,
`thematic.cli.main(["score", ...])`, in this process (a few fixed hostile examples also through a
subprocess). Runs are reproducible (derandomized, no example database) and bounded: a deadline
per example and a hard timer that stops a hang.
"""
from __future__ import annotations

import contextlib
import copy
import hashlib
import io
import json
import signal
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thematic.cli import main
from thematic.model.base import file_fields
from thematic.model.case import (
    ChildAsSuspect,
    Custody,
    Device,
    Incident,
    Investigation,
    Outcome,
    PoliceProtection,
    Referral,
    RiskAssessment,
    Section47,
    StrategyDiscussion,
    SupervisionEntry,
)
from thematic.model.results import STATES
from thematic.scoring.expr import CASE_NAMES
from thematic.scoring.functions import FUNCTIONS

#: Hard limit for one example: far above a normal run (well under a second), short of a hang.
HARD_TIMEOUT_SECONDS = 30
SETTINGS = settings(
    max_examples=100, derandomize=True, database=None, deadline=timedelta(seconds=10),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

RECORDS = (Incident, RiskAssessment, Referral, StrategyDiscussion, Section47, PoliceProtection, Investigation,
           SupervisionEntry, Device, ChildAsSuspect, Custody, Outcome)
FIELDS = sorted({name for model in RECORDS for name in file_fields(model)} | {"officer", "pip_level"})

# --- expressions -----------------------------------------------------------------------------------

LEAVES = st.one_of(
    st.sampled_from(sorted(CASE_NAMES) + ["params.p", "params.q", "params.nope", "d1", "item", "x", "__import__"]),
    st.sampled_from(["null", "true", "false", "None", "0", "1", "-3", "0.5", "1000000000", "1000000001", "1e308",
                     '"health"', '"childrens_social_care"', '"x" * 3', "[]", '["police", "health"]', "[1, 2, 3]"]),
    st.integers(-(10**10), 10**10).map(str),
)
OPERATORS = [" and ", " or ", " == ", " != ", " < ", " <= ", " > ", " >= ", " in ", " not in ", " + ", " - ",
             " * ", " / ", " is ", " ** ", " % ", " // "]


def _call(parts: tuple[str, list[str], list[tuple[str, str]]]) -> str:
    name, args, keywords = parts
    return f"{name}({', '.join(args + [f'{k}={v}' for k, v in keywords])})"


def _comprehension(parts: tuple[str, str, str, str | None]) -> str:
    element, variable, items, test = parts
    return f"[{element} for {variable} in {items}" + (f" if {test}]" if test is not None else "]")


def _extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(st.sampled_from(["not ", "-", "~"]), children).map("".join),
        st.tuples(children, st.sampled_from(OPERATORS), children).map(lambda t: f"({t[0]}{t[1]}{t[2]})"),
        st.tuples(st.sampled_from(sorted(FUNCTIONS) + ["len", "eval"]), st.lists(children, max_size=3),
                  st.lists(st.tuples(st.sampled_from(FIELDS + ["__class__", "too"]), children), max_size=2)).map(_call),
        st.tuples(children, st.sampled_from(FIELDS + ["__class__", "date"])).map(lambda t: f"{t[0]}.{t[1]}"),
        st.tuples(children, st.sampled_from(["x", "y"]), children, st.none() | children).map(_comprehension),
        st.lists(children, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
        st.tuples(children, children, children).map(lambda t: f"({t[0]} if {t[1]} else {t[2]})"),
    )


TREES = st.recursive(LEAVES, _extend, max_leaves=12)
HOSTILE = st.sampled_from([
    "not " * 300 + "true",
    "(" * 250 + "true" + ")" * 250,
    "1" + " and 1" * 330,
    "-" * 1990 + "1 == 1",
    "x" * 2001,
    "count([[1 for a in referrals] for b in referrals]) > 0",
    "count([[[1 for a in referrals] for b in referrals] for c in referrals]) > 0",
    "first(referrals, __class__=1) == null",
    "first([r.at for r in referrals], __class__=1) == null",
    "add_working_days(as_of, 1000000000) != null",
    "add_working_days(date(reported_at), params.p * 1000000) != null",
    "1000000000 * 1000000000 * 1000000000 > 0",
    "within_hours(reported_at, closed_at, 1000000000 * 1000)",
    "date(reported_at) == as_of",
    "reported_at.__class__.__mro__",
    "[x for x in referrals].__len__()",
    "__import__('os').system('true')",
])

# Well-typed expressions, so that many examples load and are scored (random trees mostly do not).
TIMES = st.sampled_from([
    "reported_at", "closed_at", "first(referrals).at", "last(incidents).at", "investigation.allocated_at",
    "investigation.suspect_arrested_at", "start_of_day(as_of)", 'first(referrals, to="childrens_social_care").at',
    "police_protection.started_at", "custody.arrived_at", "outcome.decided_at", "last(supervision).at",
    "child_as_suspect.nrm_referred_at", "first(d_list).at",
])
DATES = st.sampled_from(["as_of", "date(reported_at)", "section47.started_on", "section47.conference_on",
                         "date(closed_at)", "add_working_days(date(reported_at), params.p)"])
RECORD_LISTS = st.sampled_from([
    "referrals", "incidents", "supervision", "risk_assessments", "strategy_discussions", "devices", "d_list",
    "[r for r in referrals if r.at >= reported_at]", "last_n(incidents, params.p)",
])
NUMBER_LEAVES = st.one_of(
    st.sampled_from(["params.p", "params.q", "child.age", "outcome.code", "investigation.officer.pip_level",
                     "1000000000", "0", "-1", "0.5"]),
    st.integers(0, 100).map(str),
    RECORD_LISTS.map(lambda items: f"count({items})"),
    st.tuples(st.sampled_from(["hours_between", "days_between"]), TIMES,
              TIMES).map(lambda t: f"{t[0]}({t[1]}, {t[2]})"),
    st.tuples(TIMES, TIMES).map(lambda t: f"max_gap_days({t[0]}, [s.at for s in supervision], {t[1]})"),
)
NUMBERS = st.recursive(NUMBER_LEAVES, lambda n: st.one_of(
    st.tuples(n, st.sampled_from([" + ", " - ", " * ", " / "]), n).map(lambda t: f"({t[0]}{t[1]}{t[2]})"),
    n.map(lambda x: f"-{x}"),
    st.tuples(n, n).map(lambda t: f"coalesce({t[0]}, {t[1]})"),
), max_leaves=6)
COMPARE = st.sampled_from([" == ", " != ", " < ", " <= ", " > ", " >= "])
BOOL_LEAVES = st.one_of(
    st.tuples(NUMBERS, COMPARE, NUMBERS).map("".join),
    st.tuples(TIMES, COMPARE, TIMES).map("".join),
    st.tuples(DATES, COMPARE, DATES).map("".join),
    st.tuples(st.sampled_from(["within_hours", "within_days", "within_working_days"]), TIMES, TIMES, NUMBERS)
    .map(lambda t: f"{t[0]}({t[1]}, {t[2]}, {t[3]})"),
    st.tuples(st.one_of(TIMES, DATES, NUMBERS), st.sampled_from([" == null", " != null"])).map("".join),
    st.tuples(st.sampled_from(["any", "all"]), COMPARE, TIMES,
              st.sampled_from(["referrals", "incidents", "supervision", "d_list"]))
    .map(lambda t: f"{t[0]}(x.at{t[1]}{t[2]} for x in {t[3]})"),
    st.sampled_from(["strictly_rising([i.severity for i in incidents])",
                     '"police" in first(strategy_discussions).agencies',
                     'child.plan in ["child_protection", "none"]', "investigation.officer.specialist_trained",
                     'count(child_as_suspect.exploitation_indicators) > 0', "d_flag", "true", "false", "null"]),
)
BOOLS = st.recursive(BOOL_LEAVES, lambda b: st.one_of(
    b.map(lambda x: f"not ({x})"),
    st.tuples(b, st.sampled_from([" and ", " or "]), b).map(lambda t: f"({t[0]}{t[1]}{t[2]})"),
    st.tuples(b, b, b).map(lambda t: f"({t[0]} if {t[1]} else {t[2]})"),
), max_leaves=6)
ITEM_BOOLS = st.one_of(
    st.tuples(COMPARE, TIMES).map(lambda t: f"item.at{t[0]}{t[1]}"),
    NUMBERS.map(lambda n: f"within_days(reported_at, item.at, {n})"),
    st.just("item != null"), BOOLS,
)
TYPED = st.one_of(BOOLS, NUMBERS, TIMES)
#: What may replace a well-typed expression: a random tree, junk text or a known hostile expression.
EXPRESSIONS = st.one_of(TREES, st.text(max_size=40), HOSTILE)


@st.composite
def criteria_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A criteria file whose expressions are well typed, or (one time in three) with one of them broken."""
    criteria = []
    for index in range(draw(st.integers(1, 2))):
        criterion: dict[str, Any] = {"id": f"X-{index + 1:02d}", "theme": "t", "type": "automatic",
                                     "severity": draw(st.sampled_from(["critical", "major", "minor"])),
                                     "question": "q", "source": "s", "met": draw(BOOLS)}
        for key in ("applies", "evidenced"):
            if draw(st.integers(0, 3)) == 0:
                criterion[key] = draw(BOOLS)
        if draw(st.integers(0, 3)) == 0:
            criterion["each"] = draw(RECORD_LISTS)
            criterion["met"] = draw(ITEM_BOOLS)
        if draw(st.booleans()):
            criterion["evidence"] = "value {" + draw(TYPED) + "}"
        criteria.append(criterion)
    definitions = {"d_list": draw(RECORD_LISTS.filter(lambda items: "d_list" not in items)),
                   "d_flag": draw(BOOLS.filter(lambda b: "d_" not in b))}
    if draw(st.integers(0, 2)) == 0:
        broken = draw(EXPRESSIONS)
        slot = draw(st.sampled_from(["definition", "met", "applies", "each", "evidence"]))
        target = draw(st.sampled_from(criteria))
        if slot == "definition":
            definitions["d_flag"] = broken
        elif slot == "evidence":
            target["evidence"] = "value {" + broken + "}"
        else:
            target[slot] = broken
    return {
        "id": "prop", "version": "1", "title": "t", "source": "s",
        "parameters": {"p": {"default": draw(st.sampled_from([0, 1, 3, 1000000000])), "unit": "count",
                             "basis": "b", "description": "d"},
                       "q": {"default": 24, "unit": "hours", "basis": "b", "description": "d"}},
        "themes": {"t": {"title": "t", "finding": "f"}},
        "definitions": definitions,
        "criteria": criteria,
        "grading": {"rules": [{"grade": "inadequate", "when_failed": {"critical": 1}}], "otherwise": "good",
                    "description": "d"},
    }


# --- case files ----------------------------------------------------------------------------------

#: Replaced, after the file is written, by an integer Python could not even print (4,300+ digits).
BIG_INTEGER = "@@BIG_INTEGER@@"

VALID_CASE: dict[str, Any] = {
    "case_id": "P-001", "force": "testshire", "category": "domestic_abuse",
    "reported_at": "2019-05-14T20:40", "closed_at": "2019-07-10T16:00",
    "child": {"ref": "C-1", "age": 9, "sex": "female", "looked_after": False, "plan": "child_protection"},
    "incidents": [
        {"ref": "I-1", "at": "2018-12-10T22:15", "type": "domestic_abuse", "severity": 2, "child_seen": True,
         "demeanour_recorded": True, "response": "scheduled"},
        {"ref": "I-2", "at": "2019-05-14T20:40", "type": "domestic_abuse", "severity": 4, "child_seen": True,
         "demeanour_recorded": True, "response": "immediate"},
    ],
    "risk_assessments": [{"at": "2019-05-14T23:30", "level": "high", "history_considered": True,
                          "supervisor_reviewed_at": "2019-05-15T08:45"}],
    "referrals": [{"at": "2019-05-14T23:45", "to": "childrens_social_care"},
                  {"at": "2019-05-15T09:00", "to": "school"}],
    "strategy_discussions": [{"at": "2019-05-15T11:00", "agencies": ["police", "childrens_social_care"]}],
    "section47": {"started_on": "2019-05-15", "conference_on": "2019-06-04"},
    "police_protection": None,
    "investigation": {"allocated_at": "2019-05-14T21:30", "complexity": "standard",
                      "officer": {"pip_level": 1, "specialist_trained": True},
                      "suspect_identified_at": "2019-05-14T20:40", "suspect_arrested_at": "2019-05-14T22:10"},
    "supervision": [{"at": "2019-05-16T10:00", "kind": "direction"}],
    "devices": [],
    "child_as_suspect": None,
    "custody": None,
    "outcome": {"code": 1, "decided_at": "2019-07-10T15:30", "rationale_recorded": True, "victim_informed": True},
}

WRONG_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**6), 10**6), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20), st.just(BIG_INTEGER), st.just([]), st.just({}), st.just([None]), st.just({"a": 1}),
    st.sampled_from(["2019-13-01T00:00", "0001-01-01T00:00", "9999-12-31T23:59", "2019-03-04", "2019-03-04T16:20:30",
                     "2019-03-04T16:20+14:00", "٢٠١٩-٠٣-٠٤T16:20", "2019-03-04T16:20​", "=HYPERLINK(\"x\")"]),
)


@st.composite
def case_documents(draw: st.DrawFn) -> dict[str, Any]:
    case = copy.deepcopy(VALID_CASE)
    if draw(st.integers(0, 2)) == 0:
        return case  # a valid case: the expressions are what is under test
    optional = sorted(set(case) - {"case_id", "force", "category", "reported_at", "child"})
    keys = draw(st.lists(st.one_of(st.sampled_from(optional), st.sampled_from(sorted(case))), max_size=3, unique=True))
    for key in keys:
        action = draw(st.sampled_from(["drop", "drop", "null", "wrong"]))
        if action == "drop":
            del case[key]
        elif action == "null":
            case[key] = None
        else:
            case[key] = draw(WRONG_VALUES)
    # one field inside a record or an entry of a list
    nested = [k for k, v in case.items() if isinstance(v, dict)
              or (isinstance(v, list) and v and isinstance(v[0], dict))]
    if nested and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(nested)))
        record = case[key] if isinstance(case[key], dict) else case[key][0]
        if record:
            record[draw(st.sampled_from(sorted(record)))] = draw(WRONG_VALUES)
    if draw(st.integers(0, 5)) == 0:
        case[draw(st.sampled_from(["unknown_key", "Incidents", "case_id "]))] = 1
    return case


def write_case(folder: Path, case: dict[str, Any], kind: str) -> Path:
    path = folder / f"case.{kind}"
    if kind == "yaml":
        text = yaml.safe_dump(case, sort_keys=False, allow_unicode=True)
    else:
        text = json.dumps(case, ensure_ascii=False, indent=None if kind == "jsonl" else 2)
    path.write_text(text.replace(f"'{BIG_INTEGER}'", "1" * 5000).replace(f'"{BIG_INTEGER}"', "1" * 5000)
                    .replace(BIG_INTEGER, "1" * 5000) + "\n", encoding="utf-8")
    return path


# --- running the command line --------------------------------------------------------------------

class Hang(BaseException):
    """Raised by the hard timer: a BaseException, so that the CLI's last line of defence cannot hide it."""


def _on_alarm(signum: int, frame: Any) -> None:
    raise Hang(f"an example ran over {HARD_TIMEOUT_SECONDS} s")


@contextlib.contextmanager
def hard_timeout(seconds: float):
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_score(folder: Path, criteria: Path, case: Path, extra: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    argv = ["score", str(case), "--criteria", str(criteria), "--as-of", "2019-11-30",
            "-o", str(folder / "results.json"), *extra]
    with hard_timeout(HARD_TIMEOUT_SECONDS), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def check_outcome(folder: Path, inputs: list[Path], code: int, err: str) -> None:
    """Success with a well-formed results file, or exit 2 with every message located; nothing else."""
    assert "Traceback" not in err and "internal error" not in err, err
    results = folder / "results.json"
    if code == 0:
        document = json.loads(results.read_text(encoding="utf-8"))
        for case in document["cases"]:
            for result in case["results"].values():
                assert result["state"] in STATES, result
                assert isinstance(result["evidence"], str)
        return
    assert code == 2, (code, err)
    assert not results.exists(), "a failed run wrote its output"
    lines = [line for line in err.splitlines() if line.startswith("error: ")]
    assert lines, err
    names = [str(path) for path in inputs] + ["--set", "--as-of"]
    for line in lines:
        # `error: FILE:LINE: field: message`, or `error: FILE: message` where the file has no line to name
        assert any(line.startswith(f"error: {name}:") for name in names), line


@pytest.mark.filterwarnings("ignore")
@SETTINGS
@given(criteria=criteria_documents(), case=case_documents(), kind=st.sampled_from(["yaml", "json", "jsonl"]),
       options=st.sampled_from([[], ["--set", "p=3"], ["--set", "p=1e300"], ["--set", "q=-1"], ["--set", "zz=1"]]))
def test_scoring_succeeds_or_stops_with_a_located_message(criteria, case, kind, options):
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        criteria_path = folder / "criteria.yaml"
        criteria_path.write_text(yaml.safe_dump(criteria, sort_keys=False, allow_unicode=True, width=10**6),
                                 encoding="utf-8")
        case_path = write_case(folder, case, kind)
        before = digest(criteria_path), digest(case_path)
        code, _, err = run_score(folder, criteria_path, case_path, options)
        assert (digest(criteria_path), digest(case_path)) == before, "an input changed"
        check_outcome(folder, [criteria_path, case_path], code, err)


#: The shipped criteria, whose expressions are the ones real cases meet.
SHIPPED = Path(__file__).resolve().parent.parent / "criteria" / "ncpi-thematic-2019.yaml"


@pytest.mark.filterwarnings("ignore")
@settings(SETTINGS, max_examples=50)
@given(case=case_documents(), kind=st.sampled_from(["yaml", "json"]))
def test_the_shipped_criteria_score_any_case_or_stop_with_a_located_message(case, kind):
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        case_path = write_case(folder, case, kind)
        before = digest(case_path), digest(SHIPPED)
        code, _, err = run_score(folder, SHIPPED, case_path, [])
        assert (digest(case_path), digest(SHIPPED)) == before
        check_outcome(folder, [SHIPPED, case_path], code, err)


@pytest.mark.parametrize("met", [
    "not " * 300 + "true",
    "count([[1 for a in referrals] for b in referrals]) > 0 and first(referrals, too=1) == null",
    "add_working_days(as_of, 1000000000) != null",
])
def test_a_sample_through_a_separate_process(tmp_path, met):
    """The installed entry point, in its own process: exit codes and messages as a user sees them."""
    criteria = {**criteria_documents_example(), "criteria": [{
        "id": "X-01", "theme": "t", "type": "automatic", "severity": "minor", "question": "q", "source": "s",
        "met": met}]}
    criteria_path = tmp_path / "criteria.yaml"
    criteria_path.write_text(yaml.safe_dump(criteria, sort_keys=False, width=10**6), encoding="utf-8")
    case_path = write_case(tmp_path, VALID_CASE, "yaml")
    run = subprocess.run([sys.executable, "-m", "thematic", "score", str(case_path), "--criteria", str(criteria_path),
                          "--as-of", "2019-11-30", "-o", str(tmp_path / "results.json")],
                         capture_output=True, text=True, timeout=120)
    check_outcome(tmp_path, [criteria_path, case_path], run.returncode, run.stderr)


def criteria_documents_example() -> dict[str, Any]:
    return {
        "id": "prop", "version": "1", "title": "t", "source": "s",
        "parameters": {"p": {"default": 1, "unit": "count", "basis": "b", "description": "d"}},
        "themes": {"t": {"title": "t", "finding": "f"}},
        "grading": {"rules": [], "otherwise": "good", "description": "d"},
    }
