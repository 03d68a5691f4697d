"""One cell to one case-file value: date formats, codes, numbers, true/false, lists and blank cells."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from thematic.tabular.convert import OMIT, CellError, Rule, blank_value, convert, strptime_format
from thematic.tabular.targets import LIST_SECTIONS, OBJECT_SECTIONS, Target, leaf_fields, target

# --- date formats --------------------------------------------------------------------------------

@pytest.mark.parametrize("spec, expected", [
    ("dd/mm/yyyy hh:mm", "%d/%m/%Y %H:%M"),
    ("dd/mm/yyyy", "%d/%m/%Y"),
    ("mm/dd/yyyy hh:mm:ss", "%m/%d/%Y %H:%M:%S"),   # month first: mm before dd is the month
    ("yyyy-mm-ddThh:mm", "%Y-%m-%dT%H:%M"),
    ("d mmm yyyy h:mm am/pm", "%d %b %Y %I:%M %p"),  # am/pm makes hours 12-hour
    ("dd.mm.yy", "%d.%m.%y"),
    ("hh:mm dd/mm/yyyy", "%H:%M %d/%m/%Y"),          # mm right after hh is minutes, the next mm the month
    ("DD/MM/YYYY HH:MM", "%d/%m/%Y %H:%M"),          # case does not matter
    ("%d-%m-%Y %H%M", "%d-%m-%Y %H%M"),              # a strptime format is taken as it is
])
def test_spreadsheet_date_formats_translate_to_strptime(spec, expected):
    assert strptime_format(spec) == expected


@pytest.mark.parametrize("spec", ["dd/mm/yyyy qq", "week ww"])
def test_an_unknown_part_of_a_date_format_is_an_error(spec):
    with pytest.raises(ValueError, match="unknown part"):
        strptime_format(spec)


# --- rules ---------------------------------------------------------------------------------------

DATETIME = target("incidents", "at")
DATE = target("section47", "started_on")
NULLABLE_DATETIME = target("risk_assessments", "supervisor_reviewed_at")
SEVERITY = target("incidents", "severity")
BOOLEAN = target("incidents", "child_seen")
RESPONSE = target("incidents", "response")
AGENCIES = target("strategy_discussions", "agencies")
LOOKED_AFTER = target("case", "child.looked_after")


def rule(found: Target, **kw) -> Rule:
    formats = kw.pop("formats", None)
    if formats is not None:
        key = "date_formats" if found.kind == "date" else "datetime_formats"
        kw[key] = tuple(strptime_format(f) for f in formats)
        kw["format_text"] = " or ".join(formats)
    return Rule(found, column=kw.pop("column", "C"), **kw)


@pytest.mark.parametrize("raw, expected", [
    ("04/03/2019 16:20", "2019-03-04T16:20"),
    (" 04/03/2019 16:20 ", "2019-03-04T16:20"),           # surrounding spaces are not part of the value
    ("4/3/2019 9:05", "2019-03-04T09:05"),                 # strptime reads one-digit days and hours
    ("31/12/2019 23:59", "2019-12-31T23:59"),
    (datetime(2019, 3, 4, 16, 20), "2019-03-04T16:20"),    # an XLSX date-time cell
    (datetime(2019, 3, 4, 16, 20, 35), "2019-03-04T16:20:35"),
])
def test_datetimes_in_the_force_format_become_iso(raw, expected):
    assert convert(rule(DATETIME, formats=["dd/mm/yyyy hh:mm"]), raw) == expected


@pytest.mark.parametrize("raw, message", [
    ("2019-03-04 16:20", '"2019-03-04 16:20" is not a date and time in the form dd/mm/yyyy hh:mm'),
    ("04/03/2019", '"04/03/2019" is not a date and time in the form dd/mm/yyyy hh:mm'),
    ("31/02/2019 10:00", "is not a date and time"),                        # no 31 February
    ("04/03/2019 24:00", "is not a date and time"),
    (date(2019, 3, 4), "is a date without a time"),                         # an XLSX date-only cell
])
def test_datetimes_that_do_not_fit_the_format_are_errors(raw, message):
    with pytest.raises(CellError, match=message):
        convert(rule(DATETIME, formats=["dd/mm/yyyy hh:mm"]), raw)


def test_several_formats_are_tried_in_order():
    both = rule(DATETIME, formats=["dd/mm/yyyy hh:mm:ss", "dd/mm/yyyy hh:mm"])
    assert convert(both, "04/03/2019 16:20:05") == "2019-03-04T16:20:05"
    assert convert(both, "04/03/2019 16:20") == "2019-03-04T16:20"


def test_iso_is_the_default_datetime_format_and_keeps_the_text():
    assert convert(rule(DATETIME), "2019-03-04T16:20+01:00") == "2019-03-04T16:20+01:00"
    with pytest.raises(CellError, match="ISO 8601"):
        convert(rule(DATETIME), "04/03/2019 16:20")


@pytest.mark.parametrize("raw, expected", [
    ("06/03/2019", "2019-03-06"),
    (datetime(2019, 3, 6), "2019-03-06"),     # an XLSX cell holding midnight
    (date(2019, 3, 6), "2019-03-06"),
])
def test_dates(raw, expected):
    assert convert(rule(DATE, formats=["dd/mm/yyyy"]), raw) == expected


def test_a_date_field_given_a_time_is_an_error():
    with pytest.raises(CellError, match="has a time; a date alone is expected"):
        convert(rule(DATE, formats=["dd/mm/yyyy"]), datetime(2019, 3, 6, 10, 0))


CODES = {"V High": 5, "High": 4, "Med": 3, "Low": 2, "V Low": 1}


@pytest.mark.parametrize("raw, expected", [("High", 4), ("V Low", 1), (" Med ", 3)])
def test_codes_map_to_case_file_values(raw, expected):
    assert convert(rule(SEVERITY, codes=CODES), raw) == expected


@pytest.mark.parametrize("raw, message", [
    ("Hgih", '"Hgih" is not one of V High, High, Med, Low, V Low; did you mean "High"?'),
    ("high", '"high" is not one of V High, High, Med, Low, V Low; did you mean "High"?'),  # codes are exact
    ("4", '"4" is not one of V High'),  # with codes, only the codes are accepted
])
def test_a_code_not_in_the_mapping_is_an_error_that_lists_the_codes(raw, message):
    with pytest.raises(CellError) as caught:
        convert(rule(SEVERITY, codes=CODES), raw)
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize("raw, expected", [("3", 3), (3, 3), (3.0, 3), ("+2", 2), ("3.0", 3)])
def test_whole_numbers(raw, expected):
    assert convert(rule(SEVERITY), raw) == expected


@pytest.mark.parametrize("raw", ["3.5", 3.5, "three", True])
def test_what_is_not_a_whole_number(raw):
    with pytest.raises(CellError, match="is not a whole number"):
        convert(rule(SEVERITY), raw)


@pytest.mark.parametrize("raw, expected", [("Y", True), ("N", False), (True, True), (False, False)])
def test_true_or_false_from_the_mapping_codes_or_a_workbook_cell(raw, expected):
    assert convert(rule(BOOLEAN, booleans={"Y": True, "N": False}), raw) is expected


def test_a_true_or_false_code_not_in_booleans_is_an_error():
    with pytest.raises(CellError, match='"Maybe" is not one of Y, N'):
        convert(rule(BOOLEAN, booleans={"Y": True, "N": False}), "Maybe")


def test_a_choice_without_codes_must_be_the_case_file_value_itself():
    assert convert(rule(RESPONSE), "scheduled") == "scheduled"
    with pytest.raises(CellError,
                       match='"Scheduled" is not one of immediate, scheduled, none; did you mean "scheduled"'):
        convert(rule(RESPONSE), "Scheduled")


def test_a_list_in_one_cell_is_split_and_each_item_coded():
    agencies = rule(AGENCIES, codes={"Police": "police", "CSC": "childrens_social_care"}, split=";")
    assert convert(agencies, "Police; CSC") == ["police", "childrens_social_care"]
    assert convert(agencies, "Police;;") == ["police"]
    with pytest.raises(CellError, match='"Fire" is not one of Police, CSC'):
        convert(agencies, "Police; Fire")


def test_a_number_is_text_where_text_is_expected():
    assert convert(rule(target("case", "child.ref")), 5521.0) == "5521"


# --- blank cells: absent, empty and null --------------------------------------------------------

@pytest.mark.parametrize("found, expected", [
    (NULLABLE_DATETIME, None),    # "datetime or null": the step did not happen or was not recorded
    (AGENCIES, []),               # a list: none
    (LOOKED_AFTER, OMIT),         # a field with a default: leave the key out, so the default applies
    (target("case", "closed_at"), OMIT),
])
def test_a_blank_cell_follows_the_absent_empty_null_rules(found, expected):
    assert blank_value(rule(found)) == expected
    assert convert(rule(found), "  ") == expected
    assert convert(rule(found), None) == expected


def test_a_blank_cell_in_a_required_field_is_an_error():
    with pytest.raises(CellError, match="is blank; a value is required"):
        convert(rule(DATETIME), "")


def test_the_mapping_may_say_what_a_blank_cell_means():
    assert convert(rule(BOOLEAN, blank=False), "") is False


def test_a_constant_ignores_the_row():
    assert convert(Rule(target("case", "force"), column=None, constant="westmoor"), None) == "westmoor"


# --- targets -------------------------------------------------------------------------------------

def test_every_section_is_a_list_or_an_object():
    assert set(LIST_SECTIONS) == {"incidents", "risk_assessments", "referrals", "strategy_discussions", "supervision",
                                  "devices"}
    assert set(OBJECT_SECTIONS) == {"section47", "police_protection", "investigation", "child_as_suspect", "custody",
                                    "outcome"}


def test_targets_read_from_the_case_model():
    assert target("case", "child.age").bounds == (0, 17)
    assert target("investigation", "officer.pip_level").kind == "integer"
    assert target("risk_assessments", "supervisor_reviewed_at").nullable
    assert target("case", "child.plan").default == "none"
    assert "case_id" not in [t.path for t in leaf_fields("case")]   # it comes from the id column
    with pytest.raises(KeyError):
        target("case", "child.agee")


@pytest.mark.parametrize("spec", ["%d/%m/%Y %H:%M", "%d.%m.%Y %H%M", "%Y-%m-%dT%H:%M:%S", "%d %b %Y"])
@pytest.mark.parametrize("text", [
    "04/03/2019 16:20", "4/3/2019 9:05", "04/03/2019  16:20", "04/03/2019\t16:20", " 04/03/2019 16:20",
    "31/02/2019 10:00", "04/03/19 16:20", "04/03/2019 24:00", "004/03/2019 16:20", "04.03.2019 920",
    "04.03.2019 1620", "2019-03-04t16:20:05", "2019-03-04T16:20:60", "4 Mar 2019", "04/03/2019 16:20 ",
])
def test_the_fast_reading_of_numeric_formats_accepts_exactly_what_strptime_accepts(spec, text):
    from thematic.tabular.convert import parse_with

    def outcome(parse):
        try:
            return parse(text, spec)
        except ValueError:
            return "rejected"

    assert outcome(parse_with) == outcome(datetime.strptime)
