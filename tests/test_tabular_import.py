"""From a force's export to case files and scored results; every row problem located by file, row and column."""
from __future__ import annotations

import csv
import json
import re
import shutil
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from tabular_helpers import CASES, INCIDENTS, MAPPING, write_export

from thematic.cli import main
from thematic.core.errors import InputError
from thematic.load.cases import load_cases
from thematic.load.criteria import shipped_criteria_path
from thematic.scoring.criteria import load_criteria
from thematic.scoring.inspection import paths_results
from thematic.tabular import import_tables

ROOT = Path(__file__).resolve().parent.parent
WESTMOOR = ROOT / "inspections" / "exports" / "westmoor"
AS_OF = date(2019, 11, 30)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def westmoor_results(tmp_path_factory):
    """The example export imported through its mapping, then scored: the whole round trip."""
    out = tmp_path_factory.mktemp("westmoor") / "cases"
    assert main(["import-table", str(WESTMOOR / "cases.csv"), "--mapping", str(WESTMOOR / "mapping.yaml"), "-o",
                 str(out)]) == 0
    document = paths_results([out], criteria=load_criteria(shipped_criteria_path()), as_of=AS_OF,
                             parameters=load_criteria(shipped_criteria_path()).defaults())
    data = document.to_json()  # the cases as results.json holds them
    return out, {c["case_id"]: c for c in data["cases"]}


# --- the round trip ------------------------------------------------------------------------------

# Worked out by hand from the export's rows (see inspections/exports/westmoor/README.md).
EXPECTED = [
    ("WM-2019-001", "TIM-01", "met"),            # CSC told 12.5 h after the report
    ("WM-2019-002", "TIM-01", "not_met"),        # 50 h after
    ("WM-2019-003", "TIM-01", "not_evidenced"),  # no rows in referrals.csv: captured, none
    ("WM-2019-004", "TIM-04", "not_met"),        # police protection 80 h
    ("WM-2019-004", "TIM-05", "met"),            # local authority told after 1.5 h
    ("WM-2019-005", "TIM-05", "not_met"),        # after 3 h 40 min
    ("WM-2019-003", "TIM-04", "not_applicable"),  # "PP Used" N: police_protection is null
    ("WM-2019-006", "TRN-01", "not_met"),        # complex, PIP 1, no specialist training
    ("WM-2019-006", "TIM-06", "not_met"),        # arrest 12.9 days after identification
    ("WM-2019-006", "OUT-01", "not_met"),        # outcome 16, victim not told
    ("WM-2019-008", "CRM-01", "not_evidenced"),  # indicators, blank "NRM Referred"
    ("WM-2019-008", "CRM-04", "not_met"),        # bail refused, no transfer, no certificate
    ("WM-2019-008", "DIG-01", "not_evidenced"),  # device never submitted
    ("WM-2019-009", "TIM-02", "met"),            # Saturday report, strategy discussion on Monday
    ("WM-2019-009", "TIM-03", "met"),            # conference counted across Easter
    ("WM-2019-009", "DIG-03", "met"),            # returned to the suspect after triage
    ("WM-2019-010", "DIG-03", "not_met"),        # returned untriaged and unexamined
    ("WM-2019-010", "RISK-03", "not_met"),       # child not seen
    ("WM-2019-011", "INF-01", "not_met"),        # no health at the strategy discussion
    ("WM-2019-012", "RISK-02", "not_met"),       # escalating 2, 3, 5; risk graded medium
    ("WM-2019-014", "CRM-04", "met"),            # s38(6) certificate
    ("WM-2019-015", "CRM-05", "not_evidenced"),  # appropriate adult's arrival blank
    ("WM-2019-017", "TIM-03", "not_met"),        # conference on the 16th working day
    ("WM-2019-017", "SUP-01", "not_evidenced"),  # no rows in supervision.csv
    ("WM-2019-020", "CRM-03", "not_met"),        # NRM pending, charged, no rationale
]


@pytest.mark.parametrize("case_id, criterion, state", EXPECTED)
def test_the_example_export_round_trips_to_scored_results(westmoor_results, case_id, criterion, state):
    _, cases = westmoor_results
    assert cases[case_id]["results"][criterion]["state"] == state


def test_the_example_imports_twenty_cases_of_every_category(westmoor_results):
    folder, cases = westmoor_results
    assert len(cases) == 20
    assert sorted(p.name for p in folder.iterdir())[:2] == ["WM-2019-001.yaml", "WM-2019-002.yaml"]
    assert len({c["category"] for c in cases.values()}) == 10


def test_an_imported_case_is_exactly_the_case_its_rows_describe():
    outcome = import_tables(WESTMOOR / "cases.csv", WESTMOOR / "mapping.yaml")
    case = next(c for c in outcome.cases if c.case_id == "WM-2019-007")
    assert case.row == 8
    assert case.data == {
        "case_id": "WM-2019-007", "force": "westmoor", "category": "criminal_exploitation",
        "reported_at": "2019-05-21T18:30",
        "child": {"ref": "C-3107", "age": 16, "sex": "male", "looked_after": False, "plan": "child_in_need"},
        "incidents": [
            {"ref": "WM-190210-0008", "at": "2019-02-10T01:20", "type": "missing", "severity": 2,
             "child_seen": True, "demeanour_recorded": True, "response": "scheduled"},
            {"ref": "WM-190401-0489", "at": "2019-04-01T23:30", "type": "missing", "severity": 3,
             "child_seen": True, "demeanour_recorded": True, "response": "immediate"},
            {"ref": "WM-190521-0401", "at": "2019-05-21T18:30", "type": "criminal_exploitation", "severity": 4,
             "child_seen": True, "demeanour_recorded": True, "response": "immediate"},
        ],
        "risk_assessments": [{"at": "2019-05-21T22:00", "level": "high", "history_considered": True,
                              "supervisor_reviewed_at": "2019-05-22T09:00"}],
        "referrals": [{"at": "2019-04-02T11:00", "to": "childrens_social_care"},
                      {"at": "2019-05-21T23:00", "to": "childrens_social_care"}],
        "strategy_discussions": [{"at": "2019-05-23T10:00",
                                  "agencies": ["police", "childrens_social_care", "health", "education"]}],
        "section47": None,           # both columns blank
        "police_protection": None,   # "PP Used" N
        "investigation": None,       # every investigation column blank
        "supervision": [],           # no rows in supervision.csv
        "devices": [{"ref": "D-1", "seized_at": "2019-05-21T19:00", "submitted_at": "2019-05-24T09:00",
                     "examined_at": "2019-07-30T16:00", "returned_to_suspect_at": None, "triaged": False,
                     "indecent_images_suspected": False}],
        "child_as_suspect": {"offence": "possession with intent to supply class A",
                             "exploitation_indicators": ["county_lines", "going_missing", "debt_bondage"],
                             "nrm_referred_at": "2019-05-22T12:00", "nrm_decision": "reasonable_grounds",
                             "s45_considered": True, "s45_excluded": False},
        "custody": {"arrived_at": "2019-05-21T19:00", "charged_at": "2019-05-22T16:00", "bail_refused": True,
                    "transferred_at": "2019-05-22T18:30", "s38_6_certificate": False,
                    "appropriate_adult_requested_at": "2019-05-21T19:15",
                    "appropriate_adult_arrived_at": "2019-05-21T20:30"},
        "outcome": {"code": 1, "decided_at": "2019-05-22T16:00", "rationale_recorded": True, "victim_informed": False},
    }


def test_the_written_case_files_load_back_as_the_same_cases(westmoor_results):
    folder, _ = westmoor_results
    outcome = import_tables(WESTMOOR / "cases.csv", WESTMOOR / "mapping.yaml")
    loaded = {item.case.case_id: item.case for item in load_cases([folder])}
    from thematic.model.case import Case
    for case in outcome.cases:
        assert loaded[case.case_id] == Case.model_validate(case.data)


def _typed(value: str):
    """A cell as a spreadsheet would hold it: dates and numbers typed, the rest text."""
    if re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", value):
        return datetime.strptime(value, "%d/%m/%Y %H:%M"), "dd/mm/yyyy hh:mm"
    if re.fullmatch(r"\d\d/\d\d/\d{4}", value):
        return datetime.strptime(value, "%d/%m/%Y"), "dd/mm/yyyy"
    if re.fullmatch(r"\d+", value):
        return int(value), None
    return (value or None), None


def test_the_same_export_as_one_workbook_imports_to_the_same_cases(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    sheets = ["cases", "incidents", "risk", "referrals", "strategy", "supervision", "devices"]
    for name in sheets:
        sheet = workbook.create_sheet(name.capitalize())
        with open(WESTMOOR / f"{name}.csv", newline="", encoding="utf-8") as handle:
            for row in csv.reader(handle):
                typed = [_typed(v) for v in row]
                sheet.append([v for v, _ in typed])
                for cell, (_, number_format) in zip(sheet[sheet.max_row], typed, strict=False):
                    if number_format:
                        cell.number_format = number_format
    book = tmp_path / "westmoor.xlsx"
    workbook.save(book)
    mapping = (WESTMOOR / "mapping.yaml").read_text(encoding="utf-8")
    for name in sheets[1:]:
        mapping = mapping.replace(f"file: {name}.csv", f"sheet: {name.capitalize()}")
    (tmp_path / "mapping.yaml").write_text(mapping, encoding="utf-8")

    from_book = import_tables(book, tmp_path / "mapping.yaml")
    from_csv = import_tables(WESTMOOR / "cases.csv", WESTMOOR / "mapping.yaml")
    assert from_book.problems == []
    assert [c.data for c in from_book.cases] == [c.data for c in from_csv.cases]
    assert from_book.tables[1] == f"{book}[Incidents]"


# --- absent, empty and null ----------------------------------------------------------------------

def test_a_section_the_mapping_does_not_name_is_absent_from_every_case(tmp_path):
    without = MAPPING[: MAPPING.index("tables:")]
    table, path = write_export(tmp_path, mapping=without)
    outcome = import_tables(table, path)
    assert all("incidents" not in c.data for c in outcome.cases)
    from thematic.model.case import Case
    assert "incidents" in Case.model_validate(outcome.cases[0].data).absent_sections()


def test_a_list_section_is_empty_for_a_case_without_rows_and_an_object_null_where_its_cells_are_blank(tmp_path):
    table, path = write_export(tmp_path)
    first, second = import_tables(table, path).cases
    assert len(first.data["incidents"]) == 2 and second.data["incidents"] == []
    assert first.data["section47"] == {"started_on": "2019-03-05", "conference_on": None}  # blank ICPC: null
    assert second.data["section47"] is None                                            # both blank: null


@pytest.mark.parametrize("used, expected",
                         [("Y", {"started_on": "2019-03-05", "conference_on": None}), ("N", None), ("", None)])
def test_present_if_decides_whether_an_object_section_is_null(tmp_path, used, expected):
    mapping = MAPPING.replace("    section47:\n      fields:",
                              "    section47:\n      present_if: S47 Used\n      fields:")
    cases = [CASES[0] + ["S47 Used"], CASES[1] + [used], CASES[2] + [""]]
    table, path = write_export(tmp_path, mapping=mapping, cases=cases)
    assert import_tables(table, path).cases[0].data["section47"] == expected


# --- row problems --------------------------------------------------------------------------------

def with_cell(rows: list[list[str]], row: int, column: str, value: str) -> list[list[str]]:
    """A copy of `rows` with one cell changed (`row` counted as a spreadsheet counts, heading = 1)."""
    copy = [list(r) for r in rows]
    copy[row - 1][rows[0].index(column)] = value
    return copy


@pytest.mark.parametrize("table, row, column, value, message", [
    ("incidents", 3, "Risk", "Hgih", '"Hgih" is not one of High, Med, Low; did you mean "High"?'),
    ("incidents", 2, "When", "2018-11-02 22:10",
     '"2018-11-02 22:10" is not a date and time in the form dd/mm/yyyy hh:mm'),
    ("incidents", 2, "When", "02/11/2018", '"02/11/2018" is not a date and time in the form dd/mm/yyyy hh:mm'),
    ("incidents", 2, "When", "", "is blank; incidents.at needs a value (datetime)"),
    ("incidents", 2, "Seen", "Yes", '"Yes" is not one of Y, N'),
    ("incidents", 2, "Ref", "T-999", '"T-999" is not a case id in {main}'),
    ("incidents", 2, "Ref", "", "is blank; every row needs the id of its case in {main}"),
    ("cases", 2, "Age", "19", "child.age: must be at most 17, got 19"),
    ("cases", 2, "Age", "nine", '"nine" is not a whole number'),
    ("cases", 3, "Type", "Neglect", '"Neglect" is not one of DA, NEG'),
    ("cases", 3, "Ref", "T-001", 'case id "T-001" is already used in row 2'),
    ("cases", 2, "Ref", "", "is blank; every case needs its id"),
    ("cases", 2, "S47", "", "is blank; section47.started_on needs a value (date)"),  # ICPC filled, start blank
    ("cases", 2, "Child", "", "is blank; child.ref needs a value (text)"),
])
def test_each_kind_of_row_problem_names_its_file_row_and_column(tmp_path, table, row, column, value, message):
    rows = {"cases": CASES, "incidents": INCIDENTS}
    if (table, column) == ("cases", "S47"):
        rows["cases"] = with_cell(CASES, 2, "ICPC", "20/03/2019")
    rows[table] = with_cell(rows[table], row, column, value)
    main_table, path = write_export(tmp_path, cases=rows["cases"], incidents=rows["incidents"])
    outcome = import_tables(main_table, path)
    shown = [str(p) for p in outcome.as_problems()]
    expected = f'{tmp_path / (table + ".csv")} row {row}, column "{column}": {message.format(main=main_table)}'
    assert expected in shown, shown


def test_every_problem_of_every_table_is_listed_at_once_in_file_order(tmp_path):
    cases = with_cell(with_cell(CASES, 3, "Age", "18"), 2, "Type", "XX")
    incidents = with_cell(with_cell(INCIDENTS, 3, "Risk", "Hgih"), 2, "Seen", "?")
    table, path = write_export(tmp_path, cases=cases, incidents=incidents)
    shown = [str(p) for p in import_tables(table, path).as_problems()]
    assert [s.split(": ")[0] for s in shown] == [
        f'{tmp_path / "cases.csv"} row 2, column "Type"',
        f'{tmp_path / "cases.csv"} row 3, column "Age"',
        f'{tmp_path / "incidents.csv"} row 2, column "Seen"',
        f'{tmp_path / "incidents.csv"} row 3, column "Risk"',
    ]


def test_a_second_row_for_an_object_section_table_is_a_problem(tmp_path):
    mapping = MAPPING.replace("    section47:\n      fields:\n        started_on: S47\n        conference_on: ICPC\n",
                              "")
    mapping += ("  section47:\n    file: s47.csv\n    id: Ref\n    fields:\n      started_on: Start\n"
                "      conference_on: {column: Conf}\n")
    table, path = write_export(tmp_path, mapping=mapping)
    from tabular_helpers import write_csv
    write_csv(tmp_path / "s47.csv",
              [["Ref", "Start", "Conf"], ["T-001", "05/03/2019", ""], ["T-001", "06/03/2019", ""]])
    outcome = import_tables(table, path)
    shown = [str(p) for p in outcome.as_problems()]
    assert shown == [f'{tmp_path / "s47.csv"} row 3, column "Ref": a second row for case "T-001" (the first is row 2); '
                     f"section47 takes at most one row per case"]
    assert [c.case_id for c in outcome.cases] == ["T-002"] and outcome.cases[0].data["section47"] is None


def test_a_value_beyond_the_headed_columns_is_a_problem(tmp_path):
    incidents = [list(r) for r in INCIDENTS]
    incidents[2] = incidents[2] + ["stray"]
    table, path = write_export(tmp_path, incidents=incidents)
    with pytest.raises(InputError) as caught:
        import_tables(table, path)
    assert str(caught.value.problems[0]) == (f"{tmp_path / 'incidents.csv'} row 3: a value in column 8, which has no "
                                             f"heading (the headings in row 1 name 7 columns)")


def test_blank_rows_are_skipped_and_rows_keep_their_spreadsheet_numbers(tmp_path):
    incidents = [INCIDENTS[0], ["", "", "", "", "", "", ""], *INCIDENTS[1:]]
    incidents = with_cell(incidents, 4, "Risk", "Hgih")
    table, path = write_export(tmp_path, incidents=incidents)
    shown = [str(p) for p in import_tables(table, path).as_problems()]
    assert shown[0].startswith(f'{tmp_path / "incidents.csv"} row 4, column "Risk"')


# --- the command ---------------------------------------------------------------------------------

def test_nothing_is_written_unless_every_row_is_valid(tmp_path, capsys):
    table, path = write_export(tmp_path, incidents=with_cell(INCIDENTS, 3, "Risk", "Hgih"))
    out = tmp_path / "out"
    code, _, err = run(capsys, "import-table", table, "--mapping", path, "-o", out)
    assert code == 2
    assert not out.exists()
    assert f'error: {tmp_path / "incidents.csv"} row 3, column "Risk": "Hgih" is not one of High, Med, Low' in err
    assert "Traceback" not in err


def test_skip_invalid_writes_the_valid_cases_and_the_rejected_rows_with_reasons(tmp_path, capsys):
    table, path = write_export(tmp_path, incidents=with_cell(INCIDENTS, 3, "Risk", "Hgih"))
    out = tmp_path / "out"
    code, stdout, err = run(capsys, "import-table", table, "--mapping", path, "-o", out, "--skip-invalid")
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == ["T-002.yaml", "rejected.csv"]
    with open(out / "rejected.csv", newline="", encoding="utf-8") as handle:
        rejected = list(csv.DictReader(handle))
    assert rejected == [{"table": str(tmp_path / "incidents.csv"), "row": "3", "column": "Risk", "case_id": "T-001",
                         "value": "Hgih", "field": "",
                         "problem": '"Hgih" is not one of High, Med, Low; did you mean "High"?'}]
    assert "imported 1 case(s)" in stdout and "rejected 1 case(s)" in err
    assert [c.case.case_id for c in load_cases([out])] == ["T-002"]


def test_unmapped_columns_are_a_warning_and_ignore_silences_them(tmp_path, capsys):
    table, path = write_export(tmp_path, mapping=MAPPING.replace("  ignore: [Notes]\n", ""))
    code, _, err = run(capsys, "import-table", table, "--mapping", path, "-o", tmp_path / "out")
    assert code == 0
    assert f'warning: {table}: 1 column(s) not mapped, so not imported: "Notes"' in err
    table, path = write_export(tmp_path / "again")
    code, _, err = run(capsys, "import-table", table, "--mapping", path, "-o", tmp_path / "out2")
    assert code == 0 and "warning" not in err


def test_jsonl_output_is_one_file_of_one_case_per_line(tmp_path, capsys):
    table, path = write_export(tmp_path)
    code, _, _ = run(capsys, "import-table", table, "--mapping", path, "-o", tmp_path / "sample.jsonl")
    assert code == 0
    lines = (tmp_path / "sample.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["case_id"] for line in lines] == ["T-001", "T-002"]
    assert len(load_cases([tmp_path / "sample.jsonl"])) == 2


def test_case_files_already_in_the_output_folder_are_warned_about_and_kept(tmp_path, capsys):
    table, path = write_export(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    shutil.copy(ROOT / "tests" / "data" / "load" / "example.yaml", out / "OLD-1.yaml")
    code, _, err = run(capsys, "import-table", table, "--mapping", path, "-o", out)
    assert code == 0
    assert "also holds 1 case file(s) this import did not write (e.g. OLD-1.yaml)" in err
    assert (out / "OLD-1.yaml").exists()


def test_case_ids_that_would_share_a_file_name_stop_the_import(tmp_path, capsys):
    cases = with_cell(with_cell(CASES, 2, "Ref", "T/1"), 3, "Ref", "T_1")
    incidents = [INCIDENTS[0]]
    table, path = write_export(tmp_path, cases=cases, incidents=incidents)
    code, _, err = run(capsys, "import-table", table, "--mapping", path, "-o", tmp_path / "out")
    assert code == 2
    assert 'case id "T_1" and "T/1" (row 2) would both be written to T_1.yaml' in err
    assert not (tmp_path / "out").exists()


def test_the_template_goes_to_standard_output_or_a_new_file(tmp_path, capsys):
    code, out, _ = run(capsys, "import-table", "--template")
    assert code == 0 and out.startswith("# Mapping for `thematic import-table`")
    target = tmp_path / "mapping.yaml"
    assert run(capsys, "import-table", "--template", "-o", target)[0] == 0
    assert target.read_text(encoding="utf-8") == out
    code, _, err = run(capsys, "import-table", "--template", "-o", target)
    assert code == 2 and "already exists" in err


@pytest.mark.parametrize("argv, message", [
    (["import-table", "cases.csv", "-o", "out"], "--mapping required"),
    (["import-table", "--mapping", "m.yaml", "-o", "out"], "TABLE (or --database-url) required"),
    (["import-table", "--template", "cases.csv"], "--template takes no TABLE"),
])
def test_usage_errors_exit_2(capsys, monkeypatch, argv, message):
    monkeypatch.delenv("THEMATIC_IMPORT_DATABASE_URL", raising=False)  # else no TABLE means the database
    code, _, err = run(capsys, *argv)
    assert code == 2 and message in err


def test_a_main_table_that_is_not_a_table_is_reported(tmp_path, capsys):
    _, path = write_export(tmp_path)
    (tmp_path / "cases.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    code, _, err = run(capsys, "import-table", tmp_path / "cases.xls", "--mapping", path, "-o", tmp_path / "out")
    assert code == 2 and "is not a table: expected .csv, .tsv, .txt, .xlsx, .xlsm (save .xls workbooks as .xlsx)" in err


# --- reading the tables --------------------------------------------------------------------------

def test_a_title_row_above_the_headings_is_skipped_with_header_row(tmp_path):
    mapping = MAPPING.replace("  id: Ref\n  ignore", "  header_row: 2\n  id: Ref\n  ignore", 1)
    cases = [["Testshire export, fictional"], *with_cell(CASES, 3, "Age", "x")]
    table, path = write_export(tmp_path, mapping=mapping, cases=cases)
    shown = [str(p) for p in import_tables(table, path).as_problems()]
    assert shown == [f'{table} row 4, column "Age": "x" is not a whole number']


def test_a_table_in_another_encoding_asks_for_its_encoding(tmp_path):
    table, path = write_export(tmp_path)
    (tmp_path / "incidents.csv").write_bytes(("Ref,Inc,When,Type,Risk,Seen,Demeanour\n"
                                              "T-001,I-1,02/11/2018 22:10,DA,Méd,Y,N\n").encode("cp1252"))
    with pytest.raises(InputError, match="encoding: cp1252"):
        import_tables(table, path)
    mapping = MAPPING.replace("    file: incidents.csv\n", "    file: incidents.csv\n    encoding: cp1252\n")
    path.write_text(mapping.replace('"Med": 3', '"Méd": 3'), encoding="utf-8")
    assert import_tables(table, path).cases[0].data["incidents"][0]["severity"] == 3


def test_a_sheet_the_workbook_does_not_have_is_named_with_those_it_has(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.title = "Cases"
    for row in CASES:
        workbook.active.append(row)
    workbook.save(tmp_path / "export.xlsx")
    mapping = MAPPING.replace("    file: incidents.csv\n", "    sheet: Incidents\n")
    (tmp_path / "mapping.yaml").write_text(mapping, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        import_tables(tmp_path / "export.xlsx", tmp_path / "mapping.yaml")
    assert str(caught.value) == f'{tmp_path / "export.xlsx"}: has no sheet "Incidents"; its sheets are: Cases'
