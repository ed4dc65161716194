"""The embedded model's thread count: --threads, or the cores other running tasks leave free."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.backends import local
from pipeline.backends.base import BackendError
from pipeline.backends.local import LocalBackend, default_threads


@pytest.mark.parametrize(("others", "threads"), [(0, 4), (1, 3), (3, 1), (9, 1)])
def test_default_threads_leave_the_cores_other_running_tasks_use(
    monkeypatch: pytest.MonkeyPatch, others: int, threads: int
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _: {0, 1, 2, 3})
    monkeypatch.setattr(local, "_other_running_tasks", lambda: others)
    # The one-minute average still counts a run that has just ended: it is not what decides.
    monkeypatch.setattr(os, "getloadavg", lambda: (3.0, 3.0, 3.0))
    assert default_threads() == threads


@pytest.mark.parametrize(("load", "threads"), [(0.0, 4), (0.4, 4), (1.0, 3), (2.6, 1), (9.0, 1)])
def test_without_proc_the_load_average_decides(monkeypatch: pytest.MonkeyPatch, load: float, threads: int) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _: {0, 1, 2, 3})
    monkeypatch.setattr(local, "_other_running_tasks", lambda: None)
    monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))
    assert default_threads() == threads


def test_the_reading_process_itself_is_not_counted(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    readings = iter(["0.50 0.40 0.30 1/90 123\n", "0.50 0.40 0.30 3/90 123\n", "0.50 0.40 0.30 1/90 123\n"])
    monkeypatch.setattr(local.Path, "read_text", lambda _self: next(readings))
    assert local._other_running_tasks(samples=3, pause=0) == 0  # the median of 0, 2, 0


def test_threads_option_is_used_and_checked(tmp_path: Path) -> None:
    weights = tmp_path / "model.gguf"
    weights.write_bytes(b"GGUF not a real model")
    assert LocalBackend(str(weights), threads=3).threads == 3
    with pytest.raises(BackendError, match="at least 1"):
        LocalBackend(str(weights), threads=0)
