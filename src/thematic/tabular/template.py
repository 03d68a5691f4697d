"""The blank, commented mapping that `thematic import-table --template` writes for a force to fill in.

It is generated from the case model (every field a column can fill, with its kind and allowed
values), so it always matches the case-file format. Left as it is, it loads as a mapping that
maps nothing: importing with it lists every required field still to fill in.
"""
from __future__ import annotations

from thematic.tabular.targets import LIST_SECTIONS, MAIN_PART, OBJECT_SECTIONS, Target, leaf_fields

__all__ = ["template_text"]

_HEADER = """\
# Mapping for `thematic import-table`: from your export's tables to case files (format v1).
# Guide to the fields: docs/case-file-format.md. Fill in your column names, then run
#   thematic import-table cases.csv --mapping mapping.yaml -o cases/
#
# Each field below takes one of:
#   Column Name                              the column's values are already case-file values
#   {column: Column Name, values: {"High": high, "Med": medium}}
#                                            your codes, each turned into a case-file value; a cell
#                                            holding any other code is an error (quote the codes
#                                            "true" and "false", which YAML reads as true/false)
#   {column: ..., blank: VALUE}              what a blank cell means, when the rule below does not suit
#   {column: ..., split: ";"}                a list held in one cell, items separated by ";"
#   {column: ..., format: dd/mm/yyyy hh:mm}  a date format for this column only
#   {value: VALUE}                           the same value for every case, e.g. force: {value: west-midlands}
# A field left blank is not mapped. Fields marked "required" must be mapped.
#
# Blank cells, and absent, empty and null (the most important choice you make here):
#   - A section you leave blank or delete is ABSENT from every case: your export does not capture
#     it, and criteria that need it are "unable to assess".
#   - A list section (a child table under `tables:`) is [] for a case with no rows: captured, none.
#   - An object section under `cases: sections:` is null (did not happen) in a row where its
#     present_if column is blank or false, or, without present_if, where all its columns are blank.
#   - A blank cell in a "... or null" field is null (the step did not happen or was not recorded);
#     in a field with a default it leaves the default; in a list field it is []; in a required
#     field it is an error, unless you give `blank:`.
#
# Dates: write the form your export uses, e.g. dd/mm/yyyy hh:mm (mm after hh is minutes), or iso.
# Rows are numbered as a spreadsheet shows them, the heading row being row 1 (see header_row).
#
# Each table may say how to read it: header_row (the row holding the headings, default 1),
# encoding (of a CSV file, default utf-8; cp1252 for many Windows exports) and delimiter (default ,).
#
# A wide export, with repeated events side by side in one row (Referral 1 Date, Referral 1 Agency,
# Referral 2 Date, ...): map the list section under cases: sections:, writing {n} where the number
# is; the groups are read in number order and a group whose columns are all blank is skipped:
#     referrals:
#       fields: {at: "Referral {n} Date", to: {column: "Referral {n} Agency", values: {...}}}
# (Quote a name with {n} inside { }.) A list section mapped this way is left out under tables:.
#
# A reporting database instead of files: give each table a query instead of a file (query: SELECT ...)
# and run with --database-url env:NAME (a variable holding the URL), or set THEMATIC_IMPORT_DATABASE_URL.
# Docs: docs/import-table.md.
"""


def _plain(value: object) -> str:
    return "null" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def _comment(target: Target) -> str:
    if not target.required:
        need = f"optional; a blank cell gives the default, {_plain(target.default)}"
    elif target.kind == "list":
        need = "required; a blank cell is []"
    elif target.nullable:
        need = "required; a blank cell is null"
    else:
        need = "required"
    return f"{target.describe()} ({need})"


_SPECIAL = {("case", "force"): "your force code, e.g. {value: west-midlands}: "
                               "lower-case words joined by hyphens (required)"}


def _field_lines(part: str, indent: str) -> list[str]:
    lines = []
    for target in leaf_fields(part):
        key = f"{indent}{target.path}:"
        comment = _SPECIAL.get((part, target.path)) or _comment(target)
        lines.append(f"{key:<35} # {comment}")
    return lines


def template_text() -> str:
    """The blank mapping, as YAML text with comments."""
    lines = [
        _HEADER,
        "mapping: 1",
        "datetime_format: dd/mm/yyyy hh:mm   # how your export writes a date and time (or iso)",
        "date_format: dd/mm/yyyy             # how it writes a date alone (or iso)",
        'booleans: {"Y": true, "N": false}   # your codes for yes and no',
        "",
        "cases:                              # the main table: one row per case",
        "  id:                               # required: the column holding the case reference (case_id)",
        "  sheet:                            # in a workbook: the sheet (default: the first)",
        "  header_row:                       # the row holding the column headings (default: 1)",
        "  encoding:                         # a CSV file's encoding (default: utf-8; e.g. cp1252)",
        "  delimiter:                        # a CSV file's separator (default: , and a tab for .tsv)",
        "  query:                            # reading a database: the SQL query giving this table",
        "  ignore: []                        # columns you leave out on purpose (listed otherwise, as a warning)",
        "  fields:",
    ]
    lines += _field_lines(MAIN_PART, "    ")
    lines += [
        "  sections:                         # object sections from columns of the main table; "
        "leave blank if not captured",
    ]
    for section in OBJECT_SECTIONS:
        lines += [
            f"    {section}:",
            "      present_if:                   # optional: a yes/no column; blank or no makes the section null",
            "      fields:",
        ]
        lines += _field_lines(section, "        ")
    lines += [
        "",
        "tables:                             # child tables: one row per entry, joined to the case by its id",
    ]
    for section in LIST_SECTIONS:
        lines += [
            f"  {section}:",
            "    file:                           # the table's file, relative to this mapping or the main table",
            "    sheet:                          # in a workbook: the sheet",
            "    header_row:                     # the row holding the column headings (default: 1)",
            "    encoding:                       # a CSV file's encoding (default: utf-8)",
            "    delimiter:                      # a CSV file's separator (default: ,)",
            "    query:                          # reading a database: the SQL query giving this table",
            "    id:                             # the column holding the case id",
            "    fields:",
        ]
        lines += _field_lines(section, "      ")
    return "\n".join(lines) + "\n"
