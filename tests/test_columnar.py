"""The criteria set compiled to one DuckDB query (`scoring.columnar`) decides every case it does not bounce
exactly as the Python evaluator (`Scorer`) does: each criterion's state, the suggested grade, whether it
is provisional, the inspector's grade and referral back; on generated caseloads, the demo inspection, cases
drawn around windows, working days, bank holidays and clock changes, and hostile criteria files. A case the
query cannot be sure of is bounced, never decided differently."""
from __future__ import annotations

import copy
import json
import random
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thematic.load.criteria import shipped_criteria_path
from thematic.load.fast_case import fast_case
from thematic.model.case import Case
from thematic.model.results import STATES
from thematic.scoring.columnar import ColumnarPlan, columnar_plan
from thematic.scoring.criteria import CriteriaSet, load_criteria
from thematic.scoring.evaluate import Scorer

duckdb = pytest.importorskip("duckdb")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import caseload_sample  # noqa: E402

AS_OF = date(2019, 11, 30)


@pytest.fixture(scope="module")
def shipped() -> CriteriaSet:
    return load_criteria(shipped_criteria_path())


def run_plan(plan: ColumnarPlan, documents: list[dict[str, Any]], folder: Path,
             set_up: bool = False) -> dict[int, tuple[Any, ...]]:
    """The query's row for each document (by its index), run as a worker would: one thread
    (`set_up`: with the constants made by `plan.setup()` first, as scoring/columnar_batch.py runs it)."""
    path = folder / "batch.jsonl"
    with path.open("wb") as out:
        for index, document in enumerate(documents):
            raw = json.dumps(document).encode()
            out.write(b'{"_line":%d,' % index + raw[1:] + b"\n")
    connection = duckdb.connect(config={"threads": 1})
    try:
        relation = f"read_json('{path}', format='newline_delimited', columns={plan.columns})"
        for statement in plan.setup() if set_up else ():
            connection.execute(statement)
        rows = connection.sql(plan.query(relation, set_up=set_up)).fetchall()
    finally:
        connection.close()
    assert sorted(r[0] for r in rows) == list(range(len(documents)))  # one row per line
    return {r[0]: r for r in rows}


def expected_row(scorer: Scorer, document: dict[str, Any]) -> tuple[Any, ...]:
    raw = json.dumps(document).encode()
    case = fast_case(raw) or Case.model_validate(document)
    result = scorer.score(case)
    states = tuple(STATES.index(r.state) for r in result.results.values())
    return (*states, result.suggested_grade, result.grade, result.provisional, result.referred_back)


def compare(criteria: CriteriaSet, documents: list[dict[str, Any]], folder: Path, as_of: date = AS_OF,
            parameters: dict[str, Any] | None = None) -> tuple[int, int]:
    """Assert the query agrees with the Python evaluator on every row it does not bounce; (decided, bounced)."""
    parameters = criteria.defaults() if parameters is None else parameters
    plan = columnar_plan(criteria, parameters, as_of)
    assert plan is not None
    assert plan.criteria_ids == tuple(c.id for c in criteria.criteria)
    rows = run_plan(plan, documents, folder)
    scorer = Scorer(criteria, parameters, as_of, evidence=False)
    bounced = 0
    for index, document in enumerate(documents):
        row = rows[index]
        if row[1]:
            bounced += 1
            continue
        got = tuple(row[2:])
        expected = expected_row(scorer, document)
        if got != expected:
            differing = [(cid, STATES[e], None if g is None else STATES[g])
                         for cid, e, g in zip(plan.criteria_ids, expected, got, strict=False) if e != g]
            raise AssertionError(f"document {index}: {differing or (got[-4:], expected[-4:])}\n{json.dumps(document)}")
    return len(documents) - bounced, bounced


def _at(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def base_case(seed: int = 5) -> dict[str, Any]:
    document = caseload_sample.vary_example(random.Random(seed), seed)
    for section in caseload_sample._SECTIONS:  # the query sees only cases with every section captured
        document.setdefault(section, [] if section.endswith("s") or section == "supervision" else None)
    return document


# --- the shipped criteria -------------------------------------------------------------------------------

def test_the_shipped_set_compiles_to_one_query(shipped: CriteriaSet) -> None:
    plan = columnar_plan(shipped, shipped.defaults(), AS_OF)
    assert plan is not None
    assert "'_line': 'BIGINT'" in plan.columns
    query = plan.query("cases")
    assert query.count("FROM cases") == 1


def test_generated_caseload_matches_the_evaluator(shipped: CriteriaSet, tmp_path: Path) -> None:
    pool, _ = caseload_sample.case_pool(400, seed=11)
    documents = [json.loads(line) for line in caseload_sample.caseload_lines(1500, pool, seed=11)]
    documents = [d for d in documents if all(s in d for s in caseload_sample._SECTIONS)]
    decided, bounced = compare(shipped, documents, tmp_path)
    assert bounced == 0 and decided > 1000
    # The caseload reaches every state the query can give.
    plan = columnar_plan(shipped, shipped.defaults(), AS_OF)
    assert plan is not None
    rows = run_plan(plan, documents, tmp_path)
    seen = {STATES[s] for row in rows.values() for s in row[2:2 + len(plan.criteria_ids)]}
    assert {"met", "not_met", "not_evidenced", "not_applicable"} <= seen
    # The constants made once per connection (`setup`) give the same rows as the inline ones.
    assert run_plan(plan, documents, tmp_path, set_up=True) == rows


def test_setup_makes_only_its_own_constants(shipped: CriteriaSet, tmp_path: Path) -> None:
    """`setup` creates one TEMP table of the module's own name; without it the set-up query cannot run."""
    plan = columnar_plan(shipped, shipped.defaults(), AS_OF)
    assert plan is not None
    statements = plan.setup()
    assert len(statements) == 1 and statements[0].startswith("CREATE TEMP TABLE _thematic_constants AS SELECT ")
    path = tmp_path / "empty.jsonl"
    path.write_bytes(b"")
    relation = f"read_json('{path}', format='newline_delimited', columns={plan.columns})"
    connection = duckdb.connect(config={"threads": 1})
    try:
        with pytest.raises(duckdb.Error, match="_thematic_constants"):
            connection.sql(plan.query(relation, set_up=True)).fetchall()
        connection.execute(statements[0])
        assert connection.sql(plan.query(relation, set_up=True)).fetchall() == []
        tables = connection.sql("SELECT table_name, temporary FROM duckdb_tables()").fetchall()
        assert tables == [("_thematic_constants", True)]
    finally:
        connection.close()


def test_varied_examples_and_other_dates_and_parameters(shipped: CriteriaSet, tmp_path: Path) -> None:
    rng = random.Random(3)
    documents = [base_case(n) for n in range(300)]
    for document in documents[::7]:
        document.pop("grade", None)
        document.pop("judgements", None)
    compare(shipped, documents, tmp_path, as_of=date(2019, 3, 31))
    parameters = {**shipped.defaults(), "referral_max_hours": 1.5, "strategy_max_working_days": 3,
                  "escalation_run": 2, "supervision_max_gap_days": 0.5, "device_submit_max_days": 0}
    compare(shipped, documents, tmp_path, parameters=parameters)
    rng.shuffle(documents)
    compare(shipped, documents, tmp_path, as_of=date(2018, 12, 27))


def test_the_demo_inspection(shipped: CriteriaSet, tmp_path: Path) -> None:
    from thematic.synth.generate import generate_cases
    from thematic.synth.profile import load_profile

    documents = generate_cases(load_profile("northmoor-2019"), force="northmoor", year=2019, count=120,
                               seed=2019).documents
    documents = [json.loads(json.dumps(d, default=str)) for d in documents]
    complete = [d for d in documents if all(s in d for s in caseload_sample._SECTIONS)]
    decided, _ = compare(shipped, complete, tmp_path)
    assert decided >= 100


# --- edges: windows, working days, clocks, nulls, judgements, dates ----------------------------------

def _with(document: dict[str, Any], **changes: Any) -> dict[str, Any]:
    copied = copy.deepcopy(document)
    copied.update(changes)
    return copied


def test_window_boundaries(shipped: CriteriaSet, tmp_path: Path) -> None:
    documents = []
    start = datetime(2019, 6, 3, 9, 0)
    for minutes in (0, 1, -1, 24 * 60 - 1, 24 * 60, 24 * 60 + 1, 72 * 60, 72 * 60 + 1, 7 * 1440, 7 * 1440 + 1,
                    90 * 1440, 90 * 1440 + 1, 28 * 1440, 28 * 1440 + 1, 2 * 60, 2 * 60 + 1):
        later = _at(start + timedelta(minutes=minutes))
        base = base_case(minutes % 11)
        documents.append(_with(
            base, reported_at=_at(start), closed_at=later,
            referrals=[{"at": later, "to": "childrens_social_care"}],
            police_protection={"started_at": _at(start), "ended_at": later, "local_authority_informed_at": later,
                               "designated_officer_informed": True},
            investigation={"allocated_at": _at(start), "complexity": "complex",
                           "officer": {"pip_level": 2, "specialist_trained": True},
                           "suspect_identified_at": _at(start), "suspect_arrested_at": later},
            supervision=[{"at": later, "kind": "direction"}],
            devices=[{"ref": "D-1", "seized_at": _at(start), "submitted_at": later, "examined_at": later,
                      "returned_to_suspect_at": None, "triaged": False, "indecent_images_suspected": False}],
            risk_assessments=[{"at": _at(start), "level": "high", "history_considered": True,
                               "supervisor_reviewed_at": later}],
            custody={"arrived_at": _at(start), "charged_at": None, "bail_refused": False, "transferred_at": None,
                     "s38_6_certificate": False, "appropriate_adult_requested_at": _at(start),
                     "appropriate_adult_arrived_at": later}))
    decided, bounced = compare(shipped, documents, tmp_path)
    assert bounced == 0


def test_working_days_over_bank_holidays_weekends_and_clock_changes(shipped: CriteriaSet, tmp_path: Path) -> None:
    documents = []
    reports = [datetime(2019, 12, 24, 16, 0), datetime(2019, 12, 20, 23, 59), datetime(2019, 4, 18, 23, 59),
               datetime(2019, 8, 23, 17, 0), datetime(2019, 5, 3, 12, 0), datetime(2019, 3, 31, 1, 30),
               datetime(2019, 3, 30, 23, 30), datetime(2019, 10, 27, 1, 30), datetime(2019, 10, 26, 23, 30),
               datetime(2018, 12, 31, 23, 59), datetime(2020, 5, 7, 18, 0), datetime(2022, 6, 1, 9, 0)]
    for report in reports:
        for days in (0, 1, 2, 3, 4, 5, 6, 14, 20, 21, 22, 23, 25):
            later = report + timedelta(days=days)
            base = base_case(days)
            documents.append(_with(
                base, reported_at=_at(report), closed_at=None,
                strategy_discussions=[{"at": _at(later), "agencies": ["police", "health", "childrens_social_care"]}],
                section47={"started_on": report.date().isoformat(),
                           "conference_on": (later.date() + timedelta(days=days)).isoformat()},
                referrals=[{"at": _at(report + timedelta(hours=days)), "to": "childrens_social_care"}]))
    decided, bounced = compare(shipped, documents, tmp_path)
    assert bounced == 0 and decided == len(documents)


def test_clock_changes_ambiguous_and_skipped_hours_and_utc_times(shipped: CriteriaSet, tmp_path: Path) -> None:
    documents = []
    texts = ["2019-03-31T00:59", "2019-03-31T01:00", "2019-03-31T01:30", "2019-03-31T02:00", "2019-03-31T00:30Z",
             "2019-10-27T00:59", "2019-10-27T01:00", "2019-10-27T01:30", "2019-10-27T01:59:59.999999",
             "2019-10-27T02:00", "2019-10-27T01:30Z", "2019-10-27 01:30:30", "2019-10-26T23:30",
             "1996-03-31T01:30", "2100-10-31T01:30", "1972-03-19T02:30", "1972-01-01T00:00"]
    for first in texts:
        for second in texts:
            base = base_case(len(documents) % 13)
            documents.append(_with(
                base, reported_at=first,
                referrals=[{"at": second, "to": "childrens_social_care"}],
                police_protection={"started_at": first, "ended_at": second, "local_authority_informed_at": second,
                                   "designated_officer_informed": False},
                strategy_discussions=[{"at": second, "agencies": ["police"]}],
                section47={"started_on": second[:10], "conference_on": first[:10]}))
    decided, bounced = compare(shipped, documents, tmp_path)
    assert bounced == 0


def test_null_sections_empty_lists_judgements_and_grades(shipped: CriteriaSet, tmp_path: Path) -> None:
    documents = []
    for n in range(40):
        base = base_case(n)
        if n % 2:
            for section in ("section47", "police_protection", "investigation", "child_as_suspect", "custody",
                            "outcome"):
                base[section] = None
        if n % 3 == 0:
            for section in ("incidents", "risk_assessments", "referrals", "strategy_discussions", "supervision",
                            "devices"):
                base[section] = []
        if n % 4 == 0:
            base["judgements"] = {}
        elif n % 4 == 1:
            base["judgements"] = {"SUP-04": {"answer": "partly", "by": "I-1"},
                                  "RISK-05": {"answer": "n/a", "by": "I-2", "note": "a note"},
                                  "INF-02": {"answer": "yes", "by": "I-1"}, "CRM-06": {"answer": "no", "by": "I-2"}}
        if n % 5 == 0:
            base["grade"] = {"value": "good", "by": "I-1", "referred_back": n % 10 == 0}
        elif n % 5 == 1:
            base.pop("grade", None)
        if n % 6 == 0:
            base.pop("closed_at", None)
        if n % 7 == 0 and base.get("child_as_suspect"):
            base["child_as_suspect"].pop("s45_excluded", None)
        documents.append(base)
    compare(shipped, documents, tmp_path)


def test_dated_criteria_before_and_after_their_date(shipped: CriteriaSet, tmp_path: Path) -> None:
    documents = []
    suspect = {"offence": "theft", "exploitation_indicators": ["county_lines"], "nrm_referred_at": None,
               "nrm_decision": "pending", "s45_considered": False, "s45_excluded": False}
    for reported in ("2015-07-30T23:30", "2015-07-31T00:00", "2015-10-31T23:59", "2015-11-01T00:00",
                     "2015-06-01T10:00", "2016-01-05T10:00"):
        for decided in (None, "2015-07-30T23:30", "2015-07-31T00:00", "2015-10-31T23:59", "2015-11-01T00:00"):
            base = base_case(len(documents) % 9)
            outcome = None if decided is None else {"code": 1, "decided_at": decided, "rationale_recorded": True,
                                                    "victim_informed": False}
            documents.append(_with(base, reported_at=reported, child_as_suspect=suspect, outcome=outcome,
                                   closed_at=None))
    for as_of in (date(2015, 7, 30), date(2015, 8, 1), date(2015, 11, 1), AS_OF):
        compare(shipped, documents, tmp_path, as_of=as_of)


def test_cases_the_query_cannot_be_sure_of_bounce(shipped: CriteriaSet, tmp_path: Path) -> None:
    good = base_case(1)
    documents = [
        _with(good, reported_at="2019-02-30T10:00"),                    # a day that does not exist
        _with(good, reported_at="2019-02-29T10:00"),                    # not a leap year
        _with(good, closed_at="2019-01-01T24:00"),                      # hour 24: Python refuses it
        _with(good, referrals=[{"at": "1971-12-31T23:59", "to": "health"}]),  # before the tables' years
        _with(good, section47={"started_on": "2019-02-30", "conference_on": None}),
        _with(good, judgements={"INF-02": {"answer": "perhaps", "by": "I-1"}}),  # not one of its answers
        good,
    ]
    plan = columnar_plan(shipped, shipped.defaults(), AS_OF)
    assert plan is not None
    rows = run_plan(plan, documents, tmp_path)
    assert [rows[i][1] for i in range(len(documents))] == [True] * (len(documents) - 1) + [False]


def test_lists_long_enough_to_reach_the_limits_bounce(tmp_path: Path) -> None:
    # Every pair of referrals: a million steps is reached from about 1,000 referrals.
    criteria = _criteria(tmp_path, [
        {"id": "E-01", "met": "any(any(a.at < b.at for b in referrals) for a in referrals)"},
        {"id": "E-02", "met": "count(referrals) > 2"}])
    plan = columnar_plan(criteria, criteria.defaults(), AS_OF)
    assert plan is not None
    base = base_case(2)
    short = _with(base, referrals=[{"at": "2019-03-04T10:00", "to": "health"}] * 500)
    long = _with(base, referrals=[{"at": "2019-03-04T10:00", "to": "health"}] * 1500)
    decided, bounced = compare(criteria, [short, long], tmp_path)
    assert (decided, bounced) == (1, 1)
    scorer = Scorer(criteria, criteria.defaults(), AS_OF, evidence=False)
    assert scorer.score(Case.model_validate(long)).results["E-01"].state == "error"  # Python's to say


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    document = base_case(draw(st.integers(0, 60)))
    shift = draw(st.integers(-3 * 1440, 3 * 1440))
    start = datetime.fromisoformat(document["reported_at"]) + timedelta(minutes=shift)
    document["reported_at"] = _at(start)
    def moment() -> str | None:
        minutes = draw(st.one_of(st.sampled_from([0, 1, -1, 1440, 1441, 7 * 1440, 24 * 60 + 1, 72 * 60]),
                                 st.integers(-400 * 1440, 120 * 1440)))
        return None if draw(st.integers(0, 9)) == 0 else _at(start + timedelta(minutes=minutes))
    for name in ("incidents", "risk_assessments", "referrals", "strategy_discussions", "supervision", "devices"):
        entries = document.get(name) or []
        entries = entries[: draw(st.integers(0, len(entries)))]
        for entry in entries:
            for key in list(entry):
                if key == "at" or key.endswith("_at"):
                    value = moment()
                    entry[key] = value if value is not None or key not in ("at", "seized_at") else _at(start)
        document[name] = entries
    for name in ("section47", "police_protection", "investigation", "child_as_suspect", "custody", "outcome"):
        if draw(st.booleans()) and document.get(name) is not None:
            document[name] = None
        elif document.get(name):
            for key in list(document[name]):
                if key.endswith("_at") and key not in ("allocated_at", "arrived_at", "decided_at"):
                    document[name][key] = moment()
    if document.get("incidents"):
        for incident in document["incidents"]:
            incident["severity"] = draw(st.integers(1, 5))
    return document


@settings(max_examples=15, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(documents=st.lists(mutated(), min_size=5, max_size=20), as_of_days=st.integers(0, 400))
def test_mutated_cases_match(shipped: CriteriaSet, tmp_path: Path, documents: list[dict[str, Any]],
                             as_of_days: int) -> None:
    compare(shipped, documents, tmp_path, as_of=date(2019, 1, 1) + timedelta(days=as_of_days))


# --- other criteria files -------------------------------------------------------------------------------

def _criteria(folder: Path, criteria: list[dict[str, Any]], definitions: dict[str, str] | None = None,
              name: str = "criteria.yaml") -> CriteriaSet:
    document = {
        "id": "edges", "version": "1", "title": "t", "source": "s",
        "parameters": {"p": {"default": 1, "unit": "count", "basis": "b", "description": "d"}},
        "themes": {"t": {"title": "t", "finding": "f"}},
        "definitions": definitions or {},
        "criteria": [{"theme": "t", "type": "automatic", "severity": "minor", "question": "q", "source": "s", **c}
                     for c in criteria],
        "grading": {"rules": [{"grade": "inadequate", "when_failed": {"minor": 2}}], "otherwise": "good",
                    "description": "d"},
    }
    path = folder / name
    path.write_text(yaml.safe_dump(document, sort_keys=False, width=10**6), encoding="utf-8")
    return load_criteria(path)


@pytest.mark.parametrize("expression", [
    "hours_between(date(reported_at), as_of) > 3",            # a duration between dates
    "(reported_at + 1) > 3",                                  # arithmetic on a time
    "\"abc\" in category",                                    # text in text
    "first(devices).ref == \"D-1\"",                          # first of entries without a time
    "add_working_days(date(reported_at), count(referrals)) > as_of",  # working days read from the case
    "date(reported_at) > 3",                                  # a date against a number
])
def test_an_unsupported_expression_gives_no_plan(tmp_path: Path, expression: str) -> None:
    criteria = _criteria(tmp_path, [{"id": "E-01", "met": expression}, {"id": "E-02", "met": "true"}])
    assert columnar_plan(criteria, criteria.defaults(), AS_OF) is None


HOSTILE = ["'); DROP TABLE x; --", "' OR 1=1 --", "\\'; SELECT 1; --", "a''b", "\" || '", "é'\u2028'"]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_literals_stay_literals(tmp_path: Path, text: str) -> None:
    criteria = _criteria(tmp_path, [
        {"id": "E-01", "met": f"category == {json.dumps(text)} or {json.dumps(text)} in [r.to for r in referrals]"},
        {"id": "E-02", "met": f"count(referrals, to={json.dumps(text)}) == 0"},
        {"id": "E-03", "type": "judgement", "answers": {text: "met", "no": "not_met"}},
    ], definitions={"odd": f"[r for r in referrals if r.to != {json.dumps(text)}]"})
    plan = columnar_plan(criteria, criteria.defaults(), AS_OF)
    assert plan is not None
    connection = duckdb.connect(config={"threads": 1})
    connection.sql("CREATE TABLE x AS SELECT 1 AS kept")
    documents = [base_case(n) for n in range(4)]
    documents[1]["judgements"] = {"E-03": {"answer": "no", "by": "I-1"}}
    path = tmp_path / "batch.jsonl"
    path.write_bytes(b"".join(b'{"_line":%d,' % i + json.dumps(d).encode()[1:] + b"\n"
                              for i, d in enumerate(documents)))
    rows = connection.sql(plan.query(f"read_json('{path}', format='newline_delimited', columns={plan.columns})"))
    assert len(rows.fetchall()) == 4
    assert connection.sql("SELECT kept FROM x").fetchall() == [(1,)]
    compare(criteria, documents, tmp_path)


def test_arithmetic_matches_and_beyond_its_limit_bounces(tmp_path: Path) -> None:
    criteria = _criteria(tmp_path, [
        {"id": "E-01", "met": "hours_between(reported_at, closed_at) * 2 - 0.5 > params.p / 3"},
        {"id": "E-02", "met": "count(referrals) / (count(devices) - 1) >= 1 or -count(incidents) + 2 == 0"},
        {"id": "E-03", "met": "any(i.severity * params.p * 1000000000 > 3 for i in incidents)"},
        {"id": "E-04", "applies": "count(devices) > 0", "each": "devices",
         "met": "days_between(item.seized_at, item.submitted_at) / 7 <= 1 + null"},
        {"id": "E-05", "met": "(closed_at == null) or hours_between(reported_at, closed_at) * 1000000000 > 0"},
    ])
    documents = [base_case(n) for n in range(60)]
    for n, document in enumerate(documents):
        if n % 3 == 0:
            document["devices"] = document["devices"][:1]
        if n % 5 == 0:
            document["closed_at"] = None
    for value in (1, 1000000, 1000000000):
        decided, bounced = compare(criteria, documents, tmp_path, parameters={"p": value})
        if value == 1:
            assert decided > 40
        elif value == 1000000000:  # severity × 10**18: over Python's limit, its `error`, so bounced
            assert bounced >= sum(1 for d in documents if d["incidents"])
            scorer = Scorer(criteria, {"p": value}, AS_OF, evidence=False)
            assert scorer.score(Case.model_validate(documents[1])).results["E-03"].state == "error"


def test_text_with_a_nul_gives_no_plan(tmp_path: Path) -> None:
    criteria = _criteria(tmp_path, [{"id": "E-01", "met": "category == \"a\\0b\""}])
    assert columnar_plan(criteria, criteria.defaults(), AS_OF) is None


def test_other_shapes_compile_and_match(tmp_path: Path) -> None:
    criteria = _criteria(tmp_path, [
        {"id": "E-01", "met": "count(last_n([i.severity for i in incidents], 2)) == 0 or strictly_rising(last_n("
                              "[i.at for i in incidents], params.p))"},
        {"id": "E-02", "each": "[d for d in devices if d.triaged]", "met": "item.examined_at != null",
         "evidenced": "item.submitted_at != null"},
        {"id": "E-03", "met": "all(s.kind != \"process\" for s in supervision) and not (closed_at == null)"},
        {"id": "E-04", "applies": "category in [\"neglect\", \"missing\"]", "met": "first([r.at for r in referrals "
                              "if r.to == \"health\"]) < last(referrals).at if count(referrals) > 1 else null"},
        {"id": "E-05", "met": "within_working_days(reported_at, coalesce(closed_at, start_of_day(as_of)), 0)"},
        {"id": "E-06", "met": "start_of_day(date(reported_at)) <= reported_at and hours_between(reported_at,"
                              " closed_at) >= -1.5 and days_between(reported_at, closed_at) != 0.25"},
        {"id": "E-07", "met": "child.looked_after or child.plan == \"none\" or child.sex == null"},
        {"id": "E-08", "type": "judgement", "applies": "count(devices) > 0", "answers": {"yes": "met",
                                                                                      "no": "not_met"}},
    ], definitions={"late": "[r for r in referrals if r.at > reported_at]"})
    documents = [base_case(n) for n in range(80)]
    for n, document in enumerate(documents):
        if n % 3 == 0:
            document["child"].pop("looked_after", None)
            document["child"].pop("plan", None)
        if n % 4 == 0:
            document["judgements"] = {"E-08": {"answer": "yes", "by": "I-1"}}
    compare(criteria, documents, tmp_path)


# --- the zone and the calendar written out in SQL, against Python's own ------------------------------

def test_local_times_convert_as_python_does_around_every_clock_change() -> None:
    from thematic.model.base import plain_datetime
    from thematic.scoring import columnar

    texts: list[str] = []
    for moment, _, _ in columnar._transitions():
        change = datetime(1900, 1, 1) + timedelta(microseconds=moment)
        if not 1972 <= change.year <= 2100:
            continue
        for minutes in range(-150, 151, 15):
            local = change + timedelta(minutes=minutes)
            texts += [_at(local), _at(local) + "Z", local.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]]
    texts += ["1972-01-01T00:00", "2100-12-31T23:59:59.999999", "2024-02-29T12:00"]
    connection = duckdb.connect(config={"threads": 1})
    connection.execute("CREATE TABLE s (x VARCHAR)")
    connection.executemany("INSERT INTO s VALUES (?)", [(t,) for t in texts])
    got = connection.sql(f"WITH _t AS ({columnar._tables()}) SELECT x, {columnar._time_sql('x')} FROM s, _t").fetchall()
    epoch = datetime(1900, 1, 1, tzinfo=plain_datetime("2019-01-01T00:00Z").tzinfo)
    for text, value in got:
        assert value == (plain_datetime(text) - epoch) // timedelta(microseconds=1), text
    assert len(got) == len(texts) > 10_000


def test_local_dates_and_working_days_as_python_gives_them(tmp_path: Path) -> None:
    from datetime import UTC

    from thematic.core.timeutil import add_working_days, local_date
    from thematic.scoring import columnar

    days = [date(2019, 1, 1) + timedelta(days=n) for n in range(0, 800, 1)]
    days += [date(y, 12, 20) + timedelta(days=n) for y in (1972, 1999, 2020, 2026, 2099) for n in range(16)]
    criteria = _criteria(tmp_path, [{"id": "E-01", "met": "true"}])
    compiler = columnar._Compiler(criteria, {}, AS_OF)
    connection = duckdb.connect(config={"threads": 1})
    for count in (0, 1, 2, 15):
        expression = compiler._add_working("d", count)
        rows = connection.sql(f"WITH _t AS ({columnar._tables()}) SELECT d, {expression} FROM "
                              f"(SELECT unnest(?::BIGINT[]) AS d), _t",
                              params=[[(d - date(1900, 1, 1)).days for d in days]]).fetchall()
        for day, result in rows:
            start = date(1900, 1, 1) + timedelta(days=day)
            assert date(1900, 1, 1) + timedelta(days=result) == add_working_days(start, count), (start, count)
    moments = [datetime(2019, 3, 30, 23, 0) + timedelta(minutes=20 * n) for n in range(300)]
    moments += [datetime(2019, 10, 26, 22, 0) + timedelta(minutes=20 * n) for n in range(300)]
    local = compiler._as_date(columnar._Value("m", columnar._TIME))
    values = [(m - datetime(1900, 1, 1)) // timedelta(microseconds=1) for m in moments]
    rows = connection.sql(f"WITH _t AS ({columnar._tables()}) SELECT m, {local.sql} FROM "
                          f"(SELECT unnest(?::BIGINT[]) AS m), _t", params=[values]).fetchall()
    assert len(rows) == len(moments)
    for us, value in rows:
        moment = datetime(1900, 1, 1, tzinfo=UTC) + timedelta(microseconds=us)
        assert date(1900, 1, 1) + timedelta(days=value) == local_date(moment), moment


# --- random well-typed criteria files (tests/test_property_scoring.py's), wherever a plan exists ---------

def test_random_criteria_files_match_wherever_they_compile(tmp_path: Path) -> None:
    from test_property_scoring import criteria_documents

    documents = [base_case(n) for n in range(24)]
    documents[0]["devices"] = []
    documents[1]["investigation"] = None
    compiled = 0

    @settings(max_examples=60, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(document=criteria_documents())
    def check(document: dict[str, Any]) -> None:
        nonlocal compiled
        path = tmp_path / "criteria.yaml"
        path.write_text(yaml.safe_dump(document, sort_keys=False, width=10**6), encoding="utf-8")
        try:
            criteria = load_criteria(path)
        except Exception:  # a broken file: the loader's business, not the query's
            return
        if columnar_plan(criteria, criteria.defaults(), AS_OF) is None:
            return
        compiled += 1
        compare(criteria, documents, tmp_path)

    check()
    assert compiled >= 10
