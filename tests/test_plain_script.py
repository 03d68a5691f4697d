"""benchmarks/plain_script.py, the hand-written baseline of the hot-path benchmark, gives the tool's
state for every criterion of every case that captures every section (it reads an uncaptured
section as empty, as an analyst's script would), so that the benchmark compares like with like."""
from __future__ import annotations

import json
import random
import sys
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import caseload_sample  # noqa: E402
import plain_script  # noqa: E402

from thematic.load.criteria import shipped_criteria_path  # noqa: E402
from thematic.model.case import SECTIONS, Case  # noqa: E402
from thematic.scoring.criteria import load_criteria  # noqa: E402
from thematic.scoring.evaluate import Scorer  # noqa: E402


@pytest.fixture(scope="module")
def scorer() -> tuple[Scorer, list[str]]:
    criteria = load_criteria(shipped_criteria_path())
    return Scorer(criteria, criteria.defaults(), date(2019, 11, 30), evidence=False), [c.id for c in criteria.criteria]


def _documents() -> list[dict]:
    rng = random.Random(17)
    varied = [caseload_sample.vary_example(rng, index) for index in range(400)]
    pool, _ = caseload_sample.case_pool(300, seed=5)
    lines = caseload_sample.caseload_lines(300, pool, seed=5)  # times shifted by whole weeks, as benchmarked
    return varied + [json.loads(line) for line in lines]


@pytest.mark.parametrize("as_of", [date(2019, 11, 30), date(2018, 10, 28)])
def test_plain_script_gives_the_tools_states(scorer: tuple[Scorer, list[str]], as_of: date) -> None:
    tool, ids = scorer
    tool = Scorer(tool.criteria, tool.parameters, as_of, evidence=False)
    compared = disagreements = 0
    states_seen: set[str] = set()
    for document in _documents():
        if any(section not in document for section in SECTIONS):
            continue  # the script reads an uncaptured section as empty; the tool says unable to assess
        expected = {cid: r.state for cid, r in tool.score(Case.model_validate(document)).results.items()}
        got = plain_script.score(document, as_of)
        assert list(got) == ids or set(got) == set(ids)
        if got != expected:
            disagreements += 1
            wrong = {c: (got[c], expected[c]) for c in ids if got[c] != expected[c]}
            pytest.fail(f"case {document['case_id']}: script against tool {wrong}")
        compared += 1
        states_seen.update(expected.values())
    assert compared >= 500 and disagreements == 0
    # The sample reaches every decided state, so the comparison means something.
    assert {"met", "not_met", "not_evidenced", "not_applicable", "pending"} <= states_seen


def test_plain_script_counts_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cases.jsonl"
    caseload_sample.write_caseload(path, 50, seed=3, pool_size=50)
    assert plain_script.main([str(path)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["cases"] == 50
    assert sum(printed["states"].values()) == 50 * 29
