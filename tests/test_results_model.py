"""The typed results contract: scoring makes the model once, a file reads back into it, reports read it."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from render_samples import hand_made_results, shipped_criteria

from thematic.load.results import load_results
from thematic.model.results import ResultsDocument
from thematic.render.context import force_report_context
from thematic.render.table import summary_table
from thematic.scoring.inspection import inspection_results
from thematic.scoring.prepare import load_inspection

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "inspections" / "exampleshire-2019.yaml"


@pytest.fixture(scope="module")
def scored() -> ResultsDocument:
    return inspection_results(load_inspection(EXAMPLE))


def test_the_results_file_is_the_model_serialised(scored, exampleshire_run):
    # The real `thematic run` (conftest.exampleshire_run, shared with tests/test_cli.py) wrote the same
    # model that scoring makes, and its file is that model serialised: read back, it serialises the same.
    assert exampleshire_run.code == 0, exampleshire_run.err
    path = exampleshire_run.folder / "results.json"
    assert path.read_text(encoding="utf-8") == json.dumps(scored.to_json(), indent=2, ensure_ascii=False) + "\n"
    written = load_results(path, cases=True).document
    assert written == scored
    assert json.dumps(written.to_json(), indent=2) == json.dumps(scored.to_json(), indent=2)
    assert list(written.to_json()) == ["format", "inspection", "criteria", "parameters", "cases", "summary"]
    assert written.summary.cases == len(written.cases or ()) == 16


def test_a_written_file_reads_back_into_the_same_model(tmp_path, scored):
    path = tmp_path / "results.json"
    path.write_text(json.dumps(scored.to_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    loaded = load_results(path, cases=True)
    assert loaded.document == scored
    assert json.dumps(loaded.document.to_json(), indent=2) == json.dumps(scored.to_json(), indent=2)


def test_a_document_without_cases_serialises_without_the_key(scored):
    summary_only = scored.model_copy(update={"cases": None})
    assert "cases" not in summary_only.to_json()
    with pytest.raises(ValueError, match="holds none"):
        force_report_context(summary_only, shipped_criteria())


def _with_interval(document: ResultsDocument, criterion: str, low: float, high: float) -> ResultsDocument:
    entry = document.summary.criteria[criterion].model_copy(update={"ci_low": low, "ci_high": high})
    summary = document.summary.model_copy(update={"criteria": {**document.summary.criteria, criterion: entry}})
    return document.model_copy(update={"summary": summary})


def test_the_force_report_shows_the_models_interval_and_works_none_out_again():
    cases = [{"case_id": f"T-{i:02d}", "states": {"SUP-01": "met" if i < 7 else "not_met"}} for i in range(10)]
    document = hand_made_results(cases)
    row = next(r for t in force_report_context(document, shipped_criteria()).themes for r in t.criteria
               if r.id == "SUP-01")
    assert (row.rate.met.value, row.rate.total.value) == (7, 10)
    assert row.rate.interval == "40%–89%"  # the Wilson interval of 7 of 10 (design notes' worked example)
    # A distinctive interval in the model is what the report prints: it is read, not worked out again.
    marked = _with_interval(document, "SUP-01", 0.123, 0.987)
    row = next(r for t in force_report_context(marked, shipped_criteria()).themes for r in t.criteria
               if r.id == "SUP-01")
    assert (row.rate.ci_low, row.rate.ci_high) == (0.123, 0.987)
    assert "12%" in row.rate.interval and "99%" in row.rate.interval
    assert "12%" in summary_table(marked, {}).split("SUP-01")[1].splitlines()[0]


def test_the_grade_totals_of_the_report_are_the_summarys():
    cases = [{"case_id": "T-01", "suggested": "inadequate", "grade": "good", "provisional": True},
             {"case_id": "T-02", "referred_back": True, "grade": "good"},
             {"case_id": "T-03"}]
    document = hand_made_results(cases)
    grades = document.summary.grades
    assert (grades.provisional, grades.compared, grades.disagreements, grades.referred_back) == (1, 2, 1, 1)
    section = force_report_context(document, shipped_criteria()).grades
    assert (section.provisional.value, section.graded.value, section.referred_back.value) == (1, 2, 1)
    assert (section.disagreements.met.value, section.disagreements.total.value) == (1, 2)
