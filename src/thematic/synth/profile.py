"""Practice profiles: the YAML description of how a fictional force handles its cases.

A profile gives the probabilities that drive every criterion (the chance a case's record shows
each expectation met), the case mix, the children's histories, outcome codes and the
inspectors' answers. `extends:` names a parent profile (shipped name or file) whose values the
profile changes, so a force profile lists only where the force differs from the national
baseline. Loading reports every problem as `file:line: field: reason`.
"""
from __future__ import annotations

import math
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, PrivateAttr, ValidationError, model_validator

from thematic.core.errors import InputError
from thematic.load.yaml_source import located_problem, read_yaml_file, validation_problems
from thematic.model.base import FileModel
from thematic.model.case import CATEGORIES, Category

__all__ = ["PracticeProfile", "load_profile", "shipped_profiles", "PRACTICE_CRITERIA", "INDEPENDENT_PRACTICES"]

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Weight = Annotated[float, Field(ge=0.0)]
Text = Annotated[str, Field(min_length=1)]
Answer = Literal["yes", "partly", "no"]

#: Which criterion each practice probability drives (the generator builds the record so that the
#: criterion is met with that probability; see `Handling` for how a case's decisions hang together).
PRACTICE_CRITERIA: dict[str, str] = {
    "supervision_first_within_limit": "SUP-01",
    "supervision_regular": "SUP-02",
    "reflective_supervision_in_complex": "SUP-03",
    "referral_within_limit": "TIM-01",
    "strategy_discussion_within_limit": "TIM-02",
    "police_protection_ended_within_limit": "TIM-04",
    "local_authority_informed_within_limit": "TIM-05",
    "suspect_arrested_within_limit": "TIM-06",
    "devices_submitted_within_limit": "DIG-01",
    "devices_examined_within_limit": "DIG-02",
    "returned_devices_triaged_first": "DIG-03",
    "nrm_referral_of_exploited_suspects": "CRM-01",
    "s45_defence_considered": "CRM-02",
    "charge_rationale_recorded": "CRM-03",
    "refused_bail_transfer_or_certificate": "CRM-04",
    "appropriate_adult_within_limit": "CRM-05",
    "history_considered": "RISK-01",
    "escalation_recognised": "RISK-02",
    "child_seen_and_demeanour_recorded": "RISK-03",
    "risk_assessment_reviewed_within_limit": "RISK-04",
    "strategy_discussions_with_health": "INF-01",
    "complex_lead_trained": "TRN-01",
    "early_help_referral": "EI-01",
    "closure_explained": "OUT-01",
}


#: Practices whose criterion applies only after another practice decision: CRM-03 needs an NRM
#: referral (CRM-01 met). A case's handling would skew which cases reach it, so it is drawn on its
#: own, and its probability is still its rate exactly. Every other criterion applies for reasons of
#: the story alone.
INDEPENDENT_PRACTICES: frozenset[str] = frozenset({"charge_rationale_recorded"})


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
    """The chance a case's record shows each expectation met; see PRACTICE_CRITERIA."""

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
        return [(c, self.case_mix.get(c, 0.0)) for c in CATEGORIES if self.case_mix.get(c, 0.0) > 0]


# --- loading ---------------------------------------------------------------------------------------

def _shipped_folder() -> Path:
    return Path(str(resources.files("thematic.synth") / "profiles"))


def shipped_profiles() -> list[str]:
    """Names of the profiles shipped with thematic, sorted."""
    return sorted(p.stem for p in _shipped_folder().glob("*.yaml"))


def _locate(name_or_file: str | Path, base: Path | None) -> Path:
    text = str(name_or_file)
    candidate = Path(text)
    if candidate.suffix in (".yaml", ".yml") or "/" in text or candidate.is_file():
        if not candidate.is_absolute() and base is not None and (base / candidate).is_file():
            return base / candidate
        if candidate.is_file():
            return candidate
        raise InputError.single(text, "profile file not found")
    shipped = _shipped_folder() / f"{text}.yaml"
    if shipped.is_file():
        return shipped
    raise InputError.single(text, f"no such profile; shipped profiles are: {', '.join(shipped_profiles())} "
                                  "(or give a profile file ending in .yaml)")


#: Mixes whose shares must add up to 1: a profile that changes one replaces it whole.
_WHOLE: frozenset[tuple[str, ...]] = frozenset({
    ("case_mix",), ("exploitation", "nrm_decisions"), ("outcomes", "child_suspect"),
    ("outcomes", "victim", "suspect_identified"), ("outcomes", "victim", "no_suspect"),
    ("inspection", "judgements", "sound"), ("inspection", "judgements", "weak"),
})


def _merge(parent: dict[str, Any], child: dict[str, Any], path: tuple[str, ...] = ()) -> dict[str, Any]:
    """`child` over `parent`: sections merged key by key; mixes, lists and values replaced."""
    merged = dict(parent)
    for key, value in child.items():
        where = (*path, str(key))
        if isinstance(value, dict) and isinstance(merged.get(key), dict) and where not in _WHOLE:
            merged[key] = _merge(merged[key], value, where)
        else:
            merged[key] = value
    return merged


def _raw(path: Path, chain: tuple[str, ...]) -> dict[str, Any]:
    doc = read_yaml_file(path)
    if not isinstance(doc.data, dict):
        raise InputError.single(str(path), "expected a mapping of profile fields")
    data = dict(doc.data)
    parent_name = data.get("extends")
    if parent_name is None:
        return data
    if not isinstance(parent_name, str) or not parent_name:
        raise InputError([located_problem(doc, ("extends",), "expected a profile name or file")])
    parent_path = _locate(parent_name, path.parent)
    key = str(parent_path.resolve())
    if key in chain:
        raise InputError([located_problem(doc, ("extends",), f"profiles extend each other in a loop ({parent_name})")])
    parent = _raw(parent_path, (*chain, key))
    return _merge({k: v for k, v in parent.items() if k not in ("profile", "title", "description")}, data)


def load_profile(name_or_file: str | Path) -> PracticeProfile:
    """A shipped profile by name (e.g. `national-2019`) or a profile file; InputError lists every problem."""
    path = _locate(name_or_file, None)
    data = _raw(path, (str(path.resolve()),))
    doc = read_yaml_file(path)
    try:
        profile = PracticeProfile.model_validate(data)
    except ValidationError as exc:
        raise InputError(validation_problems(exc, doc, model=PracticeProfile)) from None
    profile._source = str(path)
    return profile
