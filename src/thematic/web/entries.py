"""What a scorer has entered on a case, read back from the events: the latest event of each item wins."""
from __future__ import annotations

from dataclasses import dataclass, field

from thematic.web.models import ANSWER, GRADE, GRADE_NOTE, NOTE, REFERRED_BACK, Assignment, Event

#: The event kinds that hold a scorer's entries.
ENTRY_KINDS = (ANSWER, NOTE, GRADE, REFERRED_BACK, GRADE_NOTE)


@dataclass
class Entries:
    """A scorer's current answers, notes and grade on one case."""

    answers: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    grade: str | None = None
    referred_back: bool = False
    grade_note: str | None = None

    def as_items(self) -> dict[tuple[str, str], str | None]:
        """(kind, item) -> value, the shape events are compared and written in."""
        items: dict[tuple[str, str], str | None] = {}
        items.update({(ANSWER, cid): value for cid, value in self.answers.items()})
        items.update({(NOTE, cid): value for cid, value in self.notes.items()})
        items[(GRADE, "grade")] = self.grade
        items[(REFERRED_BACK, "grade")] = "yes" if self.referred_back else "no"
        items[(GRADE_NOTE, "grade")] = self.grade_note
        return items

    def is_empty(self) -> bool:
        return not (self.answers or self.notes or self.grade or self.referred_back or self.grade_note)


def apply(entries: Entries, kind: str, item: str, value: str | None) -> None:
    """Fold one event into `entries` (None clears the item)."""
    if kind == ANSWER:
        _set(entries.answers, item, value)
    elif kind == NOTE:
        _set(entries.notes, item, value)
    elif kind == GRADE:
        entries.grade = value or None
    elif kind == REFERRED_BACK:
        entries.referred_back = value == "yes"
    elif kind == GRADE_NOTE:
        entries.grade_note = value or None


def _set(mapping: dict[str, str], key: str, value: str | None) -> None:
    if value:
        mapping[key] = value
    else:
        mapping.pop(key, None)


def current(assignment: Assignment) -> Entries:
    """The assignment's entries now: every entry event folded in the order they were written."""
    entries = Entries()
    for kind, item, after in (Event.objects.filter(assignment=assignment, kind__in=ENTRY_KINDS)
                              .order_by("id").values_list("kind", "item", "after")):
        apply(entries, kind, item, after)
    return entries


def current_for(assignments: list[Assignment]) -> dict[int, Entries]:
    """Entries of many assignments in one query (assignment pk -> entries)."""
    found: dict[int, Entries] = {a.pk: Entries() for a in assignments}
    rows = (Event.objects.filter(assignment__in=assignments, kind__in=ENTRY_KINDS).order_by("id")
            .values_list("assignment_id", "kind", "item", "after"))
    for assignment_id, kind, item, after in rows:
        if assignment_id is not None:
            apply(found[assignment_id], kind, item, after)
    return found
