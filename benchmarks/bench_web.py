"""Web workspace latency: the case page and a draft save on the 120-case demo inspection, against
GET /healthz (the floor: a request that touches neither the session nor the database) in the same run.

Run from the repository root (after `make static`):

    .venv/bin/python benchmarks/bench_web.py [--requests 200] [--workers 2] [--database sqlite|postgres]

It starts a real `thematic serve --demo` (gunicorn) on a free loopback port with a temporary data
folder (and, for `--database postgres`, a throwaway PostgreSQL cluster: tests/postgres_support.py),
signs in as a demo inspector and sends the requests one after another from one client: --requests
GETs of /healthz, --requests GETs of case pages (cycling through the inspector's cases) and
--requests saves (POST "Save draft" of one answer, each with the case's current version, read by an
untimed GET before it; the time includes following the save's redirect, as a person waits for it).
It prints p50, p95 and the worst latency of each, in milliseconds. Requests are sequential: this
measures one person's wait, not the server's throughput.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from postgres_support import create_database, postgres_cluster  # noqa: E402
from web_browser.team_saves import Session, read_form  # noqa: E402
from web_browser.workspace import serving  # noqa: E402

INSPECTION = "northmoor-2019"  # the demo inspection (120 cases)
INSPECTOR = "insp-a"


def page(client: Session, path: str) -> str:
    """The page at `path`; the benchmark stops at any answer but 200."""
    status, html = client.get(path)
    if status != 200:
        raise SystemExit(f"GET {path} answered {status}")
    return html


def latencies(action: Callable[[int], object], count: int) -> list[float]:
    """Milliseconds of each call of action(i), i = 0..count-1."""
    found = []
    for index in range(count):
        start = time.perf_counter()
        action(index)
        found.append((time.perf_counter() - start) * 1000)
    return found


def describe(label: str, values: list[float]) -> str:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return (f"{label:<24} p50 {cuts[49]:7.1f} ms   p95 {cuts[94]:7.1f} ms   "
            f"worst {max(values):7.1f} ms   (n={len(values)})")


def scratch(stack: ExitStack, database: str, name: str) -> tuple[Path, str | None]:
    """A temporary folder, and for `database` "postgres" the URL of a database `name` in a throwaway
    cluster (None: SQLite, in the data folder); both removed when `stack` closes."""
    folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=f"{name}-")))
    url = create_database(stack.enter_context(postgres_cluster()), name) if database == "postgres" else None
    return folder, url


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="requests of each kind (default 200)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    if args.requests < 2:
        parser.error("--requests: at least 2, for percentiles")

    with ExitStack() as stack:
        folder, database_url = scratch(stack, args.database, "bench_web")
        started = time.perf_counter()
        server = stack.enter_context(serving(folder / "data", database_url=database_url, demo=True,
                                             workers=args.workers, log=folder / "server.log"))
        print(f"demo workspace up in {time.perf_counter() - started:.1f} s at {server.url} "
              f"({args.database}, {args.workers} workers)")
        if INSPECTOR not in server.accounts:
            raise SystemExit(f"`serve --demo` printed no account {INSPECTOR}:\n{server.log_text()}")
        client = Session(server.url)
        client.sign_in(INSPECTOR, server.accounts[INSPECTOR])
        cases = read_form(page(client, f"/inspections/{INSPECTION}/cases?status=not_started")).links  # the unsubmitted
        if not cases:
            raise SystemExit(f"{INSPECTOR} has no case in {INSPECTION}")
        print(f"{INSPECTOR} has {len(cases)} cases in {INSPECTION}")

        def save(index: int) -> None:
            path = cases[index % len(cases)]
            form = read_form(page(client, path))  # untimed below: only the POST counts
            question, values = next((n, v) for n, v in form.radios.items() if n.startswith("answer-"))
            fields = {**form.hidden, question: values[index % len(values)], "action": "save"}
            start = time.perf_counter()
            status = client.post(path, fields)
            saves.append((time.perf_counter() - start) * 1000)
            if status != 200:
                raise SystemExit(f"save of {path} answered {status}")

        healthz = latencies(lambda i: page(client, "/healthz"), args.requests)
        pages = latencies(lambda i: page(client, cases[i % len(cases)]), args.requests)
        saves: list[float] = []
        for index in range(args.requests):
            save(index)

        # The saves were saves: every case saved to is now in progress.
        in_progress = page(client, f"/inspections/{INSPECTION}/cases?status=in_progress").count("/assignments/")
        if in_progress < min(args.requests, len(cases)):
            raise SystemExit(f"only {in_progress} cases in progress after {args.requests} saves")
        print(describe("GET /healthz (floor)", healthz))
        print(describe("GET case page", pages))
        print(describe("POST save draft", saves))
    print("\nrerun: .venv/bin/python benchmarks/bench_web.py "
          f"--requests {args.requests} --workers {args.workers} --database {args.database}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
