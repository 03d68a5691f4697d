"""A real `thematic serve` process for browser tests and benchmarks, on a loopback port."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import TracebackType


class Server:
    """A running server: `url`, and `stop()` (or use it as a context manager)."""

    def __init__(self, process: subprocess.Popen[bytes], url: str) -> None:
        self.process, self.url = process, url

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()


def start_server(data_dir: str | Path, port: int, *, database_url: str | None = None, workers: int = 1,
                 timeout: float = 60.0) -> Server:
    """Start `thematic serve --data DATA_DIR --port PORT` and wait until GET /healthz answers 200."""
    env = dict(os.environ)
    if database_url:
        env["THEMATIC_DATABASE_URL"] = database_url
    command = [sys.executable, "-m", "thematic", "serve", "--data", str(data_dir), "--host", "127.0.0.1",
               "--port", str(port), "--workers", str(workers)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"thematic serve ended with exit code {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return Server(process, url)
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"thematic serve did not answer on {url} within {timeout:.0f} s")
