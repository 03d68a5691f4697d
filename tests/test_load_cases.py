"""Loading case files (YAML, JSON, JSON Lines; files, folders, globs) with located problems."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from thematic.core.errors import InputError
from thematic.load.cases import LoadedCase, case_files, iter_cases, load_cases
from thematic.model.case import SECTIONS

DATA = Path(__file__).parent / "data" / "load"
EXAMPLE = DATA / "example.yaml"
X_NOTE = "(keys beginning with x_ are kept as local extensions)"


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def case_yaml(**fields: str) -> str:
    """A small valid case, one key per line in a fixed order (case_id on line 1 … child on line 5);
    keyword arguments replace those lines or, for other keys, follow them in the order given."""
    lines = {
        "case_id": "T-1", "force": "kent", "category": "neglect",
        "reported_at": "2019-03-04T16:20", "child": "{ref: C-1, age: 9}",
    }
    lines.update(fields)
    return "".join(f"{key}: {value}\n" if value is not None else f"{key}:\n" for key, value in lines.items())


def problems_of(*paths: Path | str) -> list[str]:
    problems: list = []
    list(iter_cases(paths, problems))
    return [str(p) for p in problems]


# --- valid files ---------------------------------------------------------------------------

def test_example_case_of_the_format_loads_with_null_sections_kept():
    (loaded,) = load_cases([EXAMPLE])
    case = loaded.case
    assert (loaded.file, loaded.line) == (str(EXAMPLE), 1)
    assert case.case_id == "NOR-2019-014"
    assert case.investigation is None and "investigation" in case.model_fields_set
    assert case.police_protection is None and "police_protection" in case.model_fields_set
    assert case.absent_sections() == frozenset()
    assert [i.ref for i in case.incidents] == ["I-1", "I-2", "I-3"]
    assert case.section47 is not None and case.section47.conference_on is None
    assert case.judgements["CRM-06"].answer == "no"
    assert case.grade is not None and case.grade.referred_back is True


@pytest.mark.parametrize(("extra", "absent", "value"), [
    ("", "supervision", []),
    ("supervision: []\n", None, []),
    ("investigation: null\n", "outcome", None),
])
def test_absent_sections_are_told_apart_from_empty_and_null(tmp_path, extra, absent, value):
    path = write(tmp_path, "c.yaml", case_yaml() + extra)
    (loaded,) = load_cases([path])
    captured = {s for s in SECTIONS if s not in loaded.case.absent_sections()}
    assert captured == ({extra.split(":")[0]} if extra else set())
    if absent is not None:
        assert absent in loaded.case.absent_sections()
    key = extra.split(":")[0] if extra else "supervision"
    assert getattr(loaded.case, key) == value


def test_example_without_supervision_key_reports_it_absent(tmp_path):
    text = "".join(line for line in EXAMPLE.read_text().splitlines(keepends=True)
                   if not line.startswith(("supervision:", "  - {at: 2019-03-05T09:00, kind: process}")))
    (loaded,) = load_cases([write(tmp_path, "no-supervision.yaml", text)])
    assert loaded.case.absent_sections() == frozenset({"supervision"})
    assert loaded.case.supervision == []


def test_x_keys_are_kept_at_top_level_and_nested(tmp_path):
    text = case_yaml(child="{ref: C-1, age: 9, x_school: St Mary}", x_system="niche", incidents=None) + (
        "  - {ref: I-1, at: 2019-01-01T10:00, type: concern, severity: 1, child_seen: true,"
        " demeanour_recorded: true, response: none, x_officer: 1234}\n")
    (loaded,) = load_cases([write(tmp_path, "x.yaml", text)])
    assert loaded.case.extensions == {"x_system": "niche"}
    assert loaded.case.child.extensions == {"x_school": "St Mary"}
    assert loaded.case.incidents[0].extensions == {"x_officer": 1234}


def test_yaml_stream_gives_one_case_per_document_with_its_line():
    loaded = load_cases([DATA / "multi.yaml"])
    assert [(c.case.case_id, c.line) for c in loaded] == [("MULTI-1", 3), ("MULTI-2", 10)]


def test_json_file_is_one_case_with_extensions_and_utc_time():
    (loaded,) = load_cases([DATA / "example.json"])
    case = loaded.case
    assert (case.case_id, case.force, loaded.line) == ("JSON-1", "west-midlands", 1)
    assert case.extensions == {"x_source": "export-v2"} and case.child.extensions == {"x_school_year": 8}
    assert case.reported_at == datetime(2019, 6, 1, 12, 0, tzinfo=UTC)
    assert case.absent_sections() == frozenset(SECTIONS) - {"devices"}


def test_json_lines_report_an_error_at_its_line_and_load_the_others():
    problems: list = []
    loaded = list(iter_cases([DATA / "cases.jsonl"], problems))
    assert [(c.case.case_id, c.line) for c in loaded] == [("L-1", 1), ("L-3", 4)]
    assert [str(p) for p in problems] == [
        f"{DATA / 'cases.jsonl'}:3: reported_at: '2019-01-02' is a date without a time; "
        "a datetime such as 2019-01-02T09:00 is expected"]


def test_json_lines_stream_a_case_before_later_lines_are_read(tmp_path):
    good = json.dumps({"case_id": "S-1", "force": "kent", "category": "missing",
                       "reported_at": "2019-01-01T10:00", "child": {"ref": "C", "age": 1}})
    path = write(tmp_path, "s.jsonl", good + "\n" + "{not json\n")
    problems: list = []
    stream = iter_cases([path], problems)
    assert next(stream).case.case_id == "S-1"
    assert problems == []  # line 2 not read yet
    assert list(stream) == []
    assert [str(p) for p in problems] == [
        f"{path}:2: invalid JSON: Expecting property name enclosed in double quotes (column 2)"]


# --- files, folders and globs -----------------------------------------------------------------

def test_folder_gives_its_case_files_sorted_by_name_and_ignores_others():
    folder = DATA / "folder"
    assert case_files([folder]) == [folder / "a.json", folder / "b.yaml"]
    assert [c.case.case_id for c in load_cases([folder])] == ["F-A", "F-B"]


def test_glob_gives_matching_case_files_sorted():
    pattern = str(DATA / "*.y*ml")
    assert case_files([pattern]) == [DATA / "example.yaml", DATA / "multi.yaml"]


def test_same_file_named_twice_loads_once():
    folder = DATA / "folder"
    assert case_files([folder, folder / "b.yaml"]) == [folder / "a.json", folder / "b.yaml"]


def test_bad_paths_are_all_reported_together(tmp_path):
    empty_folder = tmp_path / "empty"
    empty_folder.mkdir()
    write(empty_folder, "readme.txt", "hello")
    text_file = write(tmp_path, "cases.csv", "a,b\n")
    with pytest.raises(InputError) as excinfo:
        case_files([tmp_path / "nope.yaml", empty_folder, text_file, str(tmp_path / "*.yaml"), str(tmp_path / "*.csv")])
    assert [str(p) for p in excinfo.value.problems] == [
        f"{tmp_path / 'nope.yaml'}: no such file or folder",
        f"{empty_folder}: folder has no case files (.yaml, .yml, .json or .jsonl)",
        f"{text_file}: is not a case file: expected .yaml, .yml, .json or .jsonl",
        f"{tmp_path / '*.yaml'}: matches no file",
        f"{tmp_path / '*.csv'}: matches no case file (.yaml, .yml, .json or .jsonl)",
    ]


# --- problems, worded and located -----------------------------------------------------------

@pytest.mark.parametrize(("fields", "expected"), [
    pytest.param({"supervison": "[]"},
                 f'6: supervison: unknown field "supervison"; did you mean "supervision"? {X_NOTE}',
                     id="unknown-key-suggestion"),
    pytest.param({"child": "{ref: C-1, age: 9, sexx: male}"},
                 f'5: child.sexx: unknown field "sexx"; did you mean "sex"? {X_NOTE}', id="unknown-nested-key"),
    pytest.param({"grade": "{value: good, by: i-1, colour: red}"},
                 f'6: grade.colour: unknown field "colour"; expected one of: value, by, referred_back, note {X_NOTE}',
                 id="unknown-key-lists-fields"),
    pytest.param({"risk_assessments": None, "  - at": "2019-03-04T18:00", "    level": "hgih",
                  "    history_considered": "false", "    supervisor_reviewed_at": "null"},
                 '8: risk_assessments[0].level: "hgih" is not one of standard, medium, high; did you mean "high"?',
                 id="bad-enum"),
    pytest.param({"category": "neglekt"},
                 '3: category: "neglekt" is not one of domestic_abuse, missing, sexual_abuse, physical_abuse, neglect, '
                 'sexual_exploitation, criminal_exploitation, online_abuse, police_protection, detention; '
                 'did you mean "neglect"?', id="bad-category"),
    pytest.param({"reported_at": "2019-03-04"},
                 "4: reported_at: '2019-03-04' is a date without a time; "
                 "a datetime such as 2019-03-04T09:00 is expected",
                 id="date-only-datetime"),
    pytest.param({"closed_at": "2019-02-30T10:00"},
                 "6: closed_at: '2019-02-30T10:00' is not a real datetime: day is out of range for month",
                 id="impossible-date"),
    pytest.param({"child": "{ref: C-1, age: nine}"}, '5: child.age: expected a whole number, got "nine"',
                 id="wrong-type-int"),
    pytest.param({"child": "{ref: C-1, age: 9, looked_after: maybe}"},
                 '5: child.looked_after: expected true or false, got "maybe"', id="wrong-type-bool"),
    pytest.param({"child": "{ref: C-1, age: 19}"}, "5: child.age: must be at most 17, got 19", id="above-maximum"),
    pytest.param({"child": "{ref: C-1}"}, "5: child.age: required field is missing", id="missing-nested-field"),
    pytest.param({}, None, id="valid-control"),
    pytest.param({"incidents": "null"}, "6: incidents: expected a list (use [] for none), got null",
                 id="list-given-null"),
    pytest.param({"section47": "5"}, "6: section47: expected a mapping of fields, got 5", id="object-given-number"),
    pytest.param({"force": "Kent Police"},
                 '2: force: expected lower-case words joined by hyphens, e.g. west-midlands, got "Kent Police"',
                     id="force-code"),
    pytest.param({"judgements": "{CRM-06: {answer: null, by: i-1}}"},
                 "6: judgements.CRM-06.answer: expected text, got null", id="string-given-null"),
    pytest.param({"judgements": '{CRM-06: {answer: "yes", by: ""}}'},
                 "6: judgements.CRM-06.by: must not be empty", id="empty-string"),
    pytest.param({"judgements": "[CRM-06]"},
                 "6: judgements: expected a mapping (key: value pairs), got a list", id="dict-given-list"),
])
def test_field_problems_read_file_line_field_message(tmp_path, fields, expected):
    path = write(tmp_path, "c.yaml", case_yaml(**fields))
    got = problems_of(path)
    assert got == ([] if expected is None else [f"{path}:{expected}"])


def test_missing_top_level_field_is_reported_at_the_start_of_the_case(tmp_path):
    path = write(tmp_path, "c.yaml", "# exported 2019-11-30\n" + case_yaml().replace("category: neglect\n", ""))
    assert problems_of(path) == [f"{path}:2: category: required field is missing"]


def test_yaml_answer_yes_unquoted_is_accepted_as_yes(tmp_path):
    path = write(tmp_path, "c.yaml", case_yaml(judgements="{CRM-06: {answer: yes, by: i-1}}"))
    (loaded,) = load_cases([path])
    assert loaded.case.judgements["CRM-06"].answer == "yes"


def test_document_that_is_not_a_mapping_is_a_problem(tmp_path):
    path = write(tmp_path, "c.yaml", case_yaml() + "---\n- a\n- b\n---\njust text\n")
    assert problems_of(path) == [
        f"{path}:7: expected a case (a mapping of fields), got a list",
        f'{path}:10: expected a case (a mapping of fields), got "just text"',
    ]


def test_field_problem_in_json_is_located_at_its_line(tmp_path):
    text = '{\n  "case_id": "J-1",\n  "force": "kent",\n  "category": "neglect",\n' \
           '  "reported_at": "2019-03-04T16:20",\n  "child": {\n    "ref": "C-1",\n    "age": 21\n  }\n}\n'
    path = write(tmp_path, "c.json", text)
    assert problems_of(path) == [f"{path}:8: child.age: must be at most 17, got 21"]


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("e.yaml", b"", "is empty; expected a case in YAML (one per document)"),
    ("e.yaml", b"# nothing but a comment\n", "is empty; expected a case in YAML (one per document)"),
    ("e.json", b"\n", "is empty; expected a case in JSON"),
    ("e.jsonl", b"\n\n", "is empty; expected JSON Lines, one case per line"),
    ("b.yaml", b"\x00\x01binary\x00", "is not a text file; expected YAML"),
    ("b.json", b"\xff\xfe{\x00}",
     "is encoded as UTF-16 (little-endian); expected JSON as UTF-8 text (save the file as UTF-8)"),
    ("b.jsonl", b"PK\x03\x04\x00\x00", "is not a text file; expected JSON Lines"),
    ("s.yaml", b"case_id: T-1\nforce: [kent\n",  # found at the end of the text: reported at its last line
     "2: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence)"),
    ("s.json", b'{"case_id": "T-1",\n "force" "kent"}', "2: invalid JSON: Expecting ':' delimiter"),
    ("s.json", b'{"case_id": "T-1"}\n{"case_id": "T-2"}\n',
     "2: invalid JSON: Extra data after the case (a .json file holds one case; use .jsonl for one case per line)"),
    ("d.json", b'{"case_id": "T-1",\n "child": {"ref": "a",\n   "ref": "b"}}',
     '3: child.ref: duplicate key "ref" (first given at line 2); each key may appear only once'),
    ("d.yaml", b"case_id: T-1\nforce: kent\ncase_id: T-2\n",
     '3: case_id: duplicate key "case_id" (first given at line 1); each key may appear only once'),
])
def test_unreadable_files_are_one_problem_each(tmp_path, name, content, expected):
    path = write(tmp_path, name, content)
    where = f"{path}:" if expected[0].isdigit() else f"{path}: "  # "LINE: message" or a whole-file message
    assert problems_of(path) == [where + expected]


def test_yaml_syntax_error_keeps_the_cases_before_it(tmp_path):
    path = write(tmp_path, "c.yaml", case_yaml() + "---\n" + case_yaml(case_id="T-2") + "---\ncase_id: [\n")
    problems: list = []
    loaded = list(iter_cases([path], problems))
    assert [c.case.case_id for c in loaded] == ["T-1", "T-2"]
    assert [p.line for p in problems] == [13]


def test_bad_case_is_skipped_and_loading_goes_on(tmp_path):
    bad = write(tmp_path, "a.yaml", case_yaml(case_id="BAD", child="{ref: C-1, age: -1}"))
    good = write(tmp_path, "b.yaml", case_yaml(case_id="GOOD"))
    problems: list = []
    assert [c.case.case_id for c in iter_cases([bad, good], problems)] == ["GOOD"]
    assert [str(p) for p in problems] == [f"{bad}:5: child.age: must be at least 0, got -1"]
    with pytest.raises(InputError) as excinfo:
        load_cases([bad, good])
    assert excinfo.value.problems == problems


def test_duplicate_case_id_across_files_is_reported_at_the_later_one(tmp_path):
    first = write(tmp_path, "a.yaml", case_yaml(case_id="DUP-1"))
    second = write(tmp_path, "b.yaml", "# second export\n" + case_yaml(case_id="DUP-1"))
    lines = write(tmp_path, "c.jsonl", "\n" + json.dumps({"case_id": "DUP-1"}) + "\n")
    with pytest.raises(InputError) as excinfo:
        load_cases([tmp_path])
    assert [str(p) for p in excinfo.value.problems if "already used" in p.message] == [
        f'{second}:2: case_id: case_id "DUP-1" is already used at {first}:1',
        f'{lines}:2: case_id: case_id "DUP-1" is already used at {first}:1',
    ]


def test_check_problems_are_located_and_the_case_skipped(tmp_path):
    path = write(tmp_path, "c.yaml", case_yaml(judgements=None, **{"  XYZ-01": "{answer: yes, by: i-1}"}))

    def check(case):
        return [(("judgements", key), f"unknown criterion {key!r}") for key in case.judgements]

    problems: list = []
    assert list(iter_cases([path], problems, check=check)) == []
    assert [str(p) for p in problems] == [f"{path}:7: judgements.XYZ-01: unknown criterion 'XYZ-01'"]


def test_no_cases_at_all_is_an_error():
    with pytest.raises(InputError) as excinfo:
        load_cases([])
    assert str(excinfo.value) == "(no paths given): no cases found: an empty sample cannot be scored"


def test_loaded_cases_are_returned_in_file_order():
    loaded = load_cases([DATA / "multi.yaml", DATA / "folder"])
    assert all(isinstance(c, LoadedCase) for c in loaded)
    assert [c.case.case_id for c in loaded] == ["MULTI-1", "MULTI-2", "F-A", "F-B"]


# --- datetimes -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "utc"), [
    ("2019-06-01T12:00Z", datetime(2019, 6, 1, 12, 0)),
    ("2019-06-01T12:00+01:00", datetime(2019, 6, 1, 11, 0)),
    ("2019-06-01 12:00:30.5-02:30", datetime(2019, 6, 1, 14, 30, 30, 500000)),
    ("2019-01-15T12:00", datetime(2019, 1, 15, 12, 0)),        # naive in winter: GMT
    ("2019-06-01T12:00", datetime(2019, 6, 1, 11, 0)),         # naive in summer: BST
    ("2019-03-31T01:30", datetime(2019, 3, 31, 1, 30)),        # skipped hour: the offset before the change
    ("2019-10-27T01:30", datetime(2019, 10, 27, 0, 30)),       # repeated hour: its first occurrence
])
def test_datetimes_read_offsets_and_london_local_time(tmp_path, text, utc):
    path = write(tmp_path, "t.yaml", case_yaml(reported_at=text))
    (loaded,) = load_cases([path])
    assert loaded.case.reported_at == utc.replace(tzinfo=UTC)
    assert loaded.case.reported_at.utcoffset() is not None


@pytest.mark.parametrize(("start", "end", "hours"), [
    ("2019-03-31T00:30", "2019-03-31T03:30", 2),   # clocks go forward: an hour is skipped
    ("2019-10-27T00:30", "2019-10-27T02:30", 3),   # clocks go back: an hour is lived twice
    ("2019-06-01T10:00", "2019-06-01T09:00Z", 0),
])
def test_elapsed_time_is_real_time_across_clock_changes(tmp_path, start, end, hours):
    path = write(tmp_path, "t.yaml", case_yaml(reported_at=start, closed_at=end))
    (loaded,) = load_cases([path])
    assert loaded.case.closed_at - loaded.case.reported_at == timedelta(hours=hours)
