"""Screening a caseload: who fails the chosen criteria, most serious then most recent first, as CSV."""
from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from conftest import CAPTURED_EMPTY

from thematic.cli import main
from thematic.core.errors import InputError
from thematic.load.criteria import shipped_criteria_path
from thematic.scoring import screening
from thematic.scoring.criteria import load_criteria
from thematic.scoring.screening import COLUMNS, parse_criteria_list, screen_caseload

AS_OF = date(2019, 11, 30)
REPORTED = "T16:20"


@pytest.fixture(scope="module")
def criteria():
    return load_criteria(shipped_criteria_path())


def history(day: str) -> list[dict]:
    """Three incidents in the year up to a report on `day`: a repeat pattern (repeat_threshold 3)."""
    return [{"ref": f"I-{n}", "at": at, "type": "missing", "severity": 2, "child_seen": True,
             "demeanour_recorded": True, "response": "scheduled"}
            for n, at in enumerate(["2018-12-01T10:00", "2019-01-15T10:00", day + REPORTED], 1)]


def case(case_id: str, day: str, *, history_considered: bool | None = None, referral: bool = True, **extra) -> dict:
    """A case reported on `day`. RISK-01 (critical) applies through a repeat pattern when
    `history_considered` is given: not met if False, met if True. TIM-01 (major) is met by a referral
    to children's social care an hour after the report, else not evidenced."""
    document = {**CAPTURED_EMPTY, "case_id": case_id, "reported_at": day + REPORTED,
                "child": {"ref": f"C-{case_id[-4:]}", "age": 12}, **extra}
    if history_considered is not None:
        document["incidents"] = history(day)
        document["risk_assessments"] = [{"at": day + "T18:00", "level": "medium",
                                         "history_considered": history_considered,
                                         "supervisor_reviewed_at": None}]
    if referral:
        document["referrals"] = [{"at": day + "T17:20", "to": "childrens_social_care"}]
    return document


CASELOAD = [
    case("S-0001", "2019-05-01", history_considered=False),                  # critical, older
    case("S-0002", "2019-06-01", history_considered=True),                   # passes both
    case("S-0003", "2019-07-01", history_considered=True, referral=False),   # major only
    case("S-0004", "2019-06-01", history_considered=False, referral=False),  # critical and major, newer
    case("S-0005", "2019-08-01", referral=False),                            # major only, most recent
    case("S-0006", "2019-05-01", history_considered=False),                  # critical, same time as S-0001
]


def write(folder: Path, documents: list[dict], name: str = "caseload.jsonl") -> Path:
    path = folder / name
    path.write_text("".join(json.dumps(d) + "\n" for d in documents), encoding="utf-8")
    return path


def screen(paths, criteria, fail="RISK-01,TIM-01", **kwargs) -> list[list[str]]:
    out = io.StringIO()
    screen_caseload(paths, criteria=criteria, as_of=AS_OF, parameters=criteria.defaults(),
                    fail=parse_criteria_list(fail, criteria), stream=out, **kwargs)
    return list(csv.reader(io.StringIO(out.getvalue())))


def test_failing_cases_are_listed_by_severity_then_most_recent_then_input_order(tmp_path, criteria):
    rows = screen([write(tmp_path, CASELOAD)], criteria)
    assert rows[0] == list(COLUMNS)
    assert [(r[0], r[5], r[6], r[7], r[8]) for r in rows[1:]] == [
        ("S-0004", "critical", "RISK-01; TIM-01", "not_met; not_evidenced", "critical; major"),
        ("S-0001", "critical", "RISK-01", "not_met", "critical"),
        ("S-0006", "critical", "RISK-01", "not_met", "critical"),
        ("S-0005", "major", "TIM-01", "not_evidenced", "major"),
        ("S-0003", "major", "TIM-01", "not_evidenced", "major"),
    ]


def test_a_row_names_the_child_the_report_time_and_the_evidence(tmp_path, criteria):
    rows = {r[0]: dict(zip(COLUMNS, r, strict=False)) for r in screen([write(tmp_path, CASELOAD)], criteria)[1:]}
    row = rows["S-0004"]
    assert (row["child_ref"], row["force"], row["category"]) == ("C-0004", "testshire", "neglect")
    assert row["reported_at"] == "2019-06-01 16:20"  # local time (BST) as the record has it
    risk, timeliness = row["evidence"].split(" | ")
    assert risk.startswith("RISK-01: 3 incidents in the 365 days up to the report")
    assert "history considered false" in risk
    assert timeliness == "TIM-01: no referral to childrens_social_care at or after the report (2019-06-01 16:20)"


def test_only_the_chosen_criteria_decide_who_is_listed(tmp_path, criteria):
    rows = screen([write(tmp_path, CASELOAD)], criteria, fail="TIM-01")
    assert [r[0] for r in rows[1:]] == ["S-0005", "S-0003", "S-0004"]
    assert screen([write(tmp_path, CASELOAD[1:2])], criteria) == [list(COLUMNS)]


def test_the_list_is_the_same_in_two_processes_and_when_sorted_in_spilled_runs(tmp_path, criteria, monkeypatch):
    documents = [{**d, "case_id": f"{d['case_id']}-{n}"} for n in range(30) for d in CASELOAD]
    path = write(tmp_path, documents)
    expected = screen([path], criteria)
    assert len(expected) == 1 + 30 * 5
    monkeypatch.setattr(screening, "SORT_RUN", 7)
    assert screen([path], criteria) == expected
    assert screen([path], criteria, jobs=2) == expected


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_kept_as_text(tmp_path, criteria):
    rows = screen([write(tmp_path, [case("=HYPERLINK(1)", "2019-05-01", history_considered=False)])], criteria)
    assert rows[1][0] == "'=HYPERLINK(1)"


@pytest.mark.parametrize(("text", "message"), [
    ("RISK-01,NOPE-1", "--fail: unknown criterion 'NOPE-1'; criteria are: SUP-01"),
    ("RISK-01,RISK-01", "--fail: 'RISK-01' is given twice"),
    (" , ", "--fail: expected criterion ids separated by commas"),
])
def test_the_chosen_criteria_must_be_known_and_distinct(criteria, text, message):
    with pytest.raises(InputError) as error:
        parse_criteria_list(text, criteria)
    assert str(error.value).startswith(message)


def test_screen_command_writes_the_list_and_a_bad_caseload_writes_nothing(tmp_path, capsys):
    path = write(tmp_path, CASELOAD)
    target = tmp_path / "screen.csv"
    assert main(["screen", str(path), "--as-of", "2019-11-30", "--fail", "RISK-01,TIM-01", "-o", str(target)]) == 0
    assert "screened 6 case(s): 5 fail RISK-01, TIM-01" in capsys.readouterr().err
    assert len(target.read_text(encoding="utf-8").splitlines()) == 6
    bad = write(tmp_path, [*CASELOAD, {**CASELOAD[0], "case_id": "S-0009", "child": {"ref": "C-9", "age": 30}}],
                "bad.jsonl")
    assert main(["screen", str(bad), "--as-of", "2019-11-30", "--fail", "RISK-01", "-o",
                 str(tmp_path / "new.csv")]) == 2
    assert f"{bad}:7: child.age: must be at most 17, got 30" in capsys.readouterr().err
    assert not (tmp_path / "new.csv").exists()
