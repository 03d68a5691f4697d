"""The example case of the case-file format scores as the catalogue says it should."""
from pathlib import Path

from thematic.load.yaml_source import read_yaml_file
from thematic.model.case import Case

EXAMPLE = Path(__file__).parent / "data" / "load" / "example.yaml"


def test_example_case_gets_a_result_for_every_criterion(score, criteria):
    case = Case.model_validate(read_yaml_file(EXAMPLE).data)
    result = score(case)
    assert list(result.results) == [c.id for c in criteria.criteria]
    assert result.results["CRM-01"].state == "not_evidenced"
    assert result.results["CRM-01"].evidence == ("exploitation indicators county_lines, going_missing; "
                                                 "nrm_referred_at is null")
    assert result.results["CRM-06"].state == "not_met"  # the inspector answered "no"
    assert result.results["RISK-05"].state == "pending"
    assert result.suggested_grade == "inadequate" and result.provisional is False
    assert result.grade == "inadequate" and result.referred_back is True
