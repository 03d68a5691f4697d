"""A small fictional export and its mapping, written to a folder, for the import-table tests."""
from __future__ import annotations

import csv
from pathlib import Path

MAPPING = """\
mapping: 1
datetime_format: dd/mm/yyyy hh:mm
date_format: dd/mm/yyyy
booleans: {"Y": true, "N": false}
cases:
  id: Ref
  ignore: [Notes]
  fields:
    force: {value: testshire}
    category: {column: Type, values: {"DA": domestic_abuse, "NEG": neglect}}
    reported_at: Reported
    child.ref: Child
    child.age: Age
  sections:
    section47:
      fields:
        started_on: S47
        conference_on: ICPC
tables:
  incidents:
    file: incidents.csv
    id: Ref
    fields:
      ref: Inc
      at: When
      type: {column: Type, values: {"DA": domestic_abuse, "NEG": neglect}}
      severity: {column: Risk, values: {"High": 4, "Med": 3, "Low": 2}}
      child_seen: Seen
      demeanour_recorded: Demeanour
      response: {value: immediate}
"""

CASES = [
    ["Ref", "Type", "Reported", "Child", "Age", "S47", "ICPC", "Notes"],
    ["T-001", "DA", "04/03/2019 16:20", "C-0001", "9", "05/03/2019", "", "fictional"],
    ["T-002", "NEG", "10/06/2019 09:00", "C-0002", "3", "", "", ""],
]

INCIDENTS = [
    ["Ref", "Inc", "When", "Type", "Risk", "Seen", "Demeanour"],
    ["T-001", "I-1", "02/11/2018 22:10", "DA", "Med", "Y", "N"],
    ["T-001", "I-2", "04/03/2019 16:20", "DA", "High", "Y", "Y"],
]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def write_export(folder: Path, *, mapping: str = MAPPING, cases: list[list[str]] | None = None,
                 incidents: list[list[str]] | None = None) -> tuple[Path, Path]:
    """The main table and the mapping, with incidents.csv beside them."""
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(folder / "incidents.csv", INCIDENTS if incidents is None else incidents)
    table = write_csv(folder / "cases.csv", CASES if cases is None else cases)
    path = folder / "mapping.yaml"
    path.write_text(mapping, encoding="utf-8")
    return table, path
