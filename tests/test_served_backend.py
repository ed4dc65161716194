"""The openai backend against a fault-injecting OpenAI-compatible server on loopback.

Every failure a served model can show (tests/fault_server.py lists them) is scripted per request,
on both endpoints the strategies use: completions (slots) and chat completions through instructor
(structured). Waiting between retries goes through an injected sleep that only records, and the
jitter's random source is seeded, so no test waits for a backoff; the deadline tests use a
deadline of a fraction of a second against a server that would otherwise take much longer.
"""

from __future__ import annotations

import json
import random
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fault_server import FaultServer, RunningFaultServer
from pydantic import BaseModel

from pipeline.backends.base import BackendError, BackendUnavailable, ContextOverflow
from pipeline.backends.openai_compat import OpenAIBackend
from pipeline.backends.reliability import Retrier, RetryPolicy
from pipeline.run import RunSettings, run_extraction

# Failures that another try can cure, on either endpoint.
TRANSIENT = ["429", "500", "503", "malformed", "empty_choices", "null_text", "truncated", "stream", "reset"]


class Capital(BaseModel):
    city: str


class Harbour(BaseModel):
    name: str


@pytest.fixture
def fault(monkeypatch: pytest.MonkeyPatch) -> Iterator[FaultServer]:
    """A fault server; no proxy sees loopback, and no OPENAI_API_KEY leaks in from the environment."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    state = FaultServer(completion_text=" none\n###", chat_content='{"city": "Tallinn"}')
    running = RunningFaultServer(state)
    try:
        yield state
    finally:
        running.stop()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def make_backend(fault: FaultServer, sleeps: list[float]) -> Callable[..., OpenAIBackend]:
    def make(**options: Any) -> OpenAIBackend:
        options.setdefault("timeout", 5.0)
        return OpenAIBackend("fault", base_url=fault.base_url, sleep=sleeps.append, rng=random.Random(7), **options)

    return make


def _ask(backend: OpenAIBackend, endpoint: str) -> Any:
    if endpoint == "completions":
        return backend.complete("Country: Estonia\nCapital:", max_tokens=8, stop=["###"]).text
    return backend.fill(Capital, "Answer in JSON.", "The capital of Estonia?").data


@pytest.mark.parametrize("endpoint", ["completions", "chat"])
@pytest.mark.parametrize("behaviour", TRANSIENT)
def test_a_transient_failure_is_retried_until_the_server_answers(
    fault: FaultServer, make_backend: Callable[..., OpenAIBackend], behaviour: str, endpoint: str
) -> None:
    fault.then([behaviour, behaviour])
    backend = make_backend()

    answer = _ask(backend, endpoint)

    assert answer == (" none\n" if endpoint == "completions" else {"city": "Tallinn"})
    assert not fault.script, "both scripted failures were met before the answer"
    assert [r.behaviour for r in fault.seen][-1] == "ok"


@pytest.mark.parametrize("endpoint", ["completions", "chat"])
def test_a_total_deadline_cuts_off_a_hanging_or_trickling_server(
    fault: FaultServer, make_backend: Callable[..., OpenAIBackend], endpoint: str
) -> None:
    # A trickle of one byte per 0.2 s would take about a minute for the whole reply; a per-read
    # timeout never fires on it. The deadline is 0.5 s for the whole request.
    fault.trickle_interval = 0.2
    fault.then(["hang", "trickle"])
    backend = make_backend(timeout=0.5, retry=RetryPolicy(attempts=3))

    started = time.monotonic()
    answer = _ask(backend, endpoint)
    elapsed = time.monotonic() - started

    assert answer  # the third attempt gets the normal answer
    assert [r.behaviour for r in fault.seen] == ["hang", "trickle", "ok"]
    assert elapsed < 15, f"two cut-off attempts took {elapsed:.1f} s"


def test_retries_back_off_exponentially_with_seeded_jitter(
    fault: FaultServer, make_backend: Callable[..., OpenAIBackend], sleeps: list[float]
) -> None:
    fault.then(["500", "503", "500", "503"])
    backend = make_backend()

    assert _ask(backend, "completions") == " none\n"

    assert len(sleeps) == 4
    for retry, delay in enumerate(sleeps, start=1):
        ceiling = 2 ** (retry - 1)  # 1, 2, 4, 8 s
        assert ceiling / 2 <= delay <= ceiling, sleeps
    again: list[float] = []
    twin = Retrier(RetryPolicy(), sleep=again.append, rng=random.Random(7))
    assert [twin.backoff(n, None) for n in range(1, 5)] == sleeps  # the same seed, the same waits


def test_retry_after_is_honoured(
    fault: FaultServer, make_backend: Callable[..., OpenAIBackend], sleeps: list[float]
) -> None:
    fault.retry_after = "7"
    fault.then(["429"])

    assert _ask(make_backend(), "chat") == {"city": "Tallinn"}
    assert sleeps == [7.0]


def test_a_request_gives_up_after_its_attempts_with_a_one_line_reason(
    fault: FaultServer, make_backend: Callable[..., OpenAIBackend]
) -> None:
    backend = make_backend(retry=RetryPolicy(attempts=3))
    assert _ask(backend, "completions")  # a success first, so the breaker does not trip below
    fault.then(["503"] * 3)

    with pytest.raises(BackendError) as failure:
        _ask(backend, "completions")

    reason = str(failure.value)
    assert not isinstance(failure.value, BackendUnavailable)
    assert "HTTP 503" in reason and "after 3 attempts" in reason
    assert "\n" not in reason and len(reason) < 240
    assert "the model is loading" in failure.value.detail  # the server's full words are kept for the log


def test_the_run_retry_budget_bounds_all_retries(
    fault: FaultServer, make_backend: Callable[..., OpenAIBackend], sleeps: list[float]
) -> None:
    backend = make_backend(retry=RetryPolicy(run_budget=2))
    fault.then(["500", "500"])
    assert _ask(backend, "completions")  # two retries: the budget is spent
    fault.then(["500"])

    with pytest.raises(BackendError, match="HTTP 500"):
        _ask(backend, "completions")  # no third retry
    assert len(sleeps) == 2
    assert backend.report()["retries"] == 2


def test_a_context_length_400_is_a_context_overflow_and_not_retried(
    fault: FaultServer, make_backend: Callable[..., OpenAIBackend], sleeps: list[float]
) -> None:
    backend = make_backend()
    for endpoint in ("completions", "chat"):
        fault.then(["context_400"])
        with pytest.raises(ContextOverflow):
            _ask(backend, endpoint)
    assert len(fault.seen) == 2 and sleeps == []


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # nothing listens there once the socket is closed


def test_an_unreachable_server_stops_at_the_first_request(
    monkeypatch: pytest.MonkeyPatch, sleeps: list[float]
) -> None:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    backend = OpenAIBackend("m", base_url=f"http://127.0.0.1:{_closed_port()}/v1", timeout=2.0, sleep=sleeps.append)

    with pytest.raises(BackendUnavailable, match="cannot connect"):
        backend.complete("x", max_tokens=1, stop=[])
    assert sleeps == []


def test_a_server_failing_every_request_trips_the_breaker(
    fault: FaultServer, make_backend: Callable[..., OpenAIBackend]
) -> None:
    backend = make_backend(retry=RetryPolicy(attempts=2, failures_at_start=3))
    fault.then(["500"] * 100)
    for _ in range(2):
        with pytest.raises(BackendError) as failure:
            _ask(backend, "completions")
        assert not isinstance(failure.value, BackendUnavailable)

    with pytest.raises(BackendUnavailable, match="first 3 requests all failed"):
        _ask(backend, "completions")
    assert len(fault.seen) == 6


def test_a_refused_key_stops_at_once(fault: FaultServer, make_backend: Callable[..., OpenAIBackend]) -> None:
    fault.then(["unauthorized"])
    with pytest.raises(BackendUnavailable, match="HTTP 401"):
        _ask(make_backend(), "chat")
    assert len(fault.seen) == 1


def test_auto_mode_switches_to_json_object_only_on_the_servers_refusal(
    fault: FaultServer, make_backend: Callable[..., OpenAIBackend]
) -> None:
    backend = make_backend()
    fault.then(["500"])  # a plain 500 is retried in json_schema mode, never a reason to switch
    assert _ask(backend, "chat") == {"city": "Tallinn"}
    assert [r.response_format for r in fault.seen] == ["json_schema", "json_schema"]
    assert backend.mode_switches == {}

    fault.refuse_json_schema = True  # now the server refuses json_schema, as llama.cpp's does
    fault.chat_content = '{"name": "Paldiski"}'
    assert backend.fill(Harbour, "Answer in JSON.", "A harbour?").data == {"name": "Paldiski"}
    assert [r.response_format for r in fault.seen[2:]] == ["json_schema", "json_object"]
    assert set(backend.mode_switches) == {"Harbour"}  # per request type: Capital keeps json_schema
    assert backend.modes == {"Capital": "json_schema", "Harbour": "json_object"}

    asked = len(fault.seen)
    backend.fill(Harbour, "Answer in JSON.", "Another harbour?")
    assert [r.response_format for r in fault.seen[asked:]] == ["json_object"]  # no second json_schema try


def test_an_explicit_json_schema_mode_is_never_switched(
    fault: FaultServer, make_backend: Callable[..., OpenAIBackend]
) -> None:
    fault.refuse_json_schema = True
    backend = make_backend(structured_mode="json_schema")
    with pytest.raises(BackendError, match="refuses json_schema"):
        _ask(backend, "chat")
    assert [r.response_format for r in fault.seen] == ["json_schema"]
    assert backend.structured_mode == "json_schema"


def test_the_environment_key_goes_only_to_openai_unless_named(
    fault: FaultServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-environment")
    backend = OpenAIBackend("fault", base_url=fault.base_url, timeout=5.0)
    _ask(backend, "completions")
    assert fault.seen[-1].authorization == "Bearer no-key"
    assert "OPENAI_API_KEY is not sent to 127.0.0.1" in capsys.readouterr().err

    backend = OpenAIBackend("fault", base_url=fault.base_url, timeout=5.0, api_key_env="OPENAI_API_KEY")
    _ask(backend, "completions")
    assert fault.seen[-1].authorization == "Bearer sk-from-environment"

    with pytest.raises(BackendError, match="EXTRACT_NO_SUCH_KEY"):
        OpenAIBackend("fault", base_url=fault.base_url, api_key_env="EXTRACT_NO_SUCH_KEY")


# --- Whole runs against the fault server ----------------------------------------------------------

RUN_ARTICLE = (
    "On May 18 a two-day search and rescue drill dubbed Harbor Shield ended off Constanta. "
    "Cutters of the Romanian Border Police and the Bulgarian Navy took part.\n"
)


def _settings(fault: FaultServer, strategy: str, sleeps: list[float], **options: Any) -> RunSettings:
    return RunSettings(
        backend="openai",
        base_url=fault.base_url,
        model="fault",
        strategy=strategy,
        use_cache=False,
        record_types=["exercise"],
        backend_options={"timeout": 5.0, "sleep": sleeps.append, "rng": random.Random(3), **options},
    )


def _folder(tmp_path: Path, texts: dict[str, str]) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_a_down_server_stops_the_run_instead_of_rejecting_every_document(
    fault: FaultServer, tmp_path: Path, sleeps: list[float]
) -> None:
    fault.then(["503"] * 1000)
    folder = _folder(tmp_path, {f"a{i}.txt": RUN_ARTICLE for i in range(10)})
    settings = _settings(fault, "slots", sleeps, retry=RetryPolicy(attempts=2))

    with pytest.raises(BackendUnavailable, match="stopping the run"):
        run_extraction(folder, tmp_path / "run", settings)
    assert len(fault.seen) <= 3 * 2  # three requests of two attempts each, not ten documents' worth


def test_slots_run_survives_malformed_replies_and_logs_the_detail(
    fault: FaultServer, tmp_path: Path, sleeps: list[float]
) -> None:
    fault.then(["malformed", "null_text", "stream", "empty_choices"])
    folder = _folder(tmp_path, {"drill.txt": RUN_ARTICLE})

    result = run_extraction(folder, tmp_path / "run", _settings(fault, "slots", sleeps))

    assert result.failed_documents == 0, result.documents
    assert len(sleeps) == 4
    log = (result.run_dir / "errors.log").read_text(encoding="utf-8")
    assert "JSONDecodeError" in log and "no text" in log and "no choices" in log
    assert result.manifest["backend"]["retries"] == 4


def test_a_failed_document_has_a_one_line_reason_and_the_detail_in_the_log(
    fault: FaultServer, tmp_path: Path, sleeps: list[float]
) -> None:
    fault.then(["ok", "500", "500"])  # the first request succeeds, so the breaker stays closed
    folder = _folder(tmp_path, {"drill.txt": RUN_ARTICLE})
    settings = _settings(fault, "slots", sleeps, retry=RetryPolicy(attempts=2))

    result = run_extraction(folder, tmp_path / "run", settings)

    rejects = [json.loads(line) for line in (result.run_dir / "rejects.jsonl").read_text().splitlines()]
    documents = [r for r in rejects if r["kind"] == "document"]
    assert len(documents) == 1
    assert "HTTP 500" in documents[0]["reason"] and "\n" not in documents[0]["reason"]
    assert len(documents[0]["reason"]) <= 240
    assert "internal failure while generating" in (result.run_dir / "errors.log").read_text(encoding="utf-8")


def test_structured_run_records_the_mode_switch_in_the_manifest(
    fault: FaultServer, tmp_path: Path, sleeps: list[float]
) -> None:
    fault.refuse_json_schema = True
    fault.chat_content = '{"records": []}'
    folder = _folder(tmp_path, {"drill.txt": RUN_ARTICLE})

    result = run_extraction(folder, tmp_path / "run", _settings(fault, "structured", sleeps))

    assert result.failed_documents == 0, result.documents
    backend = result.manifest["backend"]
    assert list(backend["mode_switches"]) == ["ExerciseDraftList"]
    switch = backend["mode_switches"]["ExerciseDraftList"]
    assert switch["from"] == "json_schema" and switch["to"] == "json_object"
    assert "HTTP 500" in switch["because"]


def test_the_cli_stops_on_an_unreachable_server_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from pipeline.cli import app

    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    folder = _folder(tmp_path, {f"a{i}.txt": RUN_ARTICLE for i in range(3)})
    url = f"http://127.0.0.1:{_closed_port()}/v1"

    result = CliRunner().invoke(app, ["run", str(folder), "--out", str(tmp_path / "run"), "--no-cache",
                                      "--backend", "openai", "--base-url", url, "--strategy", "slots",
                                      "--types", "exercise", "--timeout", "2"])

    assert result.exit_code != 0
    assert "cannot connect" in result.output and "stopping the run" in result.output
    assert "Traceback" not in result.output
    assert result.output.count("rejected") == 0  # not one rejection per document


def test_a_server_that_goes_away_mid_run_stops_the_run_after_one_requests_attempts() -> None:
    from pipeline.backends.reliability import RequestFailed

    waits: list[float] = []
    retrier = Retrier(RetryPolicy(attempts=3), sleep=waits.append, rng=random.Random(1))
    assert retrier.call(lambda: "answer") == "answer"

    def refused() -> str:
        raise RequestFailed("cannot connect (ConnectError)", retryable=True, unreachable=True)

    with pytest.raises(BackendUnavailable, match="stopped answering"):
        retrier.call(refused)
    assert len(waits) == 2  # the request's own retries, then the run stops: no other document is tried
