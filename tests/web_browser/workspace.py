"""A real web workspace for browser tests and the benchmark: `thematic serve` (gunicorn) on a free
loopback port, its data folder set up with the `thematic web` commands, on SQLite or PostgreSQL.

- `thematic(*args, database_url=..., stdin=...)` runs the CLI (as a user would) and fails the test,
  with its output, when it exits non-zero.
- `serving(data, database_url=..., demo=...)` starts the server, waits until GET /healthz answers,
  yields a `Server` (its base URL and, for `--demo`, the printed accounts) and stops it afterwards.
- `inspection_archive(...)` zips a fictional inspection (its YAML at the top, criteria and cases
  beside it) the way the import page takes it.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
INSPECTIONS = ROOT / "inspections"
THEMATIC = Path(sys.executable).parent / "thematic"
START_TIMEOUT = 90.0  # seconds: migrations and the demo import run before gunicorn answers


class WorkspaceError(RuntimeError):
    """A `thematic` command or the server failed; the message carries its output."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def environment(database_url: str | None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "THEMATIC_DATABASE_URL"}
    if database_url is not None:
        env["THEMATIC_DATABASE_URL"] = database_url
    return env


def thematic(*args: str | Path, database_url: str | None = None, stdin: str | None = None,
             timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run `thematic ARGS`; raise WorkspaceError with its output unless it exits 0."""
    command = [str(THEMATIC), *map(str, args)]
    completed = subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=timeout,
                               env=environment(database_url), cwd=ROOT)
    if completed.returncode != 0:
        raise WorkspaceError(f"`{' '.join(command)}` exited {completed.returncode}:\n"
                             f"{completed.stdout}\n{completed.stderr}")
    return completed


@dataclass
class Server:
    url: str
    data: Path
    log: Path
    accounts: dict[str, str] = field(default_factory=dict)  # user name -> password (--demo only)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def demo_accounts(output: str) -> dict[str, str]:
    """The accounts `serve --demo` prints, one a line: ROLE, USER NAME, PASSWORD (tab separated)."""
    accounts = {}
    for line in output.splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and all(part.strip() for part in parts) and parts[0].strip() != "role":
            accounts[parts[1].strip()] = parts[2].strip()
    return accounts


@contextmanager
def serving(data: Path, *, database_url: str | None = None, demo: bool = False, workers: int = 1,
            log: Path | None = None) -> Iterator[Server]:
    """Run `thematic serve` on a free loopback port until the block ends."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = log or data.parent / f"{data.name}-server-{port}.log"
    command = [str(THEMATIC), "serve", "--data", str(data), "--host", "127.0.0.1", "--port", str(port),
               "--workers", str(workers), *(["--demo"] if demo else [])]
    with log.open("w") as log_file:
        process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT,
                                   env=environment(database_url), cwd=ROOT, start_new_session=True)
    server = Server(url, data, log)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _healthy(url):
            if process.poll() is not None:
                raise WorkspaceError(f"`{' '.join(command)}` exited {process.returncode}:\n{server.log_text()}")
            if time.monotonic() > deadline:
                raise WorkspaceError(f"no answer from {url}/healthz after {START_TIMEOUT:.0f} s:\n{server.log_text()}")
            time.sleep(0.2)
        if demo:
            server.accounts = demo_accounts(server.log_text())
        yield server
    finally:
        if process.poll() is None:
            process.terminate()  # gunicorn: a graceful stop of the arbiter and its workers
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def unscored_inspection(inspection: str, folder: Path, *, limit: int | None = None) -> Path:
    """A copy of inspections/INSPECTION.yaml in `folder` with nobody's scoring in it: each case file
    without its `judgements` and `grade` (the samples carry them), the criteria in criteria/, the cases
    in cases/ (the first `limit` only, when given). Returns the copied inspection file."""
    source = INSPECTIONS / f"{inspection}.yaml"
    document = yaml.safe_load(source.read_text(encoding="utf-8"))
    criteria = (source.parent / document["criteria"]).resolve()
    (folder / "criteria").mkdir(parents=True)
    (folder / "cases").mkdir()
    (folder / "criteria" / criteria.name).write_bytes(criteria.read_bytes())
    for case_file in sorted((source.parent / document["cases"]).glob("*.yaml"))[:limit]:
        case = yaml.safe_load(case_file.read_text(encoding="utf-8"))
        case.pop("judgements", None)
        case.pop("grade", None)
        (folder / "cases" / case_file.name).write_text(yaml.safe_dump(case, sort_keys=False), encoding="utf-8")
    document["criteria"] = f"criteria/{criteria.name}"
    document["cases"] = "cases/"
    copied = folder / f"{inspection}.yaml"
    copied.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return copied


def inspection_archive(inspection: str, folder: Path, *, limit: int | None = None) -> Path:
    """The import page's .zip of `unscored_inspection(...)`: the inspection file alone at its top."""
    copied = unscored_inspection(inspection, folder / inspection, limit=limit)
    archive = folder / f"{inspection}.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in sorted(copied.parent.rglob("*")):
            if path.is_file():
                zipped.write(path, path.relative_to(copied.parent).as_posix())
    return archive
