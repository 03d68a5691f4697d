"""Agreement in the workspace (issue 15 item 4): the page's figures are the library's, equal to what
`thematic agreement` gives on the workspace's export, count only pairs both inspectors submitted, change
as they submit, and carry the kappa-paradox note where the library gives it. (Its permission rows are in
test_team_moderation.py's MATRIX.)
"""
from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

from web_helpers import World, client_for, world

from thematic.load.sample import load_sample
from thematic.render.agreement import agreement_section
from thematic.render.views import Suppression
from thematic.scoring.prepare import load_inspection
from thematic.stats.agreement import agreement_from_sample
from thematic.web.assigning import double_score
from thematic.web.criteria_cache import criteria_of
from thematic.web.entries import Entries
from thematic.web.exporting import export_inspection
from thematic.web.models import INSPECTION_KIND, Assignment, Case
from thematic.web.saving import questions, save

FIGURES = ("double", "agreed", "raw", "raw-low", "raw-high", "kappa", "alpha", "ac1")


def _pairs(w: World) -> list[tuple[Assignment, Assignment]]:
    """Half the cases drawn for double scoring: (insp-a's assignment, insp-b's), in sample order."""
    drawn = double_score(w.inspection, 50, 3, [w.insp_a, w.insp_b], w.lead)
    pairs = []
    for row in Case.objects.filter(inspection=w.inspection, case_id__in=drawn.drawn).order_by("position"):
        both = {a.scorer.username: a for a in row.assignments.filter(kind=INSPECTION_KIND).select_related(
            "scorer", "case", "case__inspection")}
        pairs.append((both["insp-a"], both["insp-b"]))
    return pairs


def _score(assignment: Assignment, flip: set[str], grade: str, *, submit: bool = True) -> None:
    """Every applicable question answered with its first answer, or its second for the ids in `flip`."""
    criteria = criteria_of(assignment.case.inspection)
    answers = {}
    for cid in questions(assignment):
        offered = list(criteria.criterion(cid).definition.answers or {})
        answers[cid] = offered[1] if cid in flip else offered[0]
    version = Assignment.objects.get(pk=assignment.pk).version
    save(assignment, assignment.scorer, Entries(answers=answers, grade=grade), version=version, submit=submit)


def _varied(pairs: list[tuple[Assignment, Assignment]]) -> str:
    """Both scorers of every pair submit, agreeing mostly: insp-b answers the first question of the first
    case differently (the kappa paradox), and grades vary. The question that differs once."""
    grades = ["good", "requires_improvement", "inadequate"]
    paradox = questions(pairs[0][0])[0]
    for n, (a, b) in enumerate(pairs):
        _score(a, set(), grades[n % 3])
        _score(b, {paradox} if n == 0 else set(), grades[(n + (n % 2)) % 3])
    return paradox


def _page_rows(page: str) -> dict[str, dict[str, str]]:
    rows = {}
    for match in re.finditer(r'<tr class="govuk-table__row" data-item="([^"]+)"([^>]*)>', page):
        rows[match.group(1)] = dict(re.findall(r'data-([a-z0-9-]+)="([^"]*)"', match.group(2)))
    return rows


def _same(page_value: str, value: float | int | None) -> bool:
    if value is None:
        return page_value == ""
    return abs(float(page_value) - float(value)) < 1e-12


def test_the_page_gives_the_figures_thematic_agreement_gives_on_the_export(web_db: str, tmp_path: Path) -> None:
    w = world()
    pairs = _pairs(w)
    assert len(pairs) >= 8
    paradox = _varied(pairs)
    response = client_for(w.lead).get(f"/inspections/{w.inspection.slug}/agreement")
    assert response.status_code == 200
    page = response.content.decode()
    shown = _page_rows(page)
    exported = export_inspection(w.inspection, tmp_path / "export")
    if web_db == "sqlite":  # the real command, once: the files are the same whatever the database
        done = subprocess.run([sys.executable, "-m", "thematic", "agreement", str(exported),
                               "-o", str(tmp_path / "agreement.json")],
                              capture_output=True, text=True, check=False, timeout=300)
        assert done.returncode == 0, done.stderr
        document = json.loads((tmp_path / "agreement.json").read_text())
    else:  # the command's own code path, in process
        document = agreement_from_sample(load_sample(load_inspection(exported))).to_json()
    items = [i for i in document["items"] if i["cases_double_scored"] > 0]
    assert sorted(shown) == sorted(i["item"] for i in items)
    for item in items:
        row = shown[item["item"]]
        expected = {"double": item["cases_double_scored"], "agreed": item["agreed"], "raw": item["raw_agreement"],
                    "raw-low": item["raw_ci_low"], "raw-high": item["raw_ci_high"],
                    "kappa": item["cohens_kappa"]["value"], "alpha": item["krippendorff_alpha"]["value"],
                    "ac1": item["gwet_ac1"]["value"]}
        assert all(_same(row[name], expected[name]) for name in FIGURES), (item["item"], row, expected)
    grade = next(i for i in items if i["item"] == "grade")
    assert grade["cases_double_scored"] == len(pairs)
    # The kappa-paradox note, as the library words it for the command's document.
    section = agreement_section(document, Suppression(None))
    assert section is not None
    notes = {r.item: r.paradox for r in section.rows if r.paradox}
    assert paradox in notes
    shown_notes = dict(re.findall(r'data-paradox="([^"]+)">([^<]*)</div>', page))
    assert {item: html.unescape(text) for item, text in shown_notes.items()} == notes


def test_only_pairs_both_inspectors_submitted_count_and_the_page_follows_submissions(web_db: str) -> None:
    w = world()
    pairs = _pairs(w)
    url = f"/inspections/{w.inspection.slug}/agreement"
    client = client_for(w.lead)
    assert 'id="no-agreement"' in client.get(url).content.decode()
    (a1, b1), (a2, b2) = pairs[:2]
    _score(a1, set(), "good")
    _score(b1, set(), "inadequate")
    _score(a2, set(), "good")
    _score(b2, set(), "good", submit=False)  # a draft: the second case is still blind, so it does not count
    rows = _page_rows(client.get(url).content.decode())
    assert rows["grade"]["double"] == "1" and rows["grade"]["agreed"] == "0"
    _score(b2, set(), "good")  # now submitted: the pair counts, on the next request
    rows = _page_rows(client.get(url).content.decode())
    assert rows["grade"]["double"] == "2" and rows["grade"]["agreed"] == "1"
    assert _same(rows["grade"]["raw"], 0.5)


def test_a_case_with_a_scorer_still_at_work_does_not_count(web_db: str) -> None:
    w = world()
    (a1, b1), (a2, b2) = _pairs(w)[:2]
    for a, b in ((a1, b1), (a2, b2)):
        _score(a, set(), "good")
        _score(b, set(), "inadequate")
    # A third inspector on the second case, not submitted yet: that case is blind again.
    Assignment.objects.create(case=a2.case, scorer=w.outsider, kind=INSPECTION_KIND)
    rows = _page_rows(client_for(w.lead).get(f"/inspections/{w.inspection.slug}/agreement").content.decode())
    assert rows["grade"]["double"] == "1"
