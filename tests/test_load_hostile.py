"""Case files, YAML and JSON read exactly as written (issue 11): what could be read two ways, or
could stop the run with a Python error, is refused with its file, line and field (exit code 2).

Every case is run through the loader and through the real command line (`thematic validate` and
`thematic score`), and the input file is checked to be byte-identical afterwards.
"""
from __future__ import annotations

import glob
import json
from pathlib import Path

import pytest
import yaml
from conftest import MINIMAL

from thematic.cli import main
from thematic.core.errors import InputError
from thematic.load.cases import load_cases
from thematic.load.json_source import decode
from thematic.load.results import load_results
from thematic.load.yaml_source import MAX_DEPTH, MAX_NUMBER, parse_yaml_documents, read_yaml_documents
from thematic.model.base import MAX_ID_LENGTH, MAX_TEXT_LENGTH

ROOT = Path(__file__).resolve().parent.parent
YAML_CASE = """\
case_id: T-001
force: testshire
category: neglect
reported_at: 2019-03-04T16:20
child: {ref: C-0001, age: 9}
"""


def json_case(**fields: object) -> str:
    return json.dumps({**MINIMAL, **fields}, ensure_ascii=False)


def problems_of(path: Path) -> list[str]:
    with pytest.raises(InputError) as excinfo:
        load_cases([path])
    return [str(p) for p in excinfo.value.problems]


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    _, err = capsys.readouterr()
    return code, err


def assert_refused_everywhere(capsys: pytest.CaptureFixture[str], path: Path, expected: str) -> None:
    """Loader and both commands refuse the file with `path` + `expected`; nothing else happens."""
    before = path.read_bytes()
    located = f"{path}:{expected}"
    assert located in problems_of(path)
    for argv in (["validate", str(path)], ["score", str(path), "--as-of", "2019-11-30"]):
        code, err = cli(capsys, *argv)
        assert code == 2, err
        assert f"error: {located}" in err.splitlines()
        assert "Traceback" not in err and "internal error" not in err
    assert path.read_bytes() == before


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


# --- JSON Lines: a key given twice ------------------------------------------------------------------

def test_jsonl_refuses_a_key_given_twice_like_the_json_reader(capsys, tmp_path):
    line = json_case(case_id="A").replace('"case_id": "A"', '"case_id": "A", "case_id": "B"')
    path = write(tmp_path, "d.jsonl", line + "\n")
    assert_refused_everywhere(capsys, path, '1: case_id: duplicate key "case_id"; each key may appear only once')


def test_jsonl_names_a_nested_key_given_twice_with_its_path_and_line(capsys, tmp_path):
    nested = json_case(case_id="B").replace('"age": 9', '"age": 9, "age": 19')
    path = write(tmp_path, "d.jsonl", json_case(case_id="A") + "\n\n" + nested + "\n")
    assert_refused_everywhere(capsys, path, '3: child.age: duplicate key "age"; each key may appear only once')


# --- YAML read with the YAML 1.2 core schema ----------------------------------------------------------

@pytest.mark.parametrize(("replace", "expected"), [
    # YAML 1.1 read this as 90 (base 60): now it is the text it looks like, and not an age.
    ("age: 9", '5: child.age: expected a whole number, got "1:30"', ),
    # YAML 1.1 read `yes` as true: now it is text, and not a true/false field.
    ("age: 9, looked_after: yes", '5: child.looked_after: expected true or false, got "yes"'),
])
def test_yaml_11_values_are_not_reinterpreted(capsys, tmp_path, replace, expected):
    text = YAML_CASE.replace("age: 9", "age: 1:30") if "looked" not in replace else YAML_CASE.replace("age: 9", replace)
    path = write(tmp_path, "c.yaml", text)
    assert_refused_everywhere(capsys, path, expected)


def test_yaml_leading_zero_number_is_refused_not_read_as_octal(capsys, tmp_path):
    text = YAML_CASE + ("outcome: {code: 021, decided_at: 2019-04-01T10:00, rationale_recorded: true, "
                        "victim_informed: false}\n")
    path = write(tmp_path, "c.yaml", text)
    assert_refused_everywhere(
        capsys, path, '6: outcome.code: 021 has a leading zero, which YAML readers take differently '
                      '(YAML 1.1 as octal, YAML 1.2 as 21); '
                      'write 21 for a number, or "021" in quotation marks for text')


def test_yaml_plain_no_is_still_a_judgement_answer(tmp_path):
    path = write(tmp_path, "c.yaml", YAML_CASE + "judgements:\n  CRM-06: {answer: no, by: insp-a, note: yes}\n")
    (loaded,) = load_cases([path])
    judgement = loaded.case.judgements["CRM-06"]
    assert (judgement.answer, judgement.note) == ("no", "yes")


def _same(a: object, b: object) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)  # type: ignore[union-attr]
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))  # type: ignore[arg-type]
    return a == b


class _Yaml11(yaml.SafeLoader):
    """PyYAML's YAML 1.1 reading, as thematic read files before, timestamps kept as text."""


_Yaml11.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if not tag.endswith(":timestamp")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@pytest.mark.parametrize("pattern", ["criteria/*.yaml", "inspections/**/*.yaml", "src/thematic/synth/profiles/*.yaml"])
def test_shipped_yaml_means_the_same_under_yaml_12(pattern):
    files = glob.glob(str(ROOT / pattern), recursive=True)
    assert files
    for file in files:
        text = Path(file).read_text(encoding="utf-8")
        before = [d for d in yaml.load_all(text, Loader=_Yaml11) if d is not None]
        assert _same(before, [d.data for d in read_yaml_documents(file)]), file


# --- other scripts' digits and invisible characters -------------------------------------------------

@pytest.mark.parametrize(("fields", "expected"), [
    ({"reported_at": "٢٠١٩-03-04T16:20"},
     "1: reported_at: '٢٠١٩-03-04T16:20' has a digit other than 0-9 ('٢', ARABIC-INDIC DIGIT TWO); "
     "write dates and times with the digits 0-9"),
    ({"reported_at": "2019-03-04T１６:20"},
     "1: reported_at: '2019-03-04T１６:20' has a digit other than 0-9 ('１', FULLWIDTH DIGIT ONE); "
     "write dates and times with the digits 0-9"),
    ({"section47": {"started_on": "２０19-03-05", "conference_on": None}},
     "1: section47.started_on: '２０19-03-05' has a digit other than 0-9 ('２', FULLWIDTH DIGIT TWO); "
     "write dates and times with the digits 0-9"),
    ({"child": {"ref": "C-0001", "age": "９"}}, '1: child.age: expected a whole number, got "９"'),
    ({"case_id": "T-001\u200b"},
     '1: case_id: "T-001\\u200b" has an invisible or control character, U+200B (ZERO WIDTH SPACE), at character 6; '
     "an id or reference may hold only visible characters and spaces"),
    ({"case_id": " T-001"},
     '1: case_id: " T-001" has a space at its start or end; '
     'an id or reference may not begin or end with one (remove it)'),
    ({"child": {"ref": "C\u00a00001", "age": 9}},
     '1: child.ref: "C\\xa00001" has an invisible or control character, U+00A0 (NO-BREAK SPACE), at character 2; '
     "an id or reference may hold only visible characters and spaces"),
    ({"case_id": "Ame\u0301lie"},
     '1: case_id: "Ame\u0301lie" writes an accented letter as a letter and a separate accent; save it in Unicode '
     "normal form NFC, so that it matches the same id written the usual way"),
    ({"grade": {"value": "good", "by": "insp-a\u2060"}},
     '1: grade.by: "insp-a\\u2060" has an invisible or control character, U+2060 (WORD JOINER), at character 7; '
     "an id or reference may hold only visible characters and spaces"),
    ({"grade": {"value": "good", "by": "insp-a", "note": "ok\u0007"}},
     "1: grade.note: has a control character, U+0007 (a control character), at character 3; "
     "text may hold tabs and new lines but no other control characters"),
])
def test_other_scripts_digits_and_invisible_characters_are_refused(capsys, tmp_path, fields, expected):
    path = write(tmp_path, "c.jsonl", json_case(**fields) + "\n")
    assert_refused_everywhere(capsys, path, expected)


def test_ids_differing_only_by_an_invisible_character_are_not_two_cases(capsys, tmp_path):
    path = write(tmp_path, "c.jsonl", json_case(case_id="A") + "\n" + json_case(case_id="A\u200b") + "\n")
    assert_refused_everywhere(
        capsys, path, '2: case_id: "A\\u200b" has an invisible or control character, U+200B (ZERO WIDTH SPACE), '
                      "at character 2; an id or reference may hold only visible characters and spaces")


def test_readable_text_stays_accepted(tmp_path):
    note = "Seen at home.\n\tMother present; child said “fine”. Zoë, naïve café – ok 👍"
    path = write(tmp_path, "c.jsonl",
                 json_case(case_id="Zoë-1 A", grade={"value": "good", "by": "insp-é", "note": note}) + "\n")
    (loaded,) = load_cases([path])
    assert loaded.case.case_id == "Zoë-1 A" and loaded.case.grade.note == note


# --- limits: numbers, dates, nesting, text length -----------------------------------------------------

def test_an_integer_of_thousands_of_digits_is_a_located_problem(capsys, tmp_path):
    big = "9" * 5000
    path = write(tmp_path, "c.json", json_case().replace('"age": 9', f'"age": {big}'))
    assert_refused_everywhere(capsys, path, "1: child.age: 99999999999999999999999… (5,000 digits) is too large: "
                                            "a number may be at most 9,007,199,254,740,991 either side of zero")
    path = write(tmp_path, "c.yaml", YAML_CASE.replace("age: 9", f"age: {big}"))
    assert_refused_everywhere(capsys, path, "5: child.age: 99999999999999999999999… (5,000 characters) is too large: "
                                            "a number may be at most 9,007,199,254,740,991 either side of zero")


@pytest.mark.parametrize("text", [str(MAX_NUMBER), str(-MAX_NUMBER), "1.5e15"])
def test_numbers_up_to_the_limit_are_read(text):
    assert decode(f'{{"x": {text}}}')["x"] == json.loads(text)
    (doc,) = parse_yaml_documents(f"x: {text}", "f.yaml")
    assert doc.data["x"] == json.loads(text)


@pytest.mark.parametrize("text", [str(MAX_NUMBER + 1), str(-MAX_NUMBER - 1), "1e400", "NaN", "-Infinity"])
def test_numbers_past_the_limit_are_refused_in_json_lines(tmp_path, text):
    path = write(tmp_path, "c.jsonl", json_case().replace("}}", f'}}, "x_n": {text}}}'))
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:1: x_n: {text} is ")


@pytest.mark.parametrize("text", [".inf", "-.inf", ".nan", "1e400"])
def test_numbers_that_are_not_finite_are_refused_in_yaml(text):
    with pytest.raises(InputError) as excinfo:
        parse_yaml_documents(f"a: 1\nx: {text}\n", "f.yaml")
    (problem,) = excinfo.value.problems
    assert str(problem).startswith(f"f.yaml:2: x: {text} is ")


@pytest.mark.parametrize(("value", "ok"), [
    ("1900-01-01T00:00", True), ("2100-12-31T23:59", True),
    ("1899-12-31T23:59", False), ("2101-01-01T00:00", False),
])
def test_datetimes_are_bounded_to_the_documented_years(tmp_path, value, ok):
    path = write(tmp_path, "c.jsonl", json_case(reported_at=value) + "\n")
    if ok:
        assert len(load_cases([path])) == 1
    else:
        assert problems_of(path) == [f"{path}:1: reported_at: '{value}': year {value[:4]} is outside the years "
                                     "a case may have (1900 to 2100)"]


@pytest.mark.parametrize("value", ["9999-12-31T23:59", "0001-01-01T00:00"])
def test_a_datetime_near_year_1_or_9999_is_refused_before_any_duration(capsys, tmp_path, value):
    path = write(tmp_path, "c.json", json_case(reported_at="2019-03-04T16:20", closed_at=value))
    assert_refused_everywhere(capsys, path, f"1: closed_at: '{value}': year {int(value[:4])} is outside the years "
                                            "a case may have (1900 to 2100)")


def test_a_date_near_year_1_is_refused(capsys, tmp_path):
    path = write(tmp_path, "c.json", json_case(section47={"started_on": "0001-01-01", "conference_on": None}))
    assert_refused_everywhere(capsys, path, "1: section47.started_on: '0001-01-01': year 1 is outside the years "
                                            "a case may have (1900 to 2100)")


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth  # `depth` lists inside one another


@pytest.mark.parametrize("suffix", [".json", ".jsonl", ".yaml"])
def test_nesting_is_bounded_exactly_at_the_documented_depth(tmp_path, suffix):
    # The case itself is level 1, so x_a may hold MAX_DEPTH - 1 levels.
    for depth, ok in ((MAX_DEPTH - 1, True), (MAX_DEPTH, False)):
        case = json_case()[:-1] + f', "x_a": {_nested(depth)}}}'
        path = write(tmp_path, f"c{depth}{suffix}", case + "\n")
        if ok:
            assert len(load_cases([path])) == 1
        else:
            (problem,) = problems_of(path)
            assert problem == (f"{path}:1: x_a" + "[0]" * (MAX_DEPTH - 1) + ": nested too deeply: objects and lists "
                               f"may be nested at most {MAX_DEPTH} levels deep")


@pytest.mark.parametrize("suffix", [".json", ".jsonl", ".yaml"])
def test_nesting_a_thousand_deep_is_a_located_problem_not_a_recursion_error(capsys, tmp_path, suffix):
    case = json_case()[:-1] + f', "x_a": {_nested(1000)}}}'
    path = write(tmp_path, f"c{suffix}", case + "\n")
    expected = f"nested too deeply: objects and lists may be nested at most {MAX_DEPTH} levels deep"
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:1: ") and problem.endswith(expected)
    for argv in (["validate", str(path)], ["score", str(path), "--as-of", "2019-11-30"]):
        code, err = cli(capsys, *argv)
        assert code == 2 and f"error: {problem}" in err and "internal error" not in err


def test_a_hundred_thousand_brackets_cannot_exhaust_the_stack():
    with pytest.raises(ValueError, match="nested too deeply"):
        decode("[" * 100_000)


@pytest.mark.parametrize(("field", "limit"), [("case_id", MAX_ID_LENGTH), ("note", MAX_TEXT_LENGTH)])
def test_text_fields_have_a_length_limit(capsys, tmp_path, field, limit):
    def case(length: int) -> str:
        if field == "case_id":
            return json_case(case_id="A" * length)
        return json_case(grade={"value": "good", "by": "insp-a", "note": "n" * length})

    at_limit = write(tmp_path, "ok.jsonl", case(limit) + "\n")
    assert len(load_cases([at_limit])) == 1
    over = write(tmp_path, "over.jsonl", case(limit + 1) + "\n")
    where = "case_id" if field == "case_id" else "grade.note"
    assert_refused_everywhere(capsys, over, f"1: {where}: must have at most {limit:,} characters, got {limit + 1:,}")


# --- encodings and messages that help ---------------------------------------------------------------

@pytest.mark.parametrize(("name", "encoding", "found", "expected"), [
    ("c.yaml", "utf-16", "UTF-16 (little-endian)", "YAML"),
    ("c.json", "utf-16-be", "UTF-16 (big-endian)", "JSON"),          # no byte-order mark
    ("c.jsonl", "utf-32", "UTF-32 (little-endian)", "JSON Lines"),
    ("c.jsonl", "utf-16-le", "UTF-16 (little-endian)", "JSON Lines"),  # no byte-order mark
])
def test_utf16_and_utf32_files_are_named_with_their_encoding(capsys, tmp_path, name, encoding, found, expected):
    text = YAML_CASE if name.endswith(".yaml") else json_case() + "\n"
    path = write(tmp_path, name, text.encode(encoding))
    message = f"{path}: is encoded as {found}; expected {expected} as UTF-8 text (save the file as UTF-8)"
    assert problems_of(path) == [message]
    code, err = cli(capsys, "validate", str(path))
    assert code == 2 and f"error: {message}" in err


@pytest.mark.parametrize(("value", "expected"), [
    ("2019-03-04T16:20+01:00:00", "has seconds in its offset +01:00:00, where hours and minutes are expected; "
                                  "write the offset as +HH:MM, such as +01:00"),
    ("2019-03-04T16:20:00:00", "has a time with more parts than hours, minutes and seconds; write HH:MM or HH:MM:SS"),
    ("2019-03-04T9:05", "has a one-digit hour or minute; write two digits, such as 09:05"),
])
def test_datetime_messages_say_what_is_wrong(capsys, tmp_path, value, expected):
    path = write(tmp_path, "c.jsonl", json_case(reported_at=value) + "\n")
    assert_refused_everywhere(capsys, path, f"1: reported_at: '{value}' {expected}")


def test_a_datetime_where_a_date_is_expected_says_so(tmp_path):
    path = write(tmp_path, "c.jsonl", json_case(section47={"started_on": "2019-03-05T10:00", "conference_on": None})
                 + "\n")
    assert problems_of(path) == [f"{path}:1: section47.started_on: '2019-03-05T10:00' is a datetime; "
                                 "a date (YYYY-MM-DD) is expected here, without a time"]


# --- results files ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ('{"format": "thematic.results/1",\n "x": ' + "9" * 5000 + "}",
     "2: x: 99999999999999999999999… (5,000 digits) is too large"),
    ('{"format": "thematic.results/1",\n "x": ' + _nested(1000) + "}", "2: x" + "[0]" * (MAX_DEPTH - 1)
     + ": nested too deeply"),
    ('{"format": "thematic.results/1",\n "x": NaN}', "2: x: NaN is not a finite number"),
])
def test_results_files_refuse_what_json_lines_refuse(tmp_path, text, expected):
    path = write(tmp_path, "r.json", text)
    with pytest.raises(InputError) as excinfo:
        load_results(path)
    (problem,) = excinfo.value.problems
    assert str(problem).startswith(f"{path}:{expected}")


def test_a_results_file_case_id_with_an_invisible_character_is_refused(tmp_path):
    from results_factory import results_doc
    from results_factory import write as write_results

    document = results_doc({"C-01": (3, 4)})
    document["cases"][0]["case_id"] += "\u200b"
    path = write_results(tmp_path / "r.json", document)
    with pytest.raises(InputError) as excinfo:
        load_results(path)
    (problem,) = excinfo.value.problems
    assert problem.field == "cases[0].case_id"
    assert "has an invisible or control character, U+200B (ZERO WIDTH SPACE)" in problem.message


def test_a_large_yaml_stream_refuses_what_a_small_one_does(monkeypatch, tmp_path):
    # Files past YAML_STREAM_BYTES are parsed as they are read: the same checks apply there.
    import thematic.load.cases as cases_module

    monkeypatch.setattr(cases_module, "YAML_STREAM_BYTES", 0)
    text = YAML_CASE + "---\n" + YAML_CASE.replace("T-001", "T-002").replace("age: 9", "age: 09")
    path = write(tmp_path, "s.yaml", text)
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:11: child.age: 09 has a leading zero")
    deep = write(tmp_path, "d.yaml", YAML_CASE + f"x_a: {_nested(MAX_DEPTH)}\n")
    assert problems_of(deep) == [f"{deep}:6: x_a" + "[0]" * (MAX_DEPTH - 1) + ": nested too deeply: objects and "
                                 f"lists may be nested at most {MAX_DEPTH} levels deep"]


def test_a_recursion_error_in_the_yaml_parser_is_a_located_problem(monkeypatch):
    # libyaml stops at 1,000 levels by itself; PyYAML's pure-Python parser would recurse instead.
    import thematic.load.yaml_source as yaml_source

    def recurse(self):  # type: ignore[no-untyped-def]
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(yaml_source._Loader, "get_node", recurse)
    with pytest.raises(InputError) as excinfo:
        parse_yaml_documents("a: [[[]]]\n", "f.yaml")
    assert [str(p) for p in excinfo.value.problems] == [
        f"f.yaml: nested too deeply: objects and lists may be nested at most {MAX_DEPTH} levels deep"]
