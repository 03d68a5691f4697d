"""The base of every file model: strict types, unknown keys rejected, `x_` extension keys kept."""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, PrivateAttr, model_validator

from thematic.timeutil import LONDON, parse_date, parse_datetime


class FileModel(BaseModel):
    """Strict model: a typo in a file is an error, never silently ignored.

    Keys beginning with `x_` are local extensions: they are taken out before validation (so
    `extra="forbid"` rejects every other unknown key with its exact location) and kept in
    `extensions`.
    """

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    _extensions: dict[str, Any] = PrivateAttr(default_factory=dict)

    @model_validator(mode="wrap")
    @classmethod
    def _keep_extensions(cls, data: Any, handler: Any) -> Any:
        extensions: dict[str, Any] = {}
        if isinstance(data, dict) and any(isinstance(k, str) and k.startswith("x_") for k in data):
            extensions = {k: v for k, v in data.items() if isinstance(k, str) and k.startswith("x_")}
            data = {k: v for k, v in data.items() if k not in extensions}
        model = handler(data)
        if extensions:
            model._extensions = extensions
        return model

    @property
    def extensions(self) -> dict[str, Any]:
        """The `x_` keys of this object, as given."""
        return self._extensions


def _to_datetime(value: Any) -> Any:
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=LONDON, fold=0)
        return aware.astimezone(timezone.utc)  # see parse_datetime: durations must be real elapsed time
    if isinstance(value, date):
        raise ValueError(f"{value.isoformat()} is a date without a time; a datetime such as {value.isoformat()}T09:00 is expected")
    return parse_datetime(value)


def _to_date(value: Any) -> Any:
    if isinstance(value, datetime):
        raise ValueError("a date (YYYY-MM-DD) is expected, not a datetime")
    return parse_date(value)


DateTime = Annotated[datetime, BeforeValidator(_to_datetime)]
"""An ISO 8601 datetime; naive values are Europe/London local time."""

Date = Annotated[date, BeforeValidator(_to_date)]
"""An ISO 8601 calendar date."""
