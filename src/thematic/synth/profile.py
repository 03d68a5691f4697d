"""Practice profiles: the YAML description of how a fictional force handles its cases.

A profile gives the probabilities that drive every criterion (the chance a case's record shows
each expectation met), the case mix, the children's histories, outcome codes and the
inspectors' answers. `extends:` names a parent profile (shipped name or file) whose values the
profile changes, so a force profile lists only where the force differs from the national
baseline. The model is `thematic.model.profile`; reading a profile, `thematic.load.profile`.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

from thematic.load import profile as _load
from thematic.model.profile import PracticeProfile

__all__ = ["PracticeProfile", "load_profile", "shipped_profiles", "PRACTICE_CRITERIA", "INDEPENDENT_PRACTICES"]

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


def _shipped_folder() -> Path:
    return Path(str(resources.files("thematic.synth") / "profiles"))


def shipped_profiles() -> list[str]:
    """Names of the profiles shipped with thematic, sorted."""
    return _load.profile_names(_shipped_folder())


def load_profile(name_or_file: str | Path) -> PracticeProfile:
    """A shipped profile by name (e.g. `national-2019`) or a profile file; InputError lists every problem."""
    return _load.load_profile(name_or_file, shipped=_shipped_folder())
