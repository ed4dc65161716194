"""Stage 7, write: the run folder. Every file is written atomically (temp file, then rename).

outputs/<run>/
  <record_type>.jsonl   validated, grounded records, one JSONL per type (empty file if none)
  rejects.jsonl         documents, records and values that were rejected, each with its reason
  responses.jsonl       every model request and answer, for `--backend replay`
  manifest.json         inputs and hashes, backend, model, prompt and schema versions, counts, timings
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.jsonl import record_rows, write_jsonl_atomic, write_text_atomic
from schemas import RECORD_TYPES, Record

MANIFEST = "manifest.json"
REJECTS = "rejects.jsonl"
RESPONSES = "responses.jsonl"


def record_file(record_type: str) -> str:
    return f"{record_type}.jsonl"


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


def write_run(run_dir: Path, output: RunOutput, manifest: dict[str, Any]) -> None:
    """Write the run folder; the manifest goes last, so a folder with a manifest is complete."""
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / MANIFEST).unlink(missing_ok=True)
    for record_type in RECORD_TYPES:
        rows = record_rows(r for r in output.records if r.record_type == record_type)
        write_jsonl_atomic(run_dir / record_file(record_type), rows)
    write_jsonl_atomic(run_dir / REJECTS, (r.row() for r in output.rejects))
    write_jsonl_atomic(run_dir / RESPONSES, output.responses)
    write_text_atomic(run_dir / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
