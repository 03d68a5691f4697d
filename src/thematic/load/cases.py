"""Loading case files: YAML (one case per document), JSON (one case) and JSON Lines (one per line).

Cases stream file by file, so a sample of any size loads in constant memory. Every problem is
collected with its file, line and field (a bad case is skipped and loading goes on); `load_cases`
raises them all together. A case id used twice anywhere in the sample is a problem. A caller's check
(judgement answers, the force) runs on a valid case, and on the well-formed parts of one that is not
(`case_parts`), so its problems are reported with the schema errors, not only once those are fixed.
"""
from __future__ import annotations

import glob
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ConfigDict, TypeAdapter, ValidationError
from yaml.nodes import Node

from thematic.core.errors import InputError, Problem
from thematic.load.json_source import JsonRefused, decode, decode_record, refused_problems
from thematic.load.yaml_source import (
    DEPTH_MESSAGE,
    YamlDocument,
    construct_checked,
    describe_value,
    encoding_problem,
    field_path,
    iter_yaml_documents,
    located_problem,
    read_text,
    validation_problems,
)
from thematic.load.yaml_source import _Loader as YamlLoader  # noqa: PLC2701 - same layer
from thematic.model.base import Identifier
from thematic.model.case import Case, ForceCode, Judgement

__all__ = ["CASE_SUFFIXES", "LoadedCase", "Check", "CaseParts", "case_parts", "case_files", "iter_cases", "load_cases",
           "collect_case_files", "validate_case", "jsonl_record", "jsonl_text_problem", "yaml_case_documents",
           "json_case_document", "_Reader"]

CASE_SUFFIXES: tuple[str, ...] = (".yaml", ".yml", ".json", ".jsonl")
_SUFFIX_TEXT = ".yaml, .yml, .json or .jsonl"
_GLOB_CHARS = re.compile(r"[*?\[]")

@dataclass(frozen=True)
class CaseParts:
    """What a check reads of a case that did not validate, each part validated on its own as the
    case model would: `force` is None when absent or not well-formed, and `judgements` holds only
    the well-formed entries."""

    force: str | None
    judgements: dict[str, Judgement]


#: A caller's extra check of a valid case (or of the well-formed parts of one that is not):
#: (loc, message) pairs, located like validation errors.
Check = Callable[["Case | CaseParts"], "list[tuple[tuple[str | int, ...], str]]"]

# The parts a check reads, validated as the (strict) case model validates them.
_STRICT = ConfigDict(strict=True)
_FORCE: TypeAdapter[str] = TypeAdapter(ForceCode, config=_STRICT)
_JUDGEMENTS: TypeAdapter[dict[str, Judgement]] = TypeAdapter(dict[Identifier, Judgement], config=_STRICT)


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

    for given in _as_list(paths):
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


def collect_case_files(paths: Iterable[str | Path], problems: list[Problem]) -> list[Path]:
    """The case files named by `paths`, as `case_files` finds them, with every bad path appended to `problems`."""
    return _collect_files(_as_list(paths), problems)


def case_files(paths: Iterable[str | Path]) -> list[Path]:
    """The case files named by `paths`, in order: each a file, a folder (its case files directly
    in it, sorted by name) or a glob pattern (matches sorted). InputError lists every bad path."""
    problems: list[Problem] = []
    files = _collect_files(paths, problems)
    if problems:
        raise InputError(problems)
    return files


# --- reading cases -----------------------------------------------------------------------------

def _validated(data: Any, file: str, line: int, doc: YamlDocument | None, problems: list[Problem]) -> Case | None:
    """The case in `data`, or None with its problems appended (each located at its line in `doc`)."""
    if type(data) is not dict:
        problems.append(Problem(file, f"expected a case (a mapping of fields), got {describe_value(data)}", line))
        return None
    try:
        return Case.model_validate(data)
    except ValidationError as exc:
        problems.extend(validation_problems(exc, doc or YamlDocument(data, file, line), model=Case))
        return None


def case_parts(data: Any) -> CaseParts | None:
    """The well-formed force and judgements of a case's data that did not validate, or None if it has
    neither. Never raises: each judgement entry is validated on its own, and a malformed one left out
    (its schema errors say what is wrong with it)."""
    if type(data) is not dict:
        return None
    force: str | None = None
    if "force" in data:
        try:
            force = _FORCE.validate_python(data["force"])
        except ValidationError:
            force = None
    judgements: dict[str, Judgement] = {}
    given = data.get("judgements")
    if type(given) is dict:
        for key, value in given.items():
            try:
                judgements.update(_JUDGEMENTS.validate_python({key: value}))
            except ValidationError:
                continue
    if force is None and not judgements:
        return None
    return CaseParts(force, judgements)


def _checked(case: Case | None, check: Check | None, data: Any, file: str, line: int, doc: YamlDocument | None,
             problems: list[Problem]) -> bool:
    """True if `check` finds nothing wrong; its problems appended otherwise. A case that did not
    validate (None) is checked on its well-formed parts, so that a user learns of its answer and
    force problems in the same run as its schema errors."""
    if check is None:
        return True
    subject = case if case is not None else case_parts(data)
    if subject is None:
        return True
    extra = check(subject)
    if extra:
        doc = doc or YamlDocument(data, file, line)
        problems.extend(located_problem(doc, tuple(loc), message) for loc, message in extra)
    return not extra


def validate_case(data: Any, file: str, line: int, doc: YamlDocument | None = None,
                  check: Check | None = None) -> tuple[Case | None, list[Problem]]:
    """Validate and check one case's data, as `iter_cases` does, but without the duplicate-id check
    (which needs every id of the sample). `doc` locates problems (None: all at `line`)."""
    problems: list[Problem] = []
    case = _validated(data, file, line, doc, problems)
    if not _checked(case, check, data, file, line, doc, problems):
        case = None
    return case, problems


def jsonl_text_problem(head: bytes, name: str) -> Problem | None:
    """The problem of a JSON Lines file whose first bytes are `head`, if it cannot be a text file."""
    problem = encoding_problem(head, "JSON Lines")
    return Problem(name, problem) if problem is not None else None


def jsonl_record(raw: bytes, name: str, number: int) -> tuple[Any, Problem | None]:
    """(data, None) for one line of a JSON Lines file (with its newline), or (None, problem)."""
    try:
        return decode_record(raw), None
    except UnicodeDecodeError:
        return None, Problem(name, "line is not valid UTF-8 text", number)
    except json.JSONDecodeError as exc:
        return None, Problem(name, f"invalid JSON: {exc.msg} (column {exc.colno})", number)
    except JsonRefused as exc:
        return None, Problem(name, exc.message, number, field_path(exc.loc) or None)


#: YAML files larger than this are parsed from the file as they are read, not from their whole text.
YAML_STREAM_BYTES = 16 * 1024 * 1024


def yaml_case_documents(path: Path, name: str) -> Iterator[YamlDocument]:
    """The documents of a YAML case file; InputError for a file that cannot be read or parsed
    (after the documents before a syntax error or duplicate key)."""
    try:
        large = path.stat().st_size > YAML_STREAM_BYTES
    except OSError:
        large = False  # read_text reports it
    if large:
        yield from _streamed_yaml_documents(path, name)
    else:
        yield from iter_yaml_documents(read_text(path, "YAML"), name)


class _KeptNode:
    """The node tree of one streamed document, so its problems can be located."""

    __slots__ = ("root",)

    def __init__(self, root: Node) -> None:
        self.root = root

    def node(self, index: int) -> Node | None:
        return self.root


def _streamed_yaml_documents(path: Path, name: str) -> Iterator[YamlDocument]:
    """Like iter_yaml_documents over a file's text, holding one document at a time: a YAML stream
    of a whole caseload is parsed in constant memory."""
    try:
        with path.open("rb") as head:
            problem = encoding_problem(head.read(8192), "YAML")
            if problem is not None:
                raise InputError.single(name, problem)
        handle = path.open(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError.single(name, f"cannot be read: {exc.strerror or exc}") from None
    with handle:
        loader = YamlLoader(handle)
        try:
            while True:
                try:
                    if not loader.check_node():
                        break
                    node = loader.get_node()
                    assert node is not None  # check_node() said there is one
                    data = construct_checked(loader, node, name)
                except UnicodeDecodeError:
                    raise InputError.single(name, "is not a text file (not valid UTF-8); expected YAML") from None
                except yaml.YAMLError as exc:
                    raise InputError([_streamed_syntax_problem(exc, name)]) from None
                except RecursionError:  # only PyYAML's pure-Python parser recurses
                    raise InputError.single(name, DEPTH_MESSAGE) from None
                if data is not None:
                    yield YamlDocument(data, name, node.start_mark.line + 1, _KeptNode(node), 0)
                del node
        finally:
            loader.dispose()


def _streamed_syntax_problem(exc: yaml.YAMLError, name: str) -> Problem:
    if isinstance(exc, yaml.reader.ReaderError):
        char = exc.character if isinstance(exc.character, int) else ord(exc.character)
        return Problem(name, f"YAML syntax error: control character U+{char:04X} is not allowed in YAML text")
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    message = f"YAML syntax error: {getattr(exc, 'problem', None) or str(exc).splitlines()[0]}"
    context = getattr(exc, "context", None)
    if context:
        message += f" ({context})"
    return Problem(name, message, mark.line + 1 if mark is not None else None)


class _Reader:
    """The state of one pass over a sample: problems found and the case ids already seen."""

    def __init__(self, problems: list[Problem], check: Check | None) -> None:
        self.problems = problems
        self.check = check
        self.seen: dict[str, tuple[str, int]] = {}

    def accept(self, data: Any, file: str, line: int, doc: YamlDocument | None) -> LoadedCase | None:
        """Validate one case; record its problems and return it only if it has none."""
        problems = self.problems
        case = _validated(data, file, line, doc, problems)
        if type(data) is not dict:
            return None
        bad = case is None
        case_id = data.get("case_id")
        if type(case_id) is str and case_id:
            earlier = self.seen.get(case_id)
            if earlier is None:
                self.seen[case_id] = (file, line)
            else:
                doc = doc or YamlDocument(data, file, line)
                problems.append(located_problem(
                    doc, ("case_id",), f'case_id "{case_id}" is already used at {earlier[0]}:{earlier[1]}'))
                bad = True
        if not _checked(case, self.check, data, file, line, doc, problems):
            bad = True
        return None if bad or case is None else LoadedCase(case, file, line)

    def read_yaml(self, path: Path, name: str) -> Iterator[LoadedCase]:
        count = 0
        try:
            for doc in yaml_case_documents(path, name):
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
            doc = json_case_document(path, name)
        except InputError as exc:
            self.problems.extend(exc.problems)
            return
        loaded = self.accept(doc.data, name, doc.first_line, doc)
        if loaded is not None:
            yield loaded

    def read_jsonl(self, path: Path, name: str) -> Iterator[LoadedCase]:
        try:
            handle = open(path, "rb")
        except OSError as exc:
            self.problems.append(Problem(name, f"cannot be read: {exc.strerror or exc}"))
            return
        with handle:
            binary = jsonl_text_problem(handle.read(8192), name)
            if binary is not None:
                self.problems.append(binary)
                return
            handle.seek(0)
            count = 0
            accept, problems = self.accept, self.problems
            for number, raw in enumerate(handle, 1):
                if raw.isspace():
                    continue
                count += 1
                data, problem = jsonl_record(raw, name, number)
                if problem is not None:
                    problems.append(problem)
                    continue
                loaded = accept(data, name, number, None)
                if loaded is not None:
                    yield loaded
        if count == 0:
            self.problems.append(Problem(name, "is empty; expected JSON Lines, one case per line"))


def json_case_document(path: Path, name: str) -> YamlDocument:
    """The one case of a .json file as a document (lines found when needed); InputError if it has none."""
    text = read_text(path, "JSON")
    if not text.strip():
        raise InputError.single(name, "is empty; expected a case in JSON")
    try:
        data = decode(text)
    except json.JSONDecodeError as exc:
        message = f"invalid JSON: {exc.msg}"
        if exc.msg == "Extra data":
            message += " after the case (a .json file holds one case; use .jsonl for one case per line)"
        raise InputError.single(name, message, exc.lineno) from None
    except JsonRefused as exc:
        raise InputError(refused_problems(text, name, exc)) from None
    stripped = len(text) - len(text.lstrip())
    return YamlDocument.from_text(data, name, text.count("\n", 0, stripped) + 1, text)


_READERS = {".yaml": _Reader.read_yaml, ".yml": _Reader.read_yaml, ".json": _Reader.read_json,
            ".jsonl": _Reader.read_jsonl}


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
    paths = _as_list(paths)
    problems: list[Problem] = []
    cases = list(iter_cases(paths, problems, check))
    if problems:
        raise InputError(problems)
    if not cases:
        where = ", ".join(str(p) for p in paths) or "(no paths given)"
        raise InputError.single(where, "no cases found: an empty sample cannot be scored")
    return cases
