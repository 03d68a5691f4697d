"""Checking a JSON document written by thematic (results, agreement) key by key, every problem at its line."""
from __future__ import annotations

from typing import Any

from thematic.core.errors import Problem
from thematic.load.yaml_source import YamlDocument, describe_value, located_problem


class DocumentChecker:
    """Collects every problem of one document, each at the line of its key."""

    def __init__(self, doc: YamlDocument) -> None:
        self.doc = doc
        self.problems: list[Problem] = []

    def problem(self, loc: tuple[str | int, ...], message: str) -> None:
        self.problems.append(located_problem(self.doc, loc, message))

    def value(self, parent: Any, loc: tuple[str | int, ...], kind: type | tuple[type, ...], expected: str, *,
              nullable: bool = False) -> Any:
        """`parent[loc[-1]]` if present and of `kind`, else a problem at `loc` and None. JSON's true and false
        are never numbers here (Python's bool is an int)."""
        key = loc[-1]
        if key not in parent:
            self.problem(loc, f"missing; expected {expected}")
            return None
        value = parent[key]
        if value is None and nullable:
            return None
        if isinstance(value, bool) and kind is not bool or not isinstance(value, kind):
            self.problem(loc, f"expected {expected}, got {describe_value(value)}")
            return None
        return value
