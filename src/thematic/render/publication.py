"""Publication details every report and workbook carries: its protective marking, the date it was
produced, the versions of the tool and of the criteria it was scored with, and the names of the
inspection rounds it belongs to.

A report that lists cases about children is sensitive: the Government Security Classifications
mark it OFFICIAL-SENSITIVE, at the top and bottom of every page. The marking is configurable
(`--marking`), checked to be one short line of printable text, since it goes into page headers
and margin boxes. The date produced is today's, or the date of `SOURCE_DATE_EPOCH` when that is
set (the reproducible-builds convention), so two runs of the same inputs can give the same bytes.
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from markupsafe import Markup

from thematic import __version__
from thematic.core.errors import InputError
from thematic.render.views import grade_mapping_text, rounds_text

DEFAULT_MARKING = "OFFICIAL-SENSITIVE"
#: Longest marking: it must fit one line of a page header beside the page number.
MAX_MARKING = 60
MARKING_OPTION = "--marking"
TOOL = f"thematic {__version__}"


def check_marking(text: str, *, where: str = MARKING_OPTION) -> str:
    """`text` with outer spaces removed, if it is a usable marking; InputError naming `where` otherwise."""
    marking = text.strip()
    if not marking:
        raise InputError.single(where, "the protective marking is empty; give one such as OFFICIAL-SENSITIVE")
    if not marking.isprintable():  # a line break, tab or control character would break a page header
        raise InputError.single(where, f"the protective marking {marking!r} must be one line of printable text")
    if len(marking) > MAX_MARKING:
        raise InputError.single(where, f"the protective marking is {len(marking)} characters long; "
                                       f"at most {MAX_MARKING} fit a page header")
    return marking


def production_date() -> date:
    """Today, or the UTC date of `SOURCE_DATE_EPOCH` (seconds since 1970) when it is set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None or not epoch.strip():
        return date.today()
    try:
        return datetime.fromtimestamp(int(epoch), UTC).date()
    except (ValueError, OverflowError, OSError):
        raise InputError.single("SOURCE_DATE_EPOCH", f"{epoch!r} is not a whole number of seconds since "
                                                     "1 January 1970") from None


def css_string(text: str) -> Markup:
    """`text` as a quoted CSS string for a `content:` value: everything but letters, digits and
    spaces hex-escaped, so no quote, backslash or `</style>` can leave the string."""
    escaped = "".join(c if c.isalnum() and c.isascii() or c == " " else f"\\{ord(c):x} " for c in text)
    return Markup(f'"{escaped}"')


@dataclass(frozen=True)
class Publication:
    """What a report says about itself: marking, date produced, tool and criteria versions."""

    marking: str = DEFAULT_MARKING
    criteria: tuple[tuple[str, str], ...] = ()  # (id, version) of each criteria set, in order, once
    produced: date = field(default_factory=production_date)
    tool: str = TOOL

    def __post_init__(self) -> None:
        object.__setattr__(self, "marking", check_marking(self.marking))

    @classmethod
    def of(cls, marking: str = DEFAULT_MARKING, criteria: Iterable[tuple[object, object]] = ()) -> Publication:
        """A publication with each (criteria id, version) pair given once, in order."""
        pairs: list[tuple[str, str]] = []
        for cid, version in criteria:
            pair = (str(cid), str(version))
            if pair not in pairs:
                pairs.append(pair)
        return cls(marking=marking, criteria=tuple(pairs))

    @property
    def produced_text(self) -> str:
        return f"{self.produced.day} {self.produced:%B %Y}"

    @property
    def produced_iso(self) -> str:
        return self.produced.isoformat()

    @property
    def criteria_text(self) -> str:
        """"criteria ncpi-thematic-2019 version 1" (several joined with "and"), or ""."""
        named = [f"{cid} version {version}" for cid, version in self.criteria]
        if not named:
            return ""
        return "criteria " + (named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1])

    @property
    def line(self) -> str:
        """"Produced 4 December 2026 with thematic 0.1.0, criteria ncpi-thematic-2019 version 1"."""
        text = f"Produced {self.produced_text} with {self.tool}"
        return f"{text}, {self.criteria_text}" if self.criteria else text

    # The inspection round a report belongs to is part of what it says about itself. Templates whose
    # view data holds only inspection years (the comparison, the programme) name the rounds through
    # these; the words themselves are thematic.render.views' (from thematic.model.inspection).
    @staticmethod
    def rounds_text(years: Iterable[int | str | None]) -> str:
        """"the 2015 inspection round and the 2019 national child protection thematic", or ""."""
        return rounds_text(list(years))

    @staticmethod
    def grade_mapping(before: int | str | None, after: int | str | None) -> str:
        """How the two rounds' grade words are compared ("2015's “adequate” is compared with …"), or ""."""
        return grade_mapping_text(before, after)

    @property
    def marking_css(self) -> Markup:
        """The marking as a CSS string, for `@page` margin boxes."""
        return css_string(self.marking)
