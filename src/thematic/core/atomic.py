"""Outputs that never destroy files: every file of a run is declared, checked, staged, then moved
into place together.

A command makes one `OutputSet`, tells it what the run reads (`read`) and what it will write
(`file`, or `in_folder` for a file inside an output folder), stages each output (`add`, or
`open_text` for one written as a stream) and calls `commit`. Refused with an InputError naming the
option and the path, before anything is written:

- an output that exists and is not a regular file (a FIFO, a device, a folder): moving a file
  over it would replace it;
- an output that resolves (after symbolic links, or as a hard link) to an input of the run or to
  another output of the run;
- a file name inside an output folder that is not a plain name (`SAFE_NAME`) or that resolves
  outside the folder.

Staged files live in one hidden folder per run and target folder (`.thematic-staging-*`), on the
target's own file system so that the move is a rename. `commit` moves every staged file into
place only when all are made; if a move fails, the files already moved are put back. Leaving the
`with` block without `commit` removes the staging folder. A run killed with `kill -9` leaves only
its hidden staging folder, which the next run writing to that folder removes (a live run holds a
lock on its own, so a concurrent run's folder is never touched).
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from thematic.core.errors import InputError, Problem

try:
    import fcntl
except ImportError:  # not POSIX: no locks; a staging folder is then an orphan only by its age
    fcntl = None  # type: ignore[assignment]

__all__ = ["OutputSet", "output_set", "write_text_atomic", "write_bytes_atomic", "check_safe_name",
           "SAFE_NAME", "SAFE_NAME_TEXT", "STAGING_PREFIX"]

STAGING_PREFIX = ".thematic-staging-"
_LOCK = "lock"
# A staging folder without its lock file is left by a run killed while making it; past this age
# (seconds) no live run can still be about to lock it.
_UNLOCKED_AGE = 600

#: Ids and names used in output paths: one plain path component, never `..` or hidden.
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
SAFE_NAME_TEXT = "1 to 128 letters (A-Z, a-z), digits, '.', '_' or '-', starting with a letter or digit"

_KINDS = {stat.S_IFDIR: "folder", stat.S_IFIFO: "FIFO (named pipe)", stat.S_IFCHR: "character device",
          stat.S_IFBLK: "block device", stat.S_IFSOCK: "socket", stat.S_IFLNK: "symbolic link"}


def check_safe_name(value: object, *, file: str, field: str | None, use: str) -> str:
    """`value` if it matches SAFE_NAME; otherwise InputError naming `file`, `field` and the pattern."""
    if not isinstance(value, str) or not SAFE_NAME.fullmatch(value):
        raise InputError.single(file, f"{value!r} cannot be used in {use}: expected {SAFE_NAME_TEXT} "
                                      f"(the pattern {SAFE_NAME.pattern})", field=field)
    return value


@dataclass
class _Output:
    shown: str  # the path as given
    option: str | None
    target: Path  # where it goes: symbolic links resolved
    staged: Path | None = None
    stream: IO[str] | None = None


@dataclass
class _Staging:
    folder: Path
    lock: int  # a descriptor holding the folder's lock while this run lives


class OutputSet:
    """The inputs and outputs of one run; see the module's docstring."""

    def __init__(self) -> None:
        self._inputs: list[tuple[str, tuple[int, int] | None, str, str]] = []  # real path, identity, shown, what
        self._outputs: dict[str, _Output] = {}  # by real path, in declaration order
        self._staging: dict[Path, _Staging] = {}  # by target folder
        self._staged = 0
        self.committed = False

    # --- declaring ---------------------------------------------------------------------------

    def read(self, path: str | Path, *, what: str) -> None:
        """Declare a file (or folder) the run reads; `what` names it in messages ("the criteria file")."""
        real = os.path.realpath(path)
        self._inputs.append((real, _identity(real), str(path), what))

    def file(self, path: str | Path, *, option: str | None) -> Path:
        """Declare an output file; InputError if writing it could destroy anything (see the module)."""
        shown = str(path)
        real = os.path.realpath(path)
        if real in self._outputs:
            if self._outputs[real].option == option:
                return Path(path)
            other = self._outputs[real]
            raise self._refuse(shown, option, f"is also the output of {other.option or 'this run'} ({other.shown}); "
                                              "give each output its own file")
        info = _lstat(real)
        if info is not None and not stat.S_ISREG(info.st_mode):
            kind = _KINDS.get(stat.S_IFMT(info.st_mode), "special file")
            raise self._refuse(shown, option, f"is a {kind}, not a regular file: writing the output would replace "
                                              "it; give a new file name or an existing regular file")
        identity = (info.st_dev, info.st_ino) if info is not None else None
        for in_real, in_identity, in_shown, what in self._inputs:
            if real == in_real or (identity is not None and identity == in_identity):
                raise self._refuse(shown, option, f"is {what} itself, an input of this run ({in_shown}); writing the "
                                                  "output there would overwrite it: choose another file")
        for other in self._outputs.values():
            if identity is not None and identity == _identity(str(other.target)):
                raise self._refuse(shown, option, f"is the same file as the output of {other.option or 'this run'} "
                                                  f"({other.shown}); give each output its own file")
        ancestor = Path(real).parent
        while not ancestor.exists():
            ancestor = ancestor.parent
        if not ancestor.is_dir():
            raise self._refuse(shown, option, f"cannot be made: {ancestor} is not a folder")
        self._outputs[real] = _Output(shown, option, Path(real))
        return Path(path)

    def folder(self, path: str | Path, *, option: str | None) -> Path:
        """Check an output folder: new, or an existing folder."""
        info = _lstat(os.path.realpath(path))
        if info is not None and not stat.S_ISDIR(info.st_mode):
            kind = _KINDS.get(stat.S_IFMT(info.st_mode), "file")
            kind = "regular file" if stat.S_ISREG(info.st_mode) else kind
            raise self._refuse(str(path), option, f"exists and is not a folder (it is a {kind}); give a new or "
                                                  "existing folder")
        return Path(path)

    def in_folder(self, folder: str | Path, name: str, *, option: str | None) -> Path:
        """Declare the output `folder/name`: `name` one plain file name, the result inside the folder."""
        self.folder(folder, option=option)
        check_safe_name(name, file=str(folder), field=option, use="a file name in the output folder")
        path = Path(folder) / name
        real, inside = os.path.realpath(path), os.path.realpath(folder)
        if os.path.commonpath([real, inside]) != inside:
            raise self._refuse(str(path), option, f"resolves to {real}, outside the output folder {folder}")
        return self.file(path, option=option)

    # --- staging -----------------------------------------------------------------------------

    def add(self, path: str | Path, data: bytes | str, *, option: str | None = None) -> Path:
        """Declare `path` (unless declared) and stage `data` (text is written as UTF-8) for it."""
        self.file(path, option=self._option_of(path, option))
        payload = data.encode("utf-8") if isinstance(data, str) else data
        with open(self._stage(path), "wb") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
        return Path(path)

    def add_in(self, folder: str | Path, name: str, data: bytes | str, *, option: str | None = None) -> Path:
        """`in_folder` and `add` in one."""
        path = Path(folder) / name
        if os.path.realpath(path) not in self._outputs:
            self.in_folder(folder, name, option=option)
        return self.add(path, data)

    def open_text(self, path: str | Path, *, option: str | None = None) -> IO[str]:
        """A text stream (UTF-8, newlines as written) to a staged output, for one too large to build first."""
        self.file(path, option=self._option_of(path, option))
        staged = self._stage(path)
        stream = open(staged, "w", encoding="utf-8", newline="")
        self._outputs[os.path.realpath(path)].stream = stream
        return stream

    def _option_of(self, path: str | Path, option: str | None) -> str | None:
        declared = self._outputs.get(os.path.realpath(path))
        return declared.option if declared is not None else option

    def _stage(self, path: str | Path) -> Path:
        output = self._outputs[os.path.realpath(path)]
        if output.staged is not None:
            raise RuntimeError(f"{output.shown} is staged twice")
        staging = self._staging_for(output.target.parent)
        self._staged += 1
        output.staged = staging / str(self._staged)
        # Created as open() would (0o666 less the umask), so outputs get the usual permissions.
        os.close(os.open(output.staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        return output.staged

    def _staging_for(self, folder: Path) -> Path:
        if folder not in self._staging:
            folder.mkdir(parents=True, exist_ok=True)
            remove_orphans(folder)
            staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=folder))
            # The lock file takes its name only once it is locked: another run clearing orphans in
            # this folder between the two steps would otherwise find it unlocked and remove the folder
            # (two saves at once in the web workspace did). A young folder with no lock is never an orphan.
            pending = staging / (_LOCK + ".new")
            lock = os.open(pending, os.O_WRONLY | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
            if fcntl is not None:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.rename(pending, staging / _LOCK)
            self._staging[folder] = _Staging(staging, lock)
        return self._staging[folder].folder

    # --- committing --------------------------------------------------------------------------

    def commit(self) -> list[Path]:
        """Move every staged output into place; the paths as given, in declaration order."""
        outputs = list(self._outputs.values())
        try:
            for output in outputs:
                if output.staged is None:
                    raise RuntimeError(f"{output.shown} was declared but never written")
                if output.stream is not None:
                    output.stream.close()  # flushed; closed already if the caller used it in a `with`
                    _fsync(output.staged)
                info = _lstat(str(output.target))
                if info is not None and not stat.S_ISREG(info.st_mode):  # changed since it was declared
                    raise self._refuse(output.shown, output.option, "is no longer a regular file; nothing was written")
            self._move(outputs)
            self.committed = True
        finally:
            self.discard()
        return [Path(o.shown) for o in outputs]

    def _move(self, outputs: list[_Output]) -> None:
        backups: list[Path | None] = []
        for output in outputs:  # hard links to the files replaced, so a failed move can put them back
            backup = None
            if output.target.exists():
                backup = output.staged.with_name(output.staged.name + ".old")  # type: ignore[union-attr]
                try:
                    os.link(output.target, backup)
                except OSError:
                    backup = None
            backups.append(backup)
        moved = 0
        try:
            for output in outputs:
                os.replace(output.staged, output.target)  # type: ignore[arg-type]
                moved += 1
        except BaseException:
            for output, backup in reversed(list(zip(outputs[:moved], backups[:moved], strict=True))):
                with contextlib.suppress(OSError):
                    if backup is not None:
                        os.replace(backup, output.target)
                    else:
                        os.unlink(output.target)
            raise

    def discard(self) -> None:
        """Remove every staged file and the staging folders (nothing is moved)."""
        for output in self._outputs.values():
            if output.stream is not None and not output.stream.closed:
                output.stream.close()
        for staging in self._staging.values():
            shutil.rmtree(staging.folder, ignore_errors=True)
            os.close(staging.lock)
        self._staging.clear()

    def __enter__(self) -> OutputSet:
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.committed:
            self.discard()

    @staticmethod
    def _refuse(shown: str, option: str | None, message: str) -> InputError:
        return InputError([Problem(file=shown, message=message, field=option)])


@contextlib.contextmanager
def output_set(outputs: OutputSet | None) -> Iterator[OutputSet]:
    """`outputs` itself (its owner commits), or a new set committed when the block ends without error."""
    if outputs is not None:
        yield outputs
        return
    with OutputSet() as own:
        yield own
        own.commit()


def write_text_atomic(path: str | Path, text: str, *, option: str | None = None) -> None:
    """One output file, checked, staged and moved into place (see OutputSet)."""
    write_bytes_atomic(path, text.encode("utf-8"), option=option)


def write_bytes_atomic(path: str | Path, data: bytes, *, option: str | None = None) -> None:
    with OutputSet() as outputs:
        outputs.add(path, data, option=option)
        outputs.commit()


def remove_orphans(folder: Path) -> None:
    """Remove the staging folders in `folder` that runs killed before they finished left behind."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if (entry.name.startswith(STAGING_PREFIX) and entry.is_dir(follow_symlinks=False)
                and _orphaned(Path(entry.path))):
            shutil.rmtree(entry.path, ignore_errors=True)


def _orphaned(staging: Path) -> bool:
    try:
        if fcntl is None:
            raise FileNotFoundError
        lock = os.open(staging / _LOCK, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        info = _lstat(str(staging))
        return info is not None and time.time() - info.st_mtime > _UNLOCKED_AGE
    except OSError:
        return False
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # fails while the run that made it lives
        return True
    except OSError:
        return False
    finally:
        os.close(lock)


def _fsync(path: Path) -> None:
    handle = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _lstat(path: str) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None


def _identity(path: str) -> tuple[int, int] | None:
    info = _lstat(path)
    return (info.st_dev, info.st_ino) if info is not None else None
