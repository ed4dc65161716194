"""The `extract` command, driven in-process with typer's CliRunner."""

from __future__ import annotations

import importlib.util
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main
from cli_checks import one_line_usage_error
from typer.testing import CliRunner

import pipeline.cli
from pipeline.backends import BackendUnavailable
from pipeline.cli import app
from pipeline.run import RunSettings, run_extraction
from schemas import RECORD_TYPES, Exercise, json_schemas, with_stable_id

GOLD = Path(__file__).parent / "gold"
JSON_TYPES = {"object", "array", "string", "number", "integer", "boolean", "null"}


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No user setting reaches the CLI, and relative paths land in tmp_path."""
    for name in ("EXTRACT_BACKEND", "EXTRACT_MODEL", "OPENAI_BASE_URL", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def _invoke(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(app, list(args), env=env)


def _commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """The command tree (duck-typed: recent typer vendors its own click, so isinstance(click.Group) fails)."""
    yield path, command
    for name, sub in (getattr(command, "commands", None) or {}).items():
        yield from _commands(sub, (*path, name))


def _record_files(run_dir: Path) -> dict[str, str]:
    return {t: (run_dir / "records" / f"{t}.jsonl").read_text(encoding="utf-8") for t in RECORD_TYPES}


def _a_record_line(doc_id: str = "varna") -> str:
    text = "On May 18 a two-day rescue drill ended off Varna."
    record = Exercise(id="", doc_id=doc_id, evidence=[{"text": text, "start": 0, "end": len(text)}],
                      description="rescue drill", location="off Varna")
    return with_stable_id(record).model_dump_json()


# --- Help -------------------------------------------------------------------------------------------


def test_every_command_and_option_has_help_text() -> None:
    root = typer.main.get_command(app)
    commands = dict(_commands(root))
    assert {path[0] for path in commands if path} >= {"run", "schema", "validate", "eval"}
    missing = []
    checked = 0
    for path, command in commands.items():
        where = " ".join(("extract", *path))
        if not (command.help or command.short_help):
            missing.append(where)
        for param in command.params:
            if not getattr(param, "help", None):
                missing.append(f"{where} {param.name}")
        checked += len(command.params)
    assert checked >= 15  # the walk really reached the options
    assert missing == [], f"no help text for: {', '.join(missing)}"


@pytest.mark.parametrize("command", ["run", "schema", "validate", "eval"])
def test_help_renders_for_every_command(command: str) -> None:
    result = _invoke(command, "--help")
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_no_arguments_shows_the_commands() -> None:
    result = _invoke()
    for command in ("run", "schema", "validate", "eval"):
        assert command in result.output


# --- schema -----------------------------------------------------------------------------------------


def _check_schema_structure(schema: dict[str, Any], node: Any, where: str = "#") -> None:
    """A structural JSON Schema check for when jsonschema is not installed."""
    if isinstance(node, dict):
        if "$ref" in node:
            ref = node["$ref"]
            assert ref.startswith("#/$defs/"), f"{where}: unresolvable $ref {ref}"
            assert ref.rsplit("/", 1)[-1] in schema.get("$defs", {}), f"{where}: dangling $ref {ref}"
        if "type" in node:
            types = node["type"] if isinstance(node["type"], list) else [node["type"]]
            assert set(types) <= JSON_TYPES, f"{where}: unknown type {node['type']}"
        if "required" in node:
            assert set(node["required"]) <= set(node.get("properties", {})), f"{where}: required not in properties"
        for keyword in ("anyOf", "oneOf", "allOf", "enum"):
            if keyword in node:
                assert isinstance(node[keyword], list), f"{where}: {keyword} must be a list"
        for key, value in node.items():
            if key not in ("enum", "const", "default", "examples"):
                _check_schema_structure(schema, value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            _check_schema_structure(schema, item, f"{where}/{index}")


def test_schema_out_writes_four_valid_json_schema_files(tmp_path: Path) -> None:
    out = tmp_path / "schemas"
    result = _invoke("schema", "--out", str(out))
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in out.iterdir())
    assert files == sorted(f"{t}.schema.json" for t in RECORD_TYPES)
    expected = json_schemas()
    example = json.loads(_a_record_line())
    for record_type in RECORD_TYPES:
        document = json.loads((out / f"{record_type}.schema.json").read_text(encoding="utf-8"))
        assert document == expected[record_type]  # what the library exports, round-tripped through the file
        assert document["type"] == "object"
        assert {"id", "doc_id", "evidence"} <= set(document["properties"])
        if importlib.util.find_spec("jsonschema") is not None:
            import jsonschema

            jsonschema.Draft202012Validator.check_schema(document)
            if record_type == "exercise":
                jsonschema.validate(example, document)
        else:
            _check_schema_structure(document, document)


def test_schema_without_out_prints_all_schemas_as_json() -> None:
    result = _invoke("schema")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == json_schemas()


# --- validate ---------------------------------------------------------------------------------------


def test_validate_accepts_a_good_file(tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text(_a_record_line() + "\n\n" + _a_record_line("varna2") + "\n", encoding="utf-8")
    result = _invoke("validate", "good.jsonl")
    assert result.exit_code == 0, result.output
    assert "2 valid, 0 invalid" in result.output


@pytest.mark.parametrize(
    ("bad_line", "problem"),
    [
        ('{"record_type": "exercise", "doc_id": "varna"', "json"),  # cut off
        (_a_record_line().replace('"end":49', '"end":50'), "offsets"),  # evidence length differs from its text
        (_a_record_line().replace('"exercise"', '"drill"'), "drill"),  # unknown record type
        (_a_record_line().replace('"location"', '"place"'), "place"),  # unknown field
    ],
)
def test_validate_reports_file_and_line_of_a_bad_line(tmp_path: Path, bad_line: str, problem: str) -> None:
    assert bad_line != _a_record_line()
    (tmp_path / "mixed.jsonl").write_text(
        f"{_a_record_line()}\n{bad_line}\n{_a_record_line('varna2')}\n", encoding="utf-8"
    )
    result = _invoke("validate", "mixed.jsonl")
    assert result.exit_code == 1, result.output
    assert "mixed.jsonl:2:" in result.output
    assert "mixed.jsonl:1:" not in result.output
    assert "mixed.jsonl:3:" not in result.output
    assert problem.lower() in result.output.lower()
    assert "2 valid, 1 invalid" in result.output


def test_validate_reports_a_missing_file() -> None:
    result = _invoke("validate", "nowhere.jsonl")
    assert result.exit_code == 1
    assert "nowhere.jsonl" in result.output


def test_validate_a_whole_run_folder(articles_dir: Path, tmp_path: Path, make_fake: Callable[..., Any]) -> None:
    run = run_extraction(articles_dir, tmp_path / "run", RunSettings(use_cache=False), backend=make_fake())
    result = _invoke("validate", str(run.run_dir))
    assert result.exit_code == 0, result.output
    assert f"{sum(run.counts.values())} valid, 0 invalid" in result.output


@pytest.mark.parametrize("gold", [GOLD, GOLD.parent / "articles" / "gold"])
def test_validate_accepts_the_gold_files(gold: Path) -> None:
    files = sorted(gold.glob("*.jsonl"))
    assert files
    result = _invoke("validate", *(str(p) for p in files))
    assert result.exit_code == 0, result.output
    assert f"{sum(len(p.read_text().splitlines()) for p in files)} valid, 0 invalid" in result.output


# --- run --------------------------------------------------------------------------------------------


def test_run_on_a_missing_folder_exits_2_with_a_clear_message() -> None:
    result = _invoke("run", "no-such-folder", "--out", "run", "--backend", "replay", "--model", "run")
    assert result.exit_code == 2
    assert "no-such-folder" in result.output
    assert "no such file or folder" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--strategy", "guess"], "unknown strategy"),
        (["--types", "exercise,treaties"], "treaties"),
        (["--doc-date", "20/05/2007"], "20/05/2007"),
        (["--backend", "crystal-ball"], "unknown backend"),
        (["--backend", "replay"], "--model"),
        (["--backend", "replay", "--model", "no-such-run"], "no recorded responses"),
        (["--spacy-pipeline", "en_no_such_pipeline"], "en_no_such_pipeline' is not installed"),
    ],
)
def test_run_usage_errors_exit_2_with_a_message(articles_dir: Path, options: list[str], message: str) -> None:
    result = _invoke("run", str(articles_dir), "--out", "run", "--no-cache", *options)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


@pytest.fixture
def recording(articles_dir: Path, tmp_path: Path, make_fake: Callable[..., Any]) -> Path:
    """A first run made with the FakeBackend: its run folder is the recording for --backend replay."""
    result = run_extraction(articles_dir, tmp_path / "recorded", RunSettings(use_cache=False), backend=make_fake())
    return result.run_dir


def test_run_with_replay_backend_end_to_end(articles_dir: Path, recording: Path, tmp_path: Path) -> None:
    out = tmp_path / "replayed"
    result = _invoke(
        "run", str(articles_dir), "--out", str(out), "--backend", "replay", "--model", str(recording), "--no-cache"
    )
    assert result.exit_code == 0, result.output
    assert _record_files(out) == _record_files(recording)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["backend"]["name"] == "replay"
    assert manifest["counts"] == dict.fromkeys(RECORD_TYPES, 1)
    for record_type in RECORD_TYPES:
        assert record_type in result.output  # the summary table
    assert _invoke("validate", str(out)).exit_code == 0


def test_run_takes_backend_and_model_from_the_environment(
    articles_dir: Path, recording: Path, tmp_path: Path
) -> None:
    out = tmp_path / "from_env"
    result = _invoke(
        "run", str(articles_dir), "--out", str(out), "--no-cache",
        env={"EXTRACT_BACKEND": "replay", "EXTRACT_MODEL": str(recording)},
    )
    assert result.exit_code == 0, result.output
    assert _record_files(out) == _record_files(recording)


def test_run_with_a_rejected_document_exits_1_and_still_writes_records(
    articles_dir: Path, recording: Path, tmp_path: Path
) -> None:
    (articles_dir / "empty.txt").write_bytes(b"")
    out = tmp_path / "with_bad"
    result = _invoke(
        "run", str(articles_dir), "--out", str(out), "--backend", "replay", "--model", str(recording), "--no-cache"
    )
    assert result.exit_code == 1, result.output
    assert "empty.txt" in result.output
    assert _record_files(out) == _record_files(recording)


def test_run_types_option_limits_the_record_types(articles_dir: Path, recording: Path, tmp_path: Path) -> None:
    out = tmp_path / "quotes_only"
    result = _invoke(
        "run", str(articles_dir), "--out", str(out), "--backend", "replay", "--model", str(recording),
        "--types", "quote", "--no-cache",
    )
    assert result.exit_code == 0, result.output
    files = _record_files(out)
    assert files["quote"] == _record_files(recording)["quote"]
    assert files["exercise"] == files["aid_delivery"] == files["agreement"] == ""


# --- eval -------------------------------------------------------------------------------------------


@pytest.fixture
def gold_as_run(tmp_path: Path) -> Path:
    """A run folder made from the gold files: one <record_type>.jsonl per type."""
    run = tmp_path / "gold_run"
    (run / "records").mkdir(parents=True)
    lines: dict[str, list[str]] = {t: [] for t in RECORD_TYPES}
    gold_files = sorted(GOLD.glob("*.jsonl"))
    assert gold_files, "tests/gold has no gold files"
    for path in gold_files:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                lines[json.loads(line)["record_type"]].append(line)
    for record_type, rows in lines.items():
        (run / "records" / f"{record_type}.jsonl").write_text("".join(f"{row}\n" for row in rows), encoding="utf-8")
    return run


def test_eval_of_gold_against_itself_exits_0(gold_as_run: Path) -> None:
    result = _invoke("eval", str(gold_as_run), "--gold", str(GOLD))
    assert result.exit_code == 0, result.output


def test_eval_of_gold_against_itself_scores_perfectly(gold_as_run: Path) -> None:
    result = _invoke("eval", str(gold_as_run), "--gold", str(GOLD), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["micro_field_f1"] == pytest.approx(1.0)


def test_eval_min_f1_above_the_score_exits_1(gold_as_run: Path) -> None:
    result = _invoke("eval", str(gold_as_run), "--gold", str(GOLD), "--min-f1", "1.01")
    assert result.exit_code == 1, result.output
    assert "below" in result.output


def test_eval_min_f1_at_the_score_passes(gold_as_run: Path) -> None:
    result = _invoke("eval", str(gold_as_run), "--gold", str(GOLD), "--min-f1", "1.0")
    assert result.exit_code == 0, result.output


def test_eval_of_a_folder_that_is_not_a_run_exits_2(tmp_path: Path) -> None:
    (tmp_path / "empty_dir").mkdir()
    result = _invoke("eval", str(tmp_path / "empty_dir"), "--gold", str(GOLD))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_run_with_an_unknown_structured_mode_exits_2() -> None:
    result = _invoke("run", str(Path(__file__).parent.parent / "seeds"), "--structured-mode", "xml")
    assert result.exit_code == 2
    assert "unknown structured mode 'xml'" in result.output


# --- A command that behaves: version, exit codes, option values, --out --------------------------------

README = Path(__file__).resolve().parent.parent / "README.md"


def test_version_prints_the_package_version() -> None:
    import tomllib

    result = _invoke("--version")
    assert result.exit_code == 0
    project = tomllib.loads((README.parent / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert result.output.strip() == f"extract {project['version']}"


def test_help_states_the_exit_codes() -> None:
    for args in (["--help"], ["run", "--help"]):
        text = " ".join(_invoke(*args).output.split())
        for code in ("0 every document done", "1 some documents rejected", "2 usage error", "3 the backend"):
            assert code in text, args


def test_every_command_and_option_is_documented_in_the_readme() -> None:
    readme = README.read_text(encoding="utf-8")
    missing = []
    for path, command in _commands(typer.main.get_command(app)):
        if path and f"extract {' '.join(path)}" not in readme:
            missing.append(f"extract {' '.join(path)}")
        for param in command.params:
            names = [o for o in [*getattr(param, "opts", []), *getattr(param, "secondary_opts", [])] if o[:2] == "--"]
            if names and "--help" not in names and not any(name in readme for name in names):
                missing.append(f"{' '.join(('extract', *path))} {'/'.join(names)}")
    assert missing == [], f"not in README.md: {', '.join(missing)}"


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (["--doc-date", "0000"], ["--doc-date", "0000"]),
        (["--doc-date", "2021-02-30"], ["--doc-date", "2021-02-30", "not a day"]),
        (["--doc-date", "2021-02-01\n"], ["--doc-date", "YYYY"]),
        (["--base-url", "not a url"], ["--base-url", "not a url"]),
        (["--base-url", "ftp://example.org/v1"], ["--base-url", "http"]),
        (["--base-url", "http://"], ["--base-url", "host"]),
        (["--max-characters", "0"], ["--max-characters"]),
        (["--out", ""], ["--out", "empty"]),
    ],
)
def test_bad_option_values_are_one_line_usage_errors_before_any_work(
    articles_dir: Path, recording: Path, tmp_path: Path, options: list[str], words: list[str]
) -> None:
    out = tmp_path / "never"
    args = ["run", str(articles_dir), "--backend", "replay", "--model", str(recording), "--no-cache"]
    if "--out" not in options:
        args += ["--out", str(out)]
    one_line_usage_error(_invoke(*args, *options), *words)
    assert not out.exists()
    assert not (tmp_path / "texts").exists()  # --out "" must not write into the current folder


def _bad_out(tmp_path: Path, kind: str) -> tuple[Path, str]:
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    return {
        "file": (a_file, "is a file"),
        "under a file": (a_file / "run", "is a file, so no folder"),
        "unwritable": (Path("/proc/extract-run"), "cannot write in /proc"),
    }[kind]


@pytest.mark.parametrize("kind", ["file", "under a file", "unwritable"])
def test_run_out_that_cannot_be_written_fails_before_any_extraction(
    articles_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    import pipeline.run

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("no extraction work may start")

    monkeypatch.setattr(pipeline.run, "run_extraction", never)
    monkeypatch.setattr(pipeline.cli, "run_extraction", never)
    out, words = _bad_out(tmp_path, kind)
    one_line_usage_error(_invoke("run", str(articles_dir), "--out", str(out)), str(out), words)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder")
def test_run_out_in_a_read_only_folder_fails_before_any_extraction(articles_dir: Path, tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        one_line_usage_error(_invoke("run", str(articles_dir), "--out", str(locked / "run")), "cannot write")
    finally:
        locked.chmod(0o755)


@pytest.mark.parametrize("kind", ["file", "under a file", "unwritable"])
def test_schema_out_that_cannot_be_written_is_a_one_line_error(tmp_path: Path, kind: str) -> None:
    out, words = _bad_out(tmp_path, kind)
    one_line_usage_error(_invoke("schema", "--out", str(out)), str(out), words)


def test_run_reads_files_a_glob_and_stdin(articles_dir: Path, recording: Path, tmp_path: Path) -> None:
    replay = ["--backend", "replay", "--model", str(recording), "--no-cache"]
    files = sorted(str(p) for p in articles_dir.glob("*.txt"))
    by_files = _invoke("run", *files, "--out", str(tmp_path / "files"), *replay)
    by_glob = _invoke("run", str(articles_dir / "*.txt"), "--out", str(tmp_path / "glob"), *replay)
    assert by_files.exit_code == by_glob.exit_code == 0, by_files.output + by_glob.output
    assert _record_files(tmp_path / "files") == _record_files(tmp_path / "glob") == _record_files(recording)
    text = Path(files[0]).read_text(encoding="utf-8")
    piped = CliRunner().invoke(app, ["run", "-", "--out", str(tmp_path / "stdin"), *replay], input=text)
    manifest = json.loads((tmp_path / "stdin" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["inputs"][0]["doc_id"] == "stdin"
    assert (tmp_path / "stdin" / "texts" / "stdin.txt").read_text(encoding="utf-8") == text
    assert piped.exit_code in (0, 1)  # its answers were recorded under another document's id


def test_run_lists_skipped_files_in_the_summary_and_manifest(
    articles_dir: Path, recording: Path, tmp_path: Path
) -> None:
    (articles_dir / "slides.pptx").write_bytes(b"PK\x03\x04")
    (articles_dir / ".draft.txt").write_text("draft\n")
    result = _invoke("run", str(articles_dir), "--out", str(tmp_path / "run"), "--backend", "replay",
                     "--model", str(recording), "--no-cache")
    assert result.exit_code == 0, result.output
    assert "skipped" in result.output and "slides.pptx" in result.output and ".draft.txt" in result.output
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text(encoding="utf-8"))
    assert {Path(s["path"]).name for s in manifest["skipped"]} == {"slides.pptx", ".draft.txt"}


def test_the_summary_fits_80_columns(articles_dir: Path, recording: Path, tmp_path: Path) -> None:
    out = tmp_path / "a-run-folder-with-a-rather-long-name-to-test-wrapping-of-the-title"
    result = _invoke("run", str(articles_dir), "--out", str(out), "--backend", "replay", "--model", str(recording),
                     "--no-cache")
    assert result.exit_code == 0, result.output
    assert "records" in result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80, result.output


def test_the_progress_label_names_the_document_being_read() -> None:
    names = ["a01_black_sea_drill.txt", "a-very-long-document-name-that-would-push-the-bar-off.html"]
    assert pipeline.cli._reading(names, 0) == "reading a01_black_sea_drill.txt"
    assert len(pipeline.cli._reading(names, 1)) <= len("reading ") + 24
    assert pipeline.cli._reading(names, 2) == "done"


class _Unreachable:
    name = "unreachable"
    model_id = "unreachable"
    preferred_strategy = "slots"

    def complete(self, prompt: str, *, max_tokens: int, stop: list[str]) -> Any:
        raise BackendUnavailable("connection refused by localhost:9 (5 requests in a row)")

    def fill(self, *args: Any, **kwargs: Any) -> Any:
        raise BackendUnavailable("connection refused")


def test_an_unreachable_backend_stops_the_run_with_exit_3(
    articles_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pipeline.run

    monkeypatch.setattr(pipeline.run, "create_backend", lambda *a, **k: _Unreachable())
    result = _invoke("run", str(articles_dir), "--out", str(tmp_path / "run"), "--no-cache")
    assert result.exit_code == 3, result.output
    assert "cannot be reached" in result.output and "Traceback" not in result.output
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["stopped"]["documents_not_done"] == 2  # the first stopped the run, the second was not tried
    assert [entry["status"] for entry in manifest["inputs"]] == ["not done", "not done"]  # every input is named


def test_a_backend_unreachable_from_the_start_exits_3(
    articles_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pipeline.run

    def refuse(*args: object, **kwargs: object) -> None:
        raise BackendUnavailable("http://localhost:9/v1: connection refused")

    monkeypatch.setattr(pipeline.run, "create_backend", refuse)
    result = _invoke("run", str(articles_dir), "--out", str(tmp_path / "run"), "--no-cache")
    assert result.exit_code == 3, result.output
    assert [line for line in result.output.splitlines() if line.strip()] == [
        "error: the backend cannot be reached: http://localhost:9/v1: connection refused"
    ]


@pytest.mark.parametrize("quiet", [True, False])
def test_llama_cpp_load_output_on_fd_2_is_silenced_unless_verbose(
    capfd: pytest.CaptureFixture[str], quiet: bool
) -> None:
    from pipeline.backends.local import _quiet_stderr

    with _quiet_stderr(quiet):
        os.write(2, b"llama_model_loader: a line from C\n")
    os.write(2, b"after\n")
    err = capfd.readouterr().err
    assert ("llama_model_loader" in err) is not quiet
    assert "after" in err  # fd 2 is restored
