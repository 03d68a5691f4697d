"""CPU and queries per request of the workspace's hot pages (issue 15 item 8), in process, no server.

Builds the demo inspection (`thematic.web.demo`, 120 cases, mid-moderation) in a throwaway SQLite
data folder, then with Django's test client measures, per request, the process CPU time
(`time.process_time`) and the number of SQL queries of: the case page of a double-scored case (as
its inspector), a draft save of one of the inspector's cases (POST + following the redirect), the
findings page as the lead reloaded without a change, and the findings page after one save. Prints
the median of --repeat runs of each. Run from the repository root:

    .venv/bin/python benchmarks/bench_web_pages.py [--repeat 10] [--profile case|save|findings]

CPU time, not wall time: the machine is shared, and CPU per request is what sets a loaded server's
throughput. `--profile` prints cProfile's top functions for one kind of request instead.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_DATA = Path(tempfile.mkdtemp(prefix="thematic-bench-pages-"))
os.environ["THEMATIC_DATA"] = str(_DATA)
os.environ.pop("THEMATIC_DATABASE_URL", None)
os.environ["DJANGO_SETTINGS_MODULE"] = "thematic.web.settings"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--profile", choices=("case", "save", "findings", "findings-after-save"))
    args = parser.parse_args()

    from thematic.web.datadir import prepare
    prepare(str(_DATA))
    import django
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
                      ALLOWED_HOSTS=["*"]).enable()
    call_command("migrate", verbosity=0)
    from django.contrib.auth.models import User

    from thematic.web.demo import build_demo
    from thematic.web.models import INSPECTION_KIND, SUBMITTED, Assignment

    build_demo(_DATA)
    inspector, lead = Client(), Client()
    inspector.force_login(User.objects.get(username="insp-a"))
    lead.force_login(User.objects.get(username="lead-a"))
    mine = Assignment.objects.filter(scorer__username="insp-a", kind=INSPECTION_KIND)
    double = mine.filter(case__double_scored=True).order_by("case__position").first()
    editable = list(mine.exclude(status=SUBMITTED).order_by("case__position"))
    assert double is not None and editable
    findings_url = "/inspections/northmoor-2019/findings"
    turn = [0]

    def case_page() -> None:
        assert inspector.get(f"/assignments/{double.pk}").status_code == 200

    def save() -> None:
        target = editable[turn[0] % len(editable)]
        turn[0] += 1
        target.refresh_from_db()
        answer = "yes" if turn[0] % 2 else "no"
        form = {"version": str(target.version), "action": "draft", f"note-{_first_question(target)}": f"n{turn[0]}",
                f"answer-{_first_question(target)}": answer}
        response = inspector.post(f"/assignments/{target.pk}", form, follow=True)
        assert response.status_code == 200, response.status_code

    def findings() -> None:
        assert lead.get(findings_url).status_code == 200

    def findings_after_save() -> None:
        save()
        findings()

    kinds: dict[str, Callable[[], None]] = {"case": case_page, "save": save, "findings": findings,
                                            "findings-after-save": findings_after_save}
    for run in kinds.values():
        run()  # warm: caches, templates, imports
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.repeat):
            kinds[args.profile]()
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(int(os.environ.get("BENCH_LINES", "35")))
        return 0
    print(f"{'request':<22} {'CPU ms (median)':>16} {'queries':>8}")
    for name, run in kinds.items():
        times, queries = [], []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as captured:
                start = time.process_time()
                run()
                times.append((time.process_time() - start) * 1000)
            queries.append(len(captured.captured_queries))
        note = "  (includes one save)" if name == "findings-after-save" else ""
        print(f"{name:<22} {statistics.median(times):>16.1f} {statistics.median(queries):>8.0f}{note}")
    return 0


def _first_question(assignment: object) -> str:
    from thematic.web.models import Assignment
    from thematic.web.saving import questions
    assert isinstance(assignment, Assignment)
    return questions(assignment)[0]


if __name__ == "__main__":
    sys.exit(main())
