"""Every kind of mapping error is reported at its line in the mapping, all at once, before any row is read."""
from __future__ import annotations

from pathlib import Path

import pytest
from tabular_helpers import CASES, INCIDENTS, MAPPING, write_csv, write_export

from thematic.core.errors import InputError
from thematic.tabular import import_tables
from thematic.tabular.mapping import load_mapping
from thematic.tabular.targets import leaf_fields
from thematic.tabular.template import template_text


def problems_of(tmp_path: Path, mapping: str, **tables) -> list[str]:
    table, path = write_export(tmp_path, mapping=mapping, **tables)
    with pytest.raises(InputError) as caught:
        import_tables(table, path)
    return [str(p) for p in caught.value.problems]


def edit(old: str, new: str) -> str:
    assert old in MAPPING, old
    return MAPPING.replace(old, new, 1)


def test_the_base_mapping_imports(tmp_path):
    table, path = write_export(tmp_path)
    outcome = import_tables(table, path)
    assert [c.case_id for c in outcome.cases] == ["T-001", "T-002"]
    assert outcome.problems == []


@pytest.mark.parametrize("mapping, line, field, message", [
    # an unknown key of the mapping itself, with a suggestion
    (edit("  fields:\n    force", "  feilds:\n    force"), 8, "cases.feilds",
     'unknown field "feilds"; did you mean "fields"?'),
    # a case-file field that does not exist, with the ones that do
    (edit("    child.age: Age", "    child.agee: Age"), 13, "cases.fields.child.agee",
     'unknown field "child.agee"; expected one of: ref, age, sex, looked_after, plan'),
    # a code mapped to a value the format does not allow
    (edit('"High": 4', '"High": 7'), 27, "tables.incidents.fields.severity.values.High",
     "7 is outside whole number 1–5"),
    (edit('"NEG": neglect}}\n    reported_at', '"NEG": neglekt}}\n    reported_at'), 10,
     "cases.fields.category.values.NEG", "'neglekt' is not one of domestic_abuse"),
    # a date format with a part that is not a date part
    (edit("datetime_format: dd/mm/yyyy hh:mm", "datetime_format: dd/mm/yyyy hh:mm qq"), 2, "datetime_format",
     'unknown part "q"'),
    # a datetime format without a time
    (edit("datetime_format: dd/mm/yyyy hh:mm", "datetime_format: dd/mm/yyyy"), 2, "datetime_format",
     '"dd/mm/yyyy" has no time; a datetime needs hours and minutes'),
    # a code that YAML reads as true (YAML 1.2: only true and false; Yes is the code "Yes")
    (edit('{"Y": true, "N": false}', '{true: true, "N": false}'), 4, "booleans", "a code was read as true"),
    # a column name that YAML reads as false
    (edit("      child_seen: Seen", "      child_seen: false"), 28, "tables.incidents.fields.child_seen",
     "a column name was read as false"),
    # neither a column nor a constant
    (edit("response: {value: immediate}", "response: {values: {A: immediate}}"), 30,
     "tables.incidents.fields.response", "give either column (the force's column) or value"),
    # split on a field that is not a list
    (edit("      ref: Inc", "      ref: {column: Inc, split: ','}"), 24, "tables.incidents.fields.ref.split",
     "split applies to a list field"),
    # a list section where an object section is expected
    (edit("    section47:", "    incidents:"), 15, "cases.sections.incidents", 'is not an object section'),
    # a section name that does not exist
    (edit("  incidents:\n    file", "  incidentz:\n    file"), 20, "tables.incidentz", 'unknown section "incidentz"'),
    # a constant the format does not allow
    (edit("response: {value: immediate}", "response: {value: urgent}"), 30, "tables.incidents.fields.response.value",
     "'urgent' is not one of immediate, scheduled, none"),
])
def test_each_kind_of_mapping_error_is_located(tmp_path, mapping, line, field, message):
    problems = problems_of(tmp_path, mapping)
    prefix = f"{tmp_path / 'mapping.yaml'}:{line}: {field}: "
    assert any(p.startswith(prefix) and message in p for p in problems), problems


def test_a_required_field_left_unmapped_is_named(tmp_path):
    problems = problems_of(tmp_path, edit("    reported_at: Reported\n", ""))
    assert problems == [f"{tmp_path / 'mapping.yaml'}:8: cases.fields.reported_at: required field \"reported_at\" "
                        f"(datetime) is not mapped; map a column, "
                        f"or give the same value for every row with {{value: ...}}"]


def test_every_mapping_problem_is_reported_at_once(tmp_path):
    broken = edit("    child.age: Age", "    child.agee: Age")
    broken = broken.replace('"High": 4', '"High": 7').replace("      ref: Inc\n", "")
    problems = problems_of(tmp_path, broken)
    assert len(problems) == 4  # child.agee unknown, child.age unmapped, severity code, ref unmapped


def test_a_column_the_file_does_not_have_is_located_in_the_mapping_with_a_suggestion(tmp_path):
    problems = problems_of(tmp_path, edit("severity: {column: Risk,", "severity: {column: Rsik,"))
    assert problems == [f"{tmp_path / 'mapping.yaml'}:27: tables.incidents.fields.severity: column \"Rsik\" is not in "
                        f"{tmp_path / 'incidents.csv'}; did you mean \"Risk\"?"]


def test_a_column_headed_twice_in_the_file_is_ambiguous(tmp_path):
    incidents = [row + [value] for row, value in zip(INCIDENTS, ["Risk", "Low", "Low"], strict=False)]
    problems = problems_of(tmp_path, MAPPING, incidents=incidents)
    assert len(problems) == 1
    assert 'column "Risk" is headed the same way 2 times' in problems[0] and "(columns 5 and 8)" in problems[0]


def test_a_child_table_file_that_is_missing_is_located_in_the_mapping(tmp_path):
    problems = problems_of(tmp_path, edit("file: incidents.csv", "file: incidents-2019.csv"))
    assert problems[0].startswith(
        f"{tmp_path / 'mapping.yaml'}:21: tables.incidents.file: \"incidents-2019.csv\" not found")


def test_child_tables_are_found_beside_the_main_table_when_not_beside_the_mapping(tmp_path):
    table, _ = write_export(tmp_path / "export")
    elsewhere = tmp_path / "mappings" / "testshire.yaml"
    elsewhere.parent.mkdir()
    elsewhere.write_text(MAPPING, encoding="utf-8")
    assert len(import_tables(table, elsewhere).cases) == 2


def test_a_constant_the_case_model_rejects_is_reported_once_at_its_line(tmp_path):
    problems = problems_of(tmp_path, edit("force: {value: testshire}", "force: {value: Test Shire}"))
    assert problems == [f"{tmp_path / 'mapping.yaml'}:9: cases.fields.force.value: expected lower-case words joined "
                        f"by hyphens, e.g. west-midlands, got \"Test Shire\""]


def test_a_mapping_that_is_not_yaml_is_reported_with_its_line(tmp_path):
    problems = problems_of(tmp_path, MAPPING.replace("  id: Ref\n", "  id: [Ref\n", 1))
    assert problems[0].startswith(f"{tmp_path / 'mapping.yaml'}:") and "YAML syntax error" in problems[0]


# --- the template --------------------------------------------------------------------------------

def test_the_template_loads_and_asks_for_every_required_field(tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text(template_text(), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_mapping(path)
    messages = [p.message for p in caught.value.problems]
    required = [t.path for t in leaf_fields("case") if t.required]
    assert required == ["force", "category", "reported_at", "child.ref", "child.age"]
    for name in required:
        assert any(f'required field "{name}"' in m for m in messages), name
    assert any("case id" in m for m in messages)
    # Sections left blank are not mapped (absent), so they ask for nothing.
    assert len(messages) == len(required) + 1


def test_the_template_names_every_field_of_the_format(tmp_path):
    text = template_text()
    for part in ("case", "section47", "police_protection", "investigation", "child_as_suspect", "custody", "outcome",
                 "incidents", "risk_assessments", "referrals", "strategy_discussions", "supervision", "devices"):
        for leaf in leaf_fields(part):
            assert f" {leaf.path}:" in text, (part, leaf.path)


def test_a_filled_in_template_imports(tmp_path):
    filled = (template_text()
              .replace("  id:    ", "  id: Ref", 1)
              .replace("    force:   ", "    force: {value: testshire}", 1)
              .replace("    category:   ",
                       '    category: {column: Type, values: {"DA": domestic_abuse, "NEG": neglect}}', 1)
              .replace("    reported_at:   ", "    reported_at: Reported", 1)
              .replace("    child.ref:   ", "    child.ref: Child", 1)
              .replace("    child.age:   ", "    child.age: Age", 1))
    table = write_csv(tmp_path / "cases.csv", CASES)
    path = tmp_path / "mapping.yaml"
    path.write_text(filled, encoding="utf-8")
    outcome = import_tables(table, path)
    assert [c.case_id for c in outcome.cases] == ["T-001", "T-002"]
    # Nothing but the main fields is mapped: every section is absent (not captured).
    assert set(outcome.cases[0].data) == {"case_id", "force", "category", "reported_at", "child"}
    assert outcome.unmapped == {str(table): ["S47", "ICPC", "Notes"]}


def test_a_bad_global_date_format_is_reported_once_not_once_per_field(tmp_path):
    problems = problems_of(tmp_path, edit("datetime_format: dd/mm/yyyy hh:mm", "datetime_format: dd/mm/yyyy"))
    assert problems == [f'{tmp_path / "mapping.yaml"}:2: datetime_format: "dd/mm/yyyy" has no time; a datetime needs '
                        f"hours and minutes, e.g. dd/mm/yyyy hh:mm"]


def test_yes_and_no_in_a_mapping_are_the_words_the_force_wrote(tmp_path):
    """YAML 1.2: `Yes:` is the code "Yes" and `child_seen: No` the column "No" (YAML 1.1 read true, false)."""
    base_table, base_mapping = write_export(tmp_path / "base")
    expected = import_tables(base_table, base_mapping).cases
    mapping = edit('{"Y": true, "N": false}', '{Yes: true, No: false}').replace("      child_seen: Seen",
                                                                          "      child_seen: No")
    incidents = [["No" if cell == "Seen" else {"Y": "Yes", "N": "No"}.get(cell, cell) for cell in row]
                 for row in INCIDENTS]
    table, path = write_export(tmp_path / "words", mapping=mapping, incidents=incidents)
    outcome = import_tables(table, path)
    assert outcome.problems == [] and [c.data for c in outcome.cases] == [c.data for c in expected]
