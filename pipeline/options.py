"""Checks of option values made before any work, so a bad value is a usage error and not a
traceback after minutes of extraction. Each returns a one-line problem, or None when the value is good."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from pipeline.documents import doc_date_problem

URL_SCHEMES = ("http", "https")


def doc_date_option_problem(value: str) -> str | None:
    problem = doc_date_problem(value)
    return f"--doc-date {value!r} {problem}" if problem else None


def base_url_problem(value: str) -> str | None:
    """An OpenAI-compatible endpoint is an http(s) URL with a host."""
    if value != value.strip() or any(c.isspace() for c in value):
        return f"--base-url {value!r} contains white space; give a URL such as http://localhost:8080/v1"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (raises ValueError on a port that is not a number)
    except ValueError as exc:
        return f"--base-url {value!r} is not a URL ({exc})"
    if parts.scheme not in URL_SCHEMES or not parts.hostname:
        return f"--base-url {value!r} is not an http:// or https:// URL with a host, such as http://localhost:8080/v1"
    return None


def output_folder_problem(value: str | Path, option: str = "--out") -> str | None:
    """Why `value` cannot become (or be written as) an output folder: it is empty, is a file, lies
    under a file, or its nearest existing folder cannot be written. Nothing is created here."""
    if isinstance(value, str) and not value.strip():
        return f"{option} is empty: name a folder"  # Path("") would silently mean the current folder
    path = Path(value)
    existing = path
    while not existing.exists() and not existing.is_symlink():
        if existing.parent == existing:
            break
        existing = existing.parent
    if existing.is_symlink() and not existing.exists():
        return f"{option} {path}: {existing} is a dangling symbolic link"
    if not existing.is_dir():
        if existing == path:
            return f"{option} {path}: is a file, not a folder"
        return f"{option} {path}: {existing} is a file, so no folder can be made under it"
    try:  # create and delete a file: the only check that also sees read-only file systems and ACLs
        with tempfile.TemporaryFile(dir=existing, prefix=".extract-probe-"):
            pass
    except OSError as exc:
        return f"{option} {path}: cannot write in {existing} ({exc.strerror or exc})"
    return None


def output_file_problem(value: str | Path, option: str = "--out") -> str | None:
    """Why `value` cannot be written as an output file: it is empty, is a folder, or no folder for it
    can be made or written. Nothing is created here."""
    if isinstance(value, str) and not value.strip():
        return f"{option} is empty: name a file"
    path = Path(value)
    if path.is_dir():
        return f"{option} {path}: is a folder; name a file"
    folder_problem = output_folder_problem(path.parent, option)
    return folder_problem.replace(f"{option} {path.parent}:", f"{option} {path}:", 1) if folder_problem else None


def run_folder_problem(out: str | Path, inputs: list[str]) -> str | None:
    """Why `out` must not be a run's folder given its inputs: the root folder, or an input folder
    itself (its articles and the run's files would mix). A run folder inside an input folder is
    fine: listing the inputs skips run folders (documents.is_run_folder)."""
    real = Path(os.path.realpath(out))
    if real == Path(real.anchor):
        return f"--out {out}: the root folder; name a folder for the run"
    for name in inputs:
        if not os.path.isdir(name):
            continue
        folder = Path(os.path.realpath(name))
        if real == folder:
            return f"--out {out}: is the input folder {name}; the run's files would mix with the articles"
    return None


GGUF_MAGIC = b"GGUF"


def gguf_model_problem(value: str) -> str | None:
    """The local backend's --model must be a GGUF file (it starts with the bytes GGUF)."""
    path = Path(value).expanduser()
    if not value.strip():
        return "--model is empty: name a GGUF model file"
    try:
        with path.open("rb") as handle:
            magic = handle.read(len(GGUF_MAGIC))
    except IsADirectoryError:
        return f"--model {value}: is a folder, not a GGUF model file"
    except OSError as exc:
        return f"--model {value}: cannot be read ({exc.strerror or exc})"
    if magic != GGUF_MAGIC:
        return f"--model {value}: not a GGUF model file (it does not start with the bytes GGUF)"
    return None


def record_types_problem(value: str, known: list[str]) -> str | None:
    """--types names record types, comma-separated; an empty value names none (not all)."""
    names = [name.strip() for name in value.split(",")]
    if not any(names):
        return f"--types is empty: name record types ({', '.join(known)}) or leave --types out for all"
    unknown = [name for name in names if name and name not in known]
    if unknown:
        return f"--types: unknown record type(s) {', '.join(map(repr, unknown))}; choose from {', '.join(known)}"
    return None
