"""The demo workspace (`thematic serve --demo`): a generated 120-case inspection of a fictional force,
nothing scored yet, its cases shared between two demo inspectors, and an account for every role."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.contrib.auth.models import User

from thematic.core.atomic import write_text_atomic
from thematic.demo import Planned, inspection_yaml, install_criteria
from thematic.web.accounts import add_user
from thematic.web.importing import import_inspection
from thematic.web.models import FORCE, INSPECTOR, LEAD, PROGRAMME, Case
from thematic.web.saving import assign

#: The demo inspection: the committed northmoor-2019 profile, with the sample size of a full inspection.
DEMO = Planned("northmoor", 2019, date(2019, 11, 30), 120, 2019, "northmoor-2019")

#: role, user name, force code
ACCOUNTS = ((LEAD, "lead-a", None), (INSPECTOR, "insp-a", None), (INSPECTOR, "insp-b", None),
            (FORCE, "force-northmoor", "northmoor"), (PROGRAMME, "prog-a", None))


@dataclass(frozen=True)
class Account:
    role: str
    name: str
    password: str


def build_demo(data: Path) -> list[Account]:
    """Generate, import and assign the demo inspection; the accounts with their one-time passwords."""
    from thematic.synth import synthesize

    root = data / "demo-source"
    install_criteria(root)
    synthesize(DEMO.profile, force=DEMO.force, year=DEMO.year, count=DEMO.cases, seed=DEMO.seed,
               output=root / "inspections" / "cases" / DEMO.id, as_of=DEMO.as_of)
    path = root / "inspections" / f"{DEMO.id}.yaml"
    write_text_atomic(path, inspection_yaml(DEMO))
    accounts = []
    users: dict[str, User] = {}
    for role, name, force in ACCOUNTS:
        user, password = add_user(name, role, force=force)
        users[name] = user
        accounts.append(Account(role, name, password))
    inspection = import_inspection(path, actor=users["lead-a"], answers=False)
    cases = list(Case.objects.filter(inspection=inspection).order_by("position"))
    # Alternate cases between the two inspectors, as a lead spreading the sample evenly would.
    assign(cases[0::2], users["insp-a"], users["lead-a"])
    assign(cases[1::2], users["insp-b"], users["lead-a"])
    return accounts
