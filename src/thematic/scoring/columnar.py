"""A criteria set compiled to one DuckDB query: every criterion's state of a batch of case lines at once.

The Python evaluator (`scoring.evaluate.Scorer`) stays the reference and the fallback. This module
only writes SQL text: `columnar_plan` translates each checked expression of the set (parsed again from
its checked source with `ast`, the same parser `scoring.expr` uses) into a DuckDB expression over the
columns `read_json` gives for a case line, and the decisions of `evaluate` (applicability, then met,
then evidenced; `each`; judgements; dated criteria; the suggested grade) into one SELECT. Anything it
cannot translate exactly gives None, and the caller keeps the Python path for every case.

What the query cannot be sure of for one case, it does not decide: the row is marked `_bounce` and
scored in Python (a time text DuckDB would read otherwise than `model.base.plain_datetime`, a time or
date before 1972, when London's clocks last changed other than twice a year by an hour, a list long
enough that the Python path might go over its limits, arithmetic that might pass its limit, an answer
not in a criterion's list, a per-entry criterion over a missing list). Sections the export did not
capture never reach the query (the caller routes such cases to Python), so there is no "not known"
here: null is null.

Values in SQL: a time is BIGINT microseconds since 1900-01-01T00:00 UTC, a date BIGINT days since
1900-01-01 (a Monday), so that comparisons and differences are integer arithmetic; London local times
are converted with a table of each year's summer time worked out here from `zoneinfo` (fold=0), and
working days with a table of England-and-Wales bank holidays from `holidays`, as `core.timeutil` does.
The tables are one row of lists, joined to every case row; tests/test_columnar.py holds the query to
`Scorer`'s results and its times, dates and working days to Python's own.

The query costs DuckDB about 0.3 CPU seconds to plan, each time it runs: run it over large batches.

Security: a criteria file is hostile input. Its text reaches SQL only as literals written by `_text`
(single quotes doubled, NUL refused) or numbers written from Python values; identifiers come only from
the case model's own field names and names made here.
"""
from __future__ import annotations

import ast
import math
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

from pydantic import BaseModel

from thematic.core.timeutil import LONDON, bank_holidays, start_of_local_day
from thematic.model.base import file_fields
from thematic.model.case import Case
from thematic.model.results import ERROR, MET, NOT_APPLICABLE, NOT_EVIDENCED, NOT_MET, PENDING, STATES
from thematic.scoring.criteria import CompiledCriterion, CriteriaSet
from thematic.scoring.expr import LITERALS
from thematic.scoring.functions import MAX_ITEMS, MAX_MAGNITUDE, MAX_STEPS

_EPOCH_1900 = datetime(1900, 1, 1, tzinfo=UTC)
_US_PER_DAY = 86_400_000_000
#: Microseconds between 1970 (DuckDB's epoch_us) and 1900 (ours).
_SHIFT_1970 = int((datetime(1970, 1, 1, tzinfo=UTC) - _EPOCH_1900) / timedelta(microseconds=1))
#: The converted value of a time or date text the query does not read exactly as Python does: no
#: real value is negative (the format's years begin at 1900), so its presence bounces the row.
_BAD = -1
#: Largest number of working days added by one call that the query writes out (larger: Python).
_MAX_WORKING_DAYS = 200

_STATE = {state: index for index, state in enumerate(STATES)}


class _Unsupported(Exception):
    """An expression, function or shape the query cannot evaluate exactly: no plan."""


def _text(value: str) -> str:
    """A SQL string literal of `value`: single quotes doubled; NUL refused (DuckDB strings cannot hold it)."""
    if "\0" in value:
        raise _Unsupported("text with a NUL character")
    return "'" + value.replace("'", "''") + "'"


def _ident(name: str) -> str:
    """A quoted identifier; only for the case model's field names and names made here."""
    if not name.replace("_", "").isalnum() or not name.isascii():
        raise _Unsupported(f"identifier {name!r}")
    return f'"{name}"'


def _number(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _Unsupported(f"not a number: {value!r}")
    if isinstance(value, int):
        if abs(value) >= 2**62:
            raise _Unsupported("number too large")
        return f"CAST({value} AS BIGINT)"
    if not math.isfinite(value):
        raise _Unsupported("number not finite")
    return f"CAST({_text(repr(value))} AS DOUBLE)"


# --- the zone and the calendar, as tables ---------------------------------------------------------

def _us(moment: datetime) -> int:
    return (moment - _EPOCH_1900) // timedelta(microseconds=1)


@lru_cache(maxsize=1)
def _transitions() -> tuple[tuple[int, int, int], ...]:
    """London's offset changes from 1970 to 2102 as (UTC microseconds since 1900, old offset, new offset)."""
    found: list[tuple[int, int, int]] = []
    day = datetime(1970, 1, 1, tzinfo=UTC)
    end = datetime(2103, 1, 8, tzinfo=UTC)
    step = timedelta(days=28)  # from 1970 London's changes are months apart: a four-week grid misses none
    second, microsecond = timedelta(seconds=1), timedelta(microseconds=1)
    before = day.astimezone(LONDON).utcoffset()
    while day < end:
        after_moment = day + step
        after = after_moment.astimezone(LONDON).utcoffset()
        if after != before:
            low, high = day, after_moment  # the change is in (low, high]: bisect to the second
            while high - low > second:
                middle = low + (high - low) // 2 // second * second
                if middle.astimezone(LONDON).utcoffset() == before:
                    low = middle
                else:
                    high = middle
            if (high - microsecond).astimezone(LONDON).utcoffset() == before:
                low = high - microsecond  # on a whole second, as London's changes are
            while high - low > microsecond:  # otherwise, on to the microsecond
                middle = low + (high - low) / 2
                middle = middle.replace(microsecond=middle.microsecond)
                if middle.astimezone(LONDON).utcoffset() == before:
                    low = middle
                else:
                    high = middle
            assert before is not None and after is not None
            found.append((_us(high), before // timedelta(microseconds=1), after // timedelta(microseconds=1)))
            before = after
        day = after_moment
    return tuple(found)


_FIRST_YEAR, _LAST_YEAR = 1972, 2102
_FIRST_DAY = (date(_FIRST_YEAR, 1, 1) - date(1900, 1, 1)).days
_FIRST_US = _FIRST_DAY * _US_PER_DAY
_END_US = (date(2101, 1, 1) - date(1900, 1, 1)).days * _US_PER_DAY
#: A mean Gregorian year: a time's year is guessed from it, a day or two out at New Year, where no
#: clock changes (London's changes are in March and October), so the guess never matters.
_MEAN_YEAR_US = 31_556_952_000_000
_HOUR_US = 3_600_000_000
_MASK_BITS = 62


@lru_cache(maxsize=1)
def _summer_times() -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Each year's start and end of summer time (UTC microseconds since 1900), 1971 to 2102.

    From 1972 London has changed its clocks exactly twice a year, by one hour; earlier years (double
    summer time, British Standard Time) are not written out: a time before 1972 bounces to Python."""
    starts: dict[int, int] = {}
    ends: dict[int, int] = {}
    for moment, old, new in _transitions():
        year = (_EPOCH_1900 + timedelta(microseconds=moment)).year
        if year < _FIRST_YEAR - 1:
            continue
        if old == 0 and new == _HOUR_US and year not in starts:
            starts[year] = moment
        elif old == _HOUR_US and new == 0 and year not in ends:
            ends[year] = moment
        elif year >= _FIRST_YEAR:
            raise _Unsupported(f"London's clock change of {year} is not of the usual kind")
    years = range(_FIRST_YEAR - 1, _LAST_YEAR + 1)
    if any(y not in starts or y not in ends or not starts[y] < ends[y] for y in years if y >= _FIRST_YEAR):
        raise _Unsupported("a year without its two clock changes")
    return (tuple(starts.get(y, 0) for y in years), tuple(ends.get(y, 0) for y in years))


def _bigints(values: Any) -> str:
    # One text cast to a list when the query runs: a list written out costs DuckDB far more to plan.
    return "CAST(string_split('" + ",".join(str(int(v)) for v in values) + "', ',') AS BIGINT[])"


def _offset_sql(us: str, local: bool, epoch: bool = False) -> str:
    """London's offset (microseconds) at `us` (a name or a cheap expression: microseconds since 1900, UTC,
    or London wall clock if `local`, from 1972 on). A wall-clock time in the skipped or the repeated hour
    has the offset before the change (fold=0): from 1972 on, both changes take effect on the wall clock at
    the UTC moment plus one hour."""
    first = _FIRST_US - (_SHIFT_1970 if epoch else 0)  # `epoch`: `us` counts from 1970, as DuckDB's epoch_us
    index = f"(({us}) - {first - _MEAN_YEAR_US}) // {_MEAN_YEAR_US} + 1"
    start, end = ("_bst_l0", "_bst_l1") if local else ("_bst_u0", "_bst_u1")
    if epoch:
        start, end = start + "e", end + "e"
    return (f"CASE WHEN ({us}) >= {start}[{index}] AND ({us}) < {end}[{index}] "
            f"THEN {_HOUR_US} ELSE 0 END")


@lru_cache(maxsize=1)
def _tables() -> str:
    """The one-row table of lists the query's expressions index: summer time and bank holidays."""
    starts, ends = _summer_times()
    working = frozenset(_working())
    last = (date(_LAST_YEAR, 12, 31) - date(1900, 1, 1)).days
    masks = []
    for block in range(_FIRST_DAY, last + 1, _MASK_BITS):
        mask = 0
        for bit in range(_MASK_BITS):
            day = block + bit
            if day % 7 < 5 and day not in working and day < last:  # day 0, 1900-01-01, was a Monday
                mask |= 1 << bit
        masks.append(mask)
    return (f"SELECT {_bigints(starts)} AS _bst_u0, {_bigints(ends)} AS _bst_u1, "
            f"{_bigints(s + _HOUR_US for s in starts)} AS _bst_l0, {_bigints(e + _HOUR_US for e in ends)} AS _bst_l1, "
            f"{_bigints(s + _HOUR_US - _SHIFT_1970 for s in starts)} AS _bst_l0e, "
            f"{_bigints(e + _HOUR_US - _SHIFT_1970 for e in ends)} AS _bst_l1e, "
            f"{_bigints(masks)} AS _hol")


#: The TEMP table `ColumnarPlan.setup` makes of `_tables()` (a name of this module's, never of a file's).
_CONSTANTS = "_thematic_constants"
_TABLE_COLUMNS = ("_bst_u0", "_bst_u1", "_bst_l0", "_bst_l1", "_bst_l0e", "_bst_l1e", "_hol")


@lru_cache(maxsize=1)
def _working() -> tuple[int, ...]:
    """The working days (`core.timeutil.is_working_day`) from 1972 to 30 December 2102, as days since 1900,
    worked out on day numbers (day 0 was a Monday): a date and a call a day cost 0.07 s more a run."""
    day_zero = date(1900, 1, 1)
    closed = {(day - day_zero).days for year in range(_FIRST_YEAR, _LAST_YEAR + 1) for day in bank_holidays(year)}
    last = (date(_LAST_YEAR, 12, 31) - day_zero).days
    return tuple(day for day in range(_FIRST_DAY, last) if day % 7 < 5 and day not in closed)


@lru_cache(maxsize=64)
def _working_span(count: int) -> int:
    """The most calendar days `add_working_days` steps for `count` working days (from 1972 to 2100)."""
    working = (_FIRST_DAY - 1, *_working())  # a day before the first working day steps from there
    last = (date(2100, 12, 31) - date(1900, 1, 1)).days
    spans = [working[i + count] - working[i] for i in range(len(working) - count) if working[i] <= last]
    return max(spans)


def _is_working_sql(day: str) -> str:
    return (f"(({day}) % 7 < 5 AND (_hol[(({day}) - {_FIRST_DAY}) // {_MASK_BITS} + 1] "
            f">> CAST((({day}) - {_FIRST_DAY}) % {_MASK_BITS} AS BIGINT)) & 1 = 0)")


# --- types ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Ty:
    """What an expression gives in SQL: a scalar kind, a record (struct) of `model`, or a list of `item`."""

    kind: str  # time, date, num, bool, str, null, record, list
    model: type[BaseModel] | None = None
    item: _Ty | None = None


_TIME, _DATE, _NUM, _BOOL, _STR, _NULL = (_Ty(k) for k in ("time", "date", "num", "bool", "str", "null"))
_SCALARS = frozenset({"time", "date", "num", "bool", "str"})


def _annotation_type(annotation: Any) -> _Ty:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _annotation_type(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(inner) != 1:
            raise _Unsupported("a union field")
        return _annotation_type(inner[0])
    if origin is typing.Literal:
        values = typing.get_args(annotation)
        if all(type(v) is str for v in values):
            return _STR
        raise _Unsupported("a literal of other values than text")
    if origin is list:
        return _Ty("list", item=_annotation_type(typing.get_args(annotation)[0]))
    if origin is dict:
        return _Ty("map")
    if annotation is datetime:
        return _TIME
    if annotation is date:
        return _DATE
    if annotation is bool:
        return _BOOL
    if annotation in (int, float):
        return _NUM
    if annotation is str:
        return _STR
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _Ty("record", model=annotation)
    raise _Unsupported(f"a field of type {annotation!r}")


def _field_type(model: type[BaseModel], name: str) -> _Ty:
    info = file_fields(model).get(name)
    if info is None:
        raise _Unsupported(f"{model.__name__} has no field {name}")
    return _annotation_type(info.annotation)


def _bare(annotation: Any) -> Any:
    """`annotation` without its `Annotated` constraints and its `| None`: the type a field's value has."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            annotation = [a for a in typing.get_args(annotation) if a is not type(None)][0]
        else:
            return annotation


def _sql_type(annotation: Any) -> str:
    """The DuckDB type `read_json` reads a field as: times and dates as text, converted in SQL."""
    annotation = _bare(annotation)
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return "VARCHAR"
    if origin is list:
        return _sql_type(typing.get_args(annotation)[0]) + "[]"
    if origin is dict:
        key, value = typing.get_args(annotation)
        return f"MAP({_sql_type(key)}, {_sql_type(value)})"
    if annotation in (datetime, date, str):
        return "VARCHAR"
    if annotation is bool:
        return "BOOLEAN"
    if annotation is int:
        return "BIGINT"
    if annotation is float:
        return "DOUBLE"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        fields = ", ".join(f"{_ident(n)} {_sql_type(i.annotation)}" for n, i in file_fields(annotation).items())
        return f"STRUCT({fields})"
    raise _Unsupported(f"a field of type {annotation!r}")


def _columns() -> str:
    """The `columns={...}` struct literal for `read_json` of a case line, with `_line`."""
    parts = [f"{_text(name)}: {_text(_sql_type(info.annotation))}" for name, info in file_fields(Case).items()]
    return "{" + ", ".join(["'_line': 'BIGINT'", *parts]) + "}"


# --- converting a row: times and dates to numbers, defaults filled in -------------------------------

class _Names:
    def __init__(self) -> None:
        self.count = 0

    def fresh(self) -> str:
        self.count += 1
        return f"lv{self.count}"


def _time_sql(text: str) -> str:
    """A time text (the format's plain pattern, checked before the query) as microseconds since 1900 UTC,
    or _BAD where DuckDB's reading might differ from Python's (a day that does not exist, hour 24)."""
    # try_cast reads a final Z as UTC, as Python does, but 24:00 as the next midnight, which Python
    # refuses: bounced. `tzt` is microseconds since 1970, as read (London wall clock unless Z).
    offset = _offset_sql("tzt", True, epoch=True)
    body = (f"CASE WHEN tzt >= {_FIRST_US - _SHIFT_1970} AND tzt < {_END_US - _SHIFT_1970} "
            f"AND substr({text}, 12, 2) < '24' "
            f"THEN tzt + {_SHIFT_1970} - CASE WHEN right({text}, 1) = 'Z' THEN 0 ELSE {offset} END END")
    return (f"coalesce(list_transform([epoch_us(try_cast({text} AS TIMESTAMP))], lambda tzt: {body})[1], "
            f"CASE WHEN {text} IS NULL THEN NULL ELSE {_BAD} END)")


def _date_sql(text: str) -> str:
    parsed = f"try_cast({text} AS DATE)"
    return (f"CASE WHEN {text} IS NULL THEN NULL WHEN strftime({parsed}, '%Y-%m-%d') = {text} "
            f"AND {parsed} BETWEEN DATE '{_FIRST_YEAR}-01-01' AND DATE '2100-12-31' "
            f"THEN date_diff('day', DATE '1900-01-01', {parsed}) ELSE {_BAD} END")


def _convert(value: str, annotation: Any, names: _Names) -> str | None:
    """SQL converting `value` of `annotation` (or None if it needs no conversion)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _convert(value, typing.get_args(annotation)[0], names)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _convert(value, inner[0], names)
    if annotation is datetime:
        return _time_sql(value)
    if annotation is date:
        return _date_sql(value)
    if origin is list:
        variable = names.fresh()
        inner_sql = _convert(variable, typing.get_args(annotation)[0], names)
        return None if inner_sql is None else f"list_transform({value}, lambda {variable}: {inner_sql})"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        changed = False
        parts = []
        for name, info in file_fields(annotation).items():
            read = f"({value}).{_ident(name)}"
            converted = _convert(read, info.annotation, names)
            if not info.is_required() and info.default is not None and info.default_factory is None:
                converted = f"coalesce({converted or read}, {_literal(info.default)})"
            changed = changed or converted is not None
            parts.append(f"{_text(name)}: {converted or read}")
        if not changed:
            return None
        return f"CASE WHEN {value} IS NULL THEN NULL ELSE {{{', '.join(parts)}}} END"
    return None


def _literal(value: Any) -> str:
    if value is True:
        return "TRUE"
    if value is False:
        return "FALSE"
    if isinstance(value, str):
        return _text(value)
    return _number(value)


def _least(value: str, annotation: Any, names: _Names) -> list[str]:
    """SQL giving the least converted time or date under `value` (NULLs skipped), to find _BAD with."""
    annotation = _bare(annotation)
    origin = typing.get_origin(annotation)
    if annotation in (datetime, date):
        return [value]
    if origin is list:
        variable = names.fresh()
        inner = _least(variable, typing.get_args(annotation)[0], names)
        if not inner:
            return []
        joined = inner[0] if len(inner) == 1 else f"least({', '.join(inner)})"
        return [f"list_min(list_transform({value}, lambda {variable}: {joined}))"]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        found: list[str] = []
        for name, info in file_fields(annotation).items():
            found += _least(f"({value}).{_ident(name)}", info.annotation, names)
        return found
    return []


def _lengths(value: str, annotation: Any, names: _Names) -> list[str]:
    """SQL giving the length of every list under `value` (the largest decides the evaluation's limits)."""
    annotation = _bare(annotation)
    origin = typing.get_origin(annotation)
    if origin is list:
        variable = names.fresh()
        inner = _lengths(variable, typing.get_args(annotation)[0], names)
        found = [f"len({value})"]
        if inner:
            found.append(f"list_max(list_transform({value}, lambda {variable}: greatest({', '.join(inner)})))")
        return found
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        found = []
        for name, info in file_fields(annotation).items():
            found += _lengths(f"({value}).{_ident(name)}", info.annotation, names)
        return found
    return []


# --- expressions --------------------------------------------------------------------------------

@dataclass
class _Cost:
    """Steps of an evaluation (functions.MAX_STEPS) as a polynomial in L, the longest list of a case; and
    `failures`, SQL conditions under which Python's evaluation might fail (arithmetic over its limit):
    a row for which one holds is bounced, whether or not Python would have reached that part."""

    terms: dict[int, float] = field(default_factory=dict)
    failures: tuple[str, ...] = ()

    def __add__(self, other: _Cost) -> _Cost:
        terms = dict(self.terms)
        for degree, coefficient in other.terms.items():
            terms[degree] = terms.get(degree, 0) + coefficient
        return _Cost(terms, tuple(dict.fromkeys(self.failures + other.failures)))

    def over(self, items: str, variable: str) -> _Cost:
        """This cost for each entry of `items` (read as `variable`): steps times L, failures of any entry."""
        failures = self.failures
        if failures:
            test = " OR ".join(f"({f})" for f in failures)
            failures = (f"coalesce(list_bool_or(list_transform(coalesce({items}, []), lambda {variable}: {test})), "
                        "FALSE)",)
        return _Cost({degree + 1: c for degree, c in self.terms.items()}, failures)

    def at(self, length: int) -> float:
        return float(sum(c * length ** degree for degree, c in self.terms.items()))


_ONE = _Cost({0: 1})
_L = _Cost({1: 1})


@dataclass
class _Value:
    sql: str
    type: _Ty
    cost: _Cost = field(default_factory=_Cost)


def _truth(value: _Value) -> str:
    """The language's truth of a value, as a SQL boolean that is never NULL (null is false)."""
    kind = value.type.kind
    if kind == "bool":
        return f"coalesce({value.sql}, FALSE)"
    if kind == "num":
        return f"coalesce(({value.sql}) <> 0, FALSE)"
    if kind == "str":
        return f"coalesce(length({value.sql}) > 0, FALSE)"
    if kind == "list":
        return f"coalesce(len({value.sql}) > 0, FALSE)"
    if kind == "null":
        return "FALSE"
    return f"(({value.sql}) IS NOT NULL)"


_COMPARE = {ast.Eq: "=", ast.NotEq: "<>", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}


class _Compiler:
    """Translates checked expressions (their `ast`) into SQL over the converted columns."""

    def __init__(self, criteria: CriteriaSet, parameters: Mapping[str, Any], as_of: date):
        self.criteria = criteria
        self.parameters = parameters
        self.as_of = as_of
        self.names = _Names()
        #: definitions compiled: name -> (column, type, level, cost)
        self.defined: dict[str, tuple[str, _Ty, int, _Cost]] = {}
        self.order: list[tuple[str, str, int]] = []  # (column, sql, level)
        self.gates: dict[str, CompiledCriterion] = {}
        self.levels: list[int] = [0]  # the level of definitions the expression being compiled reads

    # entry points
    def expression(self, source: str, scope: dict[str, _Value]) -> _Value:
        try:
            tree = ast.parse(" ".join(source.split()), mode="eval")
        except (SyntaxError, RecursionError, MemoryError) as exc:
            raise _Unsupported("expression") from exc
        return self.visit(tree.body, scope)

    def definition(self, name: str) -> _Value:
        if name not in self.defined:
            compiled = self.criteria.definitions.get(name)
            if compiled is None or compiled.code is None:
                raise _Unsupported(f"definition {name}")
            saved = self.levels
            self.levels = [0]
            try:
                value = self.expression(compiled.source, {})
            finally:
                level = max(self.levels) + 1
                self.levels = saved
            column = f"d{len(self.defined)}"
            self.defined[name] = (column, value.type, level, value.cost)
            self.order.append((column, value.sql, level))
        column, kind, level, cost = self.defined[name]
        self.levels.append(level)
        return _Value(_ident(column), kind, cost)

    # nodes
    def visit(self, node: ast.expr, scope: dict[str, _Value]) -> _Value:
        method = getattr(self, f"visit_{type(node).__name__}", None)
        if method is None:
            raise _Unsupported(type(node).__name__)
        result: _Value = method(node, scope)
        return result

    def visit_Constant(self, node: ast.Constant, scope: dict[str, _Value]) -> _Value:
        value = node.value
        if value is None:
            return _Value("NULL", _NULL)
        if isinstance(value, bool):
            return _Value(_literal(value), _BOOL)
        if isinstance(value, (int, float)):
            return _Value(_number(value), _NUM)
        if isinstance(value, str):
            return _Value(_text(value), _STR)
        raise _Unsupported("constant")

    def visit_Name(self, node: ast.Name, scope: dict[str, _Value]) -> _Value:
        name = node.id
        if name in LITERALS:
            return self.visit_Constant(ast.Constant(value=LITERALS[name]), scope)
        if name in scope:
            return scope[name]
        if name == "as_of":
            return _Value(_number((self.as_of - date(1900, 1, 1)).days), _DATE)
        if name in self.criteria.definitions:
            return self.definition(name)
        if name in file_fields(Case) and name not in ("judgements", "grade"):
            return _Value(_ident(name), _field_type(Case, name))
        raise _Unsupported(f"name {name}")

    def visit_Attribute(self, node: ast.Attribute, scope: dict[str, _Value]) -> _Value:
        if isinstance(node.value, ast.Name) and node.value.id == "params" and "params" not in scope:
            if node.attr not in self.parameters:
                raise _Unsupported(f"parameter {node.attr}")
            return _Value(_number(self.parameters[node.attr]), _NUM)
        base = self.visit(node.value, scope)
        if base.type.kind != "record" or base.type.model is None:
            raise _Unsupported("field of something not a record")
        return _Value(f"({base.sql}).{_ident(node.attr)}", _field_type(base.type.model, node.attr), base.cost)

    def visit_BoolOp(self, node: ast.BoolOp, scope: dict[str, _Value]) -> _Value:
        values = [self.visit(v, scope) for v in node.values]
        word = " AND " if isinstance(node.op, ast.And) else " OR "
        return _Value("(" + word.join(_truth(v) for v in values) + ")", _BOOL, _sum(values))

    def visit_UnaryOp(self, node: ast.UnaryOp, scope: dict[str, _Value]) -> _Value:
        operand = self.visit(node.operand, scope)
        if isinstance(node.op, ast.Not):
            return _Value(f"(NOT {_truth(operand)})", _BOOL, operand.cost)
        if isinstance(node.op, ast.USub) and operand.type == _NUM:  # `_neg`: null stays null, no limit checked
            return _Value(f"(-({operand.sql}))", _NUM, operand.cost)
        raise _Unsupported("unary operator")

    def visit_BinOp(self, node: ast.BinOp, scope: dict[str, _Value]) -> _Value:
        symbol = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}.get(type(node.op))
        if symbol is None:
            raise _Unsupported("operator")
        left, right = self.visit(node.left, scope), self.visit(node.right, scope)
        if left.type.kind not in ("num", "null") or right.type.kind not in ("num", "null"):
            raise _Unsupported("arithmetic on other than numbers")  # Python's `_number` refuses them
        cost = _sum([left, right])
        if left.type.kind == "null" or right.type.kind == "null":
            return _Value("CAST(NULL AS DOUBLE)", _NUM, cost)  # null in, null out
        # In doubles: exact while every result is within Python's limit of 10**15 (below 2**53), and a
        # result beyond it is Python's error: the row bounces.
        a, b = f"CAST(({left.sql}) AS DOUBLE)", f"CAST(({right.sql}) AS DOUBLE)"
        sql = f"(CASE WHEN {b} = 0 THEN NULL ELSE {a} / {b} END)" if symbol == "/" else f"({a} {symbol} {b})"
        failure = f"coalesce(NOT (abs({sql}) <= {MAX_MAGNITUDE}.0), FALSE)"  # NaN and infinities too
        return _Value(sql, _NUM, cost + _Cost(failures=(failure,)))

    def visit_Compare(self, node: ast.Compare, scope: dict[str, _Value]) -> _Value:
        operands = [node.left, *node.comparators]
        parts: list[str] = []
        costs: list[_Value] = []
        for op, left_node, right_node in zip(node.ops, operands, operands[1:], strict=False):
            if isinstance(op, (ast.Eq, ast.NotEq, ast.Is, ast.IsNot)) and (_is_null(left_node) or _is_null(right_node)):
                other = self.visit(right_node if _is_null(left_node) else left_node, scope)
                costs.append(other)
                test = "IS NULL" if isinstance(op, (ast.Eq, ast.Is)) else "IS NOT NULL"
                parts.append(f"(({other.sql}) {test})")
                continue
            left, right = self.visit(left_node, scope), self.visit(right_node, scope)
            costs += [left, right]
            if isinstance(op, (ast.In, ast.NotIn)):
                parts.append(self.membership(op, left, right, right_node))
                continue
            symbol = _COMPARE.get(type(op))
            if symbol is None:
                raise _Unsupported("comparison")
            if left.type.kind == "null" or right.type.kind == "null":
                parts.append("FALSE")  # a comparison with null is false
                continue
            _comparable(left.type, right.type)
            parts.append(f"coalesce(({left.sql}) {symbol} ({right.sql}), FALSE)")
        extra = [v for v in costs]
        cost = _sum(extra)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, (ast.In, ast.NotIn)) and not isinstance(right_node, (ast.List, ast.Tuple)):
                cost = cost + _L
        return _Value("(" + " AND ".join(parts) + ")", _BOOL, cost)

    def membership(self, op: ast.cmpop, left: _Value, right: _Value, right_node: ast.expr) -> str:
        if right.type.kind != "list" or right.type.item is None:
            raise _Unsupported("'in' over something not a list")
        if left.type.kind == "null":
            return "FALSE"
        _comparable(left.type, right.type.item)
        found = f"list_contains({right.sql}, {left.sql})"
        if isinstance(op, ast.In):
            return f"coalesce({found}, FALSE)"
        return f"(({left.sql}) IS NOT NULL AND ({right.sql}) IS NOT NULL AND NOT {found})"

    def visit_IfExp(self, node: ast.IfExp, scope: dict[str, _Value]) -> _Value:
        test, then, otherwise = (self.visit(n, scope) for n in (node.test, node.body, node.orelse))
        kind = _unify([then.type, otherwise.type])
        return _Value(f"(CASE WHEN {_truth(test)} THEN {then.sql} ELSE {otherwise.sql} END)", kind,
                      _sum([test, then, otherwise]))

    def _sequence(self, node: ast.List | ast.Tuple, scope: dict[str, _Value]) -> _Value:
        values = [self.visit(e, scope) for e in node.elts]
        if not values:
            raise _Unsupported("an empty list")
        item = _unify([v.type for v in values])
        if item.kind not in _SCALARS:
            raise _Unsupported("a list of other than plain values")
        return _Value("[" + ", ".join(v.sql for v in values) + "]", _Ty("list", item=item), _sum(values))

    visit_List = _sequence
    visit_Tuple = _sequence

    def comprehension(self, node: ast.ListComp | ast.GeneratorExp, scope: dict[str, _Value]) -> _Value:
        generator = node.generators[0]
        target = generator.target
        if len(node.generators) != 1 or not isinstance(target, ast.Name):
            raise _Unsupported("comprehension shape")
        items = self.visit(generator.iter, scope)
        if items.type.kind != "list" or items.type.item is None:
            raise _Unsupported("comprehension over something not a list")
        variable = self.names.fresh()
        entry = _Value(variable, items.type.item)
        inner = {**scope, target.id: entry}
        sql = f"coalesce({items.sql}, [])"
        cost = items.cost
        per_entry = _ONE
        if generator.ifs:
            tests = [self.visit(t, inner) for t in generator.ifs]
            sql = f"list_filter({sql}, lambda {variable}: {' AND '.join(_truth(t) for t in tests)})"
            per_entry = per_entry + _sum(tests)
        element = self.visit(node.elt, inner)
        if not (isinstance(node.elt, ast.Name) and node.elt.id == target.id):
            sql = f"list_transform({sql}, lambda {variable}: {element.sql})"
            per_entry = per_entry + element.cost
        return _Value(sql, _Ty("list", item=element.type), cost + per_entry.over(items.sql, variable))

    visit_ListComp = comprehension
    visit_GeneratorExp = comprehension

    def visit_Call(self, node: ast.Call, scope: dict[str, _Value]) -> _Value:
        if not isinstance(node.func, ast.Name):
            raise _Unsupported("call")
        name = node.func.id
        handler = getattr(self, f"call_{name}", None)
        if handler is None:
            raise _Unsupported(f"function {name}")
        if node.keywords and name not in ("count", "first", "last"):
            raise _Unsupported("keywords")
        args = [self.visit(a, scope) for a in node.args]
        filters = {k.arg: self.visit(k.value, scope) for k in node.keywords if k.arg is not None}
        if len(filters) != len(node.keywords):
            raise _Unsupported("keywords")
        result: _Value = handler(node, args, filters) if name in ("count", "first", "last") else handler(node, args)
        result.cost = result.cost + _sum(args) + _sum(list(filters.values()))
        return result

    # functions -----------------------------------------------------------------------------------

    def _constant(self, node: ast.expr) -> Any:
        """The value of an argument that must not depend on the case (a number or a parameter)."""
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            return node.value
        if (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant)
                and isinstance(node.operand.value, (int, float)) and not isinstance(node.operand.value, bool)):
            return -node.operand.value
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "params":
            value = self.parameters.get(node.attr)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return value
        raise _Unsupported("an argument that must be a number or a parameter")

    @staticmethod
    def _arity(args: list[_Value], count: int) -> None:
        if len(args) != count:
            raise _Unsupported("number of arguments")

    def _elapsed(self, args: list[_Value], divisor: float) -> _Value:
        self._arity(args, 2)
        start, end = args
        if start.type.kind == "null" or end.type.kind == "null":
            return _Value("CAST(NULL AS DOUBLE)", _NUM)
        if start.type != _TIME or end.type != _TIME:
            raise _Unsupported("durations between other than times")
        return _Value(f"(CAST(({end.sql}) - ({start.sql}) AS DOUBLE) / 1000000.0 / {divisor!r})", _NUM)

    def call_hours_between(self, node: ast.Call, args: list[_Value]) -> _Value:
        return self._elapsed(args, 3600.0)

    def call_days_between(self, node: ast.Call, args: list[_Value]) -> _Value:
        return self._elapsed(args, 86400.0)

    def _within(self, node: ast.Call, args: list[_Value], unit: str) -> _Value:
        self._arity(args, 3)
        start, end = args[0], args[1]
        amount = self._constant(node.args[2])
        try:
            limit = timedelta(**{unit: amount}) // timedelta(microseconds=1)
        except (OverflowError, ValueError) as exc:
            raise _Unsupported("a limit out of range") from exc
        if start.type.kind == "null" or end.type.kind == "null":
            return _Value("FALSE", _BOOL)
        if start.type != _TIME or end.type != _TIME:
            raise _Unsupported("within_* of other than times")
        return _Value(f"coalesce((({end.sql}) - ({start.sql})) BETWEEN 0 AND {limit}, FALSE)", _BOOL)

    def call_within_hours(self, node: ast.Call, args: list[_Value]) -> _Value:
        return self._within(node, args, "hours")

    def call_within_days(self, node: ast.Call, args: list[_Value]) -> _Value:
        return self._within(node, args, "days")

    def _as_date(self, value: _Value) -> _Value:
        if value.type == _DATE:
            return value
        if value.type.kind == "null":
            return _Value("CAST(NULL AS BIGINT)", _DATE)
        if value.type != _TIME:
            raise _Unsupported("date() of other than a time")
        variable = self.names.fresh()
        local = f"{variable} + {_offset_sql(variable, False)}"
        return _Value(f"list_transform([{value.sql}], lambda {variable}: ({local}) // {_US_PER_DAY})[1]", _DATE)

    def call_date(self, node: ast.Call, args: list[_Value]) -> _Value:
        self._arity(args, 1)
        return self._as_date(args[0])

    def _working_days(self, node: ast.expr) -> int:
        count = self._constant(node)
        days = int(count)
        if days < 0 or days > _MAX_WORKING_DAYS:
            raise _Unsupported("working days out of the range the query writes out")
        return days

    def _add_working(self, day: str, count: int) -> str:
        if count == 0:
            return day
        variable, candidate = self.names.fresh(), self.names.fresh()
        span = _working_span(count)
        days = (f"list_filter(range({variable} + 1, {variable} + {span + 1}), "
                f"lambda {candidate}: {_is_working_sql(candidate)})[{count}]")
        return f"list_transform([{day}], lambda {variable}: {days})[1]"

    def call_add_working_days(self, node: ast.Call, args: list[_Value]) -> _Value:
        self._arity(args, 2)
        count = self._working_days(node.args[1])
        day = self._as_date(args[0])
        return _Value(f"(CASE WHEN ({day.sql}) IS NULL THEN NULL ELSE {self._add_working(day.sql, count)} END)",
                      _DATE, _Cost({0: count}))

    def call_within_working_days(self, node: ast.Call, args: list[_Value]) -> _Value:
        self._arity(args, 3)
        count = self._working_days(node.args[2])
        start, end = self._as_date(args[0]), self._as_date(args[1])
        variable = self.names.fresh()
        test = (f"list_transform([{start.sql}], lambda {variable}: "
                f"({variable}) <= ({end.sql}) AND ({end.sql}) <= {self._add_working(variable, count)})[1]")
        return _Value(f"coalesce({test}, FALSE)", _BOOL, _Cost({0: count}))

    def call_start_of_day(self, node: ast.Call, args: list[_Value]) -> _Value:
        self._arity(args, 1)
        if isinstance(node.args[0], ast.Name) and node.args[0].id == "as_of":
            return _Value(_number(_us(start_of_local_day(self.as_of))), _TIME)
        day = args[0]
        if day.type.kind == "null":
            return _Value("CAST(NULL AS BIGINT)", _TIME)
        if day.type != _DATE:
            raise _Unsupported("start_of_day of other than a date")
        variable = self.names.fresh()
        local = f"{variable} * {_US_PER_DAY}"
        return _Value(f"list_transform([{day.sql}], lambda {variable}: {local} - {_offset_sql(local, True)})[1]",
                      _TIME)

    def call_max_gap_days(self, node: ast.Call, args: list[_Value]) -> _Value:
        self._arity(args, 3)
        start, times, end = args
        if start.type != _TIME or end.type != _TIME or times.type != _Ty("list", item=_TIME):
            raise _Unsupported("max_gap_days of other than times")
        t, s, e, z, w = (self.names.fresh() for _ in range(5))
        inner = (f"list_sort(list_filter(coalesce({times.sql}, []), lambda {t}: {t} >= {s} AND {t} <= {e}))")
        pairs = f"list_zip(list_concat([{s}], {inner}), list_concat({inner}, [{e}]))"
        gap = f"list_max(list_transform({pairs}, lambda {z}: {z}[2] - {z}[1]))"
        body = f"CASE WHEN {s} IS NULL OR {e} IS NULL OR {e} < {s} THEN NULL ELSE {gap} END"
        ends = f"list_transform([{w}.e], lambda {e}: {body})[1]"
        sql = (f"list_transform([{{'s': {start.sql}, 'e': {end.sql}}}], "
               f"lambda {w}: list_transform([{w}.s], lambda {s}: {ends})[1])[1]")
        return _Value(f"(CAST({sql} AS DOUBLE) / 1000000.0 / 86400.0)", _NUM, _L)

    def _listed(self, value: _Value) -> _Ty:
        if value.type.kind != "list" or value.type.item is None:
            raise _Unsupported("a list function of something not a list")
        return value.type.item

    def _filtered(self, items: _Value, filters: dict[str | None, _Value]) -> str:
        item = self._listed(items)
        sql = f"coalesce({items.sql}, [])"
        if not filters:
            return sql
        if item.kind != "record" or item.model is None:
            raise _Unsupported("filters on a list of plain values")
        variable = self.names.fresh()
        tests = []
        for name, value in filters.items():
            assert name is not None
            kind = _field_type(item.model, name)
            if value.type.kind != "null":
                _comparable(kind, value.type)
            tests.append(f"({variable}).{_ident(name)} IS NOT DISTINCT FROM ({value.sql})")
        return f"list_filter({sql}, lambda {variable}: {' AND '.join(tests)})"

    def call_count(self, node: ast.Call, args: list[_Value], filters: dict[str | None, _Value]) -> _Value:
        self._arity(args, 1)
        return _Value(f"len({self._filtered(args[0], filters)})", _NUM, _L)

    def _extreme(self, args: list[_Value], filters: dict[str | None, _Value], last: bool) -> _Value:
        self._arity(args, 1)
        item = self._listed(args[0])
        listed = self._filtered(args[0], filters)
        if item.kind in ("num", "str", "time", "date"):
            return _Value(f"list_{'max' if last else 'min'}({listed})", item, _L)
        if item.kind != "record" or item.model is None or _field_type(item.model, "at") != _TIME:
            raise _Unsupported("first/last of entries without a time 'at'")
        # The earliest (latest) time; of equal times, the first (last) in the file: Python's stable sort.
        variable, entry = self.names.fresh(), self.names.fresh()
        times = f"list_transform({variable}, lambda {entry}: ({entry}).\"at\")"
        if last:
            pick = (f"list_reverse({variable})[list_position(list_reverse({times}), list_max({times}))]")
        else:
            pick = f"{variable}[list_position({times}, list_min({times}))]"
        return _Value(f"list_transform([{listed}], lambda {variable}: {pick})[1]", item, _L)

    def call_first(self, node: ast.Call, args: list[_Value], filters: dict[str | None, _Value]) -> _Value:
        return self._extreme(args, filters, last=False)

    def call_last(self, node: ast.Call, args: list[_Value], filters: dict[str | None, _Value]) -> _Value:
        return self._extreme(args, filters, last=True)

    def call_last_n(self, node: ast.Call, args: list[_Value]) -> _Value:
        self._arity(args, 2)
        amount = self._constant(node.args[1])
        item = self._listed(args[0])
        listed = f"coalesce({args[0].sql}, [])"
        if item.kind in ("num", "str", "time", "date"):
            variable = self.names.fresh()
            ordered = f"list_sort(list_filter({listed}, lambda {variable}: {variable} IS NOT NULL))"
        elif item.kind == "record" and item.model is not None and _field_type(item.model, "at") == _TIME:
            variable, index, wrapped = self.names.fresh(), self.names.fresh(), self.names.fresh()
            keyed = (f"list_transform({listed}, lambda {variable}, {index}: "
                     f"{{'k': ({variable}).\"at\", 'i': {index}, 'v': {variable}}})")
            ordered = f"list_transform(list_sort({keyed}), lambda {wrapped}: ({wrapped}).v)"
        else:
            raise _Unsupported("last_n of entries without a time 'at'")
        if amount <= 0:
            return _Value(f"list_slice({ordered}, 1, 0)", args[0].type, _L)
        keep = int(amount)
        if keep == 0:  # Python's ordered[-0:] is the whole list
            return _Value(ordered, args[0].type, _L)
        whole = self.names.fresh()
        sliced = f"list_slice({whole}, greatest(len({whole}) - {keep} + 1, 1), len({whole}))"
        sql = f"list_transform([{ordered}], lambda {whole}: {sliced})[1]"
        return _Value(sql, args[0].type, _L)

    def call_strictly_rising(self, node: ast.Call, args: list[_Value]) -> _Value:
        self._arity(args, 1)
        item = self._listed(args[0])
        if item.kind not in ("num", "str", "time", "date"):
            raise _Unsupported("strictly_rising of other than plain values")
        whole, pair, entry = self.names.fresh(), self.names.fresh(), self.names.fresh()
        body = (f"CASE WHEN {whole} IS NULL OR len({whole}) < 2 THEN FALSE "
                f"WHEN list_bool_or(list_transform({whole}, lambda {entry}: {entry} IS NULL)) THEN FALSE "
                f"ELSE list_bool_and(list_transform(list_zip(list_slice({whole}, 1, len({whole}) - 1), "
                f"list_slice({whole}, 2, len({whole}))), lambda {pair}: {pair}[2] > {pair}[1])) END")
        return _Value(f"coalesce(list_transform([{args[0].sql}], lambda {whole}: {body})[1], FALSE)", _BOOL, _L)

    def _quantifier(self, args: list[_Value], empty: str) -> _Value:
        self._arity(args, 1)
        item = self._listed(args[0])
        variable = self.names.fresh()
        truths = f"list_transform(coalesce({args[0].sql}, []), lambda {variable}: {_truth(_Value(variable, item))})"
        function = "list_bool_or" if empty == "FALSE" else "list_bool_and"
        return _Value(f"coalesce({function}({truths}), {empty})", _BOOL, _L)

    def call_any(self, node: ast.Call, args: list[_Value]) -> _Value:
        return self._quantifier(args, "FALSE")

    def call_all(self, node: ast.Call, args: list[_Value]) -> _Value:
        return self._quantifier(args, "TRUE")

    def call_coalesce(self, node: ast.Call, args: list[_Value]) -> _Value:
        if not args:
            raise _Unsupported("coalesce()")
        kinds = [a.type for a in args if a.type.kind != "null"]
        if not kinds:
            return _Value("NULL", _NULL)
        kind = _unify(kinds)
        if kind.kind not in _SCALARS:
            raise _Unsupported("coalesce of other than plain values")
        return _Value(f"coalesce({', '.join(a.sql for a in args if a.type.kind != 'null')})", kind)


def _sum(values: list[_Value]) -> _Cost:
    total = _Cost()
    for value in values:
        total = total + value.cost
    return total


def _is_null(node: ast.expr) -> bool:
    return ((isinstance(node, ast.Constant) and node.value is None)
            or (isinstance(node, ast.Name) and node.id == "null"))


def _comparable(left: _Ty, right: _Ty) -> None:
    """Refuse a comparison whose Python meaning the SQL might not share (a date with a time, true with 1)."""
    if left.kind not in _SCALARS or left != right:
        raise _Unsupported(f"comparing {left.kind} with {right.kind}")


def _unify(kinds: list[_Ty]) -> _Ty:
    real = [k for k in kinds if k.kind != "null"]
    if not real:
        return _NULL
    if any(k != real[0] for k in real):
        raise _Unsupported("values of different kinds")
    return real[0]


# --- the plan -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ColumnarPlan:
    """A criteria set as one DuckDB query over case lines read with `columns` (see `query`)."""

    columns: str
    criteria_ids: tuple[str, ...]
    _converted: str = field(repr=False)
    _checks: str = field(repr=False)
    _levels: tuple[str, ...] = field(repr=False)
    _states: str = field(repr=False)
    _bounces: str = field(repr=False)
    _counts: str = field(repr=False)
    _grades: str = field(repr=False)

    def setup(self) -> tuple[str, ...]:
        """SQL to run once on a connection before `query(relation, set_up=True)`: the constant tables
        (summer time, bank holidays) made once as a TEMP table, not cast from text at every execution."""
        return (f"CREATE TEMP TABLE {_CONSTANTS} AS {_tables()}",)

    def query(self, relation: str, *, set_up: bool = False) -> str:
        """SELECT over `relation` giving one row per input row: _line, _bounce, s0 … s{n-1} (indices into
        `model.results.STATES`, catalogue order), suggested_grade, grade, provisional, referred_back.
        A `_bounce` row must be scored in Python; its other columns are meaningless (NULL).
        `set_up`: the connection has run `setup()`, so the query reads its constants from there."""
        constants = f"SELECT * FROM {_CONSTANTS}" if set_up else _tables()
        ctes = [f"_t AS ({constants})", f"_c0 AS (SELECT {self._converted} FROM {relation}, _t)",
                f"_c1 AS (SELECT *, {self._checks} AS _b0 FROM _c0)"]
        previous = "_c1"
        # Everything past the conversion is guarded by CASE: DuckDB works out a branch only for the rows
        # that take it, so a bounced row's values (never meaningful) are never computed either.
        for index, columns in enumerate(self._levels):
            name = f"_d{index}"
            ctes.append(f"{name} AS (SELECT *, {columns} FROM {previous})")
            previous = name
        ctes.append(f"_s AS (SELECT _line, (_b0 OR CASE WHEN _b0 THEN FALSE ELSE {self._bounces} END) AS _bounce, "
                    f"{self._states}, grade, _b0 FROM {previous})")
        ctes.append(f"_g AS (SELECT *, {self._counts} FROM _s)")  # each severity's counts, made once
        states = ", ".join(f"CAST(s{i} AS UTINYINT) AS s{i}" for i in range(len(self.criteria_ids)))
        return f"WITH {', '.join(ctes)} SELECT _line, _bounce, {states}, {self._grades} FROM _g"


def columnar_plan(criteria: CriteriaSet, parameters: Mapping[str, Any], as_of: date) -> ColumnarPlan | None:
    """The criteria set as one DuckDB query, or None if some expression/function/criterion shape
    is not supported (then the caller keeps the Python path for everything)."""
    try:
        return _plan(criteria, parameters, as_of)
    except _Unsupported:
        return None
    except Exception:  # a shape this module did not foresee: the Python path is always right
        return None


def _plan(criteria: CriteriaSet, parameters: Mapping[str, Any], as_of: date) -> ColumnarPlan:
    compiler = _Compiler(criteria, parameters, as_of)
    if as_of < date(_FIRST_YEAR, 1, 1) or as_of > date(2100, 12, 31):
        raise _Unsupported("as_of outside the years of the tables")
    states: list[str] = []
    bounces: list[str] = []
    costs: list[_Cost] = []
    severities: list[str] = []
    for index, criterion in enumerate(criteria.criteria):
        state, bounce, cost = _criterion(compiler, criterion)
        states.append(f"CASE WHEN _b0 THEN NULL ELSE {state} END AS s{index}")
        if bounce is not None:
            bounces.append(bounce)
        bounces += cost.failures
        costs.append(cost)
        severities.append(criterion.definition.severity)
    limit = _longest_list(costs)
    names = _Names()
    converted = [f"{_ident(n)}" if (c := _convert(_ident(n), i.annotation, names)) is None else f"{c} AS {_ident(n)}"
                 for n, i in file_fields(Case).items()]
    least: list[str] = []
    lengths: list[str] = []
    for name, info in file_fields(Case).items():
        if name in ("judgements", "grade"):
            continue
        least += _least(_ident(name), info.annotation, names)
        lengths += _lengths(_ident(name), info.annotation, names)
    checks = [f"coalesce(least({', '.join(least)}) < 0, FALSE)"]  # _BAD is the only negative value
    if lengths:
        checks.append(f"coalesce(greatest({', '.join(lengths)}) > {limit}, FALSE)")
    levels: dict[int, list[str]] = {}
    for column, sql, level in compiler.order:
        levels.setdefault(level, []).append(f"CASE WHEN _b0 THEN NULL ELSE {sql} END AS {_ident(column)}")
    counts, grades = _grade_sql(criteria.file.grading, severities)
    return ColumnarPlan(
        columns=_columns(),
        criteria_ids=tuple(c.id for c in criteria.criteria),
        _converted=", ".join(["_line", *_TABLE_COLUMNS, *converted]),
        _checks="(" + " OR ".join(checks) + ")",
        _levels=tuple(", ".join(levels[level]) for level in sorted(levels)),
        _states=", ".join(states),
        _bounces="(" + " OR ".join(["FALSE", *bounces]) + ")",
        _counts=counts,
        _grades=grades,
    )


def _longest_list(costs: list[_Cost]) -> int:
    """The longest list a case may have for every criterion to stay within the steps budget (by the costs)."""
    low, high = 0, MAX_ITEMS
    while low < high:
        middle = (low + high + 1) // 2
        if all(cost.at(middle) <= MAX_STEPS for cost in costs):
            low = middle
        else:
            high = middle - 1
    return low


def _criterion(compiler: _Compiler, criterion: CompiledCriterion) -> tuple[str, str | None, _Cost]:
    """(state SQL, bounce SQL or None, steps) of one criterion."""
    definition = criterion.definition
    applies = compiler.expression(definition.applies or "true", {})
    applies_sql = _truth(applies)
    cost = applies.cost
    if definition.applies_from is not None:
        applies_sql = f"({applies_sql} AND {_gate(compiler, criterion)})"
    na = _STATE[NOT_APPLICABLE]
    if definition.type == "judgement":
        answers = definition.answers or {}
        if not answers:
            raise _Unsupported("a judgement without answers")
        answer = f"(judgements[{_text(definition.id)}]).answer"
        mapped = " ".join(f"WHEN {_text(a)} THEN {_STATE[s]}" for a, s in answers.items())
        listed = ", ".join(_text(a) for a in answers)
        state = (f"(CASE WHEN NOT {applies_sql} THEN {na} WHEN {answer} IS NULL THEN {_STATE[PENDING]} "
                 f"ELSE CASE {answer} {mapped} ELSE {_STATE[ERROR]} END END)")
        bounce = f"({applies_sql} AND {answer} IS NOT NULL AND NOT list_contains([{listed}], {answer}))"
        return state, bounce, cost
    if criterion.met is None:
        raise _Unsupported("an automatic criterion without met")
    met_source = criterion.met.source
    evidenced_source = criterion.evidenced.source if criterion.evidenced is not None else None
    if criterion.each is None:
        met = compiler.expression(met_source, {})
        decided = f"CASE WHEN {_truth(met)} THEN {_STATE[MET]} "
        cost = cost + met.cost
        if evidenced_source is not None:
            evidenced = compiler.expression(evidenced_source, {})
            cost = cost + evidenced.cost
            decided += f"WHEN {_truth(evidenced)} THEN {_STATE[NOT_MET]} ELSE {_STATE[NOT_EVIDENCED]} END"
        else:
            decided += f"ELSE {_STATE[NOT_MET]} END"
        return f"(CASE WHEN NOT {applies_sql} THEN {na} ELSE {decided} END)", None, cost
    items = compiler.expression(criterion.each.source, {})
    if items.type.kind != "list" or items.type.item is None:
        raise _Unsupported("each over something not a list")
    variable = compiler.names.fresh()
    scope = {"item": _Value(variable, items.type.item)}
    met = compiler.expression(met_source, scope)
    per_entry = _ONE + met.cost
    entry_state = f"CASE WHEN {_truth(met)} THEN {_STATE[MET]} "
    if evidenced_source is not None:
        evidenced = compiler.expression(evidenced_source, scope)
        per_entry = per_entry + evidenced.cost
        entry_state += f"WHEN {_truth(evidenced)} THEN {_STATE[NOT_MET]} ELSE {_STATE[NOT_EVIDENCED]} END"
    else:
        entry_state += f"ELSE {_STATE[NOT_MET]} END"
    entries = f"list_transform({items.sql}, lambda {variable}: {entry_state})"
    whole = compiler.names.fresh()
    combined = (f"list_transform([{entries}], lambda {whole}: CASE WHEN list_contains({whole}, {_STATE[NOT_MET]}) "
                f"THEN {_STATE[NOT_MET]} WHEN list_contains({whole}, {_STATE[NOT_EVIDENCED]}) "
                f"THEN {_STATE[NOT_EVIDENCED]} ELSE {_STATE[MET]} END)[1]")
    state = f"(CASE WHEN NOT {applies_sql} THEN {na} ELSE {combined} END)"
    # Python goes through a null list with `for` and fails: that case is Python's to score.
    bounce = f"({applies_sql} AND ({items.sql}) IS NULL)"
    return state, bounce, cost + items.cost + per_entry.over(items.sql, variable)


def _gate(compiler: _Compiler, criterion: CompiledCriterion) -> str:
    """`criteria._date_gate` in SQL: reported on or after the date, or the event (null: as_of) on or after it."""
    definition = criterion.definition
    assert definition.applies_from is not None
    start = (definition.applies_from - date(1900, 1, 1)).days
    reported = compiler._as_date(compiler.expression("reported_at", {}))
    event = compiler._as_date(compiler.expression(definition.dated_by or "reported_at", {}))
    as_of = (compiler.as_of - date(1900, 1, 1)).days
    return f"(coalesce({reported.sql} >= {start}, FALSE) OR coalesce({event.sql}, {as_of}) >= {start})"


def _grade_sql(grading: Any, severities: list[str]) -> tuple[str, str]:
    """(columns counting each severity's failed and outstanding criteria and whether any was assessed,
    the suggested grade and whether it is provisional (`grading.suggest_grade`), and the inspector's grade)."""
    failed_states = f"({_STATE[NOT_MET]}, {_STATE[NOT_EVIDENCED]})"
    outstanding_states = f"({_STATE['pending']}, {_STATE['unable_to_assess']}, {_STATE[ERROR]})"
    kinds = sorted(set(severities))
    counts = []
    for k, severity in enumerate(kinds):
        for prefix, states in (("_f", failed_states), ("_o", outstanding_states)):
            terms = [f"CAST(s{i} IN {states} AS INTEGER)" for i, s in enumerate(severities) if s == severity]
            counts.append(f"({' + '.join(terms)}) AS {prefix}{k}")
    assessed = " OR ".join(f"s{i} IN ({_STATE[MET]}, {_STATE[NOT_MET]}, {_STATE[NOT_EVIDENCED]})"
                           for i in range(len(severities)))
    counts.append(f"({assessed}) AS _assessed")

    def grade(extra: bool) -> str:
        whens = []
        for rule in grading.rules:
            tests = []
            for severity, threshold in rule.when_failed.items():
                if severity not in kinds:
                    continue
                k = kinds.index(severity)
                amount = f"(_f{k} + _o{k})" if extra else f"_f{k}"
                tests.append(f"{amount} >= {_number(threshold)}")
            if tests:
                whens.append(f"WHEN {' OR '.join(tests)} THEN {_text(rule.grade)}")
        return f"(CASE {' '.join(whens)} ELSE {_text(grading.otherwise)} END)" if whens else _text(grading.otherwise)

    grades = (f"{grade(False)} AS suggested_grade, (grade).value AS grade, "
              f"({grade(True)} <> {grade(False)} OR NOT _assessed) AS provisional, "
              "coalesce((grade).referred_back, FALSE) AS referred_back")
    return ", ".join(counts), grades
