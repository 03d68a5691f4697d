"""Every mistake of a mapping, and of the export's columns, reported in one run, each at its line in the
mapping, before any row is read (issue 16 item 3); encoding and header_row in the template."""
from __future__ import annotations

import pytest
from tabular_helpers import CASES, INCIDENTS, MAPPING, write_csv, write_export

from thematic.cli import main
from thematic.core.errors import InputError
from thematic.tabular import import_tables
from thematic.tabular.template import template_text


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the mapping that holds `needle` (found, not hard-coded)."""
    lines = [number for number, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(lines) == 1, (needle, lines)
    return lines[0]


def mistaken() -> str:
    """The base mapping with five mistakes of four kinds, in two tables."""
    text = MAPPING
    for old, new in [
        ("    child.age: Age", "    child.age: Agee"),                      # a column not in cases.csv
        ("      at: When", "      at: Whenn"),                            # a column not in incidents.csv
        ('"High": 4', '"High": 7'),                                       # a code mapped to a bad value
        ("    reported_at: Reported\n", ""),                              # a required field left unmapped
        ('"NEG": neglect}}\n    child', '"NEG": neglekt}}\n    child'),  # a bad case-file value
    ]:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


EXPECTED = [
    # (a line holding it, the field, what the message says)
    ("category: {column: Type", "cases.fields.category.values.NEG", "'neglekt' is not one of"),
    ("category: {column: Type", "cases.fields.reported_at", 'required field "reported_at"'),
    ("child.age: Agee", "cases.fields.child.age", 'cases.csv; did you mean "Age"?'),
    ("at: Whenn", "tables.incidents.fields.at", 'incidents.csv; did you mean "When"?'),
    ('"High": 7', "tables.incidents.fields.severity.values.High", "7 is outside whole number 1–5"),
]


def test_every_mistake_is_reported_together_at_its_line(tmp_path):
    text = mistaken()
    table, path = write_export(tmp_path, mapping=text)
    with pytest.raises(InputError) as caught:
        import_tables(table, path)
    problems = caught.value.problems
    assert len(problems) == len(EXPECTED), [str(p) for p in problems]
    for needle, field, message in EXPECTED:
        found = [p for p in problems if p.field == field]
        assert len(found) == 1, (field, [str(p) for p in problems])
        problem = found[0]
        assert problem.file.endswith("mapping.yaml")
        assert message in problem.message
        if field != "cases.fields.reported_at":  # an unmapped field is reported at the fields it belongs to
            assert problem.line == line_of(text, needle), str(problem)
    lines = [p.line or 0 for p in problems]
    assert lines == sorted(lines)  # in the order of the mapping


def test_the_command_reports_them_all_exits_2_and_writes_nothing(tmp_path, capsys):
    text = mistaken()
    table, path = write_export(tmp_path / "export", mapping=text)
    out = tmp_path / "cases"
    code = main(["import-table", str(table), "--mapping", str(path), "-o", str(out)])
    captured = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in captured.err
    for needle, _, message in EXPECTED:
        assert message in captured.err
        if needle != "category: {column: Type":
            assert f"mapping.yaml:{line_of(text, needle)}:" in captured.err
    assert not out.exists()


def test_no_row_is_read_before_the_columns_are_checked(tmp_path):
    """A row that cannot be read at all (a stray separator) is not reached: the mapping's column
    mistake is what is reported, not the row."""
    broken = [*CASES, ["T-003", "DA", "04/03/2019 16:20", "C-0003", "9", "", "", "", "stray"]]
    text = MAPPING.replace("    child.age: Age", "    child.age: Agee")
    table, path = write_export(tmp_path, mapping=text, cases=broken)
    with pytest.raises(InputError) as caught:
        import_tables(table, path)
    shown = [str(p) for p in caught.value.problems]
    assert len(shown) == 1 and 'column "Agee" is not in' in shown[0], shown
    # The same export with the mapping put right reports the row.
    table, path = write_export(tmp_path, cases=broken)
    with pytest.raises(InputError) as caught:
        import_tables(table, path)
    assert "cases.csv row 4" in str(caught.value)


def test_a_missing_table_and_a_mapping_mistake_are_reported_together(tmp_path):
    text = MAPPING.replace("file: incidents.csv", "file: incidentz.csv").replace('"High": 4', '"High": 9')
    table, path = write_export(tmp_path, mapping=text)
    with pytest.raises(InputError) as caught:
        import_tables(table, path)
    shown = "\n".join(str(p) for p in caught.value.problems)
    assert '"incidentz.csv" not found' in shown
    assert "9 is outside whole number 1–5" in shown


# --- encoding and header_row ---------------------------------------------------------------------

def test_the_template_writes_encoding_and_header_row_and_loads_as_it_is(tmp_path):
    text = template_text()
    for key in ("header_row:", "encoding:", "delimiter:"):
        assert f"\n  {key}" in text  # the main table
        assert f"\n    {key}" in text  # each child table
    # Left blank, they take their defaults: the template still loads, listing only unmapped fields.
    table = write_csv(tmp_path / "cases.csv", CASES)
    (tmp_path / "mapping.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        import_tables(table, tmp_path / "mapping.yaml")
    messages = [p.message for p in caught.value.problems]
    assert messages and all("is not mapped" in m or "give the column" in m for m in messages), messages


def test_header_row_and_encoding_read_a_windows_export_with_a_title_row(tmp_path):
    # cp1252 text whose headings are in row 3, below a title and a blank row, as some systems write.
    rows = [["Westshire export (fictional)"], [], *CASES]
    lines = "\r\n".join(",".join(r) for r in rows) + "\r\n"
    (tmp_path / "cases.csv").write_bytes(lines.replace("fictional", "fictional – café").encode("cp1252"))
    write_csv(tmp_path / "incidents.csv", INCIDENTS)
    text = MAPPING.replace("  id: Ref\n  ignore", "  id: Ref\n  header_row: 3\n  encoding: cp1252\n  ignore", 1)
    (tmp_path / "mapping.yaml").write_text(text, encoding="utf-8")
    outcome = import_tables(tmp_path / "cases.csv", tmp_path / "mapping.yaml")
    assert [(c.case_id, c.row) for c in outcome.cases] == [("T-001", 4), ("T-002", 5)]
    # Without them, the title row is taken for the headings and the text cannot be decoded: both said.
    (tmp_path / "mapping.yaml").write_text(MAPPING, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        import_tables(tmp_path / "cases.csv", tmp_path / "mapping.yaml")
    assert "encoding" in str(caught.value) or "is not in cases.csv" in str(caught.value)


def test_a_key_of_the_wrong_shape_does_not_hide_the_other_mistakes(tmp_path):
    """A misspelt key is reported, and the rest of the mapping is still checked against the export;
    what only follows from leaving the bad key out (severity, its spec gone, "not mapped") is not."""
    text = MAPPING
    for old, new in [('severity: {column: Risk,', 'severity: {colum: Risk,'),   # a misspelt key
                     ("    child.age: Age", "    child.age: Agee"),            # a column not in cases.csv
                     ("  ignore: [Notes]", "  ignor: [Notes]")]:              # another misspelt key
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    table, path = write_export(tmp_path, mapping=text)
    with pytest.raises(InputError) as caught:
        import_tables(table, path)
    shown = {p.field: p for p in caught.value.problems}
    assert sorted(shown) == ["cases.fields.child.age", "cases.ignor", "tables.incidents.fields.severity.colum"]
    assert 'unknown field "colum"; did you mean "column"?' in shown["tables.incidents.fields.severity.colum"].message
    assert shown["tables.incidents.fields.severity.colum"].line == line_of(text, "severity: {colum")
    assert 'unknown field "ignor"; did you mean "ignore"?' in shown["cases.ignor"].message
    assert 'column "Agee" is not in' in shown["cases.fields.child.age"].message
    assert shown["cases.fields.child.age"].line == line_of(text, "child.age: Agee")


def test_a_mapping_without_its_main_table_stops_at_that(tmp_path):
    table, path = write_export(tmp_path, mapping=MAPPING.replace("cases:\n", "casez:\n", 1))
    with pytest.raises(InputError) as caught:
        import_tables(table, path)
    messages = " ".join(p.message for p in caught.value.problems)
    assert 'unknown field "casez"' in messages and "cases" in messages
