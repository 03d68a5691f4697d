"""A lead's bulk assignment (issue 15 item 1): spreading unassigned cases evenly, and drawing a share of
cases to double-score, stratified by category from a seed with `thematic sample`'s sampling code."""
from __future__ import annotations

from collections import Counter

from django.contrib.auth.models import User
from django.db import transaction
from web_helpers import EXAMPLE, PASSWORD, client_for, world

from thematic.stats.sampling import stratified_sample
from thematic.web.accounts import add_user
from thematic.web.importing import import_inspection
from thematic.web.models import ASSIGNED, Assignment, Case, Event, Inspection
from thematic.web.saving import assign


def _unassigned() -> tuple[User, dict[str, User], Inspection]:
    """A lead, three inspectors and the example inspection with no case assigned yet."""
    lead = add_user("lead-a", "lead", password=PASSWORD)[0]
    inspectors = {name: add_user(name, "inspector", password=PASSWORD)[0] for name in ("insp-a", "insp-b", "insp-c")}
    return lead, inspectors, import_inspection(EXAMPLE, actor=lead, answers=False)


def _second_scorers(inspection: Inspection) -> dict[str, set[str]]:
    """case id -> its scorers, for double-scored cases."""
    found: dict[str, set[str]] = {}
    for case_id, scorer in Assignment.objects.filter(case__inspection=inspection, case__double_scored=True) \
            .values_list("case__case_id", "scorer__username"):
        found.setdefault(case_id, set()).add(scorer)
    return found


def test_spreading_evenly_gives_each_unassigned_case_to_the_inspectors_in_turn(web_db: str) -> None:
    lead, inspectors, inspection = _unassigned()
    cases = list(Case.objects.filter(inspection=inspection).order_by("position"))
    assign(cases[:2], inspectors["insp-c"], lead)  # by hand first: these two are left alone
    response = client_for(lead).post(f"/inspections/{inspection.slug}/spread",
                                     {"spread-inspector": ["insp-b", "insp-a"]})
    assert response.status_code == 302 and response["Location"].endswith(f"?done=spread-{len(cases) - 2}")
    scorers = dict(Assignment.objects.filter(case__inspection=inspection).values_list("case_id", "scorer__username"))
    assert [scorers[c.pk] for c in cases[:2]] == ["insp-c", "insp-c"]
    # Round robin in sample order, inspectors in name order whatever order the form sent them.
    assert [scorers[c.pk] for c in cases[2:]] == [("insp-a", "insp-b")[i % 2] for i in range(len(cases) - 2)]
    counts = Counter(scorers[c.pk] for c in cases[2:])
    assert abs(counts["insp-a"] - counts["insp-b"]) <= 1
    events = Event.objects.filter(inspection=inspection, kind=ASSIGNED, reason="spread evenly")
    assert events.count() == len(cases) - 2 and {e.actor_ref for e in events} == {"lead-a"}
    # Nothing is left to spread: a second press assigns nothing and changes nothing.
    again = client_for(lead).post(f"/inspections/{inspection.slug}/spread", {"spread-inspector": ["insp-a"]})
    assert again["Location"].endswith("?done=spread-0")
    assert Assignment.objects.filter(case__inspection=inspection).count() == len(cases)


def test_double_scoring_draws_the_same_cases_from_the_same_seed_stratified_by_category(web_db: str) -> None:
    lead, inspectors, inspection = _unassigned()
    client = client_for(lead)
    client.post(f"/inspections/{inspection.slug}/spread", {"spread-inspector": ["insp-a", "insp-b", "insp-c"]})
    cases = list(Case.objects.filter(inspection=inspection).order_by("position"))

    def drawn(seed: str) -> dict[str, set[str]]:
        with transaction.atomic():  # a savepoint: each draw starts from the same assignments
            response = client.post(f"/inspections/{inspection.slug}/double-score",
                                   {"share": "25", "seed": seed, "double-inspector": ["insp-a", "insp-b", "insp-c"]})
            assert response.status_code == 302, response.content.decode()[:2000]
            found = _second_scorers(inspection)
            transaction.set_rollback(True)
        return found

    first, again, other = drawn("2019"), drawn("2019"), drawn("7")
    assert first == again and set(first) != set(other)
    size = round(0.25 * len(cases))
    assert len(first) == size
    # The same draw as `thematic sample` makes of this register: categories in sample order, the seed.
    expected = stratified_sample([c.category for c in cases], size, seed=2019)
    assert set(first) == {cases[i].case_id for i in expected.selected}
    by_category = Counter(c.category for c in cases if c.case_id in first)
    assert by_category == {s.name: s.sample for s in expected.strata if s.sample}
    # Two different inspectors on each drawn case.
    assert all(len(scorers) == 2 for scorers in first.values())


def test_each_second_inspector_differs_from_the_first_and_the_seconds_are_spread_evenly(web_db: str) -> None:
    lead, inspectors, inspection = _unassigned()
    client = client_for(lead)
    client.post(f"/inspections/{inspection.slug}/spread", {"spread-inspector": ["insp-a"]})  # insp-a scores all
    response = client.post(f"/inspections/{inspection.slug}/double-score",
                           {"share": "50", "seed": "3", "double-inspector": ["insp-a", "insp-b", "insp-c"]})
    assert response.status_code == 302
    seconds = Counter(s for scorers in _second_scorers(inspection).values() for s in scorers - {"insp-a"})
    assert set(seconds) == {"insp-b", "insp-c"} and abs(seconds["insp-b"] - seconds["insp-c"]) <= 1
    events = Event.objects.filter(inspection=inspection, kind=ASSIGNED, reason__startswith="double scoring")
    assert events.count() == sum(seconds.values())
    assert all("seed 3" in e.reason and e.after in ("insp-b", "insp-c") for e in events)
    assert Case.objects.filter(inspection=inspection, double_scored=True).count() == sum(seconds.values())
    # Drawing the same again adds nobody: each drawn case already has its second inspector.
    client.post(f"/inspections/{inspection.slug}/double-score",
                {"share": "50", "seed": "3", "double-inspector": ["insp-b", "insp-c"]})
    assert Event.objects.filter(inspection=inspection, kind=ASSIGNED, reason__startswith="double scoring").count() \
        == sum(seconds.values())


def test_a_double_scoring_form_that_cannot_be_met_is_refused_with_a_located_error_and_nothing_changes(
        web_db: str) -> None:
    lead, inspectors, inspection = _unassigned()
    client = client_for(lead)
    url = f"/inspections/{inspection.slug}/double-score"
    everyone = ["insp-a", "insp-b"]
    # Drawn cases with no first inspector yet.
    refused = client.post(url, {"share": "20", "seed": "1", "double-inspector": everyone})
    assert refused.status_code == 400 and "Assign every drawn case" in refused.content.decode()
    client.post(f"/inspections/{inspection.slug}/spread", {"spread-inspector": ["insp-a"]})
    before = Event.objects.filter(inspection=inspection).count()
    for form, message in [
        ({"share": "0", "seed": "1", "double-inspector": everyone}, "between 0 and 100"),
        ({"share": "101", "seed": "1", "double-inspector": everyone}, "between 0 and 100"),
        ({"share": "nan", "seed": "1", "double-inspector": everyone}, "between 0 and 100"),
        ({"share": "a fifth", "seed": "1", "double-inspector": everyone}, "as a percentage"),
        ({"share": "20", "seed": "-1", "double-inspector": everyone}, "whole number"),
        ({"share": "20", "seed": "", "double-inspector": everyone}, "whole number"),
        ({"share": "20", "seed": "1"}, "Choose at least one inspector"),
        ({"share": "20", "seed": "1", "double-inspector": ["insp-a", "nobody-x"]}, "nobody-x is not an inspector"),
        ({"share": "20", "seed": "1", "double-inspector": ["insp-a"]}, "other than its first"),
    ]:
        response = client.post(url, form)
        page = response.content.decode()
        assert response.status_code == 400, form
        assert message in page and 'href="#double-inspector"' in page and "govuk-error-summary" in page, form
    assert Event.objects.filter(inspection=inspection).count() == before
    assert not Case.objects.filter(inspection=inspection, double_scored=True).exists()


def test_only_a_lead_spreads_or_double_scores(web_db: str) -> None:
    w = world()
    for path in ("spread", "double-score"):
        url = f"/inspections/{w.inspection.slug}/{path}"
        form = {"share": "20", "seed": "1", "double-inspector": ["insp-a", "insp-b"], "spread-inspector": ["insp-a"]}
        assert client_for(None).post(url, form).status_code == 302  # to the sign-in page
        for user, status in ((w.insp_a, 403), (w.force, 403), (w.programme, 403), (w.outsider, 404),
                             (w.other_force, 404)):
            assert client_for(user).post(url, form).status_code == status, (path, user.username)
        assert client_for(w.lead).get(url).status_code == 405
    assert not Case.objects.filter(inspection=w.inspection, double_scored=True).exists()


def test_the_lead_page_offers_both_forms_and_marks_double_scored_cases(web_db: str) -> None:
    w = world()
    client = client_for(w.lead)
    client.post(f"/inspections/{w.inspection.slug}/double-score",
                {"share": "20", "seed": "5", "double-inspector": ["insp-a", "insp-b"]})
    page = client.get(f"/inspections/{w.inspection.slug}").content.decode()
    n = Case.objects.filter(inspection=w.inspection, double_scored=True).count()
    assert n > 0 and page.count("double-scored</strong>") == n
    assert 'name="spread-inspector"' in page and 'name="share"' in page and 'name="seed"' in page
