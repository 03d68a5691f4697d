"""Write generated cases as case files: YAML (one file per case) or JSON Lines (one file).

The YAML is written by this module, not by a YAML library, so that the bytes depend only on the
cases: list entries are one-line flow mappings as a person would write them, and every string
that YAML could read as something else (yes, no, null, a number) is quoted. Files are staged and
moved into place together (`thematic.core.atomic.OutputSet`); a YAML folder that already holds
other case files is refused, so a sample is never silently mixed with an older one.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from thematic.core.atomic import OutputSet, write_text_atomic
from thematic.core.errors import InputError
from thematic.load.cases import CASE_SUFFIXES

__all__ = ["case_yaml", "cases_jsonl", "write_yaml_folder", "write_jsonl"]

_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 _./-]*")
_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?")
_RESERVED = {"yes", "no", "y", "n", "true", "false", "on", "off", "null", "~"}
_FLOW_WIDTH = 110


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    if _MOMENT.fullmatch(text):
        return text
    if _PLAIN.fullmatch(text) and text.lower() not in _RESERVED and not text.endswith(" "):
        return text
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid double-quoted YAML scalar


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_scalar(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return _scalar(value)


def _block(key: str, value: Any, indent: str) -> list[str]:
    if isinstance(value, list):
        if not value:
            return [f"{indent}{key}: []"]
        if all(not isinstance(v, (dict, list)) for v in value):
            return [f"{indent}{key}: {_flow(value)}"]
        return [f"{indent}{key}:"] + [f"{indent}  - {_flow(v)}" for v in value]
    if isinstance(value, dict):
        if not value:
            return [f"{indent}{key}: {{}}"]
        flow = f"{indent}{key}: {_flow(value)}"
        nested = all(isinstance(v, dict) for v in value.values())  # e.g. judgements: one line each
        if len(flow) <= _FLOW_WIDTH and not nested:
            return [flow]
        lines = [f"{indent}{key}:"]
        for k, v in value.items():
            lines.extend(_block(_scalar(k), v, indent + "  "))
        return lines
    return [f"{indent}{key}: {_scalar(value)}"]


def case_yaml(document: dict[str, Any], header: str = "") -> str:
    """One case as a YAML document, with `header` as comment lines on top."""
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    for key, value in document.items():
        lines.extend(_block(_scalar(key), value, ""))
    return "\n".join(lines) + "\n"


def cases_jsonl(documents: Iterable[dict[str, Any]]) -> str:
    return "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in documents)


def write_yaml_folder(folder: str | Path, documents: list[dict[str, Any]], header: str = "") -> list[Path]:
    """One `CASE_ID.yaml` per case in `folder`; InputError if the folder holds other case files."""
    target = Path(folder)
    if target.exists() and not target.is_dir():
        raise InputError.single(str(target), "exists and is not a folder; YAML output needs a folder "
                                             "(or use --format jsonl for one file)")
    names = [f"{d['case_id']}.yaml" for d in documents]
    if target.is_dir():
        wanted = set(names)
        other = sorted(p.name for p in target.iterdir()
                       if p.is_file() and p.suffix.lower() in CASE_SUFFIXES and p.name not in wanted)
        if other:
            shown = ", ".join(other[:3]) + (f" and {len(other) - 3} more" if len(other) > 3 else "")
            raise InputError.single(str(target), f"already holds other case files ({shown}); they would be mixed "
                                                 "into this sample: remove them or choose an empty folder")
    with OutputSet() as outputs:  # every case file appears together, or none
        paths = [outputs.add_in(target, name, case_yaml(document, header), option="-o")
                 for name, document in zip(names, documents, strict=True)]
        outputs.commit()
    return paths


def write_jsonl(path: str | Path, documents: list[dict[str, Any]]) -> Path:
    target = Path(path)
    if target.is_dir():
        raise InputError.single(str(target), "is a folder; JSON Lines output needs a file name such as cases.jsonl")
    write_text_atomic(target, cases_jsonl(documents), option="-o")
    return target
