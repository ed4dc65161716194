"""The real-article benchmark: which public articles, and their gold, kept without their text.

The repository holds only our own work. For each article, `bench/real/articles/<doc_id>.json`
holds where it came from (URL, the `pages` search query that finds it, outlet), the sha256 of
its text, its split (development or holdout, decided by a hash of the URL, not by us) and its
gold records with every verbatim value replaced by character offsets into the text. The texts
live in `bench/real/texts/` (git-ignored) and are pulled again with the search tool when missing.

    python bench/real/corpus.py status               # which texts are present and unchanged
    python bench/real/corpus.py add DOC_ID --url U --query Q --outlet O
    python bench/real/corpus.py pack [DOC_ID ...]    # texts/gold/*.jsonl -> articles/*.json
    python bench/real/corpus.py unpack [DOC_ID ...]  # articles/*.json + texts -> texts/gold/*.jsonl
    python bench/real/corpus.py split dev|holdout    # texts of one split, as a folder to run on
    python bench/real/corpus.py agreement            # second annotation vs the gold, by pipeline/evaluate.py

Annotators write gold as ordinary record JSONL (tests/gold/GUIDE.md) in `texts/gold/`; `pack`
checks it against the schema and the text and stores it as offsets plus normalized values.
A second, independent annotation of some articles goes the same way with `--second`
(`texts/second/*.jsonl` <-> `second/<doc_id>.json`); `agreement` scores it against the gold.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ARTICLES = HERE / "articles"
TEXTS = HERE / "texts"
WORK_GOLD = TEXTS / "gold"
SPLITS = TEXTS / "splits"
# The second annotator's records, packed like the gold: `second/<doc_id>.json` holds doc_id, the
# text's sha256 and `gold` (that annotator's records), so pack/unpack serve both annotations.
SECOND = HERE / "second"
WORK_SECOND = TEXTS / "second"

sys.path.insert(0, str(HERE.parents[1]))
from pipeline.evaluate import EvalReport, score  # noqa: E402
from pipeline.text import find_all  # noqa: E402
from schemas import ANY_RECORD, COMPUTED_KEYS, with_stable_id  # noqa: E402

HOLDOUT_SHARE = 3  # one article in three, by URL hash


def split_of(url: str) -> str:
    return "holdout" if int(hashlib.sha256(url.encode()).hexdigest()[:8], 16) % HOLDOUT_SHARE == 0 else "dev"


def text_path(doc_id: str) -> Path:
    return TEXTS / f"{doc_id}.txt"


def read_text(doc_id: str) -> str | None:
    path = text_path(doc_id)
    return path.read_text(encoding="utf-8") if path.exists() else None


def sha256_of(doc_id: str) -> str | None:
    path = text_path(doc_id)
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def load_entry(doc_id: str) -> dict[str, Any]:
    return json.loads((ARTICLES / f"{doc_id}.json").read_text(encoding="utf-8"))


def save_entry(entry: dict[str, Any]) -> None:
    ARTICLES.mkdir(exist_ok=True)
    path = ARTICLES / f"{entry['doc_id']}.json"
    path.write_text(json.dumps(entry, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def all_entries() -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(ARTICLES.glob("*.json"))]


def second_entries() -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(SECOND.glob("*.json"))]


def _pack_value(value: Any, key: str | None, text: str, near: tuple[int, int]) -> Any:
    """Replace every verbatim string by {"span": [start, end]}: the occurrence nearest the evidence."""
    if isinstance(value, dict):
        return {k: _pack_value(v, k, text, near) for k, v in value.items()}
    if isinstance(value, list):
        return [_pack_value(v, key, text, near) for v in value]
    if isinstance(value, str) and key not in COMPUTED_KEYS:
        starts = find_all(text, value)
        if not starts:
            raise ValueError(f"{key}={value!r} is not verbatim in the text")
        best = min(starts, key=lambda s: 0 if near[0] <= s < near[1] else min(abs(s - near[0]), abs(s - near[1])))
        return {"span": [best, best + len(value)]}
    return value


def _unpack_value(value: Any, text: str) -> Any:
    if isinstance(value, dict):
        if set(value) == {"span"}:
            start, end = value["span"]
            return text[start:end]
        return {k: _unpack_value(v, text) for k, v in value.items()}
    if isinstance(value, list):
        return [_unpack_value(v, text) for v in value]
    return value


def check_record(line: str, text: str, where: str) -> dict[str, Any]:
    record = ANY_RECORD.validate_json(line)
    for evidence in record.evidence:
        if text[evidence.start : evidence.end] != evidence.text:
            raise ValueError(f"{where}: evidence {evidence.start}..{evidence.end} does not slice the text")
    return dict(record.model_dump(mode="json"))


def pack(doc_id: str, second: bool = False) -> int:
    """texts/gold/<doc_id>.jsonl -> articles/<doc_id>.json (`second`: texts/second -> second/)."""
    entry = load_entry(doc_id)
    text = read_text(doc_id)
    if text is None or sha256_of(doc_id) != entry["sha256"]:
        raise ValueError(f"{doc_id}: text missing or changed; pull it again first")
    gold_path = (WORK_SECOND if second else WORK_GOLD) / f"{doc_id}.jsonl"
    packed = []
    for number, line in enumerate(gold_path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{gold_path}:{number}"
        record = check_record(line, text, where)
        if record["doc_id"] != doc_id:
            raise ValueError(f"{where}: doc_id {record['doc_id']!r} is not {doc_id!r}")
        evidence = record.pop("evidence")
        near = (min(e["start"] for e in evidence), max(e["end"] for e in evidence))
        record.pop("id")
        record.pop("spans", None)  # offsets of values the pipeline computes when it grounds a record
        try:
            body = _pack_value(record, None, text, near)
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
        body["evidence"] = [[e["start"], e["end"]] for e in evidence]
        packed.append(body)
    if second:
        SECOND.mkdir(exist_ok=True)
        second_entry = {"doc_id": doc_id, "sha256": entry["sha256"], "gold": packed}
        (SECOND / f"{doc_id}.json").write_text(json.dumps(second_entry, indent=1, ensure_ascii=False) + "\n", "utf-8")
    else:
        entry["gold"] = packed
        save_entry(entry)
    return len(packed)


def unpack(entry: dict[str, Any]) -> list[str]:
    """The records of an article's entry (or of a second annotation's) as JSONL lines."""
    text = read_text(entry["doc_id"])
    if text is None:
        raise ValueError(f"{entry['doc_id']}: text missing")
    if sha256_of(entry["doc_id"]) != entry["sha256"]:
        raise ValueError(f"{entry['doc_id']}: text changed since it was annotated; pull it again")
    lines = []
    for body in entry["gold"]:
        record = _unpack_value({k: v for k, v in body.items() if k != "evidence"}, text)
        record["evidence"] = [{"text": text[s:e], "start": s, "end": e} for s, e in body["evidence"]]
        record["id"] = "pending"
        model = with_stable_id(ANY_RECORD.validate_python(record))
        lines.append(model.model_dump_json())
    return lines


def status() -> int:
    entries = all_entries()
    missing = 0
    for entry in entries:
        found = sha256_of(entry["doc_id"])
        state = "ok" if found == entry["sha256"] else ("missing" if found is None else "CHANGED")
        missing += state != "ok"
        counts: dict[str, int] = {}
        for record in entry["gold"]:
            counts[record["record_type"]] = counts.get(record["record_type"], 0) + 1
        print(f"{entry['doc_id']:<40} {entry['split']:<8} {state:<8} {entry['outlet']:<22} {counts}")
        if state != "ok":
            print(f"    pull again: search pages for {entry['query']!r}, take {entry['url']}")
    totals: dict[str, dict[str, int]] = {}
    for entry in entries:
        for record in entry["gold"]:
            split = totals.setdefault(entry["split"], {})
            split[record["record_type"]] = split.get(record["record_type"], 0) + 1
    outlets = {e["outlet"] for e in entries}
    print(f"{len(entries)} articles, {len(outlets)} outlets, {missing} without their text; records: {totals}")
    return 1 if missing else 0


def write_split(split: str) -> Path:
    """`texts/splits/<split>/` with the split's texts and `gold/`, ready for `extract run` and `eval`."""
    folder = SPLITS / split
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "gold").mkdir(parents=True)
    for entry in all_entries():
        if entry["split"] != split:
            continue
        if sha256_of(entry["doc_id"]) != entry["sha256"]:
            raise ValueError(f"{entry['doc_id']}: text missing or changed; run `corpus.py status`")
        shutil.copy(text_path(entry["doc_id"]), folder / f"{entry['doc_id']}.txt")
        (folder / "gold" / f"{entry['doc_id']}.jsonl").write_text(
            "".join(line + "\n" for line in unpack(entry)), encoding="utf-8"
        )
    return folder


def agreement() -> EvalReport:
    """The second annotation scored against the gold, on the articles that have both, by the
    project's own scorer (F1 is symmetric: swapping the sides swaps precision and recall)."""
    first: list[Any] = []
    second: list[Any] = []
    doc_ids = []
    for second_entry in second_entries():
        doc_ids.append(second_entry["doc_id"])
        second += [ANY_RECORD.validate_json(line) for line in unpack(second_entry)]
        first += [ANY_RECORD.validate_json(line) for line in unpack(load_entry(second_entry["doc_id"]))]
    if not doc_ids:
        raise ValueError(f"{SECOND}: no second annotation")
    return score(second, first, doc_ids)


def print_agreement(report: EvalReport) -> None:
    print(f"inter-annotator agreement on {len(report.documents)} articles (second annotation vs gold)")
    print(f"{'type':<14}{'first':>7}{'second':>7}{'matched':>8}{'rec F1':>8}   "
          f"{'field P':>8}{'field R':>8}{'field F1':>9}")
    rows = [(name, t.records, t.fields) for name, t in report.types.items()]
    for name, records, fields in [*rows, ("ALL", report.records, report.fields)]:
        print(f"{name:<14}{records.gold:>7}{records.predicted:>7}{records.matched:>8}{records.f1:>8.3f}   "
              f"{fields.precision:>8.3f}{fields.recall:>8.3f}{fields.f1:>9.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("status")
    add = commands.add_parser("add")
    add.add_argument("doc_id")
    add.add_argument("--url", required=True)
    add.add_argument("--query", required=True)
    add.add_argument("--outlet", required=True)
    pack_cmd = commands.add_parser("pack")
    pack_cmd.add_argument("doc_ids", nargs="*")
    pack_cmd.add_argument("--second", action="store_true", help="the second annotation: texts/second -> second/")
    unpack_cmd = commands.add_parser("unpack")
    unpack_cmd.add_argument("doc_ids", nargs="*")
    unpack_cmd.add_argument("--second", action="store_true", help="the second annotation: second/ -> texts/second")
    split_cmd = commands.add_parser("split")
    split_cmd.add_argument("split", choices=["dev", "holdout"])
    commands.add_parser("agreement")
    args = parser.parse_args()
    try:
        if args.command == "status":
            return status()
        if args.command == "add":
            digest = sha256_of(args.doc_id)
            if digest is None:
                raise ValueError(f"save the text as {text_path(args.doc_id)} first")
            save_entry({"doc_id": args.doc_id, "url": args.url, "query": args.query, "outlet": args.outlet,
                        "sha256": digest, "split": split_of(args.url), "gold": []})
            print(f"{args.doc_id}: added ({split_of(args.url)})")
        elif args.command == "pack":
            work = WORK_SECOND if args.second else WORK_GOLD
            for doc_id in args.doc_ids or [p.stem for p in sorted(work.glob("*.jsonl"))]:
                print(f"{doc_id}: {pack(doc_id, args.second)} records packed")
        elif args.command == "unpack":
            work = WORK_SECOND if args.second else WORK_GOLD
            work.mkdir(parents=True, exist_ok=True)
            for entry in second_entries() if args.second else all_entries():
                if args.doc_ids and entry["doc_id"] not in args.doc_ids:
                    continue
                lines = unpack(entry)
                (work / f"{entry['doc_id']}.jsonl").write_text("".join(x + "\n" for x in lines), "utf-8")
                print(f"{entry['doc_id']}: {len(lines)} records")
        elif args.command == "split":
            print(write_split(args.split))
        elif args.command == "agreement":
            print_agreement(agreement())
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
