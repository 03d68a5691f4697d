"""The command line: the commands of `thematic.commands`, assembled in the order `--help` lists them.

The one place that turns the project's errors into messages and exit codes: 0 success, 2 bad input
or usage (file, location and reason; never a traceback), 1 an internal failure, 130 interrupted,
141 standard output closed by its reader. Each command's arguments and its call of the library are
in its own module of `thematic.commands`.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence

from thematic import __version__
from thematic.core.errors import InputError, Problem

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT
EXIT_CLOSED_PIPE = 128 + 13  # 128 + SIGPIPE, as the shell reports a process ended by a closed pipe

#: The modules of `thematic.commands`, in the order `thematic --help` lists their commands: the everyday
#: ones first, then by name. Each registers the command of its own name, `_` written `-` (`import_table`
#: registers `import-table`).
COMMAND_MODULES = ("validate", "score", "run", "demo", "agreement", "compare", "compare_assessors", "import_table",
                   "import_workbook", "report", "sample", "screen", "synth", "workbook", "serve", "web")
#: The commands' names as typed.
COMMAND_NAMES = frozenset(name.replace("_", "-") for name in COMMAND_MODULES)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is an InputError (exit 2 through the one error path)."""

    def error(self, message: str) -> None:  # type: ignore[override]  # raises instead of exiting (NoReturn)
        raise InputError([Problem(file=self.prog, message=f"{message} (see {self.prog} --help)")])


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command; with `command` (one of COMMAND_NAMES), of that command alone.

    A run of one command needs only its own parser: built alone, it imports only that command's
    module, not every command's module and what each imports to register its options (a fixed cost
    of every run). Its arguments, help and messages are the same as in the whole parser's."""
    parser = _Parser(prog="thematic",
                     description="Score police child-protection case files against inspection criteria.")
    parser.add_argument("--version", action="version", version=f"thematic {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES if command is None else (command.replace("-", "_"),):
        importlib.import_module(f"thematic.commands.{name}").register(subparsers)
    return parser


def _command(argv: Sequence[str]) -> str | None:
    """The command `argv` starts with, or None when it starts with anything else (`--help`, a typo):
    the whole parser then answers, listing every command."""
    return argv[0] if argv and argv[0] in COMMAND_NAMES else None


def _closed_pipe() -> int:
    """The reader of standard output went away (`thematic score ... | head -1`): end quietly, as a
    process that SIGPIPE ended does (exit 141), with nothing written to files (outputs are staged)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so that flushing at exit raises nothing ("Exception ignored")
    except (OSError, ValueError):  # standard output replaced by an object with no file descriptor
        pass
    return EXIT_CLOSED_PIPE


def main(argv: Sequence[str] | None = None) -> int:
    try:
        arguments = sys.argv[1:] if argv is None else list(argv)
        parser = build_parser(_command(arguments))
        args = parser.parse_args(arguments)
        handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
        if handler is None:
            build_parser().print_help()  # the whole parser's help, every command listed
            return EXIT_INPUT
        return handler(args)
    except InputError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        count = len(exc.problems)
        if count > 1:
            print(f"{count} problems found; nothing was written", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("interrupted; nothing was written", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return _closed_pipe()
    except Exception as exc:  # the last line of defence: a short message, the traceback only on request
        if os.environ.get("THEMATIC_DEBUG"):
            import traceback  # only here: most runs never need it

            traceback.print_exc()
        print(f"thematic: internal error: {type(exc).__name__}: {exc} (set THEMATIC_DEBUG=1 for details)",
              file=sys.stderr)
        return EXIT_INTERNAL
