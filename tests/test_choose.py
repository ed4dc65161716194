"""The scoring capability and the chooser API (pipeline/choose.py).

With the scripted FakeBackend (conftest): ranking, margins, length normalization, None when a
backend cannot score, the response cache and replay round trip of score requests, the templates
as data. With the fault server (tests/fault_server.py): the OpenAI-compatible echo+logprobs path,
and servers that refuse it or send no logprobs. One test loads the embedded model and checks that
its scores are its log-probabilities.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import FakeBackend
from fault_server import FaultServer, RunningFaultServer

from pipeline.backends.base import BackendError, ScoringUnavailable, can_score
from pipeline.backends.openai_compat import OpenAIBackend, _continuation_logprobs
from pipeline.backends.replay import ReplayBackend
from pipeline.choose import (
    Choice,
    choose,
    choose_role,
    event_probability,
    load_choose_prompts,
    yes_probability,
)
from pipeline.prompts import PromptError
from pipeline.responses import RecordingBackend, ResponseCache

PROMPT = "Sentence: The cutter towed the ferry.\nQuestion: Who tows?\nAnswer:"

# --- choose and yes_probability with the fake ----------------------------------------------------


def test_choose_ranks_by_mean_log_probability_per_token_by_default() -> None:
    # " the cutter" costs more in total (-2.0) but less per token (-1.0) than " ferry" (-1.5).
    fake = FakeBackend(token_logprobs={" the cutter": [-0.5, -1.5], " ferry": [-1.5]})

    choice = choose(fake, PROMPT, [" ferry", " the cutter"])

    assert choice == Choice(index=1, candidate=" the cutter", score=-1.0, margin=0.5, scores=(-1.5, -1.0))
    assert fake.score_requests == [(PROMPT, [" ferry", " the cutter"])]


def test_choose_by_total_log_probability_prefers_the_shorter_candidate_here() -> None:
    fake = FakeBackend(token_logprobs={" the cutter": [-0.5, -1.5], " ferry": [-1.5]})

    choice = choose(fake, PROMPT, [" ferry", " the cutter"], normalize="sum")

    assert choice is not None
    assert (choice.candidate, choice.score, choice.margin, choice.scores) == (" ferry", -1.5, 0.5, (-1.5, -2.0))


def test_margin_is_over_the_runner_up_and_a_tie_goes_to_the_first_given() -> None:
    fake = FakeBackend(token_logprobs={" a": [-3.0], " b": [-1.0], " c": [-1.0], " d": [-0.25]})

    best = choose(fake, PROMPT, [" a", " b", " d"])
    tie = choose(fake, PROMPT, [" c", " b"])
    alone = choose(fake, PROMPT, [" a"])

    assert best is not None and (best.candidate, best.margin) == (" d", 0.75)
    assert tie is not None and (tie.index, tie.margin) == (0, 0.0)
    assert alone is not None and alone.margin == math.inf


def test_a_backend_that_cannot_score_gives_none_and_is_not_asked() -> None:
    fake = FakeBackend()  # no scores scripted: the capability is off

    assert not can_score(fake)
    assert choose(fake, PROMPT, [" a", " b"]) is None
    assert yes_probability(fake, PROMPT) is None
    assert choose(object(), PROMPT, [" a"]) is None  # no capability declared at all
    assert fake.score_requests == []


def test_a_backend_that_finds_out_it_cannot_score_gives_none() -> None:
    fake = FakeBackend(scores=[ScoringUnavailable("no logprobs"), ScoringUnavailable("no logprobs")])

    assert choose(fake, PROMPT, [" a", " b"]) is None
    assert yes_probability(fake, PROMPT) is None
    assert len(fake.score_requests) == 2


def test_other_backend_errors_are_not_swallowed() -> None:
    fake = FakeBackend(scores=[BackendError("server down")])

    with pytest.raises(BackendError, match="server down"):
        choose(fake, PROMPT, [" a", " b"])


@pytest.mark.parametrize(
    ("candidates", "message"),
    [([], "at least one"), ([" a", ""], "empty"), ([" a", " a"], "repeat")],
)
def test_bad_candidates_are_a_clear_error(candidates: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        choose(FakeBackend(token_logprobs={}), PROMPT, candidates)


def test_yes_probability_compares_the_two_answers_only() -> None:
    fake = FakeBackend(token_logprobs={" Yes": [-0.1], " No": [-2.3], " yes": [-4.0], " no": [-4.0]})

    assert yes_probability(fake, PROMPT) == pytest.approx(1 / (1 + math.exp(-2.2)))
    assert yes_probability(fake, PROMPT, (" yes", " no")) == pytest.approx(0.5)
    assert fake.score_requests[-1] == (PROMPT, [" yes", " no"])
    with pytest.raises(ValueError, match="different"):
        yes_probability(fake, PROMPT, (" yes", " yes"))


def test_yes_probability_of_a_certain_no_is_zero_not_an_overflow() -> None:
    fake = FakeBackend(token_logprobs={" Yes": [-900.0], " No": [0.0]})

    assert yes_probability(fake, PROMPT) == 0.0


# --- cache, recording and replay ---------------------------------------------------------------


def test_score_answers_are_cached_recorded_and_replayed(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "cache.sqlite3")
    first = RecordingBackend(FakeBackend(token_logprobs={" Yes": [-0.2], " No": [-1.9], " maybe not": [-1.0, -3.0]}),
                             cache=cache)

    asked = [yes_probability(first, PROMPT), choose(first, PROMPT, [" maybe not", " No"])]

    assert [entry["request"]["kind"] for entry in first.recorded] == ["score", "score"]
    assert first.recorded[0]["request"] == {"kind": "score", "prompt": PROMPT, "continuations": [" Yes", " No"]}
    assert first.recorded[0]["response"]["scores"] == [{"logprob": -0.2, "tokens": 1}, {"logprob": -1.9, "tokens": 1}]

    # Served from the cache: the second inner backend has nothing scripted and is never asked.
    empty = FakeBackend(token_logprobs={})
    second = RecordingBackend(empty, cache=cache)
    assert [yes_probability(second, PROMPT), choose(second, PROMPT, [" maybe not", " No"])] == asked
    assert second.stats.cache_hits == 2 and empty.score_requests == []

    recording = tmp_path / "responses.jsonl"
    recording.write_text("".join(json.dumps(entry) + "\n" for entry in first.recorded), encoding="utf-8")
    replay = ReplayBackend(recording)
    assert can_score(replay)
    assert [yes_probability(replay, PROMPT), choose(replay, PROMPT, [" maybe not", " No"])] == asked
    with pytest.raises(BackendError, match="no recorded answer for this score request"):
        choose(replay, PROMPT, [" Yes", " maybe"])


def test_a_recording_without_scores_replays_as_a_backend_that_cannot_score(tmp_path: Path) -> None:
    recording = tmp_path / "responses.jsonl"
    entry = {"model": "m", "request": {"kind": "complete", "prompt": "p", "max_tokens": 4, "stop": []},
             "response": {"text": " x", "usage": {"prompt_tokens": 1, "completion_tokens": 1}}}
    recording.write_text(json.dumps(entry) + "\n", encoding="utf-8")

    assert choose(ReplayBackend(recording), PROMPT, [" a", " b"]) is None


def test_the_recording_wrapper_passes_the_capability_through_as_it_is_now() -> None:
    inner = FakeBackend(token_logprobs={" a": [-1.0]})
    wrapped = RecordingBackend(inner)

    assert can_score(wrapped)
    inner.supports_scoring = False
    assert not can_score(wrapped) and choose(wrapped, PROMPT, [" a"]) is None
    assert not can_score(RecordingBackend(FakeBackend()))


def test_a_refusal_is_not_recorded() -> None:
    wrapped = RecordingBackend(FakeBackend(scores=[ScoringUnavailable("no logprobs")]))

    assert choose(wrapped, PROMPT, [" a"]) is None
    assert wrapped.recorded == []


# --- the templates as data -----------------------------------------------------------------------


def test_the_shipped_templates_load_and_render() -> None:
    prompts = load_choose_prompts()
    sentence = "Two  navies\ndrilled off the cape."

    event = prompts.event_prompt("exercise", sentence)
    role = prompts.role_prompt("participant", sentence)

    assert prompts.version.startswith("choose-") and len(prompts.sha256) == 64
    assert event.endswith("Sentence: Two navies drilled off the cape.\n"
                          "Question: Does the sentence state a military or security exercise or drill?\nAnswer:")
    assert "\nAnswer: Yes\n" in event and "\nAnswer: No\n" in event
    assert role.endswith("Question: Who takes part in the exercise?\nAnswer:")
    # The few-shot prefix is the same for every sentence: llama.cpp keeps its KV cache.
    other = prompts.event_prompt("exercise", "Another sentence.")
    assert event.rpartition("\n\n")[0] == other.rpartition("\n\n")[0]
    with pytest.raises(ValueError, match="no event description for 'parade'"):
        prompts.event_prompt("parade", sentence)


def test_event_probability_and_choose_role_use_the_templates() -> None:
    prompts = load_choose_prompts()
    sentence = "The guards gave the villagers two pumps."
    fake = FakeBackend(token_logprobs={" Yes": [-0.5], " No": [-0.5], " The guards": [-0.3, -0.3],
                                       " the villagers": [-1.0, -1.2]})

    assert event_probability(fake, prompts, "aid_delivery", sentence) == pytest.approx(0.5)
    choice = choose_role(fake, prompts, "donor", sentence, ["the villagers", "The guards"])

    assert choice is not None and (choice.index, choice.candidate) == (1, "The guards")
    assert fake.score_requests[0][0] == prompts.event_prompt("aid_delivery", sentence)
    assert fake.score_requests[1] == (prompts.role_prompt("donor", sentence), [" the villagers", " The guards"])


def _templates(tmp_path: Path, change: tuple[str, str]) -> Path:
    shipped = load_choose_prompts()
    text = shipped.path.read_text(encoding="utf-8")
    assert change[0] in text
    path = tmp_path / "templates.toml"
    path.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('answer = "the regional governor"', 'answer = "the mayor"'), "'the mayor' is not in its sentence"),
        (("Question: {question}", "Question: {query}"), "role.template must have the placeholders"),
        (('kind = "exercise"', 'kind = "parade"'), "unknown kind 'parade'"),
        (('answer = "yes"', 'answer = "sure"'), "must be yes or no"),
        (('answers = [" Yes", " No"]', 'answers = [" Yes"]'), "must be two answers"),
        (("[role.questions]", "[role.questionz]"), "malformed chooser templates"),
        (('version = "choose-1"', "version = "), "malformed chooser templates"),
    ],
)
def test_a_bad_templates_file_is_named_with_its_problem(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    path = _templates(tmp_path, change)

    with pytest.raises(PromptError, match=message) as failure:
        load_choose_prompts(path)
    assert str(failure.value).startswith(f"{path}: ")


def test_a_missing_templates_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(PromptError, match="cannot read"):
        load_choose_prompts(tmp_path / "nowhere.toml")


# --- the OpenAI-compatible path against the fault server ----------------------------------------


@pytest.fixture
def fault(monkeypatch: pytest.MonkeyPatch) -> Iterator[FaultServer]:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    state = FaultServer(token_logprobs={" Yes": -0.1, " No": -2.3}, default_logprob=-1.25)
    running = RunningFaultServer(state)
    try:
        yield state
    finally:
        running.stop()


def _served(fault: FaultServer, sleeps: list[float] | None = None) -> OpenAIBackend:
    return OpenAIBackend("fault", base_url=fault.base_url, timeout=5.0,
                         sleep=(sleeps if sleeps is not None else []).append, rng=random.Random(3))


def test_a_served_model_scores_through_echo_and_logprobs(fault: FaultServer) -> None:
    backend = _served(fault)

    assert can_score(backend)
    assert yes_probability(backend, PROMPT) == pytest.approx(1 / (1 + math.exp(-2.2)))
    scores = backend.score(PROMPT, [" the cutter towed"])

    assert [(s.logprob, s.tokens) for s in scores.scores] == [(-3.75, 3)]
    bodies = [r.body for r in fault.requests_to("/completions")]
    assert [b["prompt"] for b in bodies] == [PROMPT + " Yes", PROMPT + " No", PROMPT + " the cutter towed"]
    assert all((b["echo"], b["logprobs"], b["max_tokens"]) == (True, 1, 1) for b in bodies)
    assert scores.usage.prompt_tokens == len(bodies[-1]["prompt"].split())


def test_a_transient_failure_of_a_score_request_is_retried(fault: FaultServer) -> None:
    sleeps: list[float] = []
    fault.then(["503", "truncated"])

    assert yes_probability(_served(fault, sleeps), PROMPT) == pytest.approx(1 / (1 + math.exp(-2.2)))
    assert len(sleeps) == 2 and [r.behaviour for r in fault.seen] == ["503", "truncated", "ok", "ok"]


@pytest.mark.parametrize(
    ("scoring", "reason"),
    [
        ("refuse", "HTTP 400 Setting 'echo' and 'logprobs'"),
        ("refuse_500", "HTTP 500 logprobs is not supported"),
        ("no_logprobs", "the reply has no logprobs"),
        ("no_echo", "the reply does not echo the prompt"),
    ],
)
def test_a_server_that_cannot_score_says_so_once_and_the_chooser_falls_back(
    fault: FaultServer, capsys: pytest.CaptureFixture[str], scoring: str, reason: str
) -> None:
    fault.scoring = scoring
    backend = _served(fault)

    assert choose(backend, PROMPT, [" a", " b"]) is None
    assert not can_score(backend)
    assert yes_probability(backend, PROMPT) is None
    assert choose(RecordingBackend(backend), PROMPT, [" a"]) is None

    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and reason in lines[0] and "scoring is off" in lines[0], lines
    assert len(fault.seen) == 1, "refused once, never asked again (and never retried)"
    assert reason in backend.report()["scoring_unavailable"]
    # The refusal does not count against the server: completions go on.
    assert backend.complete("Country: Estonia\nCapital:", max_tokens=4, stop=["###"]).text == " none\n"


def test_a_context_refusal_of_a_score_request_is_a_context_overflow_not_a_refusal(fault: FaultServer) -> None:
    from pipeline.backends.base import ContextOverflow

    fault.context_chars = 10
    backend = _served(fault)

    with pytest.raises(ContextOverflow):
        backend.score(PROMPT, [" a"])
    assert can_score(backend)


def test_a_token_across_the_boundary_counts_with_the_continuation() -> None:
    tokens = ["A", "nswer", ":", " Ye", "s", " ok"]
    values = [None, -1.0, -0.5, -2.0, -0.25, -9.0]
    with_offsets = SimpleNamespace(tokens=tokens, token_logprobs=values, text_offset=[0, 1, 6, 7, 10, 11])
    without = SimpleNamespace(tokens=tokens, token_logprobs=values)  # the tokens' lengths give the offsets

    # Prompt "Answer: Y", continuation "es": " Ye" spans the boundary; " ok" is past the text (generated).
    for logprobs in (with_offsets, without):
        assert _continuation_logprobs(logprobs, len("Answer: Y"), len("Answer: Yes")) == [-2.0, -0.25]
    assert _continuation_logprobs(None, 3, 5) == "the reply has no logprobs"


# --- the embedded model (the one test that loads it) -------------------------------------------


def test_the_embedded_models_scores_are_its_log_probabilities() -> None:
    import numpy as np

    from pipeline.backends.local import LocalBackend, _tokenize

    backend = LocalBackend(threads=1)
    llama = backend.llama
    prompt = "The password is tangerine. Remember it. I repeat, the password is"
    before = backend.complete(prompt, max_tokens=4, stop=["\n"]).text

    scores = backend.score(prompt, [" tangerine", " qzxv wkpj", " tangerine"])

    def reference(continuation: str) -> tuple[float, int]:
        """log P by another road: llama-cpp-python's own eval from an empty context for each
        prefix, and its own log-softmax of the last position's logits."""
        head, whole = _tokenize(llama, prompt), _tokenize(llama, prompt + continuation)
        assert whole[: len(head)] == head
        total = 0.0
        for position in range(len(head), len(whole)):
            llama.reset()
            llama.eval(whole[:position])
            logits = np.ctypeslib.as_array(llama._ctx.get_logits_ith(-1), shape=(llama.n_vocab(),)).copy()
            total += float(llama.logits_to_logprobs(logits)[whole[position]])
        return total, len(whole) - len(head)

    word, letters, again = scores.scores
    for score in (word, letters):
        expected, tokens = reference(score.continuation)
        assert score.tokens == tokens
        # Batched and one-at-a-time decoding round differently in the quantized matrix products.
        assert score.logprob == pytest.approx(expected, abs=0.05 * tokens), (score, expected)
    assert (again.logprob, again.tokens) == (word.logprob, word.tokens), "the KV cache reuse changes nothing"
    assert word.per_token > -1.0 > letters.per_token
    # Scoring leaves llama-cpp-python's record of its KV cache true: completions are unchanged.
    assert backend.complete(prompt, max_tokens=4, stop=["\n"]).text == before
    choice = choose(backend, prompt, [" qzxv wkpj", " tangerine"])
    assert choice is not None and (choice.index, choice.candidate) == (1, " tangerine")
    assert choice.scores == pytest.approx((letters.per_token, word.per_token), abs=0.05)
