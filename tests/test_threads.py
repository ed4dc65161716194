"""The embedded model's thread count: --threads, or the cores the load average leaves free."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.backends.base import BackendError
from pipeline.backends.local import LocalBackend, default_threads


@pytest.mark.parametrize(("load", "threads"), [(0.0, 4), (0.4, 4), (1.0, 3), (2.6, 1), (9.0, 1)])
def test_default_threads_leave_the_busy_cores(monkeypatch: pytest.MonkeyPatch, load: float, threads: int) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _: {0, 1, 2, 3})
    monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))
    assert default_threads() == threads


def test_threads_option_is_used_and_checked(tmp_path: Path) -> None:
    weights = tmp_path / "model.gguf"
    weights.write_bytes(b"GGUF not a real model")
    assert LocalBackend(str(weights), threads=3).threads == 3
    with pytest.raises(BackendError, match="at least 1"):
        LocalBackend(str(weights), threads=0)
