"""Reading a caseload's files in pieces, so that a caseload of any size is never whole in memory.

The scoring of a caseload (`scoring.stream`) asks for blocks of whole JSON Lines and for chunks of YAML
or JSON documents; what is read, and every problem of reading it, is decided here.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from thematic.core.errors import InputError, Problem
from thematic.load.cases import json_case_document, jsonl_record, jsonl_text_problem, yaml_case_documents
from thematic.load.yaml_source import YamlDocument

BLOCK_BYTES = 1 << 20  # a JSON Lines chunk: about 500 cases of the case-file format
DOCUMENTS_PER_CHUNK = 200


def jsonl_blocks(path: Path, name: str, problems: list[Problem]) -> Iterator[tuple[int, bytes, int]]:
    """(first line number, block of whole lines, bytes read so far) of a JSON Lines file; a file that cannot
    be read, or is not text, yields nothing and has its problem appended."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        problems.append(Problem(name, f"cannot be read: {exc.strerror or exc}"))
        return
    with handle:
        binary = jsonl_text_problem(handle.read(8192), name)
        if binary is not None:
            problems.append(binary)
            return
        handle.seek(0)
        yield from _blocks(handle)


def _blocks(handle: IO[bytes]) -> Iterator[tuple[int, bytes, int]]:
    """(first line number, block of whole lines, bytes read so far) of a JSON Lines file."""
    number, carry, done = 1, b"", 0
    while True:
        data = handle.read(BLOCK_BYTES)
        if not data:
            if carry:
                yield number, carry, done + len(carry)
            return
        data = carry + data if carry else data
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            carry = data
            continue
        block, carry = data[:cut], data[cut:]
        done += len(block)
        yield number, block, done
        number += block.count(b"\n")


def document_chunks(path: Path, name: str, suffix: str,
                    problems: list[Problem]) -> Iterator[list[tuple[Any, int, YamlDocument, None]]]:
    """Chunks of (data, line, document, None) of a YAML or JSON file; its file-level problems appended."""
    count, batch = 0, []
    try:
        documents = [json_case_document(path, name)] if suffix == ".json" else yaml_case_documents(path, name)
        for doc in documents:
            count += 1
            batch.append((doc.data, doc.first_line, doc, None))
            if len(batch) >= DOCUMENTS_PER_CHUNK:
                yield batch
                batch = []
    except InputError as exc:  # unreadable, or a syntax error or duplicate key, which ends the file
        if batch:
            yield batch
        problems.extend(exc.problems)
        return
    if batch:
        yield batch
    if count == 0:
        problems.append(Problem(name, "is empty; expected a case in YAML (one per document)"))


def file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def readable_jsonl_text(path: Path) -> bool:
    # An unreadable or binary JSON Lines file already has its problem; it is not also "empty".
    try:
        with path.open("rb") as handle:
            return jsonl_text_problem(handle.read(8192), str(path)) is None
    except OSError:
        return False


def case_records(path: Path) -> Iterator[tuple[Any, int, YamlDocument | None]]:
    """(data, line, document) of every parsable case of a file: the second read, after a clean first."""
    name, suffix = str(path), path.suffix.lower()
    if suffix == ".jsonl":
        with path.open("rb") as handle:
            for number, raw in enumerate(handle, 1):
                if not raw.isspace():
                    data, problem = jsonl_record(raw, name, number)
                    if problem is None:
                        yield data, number, None
        return
    dropped: list[Problem] = []
    for batch in document_chunks(path, name, suffix, dropped):
        for data, line, doc, _ in batch:
            yield data, line, doc
