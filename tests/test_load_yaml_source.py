"""Parsing YAML/JSON text, locating paths in it, and wording validation errors for file writers."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import pydantic
import pytest
from pydantic import Field

from thematic.core.errors import InputError, Problem
from thematic.load.yaml_source import (
    YamlDocument,
    describe_value,
    field_path,
    located_problem,
    parse_yaml_documents,
    read_yaml_documents,
    read_yaml_file,
    validation_problems,
)
from thematic.model.base import FileModel

DATA = Path(__file__).parent / "data" / "load"

NESTED = """\
# a comment
name: top
items:
  - {at: 2019-03-04T16:20, level: high}
  - at: 2019-03-05T09:00
    level: low
    tags: [a, b]
owner:
  ref: X-1
"""


def one_problem(excinfo: pytest.ExceptionInfo[InputError]) -> str:
    assert len(excinfo.value.problems) == 1, excinfo.value.problems
    return str(excinfo.value.problems[0])


# --- values as YAML gives them -------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("v: 2019-03-04T16:20", "2019-03-04T16:20"),          # no timestamp resolver: datetimes stay text
    ("v: 2019-03-04", "2019-03-04"),                      # and so do dates
    ("v: 2019-03-04 16:20:00+01:00", "2019-03-04 16:20:00+01:00"),
    ("v: yes", "yes"),                                    # YAML 1.2 core: yes/no/on/off are text
    ("v: no", "no"),
    ("v: off", "off"),
    ("v: Y", "Y"),
    ('v: "no"', "no"),
    ("v: true", True),                                    # the only booleans
    ("v: FALSE", False),
    ("v: 17", 17),
    ("v: -17", -17),
    ("v: 0", 0),
    ("v: 0o17", 15),                                      # YAML 1.2 octal and hexadecimal
    ("v: 0x1F", 31),
    ("v: 1:30", "1:30"),                                  # YAML 1.1 read this as 90 (base 60)
    ("v: 1_000", "1_000"),                                # and this as 1000
    ("v: 0b101", "0b101"),                                # and this as 5
    ("v: 1e3", 1000.0),                                   # YAML 1.2 floats need no dot
    ("v: 2.5", 2.5),
    ("v: =", "="),
    ("v: null", None),
    ("v: ~", None),
    ("v:", None),
    ("v: []", []),
])
def test_scalars_keep_yaml_meaning_except_timestamps(text, expected):
    (doc,) = parse_yaml_documents(text, "f.yaml")
    assert doc.data["v"] == expected
    assert type(doc.data["v"]) is type(expected)


def test_stream_yields_each_document_with_its_first_line_and_skips_empty_ones():
    text = "# header\n---\na: 1\n---\n---\n\nb: 2\nc: 3\n"
    docs = parse_yaml_documents(text, "s.yaml")
    assert [(d.data, d.first_line, d.file) for d in docs] == [({"a": 1}, 3, "s.yaml"), ({"b": 2, "c": 3}, 7, "s.yaml")]


# --- line_of ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("loc", "line"), [
    ((), 2),
    (("name",), 2),
    (("items",), 3),
    (("items", 0), 4),
    (("items", 0, "level"), 4),
    (("items", 1), 5),
    (("items", 1, "level"), 6),
    (("items", 1, "tags", 1), 7),
    (("owner", "ref"), 9),
    (("owner", "missing"), 8),          # a missing key: the line of its parent
    (("items", 1, "nope", "deeper"), 5),
    (("items", 7), 3),                  # an index beyond the list: the list's key
    (("name", "not-a-mapping"), 2),
])
def test_line_of_finds_the_key_or_item_or_its_deepest_existing_parent(loc, line):
    (doc,) = parse_yaml_documents(NESTED, "n.yaml")
    assert doc.line_of(loc) == line


def test_line_of_counts_lines_of_the_whole_stream_for_a_later_document():
    docs = parse_yaml_documents("a: 1\n---\nb:\n  c: x\n  d: y\n", "s.yaml")
    assert docs[1].line_of(("b", "d")) == 5


def test_line_of_json_text_is_found_by_composing_it_as_yaml_when_needed():
    text = '{\n  "a": 1,\n  "b": [\n    {"c": "\\ud83d\\ude00"},\n    {"d": 2}\n  ]\n}\n'
    doc = YamlDocument.from_text({"unused": True}, "f.json", 1, text)
    assert doc.line_of(("b", 1, "d")) == 5
    assert doc.line_of(("a",)) == 2


def test_document_without_source_answers_its_first_line():
    assert YamlDocument({"a": 1}, "f.jsonl", 12).line_of(("a", "b", 3)) == 12


# --- reading files ---------------------------------------------------------------------------

@pytest.mark.parametrize(("content", "message"), [
    (b"", "is empty; expected a YAML or JSON document"),
    (b"  \n\n", "is empty; expected a YAML or JSON document"),
    (b"# only a comment\n---\n", "has no content (only comments or empty documents); expected a YAML or JSON document"),
    (b"a: 1\x00\x01\x02", "is not a text file; expected YAML or JSON"),
    (b"\x89PNG\r\n\x1a\n\xff\xfe", "is not a text file (not valid UTF-8); expected YAML or JSON"),
])
def test_unreadable_content_is_one_located_problem(tmp_path, content, message):
    path = tmp_path / "f.yaml"
    path.write_bytes(content)
    with pytest.raises(InputError) as excinfo:
        read_yaml_documents(path)
    problem = excinfo.value.problems[0]
    assert (problem.file, problem.message) == (str(path), message)


def test_missing_file_and_folder_are_problems(tmp_path):
    with pytest.raises(InputError) as excinfo:
        read_yaml_documents(tmp_path / "nope.yaml")
    assert one_problem(excinfo) == f"{tmp_path / 'nope.yaml'}: file not found"
    with pytest.raises(InputError) as excinfo:
        read_yaml_documents(tmp_path)
    assert one_problem(excinfo) == f"{tmp_path}: is a folder; expected a YAML or JSON file"


def test_byte_order_mark_is_ignored(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfa: 1\n")
    assert read_yaml_file(path).data == {"a": 1}


@pytest.mark.parametrize(("text", "expected"), [
    ("a: 1\nb: [1, 2\nc: 3\n",
     "f.yaml:3: YAML syntax error: did not find expected ',' or ']' "
     "(while parsing a flow sequence that starts at line 2)"),
    ("a: 1\n  b: 2\n", "f.yaml:2: YAML syntax error: mapping values are not allowed in this context"),
    ("a: 1\nb: \x07\n", "f.yaml:2: YAML syntax error: control character U+0007 is not allowed in YAML text"),
    ("a:\n  b: 1\n  c: 2\n  b: 3\n",
     'f.yaml:4: a.b: duplicate key "b" (first given at line 2); each key may appear only once'),
    ("l:\n  - {x: 1}\n  - {x: 1, y: 2, x: 3}\n",
     'f.yaml:3: l[1].x: duplicate key "x" (first given at line 3); each key may appear only once'),
])
def test_syntax_errors_and_duplicate_keys_name_their_line(text, expected):
    with pytest.raises(InputError) as excinfo:
        parse_yaml_documents(text, "f.yaml")
    assert one_problem(excinfo) == expected


def test_merge_keys_may_override_without_being_duplicates():
    (doc,) = parse_yaml_documents("base: &b {a: 1, c: 1}\nuse:\n  <<: *b\n  a: 2\n", "m.yaml")
    assert doc.data["use"] == {"a": 2, "c": 1}


def test_read_yaml_file_wants_exactly_one_document(tmp_path):
    path = tmp_path / "two.yaml"
    path.write_text("a: 1\n---\nb: 2\n")
    with pytest.raises(InputError) as excinfo:
        read_yaml_file(path)
    assert one_problem(excinfo) == f"{path}:3: holds 2 YAML documents (separated by ---); expected exactly one"


# --- validation errors as problems -------------------------------------------------------------

@pytest.mark.parametrize(("loc", "text"), [
    (("incidents", 2, "at"), "incidents[2].at"),
    (("child", "age"), "child.age"),
    (("judgements", "CRM-06", "answer"), "judgements.CRM-06.answer"),
    ((0, "a"), "[0].a"),
    (("m", ""), 'm.""'),
])
def test_field_path_joins_keys_with_dots_and_indices_in_brackets(loc, text):
    assert field_path(loc) == text


@pytest.mark.parametrize(("value", "text"), [
    (None, "null"), (True, "true"), (False, "false"), (3, "3"), (2.5, "2.5"), ("abc", '"abc"'),
    ([], "an empty list"), ([1], "a list"), ({"a": 1}, "a mapping"), ("x" * 60, '"' + "x" * 39 + '…"'),
])
def test_values_are_described_as_a_file_writer_would_write_them(value, text):
    assert describe_value(value) == text


class Inner(FileModel):
    level: Literal["standard", "medium", "high"]
    count: Annotated[int, Field(ge=0, le=4)] = 0


class Outer(FileModel):
    name: Annotated[str, Field(min_length=1)]
    inner: Inner
    items: list[Inner] = []


OUTER_TEXT = """\
name: ""
inner: {level: hgih, count: 9, colour: red}
items:
  - {level: high, cuont: 1}
  - count: true
"""


def test_validation_problems_are_located_worded_and_in_file_order():
    (doc,) = parse_yaml_documents(OUTER_TEXT, "o.yaml")
    with pytest.raises(pydantic.ValidationError) as excinfo:
        Outer.model_validate(doc.data)
    got = [str(p) for p in validation_problems(excinfo.value, doc, model=Outer)]
    assert got == [
        "o.yaml:1: name: must not be empty",
        'o.yaml:2: inner.level: "hgih" is not one of standard, medium, high; did you mean "high"?',
        "o.yaml:2: inner.count: must be at most 4, got 9",
        'o.yaml:2: inner.colour: unknown field "colour"; expected one of: level, count '
        "(keys beginning with x_ are kept as local extensions)",
        'o.yaml:4: items[0].cuont: unknown field "cuont"; did you mean "count"? '
        "(keys beginning with x_ are kept as local extensions)",
        "o.yaml:5: items[1].level: required field is missing",
        "o.yaml:5: items[1].count: expected a whole number, got true",
    ]


def test_prefix_locates_errors_of_a_validated_part_of_the_document():
    (doc,) = parse_yaml_documents("meta: 1\npart:\n  level: high\n  count: -1\n", "p.yaml")
    with pytest.raises(pydantic.ValidationError) as excinfo:
        Inner.model_validate(doc.data["part"])
    assert validation_problems(excinfo.value, doc, prefix=("part",)) == [
        Problem("p.yaml", "must be at least 0, got -1", 4, "part.count")]


def test_unknown_field_without_a_model_still_names_the_key():
    (doc,) = parse_yaml_documents("level: high\nbogus: 1\n", "u.yaml")
    with pytest.raises(pydantic.ValidationError) as excinfo:
        Inner.model_validate(doc.data)
    (problem,) = validation_problems(excinfo.value, doc)
    assert str(problem) == ('u.yaml:2: bogus: unknown field "bogus" '
                            "(keys beginning with x_ are kept as local extensions)")


def test_located_problem_uses_the_line_and_dotted_path():
    (doc,) = parse_yaml_documents(NESTED, "n.yaml")
    assert located_problem(doc, ("items", 1, "level"), "not allowed here") == Problem(
        "n.yaml", "not allowed here", 6, "items[1].level")
    assert located_problem(doc, (), "whole document") == Problem("n.yaml", "whole document", 2, None)
