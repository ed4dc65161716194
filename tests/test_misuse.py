"""What a hostile tester did to `extract` and what it must do instead: empty and dangerous paths,
files named twice or sharing a name, odd dates, broken lines in a run, tampered manifests, values
that a spreadsheet would run, a model request that fails for one record type.

Every article here is invented; no test runs a model (a scripted FakeBackend, or --backend replay
from a run the fake made) and none waits on time.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.csv as pa_csv
import pyarrow.parquet as pa_parquet
import pytest
from cli_checks import one_line_usage_error
from conftest import BLACK_SEA_DRILL, GEORGIAN_AID
from run_folders import write_hostile_run
from typer.testing import CliRunner

from pipeline.backends import BackendError
from pipeline.cli import app
from pipeline.documents import decode_text, list_inputs, load_documents
from pipeline.normalize import normalize_date
from pipeline.run import RunResult, RunSettings, run_extraction
from pipeline.validate import validate_files

AID_SENTENCE = (
    "On March 12 Estonia delivered four thermal imaging cameras worth around $2 million to the Georgian "
    "Border Police at Sadakhlo."
)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No user setting reaches the CLI, and the current folder is an empty one we can look into."""
    for name in ("EXTRACT_BACKEND", "EXTRACT_MODEL", "OPENAI_BASE_URL", "OPENAI_API_KEY", "EXTRACT_BROWSER"):
        monkeypatch.delenv(name, raising=False)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)


def _invoke(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(app, list(args), env=env)


@pytest.fixture
def recording(articles_dir: Path, tmp_path: Path, make_fake: Callable[..., Any]) -> Path:
    """A run of the invented articles made with the FakeBackend: the recording for --backend replay."""
    settings = RunSettings(use_cache=False)
    return run_extraction(articles_dir, tmp_path / "recorded", settings, backend=make_fake()).run_dir


def _replay(recording: Path) -> list[str]:
    return ["--backend", "replay", "--model", str(recording), "--no-cache"]


def _manifest(run_dir: Path) -> dict[str, Any]:
    return dict(json.loads((run_dir / "manifest.json").read_text(encoding="utf-8")))


def _rejects(run_dir: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (run_dir / "rejects.jsonl").read_text(encoding="utf-8").splitlines()]


def _records(run_dir: Path, record_type: str) -> list[dict[str, Any]]:
    lines = (run_dir / "records" / f"{record_type}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


# --- F1, R1: an empty path is a usage error, never "the current folder" -------------------------------


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["view", "{run}", "--out", ""], ["--out", "empty"]),
        (["view", "{run}", "--gold", ""], ["--gold", "empty"]),
        (["view", "{run}", "--screenshot", ""], ["--screenshot", "empty"]),
        (["view", ""], ["RUN", "empty"]),
        (["export", "{run}", "--out", ""], ["--out", "empty"]),
        (["export", "{run}", "--format", "duckdb", "--out", ""], ["--out", "empty"]),
        (["export", ""], ["RUN", "empty"]),
        (["eval", "{run}", "--gold", ""], ["--gold", "empty"]),
        (["validate", "{run}", "--docs", ""], ["--docs", "empty"]),
        (["validate", ""], ["FILES", "empty"]),
        (["schema", "--out", ""], ["--out", "empty"]),
        (["run", "{articles}", "--out", ""], ["--out", "empty"]),
    ],
)
def test_an_empty_path_is_a_one_line_usage_error_and_writes_nothing(
    tmp_path: Path, articles_dir: Path, args: list[str], words: list[str]
) -> None:
    run_dir = write_hostile_run(tmp_path)
    filled = [a.replace("{run}", str(run_dir)).replace("{articles}", str(articles_dir)) for a in args]
    one_line_usage_error(_invoke(*filled), *words)
    assert list(Path.cwd().iterdir()) == []  # nothing written into the current folder
    assert not (run_dir / "review.html").exists() and not (run_dir / "export").exists()


# --- F2: relative days before the calendar's first day ---------------------------------------------


@pytest.mark.parametrize("word", ["yesterday", "Sunday"])
def test_a_relative_day_before_year_1_is_no_date(word: str) -> None:
    date = normalize_date(word, "0001-01-01")  # a Monday: yesterday and last Sunday are not in the calendar
    assert (date.text, date.start, date.end, date.precision) == (word, None, None, "unknown")
    assert normalize_date("today", "0001-01-01").start == "0001-01-01"


def test_yesterday_in_a_document_dated_0001_01_01_keeps_the_document(
    tmp_path: Path, make_fake: Callable[..., Any]
) -> None:
    folder = tmp_path / "dates"
    folder.mkdir()
    (folder / "y.txt").write_text("A rescue drill ended off Varna yesterday.\n", encoding="utf-8")
    (folder / "y.meta.json").write_text('{"date": "0001-01-01"}', encoding="utf-8")
    fake = make_fake(answers={"rescue drill": "Exercise: yes\nDescription: rescue drill\nLocation: off Varna\n"
                                              "Date: yesterday\n###"})
    result = run_extraction(folder, tmp_path / "run", RunSettings(use_cache=False), backend=fake)
    assert result.failed_documents == 0, _rejects(result.run_dir)
    (exercise,) = _records(result.run_dir, "exercise")
    assert exercise["date"] == {"text": "yesterday", "start": None, "end": None, "precision": "unknown"}


# --- F6: one record type's failed request loses only that type's records -----------------------------


def _structured(record_types: list[str]) -> RunSettings:
    return RunSettings(use_cache=False, strategy="structured", record_types=record_types)


def _aid_answer() -> dict[str, Any]:
    return {"records": [{"donor": {"name": "Estonia"}, "recipient": {"name": "Georgian Border Police"},
                         "items": [{"description": "thermal imaging cameras", "quantity": 4}],
                         "date": "March 12", "status": "delivered", "evidence": [AID_SENTENCE]}]}  # fmt: skip


def test_a_failed_request_for_one_record_type_keeps_the_other_types_records(
    tmp_path: Path, make_fake: Callable[..., Any]
) -> None:
    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "georgian_aid.txt").write_text(GEORGIAN_AID, encoding="utf-8")
    # One chunk; types asked in the order given: the exercise request fails, the aid request answers.
    failure = BackendError("http://127.0.0.1:9/v1: no valid ExerciseDraftList after 2 re-asks",
                           detail="1 validation error for ExerciseDraftList ...")
    fake = make_fake(fills=[failure, _aid_answer()])
    result = run_extraction(folder, tmp_path / "run", _structured(["exercise", "aid_delivery"]), backend=fake)
    assert result.failed_documents == 0
    assert len(_records(result.run_dir, "aid_delivery")) == 1
    (reject,) = [r for r in _rejects(result.run_dir) if r["kind"] != "value"]
    assert reject["kind"] == "record" and reject["record_type"] == "exercise" and reject["stage"] == "model"
    assert reject["reason"].startswith("no answer: ") and "ExerciseDraftList" in reject["reason"]
    assert "1 validation error" in (result.run_dir / "errors.log").read_text(encoding="utf-8")
    assert _manifest(result.run_dir)["inputs"][0]["status"] == "ok"


def test_a_document_whose_every_request_failed_is_rejected(tmp_path: Path, make_fake: Callable[..., Any]) -> None:
    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "georgian_aid.txt").write_text(GEORGIAN_AID, encoding="utf-8")
    fake = make_fake(fills=[BackendError("no valid ExerciseDraftList"), BackendError("no valid AidDeliveryDraftList")])
    result = run_extraction(folder, tmp_path / "run", _structured(["exercise", "aid_delivery"]), backend=fake)
    assert result.failed_documents == 1
    assert [r["kind"] for r in _rejects(result.run_dir)] == ["document"]


# --- F7, F8, R16: doc ids and files reached twice ---------------------------------------------------


def test_two_articles_with_one_file_name_in_two_folders_are_both_read(
    tmp_path: Path, make_fake: Callable[..., Any]
) -> None:
    folder = tmp_path / "desk"
    for sub, text in (("a", BLACK_SEA_DRILL), ("b", GEORGIAN_AID)):
        (folder / sub).mkdir(parents=True)
        (folder / sub / "story.txt").write_text(text, encoding="utf-8")
    settings = RunSettings(use_cache=False, recursive=True)
    result = run_extraction(folder, tmp_path / "run", settings, backend=make_fake())
    assert result.failed_documents == 0
    entries = {e["doc_id"]: e for e in _manifest(result.run_dir)["inputs"]}
    assert set(entries) == {"a__story", "b__story"}
    assert entries["b__story"]["path"].endswith("b/story.txt")
    assert (result.run_dir / "texts" / "b__story.txt").read_text(encoding="utf-8") == GEORGIAN_AID
    assert {r["doc_id"] for r in _records(result.run_dir, "aid_delivery")} == {"b__story"}
    assert validate_files([result.run_dir]).errors == []


def test_unique_file_names_keep_their_stem_as_doc_id(articles_dir: Path) -> None:
    ids = sorted(d.doc_id for d in load_documents(articles_dir) if not hasattr(d, "reason"))
    assert ids == ["black_sea_drill", "georgian_aid"]  # what recordings and gold files name


@pytest.mark.parametrize(
    "named",
    [
        ["{a}", "{a}"],  # the same file twice
        ["{folder}", "{a}"],  # a folder and a file in it
        ["{folder}/*.txt", "{folder}/black*"],  # overlapping globs
    ],
)
def test_a_file_reached_twice_is_read_once_without_a_reject(
    articles_dir: Path, recording: Path, tmp_path: Path, named: list[str]
) -> None:
    a = articles_dir / "black_sea_drill.txt"
    inputs = [n.replace("{a}", str(a)).replace("{folder}", str(articles_dir)) for n in named]
    listing = list_inputs(inputs)
    assert [e for e in listing.entries if e == a or getattr(e, "path", None) == a] == [a]
    assert any(s.reason.startswith("the same file as") for s in listing.skipped)
    result = _invoke("run", *inputs, "--out", str(tmp_path / "run"), *_replay(recording))
    assert result.exit_code == 0, result.output
    assert _manifest(tmp_path / "run")["rejects"]["documents"] == 0


# --- R3: a run folder is never an input -------------------------------------------------------------


def test_out_at_the_root_or_at_the_input_folder_is_a_usage_error(articles_dir: Path, recording: Path) -> None:
    one_line_usage_error(_invoke("run", str(articles_dir), "--out", "/", *_replay(recording)), "root")
    one_line_usage_error(
        _invoke("run", str(articles_dir), "--out", str(articles_dir), *_replay(recording)), "input folder"
    )
    assert not (articles_dir / "records").exists()


def test_a_run_folder_inside_the_inputs_is_never_read_as_articles(articles_dir: Path, recording: Path) -> None:
    inside = articles_dir / "runs" / "one"
    for _ in range(2):  # the second run, with -r, reads the first one's folder
        result = _invoke("run", str(articles_dir), "-r", "--out", str(inside), *_replay(recording))
        assert result.exit_code == 0, result.output
        assert [e["doc_id"] for e in _manifest(inside)["inputs"]] == ["black_sea_drill", "georgian_aid"]
    assert (inside / "texts" / "georgian_aid.txt").is_file()
    for inputs in ([str(articles_dir)], [str(articles_dir / "**" / "*.txt")]):
        listing = list_inputs(inputs, recursive=True)
        read = {p.name for p in listing.entries if isinstance(p, Path)}
        assert read == {"black_sea_drill.txt", "georgian_aid.txt"}, inputs
        assert any("run folder" in s.reason for s in listing.skipped)


# --- R13: a run that finds nothing to read ----------------------------------------------------------


@pytest.mark.parametrize("contents", [{}, {"notes.docx": b"PK\x03\x04"}, {".draft.txt": b"A drill.\n"}])
def test_a_run_with_no_article_is_a_usage_error_naming_what_was_skipped(
    tmp_path: Path, recording: Path, contents: dict[str, bytes]
) -> None:
    folder = tmp_path / "nothing"
    folder.mkdir()
    for name, data in contents.items():
        (folder / name).write_bytes(data)
    result = _invoke("run", str(folder), "--out", str(tmp_path / "run"), *_replay(recording))
    line = one_line_usage_error(result, "no articles found", str(folder))
    for name in contents:
        assert name in line
    assert not (tmp_path / "run").exists()


def test_a_hidden_file_named_on_the_command_line_is_read(tmp_path: Path) -> None:
    hidden = tmp_path / ".draft.txt"
    hidden.write_text("A drill.\n", encoding="utf-8")
    assert list_inputs([hidden]).entries == [hidden]
    assert list_inputs([tmp_path]).entries == []  # found in a folder, it is still skipped as hidden


# --- R15: one byte-order mark ------------------------------------------------------------------------


def test_only_one_utf8_byte_order_mark_is_removed(tmp_path: Path) -> None:
    path = tmp_path / "boms.txt"
    path.write_bytes(codecs.BOM_UTF8 * 2 + b"A drill ended.\n")
    text, _ = decode_text(path.read_bytes())
    assert text == path.read_text(encoding="utf-8-sig") == "\ufeffA drill ended.\n"


# --- R18, R20: option values checked before any work ------------------------------------------------


def test_a_local_model_that_is_not_a_gguf_file_is_a_usage_error(articles_dir: Path, tmp_path: Path) -> None:
    fake = tmp_path / "model.gguf"
    fake.write_text("root:x:0:0:root:/root:/bin/bash\n")
    one_line_usage_error(
        _invoke("run", str(articles_dir), "--out", str(tmp_path / "run"), "--model", str(fake)), "GGUF", str(fake)
    )
    one_line_usage_error(
        _invoke("run", str(articles_dir), "--out", str(tmp_path / "run"), "--model", str(tmp_path / "none")),
        "cannot be read",
    )
    assert not (tmp_path / "run").exists()
    from pipeline.options import gguf_model_problem

    real = tmp_path / "real.gguf"
    real.write_bytes(b"GGUF\x03\x00\x00\x00")
    assert gguf_model_problem(str(real)) is None


def test_an_empty_types_option_is_a_usage_error(articles_dir: Path, recording: Path, tmp_path: Path) -> None:
    one_line_usage_error(
        _invoke("run", str(articles_dir), "--out", str(tmp_path / "run"), "--types", "", *_replay(recording)),
        "--types", "empty",
    )


def test_an_unreachable_server_is_named_once(articles_dir: Path, tmp_path: Path) -> None:
    url = "http://127.0.0.1:1/v1"  # port 1: nothing listens, the connection is refused at once
    result = _invoke("run", str(articles_dir), "--out", str(tmp_path / "run"), "--backend", "openai",
                     "--base-url", url, "--model", "m", "--no-cache")
    assert result.exit_code == 3, result.output
    assert result.output.count("127.0.0.1:1") == 1, result.output


def test_a_screenshot_that_cannot_be_taken_is_refused_before_the_page_is_written(tmp_path: Path) -> None:
    run_dir = write_hostile_run(tmp_path)
    one_line_usage_error(_invoke("view", str(run_dir), "--screenshot", "/proc/extract-shot.png"), "/proc")
    missing = _invoke("view", str(run_dir), "--screenshot", str(tmp_path / "shot.png"),
                      env={"EXTRACT_BROWSER": "/nonexistent/chromium"})
    one_line_usage_error(missing, "EXTRACT_BROWSER=/nonexistent/chromium")
    assert not (run_dir / "review.html").exists()


# --- R2, R7, R8: export -----------------------------------------------------------------------------


def _formula_run(tmp_path: Path) -> Path:
    """The hand-made run with values a spreadsheet would run as formulas."""
    run_dir = write_hostile_run(tmp_path)
    quote_file = run_dir / "records" / "quote.jsonl"
    row = json.loads(quote_file.read_text(encoding="utf-8"))
    row["text"] = "=HYPERLINK('http://evil.example/','click')"
    row["cue"] = "@SUM(1+1)*cmd|' /C calc'!A0"
    row["speaker"]["role"] = "-2+3"
    quote_file.write_text(json.dumps(row) + "\n", encoding="utf-8")
    return run_dir


def test_csv_cells_that_would_run_as_formulas_are_quoted_and_parquet_keeps_them(tmp_path: Path) -> None:
    run_dir = _formula_run(tmp_path)
    assert _invoke("export", str(run_dir), "--format", "csv", "--out", str(tmp_path / "csv")).exit_code == 0
    row = pa_csv.read_csv(tmp_path / "csv" / "quote.csv").to_pylist()[0]
    assert row["text"] == "'=HYPERLINK('http://evil.example/','click')"
    assert row["cue"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert row["speaker_title"] == "'-2+3"
    assert row["speaker_name"] == "Janis Ozols"  # an ordinary value is untouched
    assert _invoke("export", str(run_dir), "--out", str(tmp_path / "parquet")).exit_code == 0
    raw = pa_parquet.read_table(tmp_path / "parquet" / "quote.parquet").to_pylist()[0]
    assert raw["text"] == "=HYPERLINK('http://evil.example/','click')"


def test_the_spans_column_is_json(tmp_path: Path) -> None:
    run_dir = write_hostile_run(tmp_path)
    assert _invoke("export", str(run_dir), "--out", str(tmp_path / "parquet")).exit_code == 0
    (row,) = pa_parquet.read_table(tmp_path / "parquet" / "aid_delivery.parquet").to_pylist()
    (record,) = _records(run_dir, "aid_delivery")
    assert json.loads(row["spans"]) == record["spans"]


def test_duckdb_export_never_overwrites_a_file_that_is_not_its_database(tmp_path: Path) -> None:
    run_dir = write_hostile_run(tmp_path)
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n")
    one_line_usage_error(_invoke("export", str(run_dir), "--format", "duckdb", "--out", str(notes)), "not a DuckDB")
    assert notes.read_text() == "my notes\n"
    own = tmp_path / "mine.duckdb"
    with duckdb.connect(str(own)) as connection:
        connection.execute("CREATE TABLE budget AS SELECT 1 AS amount")
    one_line_usage_error(_invoke("export", str(run_dir), "--format", "duckdb", "--out", str(own)), "budget")
    ours = tmp_path / "records.duckdb"
    for _ in range(2):  # a database the export wrote is replaced
        assert _invoke("export", str(run_dir), "--format", "duckdb", "--out", str(ours)).exit_code == 0
    with duckdb.connect(str(ours), read_only=True) as connection:
        assert connection.execute("SELECT count(*) FROM quote").fetchone() == (1,)


# --- R9, R11: a tampered manifest; validate on parts of a run ----------------------------------------


def _run(articles_dir: Path, tmp_path: Path, make_fake: Callable[..., Any]) -> RunResult:
    return run_extraction(articles_dir, tmp_path / "run", RunSettings(use_cache=False), backend=make_fake())


def test_a_saved_text_named_outside_the_run_folder_is_never_read(
    articles_dir: Path, tmp_path: Path, make_fake: Callable[..., Any]
) -> None:
    run_dir = _run(articles_dir, tmp_path, make_fake).run_dir
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-MARKER root:x:0\n")
    manifest = _manifest(run_dir)
    for entry in manifest["inputs"]:
        entry["text"] = "../secret.txt"
    (run_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    page = tmp_path / "page.html"
    assert _invoke("view", str(run_dir), "--out", str(page)).exit_code == 0
    html = page.read_text(encoding="utf-8")
    assert "SECRET-MARKER" not in html and "outside the run folder" in html
    report = validate_files([run_dir])
    assert any("outside the run folder" in e.message for e in report.errors)


def test_validate_names_a_saved_text_and_takes_the_records_folder_as_the_run(
    articles_dir: Path, tmp_path: Path, make_fake: Callable[..., Any]
) -> None:
    run_dir = _run(articles_dir, tmp_path, make_fake).run_dir
    text = _invoke("validate", str(run_dir / "texts" / "georgian_aid.txt"))
    assert text.exit_code == 0, text.output
    assert "saved text of document 'georgian_aid'" in text.output and "Invalid JSON" not in text.output
    records = _invoke("validate", str(run_dir / "records"))
    assert records.exit_code == 0, records.output
    assert "older extract" not in records.output and "4 valid" in records.output
