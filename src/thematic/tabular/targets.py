"""What each case-file field accepts, read from the case model, for mappings and their template.

A mapping names case-file fields by dotted paths inside a part of the case (`child.age`,
`officer.pip_level` inside `investigation`, `severity` inside an incident). This module turns such
a path into a `Target`: the kind of value it takes (datetime, date, whole number, true/false,
text, one of a fixed set, or a list of those), whether it may be null, and whether it has a
default. Reading the model itself keeps the import in step with the case-file format.
"""
from __future__ import annotations

import typing
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any, Literal

import pydantic
from pydantic.fields import FieldInfo

from thematic.model.case import SECTIONS, Case

__all__ = [
    "Target", "MAIN_PART", "LIST_SECTIONS", "OBJECT_SECTIONS", "part_model", "target", "leaf_fields",
    "is_extension",
]

#: The part of the case that the main table's `fields` fill: the top level and `child`.
MAIN_PART = "case"
#: Sections that are lists of entries, and sections that are one object or null.
LIST_SECTIONS: tuple[str, ...] = tuple(
    s for s in SECTIONS if typing.get_origin(Case.model_fields[s].annotation) is list)
OBJECT_SECTIONS: tuple[str, ...] = tuple(s for s in SECTIONS if s not in LIST_SECTIONS)

#: Top-level fields a force export does not fill: the case id comes from the id column, the
#: sections from their own parts of the mapping, judgements and grades from inspectors.
_NOT_IN_MAIN_FIELDS = frozenset({"case_id", "judgements", "grade", *SECTIONS})

Kind = Literal["datetime", "date", "integer", "boolean", "text", "choice", "list"]


@dataclass(frozen=True)
class Target:
    """One case-file field a column can fill."""

    path: str                      # dotted, inside its part: "child.age", "officer.pip_level"
    kind: Kind
    choices: tuple[str, ...] = ()  # for "choice", and for a "list" of choices
    item_kind: Kind | None = None  # for "list": the kind of each item ("choice" or "text")
    nullable: bool = False         # null is allowed ("datetime or null")
    required: bool = True          # the key must be present (no default)
    bounds: tuple[int | None, int | None] = (None, None)
    default: Any = None            # the value a field that is not required takes when left out

    def describe(self) -> str:
        """A short description for messages and the template: "datetime or null", "one of a, b"."""
        if self.kind == "choice":
            text = "one of " + ", ".join(self.choices)
        elif self.kind == "list":
            text = "a list of " + (", ".join(self.choices) if self.choices else "text items")
        elif self.kind == "integer" and self.bounds != (None, None):
            low, high = self.bounds
            text = f"whole number {low}–{high}" if low is not None and high is not None else "whole number"
        else:
            text = {"datetime": "datetime", "date": "date", "integer": "whole number",
                    "boolean": "true or false", "text": "text"}[self.kind]
        if self.nullable:
            text += " or null"
        return text


def is_extension(path: str) -> bool:
    """A local extension field (`x_team`, `child.x_team`): kept as text, not used by criteria."""
    return path.rsplit(".", 1)[-1].startswith("x_")


def part_model(part: str) -> type[pydantic.BaseModel]:
    """The model a part of the mapping fills: the case itself, or one section's object or entry."""
    if part == MAIN_PART:
        return Case
    if part not in SECTIONS:
        raise KeyError(part)
    model = _single_model(Case.model_fields[part].annotation)
    assert model is not None  # every section of a case is an object or a list of objects
    return model


def target(part: str, path: str) -> Target:
    """The target at `path` inside `part`; KeyError (with the allowed names) if there is none."""
    if is_extension(path):
        return Target(path, "text", required=False, nullable=True)
    model: type[pydantic.BaseModel] = part_model(part)
    names = path.split(".")
    for depth, name in enumerate(names):
        fields = _fillable(model, part if depth == 0 else None)
        info = fields.get(name)
        if info is None:
            raise KeyError(", ".join(fields))
        if depth == len(names) - 1:
            found = _leaf(path, info)
            if found is None:
                raise KeyError(", ".join(_leaf_names(model, part if depth == 0 else None)))
            return found
        sub = _single_model(info.annotation)
        if sub is None:
            raise KeyError(", ".join(fields))
        model = sub
    raise KeyError(path)  # unreachable: the loop returns at the last name


@cache
def leaf_fields(part: str) -> tuple[Target, ...]:
    """Every field of `part` that a column can fill, nested objects flattened, in model order."""
    out: list[Target] = []

    def walk(model: type[pydantic.BaseModel], prefix: str, top: bool) -> None:
        for name, info in _fillable(model, part if top else None).items():
            leaf = _leaf(prefix + name, info)
            if leaf is not None:
                out.append(leaf)
                continue
            sub = _single_model(info.annotation)
            if sub is not None:
                walk(sub, f"{prefix}{name}.", False)

    walk(part_model(part), "", True)
    return tuple(out)


# --- reading annotations -------------------------------------------------------------------------

def _fillable(model: type[pydantic.BaseModel], part: str | None) -> dict[str, FieldInfo]:
    # Names beginning with x_ are extensions (and the model's own place for them), not format fields.
    fields = {name: info for name, info in model.model_fields.items() if not name.startswith("x_")}
    if part == MAIN_PART:
        fields = {k: v for k, v in fields.items() if k not in _NOT_IN_MAIN_FIELDS}
    return fields


def _leaf_names(model: type[pydantic.BaseModel], part: str | None) -> list[str]:
    return [name for name, info in _fillable(model, part).items() if _leaf(name, info) is not None]


def _options(annotation: Any) -> tuple[list[Any], bool]:
    """The non-null alternatives of an annotation, and whether null is one of them."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _options(typing.get_args(annotation)[0])
    if origin is typing.Union or type(annotation).__name__ == "UnionType":
        options: list[Any] = []
        nullable = False
        for arg in typing.get_args(annotation):
            inner, null = _options(arg)
            options.extend(inner)
            nullable = nullable or null
        return options, nullable
    if annotation is type(None):
        return [], True
    return [annotation], False


def _single_model(annotation: Any) -> type[pydantic.BaseModel] | None:
    options, _ = _options(annotation)
    if len(options) == 1:
        only = options[0]
        if typing.get_origin(only) is list:
            only = typing.get_args(only)[0]
        if isinstance(only, type) and issubclass(only, pydantic.BaseModel):
            return only
    return None


def _scalar_kind(annotation: Any) -> tuple[Kind, tuple[str, ...]] | None:
    if typing.get_origin(annotation) is Literal:
        return "choice", tuple(str(a) for a in typing.get_args(annotation))
    if annotation is datetime:  # before date: datetime is a subclass of date
        return "datetime", ()
    if annotation is date:
        return "date", ()
    if annotation is bool:
        return "boolean", ()
    if annotation is int:
        return "integer", ()
    if annotation is str:
        return "text", ()
    return None


def _bounds(info: FieldInfo) -> tuple[int | None, int | None]:
    low = high = None
    for item in info.metadata:
        low = getattr(item, "ge", low)
        high = getattr(item, "le", high)
    return low, high


def _leaf(path: str, info: FieldInfo) -> Target | None:
    options, nullable = _options(info.annotation)
    if len(options) != 1:
        return None
    only = options[0]
    required = info.is_required()
    if typing.get_origin(only) is list:
        item_options, _ = _options(typing.get_args(only)[0])
        item = _scalar_kind(item_options[0]) if len(item_options) == 1 else None
        if item is None:
            return None
        return Target(path, "list", item[1], item_kind=item[0], nullable=nullable, required=required)
    scalar = _scalar_kind(only)
    if scalar is None:
        return None
    default = None if required else info.get_default(call_default_factory=True)
    return Target(path, scalar[0], scalar[1], nullable=nullable, required=required, bounds=_bounds(info),
                  default=default)
