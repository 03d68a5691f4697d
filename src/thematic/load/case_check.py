"""Checks of loaded answers against the criteria set: judgement ids and answers, and the force.

Case files are checked with `case_check` as they load (`thematic.load.cases.load_cases(check=...)`):
a valid case, or the well-formed parts of one that is not (`thematic.load.cases.CaseParts`: its force
may then be unknown, None). Judgements and moderation files with `answers_check`, the same check of the same answers, so
their messages are the same. Each problem is a (loc, message) pair, located like a validation error.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from thematic.load.cases import CaseParts
from thematic.model.case import Case
from thematic.model.criteria import CriteriaFile

#: Problems found by a check: (location within the checked entry, message) pairs.
Located = list[tuple[tuple[Any, ...], str]]
Check = Callable[[Case | CaseParts], Located]


class Answered(Protocol):
    """An inspector's answer to a judgement criterion, in a case file or a judgements file."""

    @property
    def answer(self) -> str: ...


def answers_check(criteria: CriteriaFile) -> Callable[[Mapping[str, Answered]], Located]:
    """Checks of judgements (criterion id -> answer): the criterion takes answers, and this one."""
    judgement = {c.id: c.answers or {} for c in criteria.criteria if c.type == "judgement"}
    automatic = {c.id for c in criteria.criteria if c.type == "automatic"}

    def check(judgements: Mapping[str, Answered]) -> Located:
        problems: Located = []
        for criterion_id, answer in judgements.items():
            if criterion_id in automatic:
                problems.append((("judgements", criterion_id),
                                 f"{criterion_id} is an automatic criterion; only judgement criteria take answers "
                                 f"({', '.join(judgement)})"))
            elif criterion_id not in judgement:
                problems.append((("judgements", criterion_id),
                                 f"unknown criterion '{criterion_id}'; judgement criteria are: {', '.join(judgement)}"))
            elif answer.answer not in judgement[criterion_id]:
                allowed = ", ".join(judgement[criterion_id])
                problems.append((("judgements", criterion_id, "answer"),
                                 f"\"{answer.answer}\" is not one of {allowed}"))
        return problems

    return check


def case_check(criteria: CriteriaFile, force: str | None = None) -> Check:
    """Checks of a case that need the criteria set: judgement ids and answers, and the force."""
    answers = answers_check(criteria)

    def check(case: Case | CaseParts) -> Located:
        problems: Located = []
        if force is not None and case.force is not None and case.force != force:
            problems.append((("force",), f"case force '{case.force}' differs from the inspection's force '{force}'"))
        problems.extend(answers(case.judgements))
        return problems

    return check
