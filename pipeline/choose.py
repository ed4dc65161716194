"""The language model as a chooser: score given candidates by their likelihood, pick the best.

A small base model (the embedded Gemma 3 270M) writes weak free text but ranks given answers
better: "which of these parse candidates fills the slot", "does this sentence state an event of
this type". These are pure functions over a backend with the scoring capability
(`backends.base.can_score`); each returns None when the backend cannot score (a served model
whose server gives no logprobs, a recording made without scores), and the caller does what it
did without the model.

Scores are log-probabilities from `backend.score`, so the response cache and `responses.jsonl`
keep them like any answer and `--backend replay` serves them. The few-shot templates are data,
in `prompts/choose/templates.toml` (`load_choose_prompts`); the rendered prompt is part of every
cache key, so editing a template invalidates exactly the answers that depended on it.

Candidates are continuations of the prompt: start them with a space when the prompt ends on a
word or a colon (" Yes", " the border guards"), so that no token joins prompt and candidate.
"""

from __future__ import annotations

import hashlib
import math
import re
import string
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from pipeline.backends.base import ScoringUnavailable, can_score
from pipeline.prompts import PROMPTS_DIR, PromptError
from pipeline.text import fold, squash

CHOOSE_PROMPTS = PROMPTS_DIR / "choose" / "templates.toml"
YES_NO = (" Yes", " No")

Normalization = Literal["per_token", "sum"]


@dataclass(frozen=True)
class Choice:
    """The best candidate, by its score (mean log-probability per token unless asked otherwise).

    `margin` is its score minus the runner-up's (infinite when there is one candidate; 0 on a
    tie, which the first candidate given wins); `scores` has every candidate's score in the order
    given, for a caller that wants more than the best."""

    index: int
    candidate: str
    score: float
    margin: float
    scores: tuple[float, ...]


def choose(
    backend: object, prompt: str, candidates: Sequence[str], *, normalize: Normalization = "per_token"
) -> Choice | None:
    """The candidate the model finds likeliest after `prompt`, or None when it cannot score.

    `normalize="per_token"` (default) compares the mean log-probability per token, so a long
    candidate is not beaten by a short one for its length alone; `"sum"` compares the total, the
    probability of the whole candidate (right when the candidates are one token each, or when a
    longer answer should pay for its length)."""
    if not candidates:
        raise ValueError("choose needs at least one candidate")
    if any(not candidate for candidate in candidates):
        raise ValueError("a candidate is empty: there is nothing to score")
    if len(set(candidates)) != len(candidates):
        raise ValueError("the candidates repeat one another: give each once")
    if normalize not in ("per_token", "sum"):
        raise ValueError(f"normalize must be 'per_token' or 'sum', not {normalize!r}")
    if not can_score(backend):
        return None
    scorer: Any = backend
    try:
        answer = scorer.score(prompt, list(candidates))
    except ScoringUnavailable:
        return None
    values = tuple(
        (-math.inf if s.tokens == 0 else s.per_token) if normalize == "per_token" else s.logprob
        for s in answer.scores
    )
    best = max(range(len(values)), key=lambda i: (values[i], -i))  # the first of equals wins
    others = [v for i, v in enumerate(values) if i != best]
    margin = values[best] - max(others) if others else math.inf
    return Choice(best, candidates[best], values[best], margin, values)


def yes_probability(backend: object, prompt: str, answers: tuple[str, str] = YES_NO) -> float | None:
    """P(first answer) / (P(first) + P(second)) as the model continues `prompt`: how sure it is of
    "yes" against "no", whatever else it might have written. None when it cannot score."""
    yes, no = answers
    if not yes or not no or yes == no:
        raise ValueError(f"answers must be two different non-empty words, not {answers!r}")
    if not can_score(backend):
        return None
    scorer: Any = backend
    try:
        answer = scorer.score(prompt, [yes, no])
    except ScoringUnavailable:
        return None
    yes_score, no_score = answer.scores
    difference = no_score.logprob - yes_score.logprob
    if difference > 700:  # exp would overflow: the model is as sure of "no" as a float can say
        return 0.0
    return 1.0 / (1.0 + math.exp(difference))


# --- prompts as data ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EventExample:
    sentence: str
    kind: str
    answer: bool


@dataclass(frozen=True)
class RoleExample:
    sentence: str
    role: str
    answer: str


@dataclass(frozen=True)
class ChoosePrompts:
    """The chooser's few-shot templates (prompts/choose/templates.toml), checked when loaded."""

    version: str
    sha256: str
    path: Path
    event_instruction: str
    event_template: str
    answers: tuple[str, str]
    kinds: dict[str, str]
    event_examples: tuple[EventExample, ...]
    role_instruction: str
    role_template: str
    questions: dict[str, str]
    role_examples: tuple[RoleExample, ...]

    def event_prompt(self, kind: str, sentence: str) -> str:
        """Few-shot prompt asking whether `sentence` states an event of record type `kind`; the
        model's next word is scored as `answers`."""
        if kind not in self.kinds:
            raise ValueError(f"{self.path}: no event description for {kind!r} (known: {', '.join(self.kinds)})")
        blocks = [self.event_instruction]
        for example in self.event_examples:
            answer = self.answers[0] if example.answer else self.answers[1]
            blocks.append(self._event_question(example.kind, example.sentence) + answer)
        blocks.append(self._event_question(kind, sentence))
        return "\n\n".join(blocks)

    def role_prompt(self, role: str, sentence: str) -> str:
        """Few-shot prompt asking who is the `role` in `sentence`; candidates follow after a space."""
        if role not in self.questions:
            raise ValueError(f"{self.path}: no question for role {role!r} (known: {', '.join(self.questions)})")
        blocks = [self.role_instruction]
        for example in self.role_examples:
            blocks.append(self._role_question(example.role, example.sentence) + " " + example.answer)
        blocks.append(self._role_question(role, sentence))
        return "\n\n".join(blocks)

    def _event_question(self, kind: str, sentence: str) -> str:
        return self.event_template.format(sentence=_one_line(sentence), event=self.kinds[kind])

    def _role_question(self, role: str, sentence: str) -> str:
        return self.role_template.format(sentence=_one_line(sentence), question=self.questions[role])


def event_probability(backend: object, prompts: ChoosePrompts, kind: str, sentence: str) -> float | None:
    """How sure the model is that `sentence` states an event of record type `kind` (None: cannot score)."""
    return yes_probability(backend, prompts.event_prompt(kind, sentence), prompts.answers)


def choose_role(
    backend: object, prompts: ChoosePrompts, role: str, sentence: str, candidates: Sequence[str],
    *, normalize: Normalization = "per_token",
) -> Choice | None:
    """Which of `candidates` (words of `sentence`, say the parse's noun phrases) is the `role`.
    The returned Choice names the candidate as given (the space put before it is not kept)."""
    choice = choose(
        backend, prompts.role_prompt(role, sentence), [" " + c.strip() for c in candidates], normalize=normalize
    )
    return None if choice is None else replace(choice, candidate=candidates[choice.index])


def load_choose_prompts(path: Path = CHOOSE_PROMPTS) -> ChoosePrompts:
    """The chooser's templates from `path`; a malformed file or a bad example is a PromptError naming it."""
    try:
        raw = path.read_bytes()
        data = tomllib.loads(raw.decode("utf-8"))
        event, role = data["event"], data["role"]
        answers = tuple(str(a) for a in event["answers"])
        if len(answers) != 2:
            raise PromptError(f"{path}: event.answers must be two answers, yes first, not {len(answers)}")
        prompts = ChoosePrompts(
            version=str(data["version"]),
            sha256=hashlib.sha256(raw).hexdigest(),
            path=path,
            event_instruction=str(event["instruction"]).strip(),
            event_template=str(event["template"]),
            answers=(answers[0], answers[1]),
            kinds={str(k): str(v) for k, v in event["kinds"].items()},
            event_examples=tuple(
                EventExample(str(e["sentence"]), str(e["kind"]), _yes_or_no(path, e["answer"]))
                for e in event.get("examples", [])
            ),
            role_instruction=str(role["instruction"]).strip(),
            role_template=str(role["template"]),
            questions={str(k): str(v) for k, v in role["questions"].items()},
            role_examples=tuple(
                RoleExample(str(e["sentence"]), str(e["role"]), str(e["answer"])) for e in role.get("examples", [])
            ),
        )
    except OSError as exc:
        raise PromptError(f"{path}: cannot read the chooser's templates ({exc.strerror or exc})") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise PromptError(f"{path}: malformed chooser templates ({type(exc).__name__}: {exc})") from exc
    problems = _check(prompts)
    if problems:
        raise PromptError(f"{path}: " + "; ".join(problems))
    return prompts


def _yes_or_no(path: Path, value: object) -> bool:
    if value not in ("yes", "no"):
        raise PromptError(f"{path}: an event example's answer must be yes or no, not {value!r}")
    return value == "yes"


def _check(prompts: ChoosePrompts) -> list[str]:
    """Every problem: templates without their placeholders, unknown kinds or roles, role answers
    that are not in their sentence (they would teach the model to answer with other words)."""
    problems = []
    for name, template, needed in (
        ("event.template", prompts.event_template, {"sentence", "event"}),
        ("role.template", prompts.role_template, {"sentence", "question"}),
    ):
        try:
            fields = {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
        except ValueError as exc:
            problems.append(f"{name}: {exc}")
            continue
        if fields != needed:
            problems.append(f"{name} must have the placeholders {sorted(needed)}, not {sorted(fields)}")
    if not all(prompts.answers) or prompts.answers[0] == prompts.answers[1]:
        problems.append("event.answers must be two different non-empty answers")
    for number, example in enumerate(prompts.event_examples, start=1):
        if example.kind not in prompts.kinds:
            problems.append(f"event example {number}: unknown kind {example.kind!r}")
    for number, role_example in enumerate(prompts.role_examples, start=1):
        if role_example.role not in prompts.questions:
            problems.append(f"role example {number}: unknown role {role_example.role!r}")
        if squash(fold(role_example.answer)) not in squash(fold(role_example.sentence)):
            problems.append(f"role example {number}: answer {role_example.answer!r} is not in its sentence")
    return problems


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
