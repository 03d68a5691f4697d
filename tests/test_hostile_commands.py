"""Hostile and careless input on every command (issue 11): refused with a located message, or handled.

Each row of the table runs one command as a user would, in a working folder of its own, on a copy
of the fictional example data with one hostile or careless change. Whatever the command does, no
traceback may reach the user, every input must be byte-identical afterwards, and nothing may be
left half-written. A refused input (exit 2) must name the file, the place in it (line, row or
cell, where the input has one) and the field or option, and must leave the folder exactly as it
was: no file written, replaced or removed, no temporary file, nothing outside the folder.
"""
from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest
from hostile_support import (
    CELL,
    INSPECTION_YAML,
    LINE,
    OUTPUT_OPTION,
    ROW,
    Outcome,
    Workspace,
    assert_no_crash,
    assert_refused,
    assert_succeeded,
    case_record,
    case_yaml,
    changes,
    run_cli,
    run_into_closed_pipe,
    run_process,
    snapshot,
    temporaries,
)

from thematic.core.options import max_jobs
from thematic.model.base import MAX_ID_LENGTH, MAX_TEXT_LENGTH
from thematic.scoring.inspection import inspection_results
from thematic.scoring.prepare import load_inspection
from thematic.stats.sampling import MIN_MARGIN

AS_OF = ["--as-of", "2019-11-30"]
ZWSP = "\u200b"
ARABIC_2019 = "\u0662\u0660\u0661\u0669"  # ٢٠١٩
HUGE = "9" * 5000  # more digits than Python converts by default (4,300)
FORMULAS = ('=HYPERLINK("http://example.invalid/x","open")', "+1+1", "-2+3", "@SUM(1)", "=1+1")


# --- expectations -------------------------------------------------------------------------------

Expect = Callable[[Outcome], None]


def refused(*names: str, where: str | None = None, field: str | None = None, says: tuple[str, ...] = ()) -> Expect:
    def expect(outcome: Outcome) -> None:
        assert_refused(outcome, names=names, where=where, field=field, says=says)
    expect.refusal = True  # type: ignore[attr-defined]
    return expect


def refused_or_succeeds(*names: str, where: str | None = None, field: str | None = None) -> Expect:
    """Either outcome is acceptable (the input can be read either way), but a refusal must be located."""
    def expect(outcome: Outcome) -> None:
        assert_no_crash(outcome)
        if outcome.code == 2:
            assert_refused(outcome, names=names, where=where, field=field)
    return expect


def succeeds(outcome: Outcome) -> None:
    assert_succeeded(outcome)


@dataclass
class Hostile:
    """One row: a command on one hostile input, and what must happen."""

    id: str
    build: Callable[[Workspace], list[str]]
    expect: Expect
    check: Callable[[Workspace, Outcome], None] | None = None
    process: bool = False  # run as a process: FIFOs that could block, workers, closed pipes
    timeout: float = 60
    inputs: tuple[str, ...] = field(default=())


# --- shared artefacts (made once: scoring and the workbook take a second or two) ----------------

@pytest.fixture(scope="module")
def artefacts(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile-artefacts")
    ws = Workspace(folder / "make")
    ws.inspection()
    document = inspection_results(load_inspection(ws.path("inspection.yaml"))).to_json()
    (folder / "results.json").write_text(json.dumps(document, indent=2) + "\n")
    # A workbook of the sample with no answers yet, one made for insp-a and one for nobody in particular.
    blank = Workspace(folder / "blank")
    blank.inspection()
    for path in blank.path("cases").glob("*.yaml"):
        text = path.read_text()
        found = re.search(r"^(judgements|grade):", text, re.MULTILINE)
        path.write_text(text[: found.start()] if found else text)
    for name, extra in (("insp-a.xlsx", ["--inspector", "insp-a"]), ("anyone.xlsx", [])):
        outcome = run_cli(["workbook", "inspection.yaml", "-o", str(folder / name), *extra], blank.root)
        assert outcome.code == 0, outcome
    return folder


class Work(Workspace):
    """The workspace with the shared artefacts at hand."""

    artefacts: Path

    def results(self, name: str = "results.json", *, edit: Callable[[dict], None] | None = None) -> str:
        document = json.loads((self.artefacts / "results.json").read_text())
        if edit is not None:
            edit(document)
        return self.write(name, json.dumps(document, indent=2, ensure_ascii=False) + "\n")

    def two_rounds(self) -> tuple[str, str]:
        """Results of one force in 2015 and 2019 (the same cases: only what compare reads differs)."""
        def round_of(year: int) -> Callable[[dict], None]:
            def edit(document: dict) -> None:
                document["inspection"].update(id=f"exampleshire-{year}", year=year, as_of=f"{year}-11-30")
            return edit
        return self.results("before.json", edit=round_of(2015)), self.results("after.json", edit=round_of(2019))

    def workbook_inspection(self) -> str:
        """The sample with no answers in its case files, as the workbook artefacts were made from."""
        name = self.inspection()
        for path in self.path("cases").glob("*.yaml"):
            text = path.read_text()
            found = re.search(r"^(judgements|grade):", text, re.MULTILINE)
            path.write_text(text[: found.start()] if found else text)
        return name

    def workbook(self, name: str = "audit.xlsx", *, made_for: str = "insp-a.xlsx") -> str:
        self.workbook_inspection()
        return self.copy(self.artefacts / made_for, name)


@pytest.fixture
def ws(tmp_path: Path, artefacts: Path) -> Work:
    work = Work(tmp_path)
    work.artefacts = artefacts
    return work


# --- builders used by several rows ----------------------------------------------------------------

def one_case(ws: Workspace, **fields: str) -> str:
    ws.write("cases/H-001.yaml", case_yaml(**fields))
    return "cases/H-001.yaml"


def deep_json(depth: int) -> str:
    return "[" * depth + "]" * depth


def answer_header(sheet: openpyxl.worksheet.worksheet.Worksheet) -> tuple[str, int]:
    for cell in sheet[1]:
        if isinstance(cell.value, str) and cell.value.endswith(" answer"):
            return cell.value, cell.column
    raise AssertionError("the workbook has no answer column")


def edit_cases_sheet(ws: Workspace, name: str, edit: Callable[[openpyxl.worksheet.worksheet.Worksheet], None]) -> None:
    book = openpyxl.load_workbook(ws.path(name))
    edit(book["Cases"])
    book.save(ws.path(name))


def rewrite_member(ws: Workspace, name: str, member: str, edit: Callable[[str], str]) -> None:
    """Rewrite one XML part of an xlsx file, keeping every other part as it is."""
    path = ws.path(name)
    with zipfile.ZipFile(path) as source:
        parts = [(info, source.read(info.filename)) for info in source.infolist()]
    assert member in [info.filename for info, _ in parts], f"{name} has no part {member}"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in parts:
            if info.filename == member:
                data = edit(data.decode("utf-8")).encode("utf-8")
            target.writestr(info, data)


def utf16(text: str) -> bytes:
    return text.encode("utf-16")  # with its byte-order mark, as Windows tools write it


def csv_cells(path: Path) -> list[str]:
    import csv

    with path.open(newline="", encoding="utf-8") as stream:
        return [cell for row in csv.reader(stream) for cell in row]


def assert_no_live_formula_in_csv(path: Path) -> None:
    cells = csv_cells(path)
    live = [cell for cell in cells if cell[:1] in ("=", "+", "-", "@") and not re.fullmatch(r"-?\d+(\.\d+)?", cell)]
    assert not live, f"{path.name}: cells a spreadsheet would run as formulas: {live}"


def assert_no_formula_cells(path: Path) -> None:
    """Every cell of every sheet is stored as a value: no `<f>` element anywhere, and no formula type."""
    with zipfile.ZipFile(path) as book:
        for member in book.namelist():
            if member.startswith("xl/worksheets/") and member.endswith(".xml"):
                xml = book.read(member).decode("utf-8")
                for payload in ("HYPERLINK", "SUM(1)", "1+1"):
                    assert not re.search(rf"<f>[^<]*{re.escape(payload)}", xml), \
                        f"{member}: {payload} stored as a formula"
    workbook = openpyxl.load_workbook(path)
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(FORMULAS):
                    assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value}"


# --- the table ------------------------------------------------------------------------------------

CASES: list[Hostile] = []


def row(id: str, build: Callable[[Work], list[str]], expect: Expect, **kwargs) -> None:
    CASES.append(Hostile(id, build, expect, **kwargs))


# validate: reading case, inspection and criteria files as they were written ---------------------

def duplicate_key_line(first: str, second: str) -> str:
    """A JSON object whose `case_id` key appears twice: `first`, then `second`."""
    return f'{{"case_id": "{first}", ' + json.dumps(case_record(second))[1:]


row("validate-jsonl-duplicate-key",
    lambda ws: ["validate", ws.jsonl([duplicate_key_line("H-001", "H-002")])],
    refused("cases.jsonl", where=LINE, field="case_id", says=("duplicate",)))
row("validate-yaml11-sexagesimal-age",  # YAML 1.1 reads 1:30 as 90 ("must be at most 17, got 90"); 1.2 as text
    lambda ws: ["validate", one_case(ws, age="1:30")],
    refused("H-001.yaml", where=r":5\b|line 5", field=r"child\.age", says=("1:30",)))
row("validate-yaml11-off-answer",  # YAML 1.1 reads off as false, which became the answer "no"
    lambda ws: ["validate",
                one_case(ws, grade="{value: good, by: insp-a}\njudgements: {RISK-05: {answer: off, by: insp-a}}")],
    refused("H-001.yaml", where=r":19\b|line 19", field=r"judgements\.RISK-05\.answer"))
row("validate-yaml-yes-answer-is-legitimate",
    lambda ws: ["validate",
                one_case(ws, grade="{value: good, by: insp-a}\njudgements: {RISK-05: {answer: yes, by: insp-a}}")],
    succeeds)
row("validate-utf16-case-file",
    lambda ws: ["validate", ws.write("cases/H-001.yaml", utf16(case_yaml()))],
    refused("H-001.yaml", says=("UTF-16", "UTF-8")))
row("validate-arabic-digits-age",
    lambda ws: ["validate", one_case(ws, age='"\u0661\u0665"')],
    refused("H-001.yaml", where=r":5\b|line 5", field=r"child\.age"))
row("validate-arabic-digits-date",
    lambda ws: ["validate", one_case(ws, reported_at=f'"{ARABIC_2019}-03-04T16:20"')],
    refused("H-001.yaml", where=r":4\b|line 4", field="reported_at"))
row("validate-zero-width-duplicate-id",
    lambda ws: ["validate", ws.write("cases/a.yaml", case_yaml(case_id="H-001")) and
                ws.write("cases/b.yaml", case_yaml(case_id=f'"H-{ZWSP}001"')) and "cases"],
    refused("b.yaml", where=r":1\b|line 1", field="case_id"))
row("validate-huge-integer-yaml",
    lambda ws: ["validate", one_case(ws, age=HUGE)],
    refused("H-001.yaml", where=r":5\b|line 5", field=r"child\.age"))
row("validate-huge-integer-json",
    lambda ws: ["validate",
                ws.write("cases/H-001.json", json.dumps(case_record()).replace('"age": 9', f'"age": {HUGE}'))],
    refused("H-001.json", where=LINE, field=r"child\.age"))
row("validate-deep-nesting-json",
    lambda ws: ["validate",
                ws.write("cases/H-001.json", json.dumps(case_record()).replace('"C-0001"', deep_json(100_000)))],
    refused("H-001.json", where=LINE, field="child"))
row("validate-deep-nesting-yaml",
    lambda ws: ["validate", one_case(ws, age=deep_json(5_000))],
    refused("H-001.yaml", where=LINE, field="child"))
row("validate-datetime-with-seconds",  # read as written (seconds kept), or refused saying what is expected
    lambda ws: ["validate", one_case(ws, reported_at="2019-03-04T16:20:30")],
    refused_or_succeeds("H-001.yaml", where=r":4\b|line 4", field="reported_at"))
row("validate-date-with-a-time",
    lambda ws: ["validate", ws.write("cases/H-001.yaml", case_yaml().replace(
        "section47: null", "section47: {started_on: 2019-04-04T10:00:30, conference_on: null}"))],
    refused("H-001.yaml", where=r":10\b|line 10", field=r"section47\.started_on", says=("YYYY-MM-DD",)))
row("validate-note-at-the-length-limit",
    lambda ws: ["validate", one_case(ws, grade="{value: good, by: insp-a, note: " + "x" * MAX_TEXT_LENGTH + "}")],
    succeeds)
row("validate-note-one-over-the-length-limit",
    lambda ws: ["validate", one_case(ws, grade="{value: good, by: insp-a, note: " + "x" * (MAX_TEXT_LENGTH + 1) + "}")],
    refused("H-001.yaml", where=r":18\b|line 18", field=r"grade\.note"))
row("validate-huge-note",  # the note that took a PDF renderer ten minutes
    lambda ws: ["validate", one_case(ws, grade="{value: good, by: insp-a, note: " + "x" * 200_000 + "}")],
    refused("H-001.yaml", where=r":18\b|line 18", field=r"grade\.note"))
row("validate-id-at-the-length-limit",
    lambda ws: ["validate", one_case(ws, case_id="H" * MAX_ID_LENGTH)],
    succeeds)
row("validate-id-one-over-the-length-limit",
    lambda ws: ["validate", one_case(ws, case_id="H" * (MAX_ID_LENGTH + 1))],
    refused("H-001.yaml", where=r":1\b|line 1", field="case_id"))
row("validate-criteria-unknown-filter-name",
    lambda ws: ["validate", ws.criteria()
                and criteria_with(ws, 'first([r.at for r in referrals], __class__=1) == null')],
    refused("criteria.yaml", where=LINE, field="__class__"))
row("validate-criteria-not-chain",
    lambda ws: ["validate", ws.criteria() and criteria_with(ws, "not " * 400 + "true")],
    refused_or_succeeds("criteria.yaml", where=LINE))
row("validate-criteria-and-chain",
    lambda ws: ["validate", ws.criteria() and criteria_with(ws, " and ".join(["true"] * 600))],
    refused_or_succeeds("criteria.yaml", where=LINE))


def criteria_with(ws: Workspace, expression: str, name: str = "criteria.yaml") -> str:
    """The shipped criteria with TIM-01's `met` replaced by `expression`."""
    text = ws.path(name).read_text()
    start = text.index("  - id: TIM-01")
    met = text.index("    met:", start)
    end = text.index("\n    evidenced:", met)
    ws.write(name, text[:met] + "    met: >-\n      " + expression + text[end:])
    return name


# score ---------------------------------------------------------------------------------------

row("score-output-onto-fifo",
    lambda ws: ["score", ws.cases(), *AS_OF, "-o", ws.fifo("results.json")],
    refused("results.json", field=OUTPUT_OPTION), process=True)
row("score-output-onto-device",
    lambda ws: ["score", ws.cases(), *AS_OF, "-o", ws.device("results.json")],
    refused("results.json", field=OUTPUT_OPTION), process=True)
row("score-output-onto-a-case-file",
    lambda ws: ["score", ws.cases(), *AS_OF, "-o", "cases/EXA-2019-001.yaml"],
    refused("EXA-2019-001.yaml", field=OUTPUT_OPTION))
row("score-output-onto-its-criteria",
    lambda ws: ["score", ws.cases(), *AS_OF, "--criteria", ws.criteria(), "-o", "criteria.yaml"],
    refused("criteria.yaml", field=OUTPUT_OPTION))
row("score-cases-out-equals-output",
    lambda ws: ["score", ws.cases(), *AS_OF, "-o", "out.json", "--cases-out", "out.json"],
    refused("out.json", field="--cases-out"))
row("score-cases-out-onto-the-input",
    lambda ws: ["score", ws.jsonl([case_record()]), *AS_OF, "-o", "out.json", "--cases-out", "cases.jsonl"],
    refused("cases.jsonl", field="--cases-out"))
row("score-jobs-100000",
    lambda ws: ["score", ws.cases(), *AS_OF, "--jobs", "100000"],
    refused("--jobs"))
row("score-jobs-at-the-limit",
    lambda ws: ["score", ws.jsonl([case_record(f"H-{i}") for i in range(3)]), *AS_OF, "--jobs", str(max_jobs()),
                "-o", "out.json"],
    succeeds, process=True)
row("score-jobs-one-over-the-limit",
    lambda ws: ["score", ws.jsonl([case_record()]), *AS_OF, "--jobs", str(max_jobs() + 1)],
    refused("--jobs"))
row("score-jsonl-duplicate-key",
    lambda ws: ["score", ws.jsonl([case_record(), duplicate_key_line("H-002", "H-003")]), *AS_OF],
    refused("cases.jsonl", where=r":2\b|line 2", field="case_id"))
row("score-zero-width-duplicate-id",
    lambda ws: ["score", ws.jsonl([case_record("H-001"), case_record(f"H-{ZWSP}001")]), *AS_OF],
    refused("cases.jsonl", where=r":2\b|line 2", field="case_id"))
row("score-huge-integer-jsonl",
    lambda ws: ["score", ws.jsonl([json.dumps(case_record()).replace('"age": 9', f'"age": {HUGE}')]), *AS_OF],
    refused("cases.jsonl", where=r":1\b|line 1", field=r"child\.age"))
row("score-deep-nesting-jsonl",
    lambda ws: ["score", ws.jsonl([json.dumps(case_record()).replace('"C-0001"', deep_json(100_000))]), *AS_OF],
    refused("cases.jsonl", where=r":1\b|line 1", field="child"))
row("score-date-near-year-9999",
    lambda ws: ["score", one_case(ws, reported_at="9999-12-31T23:00"), *AS_OF],
    refused("H-001.yaml", where=r":4\b|line 4", field="reported_at"))
row("score-date-near-year-1",
    lambda ws: ["score", ws.jsonl([case_record(reported_at="0001-01-01T00:30",
                                               referrals=[{"at": "0001-01-01T00:10", "to": "childrens_social_care"}])]),
                *AS_OF],
    refused("cases.jsonl", where=r":1\b|line 1", field=r"reported_at|referrals"))
row("score-as-of-9999",
    lambda ws: ["score", ws.cases(), "--as-of", "9999-12-31"],
    refused_or_succeeds("--as-of"))
row("score-yaml11-octal-outcome-code",  # YAML 1.1 reads 021 as 17 (octal); 1.2 as 21, which OUT-01 covers
    lambda ws: ["score", one_case(ws, outcome="{code: 021, decided_at: 2019-05-01T10:00, rationale_recorded: true, "
                                              "victim_informed: true}"), *AS_OF, "-o", "out.json"],
    refused_or_succeeds("H-001.yaml", where=r":17\b|line 17", field=r"outcome\.code"),
    check=lambda ws, outcome: outcome.code != 0 or json.loads(ws.path("out.json").read_text())
    ["cases"][0]["results"]["OUT-01"]["state"] == "met"
        or pytest.fail("021 was read as octal 17: OUT-01 did not apply"))
row("score-as-of-arabic-digits",
    lambda ws: ["score", ws.cases(), "--as-of", f"{ARABIC_2019}-11-30"],
    refused("--as-of"))
row("score-set-huge-integer",
    lambda ws: ["score", ws.cases(), *AS_OF, "--set", f"referral_max_hours={HUGE}"],
    refused("--set", field="referral_max_hours"))
row("score-set-arabic-digits",
    lambda ws: ["score", ws.cases(), *AS_OF, "--set", "referral_max_hours=\u0664\u0668"],
    refused("--set", field="referral_max_hours"))
row("score-criteria-unknown-filter-name",
    lambda ws: ["score", ws.cases(), *AS_OF, "--criteria", ws.criteria()
                and criteria_with(ws, "first([r.at for r in referrals], __class__=1) == null")],
    refused("criteria.yaml", where=LINE, field="__class__"))
row("score-criteria-not-chain",
    lambda ws: ["score", ws.cases(), *AS_OF, "--criteria", ws.criteria() and criteria_with(ws, "not " * 400 + "true")],
    refused_or_succeeds("criteria.yaml", where=LINE))
def bounded(outcome: Outcome) -> None:
    """Stopped at a bound: refused at load time with the criteria file's line; or refused naming the
    criterion and the case; or scored, with the criterion in state `error` on that case, saying why."""
    assert_no_crash(outcome)
    if outcome.code == 0:
        result = json.loads(outcome.out)["cases"][0]["results"]["TIM-01"]
        assert result["state"] == "error" and "more than" in result["evidence"], result
    elif "criteria.yaml" in outcome.err:
        assert_refused(outcome, names=("criteria.yaml",), where=LINE)
    else:
        assert_refused(outcome, names=("TIM-01", "H-001"))


def many_incidents(count: int) -> list[dict[str, object]]:
    return [{"ref": f"I-{i}", "at": "2019-03-01T10:00", "type": "neglect", "severity": 2, "child_seen": True,
             "demeanour_recorded": True, "response": "immediate"} for i in range(count)]


row("score-unbounded-expression-four-loops",  # 300 incidents, four loops: 8.1e9 steps
    lambda ws: ["score", ws.jsonl([case_record(incidents=many_incidents(300))]), *AS_OF,
                "--criteria", ws.criteria() and criteria_with(
                    ws, "count([1 for a in incidents for b in incidents for c in incidents for d in incidents]) > 0")],
    bounded, process=True, timeout=60)
row("score-unbounded-expression-nested",  # 1,500 incidents, a comprehension in a comprehension: 2.25e6 steps
    lambda ws: ["score", ws.jsonl([case_record(incidents=many_incidents(1500))]), *AS_OF,
                "--criteria", ws.criteria() and criteria_with(
                    ws, "count([a for a in incidents if count([b for b in incidents if b.severity > 0]) > 0]) > 0")],
    bounded, process=True, timeout=60)


# screen --------------------------------------------------------------------------------------

SCREEN = ["--fail", "RISK-01,RISK-02,CRM-01,TIM-01"]
row("screen-output-onto-its-input",
    lambda ws: ["screen", ws.jsonl([case_record()]), *AS_OF, *SCREEN, "-o", "cases.jsonl"],
    refused("cases.jsonl", field=OUTPUT_OPTION))
row("screen-output-onto-fifo",
    lambda ws: ["screen", ws.cases(), *AS_OF, *SCREEN, "-o", ws.fifo("screen.csv")],
    refused("screen.csv", field=OUTPUT_OPTION), process=True)
row("screen-jobs-100000",
    lambda ws: ["screen", ws.cases(), *AS_OF, *SCREEN, "--jobs", "100000"],
    refused("--jobs"))
row("screen-formula-ids-are-neutralised",
    lambda ws: ["screen", ws.jsonl([case_record(f) for f in FORMULAS]), *AS_OF, *SCREEN, "-o", "screen.csv"],
    succeeds, check=lambda ws, outcome: assert_no_live_formula_in_csv(ws.path("screen.csv")))
row("screen-zero-width-duplicate-id",
    lambda ws: ["screen", ws.jsonl([case_record("H-001"), case_record(f"H-001{ZWSP}")]), *AS_OF, *SCREEN],
    refused("cases.jsonl", where=r":2\b|line 2", field="case_id"))


# run -----------------------------------------------------------------------------------------

def old_outputs(ws: Workspace, **special: str) -> None:
    """An earlier run's outputs in out/, with some of them replaced by special files."""
    ws.write("out/results.json", '{"an": "earlier run"}\n')
    ws.write("out/report.html", "<p>an earlier run</p>\n")
    for name, kind in special.items():
        target = ws.path(f"out/{name}")
        if target.exists():
            target.unlink()
        {"fifo": ws.fifo, "device": ws.device}.get(kind, lambda n: ws.path(n).mkdir())(f"out/{name}")


row("run-output-onto-its-inspection-file",
    lambda ws: ["run", ws.inspection(), "-o", "inspection.yaml"],
    refused("inspection.yaml", field=OUTPUT_OPTION))
row("run-report-pdf-is-a-folder-nothing-replaced",  # all or nothing: results.json must stay the earlier one
    lambda ws: [old_outputs(ws, **{"report.pdf": "folder"}), "run", ws.inspection(), "-o", "out"][1:],
    refused("report.pdf"))
row("run-report-html-is-a-fifo",
    lambda ws: [old_outputs(ws, **{"report.html": "fifo"}), "run", ws.inspection(), "-o", "out"][1:],
    refused("report.html"), process=True)
row("run-yaml11-sexagesimal-parameter",  # YAML 1.1 reads 1:30 as 90
    lambda ws: ["run", ws.inspection(inspection_with("referral_max_hours: 1:30")), "-o", "out"],
    refused("inspection.yaml", where=r":10\b|line 10", field="referral_max_hours"))
row("run-yaml11-octal-parameter",  # YAML 1.1 reads 021 as 17; 1.2 as 21
    lambda ws: ["run", ws.inspection(inspection_with("supervision_max_gap_days: 021")), "-o", "out"],
    refused_or_succeeds("inspection.yaml", where=r":10\b|line 10", field="supervision_max_gap_days"),
    check=lambda ws, outcome: outcome.code != 0 or json.loads(ws.path("out/results.json").read_text())
    ["parameters"]["supervision_max_gap_days"] == 21 or pytest.fail("021 was read as octal 17"))
row("run-inspection-arabic-year",
    lambda ws: ["run", ws.inspection(INSPECTION_YAML.replace("year: 2019", f'year: "{ARABIC_2019}"')), "-o", "out"],
    refused("inspection.yaml", where=r":4\b|line 4", field="year"))


def inspection_with(parameter: str) -> str:
    return INSPECTION_YAML + f"parameters:\n  {parameter}\n"


# report --------------------------------------------------------------------------------------

PAYLOADS = {
    "cycler-globals-os": "{{ cycler.__init__.__globals__.os.popen('touch PWNED').read() }}",
    "subclasses": "{% for c in ''.__class__.__mro__[1].__subclasses__() %}{% if c.__name__ == 'Popen' %}"
                  "{{ c(['touch', 'PWNED']) }}{% endif %}{% endfor %}",
    "lipsum-globals": "{{ lipsum.__globals__['os'].system('touch PWNED') }}",
}


def template_dir(ws: Workspace, template: str, payload: str) -> str:
    ws.write(f"templates/{template}", "<!DOCTYPE html>\n<html lang=\"en\"><body><main>\n"
                                       f"<p>{payload}</p>\n</main></body></html>\n")
    return "templates"


def not_pwned(ws: Workspace, outcome: Outcome) -> None:
    assert not ws.path("PWNED").exists(), "a template ran a shell command"


def programme_with_forces(ws: Work, *forces: str) -> list[str]:
    names = []
    for i, force in enumerate(forces):
        def edit(document: dict, force: str = force, i: int = i) -> None:
            document["inspection"].update(id=f"force{i}-2019", force=force, year=2019)
        names.append(ws.results(f"r{i}.json", edit=edit))
    return names


row("report-over-its-own-input",  # a results file called report.html, reported into its own folder
    lambda ws: ["report", ws.results("report.html"), "--format", "html"],
    refused("report.html"))
row("report-output-onto-its-input-file",
    lambda ws: ["report", ws.results(), "-o", "results.json", "--format", "html"],
    refused("results.json", field=OUTPUT_OPTION))
row("report-html-onto-fifo",
    lambda ws: [ws.path("out").mkdir(), ws.fifo("out/report.html"), "report", ws.results(), "-o", "out",
                "--format", "html"][2:],
    refused("report.html"), process=True)
for _name, _payload in PAYLOADS.items():
    row(f"report-template-escape-{_name}",
        lambda ws, p=_payload: ["report", ws.results(), "-o", "out", "--format", "html",
                                "--template-dir", template_dir(ws, "force.html.j2", p)],
        refused("force.html.j2", where=LINE), check=not_pwned)
row("report-dollar-in-force-names",  # matplotlib reads $…$ as mathematics
    lambda ws: ["report", *programme_with_forces(ws, "north$moor$", r"$\frac{1}{0}$ vale", "east$port"), "-o", "out",
                "--format", "html"],
    succeeds, check=lambda ws, outcome: None if "north$moor$" in ws.path("out/programme.html").read_text().lower()
    else pytest.fail("the force's name is not shown as written"))
row("report-deep-nesting",
    lambda ws: ["report", ws.write("results.json", json.dumps({"format": "thematic.results/1", "x": json.loads("[]")})
                                   .replace("[]", deep_json(100_000))), "--format", "html"],
    refused("results.json", where=LINE))
row("report-duplicate-key",
    lambda ws: ["report", ws.write("results.json", ws.results("r.json") and
                                   ws.path("r.json").read_text().replace('"format": ', '"format": "x", "format": ', 1)),
                "--format", "html"],
    refused("results.json", where=LINE, field="format"))
row("report-utf16",
    lambda ws: ["report", ws.write("results.json", utf16(ws.results("r.json") and ws.path("r.json").read_text())),
                "--format", "html"],
    refused("results.json", says=("UTF-16", "UTF-8")))
row("report-huge-integer",
    lambda ws: ["report", ws.write("results.json", re.sub(r'"met": \d+', f'"met": {HUGE}', ws.results("r.json") and
                                                          ws.path("r.json").read_text(), count=1)), "--format", "html"],
    refused("results.json", where=LINE, field="met"))


# compare -------------------------------------------------------------------------------------

def escaping_ids(ws: Work) -> list[str]:
    def edit(year: int) -> Callable[[dict], None]:
        def apply(document: dict) -> None:
            document["inspection"].update(id=f"../../../escape-{year}", year=year)
        return apply
    return [ws.results("before.json", edit=edit(2015)), ws.results("after.json", edit=edit(2019))]


row("compare-dotdot-ids-in-default-folder",
    lambda ws: ["compare", *escaping_ids(ws), "--format", "json"],
    refused("before.json", field=r"inspection\.id"))
row("compare-output-over-its-input",  # BEFORE is called comparison.json, in the output folder
    lambda ws: ["compare",
                ws.results("comparison.json", edit=lambda d: d["inspection"].update(id="exampleshire-2015", year=2015)),
                ws.two_rounds()[1], "-o", ".", "--format", "json"],
    refused("comparison.json"))
row("compare-output-onto-device",
    lambda ws: ["compare", *ws.two_rounds(), "-o", ws.device("dev"), "--format", "json"],
    refused("dev", field=OUTPUT_OPTION), process=True)
row("compare-template-escape",
    lambda ws: ["compare", *ws.two_rounds(), "-o", "out", "--format", "html",
                "--template-dir", template_dir(ws, "comparison.html.j2", PAYLOADS["cycler-globals-os"])],
    refused("comparison.html.j2", where=LINE), check=not_pwned)


# import-table --------------------------------------------------------------------------------

def export_with(ws: Workspace, edit: Callable[[str], str | bytes], table: str = "cases.csv") -> str:
    ws.export()
    path = ws.path(f"export/{table}")
    changed = edit(path.read_text(encoding="utf-8"))
    if isinstance(changed, bytes):
        path.write_bytes(changed)
    else:
        path.write_text(changed, encoding="utf-8")
    return "export/cases.csv"


IMPORT = ["--mapping", "export/mapping.yaml"]
row("import-table-dotdot-case-id",
    lambda ws: ["import-table", export_with(ws, lambda t: t.replace("WM-2019-002,", "../../../escape,", 1)), *IMPORT,
                "-o", "cases"],
    refused("cases.csv", where=ROW, field="Case Ref"))
row("import-table-formula-id-in-rejected-csv",
    lambda ws: ["import-table",
                export_with(ws, lambda t: t.replace("WM-2019-002,MISP,",
                                                    f'"{FORMULAS[0].replace(chr(34), chr(34) * 2)}",MISP,', 1)
                                           .replace(",C-3102,14,", ",C-3102,19,", 1)),
                *IMPORT, "-o", "cases", "--skip-invalid"],
    succeeds, check=lambda ws, outcome: assert_no_live_formula_in_csv(ws.path("cases/rejected.csv")))
row("import-table-short-row",
    lambda ws: ["import-table", export_with(ws, lambda t: re.sub(r"\n(WM-2019-002,[^\n]*)",
                                                               lambda m: "\n" + ",".join(m.group(1).split(",")[:5]),
                                                               t, count=1)),
                *IMPORT, "-o", "cases"],
    refused("cases.csv", where=ROW))
row("import-table-arabic-digits-date",
    lambda ws: ["import-table",
                export_with(ws, lambda t: t.replace("15/06/2019 08:00", f"15/06/{ARABIC_2019} 08:00", 1)),
                *IMPORT, "-o", "cases"],
    refused("cases.csv", where=ROW, field="Date Reported"))
row("import-table-arabic-digits-age",
    lambda ws: ["import-table", export_with(ws, lambda t: t.replace(",C-3102,14,", ",C-3102,\u0661\u0664,", 1)),
                *IMPORT, "-o", "cases"],
    refused("cases.csv", where=ROW, field="Age"))
row("import-table-huge-integer",
    lambda ws: ["import-table", export_with(ws, lambda t: t.replace(",C-3102,14,", f",C-3102,{HUGE},", 1)), *IMPORT,
                "-o", "cases"],
    refused("cases.csv", where=ROW, field="Age"))
row("import-table-zero-width-duplicate-id",
    lambda ws: ["import-table", export_with(ws, lambda t: t.replace("WM-2019-002,", f"WM-2019-001{ZWSP},", 1)), *IMPORT,
                "-o", "cases"],
    refused("cases.csv", where=ROW, field="Case Ref"))
row("import-table-utf16",
    lambda ws: ["import-table", export_with(ws, utf16), *IMPORT, "-o", "cases"],
    refused("cases.csv", says=("UTF-16", "UTF-8")))
row("import-table-rejected-onto-its-mapping",
    lambda ws: ["import-table", export_with(ws, lambda t: t.replace(",C-3102,14,", ",C-3102,19,", 1)), *IMPORT,
                "-o", "cases", "--skip-invalid", "--rejected", "export/mapping.yaml"],
    refused("mapping.yaml", field="--rejected"))
row("import-table-rejected-onto-its-table",
    lambda ws: ["import-table", export_with(ws, lambda t: t.replace(",C-3102,14,", ",C-3102,19,", 1)), *IMPORT,
                "-o", "cases", "--skip-invalid", "--rejected", "export/cases.csv"],
    refused("cases.csv", field="--rejected"))
row("import-table-output-onto-fifo",
    lambda ws: ["import-table", export_with(ws, lambda t: t), *IMPORT, "--format", "jsonl", "-o",
                ws.fifo("cases.jsonl")],
    refused("cases.jsonl", field=OUTPUT_OPTION), process=True)


# workbook ------------------------------------------------------------------------------------

def formula_cases(ws: Workspace) -> str:
    name = ws.inspection()
    path = ws.path("cases/EXA-2019-006.yaml")
    text = path.read_text().replace("case_id: EXA-2019-006", f"case_id: '{FORMULAS[0]}'")
    text = text.replace('note: "Child\'s phone still not examined at the time of the inspection."',
                        f"note: '{FORMULAS[4]}'")
    text = text.replace('note: "Supervision tracked tasks only', '#\n    note: "@SUM(1) Supervision tracked tasks only',
                        1)
    path.write_text(text)
    return name


row("workbook-output-onto-its-inspection",
    lambda ws: ["workbook", ws.inspection(), "-o", "inspection.yaml"],
    refused("inspection.yaml", field=OUTPUT_OPTION))
row("workbook-output-onto-fifo",
    lambda ws: ["workbook", ws.inspection(), "-o", ws.fifo("audit.xlsx")],
    refused("audit.xlsx", field=OUTPUT_OPTION), process=True)
row("workbook-formula-ids-and-notes-stored-as-text",
    lambda ws: ["workbook", formula_cases(ws), "-o", "audit.xlsx", "--inspector", "insp-a"],
    succeeds, check=lambda ws, outcome: assert_no_formula_cells(ws.path("audit.xlsx")))
row("workbook-utf16-inspection",
    lambda ws: ["workbook", ws.inspection() and ws.write("inspection.yaml", utf16(INSPECTION_YAML)), "-o",
                "audit.xlsx"],
    refused("inspection.yaml", says=("UTF-16", "UTF-8")))


# import-workbook -----------------------------------------------------------------------------

WB = ["--inspection", "inspection.yaml"]


def fill(ws: Workspace, name: str, value: object, *, header: str | None = None, row_number: int = 2) -> None:
    def edit(sheet) -> None:
        column = answer_header(sheet)[1] if header is None else \
            next(c.column for c in sheet[1] if c.value == header)
        sheet.cell(row=row_number, column=column, value=value)
    edit_cases_sheet(ws, name, edit)


def duplicate_answer_column(ws: Workspace, name: str) -> None:
    def edit(sheet) -> None:
        title, column = answer_header(sheet)
        extra = sheet.max_column + 1
        sheet.cell(row=1, column=extra, value=title)
        sheet.cell(row=2, column=extra, value="no")
        sheet.cell(row=2, column=column, value="yes")
    edit_cases_sheet(ws, name, edit)


def entity_workbook(ws: Workspace, name: str) -> None:
    """The first text of the Cases sheet (the first sheet) written through an entity of the same value,
    so a reader that expands entities reads the workbook exactly as before."""
    def edit(xml: str) -> str:
        head, sep, rest = xml.partition("?>") if xml.startswith("<?xml") else ("", "", xml)
        first = re.search(r"<t(?: [^>]*)?>([^<&]+)</t>", rest)
        assert first, "no text to write through an entity"
        root = re.match(r"\s*<([\w:]+)", rest)
        assert root, "no root element"
        rest = rest[: first.start(1)] + "&e;" + rest[first.end(1):]
        return head + sep + f'<!DOCTYPE {root.group(1)} [<!ENTITY e "{first.group(1)}">]>' + rest
    rewrite_member(ws, name, "xl/worksheets/sheet1.xml", edit)


def workbook_then(ws: Work, edit: Callable[[Workspace, str], None], *, made_for: str = "insp-a.xlsx") -> list[str]:
    name = ws.workbook(made_for=made_for)
    edit(ws, name)
    return ["import-workbook", name, *WB]


row("import-workbook-output-onto-the-workbook",
    lambda ws: ["import-workbook", ws.workbook(), *WB, "-o", "audit.xlsx"],
    refused("audit.xlsx", field=OUTPUT_OPTION))
row("import-workbook-output-onto-its-inspection",
    lambda ws: ["import-workbook", ws.workbook(), *WB, "-o", "inspection.yaml"],
    refused("inspection.yaml", field=OUTPUT_OPTION))
row("import-workbook-output-onto-fifo",
    lambda ws: ["import-workbook", ws.workbook(), *WB, "-o", ws.fifo("insp-a.yaml")],
    refused("insp-a.yaml", field=OUTPUT_OPTION), process=True)
row("import-workbook-xml-entity",
    lambda ws: workbook_then(ws, entity_workbook),
    refused("audit.xlsx", says=("entit",)))
row("import-workbook-formula-without-cached-value",
    lambda ws: workbook_then(ws, lambda ws, n: fill(ws, n, '="yes"')),
    refused("audit.xlsx", where=CELL, says=("formula",)))
row("import-workbook-duplicated-answer-column",
    lambda ws: workbook_then(ws, duplicate_answer_column),
    refused("audit.xlsx", where=CELL, field="answer"))
row("import-workbook-huge-used-range",
    lambda ws: workbook_then(ws, lambda ws, n: edit_cases_sheet(ws, n,
                                                                lambda s: s.cell(row=1_048_576, column=1, value="x"))),
    refused("audit.xlsx"), process=True, timeout=45)
row("import-workbook-newline-in-inspector",  # the inspector's reference becomes part of a file name
    lambda ws: workbook_then(ws, lambda ws, n: (fill(ws, n, "yes"), fill(ws, n, "insp-a\n", header="Inspector")),
                             made_for="anyone.xlsx"),
    refused("audit.xlsx", where=CELL))
row("import-workbook-dotdot-inspector",
    lambda ws: workbook_then(ws, lambda ws, n: (fill(ws, n, "yes"), fill(ws, n, "../../../x", header="Inspector")),
                             made_for="anyone.xlsx"),
    refused("audit.xlsx", where=CELL))
row("import-workbook-zero-width-case-id",
    lambda ws: workbook_then(ws, lambda ws, n: (fill(ws, n, "yes"), fill(ws, n, f"EXA-2019-001{ZWSP}", header="Case"))),
    refused("audit.xlsx", where=CELL))


# agreement -----------------------------------------------------------------------------------

JUDGEMENTS = """\
format: thematic.judgements/1
inspection: exampleshire-2019
inspector: insp-b
cases:
  EXA-2019-006:
    judgements:
      RISK-05: {answer: %s}
"""

row("agreement-output-onto-its-inspection",
    lambda ws: ["agreement", ws.inspection(), "-o", "inspection.yaml"],
    refused("inspection.yaml", field=OUTPUT_OPTION))
row("agreement-output-onto-a-judgements-file",
    lambda ws: ["agreement", ws.inspection(), "-o", ws.write("judgements/b.yaml", JUDGEMENTS % '"no"')],
    refused("b.yaml", field=OUTPUT_OPTION))
row("agreement-output-onto-fifo",
    lambda ws: ["agreement", ws.inspection(), "-o", ws.fifo("agreement.json")],
    refused("agreement.json", field=OUTPUT_OPTION), process=True)
row("agreement-yaml11-off-answer",
    lambda ws: ["agreement", ws.inspection() and ws.write("judgements/b.yaml", JUDGEMENTS % "off")
                and "inspection.yaml"],
    refused("b.yaml", where=r":7\b|line 7", field="answer"))
row("agreement-utf16-judgements",
    lambda ws: ["agreement", ws.inspection() and ws.write("judgements/b.yaml", utf16(JUDGEMENTS % '"no"'))
                and "inspection.yaml"],
    refused("b.yaml", says=("UTF-16", "UTF-8")))


# compare-assessors ---------------------------------------------------------------------------

row("compare-assessors-output-onto-its-input",
    lambda ws: ["compare-assessors", ws.results("force.json"), ws.results("inspectors.json"), "-o", "force.json"],
    refused("force.json", field=OUTPUT_OPTION))
row("compare-assessors-report-onto-its-input",
    lambda ws: ["compare-assessors", ws.results("force.json"), ws.results("inspectors.json"), "--report",
                "inspectors.json"],
    refused("inspectors.json", field="--report"))
row("compare-assessors-output-onto-fifo",
    lambda ws: ["compare-assessors", ws.results("force.json"), ws.results("inspectors.json"), "-o", ws.fifo("c.json")],
    refused("c.json", field=OUTPUT_OPTION), process=True)
row("compare-assessors-duplicate-key",
    lambda ws: ["compare-assessors", ws.write("force.json", ws.results("r.json") and ws.path("r.json").read_text()
                                              .replace('"format": ', '"format": "x", "format": ', 1)),
                ws.results("inspectors.json")],
    refused("force.json", where=LINE, field="format"))


# demo (a process: it starts workers; refused before any work, or the timeout fails the row) -----

row("demo-jobs-100000", lambda ws: ["demo", "-o", "demo", "--format", "html", "--jobs", "100000"],
    refused("--jobs"), process=True, timeout=20)
row("demo-output-onto-fifo", lambda ws: ["demo", "-o", ws.fifo("demo"), "--format", "html", "--jobs", "1"],
    refused("demo", field=OUTPUT_OPTION), process=True, timeout=30)
row("demo-output-onto-device", lambda ws: ["demo", "-o", ws.device("demo"), "--format", "html", "--jobs", "1"],
    refused("demo", field=OUTPUT_OPTION), process=True, timeout=30)
row("demo-output-onto-a-file",
    lambda ws: ["demo", "-o", ws.write("demo", "my notes\n"), "--format", "html", "--jobs", "1"],
    refused("demo", field=OUTPUT_OPTION), process=True, timeout=30)


# synth ---------------------------------------------------------------------------------------

SYNTH = ["--profile", "national-2019", "--year", "2019", "--seed", "1"]
row("synth-dotdot-force",
    lambda ws: ["synth", *SYNTH, "--force", "../../../escape", "--cases", "3", "-o", "out"],
    refused("--force"))
row("synth-output-onto-its-profile",
    lambda ws: ["synth", "--profile",
                ws.copy(Path(__import__("thematic.synth", fromlist=["x"]).__file__).parent / "profiles"
                        / "national-2019.yaml", "profile.yaml"),
                "--year", "2019", "--seed", "1", "--force", "northmoor", "--cases", "3", "--format", "jsonl",
                "-o", "profile.yaml"],
    refused("profile.yaml", field=OUTPUT_OPTION))
row("synth-output-onto-fifo",
    lambda ws: ["synth", *SYNTH, "--force", "northmoor", "--cases", "3", "--format", "jsonl", "-o",
                ws.fifo("cases.jsonl")],
    refused("cases.jsonl", field=OUTPUT_OPTION), process=True)
row("synth-output-onto-device",
    lambda ws: ["synth", *SYNTH, "--force", "northmoor", "--cases", "3", "--format", "jsonl", "-o",
                ws.device("cases.jsonl")],
    refused("cases.jsonl", field=OUTPUT_OPTION), process=True)
row("synth-arabic-digits-cases",
    lambda ws: ["synth", *SYNTH, "--force", "northmoor", "--cases", "\u0661\u0660", "-o", "out"],
    refused("--cases"))
row("synth-huge-cases",
    lambda ws: ["synth", *SYNTH, "--force", "northmoor", "--cases", HUGE, "-o", "out"],
    refused("--cases"))
row("synth-huge-seed",
    lambda ws: ["synth", "--profile", "national-2019", "--year", "2019", "--seed", HUGE, "--force", "northmoor",
                "--cases", "3", "-o", "out"],
    refused("--seed"))
row("synth-arabic-digits-year",
    lambda ws: ["synth", "--profile", "national-2019", "--year", ARABIC_2019, "--seed", "1", "--force", "northmoor",
                "--cases", "3", "-o", "out"],
    refused("--year"))


# sample --------------------------------------------------------------------------------------

SAMPLE = ["--strata", "category", "--seed", "1"]


def register_with(ws: Workspace, edit: Callable[[str], str | bytes]) -> str:
    name = ws.register()
    changed = edit(ws.path(name).read_text(encoding="utf-8"))
    ws.write(name, changed)
    return name


def formula_ids(text: str) -> str:
    """The register with every case id replaced by a unique formula-looking one."""
    import csv
    import io

    rows = list(csv.reader(io.StringIO(text)))
    kinds = ('=HYPERLINK("http://example.invalid/{}","open")', "+{}+1", "-{}+1", "@SUM({})", "={}+1")
    for i, row_ in enumerate(rows[1:]):
        row_[0] = kinds[i % len(kinds)].format(i)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


row("sample-margin-1e-300",
    lambda ws: ["sample", ws.register(), "--margin", "1e-300", *SAMPLE, "-o", "sample.csv"],
    refused("--margin"))
row("sample-margin-at-the-minimum",
    lambda ws: ["sample", ws.register(), "--margin", f"{MIN_MARGIN:g}", *SAMPLE, "-o", "sample.csv"],
    succeeds)
row("sample-margin-just-below-the-minimum",
    lambda ws: ["sample", ws.register(), "--margin", f"{MIN_MARGIN * 0.999:g}", *SAMPLE, "-o", "sample.csv"],
    refused("--margin"))
row("sample-output-onto-its-register",
    lambda ws: ["sample", ws.register(), "--size", "10", *SAMPLE, "-o", "register.csv"],
    refused("register.csv", field=OUTPUT_OPTION))
row("sample-output-onto-fifo",
    lambda ws: ["sample", ws.register(), "--size", "10", *SAMPLE, "-o", ws.fifo("sample.csv")],
    refused("sample.csv", field=OUTPUT_OPTION), process=True)
row("sample-output-onto-device",
    lambda ws: ["sample", ws.register(), "--size", "10", *SAMPLE, "-o", ws.device("sample.csv")],
    refused("sample.csv", field=OUTPUT_OPTION), process=True)
row("sample-short-row",
    lambda ws: ["sample", register_with(ws, lambda t: t.replace("EXA-19-0002,domestic_abuse,2019-04-02",
                                                                "EXA-19-0002,domestic_abuse", 1)),
                "--size", "10", *SAMPLE, "-o", "sample.csv"],
    refused("register.csv", where=r":3\b|line 3|row 3"))
row("sample-zero-width-duplicate-id",
    lambda ws: ["sample", register_with(ws, lambda t: t.replace("EXA-19-0002,", f"EXA-19-0001{ZWSP},", 1)),
                "--size", "10", *SAMPLE, "-o", "sample.csv"],
    refused("register.csv", where=r":3\b|line 3|row 3", field="case_id"))
row("sample-utf16-register",
    lambda ws: ["sample", register_with(ws, utf16), "--size", "10", *SAMPLE, "-o", "sample.csv"],
    refused("register.csv", says=("UTF-16", "UTF-8")))
row("sample-formula-ids-are-neutralised",
    lambda ws: ["sample", register_with(ws, formula_ids), "--size", "400", *SAMPLE, "-o", "sample.csv"],
    succeeds, check=lambda ws, outcome: assert_no_live_formula_in_csv(ws.path("sample.csv")))
row("sample-size-arabic-digits",
    lambda ws: ["sample", ws.register(), "--size", "\u0661\u0666", *SAMPLE, "-o", "sample.csv"],
    refused("--size"))


# --- the test -------------------------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input(case: Hostile, ws: Work) -> None:
    argv = case.build(ws)
    assert argv, "the row built no command"
    before = snapshot(ws.top)
    outcome = run_process(argv, ws.root, timeout=case.timeout) if case.process else run_cli(argv, ws.root)
    after = snapshot(ws.top)
    case.expect(outcome)
    assert not temporaries(after), f"temporary files left behind: {temporaries(after)}"
    changed = changes(before, after, root=ws.top)
    if getattr(case.expect, "refusal", False):
        assert not changed, "a refused run changed the folder:\n" + "\n".join(changed)
    else:
        touched = [line for line in changed if not line.startswith("added ")]
        if outcome.code == 2:
            assert not changed, "a refused run changed the folder:\n" + "\n".join(changed)
        else:
            assert not touched, "an existing file was replaced or removed:\n" + "\n".join(touched)
    if case.check is not None:
        case.check(ws, outcome)


def test_every_command_of_the_readme_has_hostile_rows() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    commands = set(re.findall(r"^\| `thematic ([a-z-]+)", readme, re.MULTILINE))
    covered = {name for name in commands if any(c.id.startswith(name + "-") for c in CASES)}
    assert commands and commands <= covered, f"commands with no hostile row: {sorted(commands - covered)}"


# --- closed pipes: `thematic … | head` ends quietly ---------------------------------------------

@pytest.mark.parametrize("argv", [
    ["score", "cases.jsonl", *AS_OF],
    ["screen", "cases.jsonl", *AS_OF, "--fail", "TIM-01,SUP-01,RISK-01"],
], ids=["score", "screen"])
def test_closed_pipe_ends_quietly(argv: list[str], ws: Work) -> None:
    ws.jsonl([case_record(f"H-{i:04d}") for i in range(2000)])  # far more than a pipe holds
    before = snapshot(ws.root)
    outcome = run_into_closed_pipe(argv, ws.root, read=20)
    for mark in ("Traceback", "Exception ignored", "BrokenPipeError", "internal error"):
        assert mark not in outcome.err, f"{mark!r} after the reader closed the pipe\n{outcome}"
    assert outcome.code in (0, 141, -13), f"a closed pipe should end quietly (0, or SIGPIPE's 141)\n{outcome}"
    assert changes(before, snapshot(ws.root), root=ws.root) == []
