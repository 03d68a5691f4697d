"""The criteria expression language: parsed with `ast`, checked against an allow-list, compiled once.

An expression such as `within_hours(reported_at, first(case_referrals, to="childrens_social_care").at,
params.referral_max_hours)` is checked when the criteria file loads (every unknown name, field,
function or forbidden construct is reported with its column) and rewritten into a Python lambda
whose comparisons, field reads and boolean operators go through three-valued helpers: a field of a
null object reads as null, a comparison with null is false, and a value from a section the export
did not capture is UNKNOWN, which `and`, `or` and `not` combine by Kleene logic.

What can be bounded when the file loads is (docs/criteria-language.md, "Limits"): the length of an
expression, how deeply it nests, the operands of one `and`/`or` chain and how deeply comprehensions
nest; the depth is checked without recursion before anything recursive (the compiler here, or
Python's own) sees the tree. Evaluation's own limits are in `functions`.
"""
from __future__ import annotations

import ast
import difflib
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel

from thematic.core.timeutil import LONDON as _LONDON
from thematic.model.base import file_fields
from thematic.model.case import Case
from thematic.model.criteria import MAX_NUMBER
from thematic.scoring import functions as _functions
from thematic.scoring.functions import FUNCTIONS, UNGUARDED, UNKNOWN, charge_items, truth

MAX_STRING = 200
MAX_LENGTH = 2000
#: Levels of nesting in one expression (each operator, call, comprehension or list is a level).
MAX_DEPTH = 32
#: Operands of one chain of `and` (or of `or`).
MAX_OPERANDS = 32
#: Comprehensions nested in another's entry or `if` test (each level multiplies the work).
MAX_COMPREHENSION_DEPTH = 2
#: Definitions reading definitions, in a chain (checked by the criteria loader).
MAX_DEFINITION_DEPTH = 20

#: Names of literal values, for authors used to YAML or JSON as well as Python.
LITERALS = {"null": None, "true": True, "false": False}


class ExprError(ValueError):
    """An expression that cannot be accepted; `column` is 1-based within the expression text."""

    def __init__(self, message: str, column: int | None = None):
        super().__init__(message if column is None else f"column {column}: {message}")
        self.reason = message
        self.column = column


# --- types: just enough to check field names where they are read --------------------------------

@dataclass(frozen=True)
class Type:
    """What an expression yields: a record (`model`), a list of records or values, or a value."""

    kind: str  # "record", "list" or "value"
    model: type[BaseModel] | None = None

    def describe(self) -> str:
        if self.kind == "record" and self.model is not None:
            return f"a {self.model.__name__} record"
        if self.kind == "list":
            return f"a list of {self.model.__name__} records" if self.model else "a list"
        return "a value"


VALUE = Type("value")
VALUE_LIST = Type("list")


def _type_of_annotation(annotation: Any) -> Type:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _type_of_annotation(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _type_of_annotation(inner[0]) if len(inner) == 1 else VALUE
    if origin is list:
        element = _type_of_annotation(typing.get_args(annotation)[0])
        return Type("list", element.model if element.kind == "record" else None)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return Type("record", annotation)
    return VALUE


def field_type(model: type[BaseModel], name: str) -> Type | None:
    """The type of `model.name`, or None if the model has no such field."""
    info = file_fields(model).get(name)
    return None if info is None else _type_of_annotation(info.annotation)


#: The names an expression may read from a case (top-level fields), with `as_of` (the sample date).
CASE_NAMES: dict[str, Type] = {
    name: _type_of_annotation(info.annotation)
    for name, info in file_fields(Case).items()
    if name not in ("judgements", "grade")
}
CASE_NAMES["as_of"] = VALUE


# --- runtime helpers the compiled code calls ---------------------------------------------------
#
# Field reads, comparisons and `and`/`or`/`not` are written out inline by the compiler (a call
# per read or comparison was a good part of scoring a case); `_get`, `_comparison`, `_lazy_and`,
# `_lazy_or` and `_not` state their meaning, and tests/test_fast_paths.py checks that the inline
# code agrees with them on every combination of values.

def _get(obj: Any, name: str) -> Any:
    if obj is None or obj is UNKNOWN:
        return obj
    return getattr(obj, name)


def _comparison(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], Any]:
    def compare(a: Any, b: Any) -> Any:
        if a is UNKNOWN or b is UNKNOWN:
            return UNKNOWN
        if a is None or b is None:
            return False
        return op(a, b)

    return compare


def _isnull(value: Any) -> Any:
    return UNKNOWN if value is UNKNOWN else value is None


def _notnull(value: Any) -> Any:
    return UNKNOWN if value is UNKNOWN else value is not None


def _and(*values: Any) -> Any:
    result: Any = True
    for value in values:
        t = truth(value)
        if t is False:
            return False
        if t is UNKNOWN:
            result = UNKNOWN
    return result


def _lazy_and(first: Any, *rest: Callable[[], Any]) -> Any:
    """Kleene `and`, evaluated left to right and stopping at the first false operand.

    Stopping lets `x != null and count(x.items) > 0` guard its right side as authors expect; an
    unknown operand does not stop, since a later false one still decides the result.
    """
    result: Any = True
    t = truth(first)
    for operand in rest:
        if t is False:
            return False
        if t is UNKNOWN:
            result = UNKNOWN
        t = truth(operand())
    return False if t is False else (UNKNOWN if t is UNKNOWN else result)


def _lazy_or(first: Any, *rest: Callable[[], Any]) -> Any:
    """Kleene `or`, evaluated left to right and stopping at the first true operand."""
    result: Any = False
    t = truth(first)
    for operand in rest:
        if t is True:
            return True
        if t is UNKNOWN:
            result = UNKNOWN
        t = truth(operand())
    return True if t is True else (UNKNOWN if t is UNKNOWN else result)


def _not(value: Any) -> Any:
    t = truth(value)
    return UNKNOWN if t is UNKNOWN else not t


def _number(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"arithmetic needs numbers, got {value!r}")
    return value


def _arithmetic(op: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def apply(a: Any, b: Any) -> Any:
        if a is UNKNOWN or b is UNKNOWN:
            return UNKNOWN
        if a is None or b is None:
            return None
        return _functions.check_number(op(_number(a), _number(b)))

    return apply


def _neg(value: Any) -> Any:
    if value is UNKNOWN or value is None:
        return value
    return -_number(value)


def _sized(value: Any) -> Any:
    """The right side of `in` when not a written list: its entries are steps."""
    charge_items(value)
    return value


def _ifelse(condition: Any, then: Callable[[], Any], otherwise: Callable[[], Any]) -> Any:
    # Only the chosen branch is evaluated, so `x.y if x != null else z` guards like `and` does.
    t = truth(condition)
    return UNKNOWN if t is UNKNOWN else (then() if t else otherwise())


def _comprehension(items: Any, element: Callable[[Any], Any] | None, condition: Callable[[Any], Any] | None) -> Any:
    if items is UNKNOWN:
        return UNKNOWN
    if items is None:
        return []
    # Every entry is a step, so nested comprehensions stop at the budget (`charge_items`, written
    # out for the common case: this runs for every comprehension of every case).
    if type(items) is list:
        budget = _functions._budget
        budget.steps -= len(items)
        if budget.steps < 0 or len(items) > _functions.MAX_ITEMS:
            _functions._over(len(items))  # raises the LimitExceeded run into
    else:
        charge_items(items)
    result = []
    if element is None:  # `[x for x in items if ...]`, the commonest shape: no call per entry for the entry
        if condition is None:
            return list(items)
        for item in items:
            keep = condition(item)  # `truth(keep)` written out
            if keep is UNKNOWN:
                return UNKNOWN
            if keep is not None and keep:
                result.append(item)
        return result
    for item in items:
        if condition is not None:
            keep = truth(condition(item))
            if keep is UNKNOWN:
                return UNKNOWN
            if not keep:
                continue
        result.append(element(item))
    return result


_RUNTIME: dict[str, Any] = {
    "__builtins__": {},
    "_U": UNKNOWN,
    "_bool": bool,
    "_isnull": _isnull,
    "_notnull": _notnull,
    "_and": _and,
    "_neg": _neg,
    "_ifelse": _ifelse,
    "_comprehension": _comprehension,
    "_sized": _sized,
    "_add": _arithmetic(lambda a, b: a + b),
    "_sub": _arithmetic(lambda a, b: a - b),
    "_mul": _arithmetic(lambda a, b: a * b),
    "_div": _arithmetic(lambda a, b: a / b if b else None),
}
_RUNTIME.update({f"_f_{name}": fn for name, fn in FUNCTIONS.items()})
_RUNTIME.update({f"_g_{name}": fn for name, fn in UNGUARDED.items()})

#: The comparison operators allowed (written out inline; see `_comparison` for their meaning).
_COMPARISONS = frozenset({ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn})
_ARITHMETIC = {ast.Add: "_add", ast.Sub: "_sub", ast.Mult: "_mul", ast.Div: "_div"}
_FORBIDDEN = {
    ast.Pow: "'**' is not allowed",
    ast.Subscript: "indexing with [] is not allowed; use first(), last() or a field name",
    ast.Lambda: "lambda is not allowed",
    ast.NamedExpr: "':=' is not allowed",
    ast.Starred: "'*' unpacking is not allowed",
    ast.JoinedStr: "f-strings are not allowed",
    ast.Dict: "dictionaries are not allowed",
    ast.Set: "sets are not allowed; use a list such as [\"a\", \"b\"]",
    ast.Await: "await is not allowed",
}
_NO_ARGUMENTS = ast.arguments(posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[], defaults=[])
#: Plain names for operators an author may try, for error messages.
_OPERATOR_NAMES = {
    "FloorDiv": "'//'", "Mod": "'%'", "UAdd": "unary '+'", "Invert": "'~'", "MatMult": "'@'",
    "BitAnd": "'&'", "BitOr": "'|'", "BitXor": "'^'", "LShift": "'<<'", "RShift": "'>>'",
}
#: Functions whose keyword arguments filter a list by field values.
_FILTERING = {"count", "first", "last"}


_UNLIMITED = 10**18


@dataclass(frozen=True)
class Compiled:
    """A checked, compiled expression and what it reads."""

    source: str
    function: Callable[..., Any]
    type: Type
    names: frozenset[str]        # case fields read directly
    params: frozenset[str]       # parameters read
    definitions: frozenset[str]  # named definitions read
    #: The rewritten expression that `function` returns (over `_ns`, `_P` and `item`), for code that
    #: writes several expressions into one function (`scoring.set_function`).
    code: ast.expr | None = field(default=None, compare=False, repr=False)

    def __call__(self, *args: Any) -> Any:
        """One evaluation outside a scorer (tests, tools), with a full budget of steps."""
        _functions.reset_budget()
        try:
            return self.function(*args)
        finally:
            _functions.reset_budget(_UNLIMITED)


@dataclass
class Scope:
    """What an expression may refer to where it is compiled."""

    params: frozenset[str]
    definitions: dict[str, Type] = field(default_factory=dict)
    item: Type | None = None  # the `item` of a per-entry (`each`) expression


class _Located(typing.TypedDict):
    lineno: int
    col_offset: int
    end_lineno: int
    end_col_offset: int


#: The location every node of the rewritten code is given as it is made (compile() needs one; the
#: code is one line): a walk over each finished tree to add them was a fifth of compiling a set.
_AT: _Located = {"lineno": 1, "col_offset": 0, "end_lineno": 1, "end_col_offset": 0}


def _load(name: str) -> ast.expr:
    return ast.Name(id=name, ctx=ast.Load(), **_AT)


def _store(name: str) -> ast.Name:
    return ast.Name(id=name, ctx=ast.Store(), **_AT)


def _is(left: ast.expr, right: ast.expr) -> ast.expr:
    return ast.Compare(left=left, ops=[ast.Is()], comparators=[right], **_AT)


class _Compiler:
    def __init__(self, scope: Scope):
        self.scope = scope
        self.locals: dict[str, Type] = {"item": scope.item} if scope.item is not None else {}
        self.names: set[str] = set()
        self.params: set[str] = set()
        self.definitions: set[str] = set()
        self.temporaries = 0

    def temporary(self) -> str:
        """A fresh local name for an inlined helper (authors' names cannot begin with '_')."""
        self.temporaries += 1
        return f"_t{self.temporaries}"

    # Each visit returns (rewritten node, type).
    def visit(self, node: ast.AST) -> tuple[ast.expr, Type]:
        for forbidden, reason in _FORBIDDEN.items():
            if isinstance(node, forbidden):
                raise self.error(node, reason)
        method: Callable[[Any], tuple[ast.expr, Type]] | None = getattr(self, f"visit_{type(node).__name__}", None)
        if method is None:
            raise self.error(node, f"{type(node).__name__} expressions are not allowed")
        return method(node)

    @staticmethod
    def error(node: ast.AST, message: str) -> ExprError:
        return ExprError(message, getattr(node, "col_offset", -1) + 1)

    @staticmethod
    def call(helper: str, *args: ast.expr) -> ast.expr:
        return ast.Call(func=ast.Name(id=helper, ctx=ast.Load(), **_AT), args=list(args), keywords=[], **_AT)

    def visit_Constant(self, node: ast.Constant) -> tuple[ast.expr, Type]:
        value = node.value
        if isinstance(value, bool) or value is None:
            return node, VALUE
        if isinstance(value, (int, float)):
            if abs(value) > MAX_NUMBER:
                raise self.error(node, f"number {value} is too large (at most {MAX_NUMBER})")
            return node, VALUE
        if isinstance(value, str):
            if len(value) > MAX_STRING:
                raise self.error(node, f"text constant is too long (at most {MAX_STRING} characters)")
            return node, VALUE
        raise self.error(node, f"constant {value!r} is not allowed")

    def visit_Name(self, node: ast.Name) -> tuple[ast.expr, Type]:
        name = node.id
        if name.startswith("_"):
            raise self.error(node, f"names beginning with '_' are not allowed: {name}")
        if name in LITERALS:
            return ast.Constant(value=LITERALS[name], **_AT), VALUE
        if name in self.locals:
            return ast.Name(id=name, ctx=ast.Load(), **_AT), self.locals[name]
        if name == "params":
            raise self.error(node, "params must be followed by a parameter name, e.g. params.referral_max_hours")
        if name in self.scope.definitions:
            self.definitions.add(name)
            kind = self.scope.definitions[name]
        elif name in CASE_NAMES:
            self.names.add(name)
            kind = CASE_NAMES[name]
        elif name in FUNCTIONS:
            raise self.error(node, f"{name} is a function: call it, e.g. {name}(...)")
        else:
            known = [*CASE_NAMES, *self.scope.definitions, *self.locals]
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise self.error(node, f"unknown name '{name}'; {hint}expected a case field "
                                   f"({', '.join(sorted(CASE_NAMES))}), "
                                   "a definition, params.NAME or a comprehension variable")
        lookup = ast.Subscript(value=_load("_ns"), slice=ast.Constant(value=name, **_AT), ctx=ast.Load(), **_AT)
        return lookup, kind

    def visit_Attribute(self, node: ast.Attribute) -> tuple[ast.expr, Type]:
        if node.attr.startswith("_"):
            raise self.error(node, f"field names beginning with '_' are not allowed: {node.attr}")
        if isinstance(node.value, ast.Name) and node.value.id == "params" and "params" not in self.locals:
            if node.attr not in self.scope.params:
                raise self.error(node, f"unknown parameter '{node.attr}'; "
                                       f"parameters are: {', '.join(sorted(self.scope.params))}")
            self.params.add(node.attr)
            lookup = ast.Subscript(value=_load("_P"), slice=ast.Constant(value=node.attr, **_AT), ctx=ast.Load(),
                                   **_AT)
            return lookup, VALUE
        value, kind = self.visit(node.value)
        if kind.kind != "record" or kind.model is None:
            raise self.error(node, f"cannot read field '{node.attr}' of {kind.describe()}")
        result = field_type(kind.model, node.attr)
        if result is None:
            fields = ", ".join(file_fields(kind.model))
            raise self.error(node, f"{kind.model.__name__} has no field '{node.attr}'; its fields are: {fields}")
        return self.inline_get(value, node.attr), result

    def inline_get(self, value: ast.expr, attr: str) -> ast.expr:
        """`_get(value, attr)` written out, saving a call on the hottest path:
        `(_t if (_t := value) is None or _t is _U else _t.attr)`."""
        name = self.temporary()
        test = ast.BoolOp(op=ast.Or(), values=[
            _is(ast.NamedExpr(target=_store(name), value=value, **_AT), ast.Constant(value=None, **_AT)),
            _is(_load(name), _load("_U")),
        ], **_AT)
        return ast.IfExp(test=test, body=_load(name),
                         orelse=ast.Attribute(value=_load(name), attr=attr, ctx=ast.Load(), **_AT), **_AT)

    def visit_BoolOp(self, node: ast.BoolOp) -> tuple[ast.expr, Type]:
        # `_lazy_and`/`_lazy_or` written out. Kleene `and` and `or` are associative, and folding
        # in halves evaluates left to right and stops at the same operand as the helpers do,
        # while the code nests only log2(operands) deep.
        operands = [self.visit(v)[0] for v in node.values]
        return self.fold(isinstance(node.op, ast.And), operands), VALUE

    def fold(self, conjunction: bool, operands: list[ast.expr]) -> ast.expr:
        if len(operands) == 1:
            return operands[0]
        middle = len(operands) // 2
        return self.inline_kleene(conjunction, self.fold(conjunction, operands[:middle]),
                                  self.fold(conjunction, operands[middle:]))

    def inline_truth(self, value: ast.expr) -> ast.expr:
        """`truth(value)` written out: `(_U if (_x := value) is _U else False if _x is None else _bool(_x))`."""
        name = self.temporary()
        return ast.IfExp(
            test=_is(ast.NamedExpr(target=_store(name), value=value, **_AT), _load("_U")), body=_load("_U"),
            orelse=ast.IfExp(test=_is(_load(name), ast.Constant(value=None, **_AT)),
                             body=ast.Constant(value=False, **_AT),
                             orelse=ast.Call(func=_load("_bool"), args=[_load(name)], keywords=[], **_AT), **_AT),
            **_AT)

    def inline_kleene(self, conjunction: bool, left: ast.expr, right: ast.expr) -> ast.expr:
        """Two-operand `_lazy_and` (or `_lazy_or`) written out; `right` is evaluated only if `left` does not decide:
        `(S if (_a := truth(left)) is S else S if (_b := truth(right)) is S else _U if _b is _U or _a is _U else not S)`
        with S False for `and`, True for `or`."""
        a, b = self.temporary(), self.temporary()
        stop = ast.Constant(value=not conjunction, **_AT)
        undecided = ast.IfExp(
            test=ast.BoolOp(op=ast.Or(), values=[_is(_load(b), _load("_U")), _is(_load(a), _load("_U"))], **_AT),
            body=_load("_U"), orelse=ast.Constant(value=conjunction, **_AT), **_AT)
        second = ast.IfExp(test=_is(ast.NamedExpr(target=_store(b), value=self.inline_truth(right), **_AT), stop),
                           body=stop, orelse=undecided, **_AT)
        return ast.IfExp(test=_is(ast.NamedExpr(target=_store(a), value=self.inline_truth(left), **_AT), stop),
                         body=stop, orelse=second, **_AT)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> tuple[ast.expr, Type]:
        operand, _ = self.visit(node.operand)
        # `_not(operand)` written out: (_U if (_t := truth(operand)) is _U else not _t)
        if isinstance(node.op, ast.Not):
            name = self.temporary()
            truth_of = ast.NamedExpr(target=_store(name), value=self.inline_truth(operand), **_AT)
            return ast.IfExp(test=_is(truth_of, _load("_U")),
                             body=_load("_U"), orelse=ast.UnaryOp(op=ast.Not(), operand=_load(name), **_AT),
                             **_AT), VALUE
        if isinstance(node.op, ast.USub):
            return self.call("_neg", operand), VALUE
        operator = type(node.op).__name__
        raise self.error(node, f"operator {_OPERATOR_NAMES.get(operator, operator)} is not allowed")

    def visit_BinOp(self, node: ast.BinOp) -> tuple[ast.expr, Type]:
        if isinstance(node.op, ast.Pow):
            raise self.error(node, "'**' is not allowed")
        helper = _ARITHMETIC.get(type(node.op))
        if helper is None:
            name = _OPERATOR_NAMES.get(type(node.op).__name__, type(node.op).__name__)
            raise self.error(node, f"operator {name} is not allowed; use + - * /")
        (left, left_type), (right, right_type) = self.visit(node.left), self.visit(node.right)
        for operand, kind in ((node.left, left_type), (node.right, right_type)):
            # Arithmetic is for numbers: string or list repetition and concatenation are refused here.
            if kind.kind != "value" or (isinstance(operand, ast.Constant) and isinstance(operand.value, str)):
                raise self.error(operand, "arithmetic (+ - * /) works on numbers only")
        return self.call(helper, left, right), VALUE

    @staticmethod
    def _is_null(node: ast.expr) -> bool:
        return ((isinstance(node, ast.Constant) and node.value is None)
                or (isinstance(node, ast.Name) and node.id == "null"))

    def visit_Compare(self, node: ast.Compare) -> tuple[ast.expr, Type]:
        operands = [node.left, *node.comparators]
        parts = []
        for op, left, right in zip(node.ops, operands, operands[1:], strict=False):
            if isinstance(op, (ast.Eq, ast.NotEq, ast.Is, ast.IsNot)) and (self._is_null(left) or self._is_null(right)):
                other = right if self._is_null(left) else left
                helper = "_isnull" if isinstance(op, (ast.Eq, ast.Is)) else "_notnull"
                parts.append(self.call(helper, self.visit(other)[0]))
                continue
            if type(op) not in _COMPARISONS:
                raise self.error(node, "'is' compares only with null; use == or !=")
            right_code = self.visit(right)[0]
            if isinstance(op, (ast.In, ast.NotIn)) and not isinstance(right, (ast.List, ast.Tuple)):
                right_code = self.call("_sized", right_code)  # a list the case or a comprehension made
            parts.append(self.inline_compare(op, self.visit(left)[0], right_code))
        return (parts[0] if len(parts) == 1 else self.call("_and", *parts)), VALUE

    def inline_compare(self, op: ast.cmpop, left: ast.expr, right: ast.expr) -> ast.expr:
        """A comparison helper (`_lt(left, right)` …) written out, both sides evaluated first as a call would:
        `(_U if ((_a := left) is _U) | ((_b := right) is _U) else False if _a is None or _b is None else _a < _b)`."""
        a, b = self.temporary(), self.temporary()
        unknown = ast.BinOp(  # `|`, not `or`: the right side is evaluated even when the left is unknown
            left=_is(ast.NamedExpr(target=_store(a), value=left, **_AT), _load("_U")),
            op=ast.BitOr(),
            right=_is(ast.NamedExpr(target=_store(b), value=right, **_AT), _load("_U")), **_AT)
        null = ast.BoolOp(op=ast.Or(), values=[_is(_load(a), ast.Constant(value=None, **_AT)),
                                               _is(_load(b), ast.Constant(value=None, **_AT))], **_AT)
        compared = ast.Compare(left=_load(a), ops=[type(op)()], comparators=[_load(b)], **_AT)
        return ast.IfExp(test=unknown, body=_load("_U"),
                         orelse=ast.IfExp(test=null, body=ast.Constant(value=False, **_AT), orelse=compared, **_AT),
                         **_AT)

    def visit_IfExp(self, node: ast.IfExp) -> tuple[ast.expr, Type]:
        then, kind = self.visit(node.body)
        thunks = [ast.Lambda(args=_NO_ARGUMENTS, body=branch, **_AT) for branch in (then, self.visit(node.orelse)[0])]
        return self.call("_ifelse", self.visit(node.test)[0], *thunks), kind

    def _sequence(self, node: ast.List | ast.Tuple) -> tuple[ast.expr, Type]:
        return ast.Tuple(elts=[self.visit(e)[0] for e in node.elts], ctx=ast.Load(), **_AT), VALUE_LIST

    visit_List = _sequence
    visit_Tuple = _sequence

    def visit_Call(self, node: ast.Call) -> tuple[ast.expr, Type]:
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            shown = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
            raise self.error(node, f"unknown function '{shown}'; functions are: {', '.join(sorted(FUNCTIONS))}")
        name = node.func.id
        args = [self.visit(a) for a in node.args]
        keywords = []
        for keyword in node.keywords:
            if keyword.arg is None:
                raise self.error(node, "'**' is not allowed")
            if name not in _FILTERING:
                raise self.error(node, f"{name}() takes no keyword arguments")
            listed = args[0][1] if args else VALUE
            if listed.kind != "list" or listed.model is None:
                raise self.error(keyword, f"{name}() filters by field only a list of records, not {listed.describe()}")
            fields = list(file_fields(listed.model))
            if keyword.arg not in fields:
                close = difflib.get_close_matches(keyword.arg, fields, n=1)
                hint = f"did you mean '{close[0]}'?" if close else f"its fields are: {', '.join(fields)}"
                raise self.error(keyword, f"{listed.model.__name__} has no field '{keyword.arg}' to filter on; {hint}")
            keywords.append(ast.keyword(arg=keyword.arg, value=self.visit(keyword.value)[0], **_AT))
        kind = self._result_type(name, [t for _, t in args])
        if name in UNGUARDED:
            return self.guarded_call(name, [a for a, _ in args], keywords), kind
        call = ast.Call(func=_load(f"_f_{name}"), args=[a for a, _ in args], keywords=keywords, **_AT)
        return call, self._result_type(name, [t for _, t in args])

    def guarded_call(self, name: str, args: list[ast.expr], keywords: list[ast.keyword]) -> ast.expr:
        """`_f_name(args)` (the function behind its UNKNOWN check, `functions._function`) written out, every
        argument evaluated first as a call would:
        `(_U if ((_a := x) is _U) | ((_b := y) is _U) else _g_name(_a, _b))`."""
        tests: list[ast.expr] = []
        values: list[ast.expr] = []
        for value in [*args, *(k.value for k in keywords)]:
            temporary = self.temporary()
            tests.append(_is(ast.NamedExpr(target=_store(temporary), value=value, **_AT), _load("_U")))
            values.append(_load(temporary))
        call = ast.Call(func=_load(f"_g_{name}"), args=values[:len(args)],
                        keywords=[ast.keyword(arg=k.arg, value=v, **_AT) for k, v in zip(keywords, values[len(args):],
                                                                                   strict=True)], **_AT)
        if not tests:
            return call
        test = tests[0]
        for more in tests[1:]:  # `|`, not `or`: every argument is evaluated even when one is unknown
            test = ast.BinOp(left=test, op=ast.BitOr(), right=more, **_AT)
        return ast.IfExp(test=test, body=_load("_U"), orelse=call, **_AT)

    @staticmethod
    def _result_type(name: str, args: list[Type]) -> Type:
        if name in ("first", "last") and args and args[0].kind == "list":
            return Type("record", args[0].model) if args[0].model else VALUE
        if name == "last_n" and args:
            return args[0]
        if name == "coalesce" and args:
            return args[0]
        return VALUE

    def _comprehension(self, node: ast.ListComp | ast.GeneratorExp) -> tuple[ast.expr, Type]:
        if len(node.generators) != 1:
            raise self.error(node, "only one 'for' is allowed in a comprehension")
        generator = node.generators[0]
        if not isinstance(generator.target, ast.Name) or generator.is_async:
            raise self.error(node, "the comprehension variable must be a single name")
        variable = generator.target.id
        if variable.startswith("_") or variable in CASE_NAMES or variable in self.scope.definitions \
                or variable in FUNCTIONS or variable in LITERALS or variable == "params" or variable in self.locals:
            raise self.error(generator.target, f"'{variable}' is already a name; choose another comprehension variable")
        items, items_type = self.visit(generator.iter)
        if items_type.kind != "list":
            raise self.error(generator.iter, f"a comprehension must go over a list, not {items_type.describe()}")
        self.locals[variable] = Type("record", items_type.model) if items_type.model else VALUE
        try:
            element, element_type = self.visit(node.elt)
            condition = None
            if generator.ifs:
                tests = [self.visit(test)[0] for test in generator.ifs]
                condition = tests[0] if len(tests) == 1 else self.call("_and", *tests)
        finally:
            del self.locals[variable]
        arguments = ast.arguments(posonlyargs=[], args=[ast.arg(arg=variable, **_AT)], kwonlyargs=[], kw_defaults=[],
                                  defaults=[])
        # The entry itself (`[r for r in referrals if ...]`) needs no function to work it out.
        element_fn: ast.expr = ast.Lambda(args=arguments, body=element, **_AT)
        if isinstance(node.elt, ast.Name) and node.elt.id == variable:
            element_fn = ast.Constant(value=None, **_AT)
        condition_fn = (ast.Lambda(args=arguments, body=condition, **_AT) if condition is not None
                        else ast.Constant(value=None, **_AT))
        result_type = Type("list", element_type.model if element_type.kind == "record" else None)
        return self.call("_comprehension", items, element_fn, condition_fn), result_type

    visit_ListComp = _comprehension
    visit_GeneratorExp = _comprehension


def compile_expression(source: str, scope: Scope) -> Compiled:
    """Check `source` against the allow-list and compile it; raise ExprError naming the column."""
    if not isinstance(source, str) or not source.strip():
        raise ExprError("an expression is expected (text such as investigation != null)")
    if len(source) > MAX_LENGTH:
        raise ExprError(f"expression is too long (at most {MAX_LENGTH} characters)")
    text = " ".join(source.split())  # YAML folded text may hold newlines: one logical line
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ExprError(f"not a valid expression: {exc.msg}", max(1, exc.offset or 1)) from None
    except (RecursionError, MemoryError):  # Python's parser on deep input; the length cap makes it unlikely
        raise ExprError(f"expression is nested too deeply (at most {MAX_DEPTH} levels); "
                        "put a part in a definition") from None
    _check_shape(tree.body)
    compiler = _Compiler(scope)
    body, kind = compiler.visit(tree.body)
    parameters = [ast.arg(arg="_ns", **_AT), ast.arg(arg="_P", **_AT)]
    if scope.item is not None:
        parameters.append(ast.arg(arg="item", **_AT))
    arguments = ast.arguments(posonlyargs=[], args=parameters, kwonlyargs=[], kw_defaults=[], defaults=[])
    wrapper = ast.Expression(body=ast.Lambda(args=arguments, body=body, **_AT))
    try:
        try:
            code = compile(wrapper, "<criteria expression>", "eval")
        except TypeError:  # a node made without a location (each is given _AT as it is made): add them
            _fix_locations(wrapper)
            code = compile(wrapper, "<criteria expression>", "eval")
        function = eval(code, dict(_RUNTIME))  # noqa: S307 - checked AST
    except (RecursionError, MemoryError):  # a backstop: the shape checks above should make it unreachable
        raise ExprError("expression is too complex to compile; put a part in a definition") from None
    return Compiled(
        source=text,
        function=function,
        type=kind,
        names=frozenset(compiler.names),
        params=frozenset(compiler.params),
        definitions=frozenset(compiler.definitions),
        code=body,
    )


def _check_shape(tree: ast.expr) -> None:
    """Refuse what nests too deeply, before anything recursive walks the tree (this walk is iterative)."""
    # (node, its level if it is an expression, comprehensions around it that repeat it per entry)
    stack: list[tuple[ast.AST, int, int]] = [(tree, 1, 0)]
    while stack:
        node, depth, comprehensions = stack.pop()
        column = getattr(node, "col_offset", 0) + 1
        if isinstance(node, ast.expr) and depth > MAX_DEPTH:
            raise ExprError(f"expression is nested too deeply (at most {MAX_DEPTH} levels); "
                            "put a part in a definition", column)
        if isinstance(node, ast.BoolOp) and len(node.values) > MAX_OPERANDS:
            word = "and" if isinstance(node.op, ast.And) else "or"
            raise ExprError(f"too many operands joined by '{word}' (at most {MAX_OPERANDS}); "
                            "put a part in a definition",
                            node.values[MAX_OPERANDS].col_offset + 1)
        below = depth + 1 if isinstance(node, ast.expr) else depth
        if isinstance(node, (ast.ListComp, ast.GeneratorExp)):
            if comprehensions + 1 > MAX_COMPREHENSION_DEPTH:
                raise ExprError(f"comprehensions are nested too deeply (at most {MAX_COMPREHENSION_DEPTH} inside one "
                                "another); put the inner one in a definition", column)
            # The entry and the tests are worked out once per entry; the list gone through once.
            stack.append((node.elt, below, comprehensions + 1))
            for generator in node.generators:
                stack.append((generator.iter, below, comprehensions))
                stack.extend((test, below, comprehensions + 1) for test in generator.ifs)
            continue
        stack.extend((child, below, comprehensions) for child in ast.iter_child_nodes(node))


_LOCATION = (("lineno", 1), ("col_offset", 0), ("end_lineno", 1), ("end_col_offset", 0))


def _fix_locations(tree: ast.AST) -> None:
    """`ast.fix_missing_locations` without its recursion: every node of the rewritten code at line 1."""
    # A walk of its own over each node's fields (held in its __dict__, as `ast.iter_child_nodes`
    # reads them): `ast.walk` costs twice as much, a good part of loading a criteria file.
    stack = [tree]
    while stack:
        node = stack.pop()
        attributes = node.__dict__
        if "lineno" in node._attributes:
            for name, value in _LOCATION:
                if attributes.get(name) is None:
                    attributes[name] = value
        for name in node._fields:
            child = attributes.get(name)
            if isinstance(child, list):
                stack.extend(item for item in child if isinstance(item, ast.AST))
            elif isinstance(child, ast.AST):
                stack.append(child)


def format_value(value: Any) -> str:
    """A value as evidence text: local times, numbers to two decimals, `null`, and `not captured` for UNKNOWN."""
    # The common exact types first (evidence is built for every result of every case); any
    # other value takes the general path below, which gives the same text for these types.
    kind = type(value)
    if kind is str:
        text: str = value
        return text
    if kind is datetime:
        moment: datetime = value
        try:
            local = moment.astimezone(_LONDON)
        except OverflowError:  # London's offset in year 1 (or 9999) leaves the calendar: show UTC
            return moment.astimezone(UTC).isoformat(" ", "minutes")[:16] + " UTC"
        if local.year >= 1000:  # strftime's %Y does not pad years before 1000 on every platform
            return local.isoformat(" ", "minutes")[:16]
    elif kind is int:
        return str(value)
    elif kind is list or kind is tuple:
        return ", ".join([format_value(v) for v in value]) if value else "none"
    return _format_other(value)


def _format_other(value: Any) -> str:
    if value is UNKNOWN:
        return "not captured"
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        # Two decimals, so one minute over an hours limit still shows (2 h 1 min is 2.02 h).
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        return "0" if text == "-0" else text
    if isinstance(value, datetime):
        try:
            return value.astimezone(_LONDON).strftime("%Y-%m-%d %H:%M")
        except OverflowError:
            return value.astimezone(UTC).isoformat(" ", "minutes")[:16] + " UTC"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ", ".join(format_value(v) for v in value) if value else "none"
    if isinstance(value, BaseModel):
        return getattr(value, "ref", None) or type(value).__name__
    return str(value)
