"""Durable progress: each document's results are kept in the run folder the moment it finishes.

RUN/parts/ holds one JSON file per document read (written atomically: temp file, fsync,
rename), with the document's records, rejects, recorded model answers, call counts and its
manifest entry. The run's own files (records, rejects, responses, manifest) are assembled from
the parts at the end, in document order, so they do not depend on the order documents finished
in or on how many were in flight. A run that is killed keeps every finished document's part and
has no manifest; `extract run --resume` reads only the documents without a part that still fits.

Why files and not an SQLite store: a part is written whole or not at all by a rename, parts of
documents finishing together never contend for one writer, and a part is plain JSON to read.

A part fits when its fingerprint matches: the document's bytes, date and metadata, and every
setting that changes what a document yields (backend, model, strategy, record types, prompts,
schema and extract versions, the language pipeline).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pipeline.jsonl import write_text_atomic

PARTS = "parts"
PART_SUFFIX = ".part.json"
PART_FORMAT = 1


class ResumeError(ValueError):
    """A run folder that cannot be continued, or that a new run must not overwrite."""


@dataclass
class DocumentPart:
    """What one document yielded: everything the run folder needs from it."""

    doc_id: str
    path: str
    fingerprint: str
    status: str  # "ok", or "failed" when the document was rejected (model or internal error)
    input: dict[str, Any]  # its entry in the manifest's inputs
    records: list[dict[str, Any]] = field(default_factory=list)
    rejects: list[dict[str, Any]] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)  # calls, cache_hits, prompt_tokens, completion_tokens
    error: str | None = None
    seconds: float = 0.0
    errors: str = ""  # its part of the run's errors.log
    text_sha256: str = ""  # of RUN/texts/<doc_id>.txt, written with the part
    text_lines: int = 0
    format: int = PART_FORMAT

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> DocumentPart:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != PART_FORMAT:
            raise ValueError("not a document part of this version")
        return cls(**data)


def fingerprint(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


class PartStore:
    """RUN/parts/: one file per document, named after its id."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = run_dir
        self.dir = run_dir / PARTS

    def start(self, *, resume: bool, manifest_name: str) -> None:
        """Open the store for a new run (an earlier complete run's parts are dropped) or to continue one."""
        manifest = self.run_dir / manifest_name
        if resume:
            if not self.dir.is_dir():
                raise ResumeError(f"{self.run_dir}: no run to resume there (it has no {PARTS}/ folder)")
        elif self.dir.is_dir() and not manifest.exists():
            raise ResumeError(
                f"{self.run_dir}: holds an interrupted run; continue it with --resume, or choose another --out"
            )
        elif self.dir.is_dir():
            shutil.rmtree(self.dir)
        # Until the new manifest is written, the folder says it is incomplete.
        manifest.unlink(missing_ok=True)
        self.dir.mkdir(parents=True, exist_ok=True)

    def path_for(self, doc_id: str) -> Path:
        # Ids are file stems, but a readable prefix plus a hash keeps any id a safe, unique file name.
        readable = re.sub(r"[^A-Za-z0-9._-]+", "_", doc_id)[:80]
        return self.dir / f"{readable}-{hashlib.sha256(doc_id.encode()).hexdigest()[:12]}{PART_SUFFIX}"

    def write(self, part: DocumentPart) -> None:
        write_text_atomic(self.path_for(part.doc_id), part.to_json())

    def read(self, doc_id: str) -> DocumentPart | None:
        """The document's part, or None when there is none (or it cannot be used: it is then read again)."""
        try:
            part = DocumentPart.from_json(self.path_for(doc_id).read_text(encoding="utf-8"))
        except (OSError, ValueError, TypeError):
            return None
        return part if part.doc_id == doc_id else None

    def keep_only(self, doc_ids: set[str]) -> None:
        """Drop the parts of documents no longer in the input, and temporary files of interrupted writes."""
        wanted = {self.path_for(doc_id).name for doc_id in doc_ids}
        for path in self.dir.iterdir():
            if path.name not in wanted:
                path.unlink(missing_ok=True)
