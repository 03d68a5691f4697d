"""Reading YAML and JSON text into plain data, with the line of every key kept for error messages.

This is the only module that parses YAML. Plain values are read as YAML 1.2's core schema reads
them (`yes`, `1:30` and `1_000` are text; `true`/`false` are the only booleans); a whole number
with a leading zero, which YAML 1.1 and 1.2 read differently (`021`: 17 or 21), is refused with
its place, never reinterpreted. Dates and datetimes stay strings (the models parse them, so their
messages apply). A duplicate key in a mapping is an error (a typo must never silently replace a
value), and so are numbers beyond MAX_NUMBER and nesting deeper than MAX_DEPTH. Validation errors of the
models become `Problem`s worded for the people who write the files: `file:line: field: what is
wrong and what is expected`.
"""
from __future__ import annotations

import difflib
import re
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pydantic
import yaml
from pydantic_core import ErrorDetails
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from thematic.core.errors import InputError, Problem
from thematic.model.base import IDENTIFIER_PATTERN, INTERNAL_FIELDS, TEXT_PATTERN, identifier_problem, text_problem

__all__ = [
    "DEPTH_MESSAGE", "YamlDocument", "iter_yaml_documents", "parse_yaml_documents", "read_text", "read_yaml_documents",
    "read_yaml_file", "validation_problems", "located_problem", "field_path", "describe_value",
    "MAX_DEPTH", "MAX_NUMBER", "number_problem", "encoding_problem", "other_unicode_encoding", "construct_checked",
    "document_problems",
]

if TYPE_CHECKING:  # the C loader (libyaml) has the pure-Python loader's interface
    _BaseLoader = yaml.SafeLoader
else:
    _BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE = "tag:yaml.org,2002:merge"
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")

#: Objects and lists inside one another, at most (a case file needs 3; a results file 4).
MAX_DEPTH = 32
#: The largest magnitude of a number: 2**53 - 1, the largest whole number that every JSON reader
#: (JavaScript, spreadsheets) keeps exactly.
MAX_NUMBER = 2**53 - 1
DEPTH_MESSAGE = f"nested too deeply: objects and lists may be nested at most {MAX_DEPTH} levels deep"

# YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1023-core-schema), keyed by first character.
_CORE_RESOLVERS: list[tuple[str, str, str]] = [
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", "~nN"),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    ("tag:yaml.org,2002:float",
     r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
     "-+.0123456789"),
]


def number_problem(text: str, value: float) -> str | None:
    """What is wrong with a number read from a file as `text`, if anything (shared with JSON)."""
    written_infinite = "inf" in text.lower() or "nan" in text.lower()
    if value != value or (value in (float("inf"), float("-inf")) and written_infinite):
        return f"{_short(text)} is not a finite number; write a number such as 12 or 0.5"
    if not -MAX_NUMBER <= value <= MAX_NUMBER:
        return f"{_short(text)} is too large: a number may be at most {MAX_NUMBER:,} either side of zero"
    return None


def _short(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else f"{text[:limit - 1]}… ({len(text):,} characters)"


class _Loader(_BaseLoader):
    """Safe loader with YAML 1.2 core resolvers, noting duplicate keys and refused values as it builds."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[Node, Node, Node]] = []  # (mapping, first key, repeated key)
        self.refused: list[tuple[Node, str]] = []  # (scalar, what is wrong with it)

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        # One length comparison per mapping: only a mapping with duplicate (or merged) keys differs.
        if len(mapping) != len(node.value) and isinstance(node, MappingNode):
            self._note_duplicates(node)
        return mapping

    def flatten_mapping(self, node: Any) -> None:
        if any(key.tag == _MERGE for key, _ in node.value):
            node.thematic_merged = True  # keys from `<<:` merges may be overridden on purpose
        super().flatten_mapping(node)

    def _note_duplicates(self, node: MappingNode) -> None:
        if getattr(node, "thematic_merged", False):
            return
        first: dict[Any, Node] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, ScalarNode):
                continue
            key = (key_node.tag, key_node.value)
            if key in first:
                self.duplicates.append((node, first[key], key_node))
            else:
                first[key] = key_node

    def construct_yaml_int(self, node: Any) -> Any:
        text = self.construct_scalar(node)
        digits = text.lstrip("+-").replace("_", "")  # an explicit !!int may hold YAML 1.1 forms
        if len(digits) > 1 and digits[0] == "0" and digits[1].isdigit():
            written = text.replace("_", "")
            self.refused.append((node, (
                f"{written} has a leading zero, which YAML readers take differently "
                f"(YAML 1.1 as octal, YAML 1.2 as {int(written, 10)}); "
                f"write {int(written, 10)} for a number, or \"{text}\" in quotation marks for text")))
            return text
        try:
            if digits[:2] in ("0o", "0x", "0b"):
                value = int(digits[2:], {"o": 8, "x": 16, "b": 2}[digits[1]]) * (-1 if text[0] == "-" else 1)
            elif len(digits) > 20:  # int() of a very long text is slow, or refused past 4,300 digits
                value = MAX_NUMBER + 1
            else:
                value = int(digits, 10) * (-1 if text[0] == "-" else 1)
        except ValueError:
            self.refused.append((node, f"{_short(text)} is not a whole number"))
            return text
        return self._within_limits(node, text, value)

    def construct_yaml_float(self, node: Any) -> Any:
        text = self.construct_scalar(node)
        try:
            value = float(text.replace("_", "").lower().replace(".inf", "inf").replace(".nan", "nan"))
        except ValueError:
            self.refused.append((node, f"{_short(text)} is not a number"))
            return text
        return self._within_limits(node, text, value)

    def _within_limits(self, node: Any, text: str, value: int | float) -> Any:
        """The number, or its text with the node refused when it is out of range."""
        problem = number_problem(text, value)
        if problem is not None:
            self.refused.append((node, problem))
            return text
        return value


_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)
_Loader.add_constructor("tag:yaml.org,2002:float", _Loader.construct_yaml_float)
_Loader.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in _CORE_RESOLVERS:
    _Loader.add_implicit_resolver(_tag, re.compile(_pattern), list(_first) + ([""] if _tag.endswith("null") else []))
for _first, _resolvers in _BaseLoader.yaml_implicit_resolvers.items():  # `<<` merges; `!`, `&`, `*` refused
    for _tag, _regexp in _resolvers:
        if _tag.rsplit(":", 1)[-1] in ("merge", "yaml"):
            _Loader.yaml_implicit_resolvers.setdefault(_first, []).append((_tag, _regexp))


def _too_deep(root: Node) -> Node | None:
    """The first collection nested more than MAX_DEPTH deep in `root` (aliases followed), or None.

    Iterative, so that no nesting can exhaust Python's stack; each node is visited once.
    """
    stack: list[tuple[Node, int]] = [(root, 1)]
    seen: dict[int, int] = {}  # node id → the deepest level it was reached at
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, (MappingNode, SequenceNode)):
            continue
        if depth > MAX_DEPTH:
            return node
        if seen.get(id(node), 0) >= depth:
            continue
        seen[id(node)] = depth
        if isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                stack.append((value_node, depth + 1))
                stack.append((key_node, depth + 1))
        else:
            stack.extend((item, depth + 1) for item in node.value)
    return None


class _NodeSource(Protocol):
    """Where a document's node tree is found when a problem needs locating (by document index)."""

    def node(self, index: int) -> Node | None: ...


class _LazyNodes:
    """The node trees of a YAML (or JSON) text, composed on first need and shared by its documents.

    Loading keeps no nodes: retained node trees cost more (in garbage collection) than composing
    the text again in the rare case that a document has a problem to locate.
    """

    __slots__ = ("text", "nodes")

    def __init__(self, text: str) -> None:
        self.text: str | None = text
        self.nodes: list[Node] = []

    def node(self, index: int) -> Node | None:
        if self.text is not None:
            text, self.text = self.text, None
            for attempt in (text, _SURROGATE_ESCAPE.sub("x", text)):
                # JSON is nearly a YAML subset; YAML rejects \ud83d-style surrogate escapes
                self.nodes = []
                try:
                    for node in yaml.compose_all(attempt, Loader=_Loader):
                        self.nodes.append(node)
                    break
                except (yaml.YAMLError, RecursionError):  # keep the documents before a syntax error
                    if len(self.nodes) > index:
                        break
        return self.nodes[index] if 0 <= index < len(self.nodes) else None


@dataclass
class YamlDocument:
    """One parsed document: its data, where it came from, and (lazily) the line of any path in it.

    A document built without a source (one JSON Lines record) answers `first_line` for any path.
    """

    data: Any
    file: str
    first_line: int
    _source: _NodeSource | None = field(default=None, repr=False, compare=False)
    _index: int = field(default=0, repr=False, compare=False)  # which document of the source

    @classmethod
    def from_text(cls, data: Any, file: str, first_line: int, text: str) -> YamlDocument:
        """A document whose lines are found by composing `text` (its only document) when needed."""
        return cls(data, file, first_line, _LazyNodes(text), 0)

    def line_of(self, loc: tuple[str | int, ...]) -> int | None:
        """1-based line of the key or item at `loc`, or of its deepest existing parent."""
        node = self._source.node(self._index) if self._source is not None else None
        if node is None:
            return self.first_line
        line = node.start_mark.line + 1
        for part in loc:
            if isinstance(node, MappingNode):
                wanted = str(part).lower() if isinstance(part, bool) else str(part)
                for key_node, value_node in node.value:
                    if isinstance(key_node, ScalarNode) and key_node.value == wanted:
                        line = key_node.start_mark.line + 1
                        node = value_node
                        break
                else:
                    return line
            elif isinstance(node, SequenceNode) and isinstance(part, int) and not isinstance(part, bool):
                if not 0 <= part < len(node.value):
                    return line
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                return line
        return line


# --- reading -------------------------------------------------------------------------------------

def read_text(path: str | Path, expected: str = "YAML or JSON") -> str:
    """The UTF-8 text of a file (a byte-order mark is dropped); InputError if it cannot be a text file."""
    name = str(path)
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise InputError.single(name, "file not found") from None
    except IsADirectoryError:
        raise InputError.single(name, f"is a folder; expected a {expected} file") from None
    except PermissionError:
        raise InputError.single(name, "cannot be read: permission denied") from None
    except OSError as exc:
        if p.is_dir():
            raise InputError.single(name, f"is a folder; expected a {expected} file") from None
        raise InputError.single(name, f"cannot be read: {exc.strerror or exc}") from None
    problem = encoding_problem(raw[:8192], expected)
    if problem is not None:
        raise InputError.single(name, problem)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise InputError.single(name, f"is not a text file (not valid UTF-8); expected {expected}", line) from None


_BOMS: tuple[tuple[bytes, str], ...] = (  # UTF-32 first: its little-endian mark begins with UTF-16's
    (b"\xff\xfe\0\0", "UTF-32 (little-endian)"), (b"\0\0\xfe\xff", "UTF-32 (big-endian)"),
    (b"\xff\xfe", "UTF-16 (little-endian)"), (b"\xfe\xff", "UTF-16 (big-endian)"),
)


def other_unicode_encoding(head: bytes) -> str | None:
    """The UTF-16 or UTF-32 encoding a file starting with `head` seems to have (by its byte-order
    mark, or the zero bytes of its ASCII characters), or None."""
    found = next((name for mark, name in _BOMS if head.startswith(mark)), None)
    if found is None and b"\0" in head:
        found = _unmarked_encoding(head)
    return found


def encoding_problem(head: bytes, expected: str) -> str | None:
    """Why a file starting with `head` cannot be read as UTF-8 text, naming the encoding it seems to
    have (UTF-16 or UTF-32, with or without a byte-order mark); None if it may be UTF-8."""
    found = other_unicode_encoding(head)
    if found is None:
        return f"is not a text file; expected {expected}" if b"\0" in head else None
    return f"is encoded as {found}; expected {expected} as UTF-8 text (save the file as UTF-8)"


def _unmarked_encoding(head: bytes) -> str | None:
    """UTF-16 or UTF-32 text without a byte-order mark, told by the zero bytes of its ASCII characters."""
    for width, name in ((4, "UTF-32"), (2, "UTF-16")):
        sample = head[: 64 - 64 % width]
        if len(sample) < width:
            continue
        lanes = [sample[i::width] for i in range(width)]
        zero = [lane.count(0) == len(lane) for lane in lanes]
        none_zero = [lane.count(0) == 0 for lane in lanes]
        if none_zero[0] and all(zero[1:]):
            return f"{name} (little-endian)"
        if none_zero[-1] and all(zero[:-1]):
            return f"{name} (big-endian)"
    return None


def _syntax_problem(exc: yaml.YAMLError, text: str, file: str) -> Problem:
    if isinstance(exc, yaml.reader.ReaderError):
        at_line = text.count("\n", 0, exc.position) + 1
        char = exc.character if isinstance(exc.character, int) else ord(exc.character)
        return Problem(file, f"YAML syntax error: control character U+{char:04X} is not allowed in YAML text", at_line)
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    if line is not None:  # an error found at the end of the text belongs to its last line
        line = min(line, max(1, text.count("\n") + (0 if text.endswith("\n") else 1)))
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if "maximum nesting depth" in problem:  # libyaml's own limit (1000), far past MAX_DEPTH
        # The text up to the parser's stop holds the first place too deep; what follows is never read.
        end = text.find("\n", mark.index) if mark is not None else -1
        place = _first_too_deep(text if end < 0 else text[:end])
        return Problem(file, DEPTH_MESSAGE, *place) if place is not None else Problem(file, DEPTH_MESSAGE, line)
    message = f"YAML syntax error: {problem}"
    context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context:
        if context_mark is not None and context_mark.line + 1 != line:
            context += f" that starts at line {context_mark.line + 1}"
        message += f" ({context})"
    return Problem(file, message, line)


def _first_too_deep(text: str) -> tuple[int, str | None] | None:
    """The line and field of the first collection nested deeper than MAX_DEPTH, read event by event,
    so that the search stops long before the parser's own limit; None if there is none."""
    # One frame per open collection: [is a mapping, expecting a key, the current key or index].
    frames: list[list[Any]] = []

    def place() -> tuple[str | int, ...]:
        return tuple(frame[2] for frame in frames if frame[2] is not None)

    def took_value() -> None:
        if frames:
            frame = frames[-1]
            if frame[0]:
                frame[1] = True
            else:
                frame[2] = 0 if frame[2] is None else frame[2] + 1

    try:  # PyYAML's own parser: libyaml's scanner reads ahead and stops at its limit before any event
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                if frames and not frames[-1][0]:
                    took_value()  # a list's entry counts when it starts
                if len(frames) >= MAX_DEPTH:
                    path = place()
                    start = event.start_mark
                    assert start is not None  # the parser marks every event
                    return start.line + 1, field_path(path) if path else None
                frames.append([isinstance(event, yaml.MappingStartEvent), True, None])
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                frames.pop()
                if frames and frames[-1][0]:
                    took_value()
            elif isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent)):
                if frames and frames[-1][0] and frames[-1][1]:
                    frames[-1][1], frames[-1][2] = False, getattr(event, "value", None)
                else:
                    took_value()
    except yaml.YAMLError:
        return None
    return None


def _duplicate_problems(loader: _Loader, root: Node, file: str) -> list[Problem]:
    problems = []
    for mapping, first, again in loader.duplicates:
        path = _path_to(root, mapping)
        name = field_path((*path, again.value)) if path is not None else again.value
        problems.append(Problem(
            file,
            f'duplicate key "{again.value}" (first given at line {first.start_mark.line + 1}); '
            "each key may appear only once",
            again.start_mark.line + 1, name))
    loader.duplicates.clear()
    return problems


def _refused_problems(loader: _Loader, root: Node, file: str) -> list[Problem]:
    problems = []
    for node, message in loader.refused:
        path = _path_to(root, node)
        problems.append(Problem(file, message, node.start_mark.line + 1, field_path(path) if path else None))
    loader.refused.clear()
    return problems


def _depth_problem(node: Node, root: Node, file: str) -> Problem:
    path = _path_to(root, node)
    return Problem(file, DEPTH_MESSAGE, node.start_mark.line + 1, field_path(path) if path else None)


def document_problems(loader: _Loader, root: Node, file: str) -> list[Problem]:
    """The problems of a document built by `loader` from `root` (shared with the streamed case reader)."""
    return _duplicate_problems(loader, root, file) + _refused_problems(loader, root, file)


def construct_checked(loader: _Loader, root: Node, file: str) -> Any:
    """Build the data of a composed document; InputError if it nests too deeply, repeats a key or
    holds a refused value (a leading-zero or out-of-range number)."""
    deep = _too_deep(root)
    if deep is not None:
        raise InputError([_depth_problem(deep, root, file)])
    data = loader.construct_document(root)
    problems = document_problems(loader, root, file)
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.line or 0))
    return data


def _path_to(root: Node, target: Node) -> tuple[str | int, ...] | None:
    """The keys and indexes leading from `root` to `target` (a value or key node), or None.

    Iterative (nesting may be deep, aliases may make cycles): each node is searched once.
    """
    stack: list[tuple[Node, tuple[str | int, ...]]] = [(root, ())]
    seen: set[int] = set()
    while stack:
        node, path = stack.pop()
        if node is target:
            return path
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            for key_node, value_node in reversed(node.value):
                if key_node is target:
                    return path
                stack.append((value_node, (*path, key_node.value)))
        elif isinstance(node, SequenceNode):
            stack.extend((item, (*path, index)) for index, item in reversed(list(enumerate(node.value))))
    return None


def iter_yaml_documents(text: str, file: str) -> Iterator[YamlDocument]:
    """Yield the documents of a YAML stream one by one (empty ones skipped).

    Raises InputError at a syntax error or a duplicate key, after yielding the documents before it.
    """
    loader = _Loader(text)
    source = _LazyNodes(text)
    index = -1
    try:
        while True:
            try:
                if not loader.check_node():
                    break
                node = loader.get_node()
                assert node is not None  # check_node() said there is one
                index += 1
                data = construct_checked(loader, node, file)
            except yaml.YAMLError as exc:
                raise InputError([_syntax_problem(exc, text, file)]) from None
            except RecursionError:  # only PyYAML's pure-Python parser recurses; libyaml stops at 1000
                raise InputError.single(file, DEPTH_MESSAGE) from None
            if data is None:  # an empty document (or a bare null)
                continue
            yield YamlDocument(data, file, node.start_mark.line + 1, source, index)
            del node
    finally:
        loader.dispose()


def parse_yaml_documents(text: str, file: str) -> list[YamlDocument]:
    """Every non-empty document of a YAML stream; InputError at a syntax error or duplicate key."""
    return list(iter_yaml_documents(text, file))


def read_yaml_documents(path: str | Path) -> list[YamlDocument]:
    """Read a file (UTF-8) holding a YAML stream; InputError if unreadable, binary, empty or invalid."""
    text = read_text(path)
    name = str(path)
    if not text.strip():
        raise InputError.single(name, "is empty; expected a YAML or JSON document")
    docs = parse_yaml_documents(text, name)
    if not docs:
        raise InputError.single(
            name, "has no content (only comments or empty documents); expected a YAML or JSON document")
    return docs


def read_yaml_file(path: str | Path) -> YamlDocument:
    """Read a file holding exactly one YAML (or JSON) document."""
    docs = read_yaml_documents(path)
    if len(docs) > 1:
        raise InputError.single(
            str(path), f"holds {len(docs)} YAML documents (separated by ---); expected exactly one",
            docs[1].first_line)
    return docs[0]


# --- validation errors as problems ---------------------------------------------------------------

def field_path(loc: tuple[str | int, ...]) -> str:
    """`("incidents", 2, "at")` → `incidents[2].at`."""
    out = ""
    for part in loc:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        else:
            text = str(part) if part != "" else '""'
            out += f".{text}" if out else text
    return out


def describe_value(value: Any, limit: int = 40) -> str:
    """A short, plain rendering of a value as a file would have it: null, true, 3, "text", a list…"""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        shown = value if len(value) <= limit else value[: limit - 1] + "…"
        return '"' + shown.replace('"', '\\"') + '"'
    if isinstance(value, (list, tuple)):
        return "an empty list" if not value else "a list"
    if isinstance(value, dict):
        return "a mapping"
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


_X_NOTE = "keys beginning with x_ are kept as local extensions"
_FORCE_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


def _unwrap(annotation: Any) -> list[Any]:
    """The concrete types an annotation may stand for (Annotated, Optional and unions unwrapped)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin is typing.Union or type(annotation).__name__ == "UnionType":
        return [t for arg in typing.get_args(annotation) for t in _unwrap(arg)]
    return [annotation]


def _model_at(model: type | None, loc: tuple[str | int, ...]) -> type[pydantic.BaseModel] | None:
    """The model class that holds the field at `loc` (walking fields, list items and dict values)."""
    current: list[Any] = [model] if model is not None else []
    for part in loc:
        following: list[Any] = []
        for candidate in current:
            origin = typing.get_origin(candidate)
            if isinstance(candidate, type) and issubclass(candidate, pydantic.BaseModel):
                info = _fields(candidate).get(part) if isinstance(part, str) else None
                if info is not None:
                    following.extend(_unwrap(info.annotation))
            elif origin in (list, tuple, set, frozenset) and isinstance(part, int):
                following.extend(t for arg in typing.get_args(candidate) if arg is not Ellipsis for t in _unwrap(arg))
            elif origin is dict:
                args = typing.get_args(candidate)
                if len(args) == 2:
                    following.extend(_unwrap(args[1]))
        current = following
    for candidate in current:
        if isinstance(candidate, type) and issubclass(candidate, pydantic.BaseModel):
            return candidate
    return None


def _fields(model: type[pydantic.BaseModel]) -> dict[str, Any]:
    """A model's fields as a file has them: a case model's internal `x_extensions` left out."""
    return {name: info for name, info in model.model_fields.items() if name not in INTERNAL_FIELDS}


def _choices(expected: str) -> list[str]:
    return [quoted or bare for quoted, bare in re.findall(r"'((?:[^'\\]|\\.)*)'|([^\s',]+(?= or |,|$))", expected)]


def _suggestion(word: Any, options: list[str]) -> str:
    if not isinstance(word, str) or not options:
        return ""
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if not close:
        lowered = {o.lower(): o for o in options}
        close = [lowered[word.lower()]] if word.lower() in lowered else []
    return f'; did you mean "{close[0]}"?' if close else ""


def _message(error: ErrorDetails, model: type | None) -> str:
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    got = describe_value(value)
    loc = error["loc"]
    if kind == "extra_forbidden":
        name = loc[-1] if loc else "?"
        owner = _model_at(model, tuple(loc[:-1])) if model is not None else None
        if owner is None:
            return f'unknown field "{name}" ({_X_NOTE})'
        allowed = list(_fields(owner))
        hint = _suggestion(name, allowed)
        if hint:
            return f'unknown field "{name}"{hint} ({_X_NOTE})'
        return f'unknown field "{name}"; expected one of: {", ".join(allowed)} ({_X_NOTE})'
    if kind == "missing":
        return "required field is missing"
    if kind == "literal_error":
        options = _choices(ctx.get("expected", ""))
        return f"{got} is not one of {', '.join(options)}{_suggestion(value, options)}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"expected a whole number, got {got}"
    if kind in ("float_type", "float_parsing"):
        return f"expected a number, got {got}"
    if kind in ("bool_type", "bool_parsing"):
        return f"expected true or false, got {got}"
    if kind in ("list_type", "tuple_type", "set_type"):
        return f"expected a list (use [] for none), got {got}"
    if kind in ("string_type", "string_unicode"):
        return f"expected text, got {got}"
    if kind in ("model_type", "model_attributes_type", "dataclass_type"):
        return f"expected a mapping of fields, got {got}"
    if kind == "dict_type":
        return f"expected a mapping (key: value pairs), got {got}"
    if kind == "greater_than_equal":
        return f"must be at least {ctx.get('ge')}, got {got}"
    if kind == "less_than_equal":
        return f"must be at most {ctx.get('le')}, got {got}"
    if kind == "greater_than":
        return f"must be more than {ctx.get('gt')}, got {got}"
    if kind == "less_than":
        return f"must be less than {ctx.get('lt')}, got {got}"
    if kind == "string_pattern_mismatch":
        if ctx.get("pattern") == IDENTIFIER_PATTERN and isinstance(value, str):
            return identifier_problem(value)
        if ctx.get("pattern") == TEXT_PATTERN and isinstance(value, str):
            return text_problem(value)
        if ctx.get("pattern") == _FORCE_PATTERN:
            return f"expected lower-case words joined by hyphens, e.g. west-midlands, got {got}"
        return f"{got} does not have the expected form ({ctx.get('pattern')})"
    if kind == "string_too_short":
        if ctx.get("min_length") == 1:
            return "must not be empty"
        return f"must have at least {ctx.get('min_length')} characters, got {got}"
    if kind == "string_too_long":
        length = f", got {len(value):,}" if isinstance(value, str) else ""
        return f"must have at most {ctx.get('max_length'):,} characters{length}"
    if kind == "too_short":
        return f"must have at least {ctx.get('min_length')} entries"
    if kind == "too_long":
        return f"must have at most {ctx.get('max_length')} entries"
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    if kind == "assertion_error":
        return str(error["msg"]).removeprefix("Assertion failed, ")
    return str(error["msg"])


def validation_problems(
    error: pydantic.ValidationError, doc: YamlDocument, prefix: tuple[str | int, ...] = (), *,
    model: type | None = None,
) -> list[Problem]:
    """One Problem per pydantic error, located at its line in `doc`.

    `prefix` is prepended to every error's location (when a part of the document was validated);
    `model`, the class validated at `prefix`, lets an unknown field be answered with the allowed
    names (and a "did you mean" suggestion).
    """
    problems = []
    for err in error.errors(include_url=False):
        loc = tuple(err["loc"])
        message = _message(err, model)
        if "[key]" in loc:  # the error is about a mapping key itself
            loc = loc[: loc.index("[key]")]
            message = f"key {message}"
        full = (*prefix, *loc)
        problems.append(Problem(doc.file, message, doc.line_of(full), field_path(full) or None))
    problems.sort(key=lambda p: p.line or 0)  # in file order (stable: pydantic's order within a line)
    return problems


def located_problem(doc: YamlDocument, loc: tuple[str | int, ...], message: str) -> Problem:
    """A Problem at the line of `loc` in `doc`, with `loc` as its dotted field path."""
    return Problem(doc.file, message, doc.line_of(loc), field_path(loc) or None)
