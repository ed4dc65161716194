"""Stage 7, write: the run folder, and the one reader of it that every other command uses.

outputs/<run>/
  records/<record_type>.jsonl  validated, grounded records, one JSONL per type (empty file if none);
                               nothing else is in records/, so `RUN/records/*.jsonl` reads records only
  rejects.jsonl                documents, records and values that were rejected, each with its reason
  responses.jsonl              every model request and answer, for `--backend replay`
  errors.log                   the full text behind one-line reject reasons (only when there was an error)
  texts/<doc_id>.txt           the text each document's offsets refer to
  parts/                       one file per document read, as it finished (pipeline.progress)
  manifest.json                run id; inputs and hashes; backend, model, prompt and schema versions;
                               counts, timings; every other file of the run with its sha256
  review.html, export/         written later by `extract view` and `extract export`; each names the
                               run id it was made from (a page meta tag, export/manifest.json)

Every file is written atomically (a temporary file beside it, then a rename) and the manifest
goes last, so a folder without a manifest is an incomplete run. The manifest names each file of
the run with its sha256, which is how `extract validate` tells a folder that mixes two runs' files.
A run holds an exclusive lock on its folder from start to end (`locked_run_dir`): a second run
on the same folder refuses at once instead of interleaving its files with the first's.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from pipeline.jsonl import (
    AtomicFile,
    read_numbered_records,
    record_rows,
    remove_stale_temp_files,
    write_text_atomic,
)
from schemas import RECORD_TYPES, Record

MANIFEST = "manifest.json"
REJECTS = "rejects.jsonl"
RESPONSES = "responses.jsonl"
ERRORS = "errors.log"  # written by run.py through other_files, only when an error left detail to keep
RECORDS_DIR = "records"
TEXTS_DIR = "texts"  # pipeline.documents.TEXTS_FOLDER
PARTS_DIR = "parts"  # pipeline.progress.PARTS
# Outputs made from a finished run by other commands, inside its folder: each records the run id it
# was made from, so that `extract validate` can tell one made from an earlier run in the same folder.
REVIEW_PAGE = "review.html"
EXPORT_DIR = "export"
EXPORT_MANIFEST = f"{EXPORT_DIR}/manifest.json"
RUN_ID_META = "extract-run-id"  # <meta name=... content=RUN_ID> in the review page
# Everything a run (or a command reading it) writes into a run folder: a new run removes the
# previous run's before it starts, so that nothing of it is left to be mistaken for this run's.
RUN_OUTPUTS = (
    RECORDS_DIR, TEXTS_DIR, PARTS_DIR, EXPORT_DIR, REVIEW_PAGE, MANIFEST, REJECTS, RESPONSES, ERRORS,
    *(f"{record_type}.jsonl" for record_type in RECORD_TYPES),  # an older extract's layout
)

# What each side file of a run folder is, for a reader that was handed one instead of records.
SIDE_FILES = {
    MANIFEST: "the run's manifest (run id, inputs, settings, counts, every file's sha256)",
    REJECTS: "the run's rejects (documents, records and values left out, with reasons)",
    RESPONSES: "the run's recorded model requests and answers (for --backend replay)",
    ERRORS: "the run's error log (the full text behind one-line reject reasons)",
}


def record_file(record_type: str) -> str:
    """Where a record type's records are, relative to the run folder."""
    return f"{RECORDS_DIR}/{record_type}.jsonl"


class RunFolderError(Exception):
    """The run folder cannot be used: one line naming the folder and the problem."""


class RunFolderBusy(RunFolderError):
    """Another run holds the folder's lock."""


class RunReadError(ValueError):
    """A run folder that cannot be read; `problems` names each one (file:line: reason)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class Reject:
    """Something that did not make it into the output, and why."""

    kind: str  # "document", "record" or "value"
    doc_id: str | None
    path: str
    reason: str
    record_type: str | None = None
    field: str | None = None
    value: Any = None
    stage: str = ""

    def row(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if v is not None and v != ""}


@dataclass
class RunOutput:
    records: list[Record] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)
    # Any further file of the run (relative path -> text), written beside the side files and
    # listed in the manifest like them.
    other_files: dict[str, str] = field(default_factory=dict)


def new_run_id() -> str:
    return uuid.uuid4().hex


@contextmanager
def locked_run_dir(run_dir: Path) -> Iterator[Path]:
    """Hold an exclusive lock on the run folder (created if missing) while the block runs.

    The lock is `flock` on the folder itself: no lock file to clean up, and the kernel releases it
    when the process ends however it ends, so a killed run never blocks the next one. A folder
    this call created and nothing was written into is removed again.
    """
    created = not run_dir.exists()
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        handle = os.open(run_dir, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        raise RunFolderError(f"{run_dir}: cannot be used as the run folder: {exc.strerror or exc}") from exc
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunFolderBusy(
                f"{run_dir}: another extract run is writing this folder; wait for it to finish or choose another --out"
            ) from None
        try:
            yield run_dir
        finally:
            if created and not any(run_dir.iterdir()):
                run_dir.rmdir()
    finally:
        os.close(handle)  # closing the descriptor releases the lock


def remove_run_outputs(run_dir: Path, *, keep: tuple[str, ...] = ()) -> None:
    """Remove an earlier run's outputs (RUN_OUTPUTS but `keep`) from the run folder; nothing else."""
    for name in RUN_OUTPUTS:
        if name in keep:
            continue
        path = run_dir / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()


def page_run_id(html: str) -> str | None:
    """The run id a review page names (RUN_ID_META), or None."""
    match = re.search(rf'<meta name="{RUN_ID_META}" content="([0-9A-Za-z_-]*)"', html)
    return match.group(1) if match else None


def write_run(run_dir: Path, output: RunOutput, manifest: dict[str, Any]) -> None:
    """Write the run folder; the manifest goes last, so a folder with a manifest is complete.

    Sets `manifest["run_id"]` (unless the caller chose one) and `manifest["files"]`: every file
    written, relative to the folder, with its sha256 and line count. Temporary files that a killed
    earlier write left behind are removed first, and so are the record files an older extract wrote
    at the top of the folder: this run replaces them, as it replaces the files it writes.
    """
    with RunWriter(run_dir, other_files=list(output.other_files)) as writer:
        writer.add(record_rows(output.records), (r.row() for r in output.rejects), output.responses)
        writer.commit(manifest, output.other_files)


class RunWriter:
    """`write_run` in one streaming pass, for a run too large to hold: rows go to temporary files as
    they come (one document's at a time), and `commit()` renames them into place, the manifest
    last. Leaving the `with` block without committing removes the temporary files."""

    def __init__(self, run_dir: Path, *, other_files: list[str] | None = None) -> None:
        run_dir.mkdir(parents=True, exist_ok=True)
        (run_dir / MANIFEST).unlink(missing_ok=True)
        (run_dir / ERRORS).unlink(missing_ok=True)  # an earlier run's errors are not this run's
        for record_type in RECORD_TYPES:
            (run_dir / f"{record_type}.jsonl").unlink(missing_ok=True)
        names = [record_file(t) for t in RECORD_TYPES] + [REJECTS, RESPONSES, MANIFEST, ERRORS, *(other_files or [])]
        for name in names:
            remove_stale_temp_files(run_dir / name)
        self.run_dir = run_dir
        self._records = {t: AtomicFile(run_dir / record_file(t)) for t in RECORD_TYPES}
        self._files = {
            **{record_file(t): file for t, file in self._records.items()},
            REJECTS: AtomicFile(run_dir / REJECTS),
            RESPONSES: AtomicFile(run_dir / RESPONSES),
        }
        self._committed = False

    def add(
        self, records: Iterable[dict[str, Any]], rejects: Iterable[dict[str, Any]], responses: Iterable[dict[str, Any]]
    ) -> None:
        """Rows in output order: records (each with its record_type), reject rows, recorded responses."""
        for row in records:
            self._records[row["record_type"]].write_row(row)
        for row in rejects:
            self._files[REJECTS].write_row(row)
        for row in responses:
            self._files[RESPONSES].write_row(row)

    def commit(
        self,
        manifest: dict[str, Any],
        other_files: dict[str, str] | None = None,
        *,
        written: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        """Rename every file into place, write `other_files` (relative path -> text), then the manifest.
        `written`: files of the run written before (relative path -> sha256 and lines), listed too."""
        for file in self._files.values():
            file.flush()
        manifest.setdefault("run_id", new_run_id())
        manifest["files"] = {}
        for name, file in self._files.items():
            file.commit()
            manifest["files"][name] = {"sha256": file.sha256, "lines": file.lines}
        manifest["files"].update(written or {})
        for name, text in (other_files or {}).items():
            write_text_atomic(self.run_dir / name, text)
            manifest["files"][name] = {"sha256": sha256_text(text), "lines": text.count("\n")}
        write_text_atomic(self.run_dir / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        self._committed = True

    def __enter__(self) -> RunWriter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if not self._committed:
            for file in self._files.values():
                file.discard()


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class RunContents:
    """What `read_run` returns."""

    run_dir: Path
    manifest: dict[str, Any] | None  # None only when read with require_manifest=False from a folder without one
    records: dict[str, list[Record]]  # every record type, its records in file order (empty list if none)
    rejects: list[dict[str, Any]]  # the rows of rejects.jsonl
    # Read with skip_bad_lines=True: each line left out, as "file:line: reason" (empty otherwise).
    left_out: list[str] = field(default_factory=list)

    @property
    def all_records(self) -> list[Record]:
        return [record for records in self.records.values() for record in records]


def read_run(run_dir: Path, *, require_manifest: bool = True, skip_bad_lines: bool = False) -> RunContents:
    """Read a run folder written by `extract run`: its manifest, its records per type, its rejects.

    `run_dir` is the folder (`outputs/seeds`). Records come from `records/<record_type>.jsonl`
    (a missing file means none of that type), each checked against its record type's schema.
    Raises `RunReadError` listing every problem, each as one line naming file and line: not a
    folder; no manifest.json (an incomplete or interrupted run; pass `require_manifest=False` to
    read what is there, as `extract eval` does for hand-made folders); an older layout with record
    files at the top; an invalid line; a record in another type's file; a rejects line that is not
    JSON. It does not check documents or file hashes: `extract validate` does.

    With `skip_bad_lines=True` (what `extract export` uses) a line that cannot be read is left out
    and named in `left_out` instead of failing the read; a folder that is not a readable run still
    raises. `extract validate` never skips: it reports every line.
    """
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise RunReadError([f"{run_dir}: run folder does not exist or is not a folder"])
    problems: list[str] = []
    manifest: dict[str, Any] | None = None
    manifest_path = run_dir / MANIFEST
    if manifest_path.is_file():
        try:
            loaded = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            problems.append(f"{manifest_path}: not a readable JSON manifest ({exc})")
        else:
            if isinstance(loaded, dict):
                manifest = loaded
            else:
                problems.append(f"{manifest_path}: not a manifest (a JSON object)")
    records_dir = run_dir / RECORDS_DIR
    if not records_dir.is_dir():
        if any((run_dir / f"{t}.jsonl").is_file() for t in RECORD_TYPES):
            problems.append(
                f"{run_dir}: record files at the top of the folder: an older extract's layout; "
                f"records are now in {RECORDS_DIR}/ (run again to rewrite it)"
            )
        elif not manifest_path.is_file():
            problems.append(f"{run_dir}: not a run folder (neither {RECORDS_DIR}/ nor {MANIFEST})")
    elif not manifest_path.is_file() and require_manifest:
        problems.append(f"{run_dir}: incomplete run: no {MANIFEST} (the run was interrupted or is still writing)")
    if problems and skip_bad_lines:
        raise RunReadError(problems)  # the folder itself: no line to leave out
    records: dict[str, list[Record]] = {}
    for record_type in RECORD_TYPES:
        path = run_dir / record_file(record_type)
        records[record_type] = []
        if not path.is_file():
            continue
        found, errors = read_numbered_records(path)
        problems.extend(str(error) for error in errors)
        for number, record in found:
            if record.record_type != record_type:
                problems.append(f"{path}:{number}: a {record.record_type} record in {path.name}")
            else:
                records[record_type].append(record)
    rejects = _read_rows(run_dir / REJECTS, problems)
    if problems and not skip_bad_lines:
        raise RunReadError(problems)
    return RunContents(run_dir, manifest, records, rejects, left_out=problems)


def _read_rows(path: Path, problems: list[str]) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{path}:{number}: not JSON ({exc.msg})")
            continue
        if isinstance(row, dict):
            rows.append(row)
        else:
            problems.append(f"{path}:{number}: not a JSON object")
    return rows
