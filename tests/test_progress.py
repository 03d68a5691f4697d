"""The progress bar: drawn with rate and time left on a terminal, silent otherwise (a fake clock, no timing)."""
from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest

from thematic.core.progress import Progress
from thematic.load.criteria import shipped_criteria_path
from thematic.scoring.criteria import load_criteria
from thematic.scoring.stream import CaseloadJob, run_caseload

EXAMPLE_CASES = Path(__file__).resolve().parent.parent / "inspections" / "cases" / "exampleshire-2019"


class Terminal(io.StringIO):
    """Standard error as a terminal would present it."""

    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def last_line(stream: io.StringIO) -> str:
    return stream.getvalue().split("\r")[-1].rstrip()


def test_a_terminal_shows_share_done_cases_rate_and_time_left():
    stream, clock = Terminal(), Clock()
    progress = Progress(stream, "scoring", clock=clock)
    progress.start(1_000_000)
    clock.now += 10
    progress.update(250_000, 5_000)
    # A quarter of the bytes in 10 s: 30 s to go; 5,000 cases in 10 s: 500 a second.
    assert last_line(stream) == "scoring  25% [######------------------] 5,000 cases, 500 cases/s, 0:00:30 left"


@pytest.mark.parametrize(("done", "total", "shown"), [
    (0, 1000, "  0% [------------------------]"),
    (1000, 1000, "100% [########################]"),
    (1500, 1000, "100% [########################]"),  # never past the end
    (10, 0, "  0% [------------------------]"),       # nothing to read
])
def test_the_share_is_bounded_at_the_ends(done, total, shown):
    stream, clock = Terminal(), Clock()
    progress = Progress(stream, "scoring", clock=clock)
    progress.start(total)
    clock.now += 1
    progress.update(done, 1)
    assert shown in last_line(stream)


def test_before_anything_is_read_the_time_left_is_unknown():
    stream = Terminal()
    Progress(stream, "scoring", clock=Clock()).start(5000)
    assert last_line(stream).endswith("0 cases, 0 cases/s, time left unknown yet")


def test_redraws_are_limited_to_one_per_interval():
    stream, clock = Terminal(), Clock()
    progress = Progress(stream, "scoring", clock=clock, interval=0.2)
    progress.start(100)
    for step in range(1, 11):  # ten updates within 0.1 s: none drawn
        clock.now += 0.01
        progress.update(step, step)
    assert stream.getvalue().count("\r") == 1
    clock.now += 0.2
    progress.update(50, 50)
    assert stream.getvalue().count("\r") == 2


def test_finish_states_the_total_and_ends_the_line():
    stream, clock = Terminal(), Clock()
    with Progress(stream, "screening", clock=clock) as progress:
        progress.start(100)
        clock.now += 4
        progress.update(100, 2_000)
    assert stream.getvalue().endswith("\n")
    assert last_line(stream) == "screening done: 2,000 cases in 0:00:04 (500 cases/s)"


def test_a_shorter_line_covers_the_longer_one_before_it():
    stream, clock = Terminal(), Clock()
    progress = Progress(stream, "scoring", clock=clock, interval=0)
    progress.start(100)
    clock.now += 1
    progress.update(50, 1_000_000)
    long = len(last_line(stream))
    progress.update(60, 1)
    assert len(stream.getvalue().split("\r")[-1]) >= long


@pytest.mark.parametrize("stream", [io.StringIO(), object()])
def test_without_a_terminal_nothing_is_written(stream):
    clock = Clock()
    progress = Progress(stream, "scoring", clock=clock)  # type: ignore[arg-type]
    progress.start(100)
    clock.now += 5
    progress.update(50, 10)
    progress.finish()
    assert not progress.enabled
    if isinstance(stream, io.StringIO):
        assert stream.getvalue() == ""


def test_a_caseload_run_reports_all_its_bytes_and_cases():
    criteria = load_criteria(shipped_criteria_path())
    stream, clock = Terminal(), Clock()
    job = CaseloadJob(criteria_path=criteria.path, parameters=criteria.defaults(), as_of=date(2019, 11, 30))
    with Progress(stream, "scoring", clock=clock, interval=0) as progress:
        run_caseload([EXAMPLE_CASES], job, criteria=criteria, progress=progress)
        assert progress.done == progress.total == sum(p.stat().st_size for p in EXAMPLE_CASES.glob("*.yaml"))
        assert "100% [########################] 16 cases" in last_line(stream)
