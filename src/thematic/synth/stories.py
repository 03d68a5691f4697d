"""What cases of each category are like: ages, sections of the record, offences and outcome codes.

These tables describe the shape of a case (which parts of the record a domestic-abuse case or a
county-lines arrest has); practice profiles describe how well a force handles them. Figures with
a source cite ../shared/domain.md; the rest are assumptions chosen to give coherent stories.
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Story", "STORIES", "EXPLOITATION_INDICATORS", "AGE_OF_CRIMINAL_RESPONSIBILITY", "code_available"]

#: No child under 10 can be a suspect (age of criminal responsibility, England and Wales).
AGE_OF_CRIMINAL_RESPONSIBILITY = 10

EXPLOITATION_INDICATORS: tuple[str, ...] = (
    "county_lines", "coercion", "debt_bondage", "going_missing", "found_out_of_area", "unexplained_money",
)

#: First year each outcome code could be used (domain.md section 3: outcome 21 from January 2016;
#: outcome 22 introduced about 2019, confidence L). Codes not listed were in use throughout.
OUTCOME_INTRODUCED: dict[int, int] = {21: 2016, 22: 2019}


def code_available(code: int, year: int) -> bool:
    return year >= OUTCOME_INTRODUCED.get(code, 0)


@dataclass(frozen=True)
class Story:
    """The shape of a case in one category: every probability here is per case."""

    ages: tuple[int, int]           # child's age at the report, inclusive
    female: float                   # share of girls (the rest boys, a few recorded as unknown)
    looked_after: float
    severity: tuple[int, int]       # severity of the reported incident
    section47: float                # a s47 enquiry followed
    investigation: float            # a criminal investigation with the child as victim
    complex: float                  # of investigations, complex
    suspect_identified: float       # of investigations
    devices: float                  # devices seized
    indecent_images: float          # of cases with devices, devices may hold indecent images
    police_protection: float
    child_suspect: bool = False
    custody: float = 0.0            # of child suspects, detained in custody
    indicators: float = 0.0         # of child suspects, exploitation indicators seen
    offences: tuple[tuple[str, bool], ...] = ()  # (offence, listed in Schedule 4 of the Modern Slavery Act)
    victim_codes: frozenset[int] = frozenset({1, 14, 15, 16, 18, 20})  # outcome codes this story allows
    response_none: float = 0.0      # the reported incident was not attended (a notification)
    later_incidents: float = 0.2    # further incidents while the case was open


_OUTCOMES_SEXUAL = frozenset({1, 14, 15, 16, 18, 20})

STORIES: dict[str, Story] = {
    "domestic_abuse": Story(ages=(0, 17), female=0.5, looked_after=0.05, severity=(2, 4), section47=0.30,
                            investigation=0.55, complex=0.10, suspect_identified=0.97, devices=0.08,
                            indecent_images=0.0, police_protection=0.05, later_incidents=0.3),
    "missing": Story(ages=(11, 17), female=0.55, looked_after=0.45, severity=(2, 4), section47=0.15,
                     investigation=0.05, complex=0.10, suspect_identified=0.6, devices=0.05,
                     indecent_images=0.0, police_protection=0.02, later_incidents=0.5),
    # VKPP 2023 (domain.md section 5): victims of child sexual abuse 79% female.
    "sexual_abuse": Story(ages=(3, 17), female=0.79, looked_after=0.08, severity=(3, 5), section47=0.80,
                          investigation=0.95, complex=0.55, suspect_identified=0.85, devices=0.35,
                          indecent_images=0.5, police_protection=0.03, victim_codes=_OUTCOMES_SEXUAL),
    "physical_abuse": Story(ages=(0, 15), female=0.45, looked_after=0.06, severity=(2, 5), section47=0.70,
                            investigation=0.90, complex=0.25, suspect_identified=0.92, devices=0.05,
                            indecent_images=0.0, police_protection=0.08),
    "neglect": Story(ages=(0, 13), female=0.5, looked_after=0.05, severity=(2, 4), section47=0.55,
                     investigation=0.60, complex=0.25, suspect_identified=0.97, devices=0.02,
                     indecent_images=0.0, police_protection=0.10),
    "sexual_exploitation": Story(ages=(12, 17), female=0.79, looked_after=0.35, severity=(3, 5), section47=0.60,
                                 investigation=0.85, complex=0.70, suspect_identified=0.70, devices=0.60,
                                 indecent_images=0.5, police_protection=0.05, later_incidents=0.4,
                                 victim_codes=_OUTCOMES_SEXUAL),
    # NRM 2020 (domain.md section 5): 81% of county-lines-flagged children were boys.
    "criminal_exploitation": Story(ages=(13, 17), female=0.19, looked_after=0.30, severity=(3, 5), section47=0.30,
                                   investigation=0.0, complex=0.0, suspect_identified=0.0, devices=0.5,
                                   indecent_images=0.0, police_protection=0.02, child_suspect=True, custody=0.65,
                                   indicators=1.0, later_incidents=0.4,
                                   offences=(("possession with intent to supply class A", False),
                                             ("being concerned in the supply of class A", False),
                                             ("possession with intent to supply class B", False),
                                             ("possession of an offensive weapon", False))),
    # Online abuse includes youth-produced imagery, for which outcome 21 was designed (domain.md section 3).
    "online_abuse": Story(ages=(10, 17), female=0.79, looked_after=0.06, severity=(2, 4), section47=0.35,
                          investigation=0.90, complex=0.45, suspect_identified=0.65, devices=1.0,
                          indecent_images=0.85, police_protection=0.01, response_none=0.25,
                          victim_codes=frozenset({1, 14, 15, 16, 18, 20, 21})),
    "police_protection": Story(ages=(0, 16), female=0.5, looked_after=0.10, severity=(3, 5), section47=0.85,
                               investigation=0.40, complex=0.20, suspect_identified=0.95, devices=0.02,
                               indecent_images=0.0, police_protection=1.0),
    "detention": Story(ages=(12, 17), female=0.2, looked_after=0.25, severity=(2, 4), section47=0.10,
                       investigation=0.0, complex=0.0, suspect_identified=0.0, devices=0.10,
                       indecent_images=0.0, police_protection=0.0, child_suspect=True, custody=1.0,
                       indicators=0.25,
                       offences=(("theft", False), ("criminal damage", False), ("robbery", True),
                                 ("wounding with intent", True), ("possession of an offensive weapon", False))),
}

#: The type of earlier incidents in a child's history, by the category of the case.
HISTORY_TYPES: dict[str, tuple[str, ...]] = {
    "domestic_abuse": ("domestic_abuse", "domestic_abuse", "concern"),
    "missing": ("missing", "missing", "concern"),
    "sexual_abuse": ("concern", "sexual_abuse"),
    "physical_abuse": ("physical_abuse", "concern", "domestic_abuse"),
    "neglect": ("neglect", "concern"),
    "sexual_exploitation": ("missing", "sexual_exploitation", "concern"),
    "criminal_exploitation": ("missing", "criminal_exploitation", "concern"),
    "online_abuse": ("online_abuse", "concern"),
    "police_protection": ("concern", "neglect", "domestic_abuse"),
    "detention": ("concern", "missing", "criminal_exploitation"),
}

#: Short notes inspectors leave (never a name); keyed by the answer given.
JUDGEMENT_NOTES: dict[str, tuple[str, ...]] = {
    "yes": ("Clearly recorded.", "Sound rationale on the record."),
    "partly": ("Some consideration recorded, but not followed through.", "Recorded late in the case."),
    "no": ("Not evident on the record.", "Not considered at the time."),
}
NO_HISTORY_NOTE = "No earlier police contact with this child."
GRADE_NOTES: dict[str, tuple[str, ...]] = {
    "referred_back": ("Referred back: the child may still be at risk.",),
}
