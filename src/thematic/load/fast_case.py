"""A JSON Lines case validated in one pass of pydantic-core from its raw bytes: the caseload hot path.

Validating a case with the `Case` model costs about five times reading its JSON: every object
runs a Python-level validator, every time another, and every object becomes a pydantic model. Here
the same constraints (types, lengths, ranges, patterns, choices) are checked by a schema of typed
dictionaries derived from the models in `model/case.py`, run by pydantic-core on the raw bytes of
the line, without any Python-level validator, for about the cost of `json.loads`. What stays in
Python is what the models do in Python: a time in one of its common shapes (the schema checks the
shape; any other goes the ordinary way) is converted by the model's own converter
(`model.base.plain_datetime`), a date likewise, and a case id has its normal-form check; and the
keys are counted: pydantic-core keeps the last of a key given twice and drops unknown keys, so a
line is taken only if its text has exactly as many keys as the validated dictionaries hold.

This path only ever accepts. A record it does not take as it is (any problem at all, an `x_`
extension key, a key given twice, text it cannot be sure of) gives None, and the caller validates
it the ordinary way (`load.cases.validate_case`), which words and locates its problems as ever.
What it accepts becomes light read-only records (`Record`) with the model's field names and
values, which scoring reads as it reads the models; tests/test_fast_case.py holds the two paths
to the same values on generated and hostile records.
"""
from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, NotRequired

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from pydantic.functional_validators import AfterValidator, BeforeValidator
from typing_extensions import TypedDict

from thematic.model.base import (
    _DAY_SHIFTS,
    PLAIN_DATETIME_PATTERN,
    FileModel,
    _check_case_id,
    _to_date,
    file_fields,
    plain_datetime,
)
from thematic.model.case import SECTIONS, Case

__all__ = ["Record", "CaseRecord", "fast_case", "fast_case_data", "record_classes"]

# Unknown keys are dropped by the schema and refused by the key count (`fast_case`, `fast_case_data`):
# the validated dictionaries then hold fewer keys than the text has. Refused by pydantic-core instead,
# they cost a sixth of its time on a 2 KB case (0.3 s over 40,000 lines, measured).
_WIRE_CONFIG = ConfigDict(extra="ignore", strict=True)
_PLAIN_DATETIME_TEXT = Annotated[str, Field(pattern=PLAIN_DATETIME_PATTERN)]
# A key followed by white space before its colon: the key count below could not vouch for it.
_SPACED_KEY = re.compile(rb'"[ \t\r\n]+:')


def _spaced_key(raw: bytes) -> bool:
    """Whether a key of `raw` is followed by white space before its colon (see `_SPACED_KEY`).

    White space before a colon is a space (` :`), or a tab, a carriage return or a new line anywhere
    but at the end: one scan for two bytes and three for one byte (memchr), a quarter cheaper than
    the pattern, which stops at every quote; the pattern settles the rare line they flag."""
    return ((b" :" in raw or b"\t" in raw or b"\r" in raw or raw.find(b"\n", 0, -1) >= 0)
            and _SPACED_KEY.search(raw) is not None)


class Record:
    """A validated object of a case file: the fields of its model, read-only by convention."""

    __slots__ = ()
    _fields: tuple[str, ...] = ()

    def __eq__(self, other: object) -> bool:  # as pydantic models compare: same type, same fields
        return type(other) is type(self) and all(getattr(self, f) == getattr(other, f) for f in self._fields)

    def __hash__(self) -> int:
        return hash((type(self).__name__, *(getattr(self, f) for f in self._fields)))

    if TYPE_CHECKING:  # the fields are its model's, set by generated code
        def __getattr__(self, name: str) -> Any: ...

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{f}={getattr(self, f)!r}' for f in self._fields)})"


class CaseRecord(Record):
    """A case as the fast path reads it; `absent` are the sections its export did not capture."""

    __slots__ = ("absent",)
    absent: frozenset[str]

    def absent_sections(self) -> frozenset[str]:
        return self.absent


# --- the schema: the models' constraints as typed dictionaries, without Python-level validators ----

# `fast_case_data` checks every time in pydantic-core, as `plain_datetime` would read it, by a
# stricter pattern: a real day (leap years as the calendar has them, 1900 and 2100 not) and a clock
# reading in range. What it refuses goes the ordinary way (`fast_case`), which converts it or words why.
_YEAR = "(?:19[0-9]{2}|20[0-9]{2}|2100)"
_LEAP_YEAR = "(?:19(?:0[48]|[2468][048]|[13579][26])|20(?:0[048]|[2468][048]|[13579][26]))"
_REAL_DAY = (f"(?:{_YEAR}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
             f"|02-(?:0[1-9]|1[0-9]|2[0-8]))|{_LEAP_YEAR}-02-29)")
REAL_DATETIME_PATTERN = f"^{_REAL_DAY}[T ](?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\\.[0-9]{{1,6}})?)?Z?$"
_REAL_DATETIME_TEXT = Annotated[str, Field(pattern=REAL_DATETIME_PATTERN)]
_REAL_DATE_TEXT = Annotated[str, Field(pattern=f"^{_REAL_DAY}$")]  # what parse_date takes, without spaces



def _wire_type(annotation: Any, wire: dict[type, Any], real: bool = False) -> Any:
    """`annotation` of a model field as the wire schema checks it (see the module's docstring); `real`:
    with times and dates only of real days and clock readings, in their plain forms (`fast_case_data`)."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        base, *metadata = typing.get_args(annotation)
        kept = [m for m in metadata if not isinstance(m, (BeforeValidator, AfterValidator))]
        converted = _wire_type(base, wire, real)
        if base is datetime or base is date:  # its text, converted in Python
            return converted
        return Annotated[(converted, *kept)] if kept else converted
    if origin in (typing.Union, types.UnionType):
        args = tuple(_wire_type(a, wire, real) for a in typing.get_args(annotation))
        return typing.Union[args]  # noqa: UP007 - built from a tuple
    if origin is list:
        return list[_wire_type(typing.get_args(annotation)[0], wire, real)]  # type: ignore[misc]
    if origin is dict:
        key, value = typing.get_args(annotation)
        return dict[_wire_type(key, wire, real), _wire_type(value, wire, real)]  # type: ignore[misc]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _typed_dict(annotation, wire, real)
    if annotation is datetime:  # the common shapes only, checked here; `plain_datetime` converts them
        return _REAL_DATETIME_TEXT if real else _PLAIN_DATETIME_TEXT
    if annotation is date:
        return _REAL_DATE_TEXT if real else str
    return annotation


def _field_annotation(info: Any) -> Any:
    return Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation


def _typed_dict(model: type[BaseModel], wire: dict[type, Any], real: bool = False) -> Any:
    if model not in wire:
        fields = {}
        for name, info in file_fields(model).items():
            kind = _wire_type(_field_annotation(info), wire, real)
            fields[name] = kind if info.is_required() else NotRequired[kind]
        typed = TypedDict(model.__name__, fields)  # type: ignore[misc]  # the functional form, from the model
        typed.__pydantic_config__ = _WIRE_CONFIG  # type: ignore[attr-defined]
        wire[model] = typed
    return wire[model]


# --- records: the validated dictionaries turned into objects, built by generated code ----------------

class _Builders:
    """Generates, once, one function per model that turns its validated dictionary into a Record."""

    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {
            "_dt": plain_datetime, "_fromiso": datetime.fromisoformat, "_shifts": _DAY_SHIFTS,
            "_date": _to_date, "_case_id": _check_case_id, "_Record": Record, "_CaseRecord": CaseRecord,
            "_absent": _absent, "_counted": _counted}
        self.done: set[type[BaseModel]] = set()
        self.source: list[str] = []

    def model(self, model: type[BaseModel]) -> str:
        name = model.__name__
        if model in self.done:
            return f"_build_{name}"
        self.done.add(model)
        fields = tuple(file_fields(model))
        base = "_CaseRecord" if model is Case else "_Record"
        lines = [f"class {name}({base}):", f"    __slots__ = {fields!r}", f"    _fields = {fields!r}",
                 f"_cls_{name} = {name}",
                 f"def _build_{name}(d, n):",
                 "    n[0] += len(d)",
                 f"    o = _cls_{name}.__new__(_cls_{name})"]
        for field, info in file_fields(model).items():
            read = f"d[{field!r}]"
            if not info.is_required():
                default = f"_default_{name}_{field}"
                if info.default_factory is not None:
                    self.namespace[default] = info.default_factory
                    read = f"(d[{field!r}] if {field!r} in d else {default}())"
                else:
                    self.namespace[default] = info.default
                    read = f"d.get({field!r}, {default})"
            lines.append(f"    o.{field} = {self.convert(_field_annotation(info), read, model, field)}")
        if model is Case:
            lines.append("    o.absent = _absent(d)")
        lines.append("    return o")
        self.source.append("\n".join(lines))
        return f"_build_{name}"

    def convert(self, annotation: Any, value: str, model: type[BaseModel], field: str) -> str:
        """Python text converting the validated `value` of `annotation` to the model's value."""
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            base, *metadata = typing.get_args(annotation)
            text = self.convert(base, value, model, field)
            if any(isinstance(m, AfterValidator) and m.func is _check_case_id for m in metadata):
                return f"_case_id({text})"
            return text
        if origin in (typing.Union, types.UnionType):
            inner = [a for a in typing.get_args(annotation) if a is not type(None)]
            converted = self.convert(inner[0], "_v", model, field) if len(inner) == 1 else "_v"
            if converted == "_v":
                return value
            return f"(None if (_v := {value}) is None else {converted})"
        if origin is list:
            converted = self.convert(typing.get_args(annotation)[0], "_e", model, field)
            return value if converted == "_e" else f"[{converted} for _e in {value}]"
        if origin is dict:  # its keys are counted too (see fast_case)
            converted = self.convert(typing.get_args(annotation)[1], "_e", model, field)
            return f"{{_k: {converted} for _k, _e in _counted({value}, n).items()}}"
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return f"{self.model(annotation)}({value}, n)"
        if annotation is datetime:
            # `plain_datetime` written out for a local time on a day whose offset is known; any
            # other time (UTC, a day with a clock change or not seen yet) goes through it.
            return (f"(_fromiso(_w + '+00:00') - _s if (_s := _shifts.get((_w := {value})[:10])) is not None"
                    f" and _w[-1] != 'Z' else _dt(_w))")
        if annotation is date:
            return f"_date({value})"
        return value

    def compile(self) -> dict[str, Any]:
        exec("\n".join(self.source), self.namespace)  # noqa: S102 - our own text, from the models' fields
        return self.namespace


_ALL_SECTIONS = frozenset(SECTIONS)
_NONE_ABSENT: frozenset[str] = frozenset()


def _absent(data: dict[str, Any]) -> frozenset[str]:
    if data.keys() >= _ALL_SECTIONS:
        return _NONE_ABSENT
    return frozenset(s for s in SECTIONS if s not in data)


def _counted(data: dict[str, Any], keys: list[int]) -> dict[str, Any]:
    keys[0] += len(data)
    return data


def _prepare() -> tuple[Callable[[bytes], Any], Callable[[Any, list[int]], CaseRecord]]:
    validator = TypeAdapter(_typed_dict(Case, {})).validator.validate_json  # not the adapter's wrapper: 1 µs a call
    builders = _Builders()
    name = builders.model(Case)
    return validator, builders.compile()[name]


_PREPARED: list[Any] = []  # (validator, builder) once made: on first use, not when the CLI starts


def _prepared() -> tuple[Callable[[bytes], Any], Callable[[Any, list[int]], CaseRecord]]:
    if not _PREPARED:
        _PREPARED.extend(_prepare())
    return _PREPARED[0], _PREPARED[1]


def record_classes() -> dict[str, type[Record]]:
    """The record classes, by model name."""
    build = _prepared()[1]
    return {model.__name__: build.__globals__[model.__name__]
            for model in FileModel.__subclasses__() if model.__name__ in build.__globals__}


def fast_case(raw: bytes) -> CaseRecord | None:
    """The case of one JSON Lines record if it is valid beyond doubt, else None (validate it the usual way)."""
    validate, build = _PREPARED if _PREPARED else _prepared()
    try:
        data = validate(raw)
    except ValidationError:
        return None
    if type(data) is not dict:
        return None
    keys = [0]
    try:
        case = build(data, keys)
    except (ValueError, TypeError, OverflowError):  # a time or id the models refuse: they word why
        return None
    # pydantic-core keeps the last of a key given twice, where the case-file reader refuses it, and
    # drops unknown keys: the record holds exactly as many keys as its text has key separators only
    # if none is repeated or unknown (and no separator is inside a value).
    if raw.count(b'":') != keys[0] or _spaced_key(raw):
        return None
    return case


# --- the same acceptance without building records: for a run that scores outside Python -----------

def _nested(model: type[BaseModel]) -> dict[str, type[BaseModel] | tuple[str, type[BaseModel]]]:
    """The fields of `model` holding models: a model, or ("list", model) / ("dict", model)."""
    out: dict[str, type[BaseModel] | tuple[str, type[BaseModel]]] = {}
    for field, info in file_fields(model).items():
        annotation = info.annotation
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        kind = inner[0] if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(inner) == 1 \
            else annotation
        origin = typing.get_origin(kind)
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            out[field] = kind
        elif origin in (list, dict):
            arg = typing.get_args(kind)[-1]
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                out[field] = ("list" if origin is list else "dict", arg)
    return out


def _nullable(model: type[BaseModel], field: str) -> bool:
    return type(None) in typing.get_args(file_fields(model)[field].annotation)


def _fixed_keys(model: type[BaseModel]) -> int | None:
    """How many keys a validated `model` dictionary holds, with those of every object in it, if always
    as many: every field required, and each object in it one (not null) of a model with a fixed count."""
    fields = file_fields(model)
    if not all(info.is_required() for info in fields.values()):
        return None
    total = len(fields)
    for field, kind in _nested(model).items():
        inner = None if isinstance(kind, tuple) or _nullable(model, field) else _fixed_keys(kind)
        if inner is None:
            return None
        total += inner
    return total


def _counter_source(model: type[BaseModel], done: dict[type[BaseModel], str], source: list[str]) -> str:
    """Generated code counting the keys of a validated `model` dictionary and of every object in it.

    One expression: objects of a model whose every field is required (and whose objects are too)
    hold exactly its fields (any other key is dropped), so a list of them counts as a multiple of its
    length; the other objects without objects in them are counted by `len`, in C."""
    name = f"_count_{model.__name__}"
    if model in done:
        return name
    done[model] = name
    terms = ["len(d)"]
    for field, kind in _nested(model).items():
        required = file_fields(model)[field].is_required()
        get = f"d[{field!r}]" if required else f"g({field!r})"
        # absent, null or empty: nothing to count
        items = get if required and not _nullable(model, field) else f"{get} or ()"
        if isinstance(kind, tuple):
            where, item = kind
            per_item = _fixed_keys(item)
            if where == "dict":  # its own keys, then its objects'
                if per_item is not None:
                    terms.append(f"{per_item + 1} * len({items})")
                else:
                    counter = _counter_source(item, done, source) if _nested(item) else "len"
                    terms.append(f"(len(v) + sum(map({counter}, v.values())) if (v := {get}) else 0)")
            elif per_item is not None:
                terms.append(f"{per_item} * len({items})")
            else:
                counter = _counter_source(item, done, source) if _nested(item) else "len"
                terms.append(f"sum(map({counter}, {items}))")
        elif not _nested(kind):
            terms.append(f"len({items})")
        elif (fixed := _fixed_keys(kind)) is not None:
            terms.append(f"({fixed} if {get} is not None else 0)")
        else:
            terms.append(f"({_counter_source(kind, done, source)}(v) if (v := {get}) is not None else 0)")
    body = "\n            + ".join(terms)
    source.append(f"def {name}(d):\n    g = d.get\n    return ({body})")
    return name


_CHECKER: list[Any] = []  # (validator with real times and dates, key counter) once made


def _checker() -> tuple[Callable[[bytes], Any], Callable[[dict[str, Any]], int]]:
    if not _CHECKER:
        source: list[str] = []
        name = _counter_source(Case, {}, source)
        namespace: dict[str, Any] = {}
        exec("\n".join(source), namespace)  # noqa: S102 - our own text, from the models' fields
        _CHECKER.extend((TypeAdapter(_typed_dict(Case, {}, real=True)).validator.validate_json, namespace[name]))
    return _CHECKER[0], _CHECKER[1]


def fast_case_data(raw: bytes) -> dict[str, Any] | None:
    """The validated data of a JSON Lines case if `fast_case` would take it, without building its record.

    For a run that scores the line's text elsewhere (the columnar path of scoring/stream.py), which
    must be sure the case is valid exactly as the models read it. Never accepts what `fast_case`
    refuses (tests/test_columnar_stream.py); it gives None for more lines than `fast_case` does
    (a date not written YYYY-MM-DD, a time on a day whose text is not a real day): the caller then
    uses `fast_case`."""
    validate, count = _CHECKER if _CHECKER else _checker()
    try:
        data = validate(raw)
    except ValidationError:
        return None
    if type(data) is not dict:
        return None
    try:
        _check_case_id(data["case_id"])
    except ValueError:  # an id the model refuses
        return None
    if raw.count(b'":') != count(data) or _spaced_key(raw):
        return None
    return data

