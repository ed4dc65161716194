"""Stage 1: loading a folder of articles, and every kind of file that cannot be used."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from pipeline.documents import (
    Document,
    DocumentDateError,
    LoadError,
    document_ids,
    find_articles,
    load_document,
    load_documents,
    parse_header,
)

GOOD = "On March 12 Estonia delivered four thermal imaging cameras to the Georgian Border Police.\n"


def _load_all(folder: Path, **kwargs: object) -> tuple[dict[str, Document], dict[str, LoadError]]:
    documents: dict[str, Document] = {}
    errors: dict[str, LoadError] = {}
    for loaded in load_documents(folder, **kwargs):  # type: ignore[arg-type]
        if isinstance(loaded, LoadError):
            errors[loaded.path.name] = loaded
        else:
            documents[loaded.doc_id] = loaded
    return documents, errors


def _folder_with(tmp_path: Path, name: str, content: bytes) -> Path:
    """A folder holding two good articles and one file under test."""
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a_good.txt").write_text(GOOD, encoding="utf-8")
    (folder / "z_good.md").write_text("# Drill\n\nA two-day drill ended off Poti.\n", encoding="utf-8")
    (folder / name).write_bytes(content)
    return folder


def _assert_rejected_alone(folder: Path, name: str, reason_words: list[str]) -> LoadError:
    documents, errors = _load_all(folder)
    assert name in errors, f"{name} should be rejected, got documents {sorted(documents)}"
    assert set(errors) == {name}
    assert set(documents) == {"a_good", "z_good"}, "the other documents must still load"
    error = errors[name]
    assert error.path == folder / name
    message = str(error)
    assert name in message
    for word in reason_words:
        assert word.lower() in error.reason.lower(), f"reason {error.reason!r} should mention {word!r}"
    return error


# --- Good files ------------------------------------------------------------------------------------


def test_loads_articles_in_a_stable_order_with_hash_and_text(tmp_path: Path) -> None:
    folder = _folder_with(tmp_path, "m_middle.txt", b"Officers of the Turkish Navy watched.\n")
    (folder / "notes.csv").write_text("not,an,article\n")
    (folder / ".hidden.txt").write_text(GOOD)
    loaded = list(load_documents(folder))
    assert [d.doc_id for d in loaded if isinstance(d, Document)] == ["a_good", "m_middle", "z_good"]
    first = loaded[0]
    assert isinstance(first, Document)
    assert first.text == GOOD
    assert first.sha256 == hashlib.sha256(GOOD.encode()).hexdigest()
    assert first.path == folder / "a_good.txt"


def test_find_articles_is_not_recursive_by_default(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "top.txt").write_text(GOOD)
    (tmp_path / "sub" / "deep.txt").write_text(GOOD)
    assert [p.name for p in find_articles(tmp_path)] == ["top.txt"]
    assert [p.name for p in find_articles(tmp_path, recursive=True)] == ["deep.txt", "top.txt"]


def test_crlf_and_lone_cr_are_normalized(tmp_path: Path) -> None:
    path = tmp_path / "crlf.txt"
    path.write_bytes(b"First line.\r\n\r\nSecond paragraph.\rThird line.\r\n")
    document = load_document(path)
    assert isinstance(document, Document)
    assert document.text == "First line.\n\nSecond paragraph.\nThird line.\n"
    assert "\r" not in document.text
    # Offsets are meant to slice what Python reads with universal newlines.
    assert document.text == path.read_text(encoding="utf-8")
    assert document.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()  # the hash is of the file itself


def test_bom_is_stripped(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + b"Officers of the Turkish Navy watched.\n")
    document = load_document(path)
    assert isinstance(document, Document)
    assert document.text.startswith("Officers")
    assert "\ufeff" not in document.text


def test_non_ascii_text_is_decoded_as_utf8(tmp_path: Path) -> None:
    text = "Садахло crossing 🚧: the café’s “guards” watched.\n"
    path = tmp_path / "unicode.txt"
    path.write_text(text, encoding="utf-8")
    document = load_document(path)
    assert isinstance(document, Document)
    assert document.text == text


# --- Bad files -------------------------------------------------------------------------------------


def test_empty_file_is_rejected_and_others_load(tmp_path: Path) -> None:
    _assert_rejected_alone(_folder_with(tmp_path, "empty.txt", b""), "empty.txt", ["empty"])


def test_whitespace_only_file_is_rejected(tmp_path: Path) -> None:
    _assert_rejected_alone(_folder_with(tmp_path, "blank.txt", b"  \n\t\r\n  \n"), "blank.txt", ["empty"])


def test_bom_only_file_is_rejected_as_empty(tmp_path: Path) -> None:
    _assert_rejected_alone(_folder_with(tmp_path, "bom_only.txt", b"\xef\xbb\xbf\n"), "bom_only.txt", ["empty"])


def test_binary_file_is_rejected(tmp_path: Path) -> None:
    content = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"
    _assert_rejected_alone(_folder_with(tmp_path, "image.txt", content), "image.txt", ["binary"])


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_a_byte_order_mark_are_decoded(tmp_path: Path, codec: str) -> None:
    text = "A two-day drill ended off Poti.\r\nСадахло 🚧\n"
    bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}.get(codec, b"")
    documents, errors = _load_all(_folder_with(tmp_path, "wide.txt", bom + text.encode(codec)))
    assert not errors
    assert documents["wide"].text == "A two-day drill ended off Poti.\nСадахло 🚧\n"
    assert documents["wide"].encoding == ("utf-32" if codec == "utf-32" else "utf-16")


def test_utf16_without_a_byte_order_mark_is_rejected_naming_the_encoding(tmp_path: Path) -> None:
    content = "A two-day drill ended off Poti.".encode("utf-16-le")
    _assert_rejected_alone(_folder_with(tmp_path, "wide.txt", content), "wide.txt", ["UTF-16", "byte-order mark"])


def test_a_nul_byte_inside_a_text_rejects_it_by_name(tmp_path: Path) -> None:
    content = (GOOD * 400).encode() + b"\x00" + GOOD.encode()  # beyond the first 8 KiB
    error = _assert_rejected_alone(_folder_with(tmp_path, "nul.txt", content), "nul.txt", ["NUL"])
    assert str(len(GOOD) * 400) in error.reason  # where


def test_a_nul_character_from_utf16_rejects_it_by_name(tmp_path: Path) -> None:
    content = ("A drill.\x00 More text.").encode("utf-16")
    _assert_rejected_alone(_folder_with(tmp_path, "nul.txt", content), "nul.txt", ["NUL character"])


def test_bom_offsets_refer_to_the_text_without_it(tmp_path: Path) -> None:
    """The stated convention: the BOM is not part of the text, so offsets count from the first character."""
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    document = load_document(path)
    assert isinstance(document, Document)
    assert document.text == path.read_text(encoding="utf-8-sig") == GOOD
    assert document.encoding == "utf-8 with BOM"
    assert document.text.index("Estonia") == GOOD.index("Estonia")


def test_a_document_longer_than_the_limit_is_rejected_by_name(tmp_path: Path) -> None:
    folder = _folder_with(tmp_path, "long.txt", (GOOD * 100).encode())
    documents, errors = _load_all(folder, max_characters=len(GOOD) * 99)
    assert set(documents) == {"a_good", "z_good"}
    assert errors["long.txt"].reason.startswith("too long: ")
    assert f"{len(GOOD) * 100:,} characters" in errors["long.txt"].reason
    assert "--max-characters" in errors["long.txt"].reason
    documents, errors = _load_all(folder, max_characters=len(GOOD) * 100)
    assert "long" in documents and not errors


def test_a_file_far_larger_than_the_limit_is_rejected_without_reading_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _folder_with(tmp_path, "huge.txt", b"x" * 5000)
    real_read_bytes = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        assert self.name != "huge.txt", "a file over the byte bound must not be read"
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    _, errors = _load_all(folder, max_characters=1000)
    assert errors["huge.txt"].reason.startswith("too large: 5,000 bytes")


def test_latin1_file_is_rejected_with_the_offending_byte(tmp_path: Path) -> None:
    content = "The café at Poti was closed.".encode("latin-1")
    error = _assert_rejected_alone(_folder_with(tmp_path, "latin.txt", content), "latin.txt", ["UTF-8"])
    assert "0xe9" in error.reason
    assert str(content.index(b"\xe9")) in error.reason  # where in the file


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read a chmod 000 file")
def test_unreadable_file_is_rejected(tmp_path: Path) -> None:
    folder = _folder_with(tmp_path, "locked.txt", GOOD.encode())
    locked = folder / "locked.txt"
    locked.chmod(0)
    try:
        _assert_rejected_alone(folder, "locked.txt", ["read"])
    finally:
        locked.chmod(0o644)


def test_unreadable_file_is_rejected_even_as_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Root reads a chmod 000 file, so simulate the permission error the OS gives everyone else."""
    folder = _folder_with(tmp_path, "locked.txt", GOOD.encode())
    real_read_bytes = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    error = _assert_rejected_alone(folder, "locked.txt", ["read", "permission denied"])
    assert error.path == folder / "locked.txt"


def test_load_document_reports_a_file_that_cannot_be_read(tmp_path: Path) -> None:
    error = load_document(tmp_path / "vanished.txt")
    assert isinstance(error, LoadError)
    assert "vanished.txt" in str(error)
    assert "read" in error.reason


def test_articles_with_one_stem_in_two_subfolders_get_ids_from_their_folders(tmp_path: Path) -> None:
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "report.txt").write_text(GOOD)
    (tmp_path / "b" / "other.txt").write_text(GOOD)
    documents, errors = _load_all(tmp_path, recursive=True)
    assert errors == {}
    assert sorted(documents) == ["a__report", "b__report", "other"]  # a unique stem keeps its id
    assert documents["a__report"].path == tmp_path / "a" / "report.txt"


def test_same_stem_with_two_suffixes_keeps_the_suffix_in_both_ids(tmp_path: Path) -> None:
    (tmp_path / "report.md").write_text(GOOD)
    (tmp_path / "report.txt").write_text(GOOD)
    documents, errors = _load_all(tmp_path)
    assert sorted(documents) == ["report.md", "report.txt"]
    assert errors == {}


def test_a_derived_id_depends_on_the_file_not_on_whether_the_other_loads(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "report.txt").write_bytes(b"")
    (tmp_path / "b" / "report.txt").write_text(GOOD)
    documents, errors = _load_all(tmp_path, recursive=True)
    assert list(documents) == ["b__report"]
    assert "empty" in errors["report.txt"].reason


def test_a_derived_id_that_is_another_articles_stem_gets_a_hash(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "x.txt").write_text(GOOD)
    (tmp_path / "b" / "x.txt").write_text(GOOD)
    (tmp_path / "a__x.txt").write_text(GOOD)
    ids = document_ids(sorted(tmp_path.rglob("*.txt")))
    assert ids[tmp_path / "a__x.txt"] == "a__x"
    assert ids[tmp_path / "a" / "x.txt"].startswith("a__x-") and len(set(ids.values())) == 3


# --- Sidecars and document dates --------------------------------------------------------------------


def test_sidecar_sets_the_document_date_and_metadata(tmp_path: Path) -> None:
    (tmp_path / "drill.txt").write_text(GOOD)
    (tmp_path / "drill.meta.json").write_text('{"date": "2007-05-20", "desk": "Constanta", "page": 4}')
    document = load_document(tmp_path / "drill.txt", doc_date="2001")
    assert isinstance(document, Document)
    assert document.doc_date == "2007-05-20"  # the sidecar overrides --doc-date
    assert document.metadata["desk"] == "Constanta"
    assert document.metadata["page"] == "4"
    assert [p.name for p in find_articles(tmp_path)] == ["drill.txt"]  # a sidecar is not an article


def test_doc_date_setting_applies_without_a_sidecar(tmp_path: Path) -> None:
    (tmp_path / "drill.txt").write_text(GOOD)
    document = load_document(tmp_path / "drill.txt", doc_date="2008-03")
    assert isinstance(document, Document)
    assert document.doc_date == "2008-03"


@pytest.mark.parametrize(
    ("sidecar", "reason_word"),
    [
        ('{"date": "2007-05-20",', "JSON"),
        ("[1, 2]", "object"),
        ('{"date": "May 2007"}', "date"),
        ('{"date": "2007-13-01"}', "date"),
    ],
)
def test_malformed_sidecar_rejects_its_article_only(tmp_path: Path, sidecar: str, reason_word: str) -> None:
    folder = _folder_with(tmp_path, "drill.txt", GOOD.encode())
    (folder / "drill.meta.json").write_text(sidecar)
    error = _assert_rejected_alone(folder, "drill.txt", [reason_word])
    assert "drill.meta.json" in error.reason  # names the sidecar at fault


def test_bad_doc_date_setting_is_an_error_before_loading(tmp_path: Path) -> None:
    (tmp_path / "drill.txt").write_text(GOOD)
    with pytest.raises(DocumentDateError, match="--doc-date"):
        list(load_documents(tmp_path, doc_date="20/05/2007"))


# --- Header line -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "Publication: Pontic Security Review Volume: 3 Issue: 124",
            {"publication": "Pontic Security Review", "volume": "3", "issue": "124"},
        ),
        (
            "Publication: Eurasia Daily Monitor Volume: 3 Issue: 124",
            {"publication": "Eurasia Daily Monitor", "volume": "3", "issue": "124"},
        ),
        ("Publication: Monitor Volume: 3 Issue: 124", {"publication": "Monitor", "volume": "3", "issue": "124"}),
    ],
)
def test_seed_style_header_is_parsed(line: str, expected: dict[str, str]) -> None:
    assert parse_header(line + "\n\nOn May 18 a drill ended off Constanta.\n") == expected


@pytest.mark.parametrize(
    "first_line",
    [
        "On May 18 a two-day drill ended off Constanta.",
        "Warning: the drill was cancelled. Officials said: nothing more.",
        "",
    ],
)
def test_ordinary_first_lines_are_not_headers(first_line: str) -> None:
    assert parse_header(first_line + "\nMore text.\n") == {}


def test_header_metadata_reaches_the_document(tmp_path: Path) -> None:
    path = tmp_path / "drill.txt"
    path.write_text("Publication: Pontic Security Review Volume: 3 Issue: 124\n\n" + GOOD)
    document = load_document(path)
    assert isinstance(document, Document)
    assert document.metadata.get("publication") == "Pontic Security Review"
    assert document.metadata.get("issue") == "124"


# --- The document's own date, from its text -----------------------------------------------------


@pytest.mark.parametrize(
    ("opening", "date", "source"),
    [
        ("date 2021-03-04\nALMATY - The coast guard received two cutters.", "2021-03-04", "text: date line"),
        ("Date: 3 June 2019\n\nThe coast guard received two cutters.", "2019-06-03", "text: date line"),
        ("---\ntitle: Cutters\ndate: 2020-11-19\n---\nThe coast guard received two cutters.", "2020-11-19",
         "text: date line"),
        ("ULAANBAATAR, 14 September 2022 — The coast guard received two cutters.", "2022-09-14", "text: dateline"),
    ],
)
def test_document_date_found_in_the_text(tmp_path: Path, opening: str, date: str, source: str) -> None:
    path = tmp_path / "a.txt"
    path.write_text(opening + "\n", encoding="utf-8")
    document = load_document(path)
    assert isinstance(document, Document)
    assert (document.doc_date, document.doc_date_source) == (date, source)


def test_a_dateline_without_a_year_does_not_date_the_document(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("ALMATY, March 3 (Agency) - The coast guard received two cutters.\n", encoding="utf-8")
    document = load_document(path)
    assert isinstance(document, Document) and document.doc_date is None


def test_a_sidecar_date_wins_over_the_text(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("date 2021-03-04\nThe coast guard received two cutters.\n", encoding="utf-8")
    (tmp_path / "a.meta.json").write_text('{"date": "2006"}', encoding="utf-8")
    document = load_document(path)
    assert isinstance(document, Document)
    assert (document.doc_date, document.doc_date_source) == ("2006", "sidecar")


def test_a_date_line_on_the_storys_first_line_dates_the_page_and_is_no_events_date(tmp_path: Path) -> None:
    from pipeline.strategies.slots import _masked
    from pipeline.text import Span

    path = tmp_path / "a.txt"
    text = " date 2021-03-04 The coast guard received two cutters in 2019.\n"
    path.write_text(text, encoding="utf-8")
    document = load_document(path)
    assert isinstance(document, Document) and document.doc_date == "2021-03-04"
    unit = Span(0, len(text.rstrip()), text.rstrip())
    masked = _masked(document, unit).text
    assert "2021-03-04" not in masked and "in 2019." in masked and len(masked) == len(unit.text)
