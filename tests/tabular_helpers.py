"""A small fictional export and its mapping, written to a folder, for the import-table tests."""
from __future__ import annotations

import csv
import re
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


# --- the Westmoor warehouse: the long export's data in a SQL database ------------------------------

EXPORTS = Path(__file__).resolve().parent.parent / "inspections" / "exports"
WAREHOUSE_TABLES = {  # warehouse table -> the long export's file holding its rows
    "wm_case": "cases.csv", "wm_incident": "incidents.csv", "wm_risk_assessment": "risk.csv",
    "wm_referral": "referrals.csv", "wm_strategy_meeting": "strategy.csv", "wm_supervision_entry": "supervision.csv",
    "wm_device": "devices.csv",
}


def snake(heading: str) -> str:
    """A heading as the warehouse names its column: "S38(6) Cert" -> "s38_6_cert"."""
    return re.sub(r"[^a-z0-9]+", "_", heading.lower()).strip("_")


def sql_value(text: str) -> str | None:
    """A cell of the export as the warehouse holds it: blank is NULL, dd/mm/yyyy [hh:mm] is ISO."""
    moment = re.fullmatch(r"(\d\d)/(\d\d)/(\d{4})( \d\d:\d\d)?", text)
    if moment:
        day, month, year, clock = moment.groups()
        return f"{year}-{month}-{day}" + (f"{clock}:00" if clock else "")
    return text or None


def build_warehouse(url: str) -> None:
    """Create the warehouse (inspections/exports/westmoor-warehouse/schema.sql) in the empty database at
    `url` and fill it from the long Westmoor export, each child table's rows numbered in file order."""
    from sqlalchemy import create_engine, text

    schema = (EXPORTS / "westmoor-warehouse" / "schema.sql").read_text(encoding="utf-8")
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            for statement in schema.split(";"):
                if statement.strip() and not all(line.startswith("--") for line in statement.strip().splitlines()):
                    connection.execute(text(statement))
            for table, file in WAREHOUSE_TABLES.items():
                with open(EXPORTS / "westmoor" / file, newline="", encoding="utf-8-sig") as handle:
                    rows = list(csv.DictReader(handle))
                records = [{snake(k): sql_value(v) for k, v in row.items()} for row in rows]
                if table != "wm_case":
                    records = [{"row_id": number, **record} for number, record in enumerate(records, 1)]
                names = list(records[0])
                connection.execute(text(f"INSERT INTO {table} ({', '.join(names)}) "
                                        f"VALUES ({', '.join(':' + n for n in names)})"), records)
    finally:
        engine.dispose()
