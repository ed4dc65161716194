"""Checks shared by the CLI tests."""

from __future__ import annotations

from typing import Any


def one_line_usage_error(result: Any, *words: str) -> str:
    """A usage error: exit code 2, no traceback, one line that names each of `words`; the line."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]
