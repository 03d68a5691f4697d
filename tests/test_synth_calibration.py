"""Calibration: the generator and the scorer agree, and samples differ where their profiles do.

The rates a profile implies are derived from the profile alone (thematic.synth.calibration); a
generated sample is scored with the shipped criteria and each criterion's observed rate must sit
within its interval around the implied rate. Intervals are Wilson intervals (the project's
statistics) at a Bonferroni-corrected level, so the family of checks has a 5% false-alarm rate.
"""
from __future__ import annotations

from datetime import date

import pytest
from scipy.stats import fisher_exact
from statsmodels.stats import proportion as smp

from thematic.load.criteria import shipped_criteria_path
from thematic.model.case import Case
from thematic.model.results import ASSESSED, MET
from thematic.scoring.criteria import load_criteria
from thematic.scoring.evaluate import Scorer
from thematic.stats.proportion import proportion
from thematic.synth import generate_cases, load_profile
from thematic.synth.calibration import compare_rates, conference_within, discussion_share, implied_rates
from thematic.synth.inspector import related, sound
from thematic.synth.profile import PRACTICE_CRITERIA, PracticeProfile

CALIBRATION_CASES = 1200


def changed(profile: PracticeProfile, **sections) -> PracticeProfile:
    """`profile` with some sections' fields replaced (validated again)."""
    data = profile.model_dump()
    for section, fields in sections.items():
        data[section] = fields if section == "case_mix" else {**data[section], **fields}
    return PracticeProfile.model_validate(data, strict=False)


@pytest.fixture(scope="module")
def criteria():
    return load_criteria(shipped_criteria_path())


@pytest.fixture(scope="module")
def calibration_profile():
    """national-2019 with a case mix and story shares that make the rarer criteria common enough
    to check at a modest sample size; the practice probabilities are national-2019's."""
    base = load_profile("national-2019")
    outcomes = base.outcomes.model_dump()
    outcomes.update(child_suspect={1: 0.6, 8: 0.2, 22: 0.2}, charged_in_custody=0.9, bail_refused_after_charge=0.6)
    return changed(base, case_mix={c: 0.1 for c in base.case_mix}, outcomes=outcomes,
                   devices={"returned_to_suspect": 0.8, "triage_available": 0.5},
                   conference={"share_of_section47": 0.6},
                   history={"none": 0.2, "one": 0.2, "repeat": 0.6, "escalating_share": 0.5, "older_incidents": 0.2})


@pytest.fixture(scope="module")
def scored(criteria, calibration_profile):
    sample = generate_cases(calibration_profile, force="testshire", year=2019, count=CALIBRATION_CASES, seed=2024)
    scorer = Scorer(criteria, criteria.defaults(), sample.as_of)
    results = [scorer.score(Case.model_validate(d)) for d in sample.documents]
    return sample, results


# --- implied rates, from the profile alone ---------------------------------------------------------

@pytest.mark.parametrize("limit, expected", [
    # DfE Children in Need 2023: 0-10 working days 6,850; 11-15 51,480; 16-20 7,100; 21+ 8,920 (74,350).
    (15, (6850 + 51480) / 74350),         # "about 78% within 15 days"
    (10, 6850 / 74350),
    (20, (6850 + 51480 + 7100) / 74350),
    (14, (6850 + 5150 + 11330 + 15440) / 74350),
])
def test_conference_timing_implies_the_published_share_within_the_limit(limit, expected):
    assert conference_within(load_profile("national-2019"), limit) == pytest.approx(expected)


def test_the_conference_distribution_has_the_published_median_and_quartiles():
    profile = load_profile("national-2019")
    shares = {day: conference_within(profile, day) for day in range(0, 41)}
    def quantile(q):
        return min(day for day, share in shares.items() if share >= q)
    assert (quantile(0.25), quantile(0.5), quantile(0.75)) == (13, 14, 15)


def test_a_practice_probability_is_its_criteria_rate(criteria):
    profile = load_profile("southvale-2019")
    rates = implied_rates(profile, criteria.defaults())
    assert rates["TIM-01"] == 0.92 and rates["CRM-01"] == 0.80 and rates["DIG-02"] == 0.45
    supervised = 1 - profile.records.investigations_without_supervision
    assert rates["SUP-02"] == pytest.approx(0.80 * supervised)


def test_escalation_met_by_a_strategy_discussion_adds_to_the_recognised_share(criteria):
    # One category only: sexual abuse has an s47 enquiry in 80% of cases, and 12% of the rest
    # have a strategy discussion anyway: 0.8 + 0.2 * 0.12 = 0.824.
    profile = changed(load_profile("national-2019"), case_mix={"sexual_abuse": 1.0})
    assert discussion_share(profile) == pytest.approx(0.824)
    expected = 0.824 + (1 - 0.824) * profile.practice.escalation_recognised
    assert implied_rates(profile, criteria.defaults())["RISK-02"] == pytest.approx(expected)


# --- the generator and the scorer agree ------------------------------------------------------------

def test_the_scorer_finds_on_every_case_what_the_generator_meant(criteria, scored):
    sample, results = scored
    automatic = [c.id for c in criteria.criteria if c.definition.type == "automatic" and c.id != "TIM-03"]
    for intended, result in zip(sample.intended, results, strict=False):
        for criterion in automatic:
            state = result.results[criterion].state
            if criterion in intended:
                assert state in ASSESSED and (state == MET) == intended[criterion], (result.case_id, criterion)
            else:
                assert state == "not_applicable", (result.case_id, criterion, state)


def test_every_criterions_rate_sits_within_its_interval_around_the_implied_rate(criteria, scored, calibration_profile):
    _, results = scored
    implied = implied_rates(calibration_profile, criteria.defaults())
    assert set(implied) == {c.id for c in criteria.criteria if c.definition.type == "automatic"}
    rows = compare_rates(results, implied, alpha=0.05 / len(implied))
    for row in rows:
        assert row.assessed >= 40, f"{row.criterion}: only {row.assessed} assessed; the check would mean little"
        assert row.agrees, f"{row.criterion}: {row.met}/{row.assessed} met; implied {row.implied:.3f}"


def test_the_check_detects_a_profile_that_misstates_a_rate_by_fifteen_points(criteria, scored, calibration_profile):
    _, results = scored
    for practice in ("referral_within_limit", "child_seen_and_demeanour_recorded", "history_considered"):
        wrong = changed(calibration_profile,
                        practice={practice: getattr(calibration_profile.practice, practice) - 0.15})
        implied = implied_rates(wrong, criteria.defaults())
        rows = {r.criterion: r for r in compare_rates(results, implied, alpha=0.05 / len(implied))}
        assert not rows[PRACTICE_CRITERIA[practice]].agrees


def test_judgement_answers_follow_the_related_automatic_results_as_the_profile_says(criteria, scored,
                                                                                    calibration_profile):
    sample, results = scored
    shares = calibration_profile.inspection.judgements
    judgements = [c.id for c in criteria.criteria if c.definition.type == "judgement"]
    checks = 0
    for criterion in judgements:
        assert related(criteria, criterion), criterion
        counts = {True: [0, 0], False: [0, 0]}  # sound?: [yes, answered]
        for document, result in zip(sample.documents, results, strict=False):
            answer = document["judgements"].get(criterion, {}).get("answer")
            if answer in (None, "n/a"):
                continue
            states = {cid: r.state for cid, r in result.results.items()}
            group = counts[sound(criteria, criterion, states)]
            group[0] += answer == "yes"
            group[1] += 1
        for is_sound, (yes, answered) in counts.items():
            expected = (shares.sound if is_sound else shares.weak).yes
            interval = proportion(yes, answered, alpha=0.05 / (2 * len(judgements)))
            assert answered >= 40, (criterion, is_sound, answered)
            assert interval.ci_low <= expected <= interval.ci_high, (criterion, is_sound, yes, answered)
            checks += 1
    assert checks == 2 * len(judgements)


# --- a difference between profiles is found --------------------------------------------------------

def test_profiles_25_points_apart_give_samples_whose_difference_the_statistics_detect(criteria):
    base = load_profile("national-2019")
    high = changed(base, practice={"referral_within_limit": 0.85})
    low = changed(base, practice={"referral_within_limit": 0.60})
    counts = []
    for profile, seed in ((high, 1), (low, 2)):
        sample = generate_cases(profile, force="testshire", year=2019, count=500, seed=seed)
        scorer = Scorer(criteria, criteria.defaults(), date(2019, 11, 30))
        states = [scorer.score(Case.model_validate(d)).results["TIM-01"].state for d in sample.documents]
        assert sum(s in ASSESSED for s in states) == 500  # TIM-01 applies to every case
        counts.append(sum(s == MET for s in states))
    (met_high, met_low), n = counts, 500
    low_ci, high_ci = smp.confint_proportions_2indep(met_high, n, met_low, n, method="newcomb")
    assert 0 < low_ci and 0.15 < met_high / n - met_low / n < 0.35 and high_ci > 0.15
    assert smp.test_proportions_2indep(met_high, n, met_low, n).pvalue < 0.001
    assert fisher_exact([[met_high, n - met_high], [met_low, n - met_low]])[1] < 0.001
