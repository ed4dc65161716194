"""Large runs: durable per-document progress, --resume and --retry-failed, --concurrency against a served
model, the shared throttle, and the Ray engine in local mode. Nothing here depends on timing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ARTICLE_ANSWERS, BLACK_SEA_DRILL, GEORGIAN_AID
from slow_openai_server import SlowServer, canned_answer
from typer.testing import CliRunner

from pipeline.backends import BackendError
from pipeline.backends.base import BackendUnavailable
from pipeline.backends.openai_compat import OpenAIBackend
from pipeline.backends.throttle import Throttle, retry_after
from pipeline.cli import app
from pipeline.progress import PARTS, ResumeError
from pipeline.responses import ResponseCache
from pipeline.run import RunSettings, run_extraction

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "tests" / "articles"
ARTICLES_RECORDING = ROOT / "tests" / "recordings" / "articles.responses.jsonl"
SEEDS_RECORDING = ROOT / "tests" / "recordings" / "seeds.responses.jsonl"


def _replay(recording: Path = ARTICLES_RECORDING, **overrides: Any) -> RunSettings:
    return RunSettings(**{"backend": "replay", "model": str(recording), "use_cache": False, **overrides})


def _outputs(run_dir: Path) -> dict[str, str]:
    """Every JSONL file of the run (records, rejects, responses) by its place in the folder; not the parts."""
    return {
        str(path.relative_to(run_dir)): path.read_text(encoding="utf-8")
        for path in sorted(run_dir.rglob("*.jsonl"))
        if PARTS not in path.relative_to(run_dir).parts
    }


def _ids(run_dir: Path) -> list[str]:
    return [
        json.loads(line)["id"]
        for name, text in _outputs(run_dir).items()
        if name not in {"rejects.jsonl", "responses.jsonl"}
        for line in text.splitlines()
    ]


def _manifest(run_dir: Path) -> dict[str, Any]:
    return json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))


def _many_articles(folder: Path, copies: int) -> Path:
    """The two invented articles, each several times under other names (so other ids)."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(copies):
        (folder / f"drill_{n}.txt").write_text(BLACK_SEA_DRILL, encoding="utf-8")
        (folder / f"drill_{n}.meta.json").write_text('{"date": "2007-05-20"}', encoding="utf-8")
        (folder / f"aid_{n}.txt").write_text(GEORGIAN_AID, encoding="utf-8")
        (folder / f"aid_{n}.meta.json").write_text('{"date": "2008-03-20"}', encoding="utf-8")
    return folder


# --- Durable progress and resume ----------------------------------------------------------------------

KILL_AFTER_TWO_DOCUMENTS = """
import os, signal, sys
from pathlib import Path
from pipeline.run import RunSettings, run_extraction

finished = []

def on_document(result):
    finished.append(result.doc_id)
    if len(finished) == 2:
        os.kill(os.getpid(), signal.SIGKILL)  # like power loss: no handler, no cleanup

settings = RunSettings(backend="replay", model=sys.argv[3], use_cache=False)
run_extraction(Path(sys.argv[1]), Path(sys.argv[2]), settings, on_document=on_document)
"""


def test_a_run_killed_midway_keeps_finished_documents_and_resume_gives_a_clean_runs_records(
    tmp_path: Path,
) -> None:
    killed = tmp_path / "killed"
    process = subprocess.run(
        [sys.executable, "-c", KILL_AFTER_TWO_DOCUMENTS, str(ARTICLES), str(killed), str(ARTICLES_RECORDING)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert process.returncode == -signal.SIGKILL, process.stderr
    assert not (killed / "manifest.json").exists(), "a killed run must not look complete"
    assert len(list((killed / PARTS).glob("*.part.json"))) == 2

    documents = sorted(p.stem for p in ARTICLES.glob("*.txt"))
    read_again: list[str] = []
    resumed = run_extraction(
        ARTICLES, killed, _replay(resume=True), on_document=lambda r: read_again.append(r.doc_id)
    )
    clean = run_extraction(ARTICLES, tmp_path / "clean", _replay())

    assert _outputs(killed) == _outputs(clean.run_dir)
    assert _ids(killed) == _ids(clean.run_dir) and _ids(killed)
    assert resumed.manifest["engine"]["documents_reused"] == 2
    assert sorted(read_again) == documents  # every document is reported, the kept ones too
    assert resumed.manifest["counts"] == clean.manifest["counts"]
    assert resumed.manifest["model_calls"]["calls"] == clean.manifest["model_calls"]["calls"]


def test_resume_reads_only_changed_documents(
    articles_dir: Path, tmp_path: Path, make_fake: Callable[..., Any]
) -> None:
    run_dir = tmp_path / "run"
    first = run_extraction(articles_dir, run_dir, RunSettings(use_cache=False), backend=make_fake())
    (articles_dir / "georgian_aid.meta.json").write_text('{"date": "2008-03-21"}', encoding="utf-8")
    fake = make_fake()
    resumed = run_extraction(articles_dir, run_dir, RunSettings(use_cache=False, resume=True), backend=fake)
    asked = {text for _, text in fake.asked}
    assert asked and all(text in GEORGIAN_AID for text in asked), "only the changed document is read again"
    assert resumed.manifest["engine"]["documents_reused"] == 1
    assert resumed.counts == first.counts


def test_resume_with_other_settings_reads_every_document_again(
    articles_dir: Path, tmp_path: Path, make_fake: Callable[..., Any]
) -> None:
    run_dir = tmp_path / "run"
    run_extraction(articles_dir, run_dir, RunSettings(use_cache=False), backend=make_fake())
    fake = make_fake()
    resumed = run_extraction(
        articles_dir, run_dir, RunSettings(use_cache=False, resume=True, record_types=["exercise"]), backend=fake
    )
    assert resumed.manifest["engine"]["documents_reused"] == 0
    assert {key for key, _ in fake.asked} == {"Exercise"}
    assert _outputs(run_dir)["records/quote.jsonl"] == ""


def test_retry_failed_reads_only_the_rejected_documents(
    articles_dir: Path, tmp_path: Path, make_fake: Callable[..., Any]
) -> None:
    run_dir = tmp_path / "run"
    failing = make_fake(raise_on={"thermal imaging cameras": BackendError("server went away")})
    first = run_extraction(articles_dir, run_dir, RunSettings(use_cache=False), backend=failing)
    assert [d.doc_id for d in first.documents if d.error] == ["georgian_aid"]

    not_asked = make_fake()
    resumed = run_extraction(articles_dir, run_dir, RunSettings(use_cache=False, resume=True), backend=not_asked)
    assert not_asked.prompts == [], "--resume alone keeps a rejected document's result"
    assert resumed.failed_documents == 1

    fake = make_fake()
    retried = run_extraction(articles_dir, run_dir, RunSettings(use_cache=False, retry_failed=True), backend=fake)
    asked = {text for _, text in fake.asked}
    assert asked and all(text in GEORGIAN_AID for text in asked), "only the rejected document is read again"
    assert retried.failed_documents == 0
    clean = run_extraction(articles_dir, tmp_path / "clean", RunSettings(use_cache=False), backend=make_fake())
    assert _outputs(run_dir) == _outputs(clean.run_dir)


def test_a_run_stopped_by_an_unreachable_backend_writes_what_was_done_and_resumes(
    articles_dir: Path, tmp_path: Path, make_fake: Callable[..., Any]
) -> None:
    run_dir = tmp_path / "run"
    down = make_fake(raise_on={"thermal imaging cameras": BackendUnavailable("the server went away")})
    with pytest.raises(BackendUnavailable, match="--resume continues it"):
        run_extraction(articles_dir, run_dir, RunSettings(use_cache=False), backend=down)
    stopped = _manifest(run_dir)
    assert stopped["stopped"]["documents_not_done"] == 1
    assert [(entry["doc_id"], entry["status"]) for entry in stopped["inputs"]] == [
        ("black_sea_drill", "ok"), ("georgian_aid", "not done")
    ]

    fake = make_fake()
    resumed = run_extraction(articles_dir, run_dir, RunSettings(use_cache=False, resume=True), backend=fake)
    asked = {text for _, text in fake.asked}
    assert asked and all(text in GEORGIAN_AID for text in asked), "only the document not done is read"
    assert "stopped" not in resumed.manifest
    clean = run_extraction(articles_dir, tmp_path / "clean", RunSettings(use_cache=False), backend=make_fake())
    assert _outputs(run_dir) == _outputs(clean.run_dir)


def test_a_new_run_will_not_overwrite_an_interrupted_one(
    articles_dir: Path, tmp_path: Path, make_fake: Callable[..., Any]
) -> None:
    run_dir = tmp_path / "run"
    run_extraction(articles_dir, run_dir, RunSettings(use_cache=False), backend=make_fake())
    (run_dir / "manifest.json").unlink()  # as if killed before the end
    with pytest.raises(ResumeError, match="interrupted run; continue it with --resume"):
        run_extraction(articles_dir, run_dir, RunSettings(use_cache=False), backend=make_fake())
    with pytest.raises(ResumeError, match="no run to resume"):
        run_extraction(articles_dir, tmp_path / "new", RunSettings(use_cache=False, resume=True), backend=make_fake())


def test_a_finished_run_can_be_run_again_into_the_same_folder(
    articles_dir: Path, tmp_path: Path, make_fake: Callable[..., Any]
) -> None:
    run_dir = tmp_path / "run"
    first = run_extraction(articles_dir, run_dir, RunSettings(use_cache=False), backend=make_fake())
    outputs = _outputs(run_dir)
    (articles_dir / "georgian_aid.txt").unlink()
    run_extraction(articles_dir, run_dir, RunSettings(use_cache=False), backend=make_fake())
    assert len(list((run_dir / PARTS).glob("*.part.json"))) == 1, "the removed document's part is dropped"
    assert first.counts != _manifest(run_dir)["counts"]
    assert outputs != _outputs(run_dir)


def test_resume_options_need_out_on_the_command_line(articles_dir: Path) -> None:
    for option in ("--resume", "--retry-failed"):
        result = CliRunner().invoke(app, ["run", str(articles_dir), option, "--backend", "replay"])
        assert result.exit_code == 2
        assert f"{option} needs --out" in result.output


# --- Concurrency against a served model ----------------------------------------------------------------


def _served(server: SlowServer, concurrency: int, **overrides: Any) -> RunSettings:
    return RunSettings(
        backend="openai", model="slow", base_url=server.base_url, strategy="slots", use_cache=False,
        concurrency=concurrency, **overrides,
    )


def test_concurrency_4_gives_the_output_of_concurrency_1(tmp_path: Path) -> None:
    folder = _many_articles(tmp_path / "articles", copies=3)
    answer = lambda prompt: canned_answer(prompt, ARTICLE_ANSWERS)  # noqa: E731
    with SlowServer(answer, latency=0.0) as server:  # one server: its address is in the recorded answers
        one = run_extraction(folder, tmp_path / "one", _served(server, 1))
        assert server.most_in_flight == 1
        server.most_in_flight, server.hold_until_concurrent = 0, 2
        four = run_extraction(folder, tmp_path / "four", _served(server, 4))
        assert server.most_in_flight >= 2, "documents were not in flight together"
    assert one.failed_documents == four.failed_documents == 0
    assert _outputs(four.run_dir) == _outputs(one.run_dir)
    assert one.counts == {"exercise": 3, "aid_delivery": 3, "agreement": 3, "quote": 3}
    assert [d.doc_id for d in four.documents] == [d.doc_id for d in one.documents]


def test_a_run_begun_on_the_command_line_resumes_with_the_same_settings_given_in_code(tmp_path: Path) -> None:
    # The CLI passes every backend option with its default; code leaves them out: the same run either way.
    folder = _many_articles(tmp_path / "articles", copies=1)
    with SlowServer(lambda prompt: canned_answer(prompt, ARTICLE_ANSWERS), latency=0.0) as server:
        out = tmp_path / "run"
        result = CliRunner().invoke(app, [
            "run", str(folder), "--out", str(out), "--backend", "openai", "--model", "slow",
            "--base-url", server.base_url, "--strategy", "slots", "--no-cache", "--concurrency", "2",
        ])
        assert result.exit_code == 0, result.output
        requests = server.requests
        resumed = run_extraction(folder, out, _served(server, 1, resume=True))
    assert server.requests == requests, "a document was read again"
    assert resumed.manifest["engine"]["documents_reused"] == 2


def test_a_429_pauses_the_run_and_the_request_is_sent_again(tmp_path: Path) -> None:
    folder = _many_articles(tmp_path / "articles", copies=1)
    answer = lambda prompt: canned_answer(prompt, ARTICLE_ANSWERS)  # noqa: E731
    with SlowServer(answer, latency=0.0) as server:
        clean = run_extraction(folder, tmp_path / "clean", _served(server, 2))
        server.overloaded_left, server.retry_after, server.requests = 1, 0.05, 0
        throttle = Throttle(rate=1000.0)
        backend = OpenAIBackend("slow", base_url=server.base_url, throttle=throttle)
        busy = run_extraction(folder, tmp_path / "busy", _served(server, 2), backend=backend)
    assert server.overloaded_sent == 1
    assert throttle.pauses == 1, "every worker's throttle heard the 429"
    assert throttle.requests == server.requests  # every HTTP request, the retried one too, passed the throttle
    assert busy.failed_documents == 0
    assert _outputs(busy.run_dir) == _outputs(clean.run_dir)


def test_throttle_spaces_requests_by_the_rate_and_shares_a_pause() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(round(seconds, 6))
        now[0] += seconds

    throttle = Throttle(rate=4.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(3):
        throttle.wait()
    assert slept == [0.25, 0.25]
    throttle.observe(429, {"Retry-After": "2"})
    throttle.wait()  # the next request, whichever worker sends it, waits out the pause
    assert slept[-1] == 2.0
    throttle.observe(200, {})
    throttle.observe(429, {})  # no Retry-After: a doubling pause
    throttle.observe(429, {})
    throttle.wait()
    assert slept[-1] == 2.0  # 1 s, then 2 s from the second 429
    throttle.observe(200, {})
    throttle.observe(503, {})
    throttle.wait()
    assert slept[-1] == 1.0  # a success ends the doubling
    assert throttle.pauses == 4


def test_throttle_reads_retry_after_in_every_form() -> None:
    assert retry_after({"retry-after-ms": "1500"}, 0) == 1.5
    assert retry_after({"Retry-After": "3"}, 0) == 3.0
    assert retry_after({"Retry-After": "Wed, 21 Oct 2015 07:28:10 GMT"}, 1445412480.0) == 10.0
    assert retry_after({"Retry-After": "soon"}, 0) is None
    assert retry_after({}, 0) is None
    with pytest.raises(ValueError, match="--rate"):
        Throttle(rate=0)


def test_response_cache_serves_many_threads(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "cache.sqlite3")
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for n in range(10):
                request = {"kind": "complete", "prompt": f"{worker}-{n}"}
                cache.put("m", request, {"text": str(n)})
                assert cache.get("m", request) == {"text": str(n)}
        except BaseException as exc:  # reported below, from the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    cache.close()
    assert errors == []


def test_engine_settings_are_checked_before_any_work(articles_dir: Path, tmp_path: Path) -> None:
    for overrides, message in (
        ({"concurrency": 0}, "--concurrency must be 1 or more"),
        ({"rate": -1.0}, "--rate must be above 0"),
        ({"engine": "spark"}, "unknown engine 'spark'"),
        ({"ray_address": "auto"}, "--ray-address needs --engine ray"),
        ({"engine": "ray", "backend": "local"}, "the embedded model runs with the local engine"),
    ):
        with pytest.raises(ValueError, match=message):
            run_extraction(articles_dir, tmp_path / "run", RunSettings(use_cache=False, **overrides))
        assert not (tmp_path / "run").exists()


# --- Ray ------------------------------------------------------------------------------------------------

NO_RAY = """
import sys
from pathlib import Path
import pipeline.cli
from pipeline.run import RunSettings, run_extraction
settings = RunSettings(backend="replay", model=sys.argv[3], use_cache=False, concurrency=2)
run_extraction(Path(sys.argv[1]), Path(sys.argv[2]), settings)
loaded = sorted(m for m in sys.modules if m == "ray" or m.startswith("ray."))
print(loaded)
sys.exit(1 if loaded else 0)
"""


def test_a_local_run_never_imports_ray(tmp_path: Path) -> None:
    process = subprocess.run(
        [sys.executable, "-c", NO_RAY, str(ROOT / "seeds"), str(tmp_path / "run"), str(SEEDS_RECORDING)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert process.returncode == 0, process.stdout + process.stderr


@pytest.fixture(scope="module")
def ray_local() -> Iterator[None]:
    """Ray on this machine, small: two CPUs. Workers import this checkout and the tests' fake backend."""
    ray = pytest.importorskip("ray")
    python_path = os.pathsep.join([str(ROOT), str(ROOT / "tests")])
    ray.init(num_cpus=2, include_dashboard=False, runtime_env={"env_vars": {"PYTHONPATH": python_path}})
    yield
    ray.shutdown()


def test_ray_engine_gives_the_local_engines_records(ray_local: None, tmp_path: Path) -> None:
    local = run_extraction(ROOT / "seeds", tmp_path / "local", _replay(SEEDS_RECORDING))
    distributed = run_extraction(ROOT / "seeds", tmp_path / "ray", _replay(SEEDS_RECORDING, engine="ray"))
    assert distributed.failed_documents == 0
    assert _outputs(distributed.run_dir) == _outputs(local.run_dir)
    assert _ids(distributed.run_dir)
    untimed = lambda inputs: [{k: v for k, v in e.items() if k != "seconds"} for e in inputs]  # noqa: E731
    assert untimed(distributed.manifest["inputs"]) == untimed(local.manifest["inputs"])


def test_a_document_failing_on_a_ray_worker_is_a_reject_not_a_lost_batch(
    ray_local: None, tmp_path: Path, make_fake: Callable[..., Any]
) -> None:
    folder = _many_articles(tmp_path / "articles", copies=2)
    (folder / "aid_1.txt").write_text(GEORGIAN_AID.replace("cameras", "cameras and a flag"), encoding="utf-8")
    failing = {"cameras and a flag": ZeroDivisionError("boom")}
    local = run_extraction(
        folder, tmp_path / "local", RunSettings(use_cache=False), backend=make_fake(raise_on=failing)
    )
    result = run_extraction(
        folder, tmp_path / "run", RunSettings(use_cache=False, engine="ray"), backend=make_fake(raise_on=failing)
    )
    failed = [d for d in result.documents if d.error]
    assert [d.doc_id for d in failed] == ["aid_1"]
    assert "ZeroDivisionError: boom" in (failed[0].error or "")
    assert result.counts["exercise"] == 2, "the other documents of its batch kept their records"
    assert _outputs(result.run_dir) == _outputs(local.run_dir)
    rejects = [json.loads(line) for line in _outputs(result.run_dir)["rejects.jsonl"].splitlines()]
    assert [r["doc_id"] for r in rejects if r["kind"] == "document"] == ["aid_1"]


def test_the_call_limit_counts_per_document_on_ray_workers(
    ray_local: None, tmp_path: Path, make_fake: Callable[..., Any]
) -> None:
    folder = _many_articles(tmp_path / "articles", copies=2)
    calls = {}
    for name, text in (("drill", BLACK_SEA_DRILL), ("aid", GEORGIAN_AID)):
        fake = make_fake()
        single = tmp_path / name
        single.mkdir()
        (single / "one.txt").write_text(text, encoding="utf-8")
        run_extraction(single, tmp_path / f"{name}-run", RunSettings(use_cache=False, max_model_calls=0), backend=fake)
        calls[name] = len(fake.prompts)
    light, heavy = sorted(calls, key=lambda name: calls[name])
    assert calls[light] < calls[heavy]
    result = run_extraction(
        folder, tmp_path / "run", RunSettings(use_cache=False, engine="ray", max_model_calls=calls[light]),
        backend=make_fake(),
    )
    failed = sorted(d.doc_id for d in result.documents if d.error)
    assert failed == [f"{heavy}_0", f"{heavy}_1"], "each document has its own count, on any worker"
    assert all(f"more than {calls[light]} model calls" in (d.error or "") for d in result.documents if d.error)


def test_cli_engine_ray_without_ray_installed_is_a_clear_error(
    articles_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "ray" else real_find_spec(name))
    out = tmp_path / "run"
    result = CliRunner().invoke(
        app, ["run", str(articles_dir), "--out", str(out), "--backend", "replay", "--model", str(tmp_path),
              "--engine", "ray"],
    )
    assert result.exit_code == 2
    assert "--engine ray needs Ray: pip install 'extract[ray]'" in result.output
    assert not out.exists()
