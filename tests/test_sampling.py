"""`thematic sample` and `thematic.stats.sampling`: size for a margin, allocation, rounding, the draw, errors.

Expected allocations are worked by hand in the comments; sizes are checked against published worked
examples (Cochran's formula with the finite-population correction, Krejcie and Morgan's table) and
against the normal-approximation half-width computed from scipy's quantile.
"""
from __future__ import annotations

import csv
import io
import math
import random
import re
from collections import Counter
from pathlib import Path

import pytest
from scipy.stats import binomtest, norm
from statsmodels.stats.proportion import samplesize_confint_proportion

from thematic.cli import main
from thematic.stats.sampling import SamplingError, allocate, size_for_margin, stratified_sample

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_REGISTER = ROOT / "inspections" / "registers" / "exampleshire-register.csv"
EXAMPLE_POPULATIONS = {  # counted by hand from the shipped register
    "domestic_abuse": 118, "missing": 71, "sexual_abuse": 45, "physical_abuse": 38, "online_abuse": 33,
    "neglect": 30, "criminal_exploitation": 24, "sexual_exploitation": 19, "police_protection": 14, "detention": 8,
}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def write_register(tmp_path: Path, text: str | bytes, name: str = "register.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def small_register(tmp_path: Path, populations: dict[str, int]) -> Path:
    lines = ["case_id,category,reported_on"]
    number = 0
    for category, count in populations.items():
        for _ in range(count):
            number += 1
            lines.append(f"TST-{number:04d},{category},2019-05-01")
    return write_register(tmp_path, "\n".join(lines) + "\n")


def read_sample(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


# --- size for a margin ---------------------------------------------------------------------------

def test_margin_size_matches_hand_worked_example_for_400_cases():
    # n0 = 1.96^2 * 0.5 * 0.5 / 0.1^2 = 96.04; n = 96.04 / (1 + 95.04/400) = 77.60, rounded up to 78.
    result = size_for_margin(0.1, 400)
    assert result.n0 == pytest.approx(96.04, abs=0.01)
    assert result.corrected == pytest.approx(96.04 / (1 + 95.04 / 400), abs=0.01)
    assert result.size == 78


def test_margin_size_matches_cochran_worked_example_for_2000_cases():
    # Cochran's formula as worked in Israel (1992), "Determining Sample Size" (University of Florida,
    # PEOD6): N = 2000, ±5%, p = 0.5: n0 = 385, n = 385 / (1 + 384/2000) = 323.
    assert size_for_margin(0.05, 2000).size == 323


@pytest.mark.parametrize(
    "population, published",
    # Krejcie and Morgan (1970), "Determining sample size for research activities", Table 1
    # (±5%, 95%, p = 0.5). The table rounds to the nearest whole number; this project rounds up.
    [(10, 10), (50, 44), (100, 80), (220, 140), (500, 217), (1200, 291), (1300, 297), (1400, 302),
     (1500, 306), (2800, 338), (9000, 368)],
)
def test_margin_size_before_rounding_agrees_with_krejcie_and_morgan_table(population, published):
    result = size_for_margin(0.05, population)
    assert round(result.corrected) == published
    assert result.size == math.ceil(result.corrected)


@pytest.mark.parametrize("rate, margin", [(0.5, 0.1), (0.5, 0.05), (0.9, 0.1), (0.2, 0.07), (0.03, 0.02)])
def test_infinite_population_size_is_statsmodels_formula(rate, margin):
    expected = samplesize_confint_proportion(rate, margin, alpha=0.05)
    assert size_for_margin(margin, 10**9, expected_rate=rate).n0 == pytest.approx(expected, rel=1e-12)
    # and statsmodels' formula is z^2 p (1 - p) / m^2 with z from scipy
    assert expected == pytest.approx(norm.isf(0.025) ** 2 * rate * (1 - rate) / margin**2, rel=1e-12)


@pytest.mark.parametrize(
    "margin, rate, population",
    [(0.1, 0.5, 400), (0.05, 0.5, 2000), (0.1, 0.9, 400), (0.15, 0.5, 60), (0.08, 0.3, 120), (0.05, 0.5, 100000)],
)
def test_margin_size_is_the_smallest_that_meets_the_margin_with_fpc(margin, rate, population):
    """The normal half-width with the FPC factor (N - n)/(N - 1) is within the margin at the size, not one below."""
    z = norm.isf(0.025)

    def half_width(n: int) -> float:
        return z * math.sqrt(rate * (1 - rate) / n * (population - n) / (population - 1))

    size = size_for_margin(margin, population, expected_rate=rate).size
    assert half_width(size) <= margin + 1e-12
    assert half_width(size - 1) > margin


def test_expected_rate_lowers_the_size():
    # n0 = 1.959964^2 * 0.9 * 0.1 / 0.01 = 34.57; n = 34.57 / (1 + 33.57/400) = 31.9, so 32.
    assert size_for_margin(0.1, 400, expected_rate=0.9).size == 32


@pytest.mark.parametrize("population, size", [(1, 1), (5, 5), (20, 17)])
def test_margin_size_never_exceeds_a_small_population(population, size):
    # 96.04 / (1 + 95.04/20) = 16.7 -> 17; for 5: 96.04 / 20.008 = 4.8 -> 5
    assert size_for_margin(0.1, population).size == size


@pytest.mark.parametrize(
    "margin, rate",
    [(0.0, 0.5), (-0.1, 0.5), (0.5000001, 0.5), (0.1, 0.0), (0.1, 1.0), (0.1, -0.2)],
)
def test_margin_or_rate_out_of_range_is_refused(margin, rate):
    with pytest.raises(SamplingError):
        size_for_margin(margin, 400, expected_rate=rate)


def test_margin_of_exactly_one_half_is_accepted():
    assert size_for_margin(0.5, 400).size == 4  # 3.84 / (1 + 2.84/400) = 3.81 -> 4


# --- allocation ----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "populations, size, expected",
    [
        # quotas 39, 23.4, 11.7, 3.9: floors 76, the 2 left go to D (.9) and C (.7)
        ({"A": 200, "B": 120, "C": 60, "D": 20}, 78, {"A": 39, "B": 23, "C": 12, "D": 4}),
        # quotas 2/3 each: naive rounding would give 3; largest remainder ties go by name
        ({"A": 1, "B": 1, "C": 1}, 2, {"A": 1, "B": 1, "C": 0}),
        # quotas 0.5 and 1.5: equal remainders, the larger population wins the last case
        ({"A": 10, "B": 30}, 2, {"A": 0, "B": 2}),
        # equal remainders and populations: name order
        ({"B": 50, "A": 50}, 1, {"A": 1, "B": 0}),
        # a census: every case
        ({"A": 7, "B": 3}, 10, {"A": 7, "B": 3}),
        # exact quotas need no rounding: 12 of 60 is 1 in 5
        ({"A": 30, "B": 20, "C": 10}, 12, {"A": 6, "B": 4, "C": 2}),
        # one stratum
        ({"A": 400}, 78, {"A": 78}),
        # the shipped register at 78 (quota 0.195 per case): floors 23,13,8,7,6,5,4,3,2,1 = 72; the 6 left go to
        # the largest remainders neglect .85, missing .845, sexual_abuse .775, police_protection .73,
        # sexual_exploitation .705, criminal_exploitation .68 (not detention .56, online .435, physical .41)
        (EXAMPLE_POPULATIONS, 78, {"domestic_abuse": 23, "missing": 14, "sexual_abuse": 9, "physical_abuse": 7,
                                   "online_abuse": 6, "neglect": 6, "criminal_exploitation": 5,
                                   "sexual_exploitation": 4, "police_protection": 3, "detention": 1}),
    ],
)
def test_proportional_allocation_by_largest_remainder(populations, size, expected):
    assert allocate(populations, size) == expected


def test_allocation_sums_to_size_and_each_stratum_is_within_one_of_its_quota():
    rng = random.Random(7)
    for _ in range(300):
        populations = {f"s{i}": rng.randint(1, 200) for i in range(rng.randint(1, 12))}
        total = sum(populations.values())
        size = rng.randint(1, total)
        allocation = allocate(populations, size)
        assert sum(allocation.values()) == size
        for name, count in populations.items():
            quota = size * count / total
            assert math.floor(quota) <= allocation[name] <= math.ceil(quota) <= count


def test_allocation_does_not_depend_on_the_order_strata_are_given():
    forward = {"A": 10, "B": 10, "C": 10, "D": 5}
    backward = dict(reversed(list(forward.items())))
    assert allocate(forward, 7) == allocate(backward, 7)


@pytest.mark.parametrize(
    "populations, size, minimum, expected",
    [
        # proportional 39/23/12/4; D raised by 1, taken from the largest (A)
        ({"A": 200, "B": 120, "C": 60, "D": 20}, 78, 5, {"A": 38, "B": 23, "C": 12, "D": 5}),
        # D raised by 8 to 12; A stays the largest throughout
        ({"A": 200, "B": 120, "C": 60, "D": 20}, 78, 12, {"A": 31, "B": 23, "C": 12, "D": 12}),
        # quotas 15, 14, 1; C has only 2 cases, so it is raised to 2, the case taken from A
        ({"A": 30, "B": 28, "C": 2}, 30, 6, {"A": 14, "B": 14, "C": 2}),
        # quotas 14.06, 13.13, 2.81 -> 14/13/3; C needs 3: from A (14), then the A/B tie at 13 to A
        # (larger population), then B
        ({"A": 30, "B": 28, "C": 6}, 30, 6, {"A": 12, "B": 12, "C": 6}),
        # a stratum smaller than the minimum is taken whole: B has 3 cases, gets 3
        ({"A": 100, "B": 3}, 20, 5, {"A": 17, "B": 3}),
        # a minimum every stratum already meets changes nothing
        ({"A": 200, "B": 120, "C": 60, "D": 20}, 78, 4, {"A": 39, "B": 23, "C": 12, "D": 4}),
        # exactly at the limit: 4 strata x 3 = 12
        ({"A": 100, "B": 10, "C": 10, "D": 10}, 12, 3, {"A": 3, "B": 3, "C": 3, "D": 3}),
    ],
)
def test_min_per_stratum_raises_small_strata_taking_from_the_largest(populations, size, minimum, expected):
    allocation = allocate(populations, size, min_per_stratum=minimum)
    assert allocation == expected
    assert sum(allocation.values()) == size


def test_min_per_stratum_that_the_size_cannot_meet_is_an_error():
    # one under the limit of the case above: 11 < 4 x 3
    with pytest.raises(SamplingError, match="needs at least 12"):
        allocate({"A": 100, "B": 10, "C": 10, "D": 10}, 11, min_per_stratum=3)


@pytest.mark.parametrize(
    "populations, size, minimum",
    [({"A": 10}, 0, 0), ({"A": 10}, 11, 0), ({"A": 10}, -1, 0), ({"A": 10}, 5, -1), ({}, 1, 0), ({"A": 0}, 1, 0)],
)
def test_allocation_out_of_range_is_refused(populations, size, minimum):
    with pytest.raises(SamplingError):
        allocate(populations, size, min_per_stratum=minimum)


# --- the draw ------------------------------------------------------------------------------------

def test_draw_takes_the_allocation_from_each_stratum():
    strata = ["A"] * 200 + ["B"] * 120 + ["C"] * 60 + ["D"] * 20
    random.Random(3).shuffle(strata)
    sample = stratified_sample(strata, 78, seed=11)
    drawn = Counter(strata[i] for i in sample.selected)
    assert drawn == {"A": 39, "B": 23, "C": 12, "D": 4}
    assert list(sample.selected) == sorted(set(sample.selected))
    assert {s.name: s.weight for s in sample.strata} == {"A": 200 / 39, "B": 120 / 23, "C": 5.0, "D": 5.0}


def test_same_seed_same_rows_and_different_seed_different_rows():
    strata = ["A"] * 60 + ["B"] * 40
    assert stratified_sample(strata, 20, seed=5).selected == stratified_sample(strata, 20, seed=5).selected
    assert stratified_sample(strata, 20, seed=5).selected != stratified_sample(strata, 20, seed=6).selected


def test_every_case_in_a_stratum_is_equally_likely_to_be_drawn():
    """Over 2000 seeds, each of 10 cases drawn 3 at a time is chosen in about 30% of draws."""
    strata = ["A"] * 10 + ["B"] * 5
    counts = Counter()
    draws = 2000
    for seed in range(draws):
        counts.update(i for i in stratified_sample(strata, 4, seed=seed).selected if i < 10)  # A gets 3 (2.67)
    for index in range(10):
        assert binomtest(counts[index], draws, 0.3).pvalue > 0.001


def test_negative_seed_is_refused():
    with pytest.raises(SamplingError):
        stratified_sample(["A", "A"], 1, seed=-1)


# --- the command ---------------------------------------------------------------------------------

def test_sample_command_writes_register_columns_and_weights(tmp_path, capsys):
    out = tmp_path / "sample.csv"
    code, stdout, _ = run(capsys, "sample", EXAMPLE_REGISTER, "--size", 78, "--strata", "category", "--seed", 42, "-o",
                          out)
    assert code == 0
    register = {row["case_id"]: row for row in csv.DictReader(EXAMPLE_REGISTER.open(encoding="utf-8"))}
    rows = read_sample(out)
    assert list(rows[0]) == ["case_id", "category", "reported_on", "stratum_weight"]
    assert len(rows) == 78 and len({r["case_id"] for r in rows}) == 78
    for row in rows:
        original = register[row["case_id"]]
        assert {k: row[k] for k in original} == original
    by_category = Counter(r["category"] for r in rows)
    assert by_category["domestic_abuse"] == 23 and by_category["detention"] == 1
    weights = {r["category"]: float(r["stratum_weight"]) for r in rows}
    assert weights["domestic_abuse"] == pytest.approx(118 / 23) and weights["detention"] == 8.0
    ids = [r["case_id"] for r in rows]
    assert ids == sorted(ids, key=list(register).index)  # register order
    # the printed table: population, sample and weight of each stratum, and the total
    assert re.search(r"^detention\s+8\s+1\s+8\.00$", stdout, re.M)
    assert re.search(r"^domestic_abuse\s+118\s+23\s+5\.13$", stdout, re.M)
    assert re.search(r"^total\s+400\s+78$", stdout, re.M)


def test_sample_command_with_margin_draws_the_computed_size(tmp_path, capsys):
    out = tmp_path / "sample.csv"
    code, stdout, _ = run(capsys, "sample", EXAMPLE_REGISTER, "--margin", "0.1", "--strata", "category", "--seed", 1,
                          "-o", out)
    assert code == 0
    assert len(read_sample(out)) == 78  # the hand-worked 400-case example
    assert "n0 = 96.04" in stdout and "77.60" in stdout


def test_sample_command_with_min_per_stratum_marks_moved_strata(tmp_path, capsys):
    out = tmp_path / "sample.csv"
    code, stdout, _ = run(capsys, "sample", EXAMPLE_REGISTER, "--size", 78, "--strata", "category", "--seed", 1,
                          "--min-per-stratum", 5, "-o", out)
    assert code == 0
    counts = Counter(r["category"] for r in read_sample(out))
    # proportional 23/14/9/7/6/6/5/4/3/1: detention +4, police_protection +2, sexual_exploitation +1 = 7,
    # taken one at a time from the largest: domestic_abuse 23 -> 16 (it stays above missing's 14)
    assert counts == {"domestic_abuse": 16, "missing": 14, "sexual_abuse": 9, "physical_abuse": 7, "online_abuse": 6,
                      "neglect": 6, "criminal_exploitation": 5, "sexual_exploitation": 5, "police_protection": 5,
                      "detention": 5}
    assert re.search(r"^detention\s+8\s+5\*\s+1\.60$", stdout, re.M)


def test_same_seed_gives_the_same_bytes_and_another_seed_another_sample(tmp_path, capsys):
    args = [EXAMPLE_REGISTER, "--size", 60, "--strata", "category"]
    first, second, other = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    assert run(capsys, "sample", *args, "--seed", 2019, "-o", first)[0] == 0
    assert run(capsys, "sample", *args, "--seed", 2019, "-o", second)[0] == 0
    assert run(capsys, "sample", *args, "--seed", 2020, "-o", other)[0] == 0
    assert first.read_bytes() == second.read_bytes()
    assert {r["case_id"] for r in read_sample(first)} != {r["case_id"] for r in read_sample(other)}


def test_size_equal_to_the_population_is_a_census_with_weight_one(tmp_path, capsys):
    register = small_register(tmp_path, {"a": 6, "b": 4})
    out = tmp_path / "sample.csv"
    assert run(capsys, "sample", register, "--size", 10, "--strata", "category", "--seed", 0, "-o", out)[0] == 0
    rows = read_sample(out)
    assert len(rows) == 10 and {r["stratum_weight"] for r in rows} == {"1.0"}


def test_register_with_bom_quotes_blank_lines_and_multiline_cells_is_read(tmp_path, capsys):
    text = '\ufeffcase_id,category,note\nT-1,a,"two\nlines"\n\nT-2,b,"with, comma"\nT-3,a,plain\n'
    register = write_register(tmp_path, text)
    out = tmp_path / "sample.csv"
    assert run(capsys, "sample", register, "--size", 3, "--strata", "category", "--seed", 0, "-o", out)[0] == 0
    rows = read_sample(out)
    assert [r["note"] for r in rows] == ["two\nlines", "with, comma", "plain"]


def test_id_column_option_names_the_id_column(tmp_path, capsys):
    register = write_register(tmp_path, "ref,area\nR-1,north\nR-2,south\nR-1,north\n")
    code, _, err = run(capsys, "sample", register, "--size", 1, "--strata", "area", "--seed", 0,
                       "--id-column", "ref", "-o", tmp_path / "s.csv")
    assert code == 2
    assert f"{register}:4: ref: 'R-1' is also on line 2" in err


# --- errors: exit code 2, with the file, the line and the column; nothing written ------------------

REGISTER_ERRORS = [
    # (register text, expected message parts)
    ("case_id,area\nT-1,north\n",
     [":1: category: no column 'category' (given by --strata); the header has: case_id, area"]),
    ("id,category\nT-1,a\n", [":1: case_id: no column 'case_id' (given by --id-column)"]),
    ("case_id,category\nT-1,a\nT-2,b\nT-1,a\n", [":4: case_id: 'T-1' is also on line 2; ids must be unique"]),
    ("case_id,category\nT-1,a\nT-2,\nT-3,  \n", [":3: category: is empty", ":4: category: is empty"]),
    ("case_id,category\nT-1,a\n,b\n", [":3: case_id: is empty"]),
    ("", [":1: the register is empty"]),
    ("case_id,category\n", [":1: the register has no cases"]),
    ("case_id,category\nT-1,a\nT-2,b,extra\n", [":3: has 3 field(s); the header on line 1 has 2"]),
    ('case_id,category\nT-1,a\nT-2,"b"x\n', [":3: is not valid CSV"]),
    ("case_id,category,category\nT-1,a,b\n", [":1: column 'category' appears more than once"]),
    ("case_id,category,stratum_weight\nT-1,a,1\n", [":1: the register already has a 'stratum_weight' column"]),
    # a record over two lines moves the next record's line
    ('case_id,category,note\nT-1,a,"x\ny"\nT-1,b,z\n', [":4: case_id: 'T-1' is also on line 2"]),
]


@pytest.mark.parametrize("text, messages", REGISTER_ERRORS)
def test_register_errors_are_reported_with_file_line_and_column(tmp_path, capsys, text, messages):
    register = write_register(tmp_path, text)
    out = tmp_path / "sample.csv"
    code, stdout, err = run(capsys, "sample", register, "--size", 1, "--strata", "category", "--seed", 0, "-o", out)
    assert code == 2
    assert "Traceback" not in err and stdout == ""
    for message in messages:
        assert f"error: {register}{message}" in err
    assert not out.exists()


@pytest.mark.parametrize(
    "data, message",
    [
        ("case_id,category\nT-1,a\nT-2,caf\xe9\n".encode("latin-1"), ":3: is not UTF-8 text: byte 0xe9"),
        (b"PK\x03\x04\x14\x00\x06\x00", ":1: is not a CSV text file"),  # an .xlsx is a zip file
    ],
)
def test_a_file_that_is_not_utf8_csv_is_reported(tmp_path, capsys, data, message):
    register = write_register(tmp_path, data)
    code, _, err = run(capsys, "sample", register, "--size", 1, "--strata", "category", "--seed", 0, "-o",
                       tmp_path / "s.csv")
    assert code == 2
    assert f"error: {register}{message}" in err


def test_missing_register_file_is_reported(tmp_path, capsys):
    code, _, err = run(capsys, "sample", tmp_path / "nope.csv", "--size", 1, "--strata", "category", "--seed", 0,
                       "-o", tmp_path / "s.csv")
    assert code == 2 and "nope.csv: cannot read the register" in err


def test_long_lists_of_problems_are_capped(tmp_path, capsys):
    register = write_register(tmp_path, "case_id,category\n" + "T-1,\n" * 60)
    code, _, err = run(capsys, "sample", register, "--size", 1, "--strata", "category", "--seed", 0, "-o",
                       tmp_path / "s.csv")
    assert code == 2
    assert err.count("error: ") == 51  # 50 listed, then one line counting the rest
    assert "and 69 more problem(s) not listed" in err  # 60 empty strata + 59 duplicate ids = 119


@pytest.mark.parametrize(
    "options, message",
    [
        (["--size", "11"], "register.csv: --size: 11 is larger than the register's 10 cases"),
        (["--size", "0"], "--size: must be at least 1, got 0"),
        (["--size", "-3"], "--size: must be at least 1, got -3"),
        (["--size", "ten"], "--size: expected a whole number, got 'ten' (digits 0-9 only)"),
        (["--size", "١٦"], "--size: expected a whole number, got '١٦' (digits 0-9 only)"),  # int() would read 16
        (["--size", "1_6"], "--size: expected a whole number, got '1_6' (digits 0-9 only)"),
        (["--margin", "0"], "--margin: must be more than 0 and at most 0.5, got 0"),
        (["--margin", "0.6"], "--margin: must be more than 0 and at most 0.5, got 0.6"),
        (["--margin", "0.1", "--expected-rate", "1"], "--expected-rate: must lie strictly between 0 and 1, got 1"),
        (["--size", "5", "--expected-rate", "0.3"], "--expected-rate: only applies with --margin"),
        (["--size", "5", "--margin", "0.1"], "not allowed with argument"),
        ([], "one of the arguments --size --margin is required"),
        (["--size", "5", "--min-per-stratum", "-1"], "--min-per-stratum: must be 0 or more, got -1"),
        # 2 strata x 3 = 6 > 5: one under the limit
        (["--size", "5", "--min-per-stratum", "3"],
         "register.csv: --min-per-stratum: a sample of 5 cannot give each of the 2 strata 3"),
        # 3.84 / (1 + 2.84/10) = 2.99 -> 3 cases, too few for 2 x 3
        (["--margin", "0.5", "--min-per-stratum", "3"], "register.csv: --min-per-stratum: a sample of 3 cannot give"),
    ],
)
def test_option_errors_exit_2_without_writing(tmp_path, capsys, options, message):
    register = small_register(tmp_path, {"a": 6, "b": 4})
    out = tmp_path / "sample.csv"
    code, _, err = run(capsys, "sample", register, "--strata", "category", "--seed", 0, *options, "-o", out)
    assert code == 2
    assert message in err and "Traceback" not in err
    assert not out.exists()


def test_size_exactly_at_min_per_stratum_limit_is_accepted(tmp_path, capsys):
    register = small_register(tmp_path, {"a": 6, "b": 4})
    out = tmp_path / "sample.csv"
    assert run(capsys, "sample", register, "--size", 6, "--strata", "category", "--seed", 0,
               "--min-per-stratum", 3, "-o", out)[0] == 0
    assert Counter(r["category"] for r in read_sample(out)) == {"a": 3, "b": 3}


def test_negative_seed_is_an_option_error(tmp_path, capsys):
    register = small_register(tmp_path, {"a": 6})
    code, _, err = run(capsys, "sample", register, "--size", 1, "--strata", "category", "--seed", -1, "-o",
                       tmp_path / "s.csv")
    assert code == 2 and "--seed: must be 0 or more, got -1" in err


def test_failed_run_leaves_an_existing_output_untouched(tmp_path, capsys):
    register = write_register(tmp_path, "case_id,category\nT-1,a\nT-1,a\n")
    out = tmp_path / "sample.csv"
    out.write_text("earlier sample\n")
    assert run(capsys, "sample", register, "--size", 1, "--strata", "category", "--seed", 0, "-o", out)[0] == 2
    assert out.read_text() == "earlier sample\n"


def test_output_over_the_register_is_refused(tmp_path, capsys):
    register = small_register(tmp_path, {"a": 3})
    before = register.read_bytes()
    code, _, err = run(capsys, "sample", register, "--size", 1, "--strata", "category", "--seed", 0, "-o", register)
    assert code == 2 and "is the register itself" in err
    assert register.read_bytes() == before


# --- the shipped example register ----------------------------------------------------------------

def test_example_register_is_fictional_and_well_formed():
    rows = list(csv.DictReader(EXAMPLE_REGISTER.open(encoding="utf-8")))
    assert list(rows[0]) == ["case_id", "category", "reported_on"]
    assert 350 <= len(rows) <= 450
    assert all(re.fullmatch(r"EXA-19-\d{4}", r["case_id"]) for r in rows)
    assert len({r["case_id"] for r in rows}) == len(rows)
    assert Counter(r["category"] for r in rows) == EXAMPLE_POPULATIONS
    assert all(re.fullmatch(r"2019-\d\d-\d\d", r["reported_on"]) for r in rows)
