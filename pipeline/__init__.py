"""`extract`: articles in, validated and grounded records out.

The stages, in the order a document meets them (pipeline/run.py reads top to bottom):
documents (load) -> strategies (ask a backend: slots.py with prompts.py and the sentence
rules in strategies/rules/, or structured.py with instructor) -> grounding (align to the
source, drop what is not there) -> assemble (actors, dates, money; validate) -> merge ->
output (JSONL, manifest, rejects). evaluate.py scores a run against gold files.
"""
