"""Shared view types for every report: counts and rates as readers see them, with suppression.

A report never shows a bare percentage: a `RateView` carries its "n of N", its 95% interval and
where the interval lies against each reference it is compared with (`Reference`): clearly above,
clearly below, or not distinguishable from it. Small counts about children can be
suppressed for publication: a `Suppression` turns counts below its limit into "fewer than N" and
withholds every rate that would reveal one. Plain frozen dataclasses of strings and numbers, so
templates only print them; the force, programme and year-on-year reports all build on these.
"""
from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from thematic.model.inspection import InspectionRound, inspection_round

#: References given on the command line by default: none. A reference needs a source (a criteria
#: file's `reference`, or a reader's own on the command line); the 50% and 80% used before had none.
DEFAULT_THRESHOLDS: tuple[float, ...] = ()

#: Where a rate's whole 95% interval lies against a reference: the only words a flag uses, in the
#: force and the programme report alike.
ABOVE = "clearly above"
BELOW = "clearly below"
UNDISTINGUISHED = "not distinguishable from"

#: The source of a reference given with `thematic report --reference`.
COMMAND_LINE_SOURCE = "reference given on the command line"

#: The fewest assessed cases a rate needs to be named as a lowest, a headline or a change in a
#: summary (`--min-assessed`): below it a rate is still shown with its counts, marked "few cases".
MIN_ASSESSED = 10

STATE_LABELS: dict[str, str] = {
    "met": "met",
    "not_met": "not met",
    "not_evidenced": "not evidenced",
    "not_applicable": "not applicable",
    "unable_to_assess": "unable to assess",
    "pending": "pending",
    "error": "error",
}
GRADE_LABELS: dict[str, str] = {
    "good": "good",
    "requires_improvement": "requires improvement",
    "inadequate": "inadequate",
    "none": "not graded",
}


def label(identifier: str | None) -> str:
    """A readable label for a snake_case identifier (a state, a grade, a category)."""
    if identifier is None:
        return "not graded"
    return STATE_LABELS.get(identifier) or GRADE_LABELS.get(identifier) or identifier.replace("_", " ")


# --- inspection rounds: their names and their grade words (thematic.model.inspection) -----------

def round_of(year: int | str | None) -> InspectionRound | None:
    """The round of an inspection of `year` (views hold a year as text, "" when not known)."""
    if isinstance(year, str):
        year = int(year) if year.strip().isdigit() else None
    return inspection_round(year)


def grade_label(grade: str | None, round_: InspectionRound | None) -> str:
    """A stored grade in the words of the inspection's round ("adequate" in 2015), else `label`'s."""
    if grade is None or round_ is None or grade not in round_.grade_words:
        return label(grade)
    return round_.grade_word(grade)


def rounds_text(years: Sequence[int | str | None]) -> str:
    """"the 2015 inspection round and the 2019 national child protection thematic": every known round
    of `years` once, oldest first; "" when no year is known."""
    rounds = sorted({r.year: r for r in (round_of(y) for y in years) if r is not None}.values(), key=lambda r: r.year)
    names = [f"the {r.name}" for r in rounds]
    if not names:
        return ""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def grade_mapping_text(before: int | str | None, after: int | str | None) -> str:
    """How two rounds' grade words are compared, said once; "" when they use the same words.

    "The 2015 inspection round graded cases good, adequate or inadequate, the 2019 national child
    protection thematic good, requires improvement or inadequate: 2015's “adequate” is compared with
    2019's “requires improvement”."
    """
    first, second = round_of(before), round_of(after)
    if first is None or second is None or first.grade_words == second.grade_words:
        return ""
    order = ("good", "requires_improvement", "inadequate")

    def scale(r: InspectionRound) -> str:
        words = [r.grade_word(g) for g in order]
        return f"{', '.join(words[:-1])} or {words[-1]}"

    pairs = [f"{first.year}’s “{first.grade_word(g)}” is compared with {second.year}’s "
             f"“{second.grade_word(g)}”" for g in order if first.grade_word(g) != second.grade_word(g)]
    return (f"The {first.name} graded cases {scale(first)}; the {second.name} {scale(second)}: "
            f"{'; '.join(pairs)}.")


#: How near 0 or 1 a computed proportion must be to be read as exactly 0 or 1. statsmodels gives the
#: Wilson upper bound of 9 of 9 as 0.9999999999999999 and the lower bound of 0 of 9 as 2.8e-17, where
#: the exact values are 1 and 0: floating-point noise is of the order of 1e-16. A real bound is never
#: this near: for n - 1 of n the Wilson upper bound is about 1 - 0.18/n (and for 1 of n the lower
#: about 0.18/n), still 1.8e-6 from the edge at the largest sample `thematic synth` makes (100,000).
EDGE_TOLERANCE = 1e-9


def snapped(value: float) -> float:
    """`value`, or exactly 0 or 1 when it is within floating-point noise (EDGE_TOLERANCE) of either."""
    if abs(value) <= EDGE_TOLERANCE:
        return 0.0
    if abs(value - 1.0) <= EDGE_TOLERANCE:
        return 1.0
    return value


def percent(value: float, *, bound: bool = False, short: bool = False) -> str:
    """A proportion as the whole percentage every report and terminal table shows: the one rounding.

    Halves round up, as published statistics do, and a value within floating-point noise of 0 or 1
    is that value (so k of k has an upper bound of 100% and 0 of n a lower bound of 0%). A rate that
    is a part never reads as all or nothing: "less than 1%", "more than 99%" ("<1%", ">99%" when
    `short`, for terminal columns). An interval bound (`bound`) is a number on the scale: an upper
    bound short of 100% reads at most 99%.
    """
    value = snapped(value)
    whole = whole_percent(value)
    if bound:
        if whole == 100 and value < 1.0:
            whole = 99
        return f"{whole}%"
    if 0.0 < value < 0.005:
        return "<1%" if short else "less than 1%"
    if 0.995 <= value < 1.0:
        return ">99%" if short else "more than 99%"
    return f"{whole}%"


def whole_percent(value: float) -> int:
    """`value` (a proportion, or a difference of two) in whole percent or points, halves rounded up.

    Python's round() would round 12.5 to 12; published statistics round it to 13. Rounded to 9
    places first, so 0.145 (stored as 0.14499999…) reads 15. A value within floating-point noise
    of 0 or 1 is snapped to it first. Negative values round half away from zero (−0.125 is −13),
    so a change reads the same size whichever way it goes.
    """
    value = snapped(value)
    if value < 0:
        return -whole_percent(-value)
    return math.floor(round(value * 100, 9) + 0.5)


def interval_text(low: float, high: float) -> str:
    """"16%–47%": a 95% interval's bounds, each as `percent(…, bound=True)` shows it."""
    return f"{percent(low, bound=True)}–{percent(high, bound=True)}"


def format_number(value: Any) -> str:
    """A parameter value as written: 24, not 24.0."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def threshold_text(thresholds: Sequence[float]) -> str:
    """"50%", "50% and 80%": rates as a reference is written (to one decimal place, 82.5%)."""
    texts = [f"{format_number(round(t * 100, 1))}%" for t in thresholds]
    return texts[0] if len(texts) == 1 else ", ".join(texts[:-1]) + " and " + texts[-1]


@dataclass(frozen=True)
class CountView:
    """A count as printed: the number, or "fewer than N" when suppressed (value is then None)."""

    value: int | None
    text: str

    @property
    def suppressed(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class Reference:
    """A rate a force's rates are compared with, and where it comes from (never without a source)."""

    rate: float   # a proportion, strictly between 0 and 1
    source: str   # e.g. "reference given on the command line", or the criteria file's source

    @property
    def text(self) -> str:
        return threshold_text([self.rate])


@dataclass(frozen=True)
class Against:
    """Where one rate's 95% interval lies against one reference: ABOVE, BELOW or UNDISTINGUISHED."""

    reference: Reference
    position: str

    @property
    def flagged(self) -> bool:
        """Whether this says something: only a whole interval above or below the reference does."""
        return self.position != UNDISTINGUISHED

    @property
    def text(self) -> str:
        """"clearly below 80%", "not distinguishable from 80%"."""
        return f"{self.position} {self.reference.text}"


def position(low: float, high: float, reference: float) -> str:
    """ABOVE when the whole interval [low, high] is above `reference`, BELOW when it is wholly below.

    An interval that touches the reference (a bound equal to it) contains it, so the sample cannot
    tell the force's rate from it: UNDISTINGUISHED. Bounds within floating-point noise of 0 or 1
    are read as 0 or 1 first.
    """
    if snapped(low) > reference:
        return ABOVE
    if snapped(high) < reference:
        return BELOW
    return UNDISTINGUISHED


@dataclass(frozen=True)
class RateView:
    """n of N, the rate and its 95% interval as printed, and where the interval lies against references.

    `rate`, `ci_low` and `ci_high` are None when there is no denominator or the rate is withheld.
    `against` holds one `Against` per reference (none when there is no rate or no reference); only
    a rate clearly above or below a reference is flagged.
    """

    met: CountView
    total: CountView
    rate: float | None
    ci_low: float | None
    ci_high: float | None
    percent: str          # "29%"; "withheld" or "–" when there is no rate (short, for table cells)
    interval: str         # "16%–47%", or ""
    withheld: bool
    against: tuple[Against, ...] = ()
    note: str = ""        # why there is no rate: "rate withheld: small numbers" or "no cases assessed"
    few: str = ""         # "few cases: fewer than 10 assessed" when too few to be named (`few_cases`)

    @property
    def flags(self) -> tuple[Against, ...]:
        """The references this rate is clearly above or below: what a reader can act on."""
        return tuple(a for a in self.against if a.flagged)

    @property
    def n_of_n(self) -> str:
        return f"{self.met.text} of {self.total.text}"

    @property
    def has_rate(self) -> bool:
        return self.rate is not None

    @property
    def sentence(self) -> str:
        """"9 of 31, 29%, 95% interval 16%–47%" (or why the rate is not given)."""
        if self.rate is None:
            return f"{self.n_of_n} ({self.note})"
        return f"{self.n_of_n}, {self.percent}, 95% interval {self.interval}"

    @property
    def flag(self) -> str:
        """"clearly below 80%" (several joined by "; "), or "" when the rate says nothing against any reference."""
        return "; ".join(a.text for a in self.flags)

    @property
    def against_text(self) -> str:
        """Every comparison in words, flagged or not: "not distinguishable from 80%"; "" without one."""
        return "; ".join(a.text for a in self.against)


def against(low: float, high: float, references: Sequence[Reference]) -> tuple[Against, ...]:
    """Where the interval [low, high] lies against each reference, in the references' order."""
    return tuple(Against(r, position(low, high, r.rate)) for r in references)


@dataclass(frozen=True)
class Suppression:
    """Publication rule for small counts: a count c with 0 < c < `below` is shown as "fewer than below".

    Zero is shown (it names no child). A rate is withheld when its denominator, its numerator or
    its complement (the cases that did not meet it) is suppressed, since the rate would reveal it;
    the numerator then reads "more than N - below" when only the complement is small.
    `below` None or 1 suppresses nothing.
    """

    below: int | None = None

    @property
    def active(self) -> bool:
        return self.below is not None and self.below > 1

    def hides(self, value: int) -> bool:
        return self.active and 0 < value < self.below  # type: ignore[operator]

    def count(self, value: int) -> CountView:
        if self.hides(value):
            return CountView(None, f"fewer than {self.below}")
        return CountView(value, str(value))

    def rate(
        self,
        met: int,
        total: int,
        ci_low: float | None,
        ci_high: float | None,
        references: Sequence[Reference] = (),
    ) -> RateView:
        """The view of `met` of `total` whose 95% interval is (`ci_low`, `ci_high`), against `references`."""
        total_view = self.count(total)
        met_view = self.count(met)
        complement_hidden = self.hides(total - met)
        if total_view.suppressed or met_view.suppressed or complement_hidden:
            if complement_hidden and not met_view.suppressed and not total_view.suppressed:
                met_view = CountView(None, f"more than {total - self.below}")  # type: ignore[operator]
            return RateView(met_view, total_view, None, None, None, "withheld", "", True, (),
                            "rate withheld: small numbers")
        if total == 0 or ci_low is None or ci_high is None:
            return RateView(met_view, total_view, None, None, None, "–", "", False, (), "no cases assessed")
        rate = met / total
        return RateView(
            met=met_view,
            total=total_view,
            rate=rate,
            ci_low=ci_low,
            ci_high=ci_high,
            percent=percent(rate),
            interval=interval_text(ci_low, ci_high),
            withheld=False,
            against=against(ci_low, ci_high, references),
        )


def few_text(min_assessed: int, hide: Suppression | None = None) -> str:
    """"few cases: fewer than 10 assessed": the mark of a rate from fewer than `min_assessed` cases.

    With suppression at a higher limit the mark says no more than the suppressed count does.
    """
    return f"few cases: fewer than {few_limit(min_assessed, hide)} assessed"


def few_limit(min_assessed: int, hide: Suppression | None = None) -> int:
    """The number a "few cases" mark names: `min_assessed`, or the suppression limit when higher."""
    if hide is not None and hide.below is not None and hide.active:
        return max(min_assessed, hide.below)
    return min_assessed


def eligible(total: int, min_assessed: int) -> bool:
    """Whether a rate from `total` assessed cases may be named as a lowest, headline or change."""
    return total >= min_assessed and total > 0


def few_cases(view: RateView, total: int, min_assessed: int, hide: Suppression | None = None) -> RateView:
    """`view` marked "few cases" when its `total` (1 or more) is below `min_assessed`, or is suppressed.

    A suppressed total is marked whatever its size, so the mark never tells more than "fewer than N".
    """
    suppressed = view.total.suppressed
    if total <= 0 or (total >= min_assessed and not suppressed):
        return view
    return replace(view, few=few_text(min_assessed, hide))


def min_assessed_text(min_assessed: int) -> str:
    """The rule on small numbers, said once in each report's method."""
    if min_assessed <= 1:
        return ("No minimum number of assessed cases was set: any rate with an assessed case may be named as a "
                f"lowest rate, a headline or a change (thematic --min-assessed, default {MIN_ASSESSED}).")
    return (f"A rate from fewer than {min_assessed} assessed cases is shown with its counts and marked \u201cfew "
            "cases\u201d, but is never named as a lowest rate, a headline or a change in a summary: so few cases "
            f"say little about the rest (thematic --min-assessed, default {MIN_ASSESSED}).")


_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """An HTML id fragment: lower case letters, digits and hyphens."""
    return _SLUG.sub("-", text.lower()).strip("-") or "x"


def parse_thresholds(text: str) -> tuple[float, ...]:
    """"50,80" → (0.5, 0.8). ValueError naming what is wrong."""
    values: list[float] = []
    for part in text.split(","):
        part = part.strip().rstrip("%")
        try:
            value = float(part)
        except ValueError:
            raise ValueError(f"'{part}' is not a number; expected percentages such as 50,80") from None
        if not 0 < value < 100:
            raise ValueError(f"{format_number(value)} is not strictly between 0 and 100")
        values.append(value / 100)
    if len(set(values)) != len(values):
        raise ValueError("a threshold is given twice")
    return tuple(sorted(values))
