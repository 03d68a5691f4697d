"""Turning one spreadsheet cell into one case-file value: codes, date formats, numbers, blanks.

A `Rule` is one mapped field, compiled from the mapping: its target (see `targets`), its column
or constant, the force's codes, what a blank cell means, and the date formats. `convert` applies
it to a cell and returns the case-file value, `OMIT` (leave the key out, so its default applies)
or raises `CellError` with a message that names the value and what was expected.

Date formats are written the way spreadsheets write them ("dd/mm/yyyy hh:mm") and translated to
`strptime`; `mm` is minutes after an hour or before seconds, otherwise the month, as in Excel.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import lru_cache
from typing import Any, NoReturn

from thematic.core.timeutil import parse_date, parse_datetime
from thematic.tabular.targets import Target

__all__ = [
    "OMIT", "CellError", "Rule", "convert", "blank_value", "is_blank", "cell_text", "strptime_format",
    "check_mapped_value", "DEFAULT_BOOLEANS",
]

ISO = "iso"
MAX_DIGITS = 18  # the digits of a whole number in a cell: more is a mistake, never a count or an age
DEFAULT_BOOLEANS: dict[str, bool] = {
    "Y": True, "N": False, "Yes": True, "No": False, "TRUE": True, "FALSE": False, "true": True, "false": False,
}


class _Omit:
    def __repr__(self) -> str:
        return "OMIT"


OMIT: Any = _Omit()
"""Leave the key out of the case (the field's default applies)."""


class CellError(ValueError):
    """A cell whose value does not fit its field; the message says what was expected."""


@dataclass(frozen=True)
class Rule:
    """One mapped field: where its value comes from and how a cell becomes a case-file value."""

    target: Target
    column: str | None = None                  # None: a constant
    constant: Any = OMIT
    codes: dict[str, Any] | None = None        # the force's code -> case-file value
    blank: Any = OMIT                          # what a blank cell means, when the mapping says
    split: str = ";"                           # between the items of a list in one cell
    datetime_formats: tuple[str, ...] = (ISO,)
    date_formats: tuple[str, ...] = (ISO,)
    booleans: dict[str, bool] = field(default_factory=lambda: dict(DEFAULT_BOOLEANS))
    format_text: str = ""                      # the formats as the mapping wrote them, for messages


# --- date formats --------------------------------------------------------------------------------

_TOKEN = re.compile(r"yyyy|yy|mmmm|mmm|mm|m|dd|d|hh|h|ss|am/pm|[a-z]", re.IGNORECASE)
_SIMPLE = {"yyyy": "%Y", "yy": "%y", "mmmm": "%B", "mmm": "%b", "dd": "%d", "d": "%d", "ss": "%S"}


def strptime_format(spec: str) -> str:
    """Translate a spreadsheet-style format ("dd/mm/yyyy hh:mm") to strptime ("%d/%m/%Y %H:%M").

    A format containing `%` is taken as a strptime format already. ValueError for an unknown part.
    """
    if "%" in spec:
        return spec
    tokens: list[tuple[str, str]] = []  # (kind, text): kind "token" or "literal"
    position = 0
    for match in _TOKEN.finditer(spec):
        if match.start() > position:
            tokens.append(("literal", spec[position:match.start()]))
        tokens.append(("token", match.group(0)))
        position = match.end()
    if position < len(spec):
        tokens.append(("literal", spec[position:]))
    twelve_hour = any(kind == "token" and text.lower() == "am/pm" for kind, text in tokens)
    words = [text.lower() for kind, text in tokens if kind == "token"]
    out: list[str] = []
    index = 0
    for kind, text in tokens:
        if kind == "literal":
            out.append(text)
            continue
        lower = text.lower()
        previous = words[index - 1] if index > 0 else ""
        following = words[index + 1] if index + 1 < len(words) else ""
        index += 1
        if lower in ("mm", "m"):
            minutes = previous in ("hh", "h") or following == "ss"
            out.append("%M" if minutes else "%m")
        elif lower in ("hh", "h"):
            out.append("%I" if twelve_hour else "%H")
        elif lower == "am/pm":
            out.append("%p")
        elif lower in _SIMPLE:
            out.append(_SIMPLE[lower])
        elif text == "T":
            out.append("T")  # the ISO 8601 separator
        else:
            raise ValueError(
                f'unknown part "{text}" in date format "{spec}"; use yyyy, yy, mm (month), mmm, dd, hh, '
                f"mm (minutes, after hh), ss and am/pm, or a strptime format with %")
    return "".join(out)


# The patterns strptime itself uses for these parts (CPython's _strptime.TimeRE), so that the fast
# path accepts exactly what strptime accepts.
_NUMERIC = {
    "%d": ("day", r"3[01]|[12]\d|0[1-9]|[1-9]| [1-9]"), "%m": ("month", r"1[0-2]|0[1-9]|[1-9]"),
    "%Y": ("year", r"\d\d\d\d"), "%H": ("hour", r"2[0-3]|[0-1]\d|\d"), "%M": ("minute", r"[0-5]\d|\d"),
    "%S": ("second", r"6[0-1]|[0-5]\d|\d"),
}


@lru_cache(maxsize=64)
def _fast(spec: str) -> re.Pattern[str] | None:
    """A regular expression for a format made only of numeric parts (the usual case), which reads
    a value about five times faster than strptime; None for any other format."""
    out, position = [], 0
    for match in re.finditer(r"%.", spec):
        literal = spec[position:match.start()]
        out.append(r"\s+".join(re.escape(part) for part in re.split(r"\s+", literal)))
        if match.group(0) not in _NUMERIC:
            return None
        name, digits = _NUMERIC[match.group(0)]
        out.append(f"(?P<{name}>{digits})")
        position = match.end()
    out.append(r"\s+".join(re.escape(part) for part in re.split(r"\s+", spec[position:])))
    try:
        return re.compile("".join(out), re.IGNORECASE)
    except re.error:  # a part given twice
        return None


def parse_with(text: str, spec: str) -> datetime:
    """`datetime.strptime(text, spec)`, faster for numeric formats; ValueError if it does not fit."""
    pattern = _fast(spec)
    if pattern is None:
        return datetime.strptime(text, spec)
    match = pattern.fullmatch(text)
    if match is None:
        raise ValueError(f"{text!r} does not match {spec!r}")
    parts = {k: int(v) for k, v in match.groupdict().items()}
    return datetime(parts.get("year", 1900), parts.get("month", 1), parts.get("day", 1),
                    parts.get("hour", 0), parts.get("minute", 0), parts.get("second", 0))


def has_time(strptime: str) -> bool:
    return any(code in strptime for code in ("%H", "%I", "%M"))


# --- cells ---------------------------------------------------------------------------------------

def is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def cell_text(raw: Any) -> str:
    """A cell as text, the way a code would be written: "3" for 3.0, "TRUE" for a true cell."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, (datetime, date, time)):
        return raw.isoformat()
    return str(raw).strip()


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '\\"') + '"'


def _ascii_digits(text: str) -> str:
    """`text`, if every digit in it is 0-9. Python reads ٢٠١٩ or full-width ２０１９ as numbers; an export
    holding them was typed or converted in a way the force should know about, so it is refused."""
    for char in text:
        if char.isdigit() and not "0" <= char <= "9":
            name = unicodedata.name(char, f"U+{ord(char):04X}")
            raise CellError(f"{_quoted(text)} has the digit {char} ({name}); "
                            "write numbers and dates with the digits 0-9")
    return text


def _one_of(text: str, options: list[str]) -> CellError:
    shown = ", ".join(options) if options else "(none)"
    close = difflib.get_close_matches(text, options, n=1, cutoff=0.6)
    if not close:
        folded = {o.casefold(): o for o in options}
        close = [folded[text.casefold()]] if text.casefold() in folded else []
    hint = f'; did you mean "{close[0]}"?' if close else ""
    return CellError(f"{_quoted(text)} is not one of {shown}{hint}")


def _iso_datetime(moment: datetime) -> str:
    if moment.microsecond:
        return moment.isoformat()
    return moment.isoformat(timespec="seconds" if moment.second else "minutes")


def _datetime(rule: Rule, raw: Any) -> str:
    if isinstance(raw, datetime):
        return _iso_datetime(raw)
    if isinstance(raw, date):
        raise CellError(f"{raw.isoformat()} is a date without a time; a date and time is expected")
    text = _ascii_digits(cell_text(raw))
    for spec in rule.datetime_formats:
        if spec == ISO:
            try:
                parse_datetime(text)
                return text
            except ValueError:
                continue
        try:
            return _iso_datetime(parse_with(text, spec))
        except ValueError:
            continue
    return _no_format(text, rule, "a date and time")


def _date(rule: Rule, raw: Any) -> str:
    if isinstance(raw, datetime):
        if raw.time() != time(0, 0):
            raise CellError(f"{_quoted(cell_text(raw))} has a time; a date alone is expected")
        return raw.date().isoformat()
    if isinstance(raw, date):
        return raw.isoformat()
    text = _ascii_digits(cell_text(raw))
    for spec in rule.date_formats:
        if spec == ISO:
            try:
                return parse_date(text).isoformat()
            except ValueError:
                continue
        try:
            moment = parse_with(text, spec)
        except ValueError:
            continue
        if moment.time() != time(0, 0):
            raise CellError(f"{_quoted(text)} has a time; a date alone is expected")
        return moment.date().isoformat()
    return _no_format(text, rule, "a date")


def _no_format(text: str, rule: Rule, what: str) -> NoReturn:
    shown = rule.format_text or "YYYY-MM-DDTHH:MM (ISO 8601)"
    raise CellError(f"{_quoted(text)} is not {what} in the form {shown}")


def _integer(raw: Any) -> int:
    if isinstance(raw, bool):
        raise CellError(f"{cell_text(raw)} is not a whole number")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    text = _ascii_digits(cell_text(raw))
    whole = re.fullmatch(r"([+-]?\d+)(\.0+)?", text)
    if whole and len(whole.group(1).lstrip("+-")) > MAX_DIGITS:  # Python refuses to read 4,300 digits or more
        raise CellError(f"a number of {len(whole.group(1).lstrip('+-')):,} digits; a whole number here has at most "
                        f"{MAX_DIGITS} digits")
    if whole:
        return int(whole.group(1))
    raise CellError(f"{_quoted(text)} is not a whole number")


def _boolean(rule: Rule, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = cell_text(raw)
    if text in rule.booleans:
        return rule.booleans[text]
    raise _one_of(text, list(rule.booleans))


def _scalar(rule: Rule, raw: Any, kind: str, choices: tuple[str, ...]) -> Any:
    if rule.codes is not None and kind not in ("datetime", "date"):
        # The force's codes are the whole list of values this column may hold.
        text = cell_text(raw)
        if text in rule.codes:
            return rule.codes[text]
        raise _one_of(text, list(rule.codes))
    if rule.codes is not None and cell_text(raw) in rule.codes:
        return rule.codes[cell_text(raw)]  # a special code such as "N/K" for a date
    if kind == "datetime":
        return _datetime(rule, raw)
    if kind == "date":
        return _date(rule, raw)
    if kind == "integer":
        return _integer(raw)
    if kind == "boolean":
        return _boolean(rule, raw)
    if kind == "choice":
        text = cell_text(raw)
        if text in choices:
            return text
        raise _one_of(text, list(choices))
    return cell_text(raw)


def blank_value(rule: Rule) -> Any:
    """What a blank cell becomes: the mapping's `blank`, else OMIT (a field with a default), []
    (a list), null (a "... or null" field); a blank in a required field is a CellError."""
    if rule.blank is not OMIT:
        return rule.blank
    target = rule.target
    if not target.required:
        return OMIT
    if target.kind == "list":
        return []
    if target.nullable:
        return None
    raise CellError(f"is blank; a value is required ({target.describe()})")


def convert(rule: Rule, raw: Any) -> Any:
    """The case-file value of `raw` for `rule`'s field (or OMIT); CellError if it does not fit."""
    if rule.column is None:
        return rule.constant
    if is_blank(raw):
        return blank_value(rule)
    target = rule.target
    if target.kind == "list":
        text = cell_text(raw)
        items = [item.strip() for item in text.split(rule.split)] if rule.split else [text]
        return [_scalar(rule, item, target.item_kind or "text", target.choices) for item in items if item]
    return _scalar(rule, raw, target.kind, target.choices)


# --- checking the mapping's own values -----------------------------------------------------------

def check_mapped_value(target: Target, value: Any, *, item: bool = False) -> str | None:
    """Why `value` (written in the mapping for `target`) cannot be a case-file value, or None."""
    if target.kind == "list" and not item:
        if not isinstance(value, list):
            return f"expected a list (use [] for none), got {value!r}"
        problems = [check_mapped_value(target, v, item=True) for v in value]
        return next((p for p in problems if p), None)
    kind = (target.item_kind or "text") if item else target.kind
    if value is None:
        if target.nullable and not item and target.kind != "list":
            return None
        return f"null is not allowed here; expected {target.describe()}"
    if kind == "choice":
        if value in target.choices:
            return None
        return f"{value!r} is not one of {', '.join(target.choices)}"
    if kind == "boolean":
        return None if isinstance(value, bool) else f"expected true or false, got {value!r}"
    if kind == "integer":
        if isinstance(value, int) and not isinstance(value, bool):
            low, high = target.bounds
            if (low is not None and value < low) or (high is not None and value > high):
                return f"{value} is outside {target.describe()}"
            return None
        return f"expected a whole number, got {value!r}"
    if kind in ("datetime", "date"):
        parse = parse_datetime if kind == "datetime" else parse_date
        try:
            parse(value)
            return None
        except ValueError as exc:
            return str(exc)
    return None if isinstance(value, str) and value else f"expected text, got {value!r}"
