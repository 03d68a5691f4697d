"""The team's flow end to end in a real browser (issue 15 item 9), once on SQLite and once on PostgreSQL:
a lead spreads an inspection's cases and draws one to double-score; the two inspectors score it blind
(neither sees the other's answers until both have submitted) and disagree on a question and the grade;
the lead decides both in the moderation queue; the live findings and the produced force report change;
the exported files give `thematic run` and `thematic agreement` what the pages show. axe-core finds no
WCAG 2.2 A/AA violation on the team's pages (moderation queue, agreement, findings, report status,
self-assessment, the programme pages). A force assesses itself and sees the inspectors' results only
once published; a programme user produces a round's programme report and a force's comparison.
"""
from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

from .conftest import FORCE_USER, INSPECTOR, LEAD, OTHER_INSPECTOR, PROGRAMME_USER, SCORED, Workspace
from .pages import (
    AxeFindings,
    answer_every_question,
    assert_accessible,
    assert_no_error,
    case_links,
    click_button,
    sign_in,
)
from .workspace import thematic, unscored_inspection

TEAM = "southvale-2019"  # an inspection no other browser test uses
CASES = 6  # a share of 10% draws one case to double-score
REPORT_TIMEOUT = 300.0  # seconds for a force report made in the background
GRADES = {INSPECTOR: "good", OTHER_INSPECTOR: "inadequate"}


_IMPORTED: set[tuple[str, str]] = set()  # (database, inspection): each imported once per workspace


def _imported(workspace: Workspace, inspection: str, folder: Path, limit: int) -> None:
    """Import INSPECTION (its first `limit` cases, nobody's answers) unless this workspace has it."""
    if (workspace.backend, inspection) not in _IMPORTED:
        workspace.cli("web", "import", unscored_inspection(inspection, folder / inspection, limit=limit))
        _IMPORTED.add((workspace.backend, inspection))


def _lead_form(page: Any, field: str, inspectors: tuple[str, ...], button: str, **inputs: str) -> None:
    """On the lead's inspection page: tick the inspectors in the form holding `field`, fill, press."""
    form = page.locator(f'form:has([name="{field}"])')
    for name, value in inputs.items():
        form.locator(f'[name="{name}"]').fill(value)
    for name in inspectors:
        form.locator(f'input[name="{field}"][value="{name}"]').check()
    with page.expect_navigation():
        form.get_by_role("button", name=button).click()
    assert_no_error(page)


def _score(page: Any, url: str, path: str, who: str, first_answer: int, *, marker: str,
           grade: str | None = None) -> dict[str, str]:
    """Answer the case: every question's first answer except the first question's `first_answer`-th,
    a note carrying `marker` on the first question, the scorer's grade; submit. What was chosen."""
    page.goto(url + path)
    chosen = answer_every_question(page, lambda index, values: values[first_answer if index == 0 else 0],
                                   grade or GRADES[who])
    assert chosen, f"no question on {path}"
    page.fill(f'[name="note-{next(iter(chosen)).removeprefix("answer-")}"]', marker)
    click_button(page, "submit")
    assert_no_error(page)
    return chosen


def _findings(page: Any, url: str, question: str) -> tuple[str, str]:
    """The lead's findings page now: the question's row and the grades table, as text."""
    page.goto(f"{url}/inspections/{TEAM}/findings")
    row = page.locator(f'tr:has([data-criterion="{question}"])').inner_text()
    return " ".join(row.split()), " ".join(page.locator("#grades").inner_text().split())


def _grades_text(html: str) -> str:
    """A force report's grades section as text (tags and spacing dropped)."""
    found = re.search(r'<section aria-labelledby="grades">(.*?)</section>', html, re.S)
    assert found, "the report has no grades section"
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def _produce_report(page: Any, url: str) -> str:
    """As the lead: produce the force report, wait on its status page, return the downloaded HTML."""
    page.goto(f"{url}/inspections/{TEAM}/findings")
    _wait_for_report(page, "Produce the force report")
    hrefs = page.eval_on_selector_all("a[download]", "links => links.map(a => a.href)")
    html = next((h for h in hrefs if h.endswith(".html")), None)
    assert html is not None and any(h.endswith(".pdf") for h in hrefs), hrefs
    response = page.request.get(html)
    assert response.status == 200
    return str(response.text())


def _wait_for_report(page: Any, button: str | re.Pattern[str]) -> None:
    """Press the button that produces a report; wait on its status page until it is done."""
    with page.expect_navigation():
        page.get_by_role("button", name=button).first.click()
    deadline = time.monotonic() + REPORT_TIMEOUT
    while page.locator('#report-state[data-state="running"]').count():
        assert time.monotonic() < deadline, "the force report was not produced in time"
        time.sleep(2)
        page.reload()
    state = page.locator("#report-state")
    assert state.get_attribute("data-state") == "done", page.inner_text("main")[:2000]


def test_two_inspectors_disagree_blind_the_lead_moderates_and_findings_report_and_exports_follow(
    workspace: Workspace, browser: Any, tmp_path: Path
) -> None:
    url = workspace.url
    _imported(workspace, TEAM, tmp_path, CASES)
    lead_context = browser.new_context(bypass_csp=True)  # axe is injected as a script: past the CSP
    contexts = {who: browser.new_context() for who in (INSPECTOR, OTHER_INSPECTOR)}
    axe = AxeFindings()

    try:
        lead = lead_context.new_page()
        sign_in(lead, url, LEAD, workspace.passwords[LEAD])
        lead.goto(f"{url}/inspections/{TEAM}")
        _lead_form(lead, "spread-inspector", (INSPECTOR, OTHER_INSPECTOR), "Spread evenly")
        _lead_form(lead, "double-inspector", (INSPECTOR, OTHER_INSPECTOR), "Draw cases to double-score",
                   share="10", seed="15")

        pages, links = {}, {}
        for who, context in contexts.items():
            pages[who] = context.new_page()
            sign_in(pages[who], url, who, workspace.passwords[who])
            pages[who].goto(f"{url}/inspections/{TEAM}/cases")
            links[who] = case_links(pages[who])
        shared = sorted(set(links[INSPECTOR]) & set(links[OTHER_INSPECTOR]))
        assert len(shared) == 1, f"double-scored: {shared}"
        case = shared[0]

        # Blind: the first inspector submits; the second sees nothing of it, nor does the lead.
        first_marker, second_marker = f"Blind note by {INSPECTOR}.", f"Blind note by {OTHER_INSPECTOR}."
        first = _score(pages[INSPECTOR], url, links[INSPECTOR][case], INSPECTOR, 0, marker=first_marker)
        pages[OTHER_INSPECTOR].goto(url + links[OTHER_INSPECTOR][case])
        assert first_marker not in pages[OTHER_INSPECTOR].content()
        lead.goto(f"{url}/inspections/{TEAM}/moderation")
        axe.check(lead, "moderation queue (empty)")
        assert lead.locator(f'[data-queue="open"][data-case="{case}"]').count() == 0, "a blind case is queued"
        second = _score(pages[OTHER_INSPECTOR], url, links[OTHER_INSPECTOR][case], OTHER_INSPECTOR, 1,
                        marker=second_marker)
        question_field = next(iter(first))
        question = question_field.removeprefix("answer-")
        assert first[question_field] != second[question_field]

        findings_before = _findings(lead, url, question)
        report_before = _produce_report(lead, url)
        axe.check(lead, "report status")

        # The lead moderates: the question as the second inspector answered, the grade as the first.
        lead.goto(f"{url}/inspections/{TEAM}/moderation")
        axe.check(lead, "moderation queue")
        queued = lead.locator(f'[data-queue="open"][data-case="{case}"]')
        assert queued.count() == 1, lead.inner_text("main")[:2000]
        items = queued.locator(".thematic-disagreement").evaluate_all("ds => ds.map(d => d.dataset.item)")
        assert set(items) == {question, "grade"}, items
        assert first_marker in queued.inner_text() and second_marker in queued.inner_text()  # side by side
        decided = {question: second[question_field], "grade": GRADES[INSPECTOR]}
        for item, value in decided.items():
            entry = lead.locator(f'[data-queue="open"] .thematic-disagreement[data-case="{case}"][data-item="{item}"]')
            entry.locator(f'input[name="value"][value="{value}"]').check()
            entry.locator('textarea[name="reason"]').fill(f"Team flow: the case record supports {value}.")
            with lead.expect_navigation():
                entry.get_by_role("button", name=re.compile("Record the decision")).click()
            assert_no_error(lead)
        decided_section = lead.locator(f'[data-queue="decided"][data-case="{case}"]')
        for item, value in decided.items():
            shown_value = decided_section.locator(f'[data-decided="{item}"]').inner_text().lower()
            assert value.replace("_", " ") in shown_value, (value, shown_value)
        axe.check(lead, "moderation queue (decided)")

        findings_after = _findings(lead, url, question)
        axe.check(lead, "findings")
        assert findings_after[0] != findings_before[0], f"the findings of {question} did not change"
        assert findings_after[1] != findings_before[1], "the grades on the findings page did not change"
        report_after = _produce_report(lead, url)
        assert _grades_text(report_after) != _grades_text(report_before), "the report's grades did not change"

        lead.goto(f"{url}/inspections/{TEAM}/agreement")
        axe.check(lead, "agreement")
        shown = {row["item"]: row for row in lead.eval_on_selector_all(
            "tr[data-item]", "rows => rows.map(r => ({...r.dataset}))")}
        lead.goto(f"{url}/inspections/{TEAM}/self-assessment")
        axe.check(lead, "self-assessment (lead)")
    finally:
        lead_context.close()
        for context in contexts.values():
            context.close()

    # The export gives `thematic run` what the findings page and the report show...
    export = tmp_path / "export"
    workspace.cli("web", "export", TEAM, "-o", export)
    assert (export / "judgements" / f"{TEAM}-moderation.yaml").is_file()
    run = tmp_path / "run"
    thematic("run", export / "inspection.yaml", "-o", run)
    results = json.loads((run / "results.json").read_text(encoding="utf-8"))
    ran = next(c for c in results["cases"] if c["case_id"] == case)
    assert ran["grade"] == GRADES[INSPECTOR]
    summary = results["summary"]["criteria"][question]
    assert findings_after[0].startswith(f"{question}"), findings_after[0]
    assert f"{summary['met']} of {summary['assessed']}" in findings_after[0], (summary, findings_after[0])
    assert _grades_text((run / "report.html").read_text(encoding="utf-8")) == _grades_text(report_after)
    # ...and `thematic agreement` the agreement page's figures.
    agreement = tmp_path / "agreement.json"
    thematic("agreement", export / "inspection.yaml", "-o", agreement)
    items = {item["item"]: item for item in json.loads(agreement.read_text(encoding="utf-8"))["items"]}
    for item in (question, "grade"):
        assert int(shown[item]["double"]) == items[item]["cases_double_scored"] == 1
        assert int(shown[item]["agreed"]) == items[item]["agreed"] == 0
        assert float(shown[item]["raw"]) == items[item]["raw_agreement"]
    axe.assert_none()


def test_a_force_assesses_itself_and_sees_the_inspectors_results_once_published(
    workspace: Workspace, browser: Any, tmp_path: Path
) -> None:
    inspection, force, force_user = "eastport-2019", "eastport", "force-e"
    _imported(workspace, inspection, tmp_path, 2)
    password = "force-e-" + workspace.passwords[FORCE_USER]
    workspace.cli("web", "adduser", force_user, "--role", "force", "--force", force, "--password-stdin",
                  stdin=password + "\n")
    url = workspace.url
    lead_context, inspector_context = browser.new_context(bypass_csp=True), browser.new_context()
    force_context = browser.new_context(bypass_csp=True)
    axe = AxeFindings()

    try:
        lead = lead_context.new_page()
        sign_in(lead, url, LEAD, workspace.passwords[LEAD])
        lead.goto(f"{url}/inspections/{inspection}")
        _lead_form(lead, "spread-inspector", (INSPECTOR,), "Spread evenly")
        inspector = inspector_context.new_page()
        sign_in(inspector, url, INSPECTOR, workspace.passwords[INSPECTOR])
        inspector.goto(f"{url}/inspections/{inspection}/cases")
        for path in case_links(inspector).values():
            _score(inspector, url, path, INSPECTOR, 0, marker="Inspector's note.")

        lead.goto(f"{url}/inspections/{inspection}/self-assessment")
        with lead.expect_navigation():
            lead.get_by_role("button", name=re.compile("Open the self-assessment")).click()
        axe.check(lead, "self-assessment (lead, opened)")

        page = force_context.new_page()
        sign_in(page, url, force_user, password)
        page.goto(f"{url}/inspections/{inspection}/self-assessment")
        axe.check(page, "self-assessment (force)")
        own = page.eval_on_selector_all("#self-assessment-cases a", "links => links.map(a => a.getAttribute('href'))")
        assert own, page.inner_text("main")[:1000]
        for path in own:
            _score(page, url, path, force_user, 1, marker="The force's own note.", grade="requires_improvement")
        page.goto(f"{url}/inspections/{inspection}/self-assessment")
        assert page.locator("#criteria").count() == 0, "the force sees the comparison before publishing"
        assert "Inspector's note." not in page.content()

        lead.goto(f"{url}/inspections/{inspection}/self-assessment")
        with lead.expect_navigation():
            lead.get_by_role("button", name="Publish the inspection to the force").click()
        page.goto(f"{url}/inspections/{inspection}/self-assessment")
        assert page.locator("#criteria").count() == 1, page.inner_text("main")[:1000]
        axe.check(page, "self-assessment with the comparison (force)")
    finally:
        for context in (lead_context, inspector_context, force_context):
            context.close()
    axe.assert_none()


def test_axe_finds_no_violation_on_the_forces_self_assessment_page(workspace: Workspace, browser: Any) -> None:
    context = browser.new_context(bypass_csp=True)
    try:
        page = context.new_page()
        sign_in(page, workspace.url, FORCE_USER, workspace.passwords[FORCE_USER])
        response = page.goto(f"{workspace.url}/inspections/{SCORED}/self-assessment")
        assert response is not None and response.status == 200, response and response.status
        assert_accessible(page)
    finally:
        context.close()


def test_axe_finds_no_violation_on_the_programme_pages(workspace: Workspace, browser: Any, tmp_path: Path) -> None:
    # Two forces in the 2019 round, and a force inspected in 2015 and 2019 for a year-on-year comparison.
    for inspection, limit in ((TEAM, CASES), ("eastport-2019", 2), ("southvale-2015", 3)):
        _imported(workspace, inspection, tmp_path, limit)
    context = browser.new_context(bypass_csp=True)
    axe = AxeFindings()

    try:
        page = context.new_page()
        sign_in(page, workspace.url, PROGRAMME_USER, workspace.passwords[PROGRAMME_USER])
        for label, path in (("programme", "/programme"), ("round", "/programme/rounds/2019"),
                            ("force", "/programme/forces/southvale")):
            response = page.goto(workspace.url + path)
            assert response is not None and response.status == 200, f"{path}: {response and response.status}"
            axe.check(page, label)
        page.goto(f"{workspace.url}/programme/rounds/2019")
        _wait_for_report(page, "Produce the programme report")
        axe.check(page, "programme report status")
        page.goto(f"{workspace.url}/programme/forces/southvale")
        _wait_for_report(page, re.compile("Compare 2019 with 2015"))
        axe.check(page, "comparison status")
    finally:
        context.close()
    axe.assert_none()
