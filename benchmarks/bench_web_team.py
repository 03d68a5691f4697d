"""Web workspace under a team's load (issue 15 item 8): many inspectors signed in and saving at once,
then a check that every save the server acknowledged is in the database, whole.

Run from the repository root (after `make static`):

    .venv/bin/python benchmarks/bench_web_team.py [--inspectors 20] [--saves 10] [--workers 2]
        [--think 0] [--database sqlite|postgres] [--time-limit 600]

It sets up a fresh workspace with the `thematic web` commands (a lead, --inspectors inspector accounts
with generated passwords, the 100-case northmoor-2019 inspection imported without answers), starts a
real `thematic serve` (gunicorn, loopback only, a free port; for `--database postgres` a throwaway
PostgreSQL cluster: tests/postgres_support.py), and the lead spreads the cases evenly over the
inspectors through the page. Then every inspector, a thread with its own session, signs in and, all
starting together, does --saves rounds of: open one of its own cases (timed: the case page), answer
every question with a seeded random choice and write a note unique to the save, and "Save draft"
(timed: the POST and its redirect, as a person waits for it), each save after a pause of about
--think seconds (default 0: back to back, the heaviest load; a person reading and typing takes
longer). Meanwhile the lead reloads the lead's dashboard (timed), pausing --think seconds between
loads: the findings page when the workspace has one, else the inspection page; the output says which.
Bounded: --inspectors x --saves saves, 60 s per request, --time-limit in all.

It prints p50/p95/worst of each, the error count (any answer but 200 after the redirect, or no
answer), and then checks every acknowledged save against the database, read through
`thematic web export` (audit trail and judgements files): each acknowledged save is there, with the
version it made and exactly the answers and notes the client sent (count and content), and each
case's current entries are its last acknowledged save's. Targets (issue 15): p95 under 300 ms for
pages and saves on SQLite, no errors, no lost save. Exit 1 when a save is lost or an error occurs.
"""
from __future__ import annotations

import argparse
import os
import re
import secrets
import statistics
import sys
import threading
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_web import describe, scratch  # noqa: E402
from web_browser.team_saves import Inspector, Session, check_saves, spread  # noqa: E402
from web_browser.workspace import serving, thematic, unscored_inspection  # noqa: E402

INSPECTION = "northmoor-2019"  # 100 cases: 5 each for 20 inspectors
LEAD = "lead-load"


def dashboard_path(lead: Session) -> tuple[str, str]:
    """The lead's dashboard: the findings page when the inspection page links one, else that page."""
    inspection = f"/inspections/{INSPECTION}"
    status, html = lead.get(inspection)
    if status != 200:
        raise SystemExit(f"the lead's inspection page answered {status}")
    for href in sorted(set(re.findall(r'href="([^"]+)"', html))):
        if href.startswith(f"{inspection}/findings") and lead.get(href)[0] == 200:
            return href, "findings page"
    return inspection, "inspection page: the workspace has no findings page"


def watch(lead: Inspector, path: str, begin: threading.Barrier, done: threading.Event, deadline: float,
          think: float) -> None:
    """The lead reloads the dashboard while the inspectors save."""
    begin.wait()
    while not done.wait(think) and time.monotonic() < deadline:
        try:
            status, _ = lead.timed("dashboard", lambda: lead.session.get(path))
        except OSError as error:
            lead.errors.append(f"GET {path}: {error}")
            continue
        if status != 200:
            lead.errors.append(f"GET {path} answered {status}")


def figures(label: str, values: list[float]) -> str:
    return describe(label, values) if len(values) >= 2 else f"{label:<24} (n={len(values)})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inspectors", type=int, default=20, help="simulated inspectors (default 20)")
    parser.add_argument("--saves", type=int, default=10, help="saves by each inspector (default 10)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--think", type=float, default=0.0,
                        help="seconds each inspector pauses before each save, on average (default 0: back to back)")
    parser.add_argument("--time-limit", type=float, default=600.0, help="seconds for the load (default 600)")
    args = parser.parse_args()
    if not 1 <= args.inspectors <= 100:
        parser.error("--inspectors: between 1 and 100 (the inspection has 100 cases)")
    if args.saves < 1:
        parser.error("--saves: at least 1")

    with ExitStack() as stack:
        folder, database_url = scratch(stack, args.database, "bench_web_team")
        data = folder / "data"

        def cli(*words: str | Path, stdin: str | None = None) -> None:
            thematic(*words, "--data", data, database_url=database_url, stdin=stdin)

        names = [f"insp-{n:02d}" for n in range(1, args.inspectors + 1)]
        passwords = {name: secrets.token_urlsafe(12) for name in [LEAD, *names]}
        cli("web", "init")
        for name, password in passwords.items():
            cli("web", "adduser", name, "--role", "lead" if name == LEAD else "inspector", "--password-stdin",
                stdin=password + "\n")
        cli("web", "import", unscored_inspection(INSPECTION, folder / "inspection"))
        server = stack.enter_context(serving(data, database_url=database_url, workers=args.workers,
                                             log=folder / "server.log"))
        print(f"workspace up at {server.url} ({args.database}, {args.workers} workers), "
              f"{args.inspectors} inspectors, {args.saves} saves each, {args.think:g} s think time")

        lead = Inspector(LEAD, passwords[LEAD], Session(server.url))
        lead.session.sign_in(LEAD, passwords[LEAD])
        spread(lead.session, INSPECTION, names)
        path, which = dashboard_path(lead.session)
        inspectors = [Inspector(name, passwords[name], Session(server.url), seed=number)
                      for number, name in enumerate(names)]
        for person in inspectors:  # signing in is Argon2's half second each: before the clock starts
            person.start(INSPECTION)

        begin = threading.Barrier(len(inspectors) + 1)
        stop, done = threading.Event(), threading.Event()
        deadline = time.monotonic() + args.time_limit
        threads = [threading.Thread(target=person.run, kwargs={"saves": args.saves, "stop": stop, "begin": begin,
                                                               "deadline": deadline, "think": args.think})
                   for person in inspectors]
        watcher = threading.Thread(target=watch, args=(lead, path, begin, done, deadline, args.think))
        for thread in [*threads, watcher]:
            thread.start()
        began = time.perf_counter()
        for thread in threads:
            thread.join()
        took = time.perf_counter() - began
        done.set()
        watcher.join()

        pages = [v for person in inspectors for v in person.timings.get("case page", [])]
        saves = [v for person in inspectors for v in person.timings.get("save", [])]
        errors = [error for person in [*inspectors, lead] for error in person.errors]
        acknowledged = sum(len(person.saved) for person in inspectors)
        print(f"{acknowledged} saves acknowledged in {took:.1f} s ({acknowledged / took:.1f} a second); "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (other work on the machine counts)")
        print(figures("GET case page", pages))
        print(figures("POST save draft", saves))
        print(figures("GET dashboard", lead.timings.get("dashboard", [])) + f"   [{which}: {path}]")
        print(f"errors: {len(errors)}")
        for error in errors[:10]:
            print(f"  {error}")

        export = folder / "export"
        cli("web", "export", INSPECTION, "-o", export)
        problems = check_saves(export, INSPECTION, inspectors)
        print("acknowledged saves in the database, count and content: "
              + (f"all {acknowledged}" if not problems else f"{len(problems)} problems"))
        for problem in problems[:10]:
            print(f"  {problem}")
        p95 = [statistics.quantiles(v, n=100, method="inclusive")[94] for v in (pages, saves) if len(v) >= 2]
        print(f"targets (SQLite): p95 under 300 ms {'met' if p95 and max(p95) < 300 else 'missed'}; "
              f"no errors {'met' if not errors else 'missed'}; no lost save {'met' if not problems else 'missed'}")
    print("\nrerun: .venv/bin/python benchmarks/bench_web_team.py "
          f"--inspectors {args.inspectors} --saves {args.saves} --think {args.think:g} --workers {args.workers} "
          f"--database {args.database}")
    return 1 if errors or problems else 0


if __name__ == "__main__":
    sys.exit(main())
