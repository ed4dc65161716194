"""Shared fixtures: a scripted fake backend, small invented articles, and a private response cache.

Every article here is invented for the tests; none copies a seed sentence.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from pipeline.backends.base import Completion, ContinuationScore, Scores, StructuredAnswer, Usage


class FakeBackendExhausted(AssertionError):
    """The fake was asked something it has no answer for (not a BackendError: a run must not swallow it)."""


class FakeBackend:
    """A Backend with canned answers that records every prompt (like simonw/llm's MockModel).

    A completion is answered from, in this order:
    1. `answers`: {substring of the asked text: "Key: value..."}. It applies when the substring is in
       the text after the prompt's last "Text:" and the answer's first key is the key the prompt ends
       with ("Exercise:", "Assistance:", "Agreement:", "Speaker:"), so an exercise answer is never
       served to an aid prompt. The fake returns what follows that key, as a model would.
    2. `completions`: a queue, served in order.
    3. `default`, if set.
    Otherwise it raises FakeBackendExhausted. Fill answers come from the `fills` queue only; an
    exception in that queue is raised in place of an answer (a request that failed).
    `raise_on` {substring: exception} makes a completion fail the way a real backend can (BackendError).

    Scoring (the capability is on when `token_logprobs` or `scores` is given; `supports_scoring`
    can be set): a score request is answered from `scores`, a queue of answers served in order
    (each a list with one list of token log-probabilities per continuation; an exception is raised
    instead), else from `token_logprobs` {continuation: its token log-probabilities}, else it
    raises FakeBackendExhausted. `score_requests` lists every (prompt, continuations) asked.
    """

    name = "fake"
    model_id = "fake-model"
    preferred_strategy = "slots"

    def __init__(
        self,
        completions: Iterable[str] = (),
        *,
        fills: Iterable[dict[str, Any] | Exception] = (),
        answers: dict[str, str] | None = None,
        default: str | None = None,
        raise_on: dict[str, Exception] | None = None,
        scores: Iterable[Sequence[Sequence[float]] | Exception] = (),
        token_logprobs: dict[str, Sequence[float]] | None = None,
    ) -> None:
        self.scores: deque[Sequence[Sequence[float]] | Exception] = deque(scores)
        self.token_logprobs = dict(token_logprobs) if token_logprobs is not None else None
        self.supports_scoring = bool(self.scores) or self.token_logprobs is not None
        self.score_requests: list[tuple[str, list[str]]] = []
        self.completions: deque[str] = deque(completions)
        self.fills: deque[dict[str, Any] | Exception] = deque(fills)
        self.answers = dict(answers or {})
        self.default = default
        self.raise_on = dict(raise_on or {})
        self.prompts: list[str] = []
        self.fill_requests: list[tuple[str, str, str]] = []

    @property
    def asked(self) -> list[tuple[str, str]]:
        """(key the prompt ends with, text asked about) for every completion request."""
        return [_target(prompt) for prompt in self.prompts]

    def complete(self, prompt: str, *, max_tokens: int, stop: list[str]) -> Completion:
        self.prompts.append(prompt)
        _, asked = _target(prompt)
        for substring, error in self.raise_on.items():
            if substring in asked:
                raise error
        text = self._canned(prompt)
        if text is None:
            if self.completions:
                text = self.completions.popleft()
            elif self.default is not None:
                text = self.default
            else:
                key, asked = _target(prompt)
                raise FakeBackendExhausted(f"no canned completion for {key}: {asked[-160:]!r}")
        for marker in stop:  # a real backend stops at the first stop string
            text = text.split(marker, 1)[0]
        return Completion(text=text, usage=Usage(len(prompt.split()), len(text.split())))

    def fill(self, response_model: type[BaseModel], system: str, user: str) -> StructuredAnswer:
        self.fill_requests.append((response_model.__name__, system, user))
        if not self.fills:
            raise FakeBackendExhausted(f"no canned fill answer for {response_model.__name__}")
        data = self.fills.popleft()
        if isinstance(data, Exception):
            raise data
        response_model.model_validate(data)  # a canned answer must be one the real backend could give
        return StructuredAnswer(data=data, usage=Usage(len(user.split()), 10))

    def score(self, prompt: str, continuations: list[str]) -> Scores:
        self.score_requests.append((prompt, list(continuations)))
        if self.scores:
            answer = self.scores.popleft()
            if isinstance(answer, Exception):
                raise answer
            per_continuation = [list(values) for values in answer]
        elif self.token_logprobs is not None:
            missing = [c for c in continuations if c not in self.token_logprobs]
            if missing:
                raise FakeBackendExhausted(f"no canned log-probabilities for {missing!r}")
            per_continuation = [list(self.token_logprobs[c]) for c in continuations]
        else:
            raise FakeBackendExhausted(f"no canned scores for {continuations!r}")
        assert len(per_continuation) == len(continuations), "one list of token log-probabilities per continuation"
        return Scores(
            tuple(ContinuationScore(c, sum(v), len(v)) for c, v in zip(continuations, per_continuation, strict=True)),
            Usage(len(prompt.split()) + sum(len(v) for v in per_continuation), 0),
        )

    def _canned(self, prompt: str) -> str | None:
        key, asked = _target(prompt)
        for substring, answer in self.answers.items():
            if substring in asked and answer.startswith(f"{key}:"):
                return answer[len(key) + 1 :]
        return None


def _target(prompt: str) -> tuple[str, str]:
    """A slot prompt ends "Text: <asked text>\\n<Key>:"."""
    body, _, last_line = prompt.rstrip().rpartition("\n")
    asked = body.rpartition("Text: ")[2]
    return last_line.rstrip(":").strip(), asked


# --- Invented articles -----------------------------------------------------------------------------

BLACK_SEA_DRILL = (
    "Publication: Pontic Security Review Volume: 3 Issue: 124\n"
    "\n"
    "On May 18 a two-day search and rescue drill dubbed “Harbor Shield 2007” ended off Constanta. "
    "Cutters of the Romanian Border Police and the Bulgarian Navy took part. "
    "Officers of the Turkish Navy watched from a frigate. "
    "The scenario involved towing a disabled ferry and evacuating its passengers.\n"
    "\n"
    "Captain Radu Ionescu, commander of the Romanian coast guard flotilla, told reporters: "
    "“Our crews practised boarding a burning tanker in heavy seas,” and praised the Bulgarian sailors "
    "(Agerpres, May 19).\n"
)

# Written with CRLF line endings; Cyrillic and an emoji come before every record's evidence.
GEORGIAN_AID = (
    "Publication: Caucasus Border Digest Volume: 2 Issue: 41\n"
    "\n"
    "The crossing at Sadakhlo (Садахло) is busy 🚧, and smugglers are a constant worry for the guards.\n"
    "\n"
    "On March 12 Estonia delivered four thermal imaging cameras worth around $2 million to the Georgian "
    "Border Police at Sadakhlo. Estonia and Georgia signed a memorandum on joint patrols in Tbilisi on March 13.\n"
)

# What a well-behaved model would answer for each sentence, with two planted mistakes:
# "off Batumi" is copied from the exercise prompt's few-shot example, and "6 x" is an invented count.
ARTICLE_ANSWERS: dict[str, str] = {
    "Harbor Shield": "Exercise: yes\nName: Harbor Shield 2007\nDescription: search and rescue drill\n"
    "Location: off Constanta\nDate: May 18\nDuration: two-day\n###",
    "Cutters of the": "Exercise: yes\nParticipants: Romanian Border Police; Bulgarian Navy\n###",
    "Officers of the Turkish Navy": "Exercise: yes\nLocation: off Batumi\n###",
    "The scenario involved": "Exercise: yes\nScenario: towing a disabled ferry; evacuating its passengers\n###",
    "Our crews practised": "Speaker: Radu Ionescu\nRole: commander of the Romanian coast guard flotilla\n"
    "Cue: told\n###",
    "thermal imaging cameras": "Assistance: yes\nDonor: Estonia\nRecipient: Georgian Border Police\n"
    "Items: 6 x thermal imaging cameras\nValue: around $2 million\nDate: March 12\nLocation: Sadakhlo\n"
    "Status: delivered\n###",
    "signed a memorandum": "Agreement: yes\nParties: Estonia; Georgia\nKind: memorandum\nSubject: joint patrols\n"
    "Date: March 13\nLocation: Tbilisi\nStatus: signed\n###",
}
# Works for every prompt: "Exercise: none" is not a yes, and "Speaker: none" fills nothing.
NOTHING = " none\n###"


def write_good_articles(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "black_sea_drill.txt").write_text(BLACK_SEA_DRILL, encoding="utf-8")
    (folder / "black_sea_drill.meta.json").write_text('{"date": "2007-05-20"}', encoding="utf-8")
    (folder / "georgian_aid.txt").write_bytes(GEORGIAN_AID.replace("\n", "\r\n").encode("utf-8"))
    (folder / "georgian_aid.meta.json").write_text('{"date": "2008-03-20", "desk": "Tbilisi"}', encoding="utf-8")
    return folder


def write_bad_articles(folder: Path) -> dict[str, str]:
    """Unusable files beside the good ones; returns file name -> a word the rejection reason must contain."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"PK\x03\x04\x00\x00 drill \x00\x01\x02")
    (folder / "latin1.txt").write_bytes("Drills near Poti: the café was closed.".encode("latin-1"))
    return {"empty.txt": "empty", "binary.txt": "binary", "latin1.txt": "UTF-8"}


@pytest.fixture(autouse=True)
def tmp_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the response cache at tmp_path, so no test ever writes the user's cache."""
    cache_dir = tmp_path / "extract-cache"
    monkeypatch.setenv("EXTRACT_CACHE_DIR", str(cache_dir))
    return cache_dir


@pytest.fixture
def articles_dir(tmp_path: Path) -> Path:
    """Two good invented articles with date sidecars."""
    return write_good_articles(tmp_path / "articles")


@pytest.fixture
def mixed_dir(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """The good articles plus an empty, a binary and a latin-1 file."""
    folder = write_good_articles(tmp_path / "mixed")
    return folder, write_bad_articles(folder)


@pytest.fixture
def make_fake() -> Callable[..., FakeBackend]:
    """FakeBackend factory; by default it answers the invented articles and 'none' to anything else."""

    def make(
        completions: Iterable[str] = (),
        *,
        fills: Iterable[dict[str, Any] | Exception] = (),
        answers: dict[str, str] | None = None,
        default: str | None = NOTHING,
        raise_on: dict[str, Exception] | None = None,
    ) -> FakeBackend:
        return FakeBackend(
            completions,
            fills=fills,
            answers=ARTICLE_ANSWERS if answers is None else answers,
            default=default,
            raise_on=raise_on,
        )

    return make


@pytest.fixture
def strict_fake() -> FakeBackend:
    """A fake with no answers at all: any model call fails the test."""
    return FakeBackend()
