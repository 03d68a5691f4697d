"""Practice profiles: the shipped ones, `extends`, and every problem reported with its file and line."""
from __future__ import annotations

from pathlib import Path

import pytest

from thematic.core.errors import InputError
from thematic.synth.profile import PRACTICE_CRITERIA, load_profile, shipped_profiles

SHIPPED = shipped_profiles()


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def messages(exc: pytest.ExceptionInfo[InputError]) -> list[str]:
    return [str(p) for p in exc.value.problems]


def test_at_least_three_fictional_forces_ship_a_2015_and_a_2019_profile():
    forces = {name.rsplit("-", 1)[0] for name in SHIPPED} - {"national"}
    assert len(forces) >= 3
    for force in forces:
        assert {f"{force}-2015", f"{force}-2019"} <= set(SHIPPED)
    assert {"national-2015", "national-2019"} <= set(SHIPPED)


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_profile_loads_and_names_itself(name):
    profile = load_profile(name)
    assert profile.profile == name
    assert "fictional" in profile.title.lower()
    assert profile.source.endswith(f"{name}.yaml")


def test_every_practice_probability_drives_a_distinct_criterion():
    assert len(set(PRACTICE_CRITERIA.values())) == len(PRACTICE_CRITERIA)


def test_each_national_default_has_a_comment_naming_a_source_or_an_assumption():
    text = (Path(load_profile("national-2019").source)).read_text()
    practice = text[text.index("\npractice:"):text.index("\nrecords:")]
    lines = [line for line in practice.strip().splitlines()[1:] if line.strip()]
    assert len(lines) == len(PRACTICE_CRITERIA)
    for line in lines:
        comment = line.split("#", 1)[1]
        assert "Assumption" in comment or "domain" in comment, line


def test_a_force_profile_inherits_what_it_does_not_change(tmp_path):
    path = write(tmp_path, "mine.yaml", "profile: mine\ntitle: Mine (fictional)\nextends: national-2019\n"
                                        "practice:\n  referral_within_limit: 0.5\n")
    mine, base = load_profile(path), load_profile("national-2019")
    assert mine.practice.referral_within_limit == 0.5
    assert mine.practice.history_considered == base.practice.history_considered
    assert mine.conference == base.conference
    assert mine.title == "Mine (fictional)"


def test_a_changed_mix_replaces_the_parents_whole(tmp_path):
    path = write(tmp_path, "mine.yaml", "profile: mine\ntitle: Mine\nextends: national-2019\n"
                                        "case_mix: {neglect: 0.5, missing: 0.5}\n")
    assert load_profile(path).categories() == [("missing", 0.5), ("neglect", 0.5)]


def test_extends_may_name_a_file_beside_the_profile(tmp_path):
    write(tmp_path, "base.yaml", "profile: base\ntitle: Base\nextends: national-2015\n"
                                 "practice: {history_considered: 0.9}\n")
    path = write(tmp_path, "child.yaml", "profile: child\ntitle: Child\nextends: base.yaml\n")
    assert load_profile(path).practice.history_considered == 0.9


def test_unquoted_yes_and_no_answer_keys_are_read_as_answers(tmp_path):
    path = write(tmp_path, "mine.yaml", "profile: mine\ntitle: Mine\nextends: national-2019\ninspection:\n"
                                        "  judgements:\n    weak: {yes: 0.1, partly: 0.2, no: 0.7}\n")
    assert load_profile(path).inspection.judgements.weak.no == 0.7


@pytest.mark.parametrize("body, expected", [
    ("practice:\n  referal_within_limit: 0.5\n",
     ':5: practice.referal_within_limit: unknown field "referal_within_limit"; did you mean "referral_within_limit"?'),
    ("practice:\n  history_considered: 1.2\n", ":5: practice.history_considered: must be at most 1.0, got 1.2"),
    ("practice:\n  history_considered: -0.1\n", ":5: practice.history_considered: must be at least 0.0, got -0.1"),
    ("handling: {correlation: 1.0}\n", ":4: handling.correlation: must be less than 1.0, got 1.0"),
    ("case_mix: {neglect: 0.5, missing: 0.4}\n", "case_mix must add up to 1, got 0.9"),
    ("case_mix: {neglect: 0.5, burglary: 0.5}\n", ':4: case_mix.burglary: key "burglary" is not one of'),
    ("history: {none: 0.5}\n", "none + one + repeat must add up to 1, got 1.1"),
    ("conference:\n  working_days: [{low: 5, high: 3, weight: 1}]\n", "high (3) must not be below low (5)"),
])
def test_a_bad_value_is_reported_with_its_file_line_and_field(tmp_path, body, expected):
    path = write(tmp_path, "bad.yaml", f"profile: bad\ntitle: Bad\nextends: national-2019\n{body}")
    with pytest.raises(InputError) as exc:
        load_profile(path)
    assert any(str(path) in m and expected in m for m in messages(exc)), messages(exc)


def test_profiles_that_extend_each_other_in_a_loop_are_refused(tmp_path):
    write(tmp_path, "a.yaml", "profile: a\ntitle: A\nextends: b.yaml\n")
    write(tmp_path, "b.yaml", "profile: b\ntitle: B\nextends: a.yaml\n")
    with pytest.raises(InputError) as exc:
        load_profile(tmp_path / "a.yaml")
    assert "extend each other in a loop" in messages(exc)[0]


@pytest.mark.parametrize("given, expected", [
    ("no-such-profile", "no such profile; shipped profiles are: eastport-2015"),
    ("missing.yaml", "profile file not found"),
])
def test_an_unknown_profile_lists_the_shipped_ones_or_says_the_file_is_missing(given, expected):
    with pytest.raises(InputError) as exc:
        load_profile(given)
    assert expected in messages(exc)[0]


def test_a_profile_without_extends_must_give_every_section(tmp_path):
    path = write(tmp_path, "alone.yaml", "profile: alone\ntitle: Alone\n")
    with pytest.raises(InputError) as exc:
        load_profile(path)
    missing = {m.split(": ")[1] for m in messages(exc)}
    assert {"case_mix", "practice", "handling", "inspection"} <= missing
