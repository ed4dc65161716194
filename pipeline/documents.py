"""Stage 1, load: a folder of articles becomes Documents, and every unreadable file a LoadError.

Document text is the file decoded as UTF-8 with universal newlines (what Python's `open()`
gives by default), so evidence offsets slice the text a user gets by reading the file in Python.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.normalize import full_date
from schemas.common import PARTIAL_ISO_DATE

ARTICLE_SUFFIXES = (".txt", ".md")
SIDECAR_SUFFIX = ".meta.json"

# "Publication: Eurasia Daily Monitor Volume: 3 Issue: 124": known keys, each before a colon.
_HEADER_KEYS = {"publication", "volume", "issue", "date", "title", "author", "source"}
_HEADER_KEY = re.compile(r"(?:^|\s)(" + "|".join(k.capitalize() for k in sorted(_HEADER_KEYS)) + r"):\s")


@dataclass(frozen=True)
class Document:
    doc_id: str
    path: Path
    text: str
    sha256: str
    metadata: dict[str, str] = field(default_factory=dict)
    doc_date: str | None = None  # partial ISO 8601; resolves dates the text gives without a year
    doc_date_source: str | None = None  # "sidecar", "--doc-date", "text: date line", "text: dateline"


@dataclass(frozen=True)
class LoadError:
    path: Path
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class DocumentDateError(ValueError):
    """A document date that is not a (partial) ISO 8601 date."""


def check_doc_date(value: str | None, where: str) -> str | None:
    if value is None:
        return None
    if not re.match(PARTIAL_ISO_DATE, value):
        raise DocumentDateError(f"{where}: document date {value!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    return value


def find_articles(folder: Path, recursive: bool = False) -> list[Path]:
    """Article files in the folder, in a stable order."""
    pattern = "**/*" if recursive else "*"
    return sorted(
        p
        for p in folder.glob(pattern)
        if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES and not p.name.startswith(".")
    )


def load_documents(
    folder: Path, *, recursive: bool = False, doc_date: str | None = None
) -> Iterator[Document | LoadError]:
    """Every article in `folder`, each as a Document or, if it cannot be used, a LoadError.

    One bad file never stops the others: the caller gets its LoadError in sequence and goes on.
    """
    check_doc_date(doc_date, "--doc-date")
    seen: dict[str, Path] = {}
    for path in find_articles(folder, recursive):
        doc_id = path.stem
        if doc_id in seen:
            yield LoadError(path, f"document id {doc_id!r} is already used by {seen[doc_id]}")
            continue
        loaded = load_document(path, doc_date=doc_date)
        if isinstance(loaded, Document):
            seen[doc_id] = path
        yield loaded


def load_document(path: Path, *, doc_date: str | None = None) -> Document | LoadError:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return LoadError(path, f"cannot be read: {exc.strerror or exc}")
    if not raw.strip():
        return LoadError(path, "is empty")
    if b"\x00" in raw[:8192]:
        return LoadError(path, "looks binary (contains NUL bytes), not a text article")
    try:
        decoded = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return LoadError(path, f"is not UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start} cannot be decoded")
    if not decoded.strip():
        return LoadError(path, "is empty")
    text = decoded.replace("\r\n", "\n").replace("\r", "\n")
    try:
        sidecar = read_sidecar(path)
        date = check_doc_date(sidecar.get("date") or doc_date, str(path.with_name(path.stem + SIDECAR_SUFFIX)))
    except (ValueError, OSError) as exc:
        return LoadError(path, str(exc))
    source = "sidecar" if sidecar.get("date") else ("--doc-date" if date else None)
    metadata = {**parse_header(text), **{k: str(v) for k, v in sidecar.items()}}
    if date is None:
        found = date_in_text(text)
        if found:
            date, source = found
    return Document(
        doc_id=path.stem,
        path=path,
        text=text,
        sha256=hashlib.sha256(raw).hexdigest(),
        metadata=metadata,
        doc_date=date,
        doc_date_source=source,
    )


# "date 2019-10-29", "Date: 3 June 2019", "published: 2021-03-04" on one of the first lines.
_DATE_LINE = re.compile(r"^\s*(?:date|published|posted|updated)\b\s*[:=]?\s*(?P<value>.{6,40})", re.IGNORECASE)
# A dateline opens a paragraph with a place in capitals: "ALMATY, 3 March 2021 (Agency) -".
_DATELINE = re.compile(r"^\s*[A-Z][A-Z .'’-]{2,40}[,.]\s+")
DATE_LINES_READ = 4  # lines at the top that may be a date line or front matter
DATELINE_PARAGRAPHS = 3  # paragraphs at the top that may open with a dateline


def date_in_text(text: str) -> tuple[str, str] | None:
    """The document's own date as its text gives it, and where: a date line at the top (front
    matter, "Date: 3 June 2019", a line that is only a date) or a dateline that names the year.
    A dateline without a year ("ALMATY, March 3 -") does not date the document."""
    lines = [line for line in text.split("\n")[: DATE_LINES_READ * 2] if line.strip() and line.strip() != "---"]
    for line in lines[:DATE_LINES_READ]:
        match = _DATE_LINE.match(line)
        value = match.group("value") if match else (line if len(line.strip()) <= 32 else "")
        found = full_date(value)
        if found:
            return found, "text: date line"
    for paragraph in text.split("\n\n")[:DATELINE_PARAGRAPHS]:
        opening = _DATELINE.match(paragraph.strip("\n"))
        if opening:
            found = full_date(paragraph.strip("\n")[: opening.end() + 40])
            if found:
                return found, "text: dateline"
    return None


def read_sidecar(path: Path) -> dict[str, str]:
    """Optional `<stem>.meta.json` beside an article: {"date": "2006-06-26", ...}."""
    sidecar = path.with_name(path.stem + SIDECAR_SUFFIX)
    if not sidecar.exists():
        return {}
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{sidecar}: not valid JSON ({exc.msg} at line {exc.lineno})") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{sidecar}: must hold a JSON object")
    return {str(k): str(v) for k, v in data.items() if v is not None}


def parse_header(text: str) -> dict[str, str]:
    """Key: value pairs on the article's first line, when it is a metadata header."""
    first_line = text.split("\n", 1)[0]
    matches = list(_HEADER_KEY.finditer(first_line))
    if not matches or matches[0].start() != 0:
        return {}
    header: dict[str, str] = {}
    for match, following in zip(matches, [*matches[1:], None], strict=True):
        key = match.group(1).strip().lower()
        if key not in _HEADER_KEYS:
            return {}
        end = following.start() if following else len(first_line)
        header[key] = first_line[match.end() : end].strip()
    return header
