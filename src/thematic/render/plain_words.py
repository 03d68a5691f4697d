"""Evidence, questions and force names in plain words, as reports print them (issue 12 item 11).

The results file's evidence strings are a machine contract and stay as scoring writes them
("referral to childrens_social_care 208.66 h after report; limit 24 h", "nrm_referred_at is
null"), and so do its data-quality notes. Reports print both through `evidence_words`: field names
and values become their labels from the case-file format (docs/case-file-format.md), durations are
rounded to whole minutes, hours or days (never across the limit they are read against), yes/no
replace true/false, and "1 days" reads "1 day". `plural_words` puts numbers and nouns right in
questions ("within 1 working day"), and `force_name` gives a force's name where its code would
otherwise be printed.
"""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

#: Field names of the case-file format (and `as_of`) as a reader says them, from the format's
#: "meaning" column. Names without an underscore ("triaged", "code") are ordinary words already.
FIELD_LABELS: dict[str, str] = {
    "case_id": "case reference",
    "reported_at": "the report",
    "closed_at": "the end of police involvement",
    "as_of": "the date the sample was taken",
    "looked_after": "looked after",
    "risk_assessments": "risk assessments",
    "history_considered": "history considered",
    "supervisor_reviewed_at": "supervisor's review",
    "strategy_discussions": "strategy discussions",
    "section47": "section 47 enquiry",
    "started_on": "start",
    "conference_on": "initial child protection conference",
    "police_protection": "police protection",
    "started_at": "start",
    "ended_at": "end",
    "local_authority_informed_at": "local authority informed",
    "designated_officer_informed": "designated officer informed",
    "allocated_at": "allocation",
    "pip_level": "PIP level",
    "specialist_trained": "child abuse investigator training",
    "suspect_identified_at": "suspect identified",
    "suspect_arrested_at": "suspect arrested",
    "seized_at": "seizure",
    "submitted_at": "submission for examination",
    "examined_at": "examination",
    "returned_to_suspect_at": "return to the suspect",
    "indecent_images_suspected": "indecent images suspected",
    "child_as_suspect": "the child as a suspect",
    "exploitation_indicators": "exploitation indicators",
    "nrm_referred_at": "referral to the National Referral Mechanism (NRM)",
    "nrm_decision": "NRM decision",
    "s45_considered": "section 45 defence considered",
    "s45_excluded": "section 45 defence not available",
    "arrived_at": "arrival in custody",
    "charged_at": "charge",
    "bail_refused": "bail refused",
    "transferred_at": "transfer to local-authority accommodation",
    "s38_6_certificate": "s38(6) certificate",
    "appropriate_adult_requested_at": "appropriate adult requested",
    "appropriate_adult_arrived_at": "appropriate adult's arrival",
    "decided_at": "outcome decided",
    "rationale_recorded": "rationale recorded",
    "victim_informed": "victim or family informed",
    "referred_back": "referred back",
}

#: Values of the case-file format whose words are not just the value with spaces for underscores.
VALUE_LABELS: dict[str, str] = {
    "childrens_social_care": "children's social care",
    "child_in_need": "child in need",
    "child_protection": "child protection",
}

#: Nouns evidence and questions count, singular by plural: "1 days" reads "1 day".
SINGULAR: dict[str, str] = {
    "hours": "hour", "minutes": "minute", "days": "day", "weeks": "week", "incidents": "incident",
    "discussions": "discussion", "entries": "entry", "cases": "case", "devices": "device",
    "referrals": "referral", "assessments": "assessment", "criteria": "criterion",
}

#: Evidence written by scoring itself, not from the criteria's evidence text: an expression, an
#: error message, or an inspector's answer with their own note, which are printed as they are.
_VERBATIM_PREFIXES = ("does not apply:", "evaluation failed", "evaluation stopped", "answer \"")

_NUMBER = r"-?\d+(?:\.\d+)?"
_UNIT = {"h": "hours", "hours": "hours", "hour": "hours", "days": "days", "day": "days", "minutes": "minutes"}
_DURATION = re.compile(rf"(?<![\w.])({_NUMBER}) (h|hours?|days?)\b( after| later)?")
#: How a negative duration reads: "-19 h later" is 19 hours earlier.
_OPPOSITE = {" after": " before", " later": " earlier"}
_LIMIT = re.compile(rf"\blimit ({_NUMBER}) (h|hours?|days?)\b")
_IS_NULL = re.compile(r"\b([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*) is null\b")
_DOTTED = re.compile(r"\b[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+\b")  # a field by its path
_SNAKE = re.compile(r"\b(?:[a-z][a-z0-9]*(?:_[a-z0-9]+)+|section47)\b")
_INDEXED = re.compile(r"\b([a-z][a-z0-9_]*)\[(\d+)\]")
_ONE = re.compile(r"(?<![\d.,\-\u2212])\b1 ((?:[a-z]+ )?)(" + "|".join(SINGULAR) + r")\b")


def evidence_words(evidence: str) -> str:
    """A result's evidence text as a report prints it, in the words of the case-file format.

    >>> evidence_words("referral to childrens_social_care 8.45 h after report; limit 24 h")
    "referral to children's social care 8 hours after report; limit 24 hours"
    """
    if evidence.startswith(_VERBATIM_PREFIXES):
        return evidence
    text = _durations(evidence)
    # Data-quality notes name list entries by index ("risk_assessments[0]") and a time by its field.
    text = _INDEXED.sub(lambda m: f"{_singular(_value_label(m.group(1)))} {int(m.group(2)) + 1}", text)
    text = text.replace(" is before at (", " is before the time it was made (")
    text = _IS_NULL.sub(lambda m: f"{_field_label(m.group(1))} not recorded", text)
    text = _DOTTED.sub(lambda m: _field_label(m.group(0)), text)
    text = re.sub(r"\btrue\b", "yes", text)
    text = re.sub(r"\bfalse\b", "no", text)
    text = re.sub(r"\bnull\b", "not recorded", text)
    text = _SNAKE.sub(lambda m: _value_label(m.group(0)), text)
    return plural_words(text)


def plural_words(text: str) -> str:
    """`text` with "1 days", "1 working days", "1 strategy discussions" made singular."""
    return _ONE.sub(lambda m: f"1 {m.group(1)}{SINGULAR[m.group(2)]}", text)


def force_name(force: str | None, title: str | None = None) -> str:
    """A force's name for a report: its code's words capitalised ("west-midlands" is "West Midlands").

    When the inspection's title begins with that name and a word such as "Police" or
    "Constabulary" ("Northmoor Police child protection inspection 2019"), the name includes it.
    """
    if not force:
        return ""
    words = [word for word in re.split(r"[-_\s]+", force) if word]
    if title:
        # The title's own spelling of the name ("Dyfed-Powys Police"), hyphens and capitals kept.
        pattern = r"[-\s]".join(re.escape(word) for word in words) + r" (Police Service|Police|Constabulary)\b"
        match = re.match(pattern, title, re.IGNORECASE)
        if match:
            return title[:match.end()]
    return " ".join(word[:1].upper() + word[1:] for word in words)


def duration_words(value: float, unit: str, limit: float | None = None) -> str:
    """A duration of `value` hours or days, rounded as a reader wants it: "209 days", "8 hours".

    Under one hour it is said in minutes, under one day (of a duration in days) in hours; otherwise
    in whole units, halves rounded up. Where rounding would put the value on the other side of the
    `limit` it is read against (7.2 days against a limit of 7 rounds to 7, which would be within it),
    it keeps the decimals that show the side it is on.
    """
    unit = _UNIT[unit]
    if unit == "days" and abs(value) < 1:
        return duration_words(value * 24, "hours", None if limit is None else limit * 24)
    if unit == "hours" and abs(value) < 1:
        value, unit, limit = value * 60, "minutes", None if limit is None else limit * 60
    for places in (0, 1, 2):
        shown = _round(value, places)
        if limit is None or (float(shown) > limit) == (value > limit):
            return _count(shown, unit)
    return _count(Decimal(str(value)), unit)


def _durations(text: str) -> str:
    limits = {_UNIT[unit]: float(value) for value, unit in _LIMIT.findall(text)}

    def say(match: re.Match[str]) -> str:
        value, unit, after = float(match.group(1)), match.group(2), match.group(3) or ""
        if value < 0 and after:  # an event recorded before the one it is counted from
            return duration_words(-value, unit) + _OPPOSITE[after]
        return duration_words(value, unit, limits.get(_UNIT[unit])) + after

    return _DURATION.sub(say, text)


def _round(value: float, places: int) -> Decimal:
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _count(number: Decimal, unit: str) -> str:
    text = format(number.normalize(), "f") if number != number.to_integral_value() else str(int(number))
    if text.startswith("-"):
        text = "\u2212" + text[1:]
    return f"{text} {SINGULAR[unit] if text == '1' else unit}"


def _singular(words: str) -> str:
    head, _, last = words.rpartition(" ")
    return f"{head} {SINGULAR.get(last, last)}".strip()


def _field_label(path: str) -> str:
    return FIELD_LABELS.get(path.rsplit(".", 1)[-1], path.rsplit(".", 1)[-1].replace("_", " "))


def _value_label(name: str) -> str:
    return VALUE_LABELS.get(name) or FIELD_LABELS.get(name) or name.replace("_", " ")


def agree(count: str, singular: str, plural: str) -> str:
    """The verb or noun that agrees with a count as printed: "1 was", "none was", "23 were".

    `count` is the count's text ("1", "23", "none", "fewer than 5"): one and none take the singular.
    """
    return singular if count in ("1", "none") else plural


def and_list(items: list[str] | tuple[str, ...]) -> str:
    """"a", "a and b", "a, b and c": items as a sentence lists them ("" for none)."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
