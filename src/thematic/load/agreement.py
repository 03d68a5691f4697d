"""Reading an agreement file (`thematic.agreement/1`, from `thematic agreement -o`) for the force report.

`thematic report RESULTS.json --agreement FILE.json` puts the inspectors' agreement into the force
report. Everything the report's section reads is checked here, each problem at its line, so that
a hand-edited or mismatched file stops with `file:line: field: what is wrong` (exit code 2) instead
of a wrong report: another format, malformed JSON, a missing or mistyped value, counts that do not
add up, raw agreement that is not agreed / double-scored or lacks its interval (the report prints
the interval the file holds), and an agreement of another inspection or of cases the results do
not hold. Keys this version does not read are ignored.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from thematic.core.errors import InputError
from thematic.load.document_check import DocumentChecker
from thematic.load.json_source import read_json_document
from thematic.load.yaml_source import describe_value, located_problem, read_text

AGREEMENT_FORMAT = "thematic.agreement/1"  # written by thematic.stats.agreement.Agreement.to_json
COEFFICIENTS = ("cohens_kappa", "krippendorff_alpha", "gwet_ac1")
_NUMBER = (int, float)
_RAW_KEYS = ("raw_agreement", "raw_ci_low", "raw_ci_high")  # raw agreement and its 95% Wilson interval


def load_agreement(path: str | Path, *, inspection_id: str | None = None,
                   case_ids: Sequence[str] | None = None) -> dict[str, Any]:
    """The checked agreement document at `path`; InputError listing every problem.

    With `inspection_id`, the file must be that inspection's; with `case_ids`, every case on its
    moderation list must be one of them.
    """
    name = str(path)
    text = read_text(path, f"JSON ({AGREEMENT_FORMAT})")
    doc = read_json_document(text, name)  # duplicate keys, huge numbers and deep nesting refused with their line
    data = doc.data
    if not isinstance(data, dict):
        raise InputError.single(name, f"expected a JSON object in the {AGREEMENT_FORMAT} format, got "
                                      f"{describe_value(data)}")
    if data.get("format") != AGREEMENT_FORMAT:
        found = "missing" if "format" not in data else f"{describe_value(data.get('format'))} is not supported"
        raise InputError([located_problem(doc, ("format",), f"{found}; expected \"{AGREEMENT_FORMAT}\" "
                                                            "(written by thematic agreement -o)")])
    checker = _Checker(doc)
    checker.document(inspection_id, case_ids)
    if checker.problems:
        raise InputError(sorted(checker.problems, key=lambda p: p.line or 0))
    return data


class _Checker(DocumentChecker):
    def count(self, parent: Any, loc: tuple[str | int, ...]) -> int | None:
        value = self.value(parent, loc, int, "a whole number, 0 or more")
        if value is None:
            return None
        count: int = value
        if count < 0:
            self.problem(loc, f"expected a whole number, 0 or more, got {count}")
            return None
        return count

    def document(self, inspection_id: str | None, case_ids: Sequence[str] | None) -> None:
        data = self.doc.data
        inspection = self.value(data, ("inspection",), dict, "a mapping with the inspection's id")
        if inspection is not None:
            found = self.value(inspection, ("inspection", "id"), str, "the inspection's id", nullable=True)
            if inspection_id is not None and found is not None and found != inspection_id:
                self.problem(("inspection", "id"), f"\"{found}\" is not the inspection of the results "
                                                   f"(\"{inspection_id}\"); give the agreement of the same inspection")
        inspectors = self.value(data, ("inspectors",), list, "a list of inspectors' references")
        for index, ref in enumerate(inspectors or []):
            if not isinstance(ref, str):
                self.problem(("inspectors", index), f"expected an inspector's reference, got {describe_value(ref)}")
        for index, item in enumerate(self.value(data, ("items",), list, "a list of items") or []):
            self.item(item, ("items", index))
        known = set(case_ids) if case_ids is not None else None
        for index, entry in enumerate(self.value(data, ("moderation",), list, "a list of disagreements") or []):
            self.disagreement(entry, ("moderation", index), known)

    def item(self, item: Any, loc: tuple[str | int, ...]) -> None:
        if not isinstance(item, dict):
            self.problem(loc, f"expected a mapping, got {describe_value(item)}")
            return
        self.value(item, (*loc, "item"), str, "a criterion id or \"grade\"")
        self.value(item, (*loc, "question"), str, "the question asked")
        self.value(item, (*loc, "ordered"), bool, "true or false")
        total = self.count(item, (*loc, "cases_double_scored"))
        agreed = self.count(item, (*loc, "agreed"))
        if "cases_more_than_two" in item:
            more = self.count(item, (*loc, "cases_more_than_two"))
            if more is not None and total is not None and more > total:
                self.problem((*loc, "cases_more_than_two"), f"{more} is more than the {total} cases double-scored")
        if total is not None and agreed is not None and agreed > total:
            self.problem((*loc, "agreed"), f"{agreed} is more than the {total} cases double-scored")
        elif total is not None and agreed is not None:
            self.raw(item, loc, agreed, total)
        for name in COEFFICIENTS:
            coefficient = self.value(item, (*loc, name), dict, "a mapping with value, ci_low, ci_high and note")
            if coefficient is None:
                continue
            for key in ("value", "ci_low", "ci_high"):
                self.value(coefficient, (*loc, name, key), _NUMBER, "a number or null", nullable=True)
            if "note" in coefficient:
                self.value(coefficient, (*loc, name, "note"), str, "text or null", nullable=True)

    def raw(self, item: dict[str, Any], loc: tuple[str | int, ...], agreed: int, total: int) -> None:
        """Raw agreement and its interval, which the report prints as they are: the rate must be
        agreed / double-scored (null when no case was), with both bounds of its interval beside it."""
        values: dict[str, float | None] = {}
        for key in _RAW_KEYS:
            value = self.value(item, (*loc, key), _NUMBER, "a proportion from 0 to 1, or null", nullable=True)
            if value is not None and not 0 <= value <= 1:
                self.problem((*loc, key), f"expected a proportion from 0 to 1, or null, got {describe_value(value)}")
                return
            if key not in item or (item[key] is not None and value is None):
                return  # missing or not a number: said above
            values[key] = None if value is None else float(value)
        rate = values["raw_agreement"]
        if rate != (agreed / total if total else None):
            expected = f"{agreed} / {total} = {agreed / total!r}" if total else "null, as no case was double-scored"
            self.problem((*loc, "raw_agreement"),
                         f"{describe_value(rate)} does not belong to these counts: expected {expected}")
            return
        # Both bounds with a rate, none without (not "low <= rate <= high": see load.results).
        if (rate is None) != (values["raw_ci_low"] is None) or (rate is None) != (values["raw_ci_high"] is None):
            self.problem(loc, "expected raw_agreement, raw_ci_low and raw_ci_high all numbers, or all null when no "
                              "case was double-scored")

    def disagreement(self, entry: Any, loc: tuple[str | int, ...], known: set[str] | None) -> None:
        if not isinstance(entry, dict):
            self.problem(loc, f"expected a mapping, got {describe_value(entry)}")
            return
        case_id = self.value(entry, (*loc, "case_id"), str, "a case id")
        if case_id is not None and known is not None and case_id not in known:
            self.problem((*loc, "case_id"), f"case \"{case_id}\" is not in the results; give the agreement of "
                                            "the same sample")
        self.value(entry, (*loc, "item"), str, "a criterion id, \"grade\" or \"referred_back\"")
        for key, required in (("answers", True), ("notes", False)):
            if not required and key not in entry:
                continue
            mapping = self.value(entry, (*loc, key), dict, "a mapping of inspectors to text")
            for who, text in (mapping or {}).items():
                if not isinstance(text, str):
                    self.problem((*loc, key, who), f"expected text, got {describe_value(text)}")
        moderated = self.value(entry, (*loc, "moderated"), dict, "null or the moderator's answer, by and reason",
                               nullable=True)
        for key in ("answer", "by", "reason"):
            if moderated is not None:
                self.value(moderated, (*loc, "moderated", key), str, "text")
