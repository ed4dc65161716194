"""`run_extraction` end to end over invented articles, with a scripted FakeBackend instead of a model."""

from __future__ import annotations

import hashlib
import json
import shutil
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pipeline.backends import Backend, BackendError
from pipeline.documents import InputError
from pipeline.prompts import PROMPTS_DIR
from pipeline.run import DocumentResult, RunResult, RunSettings, run_extraction
from pipeline.validate import validate_files
from schemas import RECORD_TYPES, SCHEMA_VERSION

BLACK_SEA_EXERCISE = "Harbor Shield 2007"


def _settings(**overrides: Any) -> RunSettings:
    return RunSettings(**{"use_cache": False, **overrides})


def _records(run_dir: Path) -> dict[str, list[dict[str, Any]]]:
    return {
        t: [json.loads(line) for line in (run_dir / "records" / f"{t}.jsonl").read_text(encoding="utf-8").splitlines()]
        for t in RECORD_TYPES
    }


def _record_files(run_dir: Path) -> dict[str, str]:
    return {t: (run_dir / "records" / f"{t}.jsonl").read_text(encoding="utf-8") for t in RECORD_TYPES}


def _rejects(run_dir: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (run_dir / "rejects.jsonl").read_text(encoding="utf-8").splitlines()]


def _manifest(run_dir: Path) -> dict[str, Any]:
    return json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))


def _only(records: list[dict[str, Any]]) -> dict[str, Any]:
    assert len(records) == 1, records
    return records[0]


@pytest.fixture
def first_run(articles_dir: Path, tmp_path: Path, make_fake: Callable[..., Any]) -> tuple[RunResult, Any]:
    fake = make_fake()
    result = run_extraction(articles_dir, tmp_path / "run1", _settings(), backend=fake)
    return result, fake


# --- The run folder ---------------------------------------------------------------------------------


def test_fake_backend_implements_the_backend_protocol(make_fake: Callable[..., Any]) -> None:
    fake = make_fake()
    assert isinstance(fake, Backend)
    assert (fake.name, fake.model_id, fake.preferred_strategy) == ("fake", "fake-model", "slots")


def test_fake_backend_raises_when_its_answers_run_dry(articles_dir: Path, tmp_path: Path, strict_fake: Any) -> None:
    # The run survives it (see test_an_unexpected_error_in_one_document_keeps_the_others) and names it.
    result = run_extraction(articles_dir, tmp_path / "run", _settings(), backend=strict_fake)
    assert result.failed_documents == len(result.documents) > 0
    assert all("no canned completion" in (d.error or "") for d in result.documents)


def test_run_writes_a_record_file_per_type_manifest_rejects_and_responses(first_run: tuple[RunResult, Any]) -> None:
    result, fake = first_run
    run_dir = result.run_dir
    for record_type in RECORD_TYPES:
        assert (run_dir / "records" / f"{record_type}.jsonl").is_file()
    for name in ("manifest.json", "rejects.jsonl", "responses.jsonl"):
        assert (run_dir / name).is_file()
    assert {t: len(rows) for t, rows in _records(run_dir).items()} == {t: 1 for t in RECORD_TYPES}
    assert not [p.name for p in run_dir.iterdir() if p.name.endswith(".tmp")]  # atomic writes leave nothing behind
    responses = (run_dir / "responses.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(responses) == len(fake.prompts)


def test_records_hold_what_the_articles_say(first_run: tuple[RunResult, Any]) -> None:
    records = _records(first_run[0].run_dir)

    exercise = _only(records["exercise"])
    assert exercise["doc_id"] == "black_sea_drill"
    assert exercise["name"] == BLACK_SEA_EXERCISE
    assert exercise["location"] == "off Constanta"
    assert exercise["duration"] == "two-day"
    assert exercise["date"]["start"] == exercise["date"]["end"] == "2007-05-18"  # year from the sidecar
    assert [a["name"] for a in exercise["participants"]] == ["Romanian Border Police", "Bulgarian Navy"]
    assert [a["name"] for a in exercise["observers"]] == ["Turkish Navy"]  # by rule, from the sentence's verb
    # GUIDE: a task a quotation says was practised is a scenario item too (the captain's words).
    assert exercise["scenario"] == ["towing a disabled ferry", "evacuating its passengers", "boarding a burning tanker"]
    assert len(exercise["evidence"]) == 5  # five sentences merged into one record (the quoting one too)

    aid = _only(records["aid_delivery"])
    assert (aid["donor"]["name"], aid["donor"]["country"]) == ("Estonia", "EE")
    assert (aid["recipient"]["name"], aid["recipient"]["country"]) == ("Georgian Border Police", "GE")
    # The model invented 6 (dropped, see the rejects test); the sentence rule reads "four" off the text.
    assert aid["items"] == [{"description": "thermal imaging cameras", "quantity": 4}]
    assert (aid["value"]["amount"], aid["value"]["currency"], aid["value"]["approximate"]) == (2e6, "USD", True)
    assert aid["date"]["start"] == "2008-03-12"
    assert aid["status"] == "delivered"

    agreement = _only(records["agreement"])
    assert [p["name"] for p in agreement["parties"]] == ["Estonia", "Georgia"]
    assert (agreement["kind"], agreement["status"], agreement["subject"]) == ("memorandum", "signed", "joint patrols")
    assert agreement["date"]["start"] == "2008-03-13"

    quote = _only(records["quote"])
    assert quote["text"] == "Our crews practised boarding a burning tanker in heavy seas"
    assert quote["speaker"]["name"] == "Radu Ionescu"
    assert quote["speaker"]["kind"] == "person"
    assert quote["speaker"]["role"] == "commander of the Romanian coast guard flotilla"
    assert quote["cue"] == "told"
    assert quote["cited_source"] == "Agerpres, May 19"


def test_every_evidence_offset_slices_the_source(first_run: tuple[RunResult, Any]) -> None:
    result, _ = first_run
    paths = {entry["doc_id"]: Path(entry["path"]) for entry in result.manifest["inputs"]}
    checked = 0
    for rows in _records(result.run_dir).values():
        for row in rows:
            # The text a user gets from open(): UTF-8, universal newlines (georgian_aid is CRLF and non-ASCII).
            with open(paths[row["doc_id"]], encoding="utf-8") as handle:
                source = handle.read()
            for evidence in row["evidence"]:
                assert source[evidence["start"] : evidence["end"]] == evidence["text"]
                checked += 1
    assert checked >= 7


def test_every_output_line_passes_validate(first_run: tuple[RunResult, Any]) -> None:
    result, _ = first_run
    report = validate_files([result.run_dir])
    assert report.errors == []
    assert report.valid == sum(result.counts.values()) == 4


def test_manifest_describes_the_run(first_run: tuple[RunResult, Any], articles_dir: Path) -> None:
    result, fake = first_run
    manifest = _manifest(result.run_dir)
    assert manifest == result.manifest
    assert manifest["backend"]["name"] == "fake"
    assert manifest["backend"]["model"] == "fake-model"
    assert manifest["schema_version"] == SCHEMA_VERSION
    assert manifest["strategy"] == "slots"
    for path in PROMPTS_DIR.glob("*.toml"):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        entry = manifest["prompts"][data["record_type"]]
        assert entry["version"] == data["version"]
        assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    inputs = {Path(entry["path"]).name: entry for entry in manifest["inputs"]}
    assert set(inputs) == {"black_sea_drill.txt", "georgian_aid.txt"}
    for name, entry in inputs.items():
        assert entry["sha256"] == hashlib.sha256((articles_dir / name).read_bytes()).hexdigest()
        assert entry["status"] == "ok"
    assert inputs["black_sea_drill.txt"]["doc_date"] == "2007-05-20"
    assert manifest["counts"] == {t: 1 for t in RECORD_TYPES}
    assert manifest["rejects"] == {"documents": 0, "records": 0, "values": 2}
    assert manifest["model_calls"]["calls"] == len(fake.prompts)
    assert manifest["model_calls"]["cache_hits"] == 0


def test_rejects_list_dropped_values_with_their_reasons(first_run: tuple[RunResult, Any]) -> None:
    rejects = _rejects(first_run[0].run_dir)
    values = {(r["doc_id"], r["value"]): r for r in rejects if r["kind"] == "value"}
    copied = values[("black_sea_drill", "off Batumi")]
    assert copied["reason"] == "copied from a few-shot example"
    assert copied["record_type"] == "exercise"
    assert copied["field"] == "location"
    invented = values[("georgian_aid", "6")]
    assert invented["reason"] == "number not in the source text"
    assert invented["field"].endswith("quantity")
    assert first_run[0].manifest["dropped_values_by_reason"] == {
        "copied from a few-shot example": 1,
        "number not in the source text": 1,
    }


def test_bad_documents_are_rejected_and_the_others_still_produce_records(
    mixed_dir: tuple[Path, dict[str, str]], articles_dir: Path, tmp_path: Path, make_fake: Callable[..., Any]
) -> None:
    folder, bad = mixed_dir
    seen: list[DocumentResult] = []
    mixed = run_extraction(folder, tmp_path / "mixed_run", _settings(), on_document=seen.append, backend=make_fake())
    clean = run_extraction(articles_dir, tmp_path / "clean_run", _settings(), backend=make_fake())

    assert _record_files(mixed.run_dir) == _record_files(clean.run_dir)  # the good documents are unaffected
    assert mixed.failed_documents == len(bad)
    assert sorted(Path(r.path).name for r in seen) == sorted([*bad, "black_sea_drill.txt", "georgian_aid.txt"])

    documents = {Path(r["path"]).name: r for r in _rejects(mixed.run_dir) if r["kind"] == "document"}
    assert set(documents) == set(bad)
    for name, word in bad.items():
        assert word.lower() in documents[name]["reason"].lower()
        assert documents[name]["stage"] == "load"
    manifest = _manifest(mixed.run_dir)
    assert manifest["rejects"]["documents"] == len(bad)
    statuses = {Path(entry["path"]).name: entry["status"] for entry in manifest["inputs"]}
    assert statuses == {**dict.fromkeys(bad, "rejected"), "black_sea_drill.txt": "ok", "georgian_aid.txt": "ok"}


def test_a_model_failure_rejects_its_document_only(
    articles_dir: Path, tmp_path: Path, make_fake: Callable[..., Any]
) -> None:
    fake = make_fake(raise_on={"Estonia": BackendError("server answered 500")})
    result = run_extraction(articles_dir, tmp_path / "run", _settings(), backend=fake)
    assert result.failed_documents == 1
    assert result.counts["exercise"] == result.counts["quote"] == 1
    assert result.counts["aid_delivery"] == result.counts["agreement"] == 0
    failed = [r for r in _rejects(result.run_dir) if r["kind"] == "document"]
    assert [(r["doc_id"], r["stage"]) for r in failed] == [("georgian_aid", "model")]
    assert "500" in failed[0]["reason"]
    assert {e["doc_id"]: e["status"] for e in result.manifest["inputs"]} == {
        "black_sea_drill": "ok", "georgian_aid": "failed",
    }


def test_participants_and_observers_named_in_one_sentence_keep_their_roles(
    tmp_path: Path, make_fake: Callable[..., Any]
) -> None:
    folder = tmp_path / "one"
    folder.mkdir()
    sentence = (
        "Cutters of the Romanian Border Police and the Bulgarian Navy took part in the drill, "
        "while officers of the Turkish Navy watched from a frigate."
    )
    (folder / "roles.txt").write_text(f"A two-day rescue drill ended off Varna. {sentence}\n", encoding="utf-8")
    answers = {
        "Cutters of the": "Exercise: yes\nParticipants: Romanian Border Police; Bulgarian Navy\n"
        "Observers: Turkish Navy\n###",
        "rescue drill ended": "Exercise: yes\nDescription: rescue drill\nLocation: off Varna\n###",
    }
    result = run_extraction(folder, tmp_path / "run", _settings(record_types=["exercise"]),
                            backend=make_fake(answers=answers))
    exercise = _only(_records(result.run_dir)["exercise"])
    assert [a["name"] for a in exercise["participants"]] == ["Romanian Border Police", "Bulgarian Navy"]
    assert [a["name"] for a in exercise["observers"]] == ["Turkish Navy"]


def test_record_ids_are_identical_across_runs(
    articles_dir: Path, tmp_path: Path, make_fake: Callable[..., Any]
) -> None:
    first = run_extraction(articles_dir, tmp_path / "a", _settings(), backend=make_fake())
    second = run_extraction(articles_dir, tmp_path / "b", _settings(), backend=make_fake())
    ids = [[r["id"] for r in rows] for rows in _records(first.run_dir).values()]
    assert ids == [[r["id"] for r in rows] for rows in _records(second.run_dir).values()]
    assert all(ids)
    assert _record_files(first.run_dir) == _record_files(second.run_dir)


def test_record_types_setting_limits_what_is_asked(
    articles_dir: Path, tmp_path: Path, make_fake: Callable[..., Any]
) -> None:
    fake = make_fake()
    result = run_extraction(articles_dir, tmp_path / "run", _settings(record_types=["agreement"]), backend=fake)
    assert {key for key, _ in fake.asked} == {"Agreement"}
    assert result.counts == {"agreement": 1}
    assert {t: len(rows) for t, rows in _records(result.run_dir).items()} == {
        "exercise": 0, "aid_delivery": 0, "agreement": 1, "quote": 0,
    }


def test_unknown_record_type_and_missing_folder_are_errors(
    articles_dir: Path, tmp_path: Path, strict_fake: Any
) -> None:
    with pytest.raises(ValueError, match="treaties"):
        run_extraction(articles_dir, tmp_path / "r", _settings(record_types=["treaties"]), backend=strict_fake)
    with pytest.raises(InputError, match="no such file or folder"):
        run_extraction(tmp_path / "missing", tmp_path / "r", _settings(), backend=strict_fake)
    assert strict_fake.prompts == []


def test_structured_strategy_with_fill_answers(
    articles_dir: Path, tmp_path: Path, make_fake: Callable[..., Any]
) -> None:
    sentence = (
        "On March 12 Estonia delivered four thermal imaging cameras worth around $2 million to the Georgian "
        "Border Police at Sadakhlo."
    )
    aid = {
        "donor": {"name": "Estonia"},
        "recipient": {"name": "Georgian Border Police"},
        "items": [{"description": "thermal imaging cameras", "quantity": 4}],
        "value": "around $2 million",
        "date": "March 12",
        "status": "delivered",
        "evidence": [sentence],
    }
    # One chunk per (short) document, documents in name order: black_sea_drill, then georgian_aid.
    fake = make_fake(fills=[{"records": []}, {"records": [aid]}])
    settings = _settings(strategy="structured", record_types=["aid_delivery"])
    result = run_extraction(articles_dir, tmp_path / "run", settings, backend=fake)
    assert [name for name, _, _ in fake.fill_requests] == ["AidDeliveryDraftList", "AidDeliveryDraftList"]
    assert fake.prompts == []
    record = _only(_records(result.run_dir)["aid_delivery"])
    assert record["items"] == [{"description": "thermal imaging cameras", "quantity": 4}]
    assert record["value"]["amount"] == 2e6
    source = (articles_dir / "georgian_aid.txt").read_text(encoding="utf-8")
    assert [source[e["start"] : e["end"]] for e in record["evidence"]] == [sentence]
    assert result.manifest["strategy"] == "structured"


# --- Replay and the response cache ------------------------------------------------------------------


def test_replay_of_a_run_gives_identical_records(first_run: tuple[RunResult, Any], articles_dir: Path,
                                                  tmp_path: Path) -> None:
    first, _ = first_run
    replayed = run_extraction(
        articles_dir, tmp_path / "replayed", _settings(backend="replay", model=str(first.run_dir))
    )
    assert _record_files(replayed.run_dir) == _record_files(first.run_dir)
    assert replayed.manifest["backend"]["name"] == "replay"
    assert replayed.manifest["counts"] == first.manifest["counts"]
    assert replayed.failed_documents == 0


def test_replay_after_the_input_changed_rejects_that_document(
    first_run: tuple[RunResult, Any], articles_dir: Path, tmp_path: Path
) -> None:
    first, _ = first_run
    path = articles_dir / "georgian_aid.txt"
    path.write_bytes(path.read_bytes().replace(b"four thermal", b"five thermal"))
    replayed = run_extraction(
        articles_dir, tmp_path / "replayed", _settings(backend="replay", model=str(first.run_dir))
    )
    failed = {d.doc_id: d.error for d in replayed.documents if d.error}
    assert list(failed) == ["georgian_aid"]
    assert "no recorded answer" in (failed["georgian_aid"] or "")
    assert replayed.counts["exercise"] == 1


def test_replay_without_a_recording_is_a_backend_error(articles_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(BackendError, match="no recorded responses"):
        run_extraction(articles_dir, tmp_path / "r", _settings(backend="replay", model=str(tmp_path / "nothing")))


def test_second_run_with_the_cache_makes_no_backend_calls(
    articles_dir: Path, tmp_path: Path, make_fake: Callable[..., Any], strict_fake: Any
) -> None:
    cache = tmp_path / "cache" / "responses.sqlite3"
    fake = make_fake()
    first = run_extraction(articles_dir, tmp_path / "a", _settings(use_cache=True, cache_path=cache), backend=fake)
    assert cache.is_file()
    assert fake.prompts

    second = run_extraction(
        articles_dir, tmp_path / "b", _settings(use_cache=True, cache_path=cache), backend=strict_fake
    )
    assert strict_fake.prompts == []  # strict_fake raises on any call; this documents it
    assert _record_files(second.run_dir) == _record_files(first.run_dir)
    calls = second.manifest["model_calls"]
    assert calls["calls"] == calls["cache_hits"] == len(fake.prompts)
    # The recording is complete even when every answer came from the cache, so replay still works.
    replayed = run_extraction(articles_dir, tmp_path / "c", _settings(backend="replay", model=str(second.run_dir)))
    assert _record_files(replayed.run_dir) == _record_files(first.run_dir)


def test_cache_defaults_to_extract_cache_dir(
    articles_dir: Path, tmp_path: Path, tmp_cache: Path, make_fake: Callable[..., Any], strict_fake: Any
) -> None:
    run_extraction(articles_dir, tmp_path / "a", RunSettings(), backend=make_fake())
    assert list(tmp_cache.glob("*")), "the cache should be written under EXTRACT_CACHE_DIR"
    second = run_extraction(articles_dir, tmp_path / "b", RunSettings(), backend=strict_fake)
    assert second.manifest["model_calls"]["cache_hits"] > 0


def test_no_cache_setting_always_asks_the_backend(
    articles_dir: Path, tmp_path: Path, tmp_cache: Path, make_fake: Callable[..., Any]
) -> None:
    run_extraction(articles_dir, tmp_path / "a", _settings(), backend=make_fake())
    second_fake = make_fake()
    run_extraction(articles_dir, tmp_path / "b", _settings(), backend=second_fake)
    assert second_fake.prompts
    assert not tmp_cache.exists()


def _edit_first_example(prompts_dir: Path, record_type: str) -> None:
    """Change one few-shot example of one prompt, keeping it valid: append a sentence to its text."""
    path = prompts_dir / f"{record_type}.toml"
    raw = path.read_text(encoding="utf-8")
    example = tomllib.loads(raw)["examples"][0]["text"]
    assert raw.count(example) == 1, "cannot find the example text verbatim in the TOML"
    path.write_text(raw.replace(example, example + " Two tugs stood by."), encoding="utf-8")


def test_changing_a_prompt_invalidates_only_that_record_types_answers(
    articles_dir: Path, tmp_path: Path, make_fake: Callable[..., Any]
) -> None:
    cache = tmp_path / "cache.sqlite3"
    first_fake = make_fake()
    first = run_extraction(articles_dir, tmp_path / "a", _settings(use_cache=True, cache_path=cache),
                           backend=first_fake)
    exercise_calls = [asked for asked in first_fake.asked if asked[0] == "Exercise"]
    assert exercise_calls

    prompts = tmp_path / "prompts"
    shutil.copytree(PROMPTS_DIR, prompts)
    _edit_first_example(prompts, "exercise")
    second_fake = make_fake()
    second = run_extraction(
        articles_dir, tmp_path / "b", _settings(use_cache=True, cache_path=cache, prompts_dir=prompts),
        backend=second_fake,
    )
    assert second_fake.asked == exercise_calls  # asked again: the exercise sentences, and nothing else
    calls = second.manifest["model_calls"]
    assert calls["cache_hits"] == len(first_fake.prompts) - len(exercise_calls)
    assert _record_files(second.run_dir) == _record_files(first.run_dir)
    assert second.manifest["prompts"]["exercise"]["sha256"] != first.manifest["prompts"]["exercise"]["sha256"]
    assert second.manifest["prompts"]["quote"] == first.manifest["prompts"]["quote"]


def test_an_unexpected_error_in_one_document_keeps_the_others(
    articles_dir: Path, tmp_path: Path, make_fake: Callable[..., Any]
) -> None:
    # A bug (not a BackendError) while extracting one article rejects that article, not the run.
    fake = make_fake(raise_on={"thermal imaging cameras": ZeroDivisionError("boom")})
    result = run_extraction(articles_dir, tmp_path / "run", _settings(), backend=fake)
    failed = [d for d in result.documents if d.error]
    assert [d.doc_id for d in failed] == ["georgian_aid"]
    assert "internal error: ZeroDivisionError: boom" in failed[0].error
    assert _records(result.run_dir)["exercise"], "the other article's records were lost"
    rejects = [json.loads(line) for line in (result.run_dir / "rejects.jsonl").read_text().splitlines()]
    assert any(r["kind"] == "document" and r["stage"] == "internal" for r in rejects)


def test_goods_listed_paragraphs_after_a_delivery_join_it(tmp_path: Path, make_fake: Callable[..., Any]) -> None:
    """'It includes ...' three sentences and two paragraphs on (past the fragment distance), in a
    quotation whose attribution names a handover ceremony: the goods of the delivery told by kind."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "handover.txt").write_text(
        "Chile has handed over a batch of military hardware worth about 9 million dollars to the army of Peru "
        "free of charge, the press office of the Chilean Southern Command reported on Tuesday.\n\n"
        "The ceremony took place at an airbase near the Peruvian capital after the end of the annual joint "
        "drills of the two armies in the southern desert, the office added in its statement.\n\n"
        "«Today a new batch of military hardware was shown at the Pisco airfield. It includes a radar station "
        "and ten armored patrol vehicles,» the Chilean Southern Command's commander General Ana Ruiz said at "
        "the handover ceremony.\n",
        encoding="utf-8",
    )
    result = run_extraction(folder, tmp_path / "run", _settings(), backend=make_fake())
    delivery = _only(_records(result.run_dir)["aid_delivery"])
    assert [i["description"] for i in delivery["items"]] == ["radar station", "armored patrol vehicles"]
    assert delivery["donor"]["name"] == "Chile"


def test_an_amount_the_model_gives_as_an_item_is_the_value(tmp_path: Path, make_fake: Callable[..., Any]) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "grant.txt").write_text("Chile provides Peru 5.5 million euros for its coast guard.\n", encoding="utf-8")
    answer = "Assistance: yes\nDonor: Chile\nRecipient: Peru\nItems: 5.5 million euros\n###"
    fake = make_fake(answers={"Chile provides Peru": answer})
    result = run_extraction(folder, tmp_path / "run", _settings(), backend=fake)
    records = _records(result.run_dir)["aid_delivery"]
    assert records and all(not r["items"] for r in records)
    assert records[0]["value"]["amount"] == 5_500_000


def test_people_sent_are_no_goods_and_the_help_lists_them(tmp_path: Path, make_fake: Callable[..., Any]) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "fire.txt").write_text(
        "Chile sent rescue teams to Peru on May 3. The help included 8 fire trucks and a mobile command post.\n",
        encoding="utf-8",
    )
    answer = "Assistance: yes\nDonor: Chile\nRecipient: Peru\nItems: rescue teams\n###"
    result = run_extraction(folder, tmp_path / "run", _settings(), backend=make_fake(answers={"sent rescue": answer}))
    delivery = _only(_records(result.run_dir)["aid_delivery"])
    assert [i["description"] for i in delivery["items"]] == ["fire trucks", "mobile command post"]


def test_a_bug_in_reading_one_sentence_loses_that_sentence_only(
    tmp_path: Path, make_fake: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import dataclasses

    from pipeline.record_types import entries

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "mixed.txt").write_text(
        "Chile handed over two patrol boats to the Peruvian Navy in Callao on May 3.\n\n"
        "“The boats will patrol the southern coast,” said Peruvian Navy commander Jorge Silva.\n",
        encoding="utf-8",
    )
    aid = entries()["aid_delivery"]

    def broken_read(*_args: Any) -> Any:
        raise RuntimeError("a rule's bug")

    monkeypatch.setitem(entries(), "aid_delivery", dataclasses.replace(aid, read=broken_read))
    result = run_extraction(folder, tmp_path / "run", _settings(), backend=make_fake())
    assert not any(d.error for d in result.documents)
    records = _records(result.run_dir)
    assert records["aid_delivery"] == [] and len(records["quote"]) == 1  # the quotation is still read
    unread = [r for r in _rejects(result.run_dir) if r["stage"] == "internal"]
    assert unread and unread[0]["reason"].startswith("not read: internal error: RuntimeError: a rule's bug")
    assert "RuntimeError" in (result.run_dir / "errors.log").read_text(encoding="utf-8")


def _quotes_of(text: str, tmp_path: Path, make_fake: Callable[..., Any]) -> list[dict[str, Any]]:
    """The Quote records of one document, the model answering "no" to every other question."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "doc.txt").write_text(text, encoding="utf-8")
    result = run_extraction(folder, tmp_path / "run", _settings(), backend=make_fake(default="no\n###"))
    return _records(result.run_dir)["quote"]


def test_a_second_quotation_in_the_paragraph_keeps_the_first_ones_cue(
    tmp_path: Path, make_fake: Callable[..., Any]
) -> None:
    quotes = _quotes_of(
        "“The crews did well,” said Ana Ruiz, commander of the Andean flotilla. “They trained for a week.”\n",
        tmp_path, make_fake,
    )
    assert [(q["text"], q["speaker"]["name"], q["cue"]) for q in quotes] == [
        ("The crews did well", "Ana Ruiz", "said"),
        ("They trained for a week.", "Ana Ruiz", "said"),
    ]


def test_an_attribution_after_a_dash_grounds_the_speaker_and_cue(tmp_path: Path, make_fake: Callable[..., Any]) -> None:
    quote = _only(_quotes_of(
        "The Andean states met in Lima.\n“We hope the seizures will grow.” – said Ms. Ana Ruiz, First Secretary of "
        "the Embassy of Chile in Peru.\n",
        tmp_path, make_fake,
    ))
    assert (quote["speaker"]["name"], quote["cue"]) == ("Ana Ruiz", "said")


def test_a_few_quoted_words_are_a_quote_only_when_a_speech_verb_gives_them_to_someone(
    tmp_path: Path, strict_fake: Any
) -> None:
    folder = tmp_path / "partial"
    folder.mkdir()
    (folder / "talks.txt").write_text(
        "Foreign Minister Ana Ruiz said Vell had made “significant progress” in the talks.\n\n"
        "The so-called “green corridor” stays closed to trucks.\n",
        encoding="utf-8",
    )
    # No model call: the speaker of the few words is read by rule, and words nobody says are skipped.
    run_extraction(folder, tmp_path / "run", _settings(), backend=strict_fake)
    quote = _only(_records(tmp_path / "run")["quote"])
    assert (quote["text"], quote["speaker"]["name"], quote["cue"]) == ("significant progress", "Ana Ruiz", "said")
