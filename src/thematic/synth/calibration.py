"""The rates a practice profile implies, and how a scored sample compares with them.

The generator builds each record so that an automatic criterion, where it applies, is met with
the profile's probability for it (correlated within a case, but with that overall chance). So the
rate each criterion should show is derived here from the profile alone, never from generated
data: mostly the probability itself; SUP-01..03 lose the investigations with no supervision at
all; TIM-03's comes from the conference-timing distribution; RISK-02's adds the escalating
histories that a strategy discussion met. A judgement criterion's rate of
"yes" is the profile's `sound` or `weak` share, depending on the automatic criteria of its theme.
Comparing these with a scored sample checks that the generator and the scorer agree.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from thematic.model.results import ASSESSED, MET, CaseResult
from thematic.stats.proportion import proportion
from thematic.synth.partnership import DISCUSSION_WITHOUT_S47
from thematic.synth.profile import PRACTICE_CRITERIA, PracticeProfile
from thematic.synth.stories import STORIES

__all__ = ["implied_rates", "conference_within", "CalibrationRow", "compare_rates"]

def conference_within(profile: PracticeProfile, limit: int) -> float:
    """Share of conferences held within `limit` working days (bins are uniform within)."""
    total = sum(b.weight for b in profile.conference.working_days)
    inside = 0.0
    for b in profile.conference.working_days:
        days = b.high - b.low + 1
        covered = max(0, min(b.high, limit) - b.low + 1)
        inside += b.weight * covered / days
    return inside / total


def implied_rates(profile: PracticeProfile, parameters: Mapping[str, float]) -> dict[str, float]:
    """Each automatic criterion's expected rate met / (met + not met + not evidenced)."""
    rates = {criterion: getattr(profile.practice, practice) for practice, criterion in PRACTICE_CRITERIA.items()}
    # An investigation with no supervision entry at all (drawn on its own) fails SUP-01..03.
    supervised = 1.0 - profile.records.investigations_without_supervision
    for criterion in ("SUP-01", "SUP-02", "SUP-03"):
        rates[criterion] *= supervised
    rates["TIM-03"] = conference_within(profile, int(parameters["conference_max_working_days"]))
    # An escalating history followed by a strategy discussion meets RISK-02 whatever the grading;
    # histories do not depend on the category, so the chance of a discussion is the case mix's.
    discussed = discussion_share(profile)
    rates["RISK-02"] = discussed + (1.0 - discussed) * rates["RISK-02"]
    return rates


def discussion_share(profile: PracticeProfile) -> float:
    """Share of cases with a strategy discussion after the report (s47 enquiries and the rest)."""
    return sum(share * (STORIES[c].section47 + (1.0 - STORIES[c].section47) * DISCUSSION_WITHOUT_S47)
               for c, share in profile.categories())


@dataclass(frozen=True)
class CalibrationRow:
    criterion: str
    met: int
    assessed: int
    implied: float
    ci_low: float | None
    ci_high: float | None

    @property
    def agrees(self) -> bool:
        """The implied rate lies inside the observed rate's interval (vacuously, with nothing assessed)."""
        if self.assessed == 0:
            return True
        return self.ci_low <= self.implied <= self.ci_high  # type: ignore[operator]


def compare_rates(
    results: Iterable[CaseResult], implied: Mapping[str, float], alpha: float = 0.05,
) -> list[CalibrationRow]:
    """Observed rate (Wilson interval at `alpha`) of every criterion in `implied`, beside its implied rate."""
    met = dict.fromkeys(implied, 0)
    assessed = dict.fromkeys(implied, 0)
    for result in results:
        for criterion in implied:
            state = result.results[criterion].state
            if state in ASSESSED:
                assessed[criterion] += 1
                met[criterion] += state == MET
    rows = []
    for criterion, rate in implied.items():
        observed = proportion(met[criterion], assessed[criterion], alpha=alpha)
        rows.append(CalibrationRow(criterion, met[criterion], assessed[criterion], rate,
                                   observed.ci_low, observed.ci_high))
    return rows
