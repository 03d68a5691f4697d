"""The web workspace in a real browser (Playwright driving Debian's Chromium) against a real
`thematic serve` (gunicorn), once on SQLite and once on PostgreSQL:

- a lead signs in, imports an inspection through the import page and assigns cases;
- an inspector scores a case start to finish with the keyboard alone, saves a draft, comes back and
  submits;
- with JavaScript turned off the scoring form still saves and submits;
- axe-core (WCAG 2.2 A and AA) finds no violation on any page;
- the exported files give `thematic run` the results the workspace shows.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from a11y import axe_page_violations

from .conftest import FORCE_USER, INSPECTOR, LEAD, PROGRAMME_USER, SCORED, Workspace
from .pages import (
    AxeFindings,
    answer_every_question,
    assert_accessible,
    assert_no_error,
    assign,
    case_links,
    checked_values,
    choose_with_keyboard,
    click_button,
    follow_link_with_keyboard,
    press_button_with_keyboard,
    radio_groups,
    sign_in,
    sign_in_with_keyboard,
    statuses,
    type_with_keyboard,
)
from .workspace import inspection_archive, thematic

# Cases of SCORED given to INSPECTOR, one per test that scores, so the tests do not depend on each other.
KEYBOARD_CASE, NO_SCRIPT_CASE, EXPORTED_CASE, UNTOUCHED_CASE, REOPENED_CASE = (
    "EXA-2019-001", "EXA-2019-002", "EXA-2019-003", "EXA-2019-004", "EXA-2019-005")
GRADE = "requires_improvement"


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    yield context
    context.close()


@pytest.fixture(scope="session")
def assigned(workspace: Workspace, browser: Any) -> dict[str, str]:
    """SCORED's first five cases assigned to INSPECTOR by the lead: case id -> case page path."""
    context = browser.new_context()
    try:
        page = context.new_page()
        sign_in(page, workspace.url, LEAD, workspace.passwords[LEAD])
        wanted = [KEYBOARD_CASE, NO_SCRIPT_CASE, EXPORTED_CASE, UNTOUCHED_CASE, REOPENED_CASE]
        assign(page, workspace.url, SCORED, wanted, INSPECTOR)
        page = context.new_page()
        context.clear_cookies()
        sign_in(page, workspace.url, INSPECTOR, workspace.passwords[INSPECTOR])
        page.goto(f"{workspace.url}/inspections/{SCORED}/cases")
        links = case_links(page)
        assert set(wanted) <= set(links), f"the inspector's cases: {sorted(links)}"
        return {case: links[case] for case in wanted}
    finally:
        context.close()


def my_cases(page: Any, workspace: Workspace) -> dict[str, str]:
    page.goto(f"{workspace.url}/inspections/{SCORED}/cases")
    return statuses(page)


def test_a_lead_imports_an_inspection_and_assigns_cases(workspace: Workspace, browser: Any, tmp_path: Path) -> None:
    archive = inspection_archive("northmoor-2015", tmp_path, limit=6)
    lead = browser.new_context()
    page = lead.new_page()
    sign_in(page, workspace.url, LEAD, workspace.passwords[LEAD])
    # GOV.UK Frontend's stylesheet (copied by `make static`) is linked and served by the app itself.
    stylesheets = page.eval_on_selector_all('link[rel="stylesheet"]', "links => links.map(l => l.href)")
    govuk = [href for href in stylesheets if href.endswith("/govuk-frontend/govuk-frontend.min.css")]
    assert govuk, f"no GOV.UK Frontend stylesheet among {stylesheets}"
    response = page.request.get(govuk[0])
    assert response.status == 200 and "text/css" in response.headers["content-type"]
    page.goto(f"{workspace.url}/import")
    page.set_input_files('input[name="archive"]', str(archive))
    with page.expect_navigation():
        page.locator('form:has(input[name="archive"]) button').first.click()
    assert_no_error(page)

    assign(page, workspace.url, "northmoor-2015", ["NOR-2015-001", "NOR-2015-002", "NOR-2015-003"], INSPECTOR)
    assert_no_error(page)
    lead.close()

    inspector = browser.new_context()
    page = inspector.new_page()
    sign_in(page, workspace.url, INSPECTOR, workspace.passwords[INSPECTOR])
    page.goto(f"{workspace.url}/inspections/northmoor-2015/cases")
    assert statuses(page) == {f"NOR-2015-00{n}": "Not started" for n in (1, 2, 3)}
    inspector.close()


def test_an_inspector_scores_a_case_with_the_keyboard_alone(
    workspace: Workspace, browser: Any, context: Any, assigned: dict[str, str]
) -> None:
    page = context.new_page()
    sign_in_with_keyboard(page, workspace.url, INSPECTOR, workspace.passwords[INSPECTOR])
    page.goto(f"{workspace.url}/inspections/{SCORED}/cases")
    # GOV.UK Frontend's script (a static file) ran: the keyboard is tested with the enhancements on.
    page.wait_for_function("document.body.classList.contains('govuk-frontend-supported')")
    follow_link_with_keyboard(page, rf"{assigned[KEYBOARD_CASE]}$")

    questions = radio_groups(page, "answer-")
    assert questions, "the case page has no judgement question"
    names = list(questions)
    first_half, second_half = names[: (len(names) + 1) // 2], names[(len(names) + 1) // 2:]
    # Each question's last answer: reaching it takes arrow keys, not only Space.
    chosen = {name: questions[name][-1] for name in names}
    for name in first_half:
        choose_with_keyboard(page, name, chosen[name])
    type_with_keyboard(page, f"note-{first_half[0].removeprefix('answer-')}", "Draft note typed with the keyboard.")
    press_button_with_keyboard(page, "save")
    assert_no_error(page)

    assert my_cases(page, workspace)[KEYBOARD_CASE] == "In progress"
    page.goto(f"{workspace.url}{assigned[KEYBOARD_CASE]}")
    assert checked_values(page, "answer-") == {name: chosen[name] for name in first_half}, "the draft was not kept"
    note = page.input_value(f'[name="note-{first_half[0].removeprefix("answer-")}"]')
    assert note == "Draft note typed with the keyboard."

    for name in second_half:
        choose_with_keyboard(page, name, chosen[name])
    choose_with_keyboard(page, "grade", GRADE)
    press_button_with_keyboard(page, "submit")
    assert_no_error(page)
    assert my_cases(page, workspace)[KEYBOARD_CASE] == "Submitted"


def score_without_keyboard(page: Any, answers: str = "first") -> dict[str, str]:
    """Answer every question (each one's first answer, or with "last" its last) and grade GRADE by
    clicking; return what was chosen."""
    return answer_every_question(page, lambda index, values: values[0] if answers == "first" else values[-1], GRADE)


def test_the_scoring_form_works_without_javascript(
    workspace: Workspace, browser: Any, assigned: dict[str, str]
) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, workspace.url, INSPECTOR, workspace.passwords[INSPECTOR])
        page.goto(f"{workspace.url}{assigned[NO_SCRIPT_CASE]}")
        assert "govuk-frontend-supported" not in (page.get_attribute("body", "class") or "")
        chosen = score_without_keyboard(page)
        click_button(page, "save")
        page.goto(f"{workspace.url}{assigned[NO_SCRIPT_CASE]}")
        assert checked_values(page, "answer-") == chosen
        click_button(page, "submit")
        assert_no_error(page)
        assert my_cases(page, workspace)[NO_SCRIPT_CASE] == "Submitted"
    finally:
        context.close()


def test_submitting_an_unanswered_case_shows_the_error_summary(
    workspace: Workspace, context: Any, assigned: dict[str, str]
) -> None:
    page = context.new_page()
    sign_in(page, workspace.url, INSPECTOR, workspace.passwords[INSPECTOR])
    page.goto(f"{workspace.url}{assigned[UNTOUCHED_CASE]}")
    click_button(page, "submit")
    summary = page.locator(".govuk-error-summary")
    assert summary.count() == 1
    # Each message links to its field, as the pattern asks.
    hrefs = summary.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs and all(href.startswith("#") for href in hrefs)
    assert my_cases(page, workspace)[UNTOUCHED_CASE] != "Submitted"


def test_axe_finds_no_wcag_22_violation_on_any_page(
    workspace: Workspace, browser: Any, assigned: dict[str, str]
) -> None:
    # axe is injected as a script element, which the workspace's Content-Security-Policy forbids.
    context = browser.new_context(bypass_csp=True)
    axe = AxeFindings()

    try:
        page = context.new_page()
        page.goto(f"{workspace.url}/sign-in")
        axe.check(page, "sign-in")
        page.fill('input[name="username"]', LEAD)
        page.fill('input[name="password"]', "not the password")
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
        assert page.locator(".govuk-error-summary").count() == 1
        axe.check(page, "sign-in with an error")

        sign_in(page, workspace.url, LEAD, workspace.passwords[LEAD])
        for label, path in [("home (lead)", "/"), ("inspection (lead)", f"/inspections/{SCORED}"),
                            ("import", "/import"), ("case page (lead)", assigned[UNTOUCHED_CASE])]:
            page.goto(workspace.url + path)
            axe.check(page, label)
        context.clear_cookies()

        sign_in(page, workspace.url, INSPECTOR, workspace.passwords[INSPECTOR])
        for label, path in [("home (inspector)", "/"), ("my cases", f"/inspections/{SCORED}/cases"),
                            ("my cases, filtered", f"/inspections/{SCORED}/cases?status=not_started"),
                            ("case page", assigned[UNTOUCHED_CASE])]:
            page.goto(workspace.url + path)
            axe.check(page, label)
        click_button(page, "submit")
        axe.check(page, "case page with errors")
        context.clear_cookies()
        for user in (FORCE_USER, PROGRAMME_USER):
            sign_in(page, workspace.url, user, workspace.passwords[user])
            axe.check(page, f"home ({user})")
            context.clear_cookies()
        sign_in(page, workspace.url, INSPECTOR, workspace.passwords[INSPECTOR])
        for label, path, status in [("not found", "/inspections/no-such-inspection", 404),
                                    ("forbidden", "/import", 403)]:
            response = page.goto(workspace.url + path)
            assert response is not None and response.status == status, f"{path}: {response and response.status}"
            axe.check(page, label)

        # Two tabs on one case: the second save is refused with both versions shown.
        first, second = page, context.new_page()
        for tab in (first, second):
            tab.goto(workspace.url + assigned[UNTOUCHED_CASE])
        for tab in (first, second):
            name, values = next(iter(radio_groups(tab, "answer-").items()))
            tab.check(f'input[type="radio"][name="{name}"][value="{values[0]}"]')
            refused = click_button(tab, "save")
        assert refused is not None and refused.status == 409, f"the stale save answered {refused and refused.status}"
        axe.check(second, "version conflict")
    finally:
        context.close()
    axe.assert_none()


def test_a_lead_reopens_a_submitted_case_with_a_reason(
    workspace: Workspace, browser: Any, assigned: dict[str, str]
) -> None:
    case_page = f"{workspace.url}{assigned[REOPENED_CASE]}"
    inspector = browser.new_context()
    page = inspector.new_page()
    sign_in(page, workspace.url, INSPECTOR, workspace.passwords[INSPECTOR])
    page.goto(case_page)
    score_without_keyboard(page)
    click_button(page, "submit")
    assert my_cases(page, workspace)[REOPENED_CASE] == "Submitted"

    lead = browser.new_context(bypass_csp=True)  # for axe on the reopen form and its error
    try:
        lead_page = lead.new_page()
        sign_in(lead_page, workspace.url, LEAD, workspace.passwords[LEAD])
        lead_page.goto(case_page)
        assert_accessible(lead_page)
        with lead_page.expect_navigation() as navigation:
            lead_page.get_by_role("button", name="Reopen the case").click()
        assert navigation.value is not None and navigation.value.status == 400, "reopened without a reason"
        assert lead_page.locator(".govuk-error-summary, .govuk-error-message").count() >= 1
        assert_accessible(lead_page)

        reason = "A strategy discussion record was found after submission."
        lead_page.fill('textarea[name="reason"]', reason)
        with lead_page.expect_navigation():
            lead_page.get_by_role("button", name="Reopen the case").click()
        assert reason in lead_page.locator('[aria-labelledby="history-heading"]').inner_text()
    finally:
        lead.close()

    assert my_cases(page, workspace)[REOPENED_CASE] != "Submitted"
    page.goto(case_page)
    assert page.locator('button[name="action"][value="submit"]').count() == 1, "the inspector cannot edit it again"
    inspector.close()


def test_axe_on_a_live_page_finds_a_planted_violation(workspace: Workspace, browser: Any) -> None:
    # The check above must be able to fail on the workspace's own pages, through their CSP.
    context = browser.new_context(bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(f"{workspace.url}/sign-in")
        page.evaluate("""() => { const img = document.createElement('img');
            img.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw='; document.querySelector('main').append(img); }""")
        assert "image-alt" in {v["id"] for v in axe_page_violations(page)}
    finally:
        context.close()


def as_id(label: str) -> str:
    """A state or grade as the page labels it ("Not evidenced") -> its id ("not_evidenced")."""
    return "_".join(label.strip().lower().split())


def shown_results(page: Any) -> tuple[dict[str, tuple[str, str]], str]:
    """What the case page shows: each automatic criterion's (state, evidence), and the suggested grade."""
    rows = page.locator('[aria-labelledby="automatic-heading"] tbody tr')
    shown = {}
    for index in range(rows.count()):
        row = rows.nth(index)
        criterion = row.locator("th").inner_text().split()[0]
        state, evidence = (cell.inner_text() for cell in row.locator("td").all())
        shown[criterion] = (as_id(state), " ".join(evidence.split()))
    suggested = page.locator(".govuk-inset-text:has-text('Suggested grade') strong").first.inner_text()
    return shown, as_id(suggested)


def test_the_export_gives_thematic_run_the_workspace_results(
    workspace: Workspace, context: Any, assigned: dict[str, str], tmp_path: Path
) -> None:
    page = context.new_page()
    sign_in(page, workspace.url, INSPECTOR, workspace.passwords[INSPECTOR])
    page.goto(f"{workspace.url}{assigned[EXPORTED_CASE]}")
    chosen = score_without_keyboard(page, answers="last")
    click_button(page, "submit")
    page.goto(f"{workspace.url}{assigned[EXPORTED_CASE]}")
    shown, suggested = shown_results(page)
    assert shown, "the case page shows no automatic criterion"

    export = tmp_path / "export"
    workspace.cli("web", "export", SCORED, "-o", export)
    inspection = export / "inspection.yaml"
    assert yaml.safe_load(inspection.read_text(encoding="utf-8"))["inspection"] == SCORED
    out = tmp_path / "run"
    thematic("run", inspection, "-o", out)
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    case = next(c for c in results["cases"] if c["case_id"] == EXPORTED_CASE)

    ran = {cid: (case["results"][cid]["state"], " ".join(case["results"][cid]["evidence"].split())) for cid in shown}
    assert ran == shown
    assert case["grade"] == GRADE
    assert case["suggested_grade"] == suggested
    # Every question answered in the workspace is answered in the export: none is left pending.
    answered = {name.removeprefix("answer-") for name in chosen}
    assert [cid for cid in sorted(answered) if case["results"][cid]["state"] == "pending"] == []
