"""The audit workbook's layout, shared by the writer and the reader: sheet names, headers, labels.

The reader finds columns by their header text, so both sides must agree on these names; a
workbook records its format and inspection on the hidden Lists sheet so that it is read back
against the inspection it was made for.
"""
from __future__ import annotations

from thematic.model.results import ERROR, MET, NOT_APPLICABLE, NOT_EVIDENCED, NOT_MET, PENDING, UNABLE_TO_ASSESS

WORKBOOK_FORMAT = "thematic.workbook/1"

CASES = "Cases"
GUIDANCE = "Guidance"
CRITERIA = "Criteria"
LISTS = "Lists"  # hidden: metadata, and the drop-down lists the data validations point to

CASE_HEADER = "Case"
CATEGORY_HEADER = "Category"
GRADE_HEADER = "Grade"
REFERRED_HEADER = "Referred back"
GRADE_NOTE_HEADER = "Grade note"
INSPECTOR_HEADER = "Inspector"
REQUIRED_HEADERS = (CASE_HEADER, GRADE_HEADER, REFERRED_HEADER, GRADE_NOTE_HEADER, INSPECTOR_HEADER)

ANSWER_SUFFIX = " answer"
NOTE_SUFFIX = " note"

#: The text of a locked answer cell whose question does not apply to the case.
DOES_NOT_APPLY = "does not apply"

#: Metadata rows on the Lists sheet (column A key, column B value).
META_KEYS = ("format", "inspection", "criteria", "criteria_version", "inspector")

#: How a grade reads in the workbook, and back.
GRADE_LABELS = {"good": "good", "requires_improvement": "requires improvement", "inadequate": "inadequate"}
YES_NO = ("yes", "no")

#: Result states as words (the text that goes with every colour) and their fill and font colours.
#: Colours follow spreadsheet conventions (green good, red bad, amber caution) with dark text on a
#: light fill, so the words stay readable; the words alone carry the meaning.
STATE_STYLE: dict[str, tuple[str, str, str]] = {
    MET: ("met", "C6EFCE", "006100"),
    NOT_MET: ("not met", "FFC7CE", "9C0006"),
    NOT_EVIDENCED: ("not evidenced", "FFEB9C", "7A4400"),
    NOT_APPLICABLE: ("n/a", "EDEDED", "3A3A3A"),
    UNABLE_TO_ASSESS: ("unable to assess", "DDEBF7", "1F3864"),
    PENDING: ("pending", "FFFFFF", "000000"),
    ERROR: ("error", "595959", "FFFFFF"),
}

STATE_MEANING = {
    MET: "the record shows the expectation was met",
    NOT_MET: "the record shows it was not met",
    NOT_EVIDENCED: "the record lacks the entry that would show it was met",
    NOT_APPLICABLE: "the criterion does not apply to this case",
    UNABLE_TO_ASSESS: "the export did not capture the data the criterion needs",
    ERROR: "the criterion could not be evaluated on this case (see the cell's comment)",
}


def answer_header(criterion_id: str) -> str:
    return criterion_id + ANSWER_SUFFIX


def note_header(criterion_id: str) -> str:
    return criterion_id + NOTE_SUFFIX
