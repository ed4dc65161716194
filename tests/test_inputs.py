"""The inputs analysts have: folders, files, globs, stdin, HTML pages and PDFs, and hostile entries
(links out of the folder, loops, dangling links, FIFOs, hidden files, folders named like articles).

Every page and PDF here is written by the test from our own sentences."""

from __future__ import annotations

import io
import json
import os
import socket
import sys
from pathlib import Path
from typing import Any

import pytest
from pdf_writer import pdf_bytes

from pipeline.documents import (
    HEADER_RULE,
    Document,
    InputError,
    LoadError,
    list_inputs,
    load_document,
    load_documents,
)
from pipeline.run import RunSettings, run_extraction
from pipeline.validate import validate_files

LEAD = "On May 18 the navies of two neighbouring states ended a two-day rescue drill off Varna."
SECOND = "Six ships and two helicopters took part, the ministry said."
PAGE = f"""<!DOCTYPE html>
<html><head><title>Drill ends</title><script>document.write("tracking")</script>
<style>p {{ color: red; }}</style></head>
<body>
<nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/sport">Sport</a></nav>
<article>
<h1>Rescue drill ends off Varna</h1>
<p>{LEAD}</p>
<p>{SECOND}</p>
<p>&ldquo;We practised search and rescue at night,&rdquo; said the commander of the flotilla.</p>
</article>
<footer>Copyright Our Own Paper. All rights reserved.</footer>
</body></html>
"""


def _names(entries: list[Any]) -> list[str]:
    return [e.path.name if isinstance(e, LoadError) else e.name for e in entries]


# --- HTML -------------------------------------------------------------------------------------------


def test_html_page_gives_its_main_text_in_paragraphs(tmp_path: Path) -> None:
    path = tmp_path / "drill.html"
    path.write_text(PAGE, encoding="utf-8")
    document = load_document(path)
    assert isinstance(document, Document)
    assert document.source == "html"
    assert f"{LEAD}\n\n{SECOND}" in document.text
    assert "“We practised search and rescue at night,”" in document.text  # entities decoded
    for boilerplate in ("Home", "Sport", "Copyright", "tracking", "color"):
        assert boilerplate not in document.text


def test_html_is_read_without_touching_the_network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("reading an HTML page must not use the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    page = PAGE.replace("<article>", '<article><img src="http://example.com/photo.jpg">')
    path = tmp_path / "drill.htm"
    path.write_text(page, encoding="utf-8")
    assert isinstance(load_document(path), Document)


def test_html_without_article_text_is_rejected_by_name(tmp_path: Path) -> None:
    path = tmp_path / "menu.html"
    path.write_text("<html><head><title>Menu</title><script>go()</script></head><body></body></html>")
    error = load_document(path)
    assert isinstance(error, LoadError)
    assert "no article text" in error.reason


# --- PDF --------------------------------------------------------------------------------------------


def test_pdf_gives_the_text_of_its_pages(tmp_path: Path) -> None:
    path = tmp_path / "drill.pdf"
    path.write_bytes(pdf_bytes([[LEAD, SECOND], ["The navy (its press office) called the drill a success."]]))
    document = load_document(path)
    assert isinstance(document, Document)
    assert document.source == "pdf"
    assert document.text == f"{LEAD}\n{SECOND}\n\nThe navy (its press office) called the drill a success.\n"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"%PDF-1.4\nthis is not a PDF body", "not a readable PDF"),
        (pdf_bytes([[]]), "no text layer"),
    ],
)
def test_a_broken_or_textless_pdf_is_rejected_by_name(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.pdf"
    path.write_bytes(content)
    error = load_document(path)
    assert isinstance(error, LoadError)
    assert reason in error.reason


# --- A folder with an HTML page, a PDF and a text file, end to end ---------------------------------


def test_run_on_html_pdf_and_text_keeps_every_offset_checkable(tmp_path: Path, make_fake: Any) -> None:
    folder = tmp_path / "inputs"
    folder.mkdir()
    (folder / "page.html").write_text(PAGE, encoding="utf-8")
    (folder / "report.pdf").write_bytes(pdf_bytes([[LEAD, SECOND]]))
    (folder / "note.txt").write_bytes(b"\xef\xbb\xbf" + f"{LEAD}\r\n\r\n{SECOND}\r\n".encode())
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    fake = make_fake(default="Exercise: no\nAssistance: no\nAgreement: no\n")
    result = run_extraction(folder, tmp_path / "run", RunSettings(use_cache=False), backend=fake)
    assert result.failed_documents == 0
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text(encoding="utf-8"))
    entries = {Path(e["path"]).name: e for e in manifest["inputs"]}
    assert set(entries) == {"page.html", "report.pdf", "note.txt"}
    assert {e["source"] for e in entries.values()} == {"html", "pdf", "text"}
    assert entries["note.txt"]["encoding"] == "utf-8 with BOM"
    assert manifest["skipped"] == [{"path": str(folder / "photo.jpg"), "reason": manifest["skipped"][0]["reason"]}]
    assert ".jpg" in manifest["skipped"][0]["reason"]
    for entry in entries.values():
        saved = (tmp_path / "run" / entry["text"]).read_text(encoding="utf-8")
        assert LEAD in saved and SECOND in saved
        assert entry["characters"] == len(saved)
    # Every record's evidence slices the saved text (the fake answers no, so quotes are what is found).
    quotes = [json.loads(line) for line in (tmp_path / "run" / "records" / "quote.jsonl").read_text().splitlines()]
    assert quotes, "the page's quotation should be found"
    for record in quotes:
        saved = (tmp_path / "run" / entries_by_doc(manifest)[record["doc_id"]]).read_text(encoding="utf-8")
        for span in record["evidence"]:
            assert saved[span["start"] : span["end"]] == span["text"]
    # The run is checkable on its own: validate reads the kept texts, even with the inputs gone.
    for name in ("page.html", "report.pdf", "note.txt"):
        (folder / name).unlink()
    report = validate_files([tmp_path / "run"])
    assert report.errors == [] and report.valid == len(quotes)
    kept = tmp_path / "run" / entries["page.html"]["text"]
    kept.write_text(kept.read_text(encoding="utf-8").replace("rescue", "rescue!"), encoding="utf-8")
    assert any("sha256" in str(e) for e in validate_files([tmp_path / "run"]).errors)


def entries_by_doc(manifest: dict[str, Any]) -> dict[str, str]:
    return {e["doc_id"]: e["text"] for e in manifest["inputs"] if "doc_id" in e}


# --- Files, globs, stdin ----------------------------------------------------------------------------


def _articles(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    for name in ("a.txt", "b.md", "c.html", "d.txt"):
        (folder / name).write_text(LEAD + "\n", encoding="utf-8")
    return folder


def test_files_are_read_in_the_order_given(tmp_path: Path) -> None:
    folder = _articles(tmp_path)
    listing = list_inputs([folder / "d.txt", folder / "a.txt"])
    assert _names(listing.entries) == ["d.txt", "a.txt"]


def test_a_glob_is_expanded_by_us(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _articles(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert _names(list_inputs(["articles/*.txt"]).entries) == ["a.txt", "d.txt"]
    assert _names(list_inputs([str(folder / "[bc].*")]).entries) == ["b.md", "c.html"]


@pytest.mark.parametrize(
    ("sources", "message"),
    [
        (["no-such-folder"], "no such file or folder"),
        (["*.nothing"], "no file matches"),
        (["-", "other.txt"], "cannot be combined"),
        ([], "no input given"),
    ],
)
def test_inputs_that_name_nothing_are_usage_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sources: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match=message):
        list_inputs(sources)


def test_stdin_is_one_document(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(f"{LEAD}\r\n".encode())))
    loaded = list(load_documents(["-"]))
    assert len(loaded) == 1
    document = loaded[0]
    assert isinstance(document, Document)
    assert (document.doc_id, document.source, document.text) == ("stdin", "stdin", LEAD + "\n")


# --- Hostile entries: named, never dropped silently --------------------------------------------------


def test_a_link_out_of_the_folder_is_rejected_unless_asked(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("not an article the user meant to send anywhere\n")
    folder = _articles(tmp_path)
    (folder / "passwd.txt").symlink_to(secret)
    loaded = {e.path.name: e for e in load_documents(folder)}
    error = loaded["passwd.txt"]
    assert isinstance(error, LoadError)
    assert "outside the input folder" in error.reason and "--follow-symlinks" in error.reason
    followed = {d.doc_id: d for d in load_documents(folder, follow_symlinks=True) if isinstance(d, Document)}
    assert followed["passwd"].text.startswith("not an article")


def test_a_link_inside_the_folder_is_read(tmp_path: Path) -> None:
    folder = _articles(tmp_path)
    (folder / "sub").mkdir()
    (folder / "sub" / "deep.txt").write_text(LEAD)
    (folder / "alias.txt").symlink_to(folder / "sub" / "deep.txt")
    assert "alias.txt" in _names(list_inputs([folder]).entries)
    assert all(isinstance(e, Path) for e in list_inputs([folder]).entries)


def test_a_link_to_another_file_of_the_folder_is_read_once_as_that_file(tmp_path: Path) -> None:
    folder = _articles(tmp_path)
    (folder / "0_alias.txt").symlink_to(folder / "a.txt")  # sorts before the file it points at
    listing = list_inputs([folder])
    assert "0_alias.txt" not in _names(listing.entries) and "a.txt" in _names(listing.entries)
    skipped = {s.path.name: s.reason for s in listing.skipped}
    assert skipped["0_alias.txt"] == f"the same file as {folder / 'a.txt'}"


def test_loops_dangling_links_fifos_hidden_files_and_folders_are_named(tmp_path: Path) -> None:
    folder = _articles(tmp_path)
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    (folder / "gone.txt").symlink_to(folder / "deleted.txt")
    (folder / "folder.txt").mkdir()
    (folder / "folder.txt" / "inner.txt").write_text(LEAD)
    os.mkfifo(folder / "pipe.txt")
    (folder / ".hidden.txt").write_text(LEAD)
    (folder / "table.csv").write_text("a,b\n")
    (folder / "a.meta.json").write_text('{"date": "2020"}')  # its article's sidecar: used, not listed
    (folder / "orphan.meta.json").write_text('{"date": "2020"}')
    listing = list_inputs([folder])
    rejected = {e.path.name: e.reason for e in listing.entries if isinstance(e, LoadError)}
    skipped = {s.path.name: s.reason for s in listing.skipped}
    assert "loop" in rejected["loop.txt"]
    assert "dangling" in rejected["gone.txt"] and "deleted.txt" in rejected["gone.txt"]
    assert "folder" in skipped["folder.txt"] and "--recursive" in skipped["folder.txt"]
    assert "FIFO" in skipped["pipe.txt"]
    assert "hidden" in skipped[".hidden.txt"]
    assert ".csv" in skipped["table.csv"]
    assert "without its article" in skipped["orphan.meta.json"]
    assert "a.meta.json" not in skipped
    read = [e.name for e in listing.entries if isinstance(e, Path)]
    assert read == ["a.txt", "b.md", "c.html", "d.txt"]
    # With --recursive the folder named like an article is read as a folder.
    recursive = list_inputs([folder], recursive=True)
    assert "inner.txt" in _names(recursive.entries)


def test_a_folder_link_loop_is_read_once(tmp_path: Path) -> None:
    folder = _articles(tmp_path)
    (folder / "sub").mkdir()
    (folder / "sub" / "deep.txt").write_text(LEAD)
    (folder / "sub" / "back").symlink_to(folder)
    listing = list_inputs([folder], recursive=True)
    assert _names(listing.entries).count("deep.txt") == 1
    assert any("loop" in s.reason for s in listing.skipped)


# --- The header rule ---------------------------------------------------------------------------------


def test_a_one_sentence_lead_is_read_even_with_a_sidecar(tmp_path: Path) -> None:
    path = tmp_path / "lead.txt"
    path.write_text(f"{LEAD}\n\n{SECOND}\n", encoding="utf-8")
    (tmp_path / "lead.meta.json").write_text('{"date": "2021"}', encoding="utf-8")
    document = load_document(path)
    assert isinstance(document, Document)
    assert document.header == ()
    assert not document.in_header(0)


def test_a_metadata_line_is_dropped_as_a_header_and_named(tmp_path: Path) -> None:
    header = "Publication: Our Own Monitor Volume: 2 Issue: 7"
    path = tmp_path / "h.txt"
    path.write_text(f"{header}\n\n{LEAD}\n", encoding="utf-8")
    document = load_document(path)
    assert isinstance(document, Document)
    assert [(p.start, p.end, p.text, p.reason) for p in document.header] == [(0, len(header), header, HEADER_RULE)]
    assert document.in_header(3) and not document.in_header(len(header) + 2)


def test_dropped_header_paragraphs_are_in_the_manifest(tmp_path: Path, make_fake: Any) -> None:
    header = "Publication: Our Own Monitor Volume: 2 Issue: 7"
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "h.txt").write_text(f"{header}\n\n{LEAD}\n", encoding="utf-8")
    fake = make_fake(default="Exercise: no\nAssistance: no\nAgreement: no\n")
    run_extraction(tmp_path / "in", tmp_path / "run", RunSettings(use_cache=False), backend=fake)
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["inputs"][0]["header_dropped"] == [
        {"start": 0, "end": len(header), "text": header, "reason": HEADER_RULE}
    ]
    assert all(header not in prompt for prompt in fake.prompts)


def test_an_html_page_on_stdin_is_read_as_html(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(PAGE.encode())))
    (document,) = list(load_documents(["-"]))
    assert isinstance(document, Document)
    assert (document.doc_id, document.source) == ("stdin", "html")
    assert LEAD in document.text and "<p>" not in document.text
