"""One case while it is being generated: its random source, profile, story and record so far.

The builder modules (risk, partnership, investigation, suspect) each add their sections to a
`Draft`. Practice decisions go through `Draft.met`, which draws them with the profile's
probability, correlated within the case through its handling quality (see `profile.Handling`).
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime
from statistics import NormalDist
from typing import Any

from thematic.synth.clock import Clock
from thematic.synth.profile import INDEPENDENT_PRACTICES, PRACTICE_CRITERIA, PracticeProfile
from thematic.synth.stories import Story

_NORMAL = NormalDist()


def _by_time(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(entries, key=lambda entry: entry["at"])


def threshold(probability: float) -> float:
    """The value a standard normal exceeds with chance `probability` (±inf at 0 and 1)."""
    if probability <= 0.0:
        return math.inf
    if probability >= 1.0:
        return -math.inf
    return _NORMAL.inv_cdf(1.0 - probability)


@dataclass
class Draft:
    clock: Clock
    profile: PracticeProfile
    params: dict[str, Any]
    story: Story
    category: str
    quality: float               # the case's handling quality, standard normal
    year: int
    as_of: date
    horizon: datetime            # as_of 00:00 local time: nothing is recorded at or after it
    reported_at: datetime
    child: dict[str, Any] = field(default_factory=dict)
    incidents: list[dict[str, Any]] = field(default_factory=list)
    risk_assessments: list[dict[str, Any]] = field(default_factory=list)
    referrals: list[dict[str, Any]] = field(default_factory=list)
    strategy_discussions: list[dict[str, Any]] = field(default_factory=list)
    section47: dict[str, Any] | None = None
    police_protection: dict[str, Any] | None = None
    investigation: dict[str, Any] | None = None
    supervision: list[dict[str, Any]] = field(default_factory=list)
    devices: list[dict[str, Any]] = field(default_factory=list)
    child_as_suspect: dict[str, Any] | None = None
    custody: dict[str, Any] | None = None
    outcome: dict[str, Any] | None = None
    closed_at: datetime | None = None
    # Facts later builders need.
    escalation_met: bool | None = None   # None: no escalating severity run
    escalation_graded: bool = False      # RISK-02 rests on the first risk grading (no strategy discussion)
    intended: dict[str, bool] = field(default_factory=dict)  # criterion id -> meant to be met
    conference_held: bool = False

    @property
    def rng(self) -> random.Random:
        return self.clock.rng

    def met(self, practice: str) -> bool:
        """Decide whether the record shows `practice` met: overall chance the profile's probability."""
        probability = getattr(self.profile.practice, practice)
        rho = 0.0 if practice in INDEPENDENT_PRACTICES else self.profile.handling.correlation
        value = rho * self.quality + math.sqrt(1.0 - rho * rho) * self.clock.rng.gauss(0.0, 1.0)
        result = value > threshold(probability)
        self.intended[PRACTICE_CRITERIA[practice]] = result
        return result

    def intend(self, criterion: str, met: bool) -> None:
        """Note a criterion's outcome that the story decides without a practice draw."""
        self.intended[criterion] = met

    def unrecorded(self) -> bool:
        """Given a failure: is the step missing from the record (rather than late)?"""
        return self.clock.chance(self.profile.records.unrecorded_share_of_failures)

    def document(self, case_id: str, force: str) -> dict[str, Any]:
        """The case-file v1 document, keys in the format's order, lists in time order."""
        return {
            "case_id": case_id,
            "force": force,
            "category": self.category,
            "reported_at": self.reported_at,
            "closed_at": self.closed_at,
            "child": self.child,
            "incidents": [{"ref": f"I-{n}", **i} for n, i in enumerate(_by_time(self.incidents), 1)],
            "risk_assessments": _by_time(self.risk_assessments),
            "referrals": _by_time(self.referrals),
            "strategy_discussions": _by_time(self.strategy_discussions),
            "section47": self.section47,
            "police_protection": self.police_protection,
            "investigation": self.investigation,
            "supervision": _by_time(self.supervision),
            "devices": self.devices,
            "child_as_suspect": self.child_as_suspect,
            "custody": self.custody,
            "outcome": self.outcome,
        }
