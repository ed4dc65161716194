"""Sentences and paragraphs longer than the model's context: split, or skipped with a named
reject, and never the loss of the document's other records.

Uses the fake backend and the fault server, never the embedded model. The run-on sentence and the
long paragraph are invented and repetitive on purpose.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import BLACK_SEA_DRILL, FakeBackend
from fault_server import FaultServer, RunningFaultServer

from pipeline.backends.base import Completion, ContextOverflow
from pipeline.prompts import load_prompts
from pipeline.run import RunSettings, run_extraction
from pipeline.strategies import MIN_PIECE_CHARS, split_span
from pipeline.strategies.slots import text_budget
from pipeline.strategies.structured import CHUNK_CHARS, chunk_document
from pipeline.text import Span

CLAUSE = "the patrol boats of the harbour guard kept to the drill lanes near the breakwater and "
RUN_ON = ("During the long drill " + CLAUSE * 400).rstrip(" and") + ".\n"  # about 34,000 characters, one sentence


class ContextLimitedFake(FakeBackend):
    """The fake, with a context: a prompt longer than `prompt_chars` is refused like llama.cpp refuses it."""

    def __init__(self, prompt_chars: int, **options: Any) -> None:
        super().__init__(**options)
        self.prompt_chars = prompt_chars
        self.refused = 0

    def complete(self, prompt: str, *, max_tokens: int, stop: list[str]) -> Completion:
        if len(prompt) > self.prompt_chars:
            self.refused += 1
            raise ContextOverflow("Requested tokens (5333) exceed context window of 4096")
        return super().complete(prompt, max_tokens=max_tokens, stop=stop)


def _article(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "drill.txt").write_text(BLACK_SEA_DRILL + "\n" + RUN_ON, encoding="utf-8")
    return folder


def _rejects(run_dir: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (run_dir / "rejects.jsonl").read_text(encoding="utf-8").splitlines()]


def test_split_span_cuts_at_sentence_and_clause_marks_within_the_limit() -> None:
    text = "One short sentence. " * 30 + "word " * 200
    span = Span(100, 100 + len(text), text)
    pieces = split_span(span, 150)
    assert all(len(p.text) <= 150 for p in pieces)
    assert all(span.text[p.start - 100 : p.end - 100] == p.text for p in pieces)
    assert pieces[0].text.endswith("sentence.")
    assert "".join(p.text for p in pieces).replace(" ", "") == text.replace(" ", "")
    assert split_span(span, len(text)) == [span]
    unbroken = Span(0, 1000, "x" * 1000)
    assert [len(p.text) for p in split_span(unbroken, 300)] == [300, 300, 300, 100]


def test_a_run_on_sentence_is_asked_in_pieces_that_fit_and_the_other_records_stay(
    tmp_path: Path, make_fake: Callable[..., FakeBackend]
) -> None:
    fake = make_fake()
    result = run_extraction(_article(tmp_path), tmp_path / "run", RunSettings(use_cache=False), backend=fake)

    assert result.failed_documents == 0, result.documents
    assert result.counts["exercise"] == 1 and result.counts["quote"] == 1  # the normal article's records
    budget = text_budget(fake, load_prompts()["exercise"])
    asked = [text for _, text in fake.asked if "patrol boats of the harbour guard" in text]
    assert len(asked) >= len(RUN_ON) // budget  # the sentence was asked about in pieces
    assert all(len(text) <= budget for text in asked)


def test_a_piece_the_model_still_refuses_is_halved_then_skipped_by_name(tmp_path: Path) -> None:
    from conftest import ARTICLE_ANSWERS, NOTHING

    prompt_chars = len(load_prompts()["exercise"].render("")) + 2 * MIN_PIECE_CHARS
    # Everything the normal article asks fits; the run-on sentence's pieces are halved until they do.
    fake = ContextLimitedFake(prompt_chars + 3000, answers=ARTICLE_ANSWERS, default=NOTHING)
    folder = _article(tmp_path)
    result = run_extraction(folder, tmp_path / "run", RunSettings(use_cache=False), backend=fake)
    assert result.failed_documents == 0, result.documents
    assert fake.refused > 0
    assert result.counts["exercise"] == 1

    # A model whose context holds no piece at all: each smallest piece is skipped with a named reject.
    tiny = ContextLimitedFake(len(load_prompts()["exercise"].render("")) + 40, answers=ARTICLE_ANSWERS,
                              default=NOTHING)
    # Every refused piece is a request too: far more than the default --max-model-calls, so no limit here.
    result = run_extraction(folder, tmp_path / "run2", RunSettings(use_cache=False, max_model_calls=0), backend=tiny)
    assert result.failed_documents == 0, result.documents
    skipped = [r for r in _rejects(result.run_dir) if r["reason"].startswith("not asked:")]
    assert skipped and all("too long for the model's context" in r["reason"] for r in skipped)
    assert all(r["kind"] == "record" and r["stage"] == "model" for r in skipped)


def test_chunking_cuts_a_paragraph_longer_than_a_chunk() -> None:
    paragraph = "The harbour guard drilled again near the breakwater. " * 2000  # about 106,000 characters
    text = "A short first paragraph.\n\n" + paragraph + "\n\nA short last paragraph.\n"
    chunks = chunk_document(text)
    assert all(len(c.text) <= CHUNK_CHARS for c in chunks)
    assert all(text[c.start : c.end] == c.text for c in chunks)
    assert chunks[0].text.startswith("A short first") and chunks[-1].text.endswith("last paragraph.")
    normal = "First paragraph.\n\nSecond paragraph.\n"
    assert [c.text for c in chunk_document(normal)] == [normal.strip()]


@pytest.fixture
def fault(monkeypatch: pytest.MonkeyPatch) -> Iterator[FaultServer]:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    state = FaultServer(chat_content='{"records": []}')
    running = RunningFaultServer(state)
    try:
        yield state
    finally:
        running.stop()


def test_a_long_paragraph_never_goes_whole_to_a_served_model(fault: FaultServer, tmp_path: Path) -> None:
    # The server refuses (context-length 400) any message over 4000 characters: the 6000-character
    # chunks are halved, and no request carries the whole paragraph.
    fault.context_chars = 4000
    folder = tmp_path / "articles"
    folder.mkdir()
    paragraph = "The harbour guard drilled again near the breakwater, and the cutters kept station. " * 400
    (folder / "long.txt").write_text("Cutters drilled off the coast.\n\n" + paragraph + "\n", encoding="utf-8")
    settings = RunSettings(
        backend="openai", base_url=fault.base_url, model="fault", strategy="structured", use_cache=False,
        record_types=["exercise"], backend_options={"timeout": 5.0, "sleep": lambda _: None, "rng": random.Random(1)},
    )

    result = run_extraction(folder, tmp_path / "run", settings)

    assert result.failed_documents == 0, result.documents
    behaviours = [r.behaviour for r in fault.seen]
    assert "context_400" in behaviours and behaviours[-1] == "ok"
    assert max(len(r.text) for r in fault.seen) < len(paragraph) // 4
    answered = [r for r in fault.seen if r.behaviour == "ok"]
    assert all(len(r.text) <= 4000 for r in answered)


class _RefusingLlama:
    """Stands in for llama_cpp.Llama: refuses a prompt the way llama.cpp 0.3 does."""

    def create_completion(self, prompt: str, **_: Any) -> dict[str, Any]:
        raise ValueError("Requested tokens (5333) exceed context window of 4096")


def test_the_embedded_models_context_error_is_a_context_overflow(tmp_path: Path) -> None:
    from pipeline.backends.local import LocalBackend

    weights = tmp_path / "model.gguf"
    weights.write_bytes(b"GGUF not a real model")
    backend = LocalBackend(str(weights), threads=1)
    backend._llama = _RefusingLlama()  # never loads llama.cpp

    with pytest.raises(ContextOverflow, match="4096 tokens") as failure:
        backend.complete("x" * 20000, max_tokens=8, stop=[])
    assert "Requested tokens (5333)" in failure.value.detail


def test_a_served_models_context_size_sizes_the_chunks(fault: FaultServer, tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    paragraph = "The harbour guard drilled again near the breakwater, and the cutters kept station. " * 200
    (folder / "long.txt").write_text(paragraph + "\n", encoding="utf-8")
    options = {"timeout": 5.0, "sleep": lambda _: None, "rng": random.Random(1), "context_tokens": 2500}
    settings = RunSettings(backend="openai", base_url=fault.base_url, model="fault", strategy="structured",
                           use_cache=False, record_types=["exercise"], backend_options=options)

    result = run_extraction(folder, tmp_path / "run", settings)

    assert result.failed_documents == 0, result.documents
    assert result.manifest["backend"]["context_tokens"] == 2500
    passages = [r.text.partition("Passage:\n")[2] for r in fault.seen]
    assert len(passages) > 1 and all(0 < len(p) < CHUNK_CHARS // 2 for p in passages), [len(p) for p in passages]
