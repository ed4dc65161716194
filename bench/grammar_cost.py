"""What constrained decoding costs the embedded model: the same slot-filling prompts, free and
under a GBNF grammar that allows only the prompt's own `Key: value` lines.

`python bench/grammar_cost.py [N]` replays the first N recorded seed prompts of each record type
both ways and prints seconds per call and how often the answers differ. Prints, never asserts.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from llama_cpp import LlamaGrammar

from pipeline.backends.local import LocalBackend
from pipeline.prompts import END, load_prompts

RECORDING = Path(__file__).resolve().parent.parent / "tests" / "recordings" / "seeds.responses.jsonl"


def grammar_for(decision: str, keys: list[str]) -> LlamaGrammar:
    alternatives = " | ".join(json.dumps(k) for k in keys)
    head = 'root ::= " " ("yes" | "no") "\\n" line* "###"\n' if decision else 'root ::= " " value "\\n" line* "###"\n'
    return LlamaGrammar.from_string(
        head + f'line ::= key ": " value "\\n"\nkey ::= {alternatives}\nvalue ::= [^\\n#]+\n', verbose=False
    )


def main() -> None:
    per_type = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    prompts = load_prompts()
    backend = LocalBackend()
    requests = [json.loads(line)["request"] for line in RECORDING.read_text().splitlines()]
    for record_type, prompt in prompts.items():
        chosen = [r for r in requests if r["prompt"].startswith(prompt.prefix)][:per_type]
        if not chosen:
            continue
        grammar = grammar_for(prompt.decision, [s.key for s in prompt.slots])
        timings = {"free": 0.0, "grammar": 0.0}
        differ = 0
        for request in chosen:
            answers = {}
            for mode in timings:
                started = time.perf_counter()
                result = backend.llama.create_completion(
                    request["prompt"], max_tokens=request["max_tokens"], temperature=0.0, top_k=1,
                    stop=[END, "\nText:"], grammar=grammar if mode == "grammar" else None,
                )
                timings[mode] += time.perf_counter() - started
                answers[mode] = result["choices"][0]["text"].strip().removesuffix(END).strip()
            differ += answers["free"] != answers["grammar"]
        n = len(chosen)
        print(f"{record_type:<13} {n} calls: free {timings['free'] / n:.2f} s/call, "
              f"grammar {timings['grammar'] / n:.2f} s/call, answers differ in {differ} of {n}")


if __name__ == "__main__":
    main()
