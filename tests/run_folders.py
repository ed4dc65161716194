"""Run folders for the review page and export tests: the seeds replayed from their recording, and a
hand-built run whose article carries markup and whose records' spans overlap.

The hand-built article is invented; it holds a `<script>` and an `onerror` handler that must show
as text on the review page and never run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipeline.run import RunSettings, run_extraction
from schemas import AidDelivery, Exercise, Quote, Record, with_stable_id

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEEDS_GOLD = ROOT / "tests" / "gold"
SEEDS_RECORDING = ROOT / "tests" / "recordings" / "seeds.responses.jsonl"

INJECTED = "<script>window.__injected = 1; document.title = 'injected';</script>"
HOSTILE_ARTICLE = (
    f"Harbor notes {INJECTED} from the quay.\n"
    "\n"
    "On May 3 Norway handed two patrol boats to the Latvian Coast Guard in Riga. "
    "“We are grateful for the <b>boats</b>,” said the Latvian commander Janis Ozols.\n"
    "Crews from both navies then drilled a towing exercise near Riga.\n"
    '<img src=x onerror="window.__injected = 2"> ends the note.\n'
)


def replay_seeds(run_dir: Path) -> Path:
    """The seeds through the pipeline, answered from the recorded model responses (no model runs)."""
    result = run_extraction(SEEDS, run_dir, RunSettings(backend="replay", model=str(SEEDS_RECORDING), use_cache=False))
    assert result.failed_documents == 0
    return run_dir


def _span(text: str, words: str, after: int = 0) -> list[int]:
    start = text.index(words, after)
    return [start, start + len(words)]


def _evidence(text: str, words: str) -> dict[str, Any]:
    start, end = _span(text, words)
    return {"text": words, "start": start, "end": end}


def hostile_records(text: str, doc_id: str) -> list[tuple[Record, dict[str, list[int]]]]:
    """Three records of three types whose evidence overlaps, each with a value-level spans map."""
    aid_sentence = "On May 3 Norway handed two patrol boats to the Latvian Coast Guard in Riga."
    aid = AidDelivery(
        id="", doc_id=doc_id, evidence=[_evidence(text, aid_sentence)],
        donor={"name": "Norway", "kind": "country", "country": "NO"},
        recipient={"name": "Latvian Coast Guard", "kind": "security_service", "country": "LV"},
        items=[{"description": "patrol boats", "quantity": 2}],
        date={"text": "May 3", "start": "2024-05-03", "end": "2024-05-03", "precision": "day"},
        location="Riga", status="delivered",
    )  # fmt: skip
    aid_spans = {
        "donor.name": _span(text, "Norway"), "recipient.name": _span(text, "Latvian Coast Guard"),
        "items[0].description": _span(text, "patrol boats"), "items[0].quantity": _span(text, "two"),
        "date.text": _span(text, "May 3"), "location": _span(text, "Riga"),
    }  # fmt: skip
    quoted = "We are grateful for the <b>boats</b>,"
    quote_sentence = "“We are grateful for the <b>boats</b>,” said the Latvian commander Janis Ozols."
    quote = Quote(
        id="", doc_id=doc_id, evidence=[_evidence(text, quote_sentence), _evidence(text, f"Harbor notes {INJECTED}")],
        speaker={"name": "Janis Ozols", "kind": "person", "country": "LV", "role": "Latvian commander"},
        text=quoted, cue="said",
    )  # fmt: skip
    quote_spans = {
        "text": _span(text, quoted), "speaker.name": _span(text, "Janis Ozols"),
        "speaker.role": _span(text, "Latvian commander"), "cue": _span(text, "said"),
    }  # fmt: skip
    # Evidence that starts inside the aid sentence and ends inside the quotation: spans that cross.
    crossing = "Latvian Coast Guard in Riga. “We are grateful"
    exercise = Exercise(
        id="", doc_id=doc_id,
        evidence=[_evidence(text, crossing), _evidence(text, "Crews from both navies then drilled a towing exercise")],
        description="towing exercise", location="near Riga",
    )  # fmt: skip
    exercise_spans = {"description": _span(text, "towing exercise"), "location": _span(text, "near Riga")}
    return [(with_stable_id(aid), aid_spans), (with_stable_id(quote), quote_spans),
            (with_stable_id(exercise), exercise_spans)]  # fmt: skip


def write_hostile_run(base: Path, layout: str = "records") -> Path:
    """A run folder written by hand: the hostile article, its records with `spans` maps (in
    RUN/records/<type>.jsonl, or at the top as an older extract wrote them with layout="flat"),
    rejects and a manifest."""
    article = base / "articles" / "harbor_notes.txt"
    article.parent.mkdir(parents=True, exist_ok=True)
    article.write_text(HOSTILE_ARTICLE, encoding="utf-8")
    run_dir = base / "run"
    records_dir = run_dir / "records" if layout == "records" else run_dir
    records_dir.mkdir(parents=True, exist_ok=True)
    rows: dict[str, list[dict[str, Any]]] = {"exercise": [], "aid_delivery": [], "agreement": [], "quote": []}
    for record, spans in hostile_records(HOSTILE_ARTICLE, "harbor_notes"):
        rows[record.record_type].append({**record.model_dump(mode="json"), "spans": spans})
    for record_type, lines in rows.items():
        (records_dir / f"{record_type}.jsonl").write_text(
            "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8"
        )
    rejects = [
        {"kind": "value", "doc_id": "harbor_notes", "path": str(article), "reason": "not in the source text",
         "record_type": "aid_delivery", "field": "value", "value": "<i>5 million</i>", "stage": "grounding"},
        {"kind": "record", "doc_id": "harbor_notes", "path": str(article), "reason": "incomplete record: no parties",
         "record_type": "agreement", "value": {"subject": "towing"}, "stage": "merge"},
        {"kind": "document", "doc_id": None, "path": str(base / "articles" / "broken.txt"), "reason": "is empty",
         "stage": "load"},
    ]  # fmt: skip
    (run_dir / "rejects.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rejects), encoding="utf-8")
    manifest = {
        "backend": {"name": "hand", "model": "none"},
        "inputs": [
            {"doc_id": "harbor_notes", "path": str(article), "characters": len(HOSTILE_ARTICLE), "status": "ok",
             "doc_date": "2024", "metadata": {"publication": "Harbor <Notes>"}},
            {"path": str(base / "articles" / "broken.txt"), "status": "rejected", "reason": "is empty"},
        ],
    }  # fmt: skip
    (run_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return run_dir


def run_span_count(run_dir: Path) -> int:
    """Evidence spans plus value spans of every record in a run folder, counted from its files."""
    total = 0
    for path in [*run_dir.glob("*.jsonl"), *run_dir.glob("records/*.jsonl")]:
        if path.name in ("rejects.jsonl", "responses.jsonl"):
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            total += len(row["evidence"])
            for value in (row.get("spans") or {}).values():
                total += len(value) if value and isinstance(value[0], list) else 1
    return total


def run_records(run_dir: Path) -> dict[str, list[dict[str, Any]]]:
    """The records of a run folder by type, read straight from its files (either layout)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for path in [*run_dir.glob("*.jsonl"), *run_dir.glob("records/*.jsonl")]:
        if path.name in ("rejects.jsonl", "responses.jsonl"):
            continue
        found[path.stem] = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return found
