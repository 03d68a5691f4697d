"""Loading case files: YAML (one case per document), JSON (one case) and JSON Lines (one per line).

Cases stream file by file, so a sample of any size loads in constant memory. Every problem is
collected with its file, line and field (a bad case is skipped and loading goes on); `load_cases`
raises them all together. A case id used twice anywhere in the sample is a problem.
"""
from __future__ import annotations

import glob
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from pydantic import ValidationError

from thematic.errors import InputError, Problem
from thematic.load.yaml_source import (
    YamlDocument, describe_value, iter_yaml_documents, located_problem, read_text, validation_problems,
)
from thematic.model.case import Case

__all__ = ["CASE_SUFFIXES", "LoadedCase", "Check", "case_files", "iter_cases", "load_cases"]

CASE_SUFFIXES: tuple[str, ...] = (".yaml", ".yml", ".json", ".jsonl")
_SUFFIX_TEXT = ".yaml, .yml, .json or .jsonl"
_GLOB_CHARS = re.compile(r"[*?\[]")

#: A caller's extra check of a valid case: (loc, message) pairs, located like validation errors.
Check = Callable[[Case], "list[tuple[tuple, str]]"]


@dataclass(frozen=True)
class LoadedCase:
    """A valid case and where it came from."""

    case: Case
    file: str
    line: int  # where the case starts (JSON Lines: the record's line)


# --- which files -------------------------------------------------------------------------------

def _as_list(paths: Iterable[str | Path] | str | Path) -> list[str | Path]:
    return [paths] if isinstance(paths, (str, Path)) else list(paths)


def _collect_files(paths: Iterable[str | Path], problems: list[Problem]) -> list[Path]:
    found: list[Path] = []
    seen: set[str] = set()

    def add(path: Path) -> None:
        key = os.path.normcase(os.path.realpath(path))
        if key not in seen:  # the same file named twice (a folder and a file in it) loads once
            seen.add(key)
            found.append(path)

    for given in _as_list(paths):  # type: ignore[arg-type]
        name = str(given)
        path = Path(given)
        if path.is_dir():
            files = sorted(
                (child for child in path.iterdir()
                 if child.suffix.lower() in CASE_SUFFIXES and not child.name.startswith(".") and child.is_file()),
                key=lambda child: child.name)
            if not files:
                problems.append(Problem(name, f"folder has no case files ({_SUFFIX_TEXT})"))
            for child in files:
                add(child)
        elif path.is_file():
            if path.suffix.lower() in CASE_SUFFIXES:
                add(path)
            else:
                problems.append(Problem(name, f"is not a case file: expected {_SUFFIX_TEXT}"))
        elif _GLOB_CHARS.search(name):
            matches = sorted(glob.glob(name))
            files = [Path(m) for m in matches if Path(m).suffix.lower() in CASE_SUFFIXES and os.path.isfile(m)]
            if not matches:
                problems.append(Problem(name, "matches no file"))
            elif not files:
                problems.append(Problem(name, f"matches no case file ({_SUFFIX_TEXT})"))
            for file in files:
                add(file)
        else:
            problems.append(Problem(name, "no such file or folder"))
    return found


def case_files(paths: Iterable[str | Path]) -> list[Path]:
    """The case files named by `paths`, in order: each a file, a folder (its case files directly
    in it, sorted by name) or a glob pattern (matches sorted). InputError lists every bad path."""
    problems: list[Problem] = []
    files = _collect_files(paths, problems)
    if problems:
        raise InputError(problems)
    return files


# --- reading cases -----------------------------------------------------------------------------

class _Reader:
    """The state of one pass over a sample: problems found and the case ids already seen."""

    def __init__(self, problems: list[Problem], check: Check | None) -> None:
        self.problems = problems
        self.check = check
        self.seen: dict[str, tuple[str, int]] = {}

    def accept(self, data: Any, file: str, line: int, doc: YamlDocument | None) -> LoadedCase | None:
        """Validate one case; record its problems and return it only if it has none."""
        if type(data) is not dict:
            self.problems.append(Problem(file, f"expected a case (a mapping of fields), got {describe_value(data)}", line))
            return None
        try:
            case: Case | None = Case.model_validate(data)
            bad = False
        except ValidationError as exc:
            doc = doc or YamlDocument(data, file, line)
            self.problems.extend(validation_problems(exc, doc, model=Case))
            case, bad = None, True
        case_id = data.get("case_id")
        if type(case_id) is str and case_id:
            earlier = self.seen.get(case_id)
            if earlier is None:
                self.seen[case_id] = (file, line)
            else:
                doc = doc or YamlDocument(data, file, line)
                self.problems.append(located_problem(
                    doc, ("case_id",), f'case_id "{case_id}" is already used at {earlier[0]}:{earlier[1]}'))
                bad = True
        if case is not None and self.check is not None:
            extra = self.check(case)
            if extra:
                doc = doc or YamlDocument(data, file, line)
                self.problems.extend(located_problem(doc, tuple(loc), message) for loc, message in extra)
                bad = True
        return None if bad or case is None else LoadedCase(case, file, line)

    def read_yaml(self, path: Path, name: str) -> Iterator[LoadedCase]:
        try:
            text = read_text(path, "YAML")
        except InputError as exc:
            self.problems.extend(exc.problems)
            return
        count = 0
        try:
            for doc in iter_yaml_documents(text, name):
                count += 1
                loaded = self.accept(doc.data, name, doc.first_line, doc)
                if loaded is not None:
                    yield loaded
        except InputError as exc:  # a syntax error or duplicate key ends the file
            self.problems.extend(exc.problems)
            return
        if count == 0:
            self.problems.append(Problem(name, "is empty; expected a case in YAML (one per document)"))

    def read_json(self, path: Path, name: str) -> Iterator[LoadedCase]:
        try:
            text = read_text(path, "JSON")
        except InputError as exc:
            self.problems.extend(exc.problems)
            return
        if not text.strip():
            self.problems.append(Problem(name, "is empty; expected a case in JSON"))
            return
        try:
            data = json.loads(text, object_pairs_hook=_unique_keys)
        except json.JSONDecodeError as exc:
            message = f"invalid JSON: {exc.msg}"
            if exc.msg == "Extra data":
                message += " after the case (a .json file holds one case; use .jsonl for one case per line)"
            self.problems.append(Problem(name, message, exc.lineno))
            return
        except _DuplicateKey as exc:
            self.problems.extend(_json_duplicate_problems(text, name, exc.key))
            return
        stripped = len(text) - len(text.lstrip())
        doc = YamlDocument.from_text(data, name, text.count("\n", 0, stripped) + 1, text)
        loaded = self.accept(data, name, doc.first_line, doc)
        if loaded is not None:
            yield loaded

    def read_jsonl(self, path: Path, name: str) -> Iterator[LoadedCase]:
        try:
            handle = open(path, "rb")
        except OSError as exc:
            self.problems.append(Problem(name, f"cannot be read: {exc.strerror or exc}"))
            return
        with handle:
            if b"\0" in handle.read(8192):
                self.problems.append(Problem(name, "is not a text file; expected JSON Lines"))
                return
            handle.seek(0)
            count = 0
            accept, loads, problems = self.accept, json.loads, self.problems
            for number, raw in enumerate(handle, 1):
                if raw.isspace():
                    continue
                count += 1
                try:
                    # No duplicate-key check here: an object_pairs_hook would double the parse time.
                    data = loads(raw)
                except UnicodeDecodeError:
                    problems.append(Problem(name, "line is not valid UTF-8 text", number))
                    continue
                except json.JSONDecodeError as exc:
                    problems.append(Problem(name, f"invalid JSON: {exc.msg} (column {exc.colno})", number))
                    continue
                loaded = accept(data, name, number, None)
                if loaded is not None:
                    yield loaded
        if count == 0:
            self.problems.append(Problem(name, "is empty; expected JSON Lines, one case per line"))


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        keys: set[str] = set()
        for key, _ in pairs:
            if key in keys:
                raise _DuplicateKey(key)
            keys.add(key)
    return result


def _json_duplicate_problems(text: str, name: str, key: str) -> list[Problem]:
    """Locate a duplicate key of a JSON file by reading the same text as YAML (nearly a superset)."""
    try:
        for _ in iter_yaml_documents(text, name):
            pass
    except InputError as exc:
        duplicates = [p for p in exc.problems if p.message.startswith("duplicate key")]
        if duplicates:
            return duplicates
    return [Problem(name, f'duplicate key "{key}"; each key may appear only once', 1)]


_READERS = {".yaml": _Reader.read_yaml, ".yml": _Reader.read_yaml, ".json": _Reader.read_json, ".jsonl": _Reader.read_jsonl}


def iter_cases(
    paths: Iterable[str | Path], problems: list[Problem], check: Check | None = None,
) -> Iterator[LoadedCase]:
    """Stream the valid cases of `paths`, appending every problem found to `problems`.

    A bad case is skipped and loading goes on. `check(case)` may return extra problems of a valid
    case as (loc, message) pairs (for example judgements checked against a criteria set).
    """
    reader = _Reader(problems, check)
    for path in _collect_files(paths, problems):
        yield from _READERS[path.suffix.lower()](reader, path, str(path))


def load_cases(paths: Iterable[str | Path], check: Check | None = None) -> list[LoadedCase]:
    """Every case of `paths`; InputError with all the problems of all the files if there is any,
    or if there is no case at all (an empty sample cannot be scored)."""
    paths = _as_list(paths)  # type: ignore[arg-type]
    problems: list[Problem] = []
    cases = list(iter_cases(paths, problems, check))
    if problems:
        raise InputError(problems)
    if not cases:
        where = ", ".join(str(p) for p in paths) or "(no paths given)"
        raise InputError.single(where, "no cases found: an empty sample cannot be scored")
    return cases
