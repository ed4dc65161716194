"""Checks of option values made before any work, so a bad value is a usage error and not a
traceback after minutes of extraction. Each returns a one-line problem, or None when the value is good."""

from __future__ import annotations

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
