"""A criteria set written as one generated Python function that scores a case in one pass.

`evaluate.Scorer` scores a case criterion by criterion: for each it calls the compiled function of
`applies`, then of `met` and `evidenced`, through helpers that turn values into states. Here the
same steps are written out, for the whole set, as the text of one function: every expression's
rewritten code (`expr.Compiled.code`) is put in place of its call, and the decisions between
them are plain `if` statements. What a case field or a definition reads still goes through the
scorer's namespace (`_ns[name]`), so a definition is still worked out once per case, the first
time a criterion reads it, within that criterion's budget of steps; every criterion still has its
own `try`, so a failure on one case stays that criterion's `error`.

The decisions are the scorer's (spec/criteria.md): applicability (unknown when it depends on an
uncaptured section), then met, then evidenced; an `each` criterion's entries are decided here and
combined by the scorer's own code, which also writes every evidence text. The per-criterion loop
stays in `evaluate` as the reference: tests/test_set_function.py holds the two to the same results.
"""
from __future__ import annotations

import ast
from collections.abc import Callable, Sequence
from typing import Any

from thematic.model.results import ERROR, MET, NOT_EVIDENCED, NOT_MET, CriterionResult
from thematic.scoring import functions as _functions
from thematic.scoring.expr import _RUNTIME, Compiled

#: (namespace, parameters, absent sections, case, data-quality notes, results to fill, steps per criterion)
SetFunction = Callable[[Any, Any, frozenset[str], Any, list[str], dict[str, CriterionResult], int], None]

_HEAD = "def _score_set(_ns, _P, _absent, _case, _notes, _res, _STEPS):\n"
_GUARD = """    _budget.steps = _STEPS
    try:
{body}
    except _LimitExceeded as _x:
        _r = _CR(_ERROR, f"evaluation stopped: {{_x}}")
    except _Exception as _x:
        _r = _CR(_ERROR, _failure(_x))
    _res[_ID{i}] = _r
"""
_JUDGEMENT = "        _r = _judge(_PLAN{i}, _case, _ns, _notes)"
_AUTOMATIC = """        _a = {applies}
        if _a is _U:
            _r = _unable(_PLAN{i}, _absent)
        elif _a is None or not _a:
            _r = {not_applicable}
        else:
{decided}"""
_SINGLE = """            _m = {met}
            if _m is _U:
                _r = _unable(_PLAN{i}, _absent)
            elif _m is not None and _m:
                _r = {result_met}
            else:
{otherwise}"""
_EVIDENCED = """                _e = {evidenced}
                if _e is _U:
                    _r = _unable(_PLAN{i}, _absent)
                elif _e is not None and _e:
                    _r = {result_not_met}
                else:
                    _r = {result_not_evidenced}"""
_EACH = """            _items = {each}
            if _items is _U:
                _r = _unable(_PLAN{i}, _absent)
            else:
                _charge_items(_items)
                _states = []
                for item in _items:
                    _m = {met}
                    if _m is _U:
                        _s = _U
                    elif _m is not None and _m:
                        _s = _MET
                    else:
{otherwise}
                    _states.append((item, _s))
                _r = _each_result(_PLAN{i}, _states, _ns, _P, _absent)"""
_EACH_EVIDENCED = """                        _e = {evidenced}
                        _s = _U if _e is _U else (_NOT_MET if _e is not None and _e else _NOT_EVIDENCED)"""


class _Splice(ast.NodeTransformer):
    """Puts each expression's code where the template names it (`__E<n>__`)."""

    def __init__(self, codes: list[ast.expr]) -> None:
        self.codes = codes

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id.startswith("__E") and node.id.endswith("__"):
            return self.codes[int(node.id[3:-2])]
        return node


def build_set_function(plans: Sequence[Any], *, evidence: bool, judge: Callable[..., CriterionResult],
                       unable: Callable[..., CriterionResult], each_result: Callable[..., CriterionResult],
                       evidenced_result: Callable[..., CriterionResult],
                       failure: Callable[[Exception], str],
                       not_applicable: Callable[..., CriterionResult]) -> SetFunction | None:
    """The function scoring every criterion of `plans` (evaluate._Plan, in catalogue order), or None
    if an expression has no code to write out (the scorer then keeps its loop)."""
    codes: list[ast.expr] = []
    namespace: dict[str, Any] = dict(_RUNTIME)

    def expression(compiled: Compiled | None) -> str:
        if compiled is None or compiled.code is None:
            raise LookupError
        codes.append(compiled.code)
        return f"__E{len(codes) - 1}__"

    def result(index: int, state: str) -> str:
        if not evidence:
            return f"_BARE_{state.upper()}"
        return f"_evidenced_result(_PLAN{index}, {state!r}, _ns, _P)"

    def not_applicable_result(index: int) -> str:
        # Only a dated criterion has a per-case reason to work out; the others keep their fixed result.
        if plans[index].reason is None:
            return f"_PLAN{index}.not_applicable"
        return f"_not_applicable(_PLAN{index}, _ns, _P)"

    parts = [_HEAD]
    try:
        for index, plan in enumerate(plans):
            namespace[f"_PLAN{index}"] = plan
            namespace[f"_ID{index}"] = plan.id
            criterion = plan.criterion
            if plan.judgement:
                body = _JUDGEMENT.format(i=index)
            elif criterion.each is None:
                otherwise = (_EVIDENCED.format(evidenced=expression(criterion.evidenced), i=index,
                                               result_not_met=result(index, NOT_MET),
                                               result_not_evidenced=result(index, NOT_EVIDENCED))
                             if criterion.evidenced is not None else f"                _r = {result(index, NOT_MET)}")
                applies = expression(criterion.applies)
                decided = _SINGLE.format(met=expression(criterion.met), i=index, result_met=result(index, MET),
                                         otherwise=otherwise)
                body = _AUTOMATIC.format(applies=applies, i=index, decided=decided,
                                        not_applicable=not_applicable_result(index))
            else:
                applies = expression(criterion.applies)
                each = expression(criterion.each)
                met = expression(criterion.met)
                otherwise = (_EACH_EVIDENCED.format(evidenced=expression(criterion.evidenced))
                             if criterion.evidenced is not None else "                        _s = _NOT_MET")
                decided = _EACH.format(each=each, met=met, i=index, otherwise=otherwise)
                body = _AUTOMATIC.format(applies=applies, i=index, decided=decided,
                                        not_applicable=not_applicable_result(index))
            parts.append(_GUARD.format(body=body, i=index))
    except LookupError:
        return None
    parts.append("    return None\n")
    tree = ast.parse("".join(parts), "<criteria set>", "exec")
    # Every node of an expression's code is made with its location (scoring.expr; tests/test_expr_locations.py).
    tree = _Splice(codes).visit(tree)
    namespace.update({
        "_budget": _functions._budget, "_LimitExceeded": _functions.LimitExceeded,
        "_charge_items": _functions.charge_items,
        "_Exception": Exception, "_CR": CriterionResult, "_ERROR": ERROR, "_failure": failure,
        "_MET": MET, "_NOT_MET": NOT_MET, "_NOT_EVIDENCED": NOT_EVIDENCED, "_judge": judge, "_unable": unable,
        "_each_result": each_result, "_evidenced_result": evidenced_result, "_not_applicable": not_applicable,
        "_BARE_MET": CriterionResult(MET, ""), "_BARE_NOT_MET": CriterionResult(NOT_MET, ""),
        "_BARE_NOT_EVIDENCED": CriterionResult(NOT_EVIDENCED, ""),
    })
    try:
        exec(compile(tree, "<criteria set>", "exec"), namespace)  # noqa: S102 - our template and checked expressions
    except (RecursionError, MemoryError, SyntaxError, ValueError):  # a set too large to write out: keep the loop
        return None
    function: SetFunction = namespace["_score_set"]
    return function
