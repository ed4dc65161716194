"""The scorer behind `extract eval`: figures computed by hand in the comments.

The shared gold document "d1" has three records and 32 field units (scoring units):

    E1 exercise  name, description, location, date, duration                     5
                 participants Kazakhstan, Russia: element + kind + country each  6
                 scenario: 2 elements                                            2   -> 13
    Q1 quote     speaker: name, kind, country, role                              4
                 text, cue, cited_source                                         3   ->  7
    A1 aid       donor, recipient: name, kind, country each                      6
                 items: 1 element + its quantity                                 2
                 value, date, program, status                                    4   -> 12
                                                                                         32
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from pipeline.evaluate import (
    EvalReport,
    EvaluationError,
    evaluate,
    format_report,
    record_similarity,
    score,
    strings_match,
)
from schemas import Actor, AidDelivery, DateRef, Evidence, Exercise, Item, Money, Quote, Record, with_stable_id

EVIDENCE = [Evidence(text="x", start=0, end=1)]
OTHER_EVIDENCE = [Evidence(text="another span", start=100, end=112)]


def make(model: type[Record], doc_id: str = "d1", evidence: list[Evidence] | None = None, **fields: Any) -> Record:
    return with_stable_id(model(id="pending", doc_id=doc_id, evidence=evidence or EVIDENCE, **fields))


def change(record: Record, **fields: Any) -> Record:
    """A copy with some fields replaced, re-validated, with its own stable id."""
    data = record.model_dump()
    data.update(fields)
    return with_stable_id(type(record).model_validate(data))


def country(name: str, code: str | None = None) -> Actor:
    return Actor(name=name, kind="country", country=code)


E1_DATE = DateRef(text="June 21", start="2006-06-21", end="2006-06-21", precision="day")


def exercise_e1(**overrides: Any) -> Record:
    fields: dict[str, Any] = {
        "name": "Caspian 2006",
        "description": "joint special exercise",
        "participants": [country("Kazakhstan", "KZ"), country("Russia", "RU")],
        "location": "the Caspian Sea",
        "date": E1_DATE,
        "duration": "three-day",
        "scenario": ["countering terrorism", "illegal immigration"],
    }
    fields.update(overrides)
    return make(Exercise, **fields)


def quote_q1(**overrides: Any) -> Record:
    fields: dict[str, Any] = {
        "speaker": Actor(name="Nursultan Nazarbayev", kind="person", country="KZ", role="President"),
        "text": "We won't allow anyone to turn the Caspian into an arena of confrontation",
        "cue": "said",
        "cited_source": "Interfax",
    }
    fields.update(overrides)
    return make(Quote, **fields)


def aid_a1(**overrides: Any) -> Record:
    fields: dict[str, Any] = {
        "donor": country("United States", "US"),
        "recipient": country("Kazakhstan", "KZ"),
        "items": [Item(description="patrol boats", quantity=3)],
        "value": Money(text="around $2 million", amount=2_000_000, currency="USD", approximate=True),
        "date": DateRef(text="2006", start="2006", end="2006", precision="year"),
        "program": "Export Control and Related Border Security program",
        "status": "delivered",
    }
    fields.update(overrides)
    return make(AidDelivery, **fields)


def gold_d1() -> list[Record]:
    return [exercise_e1(), quote_q1(), aid_a1()]


def figures(report: EvalReport) -> tuple[float, float, float]:
    fields = report.fields
    return fields.precision, fields.recall, fields.f1


# --- in-memory scoring -------------------------------------------------------------------------


def test_gold_against_itself_scores_one_everywhere() -> None:
    gold = gold_d1()
    report = score(gold, gold)
    assert report.fields.match == 32
    assert report.fields.errors == 0
    assert figures(report) == (1.0, 1.0, 1.0)
    assert report.micro_field_f1 == 1.0
    assert report.micro_record_f1 == 1.0
    for name in ("exercise", "quote", "aid_delivery"):
        type_report = report.types[name]
        assert type_report.records.matched == 1
        assert (type_report.records.precision, type_report.records.recall, type_report.records.f1) == (1.0, 1.0, 1.0)
        assert (type_report.fields.precision, type_report.fields.recall, type_report.fields.f1) == (1.0, 1.0, 1.0)
    assert report.field_errors == []
    assert report.unmatched == []
    assert report.documents == ["d1"]


def test_perfect_run_with_other_ids_evidence_and_order() -> None:
    # Evidence is not scored and ids differ with it; order within a file does not matter.
    predicted = [change(record, evidence=OTHER_EVIDENCE) for record in reversed(gold_d1())]
    assert {r.id for r in predicted}.isdisjoint({r.id for r in gold_d1()})
    report = score(predicted, gold_d1())
    assert report.fields.match == 32
    assert report.micro_field_f1 == 1.0
    assert report.records.matched == 3


def test_missing_record() -> None:
    # Q1 missing: records 2 matched, 1 missed -> P 2/2 = 1, R 2/3, F1 = 2*(2/3)/(5/3) = 0.8.
    # Fields: 25 matches (13 + 12), Q1's 7 units are omissions -> P 25/25 = 1, R 25/32 = 0.78125,
    # F1 = 2*25/(2*25 + 7) = 50/57.
    report = score([exercise_e1(), aid_a1()], gold_d1())
    assert (report.records.matched, report.records.missed, report.records.spurious) == (2, 1, 0)
    assert report.records.precision == 1.0
    assert report.records.recall == pytest.approx(2 / 3)
    assert report.micro_record_f1 == pytest.approx(0.8)
    assert (report.fields.match, report.fields.omission) == (25, 7)
    assert figures(report) == pytest.approx((1.0, 25 / 32, 50 / 57))
    assert report.types["quote"].records.recall == 0.0
    assert report.types["quote"].fields.omission == 7
    [missed] = report.unmatched
    assert (missed.side, missed.record_type, missed.nearest) == ("gold", "quote", None)
    assert {e.kind for e in report.field_errors} == {"omission"}
    assert all(e.predicted_id is None and e.predicted is None for e in report.field_errors)


def test_extra_record() -> None:
    # An extra quote: speaker name + kind + country (no role) + text + cue = 5 hallucinations.
    # Records: P 3/4, R 1, F1 = 2*0.75/1.75 = 6/7. Fields: P 32/37, R 1, F1 = 64/69.
    extra = make(
        Quote,
        speaker=Actor(name="Sergei Ivanov", kind="person", country="RU"),
        text="Completely different words about fishing quotas and caviar",
        cue="added",
    )
    report = score([*gold_d1(), extra], gold_d1())
    assert (report.records.matched, report.records.spurious) == (3, 1)
    assert report.micro_record_f1 == pytest.approx(6 / 7)
    assert (report.fields.match, report.fields.hallucination) == (32, 5)
    assert figures(report) == pytest.approx((32 / 37, 1.0, 64 / 69))
    [spurious] = report.unmatched
    assert spurious.side == "predicted" and spurious.id == extra.id


def test_wrong_field_value() -> None:
    # Location wrong: 31 matches, 1 mismatch (counts in both denominators) -> P = R = F1 = 31/32.
    predicted = [exercise_e1(location="the Black Sea"), quote_q1(), aid_a1()]
    report = score(predicted, gold_d1())
    assert report.records.matched == 3  # the pair still aligns on its other key fields
    assert (report.fields.match, report.fields.mismatch) == (31, 1)
    assert figures(report) == pytest.approx((31 / 32, 31 / 32, 31 / 32))
    exercise = report.types["exercise"].fields
    assert (exercise.precision, exercise.recall) == pytest.approx((12 / 13, 12 / 13))
    [error] = report.field_errors
    assert (error.doc_id, error.record_type, error.field, error.kind) == ("d1", "exercise", "location", "mismatch")
    assert (error.gold, error.predicted) == ("the Caspian Sea", "the Black Sea")
    assert error.gold_id == exercise_e1().id
    assert report.worst_mismatches() == [error]


def test_partially_right_list() -> None:
    # Gold participants Kazakhstan, Russia, Azerbaijan; predicted Kazakhstan, Russia, Iran (kind only).
    # description: 1 match.
    # participants: 2 matched elements, Azerbaijan omitted, Iran hallucinated -> m2 o1 h1.
    # participants.kind: the same for each element's kind -> m2 o1 h1.
    # Total: match 5, omission 2, hallucination 2 -> P = 5/7, R = 5/7, F1 = 5/7.
    gold = make(
        Exercise,
        description="naval exercise",
        participants=[country(n) for n in ("Kazakhstan", "Russia", "Azerbaijan")],
    )
    predicted = make(
        Exercise, description="naval exercise", participants=[country(n) for n in ("Kazakhstan", "Russia", "Iran")]
    )
    report = score([predicted], [gold])
    per_field = report.types["exercise"].per_field
    for label in ("participants", "participants.kind"):
        counts = per_field[label]
        assert (counts.match, counts.mismatch, counts.omission, counts.hallucination) == (2, 0, 1, 1)
        assert (counts.precision, counts.recall) == pytest.approx((2 / 3, 2 / 3))
    assert "participants.country" not in per_field  # no codes on either side: nothing counted
    assert figures(report) == pytest.approx((5 / 7, 5 / 7, 5 / 7))
    # Alignment: description 1, participants Dice 2*2/(3+3) = 2/3 -> mean 5/6.
    assert record_similarity(gold, predicted) == pytest.approx(5 / 6)


def test_list_elements_pair_one_to_one() -> None:
    # One predicted "Russia" cannot satisfy two gold entries, and padding a list costs precision.
    gold = make(Exercise, description="drill", participants=[country("Russia"), country("Russia")])
    predicted = make(
        Exercise, description="drill", participants=[country("Russia"), *(country(f"Country {i}") for i in range(3))]
    )
    counts = score([predicted], [gold]).types["exercise"].per_field["participants"]
    assert (counts.match, counts.omission, counts.hallucination) == (1, 1, 3)


def test_items_pair_on_description_and_score_quantity() -> None:
    # Gold: patrol boats 3, trailers, spare parts. Predicted: "Patrol boat" 4, trailers.
    # items: 2 matched (plural and case do not matter), "spare parts" omitted -> m2 o1.
    # items.quantity: 3 vs 4 mismatch; trailers has no quantity on either side -> not counted.
    gold = aid_a1(
        items=[
            Item(description="patrol boats", quantity=3),
            Item(description="trailers"),
            Item(description="spare parts"),
        ]
    )
    predicted = aid_a1(items=[Item(description="Patrol boat", quantity=4), Item(description="trailers")])
    per_field = score([predicted], [gold]).types["aid_delivery"].per_field
    items, quantity = per_field["items"], per_field["items.quantity"]
    assert (items.match, items.mismatch, items.omission, items.hallucination) == (2, 0, 1, 0)
    assert (quantity.match, quantity.mismatch, quantity.omission, quantity.hallucination) == (0, 1, 0, 0)


def test_wrong_speaker_earns_nothing_for_its_sub_fields() -> None:
    # Different speaker: speaker mismatch; kind person/person is a mismatch too (a different actor's
    # value, noted); country KZ/RU mismatch; role only in gold -> omission. text, cue, source match.
    # Quote: match 3, mismatch 3, omission 1 -> P 3/6, R 3/7.
    predicted = quote_q1(speaker=Actor(name="Sergei Ivanov", kind="person", country="RU"))
    report = score([predicted], [quote_q1()])
    quote = report.types["quote"].fields
    assert (quote.match, quote.mismatch, quote.omission, quote.hallucination) == (3, 3, 1, 0)
    assert (quote.precision, quote.recall) == pytest.approx((3 / 6, 3 / 7))
    kind = next(e for e in report.field_errors if e.field == "speaker.kind")
    assert (kind.gold, kind.predicted, kind.note) == ("person", "person", "value of a different actor")
    assert report.worst_mismatches()[-1] is kind  # noted rows rank last in the worst list


def test_empty_run_scores_zero_without_dividing_by_zero() -> None:
    # Nothing predicted: records 0 of 3, fields 0 of 32 (32 omissions); 0/0 precision is 0.0.
    report = score([], gold_d1())
    assert (report.records.matched, report.records.missed) == (0, 3)
    assert (report.records.precision, report.records.recall, report.micro_record_f1) == (0.0, 0.0, 0.0)
    assert (report.fields.match, report.fields.omission) == (0, 32)
    assert figures(report) == (0.0, 0.0, 0.0)
    assert report.types["agreement"].fields.f1 == 0.0  # a type absent from both sides
    text = format_report(report)
    assert "0.000" in text
    json.dumps(report.to_dict())

    nothing = score([], [])
    assert figures(nothing) == (0.0, 0.0, 0.0)
    assert nothing.micro_record_f1 == 0.0
    assert "Headline" in format_report(nothing)
    assert json.loads(json.dumps(nothing.to_dict()))["micro_field_f1"] == 0.0


@pytest.mark.parametrize(
    ("gold", "predicted", "expected"),
    [
        ("Kazakhstan’s border guards", "kazakhstan's Border Guards", True),  # curly vs straight, case
        ("“Caspian 2006”", '"Caspian-2006"', True),  # quotes and hyphen
        ("The Caspian Sea", "Caspian sea", True),  # leading "the"
        ("U.S. State Department", "US State Department", True),  # periods
        ("Kazakhstan", "Kazakstan", True),  # spelling variant, ratio 95
        ("Ministry of Defense", "Ministry of Defence", True),
        ("Caspian 2006", "Caspian 2007", False),  # ratio 92, but the numbers differ
        ("Iran", "Iraq", False),  # ratio 75
        ("Federal Security Service", "Federal Security Service and the Border Guard of Russia", False),  # subset
    ],
)
def test_strings_match(gold: str, predicted: str, expected: bool) -> None:
    assert strings_match(gold, predicted) is expected


def test_fuzzy_equal_strings_count_as_matches() -> None:
    predicted = quote_q1(
        speaker=Actor(name="nursultan nazarbayev", kind="person", country="KZ", role="president"),
        text="We won’t allow anyone to turn the Caspian into an arena of confrontation",
        cited_source="Interfax.",
    )
    report = score([predicted], [quote_q1()])
    assert report.types["quote"].fields.match == 7
    assert report.micro_field_f1 == 1.0


def test_dates_and_money_compare_by_normalized_value() -> None:
    # Different text, end omitted (defaults to start) -> match; money by amount and currency.
    same_date = DateRef(text="21 June 2006", start="2006-06-21", precision="day")
    same_money = Money(text="2,000,000 dollars", amount=2e6, currency="USD", approximate=False)
    report = score([exercise_e1(date=same_date), aid_a1(value=same_money)], [exercise_e1(), aid_a1()])
    assert report.fields.errors == 0

    # Same text, a different value -> mismatch: 12 of 13 exercise units match.
    wrong = DateRef(text="June 21", start="2006-06", end="2006-06", precision="month")
    report = score([exercise_e1(date=wrong)], [exercise_e1()])
    assert (report.fields.match, report.fields.mismatch) == (12, 1)
    [error] = report.field_errors
    assert (error.field, error.gold, error.predicted) == ("date", "2006-06-21", "2006-06")

    ranged = DateRef(text="June 20-22", start="2006-06-20", end="2006-06-22", precision="day")
    [error] = score([exercise_e1(date=ranged)], [exercise_e1()]).field_errors
    assert error.predicted == "2006-06-20/2006-06-22"

    [error] = score([aid_a1(value=Money(text="$2 million", amount=2e6, currency="EUR"))], [aid_a1()]).field_errors
    assert (error.field, error.gold, error.predicted) == ("value", "2000000 USD", "2000000 EUR")


def test_record_below_similarity_threshold_is_not_matched() -> None:
    # Quotes align on their text only; an unrelated sentence shares ~1 word in 11 (similarity 0.09 < 0.5),
    # so the gold quote is missed (7 omissions) and the prediction spurious (7 hallucinations).
    unrelated = quote_q1(text="The weather in Aktau was unusually warm for the season")
    assert record_similarity(quote_q1(), unrelated) < 0.5
    report = score([unrelated], [quote_q1()])
    records = report.types["quote"].records
    assert (records.matched, records.missed, records.spurious) == (0, 1, 1)
    assert (report.fields.match, report.fields.omission, report.fields.hallucination) == (0, 7, 7)
    similarity = record_similarity(quote_q1(), unrelated)
    assert [(u.side, u.nearest) for u in report.unmatched] == [
        ("gold", pytest.approx(similarity)),
        ("predicted", pytest.approx(similarity)),
    ]

    # An exercise that agrees on the date only: 5 key fields present on some side
    # (name, description, date, location, participants), one agrees -> 1/5 = 0.2.
    date_only = make(Exercise, date=E1_DATE)
    assert record_similarity(exercise_e1(), date_only) == pytest.approx(0.2)
    assert score([date_only], [exercise_e1()]).records.matched == 0


def test_alignment_is_optimal_not_greedy() -> None:
    # Quotes align on text; word-level similarity is Indel over word sequences, 2*LCS/(len1 + len2),
    # and no pair here is fuzzy-equal as a string:
    #   g1 "alpha beta gamma delta"  vs p1 "alpha beta epsilon omicron gamma delta": LCS 4 -> 8/10 = 0.8
    #   g1                           vs p2 "alpha gamma delta iota":                 LCS 3 -> 6/8  = 0.75
    #   g2 "alpha beta epsilon zeta" vs p1:                                          LCS 3 -> 6/10 = 0.6
    #   g2                           vs p2:                                          LCS 1 -> 2/8  = 0.25
    # Greedy takes g1-p1 (0.8) and is left with g2-p2 (0.25, below 0.5): 1 pair.
    # The optimal assignment pairs g1-p2 and g2-p1 (0.75 + 0.6 = 1.35): 2 pairs.
    g1, g2 = make(Quote, text="alpha beta gamma delta"), make(Quote, text="alpha beta epsilon zeta")
    p1, p2 = make(Quote, text="alpha beta epsilon omicron gamma delta"), make(Quote, text="alpha gamma delta iota")
    assert record_similarity(g1, p1) == pytest.approx(0.8)
    assert record_similarity(g1, p2) == pytest.approx(0.75)
    assert record_similarity(g2, p1) == pytest.approx(0.6)
    assert record_similarity(g2, p2) == pytest.approx(0.25)
    report = score([p1, p2], [g1, g2])
    assert report.records.matched == 2
    pairs = {(e.gold_id, e.predicted_id) for e in report.field_errors}
    assert pairs == {(g1.id, p2.id), (g2.id, p1.id)}


def test_records_align_per_document_and_type() -> None:
    # The same exercise under another doc_id cannot pair with d1's gold; it is scored under d2.
    report = score([exercise_e1().model_copy(update={"doc_id": "d2"})], [exercise_e1()], gold_doc_ids=["d1", "d2"])
    assert (report.records.matched, report.records.missed, report.records.spurious) == (0, 1, 1)
    assert report.documents == ["d1", "d2"]


def test_report_text_and_json() -> None:
    report = score([exercise_e1(location="the Black Sea"), quote_q1(), aid_a1()], gold_d1())
    text = format_report(report, worst=5)
    for expected in ("exercise", "aid_delivery", "agreement", "quote", "all (micro)", "Headline", "0.969"):
        assert expected in text
    assert '"the Black Sea"' in text and "Worst mismatches (1 of 1)" in text
    data = json.loads(json.dumps(report.to_dict()))
    assert data["micro_field_f1"] == pytest.approx(31 / 32)
    assert data["types"]["exercise"]["per_field"]["location"]["mismatch"] == 1
    assert data["field_errors"][0]["predicted"] == "the Black Sea"
    assert data["records"]["matched"] == 3


# --- files --------------------------------------------------------------------------------------


def write_jsonl(path: Path, rows: Sequence[Record | str]) -> Path:
    lines = [row if isinstance(row, str) else row.model_dump_json() for row in rows]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def make_dirs(tmp_path: Path) -> tuple[Path, Path]:
    """Run: d1 in full, a quote for d3 (gold says d3 has no records), a quote for d9 (no gold).
    Gold: d1 (3 records), d2 (one quote, nothing predicted), d3 (empty file)."""
    run, gold = tmp_path / "run", tmp_path / "gold"
    (run / "records").mkdir(parents=True)
    gold.mkdir()
    write_jsonl(run / "records" / "exercise.jsonl", [exercise_e1()])
    write_jsonl(run / "records" / "aid_delivery.jsonl", [aid_a1()])
    write_jsonl(
        run / "records" / "quote.jsonl",
        [
            quote_q1(),
            make(Quote, doc_id="d3", text="Something nobody said", cue="said"),
            make(Quote, doc_id="d9", text="A document without gold"),
        ],
    )
    (run / "manifest.json").write_text('{"documents": {}}', encoding="utf-8")
    write_jsonl(run / "rejects.jsonl", ['{"doc_id": "d1", "reason": "evidence not found"}'])
    write_jsonl(run / "responses.jsonl", ['{"prompt": "...", "response": "..."}'])
    write_jsonl(gold / "d1.jsonl", gold_d1())
    write_jsonl(gold / "d2.jsonl", [make(Quote, doc_id="d2", text="A short quote")])
    write_jsonl(gold / "d3.jsonl", [])
    return run, gold


def test_evaluate_run_and_gold_directories(tmp_path: Path) -> None:
    # d1: 3 matched records, 32 field matches. d2: 1 missed quote, 1 omission (text).
    # d3: 1 spurious quote, 2 hallucinations (text, cue). d9: not scored.
    # Records: P 3/4, R 3/4, F1 0.75. Fields: P 32/34, R 32/33, F1 = 2*32/(2*32 + 1 + 2) = 64/67.
    run, gold = make_dirs(tmp_path)
    report = evaluate(run, gold)
    assert report.documents == ["d1", "d2", "d3"]
    assert report.unscored_documents == {"d9": 1}
    assert report.unscored_records == 1
    assert (report.records.matched, report.records.missed, report.records.spurious) == (3, 1, 1)
    assert report.micro_record_f1 == pytest.approx(0.75)
    assert (report.fields.match, report.fields.omission, report.fields.hallucination) == (32, 1, 2)
    assert figures(report) == pytest.approx((32 / 34, 32 / 33, 64 / 67))
    data = json.loads(json.dumps(report.to_dict()))
    assert data["documents"]["unscored"] == {"d9": 1}
    assert data["micro_field_f1"] == pytest.approx(64 / 67)
    text = format_report(report)
    assert "d9 (1)" in text
    assert "Missed gold records (1 of 1)" in text and "Spurious predicted records (1 of 1)" in text


def test_evaluate_names_every_invalid_line(tmp_path: Path) -> None:
    run, gold = make_dirs(tmp_path)
    write_jsonl(gold / "d1.jsonl", [exercise_e1(), '{"record_type": "quote", "doc_id": "d1"}'])
    write_jsonl(run / "records" / "aid_delivery.jsonl", ["not json"])
    with pytest.raises(EvaluationError) as caught:
        evaluate(run, gold)
    message = str(caught.value)
    assert f"{gold / 'd1.jsonl'}:2:" in message
    assert f"{run / 'records' / 'aid_delivery.jsonl'}:1:" in message
    assert len(caught.value.problems) == 2


def test_evaluate_rejects_misfiled_records(tmp_path: Path) -> None:
    run, gold = make_dirs(tmp_path)
    write_jsonl(run / "records" / "quote.jsonl", [quote_q1(), exercise_e1()])  # an exercise in quote.jsonl
    write_jsonl(gold / "d2.jsonl", ["", quote_q1()])  # a d1 record in d2's gold file (after a blank line)
    with pytest.raises(EvaluationError) as caught:
        evaluate(run, gold)
    problems = caught.value.problems
    assert any(p.startswith(f"{run / 'records' / 'quote.jsonl'}:2:") and "exercise record" in p for p in problems)
    assert any(p.startswith(f"{gold / 'd2.jsonl'}:2:") and "'d1'" in p for p in problems)


def test_evaluate_refuses_wrong_directories(tmp_path: Path) -> None:
    run, gold = make_dirs(tmp_path)
    with pytest.raises(EvaluationError, match="does not exist"):
        evaluate(tmp_path / "missing", gold)
    with pytest.raises(EvaluationError, match="no gold files"):
        evaluate(run, tmp_path)  # tmp_path holds directories only
    with pytest.raises(EvaluationError, match="not a run folder"):
        evaluate(gold, gold)  # a gold folder is not a run folder
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "quote.jsonl").write_text("", encoding="utf-8")
    with pytest.raises(EvaluationError, match="older extract's layout"):
        evaluate(tmp_path / "old", gold)  # records at the top: written before records/


def test_evaluate_empty_run(tmp_path: Path) -> None:
    # A run that produced nothing (only a manifest): every gold unit is an omission, F1 0.
    run, gold = make_dirs(tmp_path)
    for path in run.glob("records/*.jsonl"):
        path.unlink()
    report = evaluate(run, gold)
    assert (report.records.matched, report.records.missed) == (0, 4)
    assert (report.fields.match, report.fields.omission) == (0, 33)
    assert report.micro_field_f1 == 0.0


def test_report_lines_fit_80_columns_with_long_values() -> None:
    long_place = "the shallow north-eastern waters of the Caspian Sea off the Mangyshlak peninsula"
    predicted = [
        exercise_e1(location=long_place, scenario=["a very long scenario description " * 3]),
        quote_q1(text="An entirely different quotation that nobody in the gold file ever said at any time"),
    ]
    report = score(predicted, gold_d1())
    assert report.mismatches() and report.unmatched, "the report must hold mismatches and unmatched records"
    text = format_report(report)
    assert "Caspian" in text and "Missed gold records" in text
    assert max(len(line) for line in text.splitlines()) <= 80, text
