"""The demo workspace (`thematic serve --demo`): a generated 120-case inspection of a fictional force
caught mid-moderation, and an account for every role.

The cases are shared between two demo inspectors, and a fifth of them (drawn by category from a seed,
as a lead would) is double-scored. Then, through the workspace's own functions (`saving.save`,
`assigning.double_score`, `moderation.decide`): some double-scored cases are submitted by both
inspectors, agreeing or not; the lead has decided some disagreements and the others wait in the
moderation queue; two double-scored cases are still blind (one inspector has not submitted); some
single cases are submitted, some in progress, the rest not started. The answers are the generated
inspector's, so the findings look like an inspection's; a second inspector's disagreements are
planted on purpose, so every demo shows the queue.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.contrib.auth.models import User

from thematic.core.atomic import write_text_atomic
from thematic.demo import Planned, inspection_yaml, install_criteria
from thematic.load.sample import GRADE, Rating
from thematic.web.accounts import add_user
from thematic.web.criteria_cache import criteria_of
from thematic.web.entries import Entries
from thematic.web.importing import import_inspection, read_for_import
from thematic.web.models import FORCE, INSPECTION_KIND, INSPECTOR, LEAD, PROGRAMME, Assignment, Case, Inspection
from thematic.web.saving import assign, questions, save

#: The demo inspection: the committed northmoor-2019 profile, with the sample size of a full inspection.
DEMO = Planned("northmoor", 2019, date(2019, 11, 30), 120, 2019, "northmoor-2019")

#: The share of cases double-scored (percent) and the seed of the draw.
DOUBLE_SHARE, DOUBLE_SEED = 20, 2019
#: Of the double-scored cases, in sample order: how many both inspectors submitted, of which the first
#: AGREED agree and the rest disagree; the lead decides the first DECIDED disagreements.
BOTH_SUBMITTED, AGREED, DECIDED = 10, 3, 3
BLIND = 2  # then: double-scored cases one inspector submitted and the other has only saved
SINGLE_SUBMITTED, SINGLE_IN_PROGRESS = 36, 10  # single cases, in sample order; the rest are not started

#: role, user name, force code
ACCOUNTS = ((LEAD, "lead-a", None), (INSPECTOR, "insp-a", None), (INSPECTOR, "insp-b", None),
            (FORCE, "force-northmoor", "northmoor"), (PROGRAMME, "prog-a", None))


@dataclass(frozen=True)
class Account:
    role: str
    name: str
    password: str


def build_demo(data: Path) -> list[Account]:
    """Generate, import and assign the demo inspection; the accounts with their one-time passwords."""
    from thematic.synth import synthesize

    root = data / "demo-source"
    install_criteria(root)
    synthesize(DEMO.profile, force=DEMO.force, year=DEMO.year, count=DEMO.cases, seed=DEMO.seed,
               output=root / "inspections" / "cases" / DEMO.id, as_of=DEMO.as_of)
    path = root / "inspections" / f"{DEMO.id}.yaml"
    write_text_atomic(path, inspection_yaml(DEMO))
    accounts = []
    users: dict[str, User] = {}
    for role, name, force in ACCOUNTS:
        user, password = add_user(name, role, force=force)
        users[name] = user
        accounts.append(Account(role, name, password))
    inspection = import_inspection(path, actor=users["lead-a"], answers=False)
    cases = list(Case.objects.filter(inspection=inspection).order_by("position"))
    # Alternate cases between the two inspectors, as a lead spreading the sample evenly would.
    assign(cases[0::2], users["insp-a"], users["lead-a"])
    assign(cases[1::2], users["insp-b"], users["lead-a"])
    _mid_moderation(inspection, read_for_import(path)[1].ratings, users)
    return accounts


def _mid_moderation(inspection: Inspection, generated: dict[str, dict[str, dict[str, Rating]]],
                    users: dict[str, User]) -> None:
    """Double-score a share, score some cases (see the module's docstring) and decide some disagreements."""
    from thematic.web.assigning import double_score
    from thematic.web.moderation import decide, queue

    lead = users["lead-a"]
    double_score(inspection, DOUBLE_SHARE, DOUBLE_SEED, [users["insp-a"], users["insp-b"]], lead)
    cases = list(Case.objects.filter(inspection=inspection).order_by("position"))
    doubles = [c for c in cases if c.double_scored]
    singles = [c for c in cases if not c.double_scored]
    for index, case in enumerate(doubles[:BOTH_SUBMITTED + BLIND]):
        first, second = _scorings(case)
        _score(first, generated.get(case.case_id, {}), submit=True)
        disagree = index >= AGREED
        _score(second, generated.get(case.case_id, {}), submit=index < BOTH_SUBMITTED, disagree=disagree,
               grade_too=disagree and index % 2 == 1)
    for index, case in enumerate(singles[:SINGLE_SUBMITTED + SINGLE_IN_PROGRESS]):
        _score(_scorings(case)[0], generated.get(case.case_id, {}), submit=index < SINGLE_SUBMITTED)
    for entry in queue(inspection)[:DECIDED]:
        for disagreement in entry.disagreements:
            side = disagreement.sides[0]  # the demo's lead sides with the first inspector
            decide(entry.case, disagreement.item, side.answer, side.referred_back,
                   f"Demo decision: the case record supports {side.scorer}'s reading.", lead)


def _scorings(case: Case) -> list[Assignment]:
    return list(Assignment.objects.filter(case=case, kind=INSPECTION_KIND).select_related("scorer", "case")
                .order_by("scorer__username"))


def _score(assignment: Assignment, generated: dict[str, dict[str, Rating]], *, submit: bool,
           disagree: bool = False, grade_too: bool = False) -> None:
    """Save (and submit, or for a draft only half of) the generated inspector's answers as this scorer's;
    `disagree` answers the first question otherwise (and the grade, with `grade_too`)."""
    criteria = criteria_of(assignment.case.inspection)
    entries = Entries()
    asked = questions(assignment)
    for position, cid in enumerate(asked if submit else asked[: len(asked) // 2]):
        allowed = list(criteria.criterion(cid).definition.answers or {})
        given = next(iter(generated.get(cid, {}).values()), None)
        answer = given.value if given is not None and given.value in allowed else allowed[0]
        if disagree and position == 0:
            answer = next(value for value in allowed if value != answer)
            entries.notes[cid] = "Demo note: read against the case record, this answer differs."
        entries.answers[cid] = answer
    if submit:
        given = next(iter(generated.get(GRADE, {}).values()), None)
        grade = given.value if given is not None else "requires_improvement"
        if grade_too:
            grade = "inadequate" if grade != "inadequate" else "requires_improvement"
        entries.grade = grade
    save(assignment, assignment.scorer, entries, version=assignment.version, submit=submit)
