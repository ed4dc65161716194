"""Quality and speed of a backend on a folder with gold: `python bench/quality.py seeds --gold tests/gold`.

Prints per-type record and field F1, the micro field F1 headline, values dropped as ungrounded,
and seconds per document: a cold run (empty response cache, model load included) and a warm
re-run over the same inputs (every answer from the cache). Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from pipeline.documents import Document, load_document
from pipeline.evaluate import evaluate
from pipeline.grounding import values_missing_from_source
from pipeline.output import read_run
from pipeline.run import RunSettings, run_extraction
from pipeline.validate import validate_files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--gold", type=Path, default=Path("tests/gold"))
    parser.add_argument("--backend", default="local")
    parser.add_argument("--model", default=None)
    parser.add_argument("--base-url", default=None)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        cache = Path(scratch) / "cache.sqlite3"
        settings = RunSettings(backend=args.backend, model=args.model, base_url=args.base_url, cache_path=cache)
        started = time.perf_counter()
        cold = run_extraction(args.folder, Path(scratch) / "cold", settings)
        cold_seconds = time.perf_counter() - started
        started = time.perf_counter()
        run_extraction(args.folder, Path(scratch) / "warm", settings)
        warm_seconds = time.perf_counter() - started
        report = evaluate(cold.run_dir, args.gold)
        loaded = [load_document(Path(d["path"])) for d in cold.manifest["inputs"] if d.get("doc_id")]
        sources = {d.doc_id: d.text for d in loaded if isinstance(d, Document)}
        not_in_source = [
            (record.doc_id, value)
            for record in read_run(cold.run_dir).all_records
            for value in values_missing_from_source(record.model_dump(mode="json"), sources[record.doc_id])
        ]
        validation = validate_files([cold.run_dir])

    documents = max(1, len(cold.documents))
    print(f"== {args.folder} (gold: {args.gold})")
    print(f"{'type':<14}{'record F1':>10}{'field F1':>10}")
    for name, scores in report.types.items():
        print(f"{name:<14}{scores.records.f1:>10.3f}{scores.fields.f1:>10.3f}")
    print(f"{'micro':<14}{report.micro_record_f1:>10.3f}{report.micro_field_f1:>10.3f}")
    dropped = cold.manifest["dropped_values_by_reason"]
    print(f"values dropped as ungrounded: {sum(dropped.values())} {dropped}")
    print(f"output values not in their source: {len(not_in_source)} {not_in_source[:5]}")
    print(f"extract validate (spans against the documents): {len(validation.errors)} problem(s) "
          f"{[str(e) for e in validation.errors[:3]]}")
    print(f"documents: {documents}; model calls: {cold.manifest['model_calls']['calls']}")
    per_doc = ", ".join(f"{d.doc_id}={d.seconds:.1f}s" for d in cold.documents)
    print(f"cold run (model load included): {cold_seconds:.1f} s, {cold_seconds / documents:.1f} s/doc ({per_doc})")
    print(f"warm re-run (answers cached): {warm_seconds:.2f} s")


if __name__ == "__main__":
    main()
