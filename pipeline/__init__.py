"""`extract`: articles in, validated and grounded records out.

The stages, in the order a document meets them (pipeline.run reads top to bottom):
documents (load) -> candidates (what to ask about) -> prompts + strategies (ask a backend)
-> grounding (align to the source, drop what is not there) -> normalize (dates, money)
-> merge -> output (JSONL, manifest, rejects). evaluate scores a run against gold files.
"""
