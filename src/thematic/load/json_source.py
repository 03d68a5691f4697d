"""Reading JSON and JSON Lines text with the YAML reader's rules, so that every format reads alike.

A key given twice in an object, a number that is not finite or is larger than MAX_NUMBER, and
nesting deeper than MAX_DEPTH are refused with their place (the field, and the line or the
position); no text, however it is built, makes the reader fail with a Python error (a
RecursionError, or the 4,300-digit limit of `int`).

The checks ride on `json.loads`' own hooks, so a clean record costs one Python call per object
and per number; only a refused record is parsed a second time, to find where the problem is.
"""
from __future__ import annotations

import json
import re
from typing import Any

from thematic.core.errors import InputError, Problem
from thematic.load.yaml_source import (
    DEPTH_MESSAGE,
    MAX_DEPTH,
    MAX_NUMBER,
    YamlDocument,
    field_path,
    iter_yaml_documents,
    number_problem,
)

__all__ = ["JsonRefused", "DEPTH_MESSAGE", "decode", "decode_record", "too_deep", "refused_problems",
           "read_json_document"]

_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}:,]')  # strings (skipped whole) and structure


class JsonRefused(ValueError):
    """JSON text that parses but may not be read: what is wrong, and where (`loc`, or `position`)."""

    def __init__(self, message: str, loc: tuple[str | int, ...] = (), position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.loc = loc
        self.position = position  # offset in the text, where the field path alone would not find it


class _Refusal(Exception):
    """Raised by the parsing hooks; turned into a located JsonRefused."""


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _Refusal
    return result


def _int(text: str) -> int:
    value = int(text) if len(text) <= 20 else MAX_NUMBER + 1  # int() refuses over 4,300 digits
    if -MAX_NUMBER <= value <= MAX_NUMBER:
        return value
    raise _Refusal


def _float(text: str) -> float:
    value = float(text)
    if number_problem(text, value) is not None:
        raise _Refusal
    return value


def _constant(text: str) -> float:
    raise _Refusal  # NaN, Infinity, -Infinity: Python's json reads them, the JSON standard does not


def too_deep(text: str | bytes) -> int | None:
    """Offset of the first `{` or `[` nested deeper than MAX_DEPTH in JSON text, or None.

    Counting brackets settles almost every text at C speed; only a text with more brackets than
    MAX_DEPTH is scanned (strings skipped whole, so brackets inside them do not count).
    """
    if isinstance(text, bytes):
        if text.count(b"{") + text.count(b"[") <= MAX_DEPTH:
            return None
        text = text.decode("utf-8", "replace")
    elif text.count("{") + text.count("[") <= MAX_DEPTH:
        return None
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match[0]
        if token in "{[":
            depth += 1
            if depth > MAX_DEPTH:
                return match.start()
        elif token in "}]":
            depth -= 1
    return None


def _path_at(text: str, position: int) -> tuple[str | int, ...]:
    """The keys and indexes leading to the value that starts at `position` (a bracket)."""
    stack: list[list[Any]] = []  # per open container: [is a list, current key or index]
    last = ""
    for match in _TOKENS.finditer(text, 0, position):
        token = match[0]
        if token[0] == '"':
            last = token
        elif token == ":" and stack:
            try:
                stack[-1][1] = json.loads(last)
            except ValueError:
                stack[-1][1] = last.strip('"')
        elif token == "," and stack and stack[-1][0]:
            stack[-1][1] += 1
        elif token in "{[":
            stack.append([token == "[", 0 if token == "[" else ""])
        elif token in "}]" and stack:
            stack.pop()
    return tuple(part for _, part in stack)


class _Marked(dict):  # type: ignore[type-arg]
    """An object of a refused text's second parse, carrying the key it repeats."""

    repeated: str | None = None


class _Bad:
    """A refused number or constant of a refused text's second parse."""

    def __init__(self, text: str, message: str) -> None:
        self.text, self.message = text, message


def _marked_pairs(pairs: list[tuple[str, Any]]) -> _Marked:
    result = _Marked(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                result.repeated = key
                break
            seen.add(key)
    return result


def _bad_int(text: str) -> Any:
    value = int(text) if len(text) <= 20 else MAX_NUMBER + 1
    if -MAX_NUMBER <= value <= MAX_NUMBER:
        return value
    shown = text if len(text) <= 24 else f"{text[:23]}… ({len(text):,} digits)"
    return _Bad(text, f"{shown} is too large: a number may be at most {MAX_NUMBER:,} either side of zero")


def _bad_float(text: str) -> Any:
    value = float(text)
    problem = number_problem(text, value)
    return value if problem is None else _Bad(text, problem)


def _bad_constant(text: str) -> Any:
    return _Bad(text, f"{text} is not a finite number; write a number such as 12 or 0.5")


def _first_refusal(data: Any) -> tuple[str, tuple[str | int, ...]]:
    """The first refused key or value of a second parse, in the order of the text, and its path."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, _Bad):
            return value.message, path
        if isinstance(value, _Marked) and value.repeated is not None:
            return f'duplicate key "{value.repeated}"; each key may appear only once', (*path, value.repeated)
        if isinstance(value, dict):
            stack.extend((item, (*path, key)) for key, item in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((item, (*path, index)) for index, item in reversed(list(enumerate(value))))
    return "could not be read", ()


def _deeper_than_limit(data: Any) -> bool:
    """True if parsed data nests objects and lists more than MAX_DEPTH deep (iterative)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        for item in value.values() if type(value) is dict else value:
            if type(item) is dict or type(item) is list:
                stack.append((item, depth + 1))
    return False


def _depth_refused(text: str | bytes) -> JsonRefused:
    whole = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    position = too_deep(whole)
    return JsonRefused(DEPTH_MESSAGE, _path_at(whole, position) if position is not None else (), position)


def decode(text: str | bytes) -> Any:
    """The data of one JSON text; json.JSONDecodeError at a syntax error, JsonRefused at a key
    given twice, a number out of range or nesting deeper than MAX_DEPTH."""
    if too_deep(text) is not None:
        raise _depth_refused(text)
    return _parse(text)


def decode_record(raw: bytes) -> Any:
    """Like `decode`, for a record of a JSON Lines file, where speed counts.

    The fields of the format nest 3 deep and are typed, so deeper nesting can only be wrong (the
    case's validation says so) or sit in an `x_` extension: only a record with one is measured.
    Nesting deep enough to exhaust Python's stack is caught whatever the record holds.
    """
    data = _parse(raw)
    if b'"x_' in raw and type(data) is dict and raw.count(b"{") + raw.count(b"[") > MAX_DEPTH \
            and _deeper_than_limit(data):
        raise _depth_refused(raw)
    return data


#: One decoder for every text: `json.loads` with hooks would build a new one (and its scanner) each call.
_DECODER = json.JSONDecoder(object_pairs_hook=_unique, parse_int=_int, parse_float=_float, parse_constant=_constant)


def _parse(text: str | bytes) -> Any:
    try:
        # utf-8-sig: a byte-order mark may open a file's first line, as json.loads(bytes) allows.
        return _DECODER.decode(text.decode("utf-8-sig") if isinstance(text, bytes) else text)
    except _Refusal:
        data = json.loads(text, object_pairs_hook=_marked_pairs, parse_int=_bad_int, parse_float=_bad_float,
                          parse_constant=_bad_constant)
        raise JsonRefused(*_first_refusal(data)) from None
    except RecursionError:
        raise _depth_refused(text) from None


def refused_problems(text: str, name: str, refused: JsonRefused) -> list[Problem]:
    """`refused` located in the JSON file `name` whose text is `text`: its line and field."""
    line: int | None
    if refused.position is not None:
        line = text.count("\n", 0, refused.position) + 1
    elif refused.message.startswith("duplicate key"):
        # Read as YAML (nearly a superset of JSON), a repeated key is found with its first place.
        try:
            for _ in iter_yaml_documents(text, name):
                pass
        except InputError as exc:
            duplicates = [p for p in exc.problems if p.message.startswith("duplicate key")]
            if duplicates:
                return duplicates
        line = YamlDocument.from_text(None, name, 1, text).line_of(refused.loc)
    else:
        line = YamlDocument.from_text(None, name, 1, text).line_of(refused.loc)
    return [Problem(name, refused.message, line, field_path(refused.loc) or None)]


def read_json_document(text: str, name: str) -> YamlDocument:
    """The one JSON document of a file's text, its lines found when needed; InputError at a syntax
    error or a refused key, number or nesting (each with its line)."""
    try:
        data = decode(text)
    except json.JSONDecodeError as exc:
        raise InputError.single(name, f"invalid JSON: {exc.msg} (column {exc.colno})", exc.lineno) from None
    except JsonRefused as exc:
        raise InputError(refused_problems(text, name, exc)) from None
    stripped = len(text) - len(text.lstrip())
    return YamlDocument.from_text(data, name, text.count("\n", 0, stripped) + 1, text)
