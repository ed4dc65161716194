"""`extract view`: the review page, built from run folders and driven in headless Chromium.

The browser tests use Debian's chromium and chromium-driver (the Makefile's test target installs
them when missing) through selenium; no browser is downloaded.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from run_folders import (
    HOSTILE_ARTICLE,
    INJECTED,
    SEEDS_GOLD,
    replay_seeds,
    run_records,
    run_span_count,
    write_hostile_run,
)
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.evaluate import evaluate
from pipeline.review.gold import gold_marks
from pipeline.review.page import build_documents, write_review
from pipeline.review.run_folder import read_run_folder
from pipeline.review.spans import Span, segments

# --- Pieces ----------------------------------------------------------------------------------------


def _span(number: int, start: int, end: int, record_type: str = "quote") -> Span:
    return Span(f"s{number}", f"r{number}", record_type, "evidence[0]", start, end)


def test_overlapping_and_crossing_spans_cut_the_text_into_pieces_that_rejoin_it() -> None:
    text = "abcdefghij"
    spans = [_span(0, 1, 6), _span(1, 3, 9, "exercise"), _span(2, 3, 4), _span(3, 0, 10)]
    pieces = segments(text, spans)
    assert "".join(piece.text for piece in pieces) == text
    covering = {piece.text: {span.id for span in piece.spans} for piece in pieces}
    assert covering == {
        "a": {"s3"}, "bc": {"s0", "s3"}, "d": {"s0", "s1", "s2", "s3"}, "ef": {"s0", "s1", "s3"},
        "ghi": {"s1", "s3"}, "j": {"s3"},
    }  # fmt: skip
    # every span is on the page exactly over its own characters
    for span in spans:
        assert "".join(p.text for p in pieces if span in p.spans) == text[span.start : span.end]


def test_a_run_read_with_read_run_keeps_the_value_spans(tmp_path: Path) -> None:
    folder = read_run_folder(write_hostile_run(tmp_path))
    counts = {t: len(rows) for t, rows in folder.records.items() if rows}
    assert counts == {"exercise": 1, "aid_delivery": 1, "quote": 1}
    assert all(row["spans"] for row in folder.all_records())
    assert [model.id for model in folder.models] == [row["id"] for row in folder.all_records()]


def test_a_run_that_cannot_be_read_is_refused_naming_file_and_line(tmp_path: Path) -> None:
    run_dir = write_hostile_run(tmp_path / "bad")
    quote_file = run_dir / "records" / "quote.jsonl"
    quote_file.write_text(quote_file.read_text() + "not json\n")
    refused = CliRunner().invoke(app, ["view", str(run_dir)])
    assert refused.exit_code == 2 and f"{quote_file}:2" in refused.output and "Traceback" not in refused.output
    assert not (run_dir / "review.html").exists()
    older = write_hostile_run(tmp_path / "older", layout="flat")
    refused = CliRunner().invoke(app, ["view", str(older)])
    assert refused.exit_code == 2 and "older extract's layout" in refused.output


def test_the_page_escapes_the_article_and_inlines_everything(tmp_path: Path) -> None:
    page, counts = write_review(write_hostile_run(tmp_path))
    html = page.read_text(encoding="utf-8")
    assert counts == {"documents": 2, "records": 3, "spans": run_span_count(tmp_path / "run")}
    assert INJECTED not in html and "<b>boats</b>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;window.__injected" in html
    assert "Harbor &lt;Notes&gt;" in html  # metadata too
    assert "&lt;i&gt;5 million&lt;/i&gt;" in html  # and a dropped value
    assert "<link" not in html and "<script src" not in html and "@import" not in html


def test_a_document_without_its_text_still_lists_its_records(tmp_path: Path) -> None:
    run_dir = write_hostile_run(tmp_path)
    (tmp_path / "articles" / "harbor_notes.txt").unlink()
    documents = build_documents(read_run_folder(run_dir), None)
    harbor = documents[0]
    assert len(harbor.cards) == 3 and harbor.span_count == 0 and harbor.segments == []
    assert harbor.text_problem is not None and "harbor_notes.txt: not found" in harbor.text_problem
    assert [part.words for part in harbor.cards[0].evidence]  # the evidence text is still shown
    assert documents[1].status == "rejected" and documents[1].document_rejects[0]["reason"] == "is empty"


def test_the_saved_text_of_a_run_is_preferred_to_the_input_file(tmp_path: Path) -> None:
    """An HTML input's offsets refer to the text the run saved, not to the HTML file."""
    run_dir = write_hostile_run(tmp_path)
    article = tmp_path / "articles" / "harbor_notes.txt"
    (run_dir / "texts").mkdir()
    article.rename(run_dir / "texts" / "harbor_notes.txt")
    html = tmp_path / "articles" / "harbor_notes.html"
    html.write_text("<html><body><p>Markup the offsets do not refer to.</p></body></html>", encoding="utf-8")
    manifest = json.loads((run_dir / "manifest.json").read_text())
    manifest["inputs"][0].update({"path": str(html), "text": "texts/harbor_notes.txt"})
    (run_dir / "manifest.json").write_text(json.dumps(manifest))
    harbor = build_documents(read_run_folder(run_dir), None)[0]
    assert harbor.text_problem is None
    assert "".join(piece.text for piece in harbor.segments) == HOSTILE_ARTICLE
    assert harbor.span_count == run_span_count(run_dir)


def test_gold_marks_are_the_eval_alignment(tmp_path: Path) -> None:
    """Drop one gold record and invent another: the page's marks must agree with `extract eval`."""
    run_dir = replay_seeds(tmp_path / "seeds")
    gold = tmp_path / "gold"
    gold.mkdir()
    for path in SEEDS_GOLD.glob("*.jsonl"):
        lines = path.read_text(encoding="utf-8").splitlines()
        kept = lines[1:] if path.stem.startswith("004") else lines
        (gold / path.name).write_text("\n".join(kept) + "\n", encoding="utf-8")
    report = evaluate(run_dir, gold)
    documents = build_documents(read_run_folder(run_dir), gold_marks(read_run_folder(run_dir), gold))
    marks = [card.mark for doc in documents for card in doc.cards]
    assert marks.count("spurious") == report.records.spurious >= 1
    assert marks.count("matched") == report.records.matched
    assert sum(len(doc.missed) for doc in documents) == report.records.missed
    field_marks = {f.mark for doc in documents for card in doc.cards for f in card.fields}
    assert {"matched", "wrong", "spurious"} <= field_marks
    wrong_units = sum(1 for e in report.field_errors if e.kind == "mismatch")
    notes = [n for doc in documents for card in doc.cards + doc.missed for f in card.fields for n in f.notes]
    assert sum(1 for n in notes if n.mark == "wrong") == wrong_units


# --- The command -------------------------------------------------------------------------------------


def test_view_command_writes_the_page_and_refuses_a_folder_that_is_not_a_run(tmp_path: Path) -> None:
    run_dir = write_hostile_run(tmp_path)
    result = CliRunner().invoke(app, ["view", str(run_dir)])
    assert result.exit_code == 0, result.output
    assert (run_dir / "review.html").is_file()
    out = tmp_path / "elsewhere" / "page.html"
    assert CliRunner().invoke(app, ["view", str(run_dir), "--out", str(out)]).exit_code == 0
    assert out.is_file()
    (tmp_path / "empty").mkdir()
    refused = CliRunner().invoke(app, ["view", str(tmp_path / "empty")])
    assert refused.exit_code == 2
    assert "not a run folder" in refused.output and "Traceback" not in refused.output
    bad_gold = CliRunner().invoke(app, ["view", str(run_dir), "--gold", str(tmp_path / "nowhere")])
    assert bad_gold.exit_code == 2 and "gold directory does not exist" in bad_gold.output


# --- In the browser ---------------------------------------------------------------------------------


def _chromium() -> tuple[str, str]:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not browser or not driver:
        pytest.fail("the review page tests need Debian's chromium and chromium-driver (`make test` installs them)")
    return browser, driver


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver_path = _chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1400,900"):  # fmt: skip
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def seeds_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    run_dir = replay_seeds(tmp_path_factory.mktemp("seeds") / "run")
    page, _ = write_review(run_dir, gold_dir=SEEDS_GOLD)
    return run_dir, page


def _open(driver: Any, page: Path) -> None:
    driver.get(page.resolve().as_uri())
    assert driver.execute_script("return document.body.getAttribute('data-ready')") == "1"


def _highlighted_span_ids(driver: Any, selector: str = "mark[data-spans]") -> list[str]:
    return driver.execute_script(
        "var ids = {}; document.querySelectorAll(arguments[0]).forEach(function (m) {"
        "  m.getAttribute('data-spans').split(' ').forEach(function (id) { ids[id] = true; }); });"
        "return Object.keys(ids);",
        selector,
    )


def test_every_span_of_the_run_is_highlighted(browser: Any, seeds_page: tuple[Path, Path], tmp_path: Path) -> None:
    run_dir, page = seeds_page
    _open(browser, page)
    expected = run_span_count(run_dir)
    assert expected > 0
    assert len(_highlighted_span_ids(browser)) == expected
    hostile = write_hostile_run(tmp_path)
    page, _ = write_review(hostile)
    _open(browser, page)
    assert len(_highlighted_span_ids(browser)) == run_span_count(hostile) == 3 + 6 + 4 + 2 + 2


def test_a_click_on_a_card_highlights_its_spans_and_a_click_on_a_highlight_shows_its_record(
    browser: Any, seeds_page: tuple[Path, Path]
) -> None:
    from selenium.webdriver.common.by import By

    _, page = seeds_page
    _open(browser, page)
    section = browser.find_element(By.CSS_SELECTOR, "section.doc:not([hidden])")
    cards = section.find_elements(By.CSS_SELECTOR, ".card[data-spans]")
    assert len(cards) >= 3
    for card in cards[:3]:
        browser.execute_script("arguments[0].scrollIntoView()", card)
        card.find_element(By.CSS_SELECTOR, "header").click()
        wanted = set(card.get_attribute("data-spans").split())
        active = _highlighted_span_ids(browser, "section.doc:not([hidden]) mark.active")
        assert wanted <= set(active)
        for mark in section.find_elements(By.CSS_SELECTOR, "mark.active"):
            assert wanted & set(mark.get_attribute("data-spans").split())
        assert "selected" in card.get_attribute("class").split()
    # the other way: a highlight selects the record it belongs to
    mark = section.find_elements(By.CSS_SELECTOR, "mark[data-records]")[-1]
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", mark)
    mark.click()
    selected = [c.get_attribute("data-record") for c in section.find_elements(By.CSS_SELECTOR, ".card.selected")]
    assert selected and set(selected) <= set(mark.get_attribute("data-records").split())


def test_an_injected_script_does_not_run_and_shows_as_text(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    page, _ = write_review(write_hostile_run(tmp_path))
    _open(browser, page)
    assert browser.execute_script("return window.__injected === undefined")
    assert browser.title.startswith("extract review")
    shown = browser.find_element(By.CSS_SELECTOR, "section.doc:not([hidden]) .text").text
    assert INJECTED in shown and '<img src=x onerror="window.__injected = 2">' in shown
    assert shown.replace("\n", "") == HOSTILE_ARTICLE.replace("\n", "")
    assert len(run_records(tmp_path / "run")["quote"]) == 1


def test_the_type_filter_hides_cards_and_highlights_of_that_type(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    page, _ = write_review(write_hostile_run(tmp_path))
    _open(browser, page)
    browser.find_element(By.CSS_SELECTOR, ".filter input[data-type='quote']").click()
    section = browser.find_element(By.CSS_SELECTOR, "section.doc:not([hidden])")
    assert not section.find_element(By.CSS_SELECTOR, ".card[data-type='quote']").is_displayed()
    assert section.find_element(By.CSS_SELECTOR, ".card[data-type='exercise']").is_displayed()
    only_quote = [m for m in section.find_elements(By.CSS_SELECTOR, "mark") if m.get_attribute("class").split()[0]
                  == "t-quote" and "t-exercise" not in m.get_attribute("class")]  # fmt: skip
    assert only_quote and all("off" in m.get_attribute("class").split() for m in only_quote)


def test_the_index_switches_documents(browser: Any, seeds_page: tuple[Path, Path]) -> None:
    from selenium.webdriver.common.by import By

    _, page = seeds_page
    _open(browser, page)
    links = browser.find_elements(By.CSS_SELECTOR, "nav.index a")
    assert len(links) == 2
    links[1].click()
    visible = browser.find_elements(By.CSS_SELECTOR, "section.doc:not([hidden])")
    assert [s.get_attribute("id") for s in visible] == [links[1].get_attribute("data-target")]


def test_the_screenshot_option_saves_a_png(tmp_path: Path) -> None:
    _chromium()
    run_dir = write_hostile_run(tmp_path)
    png = tmp_path / "shots" / "page.png"
    result = CliRunner().invoke(app, ["view", str(run_dir), "--screenshot", str(png)])
    assert result.exit_code == 0, result.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
