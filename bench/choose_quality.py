"""Is the embedded model worth asking as a chooser? Prints how well its likelihoods separate.

Two uses the design proposes for a small base model (pipeline/choose.py), measured on gold:

- event gate: does a sentence state an event of a type? For each gold record of exercise, aid
  delivery and agreement, its first evidence sentence is a positive; the document's other sentences
  that are no evidence of a record of that type (at most five per document) are negatives. The
  number printed is the AUC of `event_probability` (0.5 is a coin, 1.0 separates every pair).
- role chooser: which of a sentence's noun phrases and named entities is the donor, the recipient?
  For each gold aid delivery whose donor or recipient is among the candidates of its first evidence
  sentence, whether `choose_role` picks it (a candidate within the gold name or holding it counts).

    python bench/choose_quality.py GOLD_DIR [GOLD_DIR ...]   # gold JSONL beside each document's text

The texts are read from the gold folder's parent (`<dir>/gold/*.jsonl` beside `<dir>/*.txt`).
Loads the embedded model: about a minute on 2 cores for a few hundred sentences.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.backends.local import LocalBackend
from pipeline.choose import choose_role, event_probability, load_choose_prompts
from pipeline.language.parse import parse
from pipeline.text import sentences, squash

EVENT_TYPES = ("exercise", "aid_delivery", "agreement")
NEGATIVES_PER_DOCUMENT = 5


def _auc(positives: list[float], negatives: list[float]) -> float | None:
    pairs = [(p > n) + 0.5 * (p == n) for p in positives for n in negatives]
    return sum(pairs) / len(pairs) if pairs else None


def _candidates(sentence: str) -> list[str]:
    doc = parse(sentence)
    phrases = {c.text for c in doc.noun_chunks} | {
        e.text for e in doc.ents if e.label_ in ("GPE", "ORG", "NORP", "PERSON")
    }
    return sorted({p[4:] if p.lower().startswith("the ") else p for p in phrases})


def _same(a: str, b: str) -> bool:
    return squash(a) in squash(b) or squash(b) in squash(a)


def main(gold_dirs: list[Path]) -> None:
    backend = LocalBackend()
    prompts = load_choose_prompts()
    scores: dict[str, tuple[list[float], list[float]]] = {t: ([], []) for t in EVENT_TYPES}
    roles = {"donor": [0, 0], "recipient": [0, 0]}
    documents = 0
    for gold_dir in gold_dirs:
        for gold_file in sorted(gold_dir.glob("*.jsonl")):
            text_file = gold_dir.parent / (gold_file.stem + ".txt")
            if not text_file.exists():
                continue
            documents += 1
            text = text_file.read_text(encoding="utf-8")
            records = [json.loads(line) for line in gold_file.read_text(encoding="utf-8").splitlines() if line.strip()]
            for record_type in EVENT_TYPES:
                typed = [r for r in records if r["record_type"] == record_type]
                evidence = [(e["start"], e["end"]) for r in typed for e in r["evidence"]]
                positives, negatives = scores[record_type]
                for record in typed:
                    probability = event_probability(backend, prompts, record_type, record["evidence"][0]["text"])
                    if probability is not None:
                        positives.append(probability)
                others = [s for s in sentences(text) if not any(a < s.end and s.start < b for a, b in evidence)]
                for sentence in [s for s in others if len(s.text.split()) >= 6][:NEGATIVES_PER_DOCUMENT]:
                    probability = event_probability(backend, prompts, record_type, sentence.text)
                    if probability is not None:
                        negatives.append(probability)
            for record in (r for r in records if r["record_type"] == "aid_delivery"):
                sentence = record["evidence"][0]["text"]
                candidates = _candidates(sentence)
                for role in roles:
                    gold = (record.get(role) or {}).get("name")
                    if not gold or not any(_same(gold, c) for c in candidates) or len(candidates) < 2:
                        continue
                    choice = choose_role(backend, prompts, role, sentence, candidates)
                    roles[role][0] += int(choice is not None and _same(gold, choice.candidate))
                    roles[role][1] += 1
    print(f"chooser quality on {documents} documents ({', '.join(str(d) for d in gold_dirs)})")
    for record_type, (positives, negatives) in scores.items():
        auc = _auc(positives, negatives)
        shown = "n/a" if auc is None else f"{auc:.2f}"
        counts = f"{len(positives)} events, {len(negatives)} other sentences"
        print(f"  event gate {record_type:<13} AUC {shown}  ({counts})")
    for role, (right, asked) in roles.items():
        share = f"{right / asked:.2f}" if asked else "n/a"
        print(f"  role chooser {role:<10} picks the gold one {right} of {asked} ({share})")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: python bench/choose_quality.py GOLD_DIR [GOLD_DIR ...]")
    main([Path(p) for p in sys.argv[1:]])
