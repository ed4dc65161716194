"""Stage 2, prompt: the few-shot slot-filling prompts in `prompts/`, checked before any model call.

A prompt file (TOML) names its record type, the slots the model fills (`Key: value` lines), the
cue pattern that selects candidate sentences, and few-shot examples. Loading checks every
example against its own text, as langextract does: a verbatim answer that is not in its
example sentence would teach the model to invent, so it stops the run before it starts.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pipeline.text import fold, squash

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"
SLOT_KINDS = ("text", "list", "actor", "actors", "date", "money", "items", "enum")
VERBATIM_KINDS = ("text", "list", "actor", "actors", "date", "money", "items")
NONE = "none"
_NO_VALUE = {NONE, "no", "yes", "n/a", "unknown", "null", "-"}
END = "###"
LIST_SEPARATOR = ";"
ITEM_QUANTITY = re.compile(r"^(?P<quantity>\d[\d,]*)\s*x\s+(?P<description>.+)$")


class PromptError(ValueError):
    """A prompt file that is malformed or whose examples contradict their own text."""


@dataclass(frozen=True)
class Slot:
    key: str
    field: str
    kind: str
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Example:
    text: str
    answer: dict[str, str]


@dataclass(frozen=True)
class SlotPrompt:
    record_type: str
    version: str
    sha256: str
    path: Path
    instruction: str
    decision: str
    cues: re.Pattern[str] | None
    follow: int
    slots: tuple[Slot, ...]
    examples: tuple[Example, ...]

    @property
    def prefix(self) -> str:
        """Everything before the target text: the same for every call, so its KV cache is reused."""
        blocks = [self.instruction, ""]
        for example in self.examples:
            blocks.append(f"Text: {example.text}")
            blocks.extend(self._answer_lines(example.answer))
            blocks.append(END)
        return "\n".join(blocks) + "\n"

    def render(self, text: str) -> str:
        first_key = self.decision or self.slots[0].key
        return f"{self.prefix}Text: {_one_line(text)}\n{first_key}:"

    def _answer_lines(self, answer: dict[str, str]) -> list[str]:
        lines = []
        if self.decision:
            lines.append(f"{self.decision}: {answer[self.decision]}")
            if answer[self.decision] == "no":
                return lines
        lines.extend(f"{slot.key}: {answer.get(slot.key, NONE)}" for slot in self.slots)
        return lines

    def parse(self, completion: str) -> tuple[bool, dict[str, str]]:
        """(is it a record?, raw value per slot key) from the model's continuation of `render`."""
        first_key = self.decision or self.slots[0].key
        text = f"{first_key}:{completion}".split(END, 1)[0].split("\nText:", 1)[0]
        values: dict[str, str] = {}
        keys = {slot.key for slot in self.slots} | ({self.decision} if self.decision else set())
        for line in text.splitlines():
            key, sep, value = line.partition(":")
            key, value = key.strip(), value.strip()
            if sep and key in keys and key not in values:
                values[key] = value
        is_record = values.pop(self.decision, "").lower().startswith("yes") if self.decision else True
        return is_record, {k: v for k, v in values.items() if v and v.lower().strip(" .") not in _NO_VALUE}


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def split_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(LIST_SEPARATOR) if part.strip() and part.strip().lower() != NONE]


def split_item(value: str) -> tuple[str, int | None]:
    """'3 x patrol boats' -> ('patrol boats', 3); 'spare parts' -> ('spare parts', None)."""
    match = ITEM_QUANTITY.match(value.strip())
    if match:
        return match.group("description").strip(), int(match.group("quantity").replace(",", ""))
    return value.strip(), None


def verbatim_parts(slot: Slot, value: str) -> list[str]:
    """The pieces of a slot value that must occur verbatim in the text."""
    if slot.kind in ("list", "actors"):
        return split_list(value)
    if slot.kind == "items":
        return [split_item(part)[0] for part in split_list(value)]
    return [value]


def load_prompts(directory: Path = PROMPTS_DIR) -> dict[str, SlotPrompt]:
    """Every prompt file in `directory`, by record type, each checked against its examples."""
    if not directory.is_dir():
        raise PromptError(f"{directory}: prompt folder not found")
    prompts = {}
    for path in sorted(directory.glob("*.toml")):
        prompt = load_prompt(path)
        prompts[prompt.record_type] = prompt
    return prompts


def load_prompt(path: Path) -> SlotPrompt:
    raw = path.read_bytes()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
        slots = tuple(
            Slot(s["key"], s["field"], s["kind"], tuple(s.get("choices", ()))) for s in data["slots"]
        )
        examples = tuple(Example(e["text"], {k: str(v) for k, v in e["answer"].items()}) for e in data["examples"])
        prompt = SlotPrompt(
            record_type=data["record_type"],
            version=str(data["version"]),
            sha256=hashlib.sha256(raw).hexdigest(),
            path=path,
            instruction=data["instruction"].strip(),
            decision=data.get("decision", ""),
            cues=re.compile(data["cues"], re.IGNORECASE) if data.get("cues") else None,
            follow=int(data.get("follow", 0)),
            slots=slots,
            examples=examples,
        )
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, KeyError, TypeError, re.error) as exc:
        raise PromptError(f"{path}: malformed prompt file ({type(exc).__name__}: {exc})") from exc
    problems = check_examples(prompt)
    if problems:
        raise PromptError(f"{path}: " + "; ".join(problems))
    return prompt


def check_examples(prompt: SlotPrompt) -> list[str]:
    """Every problem with the prompt's examples: unknown keys, bad choices, answers not in their text."""
    problems = []
    for slot in prompt.slots:
        if slot.kind not in SLOT_KINDS:
            problems.append(f"slot {slot.key}: unknown kind {slot.kind!r}")
        if slot.kind == "enum" and not slot.choices:
            problems.append(f"slot {slot.key}: an enum slot needs choices")
    by_key = {slot.key: slot for slot in prompt.slots}
    for number, example in enumerate(prompt.examples, start=1):
        where = f"example {number}"
        if prompt.decision and example.answer.get(prompt.decision) not in ("yes", "no"):
            problems.append(f"{where}: {prompt.decision} must be yes or no")
        folded_text = fold(example.text)
        for key, value in example.answer.items():
            if key == prompt.decision:
                continue
            found = by_key.get(key)
            if found is None:
                problems.append(f"{where}: unknown key {key!r}")
                continue
            slot = found
            if slot.kind == "enum" and value not in slot.choices:
                problems.append(f"{where}: {key} {value!r} is not one of {', '.join(slot.choices)}")
            if slot.kind in VERBATIM_KINDS:
                for part in verbatim_parts(slot, value):
                    if squash(part) not in squash(folded_text):
                        problems.append(f"{where}: {key} value {part!r} is not in the example's text")
    return problems
