"""How long the embedded model takes to score k candidates of about n tokens each (LocalBackend.score).

`python bench/choose_speed.py [REPEATS]` asks the chooser's event template (its few-shot prefix,
then one new sentence per call, as the extraction layer would) with k candidates of n tokens for
k in 2, 4, 8 and n in 1, 4, 16, REPEATS calls each (default 3), and prints seconds per call and
per candidate, and for comparison a 4-token completion of the same prompts. The first call loads
the model and decodes the few-shot prefix; it is timed apart. Prints, never asserts; run it on an
otherwise idle machine (it prints the load average first).
"""

from __future__ import annotations

import os
import sys
import time

from pipeline.backends.local import LocalBackend
from pipeline.choose import load_choose_prompts

WORDS = (
    "harbour", "cutter", "frigate", "patrol", "convoy", "radar", "beacon", "ferry", "anchor", "signal", "drill",
    "escort", "landing", "barracks", "depot", "bridge", "river", "valley", "border", "crossing", "engine", "rotor",
    "hangar", "runway",
)
SUBJECTS = ("The coast guard", "Two brigades", "A border unit", "The navy", "Reservists", "Engineers")
ACTIONS = ("trained near the dam", "met in the port", "repaired a bridge", "held a drill at night")


def sentence(index: int) -> str:
    """A new invented sentence per call, so each call decodes the sentence after the cached prefix."""
    return f"{SUBJECTS[index % len(SUBJECTS)]} {ACTIONS[index % len(ACTIONS)]} on day {index}."


def candidates(k: int, n: int, start: int) -> list[str]:
    """k different candidates of n words (one Gemma token each for these common words)."""
    return [" " + " ".join(WORDS[(start + i * n + j) % len(WORDS)] for j in range(n)) + f" {i}" * (n > 1)
            for i in range(k)]


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    prompts = load_choose_prompts()
    backend = LocalBackend()
    call = 0

    started = time.perf_counter()
    first = backend.score(prompts.event_prompt("exercise", sentence(call)), [" Yes", " No"])
    print(f"threads {backend.threads}; first call (model load and the few-shot prefix, "
          f"{first.usage.prompt_tokens} tokens decoded): {time.perf_counter() - started:.2f} s")

    print(f"{'k':>3} {'n':>3} {'tokens':>7} {'s/call':>8} {'s/cand':>8} {'decoded/call':>13}")
    for k in (2, 4, 8):
        for n in (1, 4, 16):
            elapsed, decoded, tokens = 0.0, 0, 0
            for _ in range(repeats):
                call += 1
                prompt = prompts.event_prompt("exercise", sentence(call))
                began = time.perf_counter()
                scores = backend.score(prompt, candidates(k, n, call))
                elapsed += time.perf_counter() - began
                decoded += scores.usage.prompt_tokens
                tokens += sum(s.tokens for s in scores.scores)
            print(f"{k:>3} {n:>3} {tokens / repeats / k:>7.1f} {elapsed / repeats:>8.3f} "
                  f"{elapsed / repeats / k:>8.3f} {decoded / repeats:>13.1f}")

    elapsed = 0.0
    for _ in range(repeats):
        call += 1
        prompt = prompts.event_prompt("exercise", sentence(call))
        began = time.perf_counter()
        backend.complete(prompt, max_tokens=4, stop=["\n"])
        elapsed += time.perf_counter() - began
    print(f"for comparison, a completion of up to 4 tokens of the same prompts: {elapsed / repeats:.3f} s/call")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
