"""How `extract view` and `extract export` scale: a synthetic run folder of N documents (default 200).

`python bench/review_scale.py [N]` replays the seeds from their recording once, then writes a run
folder of N documents made of copies of the two seed articles, each with the replayed records (ids
and doc ids renamed; their evidence and value-level `spans` kept) and its text saved in RUN/texts/.
It prints the seconds to write the review page, its size, the seconds headless Chromium takes to
load it and to answer a click on a card (when chromium and chromium-driver are installed), and
the seconds of each export format. Prints, never asserts.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.export import FORMATS, export_run  # noqa: E402
from pipeline.output import read_run  # noqa: E402
from pipeline.review import write_review  # noqa: E402
from pipeline.run import RunSettings, run_extraction  # noqa: E402
from schemas import RECORD_TYPES  # noqa: E402


def synthetic_run(base: Path, documents: int) -> Path:
    seeds = base / "seeds-run"
    recording = ROOT / "tests" / "recordings" / "seeds.responses.jsonl"
    run_extraction(ROOT / "seeds", seeds, RunSettings(backend="replay", model=str(recording), use_cache=False))
    contents = read_run(seeds)
    manifest = contents.manifest or {}
    sources = [entry for entry in manifest["inputs"] if entry.get("status") == "ok"]
    run_dir = base / "run"
    (run_dir / "records").mkdir(parents=True)
    (run_dir / "texts").mkdir()
    inputs, rows = [], {t: [] for t in RECORD_TYPES}
    for number in range(documents):
        source = sources[number % len(sources)]
        text = (ROOT / source["path"]).read_text(encoding="utf-8")
        doc_id = f"doc{number:04d}"
        (run_dir / "texts" / f"{doc_id}.txt").write_text(text, encoding="utf-8")
        inputs.append({**source, "doc_id": doc_id, "path": f"{doc_id}.txt", "text": f"texts/{doc_id}.txt"})
        for record_type, found in contents.records.items():
            for record in found:
                if record.doc_id == source["doc_id"]:
                    row = record.model_dump(mode="json")
                    rows[record_type].append({**row, "doc_id": doc_id, "id": f"{doc_id}:{row['id'].split(':', 1)[1]}"})
    for record_type, lines in rows.items():
        with (run_dir / "records" / f"{record_type}.jsonl").open("w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    shutil.copy(seeds / "rejects.jsonl", run_dir / "rejects.jsonl")
    (run_dir / "manifest.json").write_text(json.dumps({**manifest, "inputs": inputs}), encoding="utf-8")
    return run_dir


def browser_seconds(page: Path) -> tuple[float, float] | None:
    """Seconds for headless Chromium to load the page and to answer a click on the last card."""
    browser, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    if not browser or not driver_path:
        return None
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,900"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    try:
        started = time.perf_counter()
        driver.get(page.resolve().as_uri())
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        driver.execute_script(
            "var cards = document.querySelectorAll('section.doc:not([hidden]) .card header');"
            "cards[cards.length - 1].click();"
        )
        clicked = time.perf_counter() - started
        return loaded, clicked
    finally:
        driver.quit()


def main() -> None:
    documents = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with tempfile.TemporaryDirectory() as folder:
        run_dir = synthetic_run(Path(folder), documents)
        started = time.perf_counter()
        page, counts = write_review(run_dir)
        seconds = time.perf_counter() - started
        size = page.stat().st_size / 1e6
        print(f"review page: {counts['documents']} documents, {counts['records']} records, {counts['spans']} spans")
        print(f"  written in {seconds:.2f} s, {size:.1f} MB")
        measured = browser_seconds(page)
        if measured is None:
            print("  browser: NOT MEASURED (chromium and chromium-driver are not installed)")
        else:
            print(f"  headless Chromium: loaded in {measured[0]:.2f} s, a card click answered in {measured[1]:.3f} s")
        for export_format in FORMATS:
            started = time.perf_counter()
            written = export_run(run_dir, export_format, Path(folder) / f"export-{export_format}")
            rows = sum(w.rows for w in written.written)
            print(f"export {export_format}: {rows} rows in {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
