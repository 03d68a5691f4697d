"""Writing imported cases (one YAML file per case, or one JSON Lines file) and the rejected rows.

The files of an import are moved into place together (`thematic.core.atomic.OutputSet`). File names
come from case ids; two ids that would share a file name are an error found before anything is written.
"""
from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from thematic.core.atomic import OutputSet, output_set
from thematic.core.errors import InputError, Problem
from thematic.core.formulas import csv_row
from thematic.load.cases import CASE_SUFFIXES
from thematic.tabular.build import ImportedCase, RowProblem
from thematic.tabular.convert import cell_text

__all__ = ["FORMATS", "case_file_name", "plan_outputs", "write_cases", "rejected_csv", "case_yaml"]

FORMATS: tuple[str, ...] = ("yaml", "jsonl")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def case_file_name(case_id: str) -> str:
    """A safe file name for a case id: characters other than letters, digits, `.`, `_` and `-`
    become `_` (so `WM/19/4` is `WM_19_4.yaml`)."""
    stem = _UNSAFE.sub("_", case_id).strip(".") or "_"
    return f"{stem}.yaml"


def plan_outputs(cases: list[ImportedCase], output: Path, fmt: str) -> dict[Path, list[ImportedCase]]:
    """Which file each case goes to; InputError if two case ids would share a file name."""
    if fmt == "jsonl":
        target = output if output.suffix.lower() == ".jsonl" else output / "cases.jsonl"
        return {target: cases}
    if output.is_file():
        raise InputError.single(str(output), "is a file; with --format yaml, -o names a folder (one file per case)")
    planned: dict[Path, list[ImportedCase]] = {}
    problems: list[Problem] = []
    for case in cases:
        path = output / case_file_name(case.case_id)
        if path in planned:
            other = planned[path][0]
            problems.append(Problem(f'{case.table} row {case.row}',
                                    f'case id "{case.case_id}" and "{other.case_id}" (row {other.row}) would both be '
                                    f"written to {path.name}; make the ids differ in more than punctuation"))
            continue
        planned[path] = [case]
    if problems:
        raise InputError(problems)
    return planned


class _FlowMap(dict):  # type: ignore[type-arg]
    """A mapping written on one line: a list entry, or `child`."""


class _FlowList(list):  # type: ignore[type-arg]
    """A list of plain values written on one line, e.g. [police, health]."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(_FlowMap, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v, flow_style=True))
_Dumper.add_representer(_FlowList, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))


def _styled(value: Any, key: str = "") -> Any:
    """Lay a case out as the format's examples do: entries and `child` on one line, objects in blocks."""
    if isinstance(value, dict):
        if key == "child":
            return _FlowMap({k: _styled(v) for k, v in value.items()})
        return {k: _styled(v, k) for k, v in value.items()}
    if isinstance(value, list):
        if all(not isinstance(v, (dict, list)) for v in value):
            return _FlowList(value)
        return [_FlowMap({k: _styled(x) for k, x in v.items()}) if isinstance(v, dict) else _styled(v) for v in value]
    return value


def case_yaml(case: ImportedCase, mapping_name: str) -> str:
    """One case as a YAML case file, with a comment saying where it came from."""
    header = f"# Imported by thematic import-table from {case.table} row {case.row} (mapping: {mapping_name}).\n"
    body = yaml.dump(_styled(case.data), Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=1000)
    return header + body


def write_cases(planned: dict[Path, list[ImportedCase]], fmt: str, mapping_name: str,
                outputs: OutputSet | None = None) -> list[Path]:
    """Write the planned files together (staged in `outputs` if given: its owner commits). The files, in order."""
    with output_set(outputs) as chosen:
        written = []
        for path, cases in planned.items():
            if fmt == "jsonl":
                text = "".join(json.dumps(c.data, ensure_ascii=False) + "\n" for c in cases)
            else:
                text = case_yaml(cases[0], mapping_name)
            written.append(chosen.add(path, text, option="-o"))
        return written


def other_case_files(folder: Path, written: Iterable[Path]) -> list[Path]:
    """Case files already in `folder` that this import did not write (they would be scored too)."""
    if not folder.is_dir():
        return []
    mine = {p.resolve() for p in written}
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and p.suffix.lower() in CASE_SUFFIXES and not p.name.startswith(".")
                  and p.resolve() not in mine)


def rejected_csv(problems: list[RowProblem]) -> str:
    """The rejected rows as CSV: one line per problem, with the cell's value and the reason."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["table", "row", "column", "case_id", "value", "field", "problem"])
    for p in problems:
        # Ids, values and messages come from the export: none may run as a formula in a spreadsheet.
        writer.writerow(csv_row([p.table, p.row, p.column or "", p.case_id or "", cell_text(p.value), p.field or "",
                                 p.message]))
    return buffer.getvalue()


__all__ += ["other_case_files"]
