"""What a person does in the workspace's pages, in Playwright terms (URLs, field names and button texts
from the web contract): sign in, open an inspection's cases, assign, answer a case form by clicking or
with the keyboard alone (Tab, arrows, Space, Enter, typing: never a click), and what axe-core finds.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from a11y import axe_page_violations, describe_violations

MAX_TABS = 600  # a case page has a few dozen controls: more Tabs than this means one is unreachable


def sign_in(page: Any, url: str, user: str, password: str) -> None:
    page.goto(f"{url}/sign-in")
    page.fill('input[name="username"]', user)
    page.fill('input[name="password"]', password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert "/sign-in" not in page.url, f"{user} could not sign in: {page.inner_text('main')[:500]}"


def focused(page: Any, selector: str) -> bool:
    return bool(page.evaluate("s => document.activeElement !== null && document.activeElement.matches(s)", selector))


def tab_to(page: Any, selector: str) -> None:
    """Press Tab until the focused element matches `selector` (as a keyboard user reaches it)."""
    for _ in range(MAX_TABS):
        if focused(page, selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} cannot be reached with the Tab key on {page.url}")


def sign_in_with_keyboard(page: Any, url: str, user: str, password: str) -> None:
    page.goto(f"{url}/sign-in")
    tab_to(page, 'input[name="username"]')
    page.keyboard.type(user)
    tab_to(page, 'input[name="password"]')
    page.keyboard.type(password)
    with page.expect_navigation():
        page.keyboard.press("Enter")  # submits the form, as in any browser
    assert "/sign-in" not in page.url, f"{user} could not sign in with the keyboard"


def follow_link_with_keyboard(page: Any, href_pattern: str) -> None:
    """Tab to the first link whose href matches the regular expression, press Enter, wait for the page."""
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    target = next((h for h in hrefs if re.search(href_pattern, h)), None)
    assert target is not None, f"no link matching {href_pattern} on {page.url}"
    tab_to(page, f'a[href="{target}"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")


def radio_groups(page: Any, prefix: str) -> dict[str, list[str]]:
    """Radio groups whose name starts with `prefix`, in page order: name -> values in page order."""
    pairs = page.eval_on_selector_all(
        f'input[type="radio"][name^="{prefix}"]', "inputs => inputs.map(i => [i.name, i.value])")
    groups: dict[str, list[str]] = {}
    for name, value in pairs:
        groups.setdefault(name, []).append(value)
    return groups


def choose_with_keyboard(page: Any, name: str, value: str) -> None:
    """Select `value` in radio group `name`: Tab into the group, then Space or arrow keys."""
    values = radio_groups(page, name)[name]
    tab_to(page, f'input[type="radio"][name="{name}"]')
    current = page.evaluate("() => document.activeElement.value")
    steps = (values.index(value) - values.index(current)) % len(values)
    if steps == 0:
        page.keyboard.press("Space")
    for _ in range(steps):
        page.keyboard.press("ArrowDown")  # moves to the next radio and selects it
    assert page.is_checked(f'input[type="radio"][name="{name}"][value="{value}"]'), f"{name}={value} not selected"


def type_with_keyboard(page: Any, name: str, text: str) -> None:
    tab_to(page, f'[name="{name}"]')
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def press_button_with_keyboard(page: Any, action: str) -> None:
    tab_to(page, f'button[name="action"][value="{action}"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")


def answer_every_question(page: Any, pick: Callable[[int, list[str]], str], grade: str) -> dict[str, str]:
    """On a case page, by clicking: each question's answer `pick(index, values)` (the question's place on
    the page, its answers in page order), then the grade. What was chosen: field name -> value."""
    chosen = {}
    for index, (name, values) in enumerate(radio_groups(page, "answer-").items()):
        chosen[name] = pick(index, values)
        page.check(f'input[type="radio"][name="{name}"][value="{chosen[name]}"]')
    page.check(f'input[type="radio"][name="grade"][value="{grade}"]')
    return chosen


def click_button(page: Any, action: str) -> Any:
    """Click the case form's "save" or "submit" button; the response of the page it leads to."""
    with page.expect_navigation() as navigation:
        page.click(f'button[name="action"][value="{action}"]')
    return navigation.value


def assert_no_error(page: Any) -> None:
    """The page shows no error summary (what was asked was done); else the page's text says why."""
    assert page.locator(".govuk-error-summary").count() == 0, page.inner_text("main")[:1000]


def checked_values(page: Any, prefix: str) -> dict[str, str]:
    pairs = page.eval_on_selector_all(
        f'input[type="radio"][name^="{prefix}"]:checked', "inputs => inputs.map(i => [i.name, i.value])")
    return dict(pairs)


def case_links(page: Any) -> dict[str, str]:
    """On a "My cases" page: case id (the link text) -> the case page's path."""
    pairs = page.eval_on_selector_all(
        'a[href*="/assignments/"]', "links => links.map(a => [a.textContent.trim(), a.getAttribute('href')])")
    return dict(pairs)


def statuses(page: Any) -> dict[str, str]:
    """On a "My cases" page: case id -> the status tag's text, read from each table row."""
    rows = page.eval_on_selector_all("table tbody tr", """rows => rows.map(r => {
        const link = r.querySelector('a'); const tag = r.querySelector('.govuk-tag');
        return [link ? link.textContent.trim() : '', tag ? tag.textContent.trim() : ''];
    })""")
    return {case: status for case, status in rows if case}


def assert_accessible(page: Any) -> None:
    """axe-core (WCAG 2.2 A/AA) finds nothing on the page as it is now."""
    violations = axe_page_violations(page)
    assert violations == [], f"{page.url}:\n{describe_violations(violations)}"


class AxeFindings:
    """What axe-core finds on each page a test checks, by label: the test goes on through every page
    and fails once at the end with all of them (one page's violation does not hide the next's)."""

    def __init__(self) -> None:
        self.problems: dict[str, str] = {}

    def check(self, page: Any, label: str) -> None:
        try:
            assert_accessible(page)
        except AssertionError as error:
            self.problems[label] = str(error)

    def assert_none(self) -> None:
        assert not self.problems, "\n\n".join(f"{label}: {text}" for label, text in self.problems.items())


def assign(page: Any, url: str, inspection: str, case_ids: list[str], scorer: str) -> None:
    """As a signed-in lead: on the inspection page, pick the cases (by case id) and the scorer, assign."""
    page.goto(f"{url}/inspections/{inspection}")
    form = page.locator('form:has([name="scorer"])')
    if form.locator('select[name="case"]').count():
        form.locator('select[name="case"]').select_option(label=case_ids)
    else:
        boxes = form.locator('input[name="case"]')
        wanted = set(case_ids)
        for index in range(boxes.count()):
            box = boxes.nth(index)
            # the case id is the box's label, or its table row's text
            text = box.evaluate("""i => {
                const label = i.id ? document.querySelector(`label[for="${i.id}"]`) : null;
                const row = i.closest('tr');
                return (label ? label.textContent : '') + ' ' + (row ? row.textContent : '');
            }""")
            matched = {case for case in wanted if re.search(rf"\b{re.escape(case)}\b", text)}
            if matched:
                box.check()
                wanted -= matched
        assert not wanted, f"no checkbox for cases {sorted(wanted)} on {page.url}"
    scorer_field = form.locator('[name="scorer"]')
    if scorer_field.first.evaluate("e => e.tagName") == "SELECT":
        scorer_field.select_option(scorer)
    else:
        form.locator(f'input[name="scorer"][value="{scorer}"]').check()
    with page.expect_navigation():
        form.locator('button[type="submit"], button:not([type]), input[type="submit"]').first.click()
