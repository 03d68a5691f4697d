"""Practice profiles as pydantic models: how a fictional force handles its cases (read by
`thematic.load.profile`, used by `thematic.synth`).

A profile gives the probabilities that drive every criterion (the chance a case's record shows
each expectation met), the case mix, the children's histories, outcome codes and the
inspectors' answers.
"""
from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import Field, PrivateAttr, model_validator

from thematic.model.base import FileModel
from thematic.model.case import CATEGORIES, Category

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Weight = Annotated[float, Field(ge=0.0)]
Text = Annotated[str, Field(min_length=1)]
Answer = Literal["yes", "partly", "no"]


def _sums_to_one(values: dict[Any, float], what: str) -> None:
    total = sum(values.values())
    if not math.isclose(total, 1.0, abs_tol=1e-6):
        raise ValueError(f"{what} must add up to 1, got {total:.6g}")


class Handling(FileModel):
    """How a case's practice hangs together.

    Each case has a handling quality Q (standard normal); each practice is met when
    `correlation * Q + sqrt(1 - correlation**2) * noise` clears the normal quantile of its
    probability (a Gaussian copula). So each probability stays the overall rate exactly, while a
    case handled well in one respect tends to be handled well in others, as case grades show.
    0 makes every decision independent.
    """

    correlation: Annotated[float, Field(ge=0.0, lt=1.0)]


class History(FileModel):
    """Earlier incidents in the 365 days before the report (besides the reported incident)."""

    none: Probability
    one: Probability
    repeat: Probability  # two to six earlier incidents: a repeat pattern of three or more
    escalating_share: Probability  # of repeat histories, the last three incidents rise in severity
    older_incidents: Probability  # chance of incidents more than a year before the report

    @model_validator(mode="after")
    def _shares(self) -> History:
        _sums_to_one({"none": self.none, "one": self.one, "repeat": self.repeat}, "none + one + repeat")
        return self


class Practice(FileModel):
    """The chance a case's record shows each expectation met; see thematic.synth.profile.PRACTICE_CRITERIA."""

    supervision_first_within_limit: Probability
    supervision_regular: Probability
    reflective_supervision_in_complex: Probability
    referral_within_limit: Probability
    strategy_discussion_within_limit: Probability
    police_protection_ended_within_limit: Probability
    local_authority_informed_within_limit: Probability
    suspect_arrested_within_limit: Probability
    devices_submitted_within_limit: Probability
    devices_examined_within_limit: Probability
    returned_devices_triaged_first: Probability
    nrm_referral_of_exploited_suspects: Probability
    s45_defence_considered: Probability
    charge_rationale_recorded: Probability
    refused_bail_transfer_or_certificate: Probability
    appropriate_adult_within_limit: Probability
    history_considered: Probability
    escalation_recognised: Probability
    child_seen_and_demeanour_recorded: Probability
    risk_assessment_reviewed_within_limit: Probability
    strategy_discussions_with_health: Probability
    complex_lead_trained: Probability
    early_help_referral: Probability
    closure_explained: Probability


class Records(FileModel):
    """How failures show in the record."""

    unrecorded_share_of_failures: Probability  # a missing step (not evidenced) rather than a late one
    investigations_without_supervision: Probability  # drawn on its own (not through Handling)


class ConferenceBin(FileModel):
    low: Annotated[int, Field(ge=0)]
    high: Annotated[int, Field(ge=0)]
    weight: Weight

    @model_validator(mode="after")
    def _order(self) -> ConferenceBin:
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) must not be below low ({self.low})")
        return self


class Conference(FileModel):
    share_of_section47: Probability
    working_days: Annotated[list[ConferenceBin], Field(min_length=1)]

    @model_validator(mode="after")
    def _weights(self) -> Conference:
        if sum(b.weight for b in self.working_days) <= 0:
            raise ValueError("the working_days weights must not all be 0")
        return self


class Devices(FileModel):
    returned_to_suspect: Probability  # of cases with devices that may hold indecent images
    triage_available: Probability  # a device not returned was triaged on seizure


class Exploitation(FileModel):
    nrm_decisions: dict[Literal["pending", "reasonable_grounds", "conclusive_grounds", "negative"], Weight]

    @model_validator(mode="after")
    def _shares(self) -> Exploitation:
        _sums_to_one(self.nrm_decisions, "nrm_decisions")
        return self


OutcomeCode = Annotated[int, Field(ge=1, le=22)]


class VictimOutcomes(FileModel):
    suspect_identified: dict[OutcomeCode, Weight]
    no_suspect: dict[OutcomeCode, Weight]

    @model_validator(mode="after")
    def _shares(self) -> VictimOutcomes:
        _sums_to_one(self.suspect_identified, "suspect_identified")
        _sums_to_one(self.no_suspect, "no_suspect")
        return self


class Outcomes(FileModel):
    victim: VictimOutcomes
    child_suspect: dict[OutcomeCode, Weight]
    charged_in_custody: Probability  # of charged child suspects who were in custody
    bail_refused_after_charge: Probability
    other_rationale_recorded: Probability  # outcomes OUT-01 and CRM-03 do not read

    @model_validator(mode="after")
    def _shares(self) -> Outcomes:
        _sums_to_one(self.child_suspect, "child_suspect")
        return self


class AnswerShares(FileModel):
    yes: Probability
    partly: Probability
    no: Probability

    @model_validator(mode="before")
    @classmethod
    def _yaml_yes_no(cls, value: Any) -> Any:
        # YAML 1.1 reads unquoted yes/no keys as booleans: read them as the answers.
        if isinstance(value, dict):
            return {("yes" if k is True else "no" if k is False else k): v for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _shares(self) -> AnswerShares:
        _sums_to_one({"yes": self.yes, "partly": self.partly, "no": self.no}, "yes + partly + no")
        return self

    def as_dict(self) -> dict[str, float]:
        return {"yes": self.yes, "partly": self.partly, "no": self.no}


class Judgements(FileModel):
    sound: AnswerShares  # every related automatic criterion met (or not applicable)
    weak: AnswerShares   # some related automatic criterion failed
    not_applicable: Probability  # a judgement with an "n/a" answer (other than RISK-05) answered n/a


class Inspection(FileModel):
    inspectors: Annotated[list[Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$")]], Field(min_length=1)]
    judgements: Judgements
    grade_agreement: Probability  # inspector's grade equals the suggested grade
    lenient_share_of_disagreements: Probability
    referred_back_share_of_inadequate: Probability


class PracticeProfile(FileModel):
    """One practice profile, complete (after `extends` is resolved)."""

    profile: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    title: Text
    description: str = ""
    extends: str | None = None
    case_mix: dict[Category, Weight]
    handling: Handling
    history: History
    practice: Practice
    records: Records
    conference: Conference
    devices: Devices
    exploitation: Exploitation
    outcomes: Outcomes
    inspection: Inspection
    _source: str | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _mixes(self) -> PracticeProfile:
        _sums_to_one(self.case_mix, "case_mix")
        return self

    @property
    def source(self) -> str:
        """The file the profile was loaded from (its name if built in code)."""
        return self._source or self.profile

    def categories(self) -> list[tuple[str, float]]:
        """(category, share) in the case-file format's order, for a reproducible draw."""
        shares: dict[str, float] = {str(category): share for category, share in self.case_mix.items()}
        return [(c, shares.get(c, 0.0)) for c in CATEGORIES if shares.get(c, 0.0) > 0]
