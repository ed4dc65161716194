"""The openai backend against a real OpenAI-compatible server: llama-cpp-python's, on loopback.

No mocks: the module starts `python -m llama_cpp.server` on 127.0.0.1 with the embedded Gemma 3
270M model, and every test makes real HTTP round trips through openai (and instructor for `fill`).
What this server does, checked by hand with curl against llama-cpp-python 0.3.36:
- response_format {"type": "json_schema", ...}: HTTP 500 (its request model takes only "text" or "json_object");
- response_format {"type": "json_object", "schema": ...}: 200, output constrained to the schema.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openai
import pytest
from pydantic import BaseModel

from pipeline.backends.base import BackendError
from pipeline.backends.openai_compat import OpenAIBackend
from pipeline.jsonl import read_records
from pipeline.run import RunResult, RunSettings, run_extraction
from schemas import Quote, Record

pytestmark = pytest.mark.server

HOST = "127.0.0.1"
STARTUP_SECONDS = 120
SERVER_MODULES = ("llama_cpp", "uvicorn", "fastapi", "sse_starlette", "starlette_context", "pydantic_settings")

ARTICLE = (
    "Kazakh and Kyrgyz border guards held a joint exercise near the Khorgos crossing on May 18. "
    "“Our patrols worked together without a single failure,” said Colonel Daniyar Bekov, "
    "deputy commander of the Kazakh Border Service.\n"
)
QUOTED_WORDS = "Our patrols worked together without a single failure"


class Capital(BaseModel):
    city: str
    country: str


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _log_tail(path: Path, chars: int = 4000) -> str:
    return path.read_text(encoding="utf-8", errors="replace")[-chars:]


def _wait_until_ready(process: subprocess.Popen[bytes], base_url: str, model_path: Path, log_path: Path) -> None:
    """Poll GET /v1/models until this server (serving our model) answers; fail with its log otherwise."""
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback never goes through a proxy
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        if process.poll() is not None:
            pytest.fail(f"llama_cpp.server exited with code {process.returncode}:\n{_log_tail(log_path)}")
        try:
            with direct.open(f"{base_url}/models", timeout=2.0) as response:
                served = [m["id"] for m in json.load(response)["data"]]
            assert served == [str(model_path)], f"another server answers on {base_url}: {served}"
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"llama_cpp.server gave no answer within {STARTUP_SECONDS} s:\n{_log_tail(log_path)}")
        time.sleep(0.25)


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL (http://127.0.0.1:PORT/v1) of a llama.cpp server running the embedded model."""
    missing = [m for m in SERVER_MODULES if importlib.util.find_spec(m) is None]
    if missing:
        pytest.skip(f"llama-cpp-python[server] is not installed (no {', '.join(missing)}): pip install -e '.[local]'")
    from pipeline.backends.local import default_model_path

    try:
        model_path = default_model_path()
    except BackendError as exc:
        pytest.skip(str(exc))
    port = _free_port()
    base_url = f"http://{HOST}:{port}/v1"
    log_path = tmp_path_factory.mktemp("llama-server") / "server.log"
    command = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(model_path), "--host", HOST, "--port", str(port),
        "--n_ctx", "4096", "--seed", "0",
    ]  # threads: the server's default (half the cores) degrades gracefully when other work shares the CPU
    # The log goes to a file, not a pipe: a verbose server would block once an unread pipe fills.
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    try:
        with pytest.MonkeyPatch.context() as env:
            # A proxy from the environment must not see loopback traffic (httpx honours HTTP(S)_PROXY).
            no_proxy = ",".join(filter(None, [os.environ.get("NO_PROXY"), HOST]))
            env.setenv("NO_PROXY", no_proxy)
            env.setenv("no_proxy", no_proxy)
            _wait_until_ready(process, base_url, model_path, log_path)
            yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _watch_chat_requests(backend: OpenAIBackend) -> list[tuple[str | None, bool, int]]:
    """Record (response_format type, schema attached, HTTP status) of every chat request the backend sends."""
    seen: list[tuple[str | None, bool, int]] = []

    def on_response(response: Any) -> None:  # an httpx (openai 1-2) or httpx2 (openai 3) Response
        if response.request.url.path.endswith("/chat/completions"):
            fmt = json.loads(response.request.content).get("response_format") or {}
            seen.append((fmt.get("type"), "schema" in fmt, response.status_code))

    # openai's own default client class, so the transport is whichever HTTP library this openai uses.
    http_client = openai.DefaultHttpxClient(event_hooks={"response": [on_response]})
    backend.client = backend.client.with_options(http_client=http_client)
    return seen


def _run(server_url: str, tmp_path: Path, strategy: str, record_types: list[str]) -> tuple[RunResult, str]:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "khorgos.txt").write_text(ARTICLE, encoding="utf-8")
    settings = RunSettings(
        backend="openai",
        base_url=server_url,
        model="gemma",
        strategy=strategy,
        use_cache=False,
        record_types=record_types,
        backend_options={"timeout": 90.0},  # bounds each HTTP call should the model run on
    )
    started = time.perf_counter()
    result = run_extraction(folder, tmp_path / "run", settings)
    print(f"\n[{strategy}] run_extraction over HTTP took {time.perf_counter() - started:.1f} s")
    source = (folder / "khorgos.txt").read_text(encoding="utf-8")  # as the loader reads it
    return result, source


def _assert_grounded(records: list[Record], source: str) -> None:
    for record in records:
        assert record.evidence
        for evidence in record.evidence:
            assert source[evidence.start : evidence.end] == evidence.text, evidence


def test_complete_returns_text_and_usage_over_http(server_url: str) -> None:
    backend = OpenAIBackend(model="gemma", base_url=server_url)
    prompt = "Country: France\nCapital: Paris\n\nCountry: Germany\nCapital: Berlin\n\nCountry: Italy\nCapital:"
    # Five stop strings: the server takes four, the backend cuts at the fifth itself.
    completion = backend.complete(prompt, max_tokens=8, stop=["Country:", "\n\n", "###", "Capital:", "\n"])

    assert "Rome" in completion.text, completion
    assert "\n" not in completion.text
    assert completion.usage.prompt_tokens > 0
    assert completion.usage.completion_tokens > 0


def test_fill_auto_falls_back_to_json_object_with_schema(server_url: str) -> None:
    backend = OpenAIBackend(model="gemma", base_url=server_url)
    seen = _watch_chat_requests(backend)
    assert backend.structured_mode == "auto"

    answer = backend.fill(Capital, "You answer in JSON.", "Name the capital city of France and its country.")

    Capital.model_validate(answer.data)
    assert answer.usage.prompt_tokens > 0
    assert answer.usage.completion_tokens > 0
    assert backend.modes == {"Capital": "json_object"}
    assert set(backend.mode_switches) == {"Capital"}
    # On the wire: json_schema first (rejected with 500), then json_object with the schema attached (accepted).
    assert seen[0] == ("json_schema", False, 500), seen
    assert all(status == 500 for kind, _, status in seen if kind == "json_schema"), seen
    assert seen[-1] == ("json_object", True, 200), seen

    # The switch holds for the rest of the run: no second json_schema attempt.
    asked_before = len(seen)
    Capital.model_validate(backend.fill(Capital, "You answer in JSON.", "Name the capital city of Japan.").data)
    assert seen[asked_before:] == [("json_object", True, 200)], seen


def test_fill_in_json_schema_mode_is_rejected_by_the_server(server_url: str) -> None:
    backend = OpenAIBackend(model="gemma", base_url=server_url, structured_mode="json_schema")

    with pytest.raises(BackendError, match="refuses json_schema") as failure:
        backend.fill(Capital, "You answer in JSON.", "Name the capital city of France and its country.")

    assert failure.value.detail.startswith("HTTP 500"), failure.value.detail
    assert backend.structured_mode == "json_schema"  # an explicit mode is never switched behind the user's back


def test_run_extraction_slots_writes_grounded_records(server_url: str, tmp_path: Path) -> None:
    # The exercise sentence is slot-filled by the model over HTTP; the quotation's speaker is named
    # by the words around it, so the quote needs no model call.
    result, source = _run(server_url, tmp_path, "slots", ["exercise", "quote"])

    assert result.failed_documents == 0, result.documents
    assert result.manifest["strategy"] == "slots"
    assert result.manifest["backend"]["name"] == "openai"
    assert result.counts["quote"] == 1
    calls = result.manifest["model_calls"]
    assert calls["calls"] >= 1 and calls["cache_hits"] == 0 and calls["completion_tokens"] > 0, calls
    exercises, errors = read_records(result.run_dir / "records" / "exercise.jsonl")
    assert errors == []
    _assert_grounded(exercises, source)

    records, errors = read_records(result.run_dir / "records" / "quote.jsonl")
    assert errors == []
    assert len(records) == 1
    quote = records[0]
    assert isinstance(quote, Quote)
    assert quote.doc_id == "khorgos"
    assert quote.text == QUOTED_WORDS
    assert quote.speaker is not None and "Bekov" in quote.speaker.name, quote.speaker
    _assert_grounded(records, source)


def test_run_extraction_structured_is_grounded(server_url: str, tmp_path: Path) -> None:
    result, source = _run(server_url, tmp_path, "structured", ["quote"])

    assert result.manifest["strategy"] == "structured"
    # The model call itself must succeed over HTTP (json_schema rejected, json_object+schema used);
    # what the 270M model answers is another matter: it may be nothing, or nothing grounding accepts.
    assert result.failed_documents == 0, result.documents
    calls = result.manifest["model_calls"]
    assert calls["calls"] == 1 and calls["completion_tokens"] > 0, calls

    records, errors = read_records(result.run_dir / "records" / "quote.jsonl")
    assert errors == []
    assert len(records) == result.counts["quote"]
    for quote in records:
        assert isinstance(quote, Quote)
        assert quote.text in source
    _assert_grounded(records, source)
