"""Criteria compiled for scoring: every expression of a criteria file checked and compiled once.

`thematic.load.criteria` reads and validates the file; compiling it here reports every problem of
its expressions, each as `file:line: field: what is wrong`, together with the file's structural
problems, so an author fixes a criteria file in one pass and never meets an expression error while
scoring.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from thematic.core.errors import InputError, Problem
from thematic.load.criteria import CriteriaParts, LoadedCriteria, read_criteria
from thematic.load.yaml_source import YamlDocument, located_problem
from thematic.model.criteria import CriteriaFile, CriterionDef
from thematic.model.results import STATES
from thematic.scoring.expr import (
    CASE_NAMES,
    LITERALS,
    MAX_DEFINITION_DEPTH,
    VALUE,
    Compiled,
    ExprError,
    Scope,
    Type,
    compile_expression,
)
from thematic.scoring.functions import FUNCTIONS, UNKNOWN

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_RESERVED = set(CASE_NAMES) | set(FUNCTIONS) | set(LITERALS) | {"params", "item"}

Location = tuple[str | int, ...]


@dataclass(frozen=True)
class Template:
    """Evidence text with `{expression}` placeholders."""

    parts: tuple[str | Compiled, ...]


@dataclass(frozen=True)
class CompiledCriterion:
    """A criterion ready to score: its definition and compiled expressions."""

    definition: CriterionDef
    applies: Compiled
    each: Compiled | None
    met: Compiled | None
    evidenced: Compiled | None
    evidence: dict[str, Template]
    sections: frozenset[str]   # top-level case fields read, through definitions too
    parameters: frozenset[str]  # parameters read, through definitions too
    uses: frozenset[str]        # definitions read, directly or through other definitions
    #: For a criterion with `applies_from`: (namespace, parameters) -> the plain-words reason a case is
    #: not applicable because of its date ("not applicable: CRM-02 applies from 31 July 2015;
    #: outcome.decided_at was 3 March 2015"), or None when its date is not the reason. The state needs
    #: no more than `applies`; an evaluator that writes this reason instead of the criterion's fixed
    #: not-applicable text gives each case its own date.
    not_applicable_reason: Callable[[Any, Any], str | None] | None = None

    @property
    def id(self) -> str:
        return self.definition.id

    @property
    def applies_from(self) -> date | None:
        """The date the criterion applies from (already part of `applies`), or None."""
        return self.definition.applies_from


@dataclass(frozen=True)
class CriteriaSet:
    """A loaded criteria file: definitions compiled in order, criteria in catalogue order."""

    file: CriteriaFile
    path: str
    definitions: dict[str, Compiled]
    criteria: tuple[CompiledCriterion, ...]

    @property
    def id(self) -> str:
        return self.file.id

    def defaults(self) -> dict[str, float | int]:
        return {name: p.default for name, p in self.file.parameters.items()}

    def criterion(self, criterion_id: str) -> CompiledCriterion:
        for criterion in self.criteria:
            if criterion.id == criterion_id:
                return criterion
        raise KeyError(criterion_id)


def load_criteria(path: str | Path) -> CriteriaSet:
    """Read, validate and compile a criteria file; InputError listing every problem."""
    return compile_criteria(read_criteria(path))


def compile_criteria(loaded: LoadedCriteria) -> CriteriaSet:
    """Compile a criteria file as read; InputError listing every problem, its structure's ones too."""
    if loaded.file is not None and loaded.parts is not None:
        definitions, criteria = _Builder(loaded.doc, loaded.parts).build()
        return CriteriaSet(file=loaded.file, path=loaded.path, definitions=definitions, criteria=criteria)
    problems = list(loaded.problems)
    # Check the expressions of every part that is well formed too, so that an author sees every
    # problem of the file in one pass.
    if loaded.parts is not None:
        try:
            _Builder(loaded.doc, loaded.parts).build()
        except InputError as more:
            problems += [p for p in more.problems if p not in problems]
    raise InputError(sorted(problems, key=lambda p: p.line or 0))


class _Builder:
    def __init__(self, doc: YamlDocument, parts: CriteriaParts) -> None:
        self.doc = doc
        self.parts = parts
        self.problems: list[Problem] = []
        self.params = frozenset(parts.parameters)
        self.definitions: dict[str, Compiled] = {}
        self.types: dict[str, Type] = {}
        # What each definition reads, following the definitions it uses in turn.
        self.reads: dict[str, tuple[frozenset[str], frozenset[str], frozenset[str]]] = {}
        # How long the chain of definitions under each one is (itself included).
        self.depths: dict[str, int] = {}
        # Each dated criterion's reason for a case dated before it (`CompiledCriterion.not_applicable_reason`).
        self.date_reasons: dict[str, Callable[[Any, Any], str | None]] = {}
        # Expressions compiled, by their text and everything their scope holds: a set repeats many
        # (`date(reported_at)` in every dated criterion, a field in several evidence texts: 37 of the
        # shipped set's 195), and a Compiled is frozen, so one serves every place it is written.
        self.compiled: dict[tuple[Any, ...], Compiled] = {}

    def problem(self, loc: Location, message: str) -> None:
        self.problems.append(located_problem(self.doc, loc, message))

    def compile(self, loc: Location, source: str, item: Type | None = None,
                hidden: Mapping[str, Type] | None = None) -> Compiled | None:
        # `hidden`: definitions this file cannot name (the applicability dates), for code written here.
        scope = Scope(params=self.params, definitions={**self.types, **(hidden or {})}, item=item)
        key = (source, item, frozenset(scope.definitions.items()))
        known = self.compiled.get(key)
        if known is not None:
            return known
        try:
            compiled = compile_expression(source, scope)
        except ExprError as exc:  # not kept: each place that repeats a mistake is reported
            self.problem(loc, f"{exc} in: {' '.join(source.split())}")
            return None
        self.compiled[key] = compiled
        return compiled

    def build(self) -> tuple[dict[str, Compiled], tuple[CompiledCriterion, ...]]:
        """The compiled definitions and criteria; InputError listing every problem."""
        self._definitions()
        criteria: list[CompiledCriterion] = []
        seen: dict[str, int] = {}
        for index, definition in self.parts.criteria:
            if definition.id in seen:
                self.problem(("criteria", index, "id"),
                             f"criterion {definition.id} is already defined (criteria[{seen[definition.id]}])")
            seen.setdefault(definition.id, index)
            if definition.theme not in self.parts.themes:
                self.problem(("criteria", index, "theme"),
                             f"unknown theme '{definition.theme}'; themes are: {', '.join(self.parts.themes)}")
            compiled = self._criterion(index, definition)
            if compiled is not None:
                criteria.append(compiled)
        if self.problems:
            raise InputError(self.problems)
        return self.definitions, tuple(criteria)

    def _definitions(self) -> None:
        for name, source in self.parts.definitions.items():
            if name in _RESERVED:
                self.problem(("definitions", name), f"'{name}' is already a name of the language; choose another")
                continue
            compiled = self.compile(("definitions", name), source)
            if compiled is None:
                continue
            # A definition is worked out inside the one that reads it: bound the chain, so that
            # scoring never recurses without limit.
            depth = 1 + max((self.depths[used] for used in compiled.definitions), default=0)
            if depth > MAX_DEFINITION_DEPTH:
                self.problem(("definitions", name), f"definitions read one another {depth} deep here "
                                                    f"(at most {MAX_DEFINITION_DEPTH}); read fewer in a chain")
                continue
            self.depths[name] = depth
            self.definitions[name] = compiled
            self.types[name] = compiled.type
            self.reads[name] = self._closure(compiled)

    def _closure(self, compiled: Compiled) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
        names, params, used = set(compiled.names), set(compiled.params), set(compiled.definitions)
        for name in compiled.definitions:
            more_names, more_params, more_used = self.reads[name]
            names |= more_names
            params |= more_params
            used |= more_used
        return frozenset(names), frozenset(params), frozenset(used)

    def _criterion(self, index: int, definition: CriterionDef) -> CompiledCriterion | None:
        loc: Location = ("criteria", index)
        applies = self.compile((*loc, "applies"), definition.applies)
        if applies is not None and definition.applies_from is not None:
            applies = self._applies_from(loc, definition, applies)
        each = met = evidenced = None
        evidence: dict[str, Template] = {}
        if definition.type == "automatic":
            item: Type | None = None
            if definition.each is not None:
                each = self.compile((*loc, "each"), definition.each)
                if each is not None and each.type.kind != "list":
                    self.problem((*loc, "each"), f"'each' must give a list, not {each.type.describe()}")
                    each = None
                item = Type("record", each.type.model) if each is not None and each.type.model else Type("value")
            assert definition.met is not None
            met = self.compile((*loc, "met"), definition.met, item)
            if definition.evidenced is not None:
                evidenced = self.compile((*loc, "evidenced"), definition.evidenced, item)
            evidence = self._evidence(loc, definition, item)
        else:
            assert definition.answers is not None
            for answer in definition.answers:
                if answer != answer.strip() or not answer:
                    self.problem((*loc, "answers"), f"answer {answer!r} must not start or end with spaces")
        if applies is None or (definition.type == "automatic" and (met is None or (definition.each and each is None))):
            return None
        parts = [c for c in (applies, each, met, evidenced) if c is not None]
        parts += [p for template in evidence.values() for p in template.parts if isinstance(p, Compiled)]
        names: set[str] = set()
        params: set[str] = set()
        uses: set[str] = set()
        for part in parts:
            part_names, part_params, part_uses = self._closure(part)
            names |= part_names
            params |= part_params
            uses |= part_uses
        return CompiledCriterion(
            definition=definition, applies=applies, each=each, met=met, evidenced=evidenced, evidence=evidence,
            sections=frozenset(names), parameters=frozenset(params), uses=frozenset(uses),
            not_applicable_reason=self.date_reasons.get(definition.id),
        )

    def _applies_from(self, loc: Location, definition: CriterionDef, applies: Compiled) -> Compiled | None:
        """`applies` and "the case's event is on or after `applies_from`", compiled as one expression.

        The date test is a definition the file cannot name, read by the criterion's applicability, so
        every evaluator that honours `applies` (the reference loop and the generated set function)
        honours the date too, with the same three-valued logic; its text is part of the criterion's
        fingerprint. See docs/criteria-language.md, "Criteria that apply from a date".
        """
        start = definition.applies_from
        assert start is not None
        event_text = " ".join((definition.dated_by or "reported_at").split())
        where: Location = (*loc, "dated_by") if definition.dated_by is not None else (*loc, "applies_from")
        # Checked as written first, so an author's mistake is reported against their own text.
        if definition.dated_by is not None and self.compile(where, definition.dated_by) is None:
            return None
        event = self.compile(where, f"date({event_text})")
        reported = self.compile(where, "date(reported_at)")
        sampled = self.compile(where, "as_of")
        if event is None or reported is None or sampled is None:
            return None
        name = "applies_from_" + definition.id.replace("-", "_")  # capitals: no file's definition can take it
        when = _day_text(start)
        gate = Compiled(
            source=f"{event_text} on or after {start.isoformat()}",
            function=_date_gate(start, event.function, reported.function, sampled.function),
            type=VALUE,
            names=event.names | reported.names | sampled.names,
            params=event.params,
            definitions=event.definitions,
        )
        self.definitions[name] = gate
        self.reads[name] = self._closure(gate)
        self.date_reasons[definition.id] = _date_reason(definition.id, start, event_text, event.function,
                                                        reported.function, sampled.function)
        combined = self.compile((*loc, "applies"), f"({definition.applies}) and {name}", hidden={name: VALUE})
        if combined is None:
            return None
        # The text reports give when the criterion does not apply: the author's condition and the date.
        condition = " ".join(definition.applies.split())
        dated = f"{event_text} on or after {when}"
        return replace(combined, source=dated if condition == "true" else f"{condition}, and {dated}")

    def _evidence(self, loc: Location, definition: CriterionDef, item: Type | None) -> dict[str, Template]:
        raw = definition.evidence
        if raw is None:
            return {}
        templates = {"default": raw} if isinstance(raw, str) else dict(raw)
        result: dict[str, Template] = {}
        for state, text in templates.items():
            if state != "default" and state not in STATES:
                continue  # the model has already rejected it
            where = (*loc, "evidence") if isinstance(raw, str) else (*loc, "evidence", state)
            result[state] = self._template(where, text, item)
        return result

    def _template(self, loc: Location, text: str, item: Type | None) -> Template:
        parts: list[str | Compiled] = []
        position = 0
        for match in _PLACEHOLDER.finditer(text):
            parts.append(text[position:match.start()])
            position = match.end()
            token = match.group(0)
            if token in ("{{", "}}"):
                parts.append(token[0])
            elif match.group(1) is None:
                self.problem(loc, f"unmatched '{token}' in evidence text; write '{token}{token}' for a literal brace")
            else:
                compiled = self.compile(loc, match.group(1), item)
                if compiled is not None:
                    parts.append(compiled)
        parts.append(text[position:])
        return Template(parts=tuple(p for p in parts if p != ""))


def _date_gate(start: date, event: Callable[..., Any], reported: Callable[..., Any],
               sampled: Callable[..., Any]) -> Callable[[Any, Any], Any]:
    """Whether a case's event is on or after `start`: True, False or UNKNOWN (three-valued logic).

    - A case reported on or after `start` applies whatever its later records say: everything a
      criterion reads of a case belongs to it at or after its report, so an export that left out the
      event's section loses nothing for a recent case.
    - An event in a section the export did not capture is UNKNOWN (unable to assess, unless the rest
      of the applicability is false).
    - An event not recorded (null) had not happened by the time the sample was taken: it is dated by
      `as_of`, the earliest it can still happen.
    """
    def in_force(ns: Any, params: Any) -> Any:
        day = reported(ns, params)
        if day is not UNKNOWN and day is not None and day >= start:
            return True
        day = event(ns, params)
        if day is UNKNOWN:
            return UNKNOWN
        if day is None:
            day = sampled(ns, params)
        return day >= start
    return in_force


def _day_text(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _date_reason(criterion_id: str, start: date, event_text: str, event: Callable[..., Any],
                 reported: Callable[..., Any], sampled: Callable[..., Any]) -> Callable[[Any, Any], str | None]:
    """The plain-words reason a case is not applicable by its date, or None (see `_date_gate`)."""
    def reason(ns: Any, params: Any) -> str | None:
        day = reported(ns, params)
        if day is UNKNOWN or day is None or day >= start:
            return None
        if event_text == "reported_at":
            what = f"this case was reported on {_day_text(day)}"
        else:
            day = event(ns, params)
            if day is UNKNOWN:
                return None
            if day is None:
                day = sampled(ns, params)
                what = f"{event_text} is not recorded, and the sample was taken on {_day_text(day)}"
            else:
                what = f"{event_text} was {_day_text(day)}"
        if day >= start:
            return None
        return f"not applicable: {criterion_id} applies from {_day_text(start)}; {what}"
    return reason
