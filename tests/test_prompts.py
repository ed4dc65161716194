"""The few-shot prompts in prompts/: they load, their examples agree with their own text, bad files stop a run."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from pipeline.prompts import (
    PROMPTS_DIR,
    PromptError,
    check_examples,
    load_prompt,
    load_prompts,
    split_item,
    split_list,
)
from schemas import RECORD_TYPES, draft_model

GOOD_PROMPT = '''
version = "drill-1"
record_type = "exercise"
decision = "Exercise"
instruction = "Say whether the sentence states a specific drill."
cues = '\\b(drills?)\\b'
follow = 1

[[slots]]
key = "Name"
field = "name"
kind = "text"
[[slots]]
key = "Participants"
field = "participants"
kind = "actors"
[[slots]]
key = "Kind"
field = "kind"
kind = "enum"
choices = ["naval", "land"]

[[examples]]
text = "A drill called “Harbor Shield” brought Romanian and Bulgarian cutters to Varna."
[examples.answer]
Exercise = "yes"
Name = "Harbor Shield"
Participants = "Romanian and Bulgarian cutters"
Kind = "naval"

[[examples]]
text = "Drills of this sort are rarely useful."
[examples.answer]
Exercise = "no"
'''


def _write(tmp_path: Path, text: str, name: str = "drill.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- The shipped prompts ----------------------------------------------------------------------------


def test_shipped_prompts_load_one_per_record_type() -> None:
    prompts = load_prompts()
    assert set(prompts) == set(RECORD_TYPES)
    for record_type, prompt in prompts.items():
        assert prompt.record_type == record_type
        assert prompt.version
        assert len(prompt.sha256) == 64
        assert prompt.examples, f"{record_type} has no few-shot examples"


SHIPPED_PROMPTS = sorted(PROMPTS_DIR.glob("*.toml"))


@pytest.mark.parametrize("path", SHIPPED_PROMPTS, ids=lambda p: p.name)
def test_shipped_prompt_examples_check_clean(path: Path) -> None:
    assert check_examples(load_prompt(path)) == []


@pytest.mark.parametrize("path", SHIPPED_PROMPTS, ids=lambda p: p.name)
def test_shipped_prompt_slots_fill_real_draft_fields(path: Path) -> None:
    prompt = load_prompt(path)
    fields = set(draft_model(prompt.record_type).model_fields)
    for slot in prompt.slots:
        assert slot.field.split(".")[0] in fields, f"{path.name}: slot {slot.key} fills unknown field {slot.field}"


@pytest.mark.parametrize("path", SHIPPED_PROMPTS, ids=lambda p: p.name)
def test_shipped_prompt_cues_pattern_compiles(path: Path) -> None:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    prompt = load_prompt(path)
    assert (prompt.cues is None) == (not data.get("cues"))


# --- Rendering and parsing --------------------------------------------------------------------------


def test_render_puts_the_target_text_last_on_one_line(tmp_path: Path) -> None:
    prompt = load_prompt(_write(tmp_path, GOOD_PROMPT))
    rendered = prompt.render("The Varna  drill\nended on May 18.")
    assert rendered.startswith(prompt.prefix)
    assert rendered.endswith("Text: The Varna drill ended on May 18.\nExercise:")
    assert "Name: Harbor Shield" in prompt.prefix  # examples are shown with their answers


def test_parse_reads_the_decision_and_slot_values(tmp_path: Path) -> None:
    prompt = load_prompt(_write(tmp_path, GOOD_PROMPT))
    is_record, values = prompt.parse(" yes\nName: Sea Wolf\nParticipants: none\nKind: naval\n###\nText: more")
    assert is_record is True
    assert values == {"Name": "Sea Wolf", "Kind": "naval"}
    assert prompt.parse(" no\n###")[0] is False


def test_parse_stops_at_the_next_example(tmp_path: Path) -> None:
    prompt = load_prompt(_write(tmp_path, GOOD_PROMPT))
    _, values = prompt.parse(" yes\nName: Sea Wolf\nText: another sentence\nExercise: yes\nName: Invented")
    assert values == {"Name": "Sea Wolf"}


def test_list_and_item_helpers() -> None:
    assert split_list("Romanian Navy; none; Bulgarian Navy ;") == ["Romanian Navy", "Bulgarian Navy"]
    assert split_item("4 x thermal imaging cameras") == ("thermal imaging cameras", 4)
    assert split_item("1,200 x radios") == ("radios", 1200)
    assert split_item("spare parts") == ("spare parts", None)


# --- Bad prompt files -------------------------------------------------------------------------------


def test_a_good_prompt_file_loads(tmp_path: Path) -> None:
    prompt = load_prompt(_write(tmp_path, GOOD_PROMPT))
    assert prompt.version == "drill-1"
    assert [s.key for s in prompt.slots] == ["Name", "Participants", "Kind"]


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ('Name = "Harbor Shield"', 'Name = "Sea Breeze"', "Sea Breeze"),  # answer not in its own text
        (
            'Participants = "Romanian and Bulgarian cutters"',
            'Participants = "Romanian cutters; Greek cutters"',
            "Greek cutters",
        ),  # one list element invented
        ('Kind = "naval"', 'Kind = "aerial"', "aerial"),  # not one of the enum's choices
        ('Exercise = "no"', 'Exercise = "maybe"', "yes or no"),
        ('Kind = "naval"', 'Kind = "naval"\nColour = "grey"', "Colour"),  # unknown key
        ('kind = "text"', 'kind = "prose"', "prose"),  # unknown slot kind
    ],
)
def test_prompt_whose_examples_contradict_themselves_raises_naming_the_file(
    tmp_path: Path, old: str, new: str, problem: str
) -> None:
    assert old in GOOD_PROMPT
    path = _write(tmp_path, GOOD_PROMPT.replace(old, new, 1), "bad_drill.toml")
    with pytest.raises(PromptError) as raised:
        load_prompt(path)
    message = str(raised.value)
    assert str(path) in message
    assert problem in message


@pytest.mark.parametrize(
    "broken",
    [
        GOOD_PROMPT.replace('version = "drill-1"\n', ""),  # a required key missing
        GOOD_PROMPT.replace("[[slots]]", "[[slots]", 1),  # not TOML
        GOOD_PROMPT.replace(r"'\b(drills?)\b'", "'(drills'"),  # a cue pattern that does not compile
    ],
)
def test_malformed_prompt_file_raises_prompt_error_naming_the_file(tmp_path: Path, broken: str) -> None:
    assert broken != GOOD_PROMPT
    path = _write(tmp_path, broken, "broken.toml")
    with pytest.raises(PromptError, match=r"broken\.toml"):
        load_prompt(path)


def test_a_bad_file_in_a_prompt_folder_stops_loading_and_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "prompts"
    shutil.copytree(PROMPTS_DIR, folder)
    path = folder / "exercise.toml"
    text = path.read_text(encoding="utf-8")
    assert 'Location = "off Batumi"' in text, "the shipped exercise prompt changed; update this edit"
    path.write_text(text.replace('Location = "off Batumi"', 'Location = "off Sukhumi"'), encoding="utf-8")
    with pytest.raises(PromptError, match=r"exercise\.toml.*off Sukhumi"):
        load_prompts(folder)


def test_missing_prompt_folder_raises(tmp_path: Path) -> None:
    with pytest.raises(PromptError, match="not found"):
        load_prompts(tmp_path / "nowhere")
