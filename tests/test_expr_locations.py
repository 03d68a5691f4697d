"""The rewritten code of every expression is given its location as it is made (`expr._AT`), so
compiling it needs no walk over the finished tree; `_fix_locations` remains for a node made
without one. These tests fail if a construct of the language makes a node without a location."""
from __future__ import annotations

import ast

import pytest

from thematic.load.criteria import shipped_criteria_path
from thematic.scoring import criteria as criteria_module
from thematic.scoring import expr
from thematic.scoring.expr import VALUE, Scope, Type, compile_expression
from thematic.scoring.functions import UNKNOWN

PARAMS = {"referral_max_hours": 24, "min_pip_level": 2}
SCOPE = Scope(params=frozenset(PARAMS), definitions={"p": VALUE, "q": VALUE})

#: One of each construct the compiler rewrites: names and literals, fields of fields, parameters,
#: `and`/`or`/`not`, chained and null comparisons, arithmetic, unary minus, `x if c else y`, lists,
#: comprehensions (with and without a test), calls with and without keywords and guards.
EXPRESSIONS = [
    "p", "null", "true and not false", "p or q or p and q", "not p",
    "investigation.allocated_at", "investigation != null and investigation.allocated_at > reported_at",
    "1 < 2 <= 3", "hours_between(reported_at, investigation.allocated_at) <= params.referral_max_hours",
    "p + q * 2 - 1 / 4", "-p", "p if q else 3", "[1, 2, 3]", "count(referrals) > 0",
    "count(referrals, to=\"childrens_social_care\")", "first(referrals, to=\"childrens_social_care\").at",
    "[r.at for r in referrals if r.at != null]", "[r for r in referrals]", "any(r.at > reported_at for r in referrals)",
    "within_hours(reported_at, first(referrals).at, params.referral_max_hours)", "coalesce(p, q, 1)",
    "date(reported_at) >= as_of", "add_working_days(date(reported_at), 3)",
]


@pytest.fixture
def no_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(tree: ast.AST) -> None:
        raise AssertionError("a node of the rewritten code was made without a location:\n" + ast.dump(tree))
    monkeypatch.setattr(expr, "_fix_locations", refuse)


@pytest.mark.parametrize("text", EXPRESSIONS)
def test_every_node_is_made_with_its_location(no_walk: None, text: str) -> None:
    compiled = compile_expression(text, SCOPE)
    assert compiled.code is not None
    for node in ast.walk(compiled.code):
        if "lineno" in node._attributes:
            assert (node.lineno, node.col_offset) != (None, None)


def test_an_each_expression_reads_its_item(no_walk: None) -> None:
    scope = Scope(params=frozenset(PARAMS), item=Type("value"))
    assert compile_expression("item > 2 and item != null", scope).function({}, PARAMS, 3) is True


def test_the_shipped_criteria_compile_without_the_walk(no_walk: None) -> None:
    criteria = criteria_module.load_criteria(shipped_criteria_path())
    assert criteria.criteria


def test_a_node_made_without_a_location_is_still_compiled() -> None:
    # The fallback: a tree with nodes that have no location gets line 1 everywhere, and runs.
    tree = ast.Expression(body=ast.Lambda(
        args=ast.arguments(posonlyargs=[], args=[ast.arg(arg="x")], kwonlyargs=[], kw_defaults=[], defaults=[]),
        body=ast.BinOp(left=ast.Name(id="x", ctx=ast.Load()), op=ast.Add(), right=ast.Constant(value=1))))
    with pytest.raises(TypeError):
        compile(tree, "<test>", "eval")
    expr._fix_locations(tree)
    assert all(getattr(node, "lineno", 1) == 1 for node in ast.walk(tree))
    assert eval(compile(tree, "<test>", "eval"))(2) == 3  # noqa: S307 - a tree made here


def test_unknown_still_reads_as_unknown_through_located_code(no_walk: None) -> None:
    compiled = compile_expression("p and q", SCOPE)
    assert compiled({"p": UNKNOWN, "q": True}, PARAMS) is UNKNOWN
