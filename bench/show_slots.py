"""Print every candidate sentence a prompt selects in a document and the model's raw answer.

For tuning prompts by eye: `python bench/show_slots.py seeds/x.txt exercise`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pipeline.backends import create_backend
from pipeline.documents import Document, load_document
from pipeline.prompts import load_prompts
from pipeline.strategies.slots import MAX_SLOT_TOKENS, STOP, candidate_units


def main() -> None:
    path, record_type = Path(sys.argv[1]), sys.argv[2]
    document = load_document(path)
    assert isinstance(document, Document), document
    prompt = load_prompts()[record_type]
    backend = create_backend("local")
    for unit in candidate_units(document, prompt):
        answer = backend.complete(prompt.render(unit.text), max_tokens=MAX_SLOT_TOKENS, stop=STOP).text
        print(f"--- {unit.text[:160]}\n{prompt.decision or ''}:{answer.rstrip()}")


if __name__ == "__main__":
    main()
