"""Load a criteria file: validate its structure, then check and compile every expression.

Every problem of the file is reported at once, each as `file:line: field: what is wrong`, so an
author fixes a criteria file in one pass and never meets an expression error while scoring.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from thematic.core.errors import InputError, Problem
from thematic.load.yaml_source import YamlDocument, located_problem, read_yaml_file, validation_problems
from thematic.model.criteria import CompiledCriterion, CriteriaFile, CriteriaSet, CriterionDef, Template
from thematic.model.results import STATES
from thematic.scoring.expr import (
    CASE_NAMES,
    LITERALS,
    MAX_DEFINITION_DEPTH,
    Compiled,
    ExprError,
    Scope,
    Type,
    compile_expression,
)
from thematic.scoring.functions import FUNCTIONS

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_RESERVED = set(CASE_NAMES) | set(FUNCTIONS) | set(LITERALS) | {"params", "item"}


def shipped_criteria_path(name: str = "ncpi-thematic-2019") -> Path:
    """The path of a criteria file shipped with thematic (inside the installed package, or the source tree)."""
    here = Path(__file__).resolve().parent.parent
    for folder in (here / "_data" / "criteria", here.parent.parent / "criteria"):
        candidate = folder / f"{name}.yaml"
        if candidate.is_file():
            return candidate
    raise InputError.single(name, "no shipped criteria file of that name")


def load_criteria(path: str | Path) -> CriteriaSet:
    """Read, validate and compile a criteria file; InputError listing every problem."""
    doc = read_yaml_file(path)
    try:
        file = CriteriaFile.model_validate(doc.data)
    except ValidationError as exc:
        problems = validation_problems(exc, doc, model=CriteriaFile)
        # Check the expressions of every part that is well formed too, so that an author sees
        # every problem of the file in one pass.
        partial = _well_formed_parts(doc.data)
        if partial is not None:
            try:
                _Builder(doc, *partial).build()
            except InputError as more:
                problems += [p for p in more.problems if p not in problems]
        raise InputError(sorted(problems, key=lambda p: p.line or 0)) from None
    return _Builder(doc, file, list(enumerate(file.criteria))).build()


def _well_formed_parts(data: Any) -> tuple[CriteriaFile, list[tuple[int, CriterionDef]]] | None:
    """The parts of a criteria file that validate on their own, for a second look at its expressions."""
    if not isinstance(data, dict):
        return None
    parameters = data.get("parameters") if isinstance(data.get("parameters"), dict) else {}
    themes = data.get("themes") if isinstance(data.get("themes"), dict) else {}
    definitions = data.get("definitions") if isinstance(data.get("definitions"), dict) else {}
    criteria: list[tuple[int, CriterionDef]] = []
    for index, raw in enumerate(data.get("criteria") if isinstance(data.get("criteria"), list) else []):
        try:
            criteria.append((index, CriterionDef.model_validate(raw)))
        except ValidationError:
            continue  # already reported
    file = CriteriaFile.model_construct(
        parameters={str(k): None for k in parameters},
        themes={str(k): None for k in themes},
        definitions={str(k): v for k, v in definitions.items() if isinstance(v, str)},
        criteria=[c for _, c in criteria],
    )
    return file, criteria


class _Builder:
    def __init__(self, doc: YamlDocument, file: CriteriaFile, criteria: list[tuple[int, CriterionDef]]):
        self.doc = doc
        self.file = file
        self.indexed_criteria = criteria
        self.problems: list[Problem] = []
        self.params = frozenset(file.parameters)
        self.definitions: dict[str, Compiled] = {}
        self.types: dict[str, Type] = {}
        # What each definition reads, following the definitions it uses in turn.
        self.reads: dict[str, tuple[frozenset[str], frozenset[str], frozenset[str]]] = {}
        # How long the chain of definitions under each one is (itself included).
        self.depths: dict[str, int] = {}

    def problem(self, loc: tuple[str | int, ...], message: str) -> None:
        self.problems.append(located_problem(self.doc, loc, message))

    def compile(self, loc: tuple[str | int, ...], source: str, item: Type | None = None) -> Compiled | None:
        scope = Scope(params=self.params, definitions=dict(self.types), item=item)
        try:
            return compile_expression(source, scope)
        except ExprError as exc:
            self.problem(loc, f"{exc} in: {' '.join(source.split())}")
            return None

    def build(self) -> CriteriaSet:
        self._definitions()
        criteria = []
        seen: dict[str, int] = {}
        for index, definition in self.indexed_criteria:
            if definition.id in seen:
                self.problem(("criteria", index, "id"), f"criterion {definition.id} is already defined (criteria[{seen[definition.id]}])")
            seen.setdefault(definition.id, index)
            if definition.theme not in self.file.themes:
                self.problem(("criteria", index, "theme"),
                             f"unknown theme '{definition.theme}'; themes are: {', '.join(self.file.themes)}")
            compiled = self._criterion(index, definition)
            if compiled is not None:
                criteria.append(compiled)
        if self.problems:
            raise InputError(self.problems)
        return CriteriaSet(file=self.file, path=self.doc.file, definitions=self.definitions, criteria=tuple(criteria))

    def _definitions(self) -> None:
        for name, source in self.file.definitions.items():
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
        loc = ("criteria", index)
        applies = self.compile((*loc, "applies"), definition.applies)
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
        )

    def _evidence(self, loc: tuple, definition: CriterionDef, item: Type | None) -> dict[str, Template]:
        raw = definition.evidence
        if raw is None:
            return {}
        templates = {"default": raw} if isinstance(raw, str) else dict(raw)
        result = {}
        for state, text in templates.items():
            if state != "default" and state not in STATES:
                continue  # the model has already rejected it
            result[state] = self._template((*loc, "evidence") if isinstance(raw, str) else (*loc, "evidence", state), text, item)
        return result

    def _template(self, loc: tuple, text: str, item: Type | None) -> Template:
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
