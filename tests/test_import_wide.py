"""Wide exports (issue 16 item 1): numbered column groups of the main table read as a list section,
in number order, blank groups skipped; the wide Westmoor export imports to the long one's case files."""
from __future__ import annotations

from pathlib import Path

import pytest
from tabular_helpers import MAPPING, write_export

from thematic.cli import main
from thematic.core.errors import InputError
from thematic.tabular import import_tables

ROOT = Path(__file__).resolve().parent.parent
EXPORTS = ROOT / "inspections" / "exports"

REFERRALS = """\
    referrals:
      fields:
        at: Referral {n} Date
        to: {column: "Referral {n} To", values: {"CSC": childrens_social_care, "EH": early_help}}
"""
WIDE_MAPPING = MAPPING.replace("        conference_on: ICPC\n", "        conference_on: ICPC\n" + REFERRALS, 1)
BASE = ["Ref", "Type", "Reported", "Child", "Age", "S47", "ICPC", "Notes"]
FIRST = ["T-001", "DA", "04/03/2019 16:20", "C-0001", "9", "05/03/2019", "", ""]
SECOND = ["T-002", "NEG", "10/06/2019 09:00", "C-0002", "3", "", "", ""]


def wide(tmp_path: Path, groups: dict[str, tuple[list[str], list[str]]], mapping: str = WIDE_MAPPING):
    """A main table with the given group columns after the base ones: {heading: (case 1, case 2)}."""
    header = BASE + list(groups)
    rows = [header, FIRST + [v[0] for v in groups.values()], SECOND + [v[1] for v in groups.values()]]
    return write_export(tmp_path, mapping=mapping, cases=rows)


def referrals(outcome) -> dict[str, list[tuple[str, str]]]:
    return {c.case_id: [(r["at"], r["to"]) for r in c.data["referrals"]] for c in outcome.cases}


def test_groups_are_read_in_number_order_and_blank_groups_skipped(tmp_path):
    # Columns in the file in no particular order; group 10 after 9 (not after 1); group 2 blank for T-001.
    groups = {
        "Referral 10 Date": ["20/03/2019 09:00", ""], "Referral 10 To": ["CSC", ""],
        "Referral 2 Date": ["", "11/06/2019 10:00"], "Referral 2 To": ["", "CSC"],
        "Referral 1 Date": ["05/03/2019 09:00", ""], "Referral 1 To": ["EH", ""],
        "Referral 9 Date": ["10/03/2019 09:00", ""], "Referral 9 To": ["CSC", ""],
    }
    outcome = import_tables(*wide(tmp_path, groups))
    assert outcome.problems == []
    assert referrals(outcome) == {
        "T-001": [("2019-03-05T09:00", "early_help"), ("2019-03-10T09:00", "childrens_social_care"),
                  ("2019-03-20T09:00", "childrens_social_care")],
        "T-002": [("2019-06-11T10:00", "childrens_social_care")],  # group 1 blank: skipped, not an entry
    }
    assert outcome.unmapped.get("cases.csv", []) == []  # every group's columns are used


def test_a_case_with_every_group_blank_has_an_empty_list(tmp_path):
    groups = {"Referral 1 Date": ["05/03/2019 09:00", ""], "Referral 1 To": ["EH", ""]}
    outcome = import_tables(*wide(tmp_path, groups))
    assert referrals(outcome)["T-002"] == []  # captured (the columns are there), none


def test_a_problem_in_a_group_is_located_at_its_cell(tmp_path):
    groups = {
        "Referral 1 Date": ["05/03/2019 09:00", ""], "Referral 1 To": ["EH", ""],
        "Referral 2 Date": ["", "11/06/2019 10:00"], "Referral 2 To": ["", "SCH"],   # a code not mapped
        "Referral 3 Date": ["", ""], "Referral 3 To": ["", "CSC"],                # half a group: no date
    }
    outcome = import_tables(*wide(tmp_path, groups))
    shown = [str(p) for p in outcome.as_problems()]
    assert len(shown) == 2, shown
    assert shown[0].endswith('cases.csv row 3, column "Referral 2 To": "SCH" is not one of CSC, EH; '
                             'did you mean "CSC"?')
    assert shown[1].endswith('cases.csv row 3, column "Referral 3 Date": is blank; referrals.at needs a value '
                             "(datetime)")
    assert [c.case_id for c in outcome.cases] == ["T-001"]


def problems_of(tmp_path: Path, groups, mapping: str) -> list[str]:
    table, path = wide(tmp_path, groups, mapping)
    with pytest.raises(InputError) as caught:
        import_tables(table, path)
    return [str(p) for p in caught.value.problems]


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_a_group_missing_a_column_and_a_pattern_matching_nothing_are_reported_together(tmp_path):
    text = WIDE_MAPPING.replace("        at: Referral {n} Date\n",
                                "        at: Referral {n} Date\n        x_note: Referral {n} Note\n")
    groups = {"Referral 1 Date": ["", ""], "Referral 1 To": ["", ""], "Referral 2 Date": ["", ""]}
    shown = problems_of(tmp_path, groups, text)
    assert len(shown) == 2, shown
    assert shown[0].startswith(f"{tmp_path / 'mapping.yaml'}:{line_of(text, 'x_note:')}: ")
    assert 'no column of' in shown[0] and '"Referral {n} Note"' in shown[0]
    assert shown[1].startswith(f"{tmp_path / 'mapping.yaml'}:{line_of(text, 'to: {column')}: ")
    assert 'column "Referral 2 To" is not in' in shown[1]


def test_a_misspelt_pattern_is_answered_with_the_pattern_meant(tmp_path):
    text = WIDE_MAPPING.replace("at: Referral {n} Date", "at: Referal {n} Date")
    groups = {"Referral 1 Date": ["", ""], "Referral 1 To": ["", ""]}
    shown = problems_of(tmp_path, groups, text)
    assert len(shown) == 1 and 'did you mean "Referral {n} Date"?' in shown[0], shown


@pytest.mark.parametrize("old, new, message", [
    # {n} outside a list section of the main table
    ("    child.ref: Child", "    child.ref: Child {n}", "only in a list section under cases: sections:"),
    # a column of a grouped section without {n}
    ('{column: "Referral {n} To"', '{column: "Referral To"', "needs {n} once"),
    # a list section under cases: sections: with no {n} at all
    ("at: Referral {n} Date", "at: Referral Date", "numbered column groups"),
])
def test_n_in_the_wrong_place_is_a_mapping_mistake(tmp_path, old, new, message):
    text = WIDE_MAPPING.replace(old, new, 1)
    if "Referral Date" in new:
        text = text.replace('"Referral {n} To"', '"Referral To"')
    groups = {"Referral 1 Date": ["", ""], "Referral 1 To": ["", ""]}
    shown = problems_of(tmp_path, groups, text)
    assert any(message in s for s in shown), shown


# --- the wide Westmoor export --------------------------------------------------------------------

def imported(tmp_path: Path, folder: str, capsys) -> dict[str, str]:
    out = tmp_path / folder
    code = main(["import-table", str(EXPORTS / folder / "cases.csv"), "--mapping",
                 str(EXPORTS / folder / "mapping.yaml"), "-o", str(out)])
    capsys.readouterr()
    assert code == 0
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(out.iterdir())}


def body(text: str) -> str:
    """A case file without its first line, the comment naming the table and row it came from."""
    first, rest = text.split("\n", 1)
    assert first.startswith("# Imported by thematic import-table from ")
    return rest


def test_the_wide_westmoor_export_imports_to_the_same_case_files_as_the_long_one(tmp_path, capsys):
    long_files = imported(tmp_path, "westmoor", capsys)
    wide_files = imported(tmp_path, "westmoor-wide", capsys)
    assert len(long_files) == 20
    assert sorted(wide_files) == sorted(long_files)
    for name, text in long_files.items():
        assert body(wide_files[name]) == body(text), name
    # The wide export really is wide: one table, its list sections in numbered column groups.
    header = (EXPORTS / "westmoor-wide" / "cases.csv").read_text(encoding="utf-8").splitlines()[0]
    assert "Referral 2 Date" in header and "Supervision 4 Type" in header
    assert sorted(p.name for p in (EXPORTS / "westmoor-wide").glob("*.csv")) == ["cases.csv"]


def test_a_column_of_every_group_can_be_ignored_with_n(tmp_path):
    groups = {"Referral 1 Date": ["05/03/2019 09:00", ""], "Referral 1 To": ["EH", ""],
              "Referral 1 Note": ["fictional", ""], "Referral 2 Date": ["", ""], "Referral 2 To": ["", ""],
              "Referral 2 Note": ["", ""]}
    outcome = import_tables(*wide(tmp_path, groups))
    assert list(outcome.unmapped.values()) == [["Referral 1 Note", "Referral 2 Note"]]
    ignoring = WIDE_MAPPING.replace("  ignore: [Notes]", '  ignore: [Notes, "Referral {n} Note"]')
    assert ignoring != WIDE_MAPPING
    outcome = import_tables(*wide(tmp_path, groups, ignoring))
    assert outcome.unmapped == {}
    assert referrals(outcome)["T-001"] == [("2019-03-05T09:00", "early_help")]
