"""The base of every file model: strict types, unknown keys rejected, `x_` extension keys kept."""
from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from thematic.core.timeutil import LONDON, parse_date, parse_datetime, year_problem

#: The input key that carries a model's `x_` keys into its `x_extensions` field. It begins with
#: `x_`, so a file can never supply it: every `x_` key of a file is moved into the field's value.
EXTENSIONS_KEY = "x_\0extensions"
#: Field names that are the model's own machinery, not fields of the file format.
INTERNAL_FIELDS: frozenset[str] = frozenset({"x_extensions"})


def file_fields(model: type[BaseModel]) -> dict[str, Any]:
    """A model's fields as a file has them (name → FieldInfo), without internal ones such as `x_extensions`."""
    return {name: info for name, info in model.model_fields.items() if name not in INTERNAL_FIELDS}


class FileModel(BaseModel):
    """Strict model: a typo in a file is an error, never silently ignored.

    Keys beginning with `x_` are local extensions: they are taken out before validation (so
    `extra="forbid"` rejects every other unknown key with its exact location) and kept in
    `extensions`.
    """

    # defer_build: a model's validator is built the first time it validates, not when its module is
    # imported; a run that never validates a model (a score run over JSON Lines checks cases with
    # `load.fast_case`'s own schema) does not pay for building it (about 30 ms of every start).
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)

    # An ordinary (excluded) field rather than a private attribute: pydantic then needs no
    # per-instance post-init hook, which made validating a case about a third slower.
    x_extensions: dict[str, Any] | None = Field(default=None, alias=EXTENSIONS_KEY, exclude=True, repr=False)

    _file_keys: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls._file_keys = frozenset(file_fields(cls))

    @model_validator(mode="before")
    @classmethod
    def _take_extensions(cls, data: Any) -> Any:
        # Most objects hold only known keys: one set comparison, done in C, settles those.
        if type(data) is not dict or data.keys() <= cls._file_keys:
            return data
        extensions = {k: v for k, v in data.items() if isinstance(k, str) and k.startswith("x_")}
        if not extensions:
            return data
        data = {k: v for k, v in data.items() if k not in extensions}
        data[EXTENSIONS_KEY] = extensions
        return data

    @property
    def extensions(self) -> dict[str, Any]:
        """The `x_` keys of this object, as given."""
        return self.x_extensions if self.x_extensions is not None else {}


#: The common shapes of a datetime (local time or UTC `Z`, no spaces around): a subset of
#: `parse_datetime`'s grammar that `datetime.fromisoformat` reads the same way, twice as fast
#: (years YEAR_MIN to YEAR_MAX only, digits 0-9 only: parse_datetime words the rest's problems).
_PLAIN_DATETIME = re.compile(
    r"(?:19[0-9]{2}|20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?(Z?)")
_UTC = UTC
_DAY_OFFSETS: dict[str, str | None] = {}
#: The same offsets as timedeltas, for the days that have one: a local time is read as if it were
#: UTC and the offset taken off, four times faster than reading it with its offset and calling
#: `astimezone(UTC)`, for the same datetime (tests/test_fast_case.py).
_DAY_SHIFTS: dict[str, timedelta] = {}


def _day_offset(day: str) -> str | None:
    """London's UTC offset as text (`+01:00`) if it is the same all day on `day`, else None."""
    offset = _DAY_OFFSETS.get(day)
    if offset is None and day not in _DAY_OFFSETS:
        if len(_DAY_OFFSETS) > 50_000:  # bounded: a caseload spans a few thousand days
            _DAY_OFFSETS.clear()
            _DAY_SHIFTS.clear()
        start = datetime.fromisoformat(day)
        seen = {LONDON.utcoffset(start + timedelta(hours=h)) for h in range(24)}
        seen.add(LONDON.utcoffset(start + timedelta(hours=24, microseconds=-1)))
        if len(seen) == 1:
            only = seen.pop()
            assert only is not None  # a ZoneInfo knows its offset at every moment
            minutes, rest = divmod(int(only.total_seconds()), 60)
            if rest == 0:
                sign, minutes = ("-", -minutes) if minutes < 0 else ("+", minutes)
                offset = f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
                _DAY_SHIFTS[day] = only
        _DAY_OFFSETS[day] = offset
    return offset


def plain_datetime(value: str) -> datetime:
    """The datetime of a text that matches _PLAIN_DATETIME, as `DateTime` reads it (in UTC).

    The fast path for case files (`load.fast_case`) checks the pattern in pydantic-core and calls
    this directly; `_to_datetime` calls it after checking the pattern itself."""
    try:
        if value[-1] == "Z":
            return datetime.fromisoformat(value)
        # A local time on a day without a clock change: its offset is known, and
        # parsing it with the offset is several times faster than attaching the zone.
        day = value[:10]
        offset = _DAY_OFFSETS.get(day, _UNSEEN)
        if offset is _UNSEEN:
            offset = _day_offset(day)
        if offset is not None:
            return datetime.fromisoformat(value + "+00:00") - _DAY_SHIFTS[day]
    except ValueError:
        pass  # not a real date or time: parse_datetime gives its own message
    return parse_datetime(value)


#: The pattern of `plain_datetime`'s texts, whole (for a schema checking it outside Python).
PLAIN_DATETIME_PATTERN = f"^{_PLAIN_DATETIME.pattern}$"
_UNSEEN = "unseen"


def _to_datetime(value: Any) -> Any:
    if type(value) is str:
        if _PLAIN_DATETIME.fullmatch(value) is not None:
            return plain_datetime(value)
        return parse_datetime(value)
    if isinstance(value, datetime):  # from YAML's explicit !!timestamp
        out_of_range = year_problem(value.year)
        if out_of_range is not None:
            raise ValueError(out_of_range)
        aware = value if value.tzinfo is not None else value.replace(tzinfo=LONDON, fold=0)
        return aware.astimezone(UTC)  # see parse_datetime: durations must be real elapsed time
    if isinstance(value, date):
        raise ValueError(f"{value.isoformat()} is a date without a time; "
                         f"a datetime such as {value.isoformat()}T09:00 is expected")
    return parse_datetime(value)


def _to_date(value: Any) -> Any:
    if isinstance(value, datetime):
        raise ValueError("a date (YYYY-MM-DD) is expected, not a datetime")
    return parse_date(value)


DateTime = Annotated[datetime, BeforeValidator(_to_datetime)]
"""An ISO 8601 datetime; naive values are Europe/London local time."""

Date = Annotated[date, BeforeValidator(_to_date)]
"""An ISO 8601 calendar date."""


# --- text ---------------------------------------------------------------------------------------

#: Longest id or reference (`case_id`, `ref`, `by`, answers, indicator codes): record-system
#: references run to 10-30 characters; 100 leaves room for prefixes without admitting prose.
MAX_ID_LENGTH = 100
#: Longest free text (a note, an offence): about 1,500 words, several paragraphs of an inspector's
#: reasoning; past that a report's table and its PDF layout stop being readable.
MAX_TEXT_LENGTH = 10_000

#: What an id may hold (checked in Rust by pydantic, as fast as a plain string): no control,
#: format (zero-width) or unassigned characters, no space but U+0020 and none at either end.
IDENTIFIER_PATTERN = r"^[^\p{C}\p{Z}](?:(?:[^\p{C}\p{Z}]|\x20)*[^\p{C}\p{Z}])?$"
#: What free text may hold: any character but the control characters other than tab and new lines
#: (they cannot be written into a workbook or a PDF).
TEXT_PATTERN = r"^(?:[^\p{Cc}]|[\t\n\r])*$"


def _char_name(ch: str) -> str:
    name = unicodedata.name(ch, "") or ("a control character" if unicodedata.category(ch) == "Cc" else "unnamed")
    return f"U+{ord(ch):04X} ({name})"


def describe_text(value: str, limit: int = 40) -> str:
    """A text quoted for a message: cut when long, invisible characters shown as escapes."""
    shown = value if len(value) <= limit else value[: limit - 1] + "…"
    if not shown.isprintable():
        shown = shown.encode("unicode_escape").decode("ascii")
    return '"' + shown.replace('"', '\\"') + '"'


def identifier_problem(value: str) -> str:
    """Why `value` does not match IDENTIFIER_PATTERN, worded for the person who wrote it."""
    if value != value.strip():
        return (f"{describe_text(value)} has a space at its start or end; an id or reference "
                "may not begin or end with one (remove it)")
    for position, ch in enumerate(value, 1):
        if not ch.isprintable():
            return (f"{describe_text(value)} has an invisible or control character, {_char_name(ch)}, "
                    f"at character {position}; an id or reference may hold only visible characters and spaces")
    return f"{describe_text(value)} is not a valid id or reference"


def text_problem(value: str) -> str:
    """Why `value` does not match TEXT_PATTERN."""
    for position, ch in enumerate(value, 1):
        if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r":
            return (f"has a control character, {_char_name(ch)}, at character {position}; "
                    "text may hold tabs and new lines but no other control characters")
    return "is not valid text"


def _check_case_id(value: str) -> str:
    # Two spellings of one accented letter (é, or e and a combining accent) look the same: an id
    # must use the composed one, so that one case can never appear as two.
    if value.isascii() or unicodedata.is_normalized("NFC", value):
        return value
    raise ValueError(f"{describe_text(value)} writes an accented letter as a letter and a separate accent; "
                     "save it in Unicode normal form NFC, so that it matches the same id written the usual way")


Identifier = Annotated[str, Field(min_length=1, max_length=MAX_ID_LENGTH, pattern=IDENTIFIER_PATTERN)]
"""An id or reference: not empty, at most MAX_ID_LENGTH characters, nothing invisible."""

CaseId = Annotated[Identifier, AfterValidator(_check_case_id)]
"""A case's id: an Identifier in Unicode normal form NFC."""

FreeText = Annotated[str, Field(max_length=MAX_TEXT_LENGTH, pattern=TEXT_PATTERN)]
"""Free text (notes): at most MAX_TEXT_LENGTH characters, no control characters but tab and newline."""
