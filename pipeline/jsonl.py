"""Reading and writing record files: the one reader that runs, gold files and `validate` share."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from schemas import ANY_RECORD, Record


@dataclass(frozen=True)
class LineError:
    path: Path
    line: int  # 0: the file as a whole
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


def read_records(path: Path) -> tuple[list[Record], list[LineError]]:
    """Every valid record in a JSONL file, and a file:line error for every invalid line."""
    numbered, errors = read_numbered_records(path)
    return [record for _, record in numbered], errors


def read_numbered_records(path: Path) -> tuple[list[tuple[int, Record]], list[LineError]]:
    """Every valid record in a JSONL file with its line number, and a file:line error for every
    invalid line. Types are strict, as JSON has them: an offset written as a string is an error."""
    records: list[tuple[int, Record]] = []
    errors: list[LineError] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        return [], [LineError(path, 0, f"cannot be read: {exc}")]
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            records.append((number, ANY_RECORD.validate_json(line, strict=True)))
        except ValidationError as exc:
            errors.append(LineError(path, number, _describe(exc)))
    return records, errors


def _describe(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors(include_url=False):
        where = ".".join(str(p) for p in error["loc"]) or "(line)"
        parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)


TEMP_SUFFIX = ".tmp"


def _temp_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.{secrets.token_hex(4)}{TEMP_SUFFIX}")


def remove_stale_temp_files(path: Path) -> list[Path]:
    """Remove the temporary files an atomic write of `path` left when it was killed; return them.

    Only for a writer that holds the folder (a run holds its folder's lock): another writer's
    temporary file in progress would be removed too."""
    if not path.parent.is_dir():
        return []
    stale = [p for p in path.parent.glob(f".{path.name}.*{TEMP_SUFFIX}") if p.is_file()]
    for temporary in stale:
        temporary.unlink(missing_ok=True)
    return stale


def write_text_atomic(path: Path, text: str) -> None:
    """Write via a temporary file and rename, so a crash never leaves a half-written file.

    The file gets the permissions any new file gets under the user's umask (mkstemp would make
    it readable by its owner only)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        temporary = _temp_path(path)
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


class AtomicFile:
    """A file written line by line to a hidden temporary file beside it and renamed into place by
    `commit()`: readers see the old file or the whole new one, and memory holds one line at a time.
    Keeps the sha256 and line count of what it wrote, as `write_text_atomic`'s callers compute them."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        while True:
            self._temporary = _temp_path(path)
            try:
                fd = os.open(self._temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
                break
            except FileExistsError:
                continue
        self._handle = os.fdopen(fd, "wb")
        self._hash = hashlib.sha256()
        self.lines = 0

    def write_row(self, row: dict[str, Any]) -> None:
        data = (dumps_line(row) + "\n").encode("utf-8")
        self._handle.write(data)
        self._hash.update(data)
        self.lines += 1

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def flush(self) -> None:
        """Make what was written durable (before any rename, so that a crash never renames a torn file)."""
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._handle.close()

    def commit(self) -> None:
        os.replace(self._temporary, self.path)

    def discard(self) -> None:
        self._handle.close()
        self._temporary.unlink(missing_ok=True)


def dumps_line(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=False)


def write_jsonl_atomic(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    lines = [dumps_line(row) for row in rows]
    write_text_atomic(path, "".join(line + "\n" for line in lines))
    return len(lines)


def record_rows(records: Iterable[Record]) -> list[dict[str, Any]]:
    return [record.model_dump(mode="json") for record in records]
