"""The project's error types: problems found in users' files, and the exception that carries them.

Findings are data (a file, a line, a field and a message); an exception is raised only when the
problems stop the run. The CLI is the one place that turns these into messages and exit codes.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as the input allows."""

    file: str
    message: str
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class ThematicError(Exception):
    """Base class of every error the project raises on purpose."""


@dataclass
class InputError(ThematicError):
    """Bad input or usage: every problem found, reported together (exit code 2)."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.__str__())

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)

    @classmethod
    def single(cls, file: str, message: str, line: int | None = None, field: str | None = None) -> InputError:
        return cls([Problem(file=file, message=message, line=line, field=field)])
