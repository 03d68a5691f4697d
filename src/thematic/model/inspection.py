"""Inspection files (`inspections/*.yaml`): which force, which round, which criteria and cases."""
from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from thematic.model.base import Date, FileModel
from thematic.model.case import ForceCode

Text = Annotated[str, Field(min_length=1)]


def _one_or_many(value: Any) -> Any:
    # `judgements: judgements/*.yaml` (one path or glob) reads as a list of one.
    return [value] if isinstance(value, str) else value


class InspectionFile(FileModel):
    inspection: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
    title: Text
    force: ForceCode
    year: Annotated[int, Field(ge=2000, le=2100)]
    as_of: Date
    criteria: Text  # a path relative to the inspection file
    parameters: dict[Text, float | int] = Field(default_factory=dict)
    cases: Text  # a file, a folder or a glob, relative to the inspection file
    # Judgements and moderation files (paths or globs, relative to the inspection file); optional.
    judgements: Annotated[list[Text], BeforeValidator(_one_or_many)] = Field(default_factory=list)
