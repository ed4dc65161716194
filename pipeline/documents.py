"""Stage 1, load: the inputs a user names become Documents, and every unusable input a LoadError.

Inputs are folders, files, globs (expanded here, so quoting works the same on every shell) and
`-` for one document on standard input. Every entry found is either loaded, rejected with a
reason (a LoadError: it looked like an article but cannot be used) or listed as skipped with a
reason (not an article: another file type, a hidden file, a FIFO, a subfolder without -r);
nothing is dropped silently.

The document text is what every offset refers to, and the run folder keeps a copy of it
(`texts/<doc_id>.txt`): for `.txt`/`.md` the file decoded (UTF-8, or UTF-16/32 with a
byte-order mark) with any BOM removed and newlines made `\\n`; for HTML the article's main
text (trafilatura); for PDF the text of its pages (pypdf).
"""

from __future__ import annotations

import calendar
import codecs
import glob
import hashlib
import io
import json
import logging
import os
import re
import stat
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.normalize import full_date
from pipeline.text import DATE_LINE_KEY, date_line_opening
from schemas.common import PARTIAL_ISO_DATE

TEXT_SUFFIXES = (".txt", ".md")
HTML_SUFFIXES = (".html", ".htm")
PDF_SUFFIXES = (".pdf",)
ARTICLE_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + PDF_SUFFIXES
SIDECAR_SUFFIX = ".meta.json"
STDIN = "-"
STDIN_DOC_ID = "stdin"
TEXTS_FOLDER = "texts"  # in the run folder: the text every offset of a document refers to

# A bound on what one document may cost: characters of its text (about 60 pages of prose).
DEFAULT_MAX_CHARACTERS = 200_000
# Bytes read before the text is known: UTF-8 takes at most 4 bytes a character (plus a BOM);
# HTML and PDF carry markup, fonts and images, so they may be far larger than their text.
TEXT_BYTES_PER_CHARACTER = 4
MARKUP_BYTES_PER_CHARACTER = 100

# "Publication: Eurasia Daily Monitor Volume: 3 Issue: 124": known keys, each before a colon.
_HEADER_KEYS = {"publication", "volume", "issue", "date", "title", "author", "source"}
_HEADER_KEY = re.compile(r"(?:^|\s)(" + "|".join(k.capitalize() for k in sorted(_HEADER_KEYS)) + r"):\s")
HEADER_RULE = (
    "a header: the first paragraph is one line of Key: value pairs with known keys "
    "(" + ", ".join(k.capitalize() for k in sorted(_HEADER_KEYS)) + ")"
)
_GLOB_MAGIC = re.compile(r"[*?[]")


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of the document text, by its offsets, that is not read for records, and why."""

    start: int
    end: int
    text: str
    reason: str

    def row(self) -> dict[str, object]:
        return {"start": self.start, "end": self.end, "text": self.text, "reason": self.reason}


@dataclass(frozen=True)
class Document:
    doc_id: str
    path: Path
    text: str
    sha256: str
    metadata: dict[str, str] = field(default_factory=dict)
    doc_date: str | None = None  # partial ISO 8601; resolves dates the text gives without a year
    doc_date_source: str | None = None  # "sidecar", "--doc-date", "text: date line", "text: dateline"
    source: str = "text"  # how the text was read: "text", "html", "pdf" or "stdin"
    encoding: str = "utf-8"  # of the file ("utf-8 with BOM", "utf-16"...); "" for HTML and PDF
    header: tuple[Paragraph, ...] = ()  # paragraphs dropped as a header (HEADER_RULE)
    # A date line's words before the story on the same line ("date 2018-10-18 Russia supplied ..."):
    # the page's date, never an event's; blanked in what is read and asked.
    date_line: tuple[int, int] | None = None

    def in_header(self, offset: int) -> bool:
        return any(p.start <= offset < p.end for p in self.header)


@dataclass(frozen=True)
class LoadError:
    path: Path
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True)
class Skipped:
    """An input entry that is not an article (another file type, a FIFO, a hidden file...)."""

    path: Path
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"

    def row(self) -> dict[str, str]:
        return {"path": str(self.path), "reason": self.reason}


@dataclass
class InputListing:
    """What the named inputs hold: articles to load (or already rejected), and what was skipped."""

    entries: list[Path | LoadError] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    stdin: bool = False

    @property
    def documents(self) -> int:
        """How many documents a run will go through (loaded or rejected)."""
        return len(self.entries) + (1 if self.stdin else 0)


class InputError(ValueError):
    """An input the user named that does not exist or matches nothing (a usage error)."""


class DocumentDateError(ValueError):
    """A document date that is not a (partial) ISO 8601 date."""


def check_doc_date(value: str | None, where: str) -> str | None:
    """YYYY, YYYY-MM or YYYY-MM-DD naming a day that exists (no year 0000, no February 30)."""
    if value is None:
        return None
    problem = doc_date_problem(value)
    if problem:
        raise DocumentDateError(f"{where}: document date {value!r} {problem}")
    return value


def doc_date_problem(value: str) -> str | None:
    # fullmatch: `$` in the schema's pattern would let a trailing newline through
    if not re.fullmatch(PARTIAL_ISO_DATE.removeprefix("^").removesuffix("$"), value):
        return "is not YYYY, YYYY-MM or YYYY-MM-DD"
    parts = [int(p) for p in value.split("-")]
    if parts[0] == 0:
        return "has year 0000, which the calendar does not have"
    if len(parts) == 3 and parts[2] > calendar.monthrange(parts[0], parts[1])[1]:
        return "is not a day of the calendar"
    return None


# --- Listing the inputs --------------------------------------------------------------------------


def list_inputs(
    sources: Sequence[str | Path], *, recursive: bool = False, follow_symlinks: bool = False
) -> InputListing:
    """The articles, rejects and skipped entries of folders, files and globs, in the order given
    (a folder's entries sorted by name). Raises InputError for an input that names nothing."""
    listing = InputListing()
    names = [str(s) for s in sources]
    if not names:
        raise InputError("no input given: name a folder, files, a quoted glob, or - for standard input")
    if STDIN in names:
        if len(names) > 1:
            raise InputError("- (standard input) is one document: it cannot be combined with other inputs")
        listing.stdin = True
        return listing
    for name in names:
        if _GLOB_MAGIC.search(name) and not os.path.lexists(name):
            matches = sorted(glob.glob(name, recursive=True))
            if not matches:
                raise InputError(f"{name}: no file matches this pattern")
            root = _glob_root(name)
            for match in matches:
                run_folder = _run_folder_above(Path(match), root)
                if run_folder is not None:
                    listing.skipped.append(Skipped(Path(match), f"inside {run_folder}, {RUN_FOLDER_REASON}"))
                    continue
                _consider(Path(match), root, recursive, follow_symlinks, set(), listing, in_folder=True)
        elif not os.path.lexists(name):
            raise InputError(f"{name}: no such file or folder")
        else:
            path = Path(name)
            if path.is_dir():
                if not _skip_run_folder(path, listing):
                    _walk(path, os.path.realpath(path), recursive, follow_symlinks, set(), listing)
            else:
                # A file named on the command line is read as named: the user chose it.
                _consider(path, os.path.realpath(path.parent), recursive, True, set(), listing)
    _read_each_file_once(listing)
    return listing


def _read_each_file_once(listing: InputListing) -> None:
    """One entry per file: a file named twice, reached by two globs, or linked to from inside its
    own folder is read once, and every other way it was reached is listed as skipped. The file
    itself (not a link to it) is the one read when both are in the listing, so its doc id is its own."""
    by_file: dict[str, list[int]] = {}
    for index, entry in enumerate(listing.entries):
        if isinstance(entry, Path):
            by_file.setdefault(os.path.realpath(entry), []).append(index)
    dropped: set[int] = set()
    for indexes in by_file.values():
        if len(indexes) < 2:
            continue
        kept = next((i for i in indexes if not _entry_path(listing.entries[i]).is_symlink()), indexes[0])
        for index in indexes:
            if index != kept:
                dropped.add(index)
                same = _entry_path(listing.entries[kept])
                listing.skipped.append(Skipped(_entry_path(listing.entries[index]), f"the same file as {same}"))
    listing.entries = [entry for index, entry in enumerate(listing.entries) if index not in dropped]


def _entry_path(entry: Path | LoadError) -> Path:
    return entry.path if isinstance(entry, LoadError) else entry


# A folder that `extract run` wrote: its saved texts and review page are not articles.
RUN_FOLDER_MARKERS = ("manifest.json", "records")
RUN_FOLDER_REASON = "a run folder of extract (its texts/ and review.html are outputs, not articles)"


def is_run_folder(folder: Path) -> bool:
    return (folder / RUN_FOLDER_MARKERS[0]).is_file() and (folder / RUN_FOLDER_MARKERS[1]).is_dir()


def _run_folder_above(path: Path, root: str) -> Path | None:
    """The run folder a glob match lies in, between the glob's folder and the match."""
    for folder in path.parents:
        if not _inside(os.path.realpath(folder), root) or os.path.realpath(folder) == root:
            return None
        if is_run_folder(folder):
            return folder
    return None


def find_articles(folder: Path, recursive: bool = False) -> list[Path]:
    """Article files in the folder, in a stable order (rejected and skipped entries left out)."""
    return [e for e in list_inputs([folder], recursive=recursive).entries if isinstance(e, Path)]


def _glob_root(pattern: str) -> str:
    """The folder a glob reads from (its parts before the first wildcard): links may not leave it."""
    parts: list[str] = []
    for part in Path(pattern).parts:
        if _GLOB_MAGIC.search(part):
            break
        parts.append(part)
    return os.path.realpath(Path(*parts) if parts else Path("."))


def _inside(real: str, root: str) -> bool:
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def _walk(folder: Path, root: str, recursive: bool, follow: bool, visited: set[str], listing: InputListing) -> None:
    real = os.path.realpath(folder)
    if real in visited:
        listing.skipped.append(Skipped(folder, "folder already read (a symbolic link loop)"))
        return
    visited.add(real)
    try:
        names = sorted(os.listdir(folder))
    except OSError as exc:
        listing.skipped.append(Skipped(folder, f"folder cannot be read: {exc.strerror or exc}"))
        return
    for name in names:
        _consider(folder / name, root, recursive, follow, visited, listing, in_folder=True)


def _skip_run_folder(folder: Path, listing: InputListing) -> bool:
    if is_run_folder(folder):
        listing.skipped.append(Skipped(folder, RUN_FOLDER_REASON))
        return True
    return False


def _consider(
    path: Path,
    root: str,
    recursive: bool,
    follow: bool,
    visited: set[str],
    listing: InputListing,
    *,
    in_folder: bool = False,
) -> None:
    """Sort one entry into articles, rejects and skipped."""
    name = path.name
    is_article_name = path.suffix.lower() in ARTICLE_SUFFIXES
    if name.startswith(".") and in_folder:  # named on the command line: read as named
        listing.skipped.append(Skipped(path, "hidden (its name starts with a dot)"))
        return
    if path.is_symlink():
        problem = _link_problem(path, root, follow)
        if problem:
            if is_article_name:
                listing.entries.append(LoadError(path, problem))
            else:
                listing.skipped.append(Skipped(path, problem))
            return
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        listing.entries.append(LoadError(path, f"cannot be read: {exc.strerror or exc}"))
        return
    if stat.S_ISDIR(mode):
        if recursive or not in_folder:
            if not _skip_run_folder(path, listing):
                _walk(path, root, recursive, follow, visited, listing)
        else:
            listing.skipped.append(Skipped(path, "a folder (subfolders are read with --recursive)"))
        return
    if not stat.S_ISREG(mode):
        listing.skipped.append(Skipped(path, f"not a regular file ({_kind_of(mode)})"))
        return
    if is_article_name:
        listing.entries.append(path)
    elif name.endswith(SIDECAR_SUFFIX):
        stem = name[: -len(SIDECAR_SUFFIX)]
        if not any(path.with_name(stem + suffix).exists() for suffix in ARTICLE_SUFFIXES):
            listing.skipped.append(Skipped(path, "a sidecar without its article"))
    else:
        kind = f"a {path.suffix} file" if path.suffix else "a file without a suffix"
        listing.skipped.append(Skipped(path, f"not an article: {kind} ({', '.join(ARTICLE_SUFFIXES)} are read)"))


def _link_problem(path: Path, root: str, follow: bool) -> str | None:
    """Why a symbolic link is not read, or None when it is."""
    try:
        os.stat(path)
    except FileNotFoundError:
        return f"dangling symbolic link (to {os.readlink(path)}, which does not exist)"
    except OSError as exc:  # ELOOP: the link points back at itself through others
        return f"symbolic link loop ({exc.strerror or exc})"
    target = os.path.realpath(path)
    if not follow and not _inside(target, root):
        return f"symbolic link to {target}, outside the input folder (not followed; --follow-symlinks reads it)"
    return None


def _kind_of(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a file"


# --- Loading -------------------------------------------------------------------------------------


def load_documents(
    inputs: InputListing | Path | str | Sequence[str | Path],
    *,
    recursive: bool = False,
    doc_date: str | None = None,
    follow_symlinks: bool = False,
    max_characters: int = DEFAULT_MAX_CHARACTERS,
) -> Iterator[Document | LoadError]:
    """Every article of the inputs, each as a Document or, if it cannot be used, a LoadError.

    One bad file never stops the others: the caller gets its LoadError in sequence and goes on.
    """
    check_doc_date(doc_date, "--doc-date")
    if isinstance(inputs, InputListing):
        listing = inputs
    else:
        sources = [inputs] if isinstance(inputs, str | Path) else list(inputs)
        listing = list_inputs(sources, recursive=recursive, follow_symlinks=follow_symlinks)
    if listing.stdin:
        raw = sys.stdin.buffer.read()
        kind = "html" if _looks_like_html(raw) else "stdin"
        yield document_from_bytes(
            raw, Path(STDIN), STDIN_DOC_ID, kind, doc_date=doc_date, max_characters=max_characters
        )
    ids = document_ids([entry for entry in listing.entries if isinstance(entry, Path)])
    for entry in listing.entries:
        if isinstance(entry, LoadError):
            yield entry
            continue
        yield load_document(entry, doc_date=doc_date, max_characters=max_characters, doc_id=ids[entry])


DOC_ID_SEPARATOR = "__"  # joins the folder names of a derived doc id: a/x.txt -> a__x


def document_ids(paths: Sequence[Path]) -> dict[Path, str]:
    """Each article's doc id: its file name without the suffix (`x` for `a/x.txt`) when no other
    article of the run has that stem. Articles that share a stem get ids from their paths, as few
    trailing folder names as tell them apart (`a/x.txt`, `b/x.txt` -> `a__x`, `b__x`), with the
    suffix kept when only the suffix differs (`page.html`, `page.pdf` -> `page.html`, `page.pdf`).
    An id depends only on the run's articles, never on the order they are named in."""
    by_stem: dict[str, list[Path]] = {}
    for path in paths:
        by_stem.setdefault(path.stem, []).append(path)
    ids = {path: stem for stem, group in by_stem.items() if len(group) == 1 for path in group}
    stems = set(ids.values())
    for group in (group for group in by_stem.values() if len(group) > 1):
        for path, derived in _path_ids(group).items():
            # A derived id that is another article's stem ("a__x.txt" beside a/x.txt): its path's hash added.
            clash = derived in stems or derived in by_stem
            digest = hashlib.sha256(os.path.abspath(path).encode()).hexdigest()[:8]
            ids[path] = f"{derived}-{digest}" if clash else derived
    return ids


def _path_ids(group: list[Path]) -> dict[Path, str]:
    parts = {path: Path(os.path.abspath(path)).parts for path in group}
    deepest = max(len(p) for p in parts.values())
    for with_suffix, shortest in ((False, 2), (True, 1)):
        for count in range(shortest, deepest + 1):
            ids = {
                path: DOC_ID_SEPARATOR.join(
                    [*p[max(0, len(p) - count) : -1], path.name if with_suffix else path.stem]
                ).lstrip(os.sep)
                for path, p in parts.items()
            }
            if len(set(ids.values())) == len(group):
                return ids
    raise AssertionError(f"two articles with one absolute path: {group}")  # read once by _read_each_file_once


def _looks_like_html(raw: bytes) -> bool:
    """A page piped to stdin (`curl ... | extract run -`) has no suffix to tell: its first tag does."""
    opening = raw[:512].removeprefix(codecs.BOM_UTF8).lstrip().lower()
    return opening.startswith((b"<!doctype html", b"<html"))


def load_document(
    path: Path,
    *,
    doc_date: str | None = None,
    max_characters: int = DEFAULT_MAX_CHARACTERS,
    doc_id: str | None = None,
) -> Document | LoadError:
    """One article (`doc_id` defaults to the file's stem; `load_documents` gives ids that tell
    articles with one stem apart)."""
    suffix = path.suffix.lower()
    kind = "html" if suffix in HTML_SUFFIXES else "pdf" if suffix in PDF_SUFFIXES else "text"
    per_character = TEXT_BYTES_PER_CHARACTER if kind == "text" else MARKUP_BYTES_PER_CHARACTER
    max_bytes = max_characters * per_character + 4
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return LoadError(
                path, f"too large: {size:,} bytes, more than --max-characters {max_characters:,} allows "
                f"for a {kind} file ({max_bytes:,} bytes)"
            )
        raw = path.read_bytes()
    except OSError as exc:
        return LoadError(path, f"cannot be read: {exc.strerror or exc}")
    return document_from_bytes(
        raw, path, doc_id or path.stem, kind, doc_date=doc_date, max_characters=max_characters
    )


class _Unusable(Exception):
    """Why a file's bytes give no article text (becomes the LoadError's reason)."""


def document_from_bytes(
    raw: bytes,
    path: Path,
    doc_id: str,
    kind: str,
    *,
    doc_date: str | None = None,
    max_characters: int = DEFAULT_MAX_CHARACTERS,
) -> Document | LoadError:
    """A Document from a file's bytes; `kind` is "text", "stdin", "html" or "pdf"."""
    try:
        if kind == "html":
            text, encoding = html_text(raw), ""
        elif kind == "pdf":
            text, encoding = pdf_text(raw), ""
        else:
            text, encoding = decode_text(raw)
    except _Unusable as exc:
        return LoadError(path, str(exc))
    if "\x00" in text:
        return LoadError(path, f"contains a NUL character at character {text.index(chr(0))} (binary data?)")
    if len(text) > max_characters:
        return LoadError(path, f"too long: {len(text):,} characters, more than --max-characters {max_characters:,}")
    metadata: dict[str, str] = {}
    date: str | None = None
    try:
        sidecar = read_sidecar(path) if path != Path(STDIN) else {}  # stdin has no file beside it
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
        doc_id=doc_id,
        path=path,
        text=text,
        sha256=hashlib.sha256(raw).hexdigest(),
        metadata=metadata,
        doc_date=date,
        doc_date_source=source,
        source=kind,
        encoding=encoding,
        header=header_paragraphs(text),
        date_line=date_line_opening(text),
    )


_BOMS = (  # longest first: the UTF-32 LE mark begins with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8 with BOM"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16"),
)


def decode_text(raw: bytes) -> tuple[str, str]:
    """The text of a text file and the name of its encoding: UTF-8, or UTF-8/16/32 with a byte-order
    mark. The BOM is removed and newlines become "\\n" (what Python's open() gives), so offsets
    count code points of that text."""
    codec, name = "utf-8", "utf-8"
    for bom, bom_codec, bom_name in _BOMS:
        if raw.startswith(bom):
            codec, name = bom_codec, bom_name
            break
    if codec == "utf-8" and b"\x00" in raw:
        raise _Unusable(_nul_reason(raw))
    try:
        decoded = raw.decode(codec)
    except UnicodeDecodeError as exc:
        if codec == "utf-8":
            raise _Unusable(
                f"is not UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start} cannot be decoded"
            ) from exc
        raise _Unusable(f"is not valid {name.upper()} (it starts with that byte-order mark): {exc.reason}") from exc
    # The codec took off one byte-order mark; a second one is text (what utf-8-sig gives).
    if not decoded.strip():
        raise _Unusable("is empty")
    return decoded.replace("\r\n", "\n").replace("\r", "\n"), name


def _nul_reason(raw: bytes) -> str:
    if not raw.strip():
        return "is empty"
    odd = raw[1::2]
    even = raw[0::2]
    # ASCII text in UTF-16 without a BOM: every other byte is NUL.
    if len(raw) >= 4 and (odd.count(0) > 0.9 * len(odd) or even.count(0) > 0.9 * len(even)):
        return "looks like UTF-16 without a byte-order mark: save it as UTF-8, or as UTF-16 with a BOM"
    return f"looks binary (a NUL byte at offset {raw.index(0)}), not a text article"


def html_text(raw: bytes) -> str:
    """The article's main text of an HTML page (trafilatura: boilerplate, menus and scripts
    left out; nothing is fetched), one paragraph per block, paragraphs separated by a blank line."""
    import trafilatura

    logger = logging.getLogger("trafilatura")
    if not logger.handlers:  # its warnings about odd pages go to the reject reason, not stderr
        logger.addHandler(logging.NullHandler())
    if not raw.strip():
        raise _Unusable("is empty")
    try:
        extracted = trafilatura.extract(
            raw, output_format="txt", include_comments=False, include_tables=True, include_images=False,
            with_metadata=False, deduplicate=False,
        )
    except Exception as exc:  # lxml and trafilatura raise many kinds on broken markup
        raise _Unusable(f"is not a readable HTML page ({type(exc).__name__}: {exc})") from exc
    paragraphs = [line.strip() for line in (extracted or "").splitlines() if line.strip()]
    if not paragraphs:
        raise _Unusable("has no article text that trafilatura can find (an empty page, or only navigation)")
    return "\n\n".join(paragraphs) + "\n"


def pdf_text(raw: bytes) -> str:
    """The text of a PDF's pages (pypdf), pages separated by a blank line. Scanned pages have no
    text layer and are not read (no OCR)."""
    from pypdf import PdfReader

    logger = logging.getLogger("pypdf")
    if not logger.handlers:  # its warnings about odd files would print on stderr mid-run
        logger.addHandler(logging.NullHandler())
    if not raw.strip():
        raise _Unusable("is empty")
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            raise _Unusable("is an encrypted PDF (a password is needed to read it)")
        pages = [(page.extract_text() or "") for page in reader.pages]
    except _Unusable:
        raise
    except Exception as exc:  # pypdf raises many kinds on a damaged file
        raise _Unusable(f"is not a readable PDF ({type(exc).__name__}: {exc})") from exc
    texts = [p.replace("\r\n", "\n").replace("\r", "\n").strip() for p in pages]
    texts = [t for t in texts if t]
    if not texts:
        raise _Unusable("has no text layer (a scanned PDF?): no text to read, and OCR is not done")
    return "\n\n".join(texts) + "\n"


def text_file_name(doc_id: str) -> str:
    """Where the run folder keeps the text a document's offsets refer to (relative to the folder)."""
    return f"{TEXTS_FOLDER}/{doc_id}.txt"


def saved_text_problem(run_dir: Path, name: str) -> str | None:
    """A saved text is a file of the run folder: a manifest that names one elsewhere
    (`../../etc/passwd`, an absolute path, a link out of the folder) was not written by a run, and
    the file is not read."""
    folder = run_dir.resolve()
    if not (run_dir / name).resolve().is_relative_to(folder):
        return f"the manifest names the saved text {name!r}, which is outside the run folder {run_dir}: not read"
    return None


def header_paragraphs(text: str) -> tuple[Paragraph, ...]:
    """The paragraphs not read for records, by one stated rule (HEADER_RULE): the first paragraph
    when it is a single metadata line. Anything else, a one-sentence lead included, is read."""
    first_line = text.split("\n", 1)[0]
    if not first_line.strip() or not parse_header(text):
        return ()
    rest = text[len(first_line) :]
    if rest and not rest.startswith("\n\n") and rest.strip():
        return ()  # the line continues into a paragraph: not a header on its own
    return (Paragraph(0, len(first_line), first_line, HEADER_RULE),)


# "date 2019-10-29", "Date: 3 June 2019", "published: 2021-03-04" on one of the first lines.
_DATE_LINE = re.compile(rf"^\s*{DATE_LINE_KEY}(?P<value>.{{6,40}})", re.IGNORECASE)
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
