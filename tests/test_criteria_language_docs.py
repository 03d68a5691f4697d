"""docs/criteria-language.md documents the language as it is: every function, every readable name.

A function added to functions.FUNCTIONS without a `### name(` section fails here, and so does a
section for a function that no longer exists. The page's examples must be valid: the complete
example file loads, and every example expression under a function compiles against the shipped
criteria's parameters and definitions.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from thematic.load.criteria import shipped_criteria_path
from thematic.scoring.criteria import load_criteria
from thematic.scoring.expr import CASE_NAMES, Scope, compile_expression
from thematic.scoring.functions import FUNCTIONS

PAGE = Path(__file__).resolve().parent.parent / "docs" / "criteria-language.md"
TEXT = PAGE.read_text(encoding="utf-8")
FUNCTION_HEADING = re.compile(r"^### ([A-Za-z_][A-Za-z0-9_]*)\(", re.MULTILINE)


def function_sections() -> dict[str, str]:
    """Each `### name(` section's text, up to the next heading of level 2 or 3."""
    sections = {}
    for match in FUNCTION_HEADING.finditer(TEXT):
        end = re.compile(r"^#{2,3} ", re.MULTILINE).search(TEXT, match.end())
        sections[match.group(1)] = TEXT[match.start(): end.start() if end else len(TEXT)]
    return sections


SECTIONS = function_sections()


def test_every_function_is_documented():
    missing = sorted(set(FUNCTIONS) - set(SECTIONS))
    assert missing == [], f"functions without a '### name(' section in {PAGE.name}: {missing}"


def test_every_documented_function_exists():
    unknown = sorted(set(SECTIONS) - set(FUNCTIONS))
    assert unknown == [], f"{PAGE.name} documents functions that do not exist: {unknown}"


def test_no_function_is_documented_twice():
    names = FUNCTION_HEADING.findall(TEXT)
    assert len(names) == len(set(names))


@pytest.mark.parametrize("name", sorted(CASE_NAMES))
def test_every_readable_case_name_appears(name):
    assert f"`{name}`" in TEXT, f"{name} can be read in expressions but {PAGE.name} does not mention it"


@pytest.fixture(scope="module")
def shipped_scope() -> Scope:
    criteria = load_criteria(shipped_criteria_path())
    return Scope(params=frozenset(criteria.defaults()),
                 definitions={name: compiled.type for name, compiled in criteria.definitions.items()})


def _examples(section: str) -> list[str]:
    lines = []
    for block in re.findall(r"```text\n(.*?)```", section, re.DOTALL):
        lines += [line.strip() for line in block.splitlines() if line.strip() and not line.strip().startswith("#")]
    return lines


@pytest.mark.parametrize("name", sorted(SECTIONS))
def test_function_section_has_a_signature_and_examples_that_compile(name, shipped_scope):
    section = SECTIONS[name]
    heading = section.splitlines()[0]
    assert heading.rstrip().endswith(")"), f"the heading of {name} should show its arguments: {heading}"
    examples = _examples(section)
    assert examples, f"the section of {name} has no example"
    assert any(f"{name}(" in example for example in examples)
    for example in examples:
        compile_expression(example, shipped_scope)  # raises ExprError, naming the column, if invalid


def test_function_section_says_what_happens_with_null_or_uncaptured_values():
    # Either in the section itself or in the general rules at the start of "Functions".
    general = TEXT[TEXT.index("## Functions"): TEXT.index("### ", TEXT.index("## Functions"))]
    assert "null" in general and "not known" in general


def test_complete_example_loads(tmp_path):
    start = TEXT.index("### A complete example")
    block = re.search(r"```yaml\n(.*?)```", TEXT[start:], re.DOTALL)
    assert block is not None
    path = tmp_path / "example.yaml"
    path.write_text(block.group(1), encoding="utf-8")
    loaded = load_criteria(path)
    kinds = {c.definition.type for c in loaded.criteria}
    assert kinds == {"automatic", "judgement"}


def test_forbidden_examples_in_the_table_are_refused(shipped_scope):
    # The page's "not allowed" examples must really be refused.
    from thematic.scoring.expr import ExprError

    for text in ['2 ** 3 > 1', '"text" * 3 == null', "count([1] + [2]) > 0", "supervision[0] == null",
                 "count(_x) > 0", "supervision.at == null", "reported_at.hour == 3", "count(supervison) > 0",
                 'investigation.complexty == "complex"', "params.referal_max_hours > 0", "len(supervision) > 0",
                 "reported_at.date() == as_of", 'case_id in {"a", "b"}', 'case_id in {"a": 1}', "closed_at is 3",
                 "1000000001 > 0", "7 // 2 == 3"]:
        with pytest.raises(ExprError):
            compile_expression(text, shipped_scope)


def test_page_points_to_the_case_file_guide():
    # The page points authors to the case-file guide for field meanings.
    assert "case-file-format.md" in TEXT
    assert (PAGE.parent / "case-file-format.md").is_file()
