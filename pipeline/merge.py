"""Stage 6, merge: one record per event, however many sentences or chunks it was found in.

Slot filling sees one sentence at a time, so an exercise described over a paragraph arrives as
fragments ("The scenario involved ...", "... observed the exercise"); chunked documents repeat
records found in the overlap. Records of one type in one document merge when they do not
contradict each other on their identifying fields and either describe the same event or one is
a fragment of the other (it lacks the fields that identify an event, and stands close by).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from pipeline.actors import body_and_state
from pipeline.language.course import part_of_course
from pipeline.record_types import RecordTypeEntry, entry, names_in
from pipeline.text import one_name, squash
from schemas import Record, with_stable_id

FRAGMENT_DISTANCE = 400  # characters between a fragment and the record it continues


def _get(record: dict[str, Any], path: str) -> Any:
    value: Any = record
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return squash(value) if isinstance(value, str) else value


def missing_core(record: Record) -> str | None:
    """Why a merged record is too incomplete to be an event, or None if it is complete enough."""
    return entry(record.record_type).missing_core(record.model_dump(mode="json"))


def _compatible(record_type: str, a: dict[str, Any], b: dict[str, Any]) -> bool:
    kind = entry(record_type)
    if _listed_apart(kind.listed, a, b):
        return False
    # "signed seven agreements", then "an agreement on X was also adopted": one of them. The field
    # comparison first: asking whether a record tells several documents reads its sentences' parse.
    if _differ_on(kind.listed, a, b) and (kind.lends_article_wide(a) or kind.lends_article_wide(b)):
        return False
    if kind.points_back(a) or kind.points_back(b):
        return True
    named_alike = False
    for path in kind.identifying:
        left, right = kind.identity_key(path, _get(a, path)), kind.identity_key(path, _get(b, path))
        if left is None or right is None or left == right:
            named_alike = named_alike or (path == "name" and left is not None and left == right)
            continue
        if path.startswith("date.") and _within_date(str(left), str(right)):
            continue
        if path.startswith("date.") and named_alike and str(left)[:4] == str(right)[:4]:
            continue  # "X 2031 started on 9 September", later "X 2031 ended on 20 September": one event
        if path.endswith(".name") and _one_party(_actor(a, path), _actor(b, path)):
            continue
        return False
    return True


def _listed_apart(listed: tuple[str, ...], a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Two records one sentence lists ("agreements on A, B and C"): the same words are evidence of
    both, and they differ on the field that lists them."""
    spans = {(e["start"], e["end"]) for e in a.get("evidence") or []}
    if not spans & {(e["start"], e["end"]) for e in b.get("evidence") or []}:
        return False
    return _differ_on(listed, a, b)


def _differ_on(paths: tuple[str, ...], a: dict[str, Any], b: dict[str, Any]) -> bool:
    return any(_get(a, p) is not None and _get(b, p) is not None and _get(a, p) != _get(b, p) for p in paths)


def _within_date(left: str, right: str) -> bool:
    """A partial date and a fuller one inside it ("2017" and "2017-05-15"): a lead that gives the
    year and a later sentence that gives the day do not name two events."""
    short, long = sorted((left, right), key=len)
    return long.startswith(short + "-")


def _one_party(left: dict[str, Any], right: dict[str, Any]) -> bool:
    """Two actors that name one party: a lead names it briefly and the next sentence in full ("to
    Tajikistan", then "to the Emergencies Committee under the Government of Tajikistan"), or names
    the state first and its body next (a body of no other known country is that state's), or the
    two are names of one state ("the United States", "the U.S.")."""
    short, long = sorted((squash(left["name"]), squash(right["name"])), key=len)
    return (
        _names_within(short, long) or _state_and_its_body(left, right) or _same_state(left, right)
        or _same_body(left["name"], right["name"]) or one_name(left["name"], right["name"])
    )


def _same_body(left: str, right: str) -> bool:
    """One body named with its state before or after: "BiH Armed Forces", "the Armed Forces of BiH",
    "Chile's Navy"."""
    first, second = body_and_state(left), body_and_state(right)
    return first is not None and first == second


def _actor(record: dict[str, Any], path: str) -> dict[str, Any]:
    value = record.get(path.split(".")[0])
    return value if isinstance(value, dict) else {}


def _same_state(left: dict[str, Any], right: dict[str, Any]) -> bool:
    same_code = left.get("country") is not None and left.get("country") == right.get("country")
    return left.get("kind") == right.get("kind") == "country" and same_code


def _state_and_its_body(left: dict[str, Any], right: dict[str, Any]) -> bool:
    for state, body in ((left, right), (right, left)):
        if state.get("kind") == "country" and body.get("kind") not in ("country", "person", None):
            return body.get("country") in (None, state.get("country"))
    return False


def _names_within(short: str, long: str) -> bool:
    return re.search(rf"(?<![\w’']){re.escape(short)}(?![\w’'])", long) is not None


def _distance(a: Record, b: Record) -> int:
    return min(abs(x.start - y.start) for x in a.evidence for y in b.evidence)


def _union(left: list[Any], right: list[Any]) -> list[Any]:
    merged = list(left)
    seen = names_in(left) | {repr(v) for v in left if not isinstance(v, (dict, str))}
    for value in right:
        key = next(iter(names_in([value])), repr(value))
        if key in seen:
            continue
        same = next((i for i, old in enumerate(merged) if _same_goods(old, value)), None)
        if same is not None:
            # "survival equipment", later "the equipment": one item; the fuller words stay.
            if len(key) > len(next(iter(names_in([merged[same]])), "")):
                merged[same] = value
        else:
            merged.append(value)
        seen.add(key)
    return merged


def _same_goods(left: Any, right: Any) -> bool:
    """Two items of which one is the other's head noun ("equipment" and "survival equipment")."""
    if not (isinstance(left, dict) and isinstance(right, dict) and "description" in left and "description" in right):
        return False
    if not (left.get("description") and right.get("description")):
        return False
    if left.get("quantity") is not None and right.get("quantity") is not None and left["quantity"] != right["quantity"]:
        return False
    short, long = sorted((squash(left["description"]), squash(right["description"])), key=len)
    return long.endswith(" " + short)


def combine(a: Record, b: Record, text: str | None = None) -> Record:
    """`a` completed from `b`: a's values win, lists and evidence are united. With the document's
    `text`, a start told in one and an end told in the other make one course."""
    data = a.model_dump(mode="json")
    other = b.model_dump(mode="json")
    kind = entry(a.record_type)
    for key, value in other.items():
        if key in ("id", "doc_id", "record_type"):
            continue
        if key == "evidence":
            spans = {(e["start"], e["end"]): e for e in data["evidence"] + value}
            data["evidence"] = [spans[k] for k in sorted(spans)]
        elif isinstance(value, list):
            data[key] = _union(*_specific(a.record_type, key, data.get(key) or [], value))
        elif data.get(key) is None:
            data[key] = value
        elif key in kind.identifying and kind.identity_key(key, data[key]) is None and (
            kind.identity_key(key, value) is not None
        ):
            data[key] = value  # an agreement's kind "other", then "memorandum": the kind the text names
        elif _is_fuller_actor(data[key], value):
            data[key] = value  # GUIDE §3: the fullest name the article uses for the party
        elif text is not None and (course := _one_course(text, (data[key], a), (value, b))) is not None:
            data[key] = course  # "began on June 12", then "will last until June 16"
        elif _is_finer_date(data[key], value):
            data[key] = value  # the lead's "2017", then "on May 15": the day it happened
        elif key in kind.fuller_phrase_wins and _is_fuller_phrase(data[key], value):
            data[key] = value  # "exercises", then "joint exercises": the fuller kind words
    return with_stable_id(type(a).model_validate(data))


def _is_fuller_phrase(current: Any, other: Any) -> bool:
    """'joint naval exercise' after 'naval exercise': more words before the same head."""
    if not (isinstance(current, str) and isinstance(other, str)):
        return False
    return len(other) > len(current) and squash(other).lower().endswith(" " + squash(current).lower())


def _specific(record_type: str, key: str, left: list[Any], right: list[Any]) -> tuple[list[Any], list[Any]]:
    """Two lists to unite, without a side that names only kinds when the other names specifics:
    "handed over equipment", then "the assistance includes two radars and ten cameras"."""
    general = entry(record_type).is_general
    left_general = bool(left) and all(general(key, v) for v in left)
    right_general = bool(right) and all(general(key, v) for v in right)
    if left_general and right and not right_general:
        return [], right
    if right_general and left and not left_general:
        return left, []
    return left, right


def _one_course(text: str, *dated: tuple[Any, Record]) -> dict[str, Any] | None:
    """One event's course told in two sentences (GUIDE §4 and its rulings): "began on June 12", then
    "will last until June 16" or "ended on June 16": the first day from the start's date, the last
    from the end's, the words the start's. Each date is read where its record's evidence says it."""
    parts: dict[str, dict[str, Any]] = {}
    for date, record in dated:
        if not (isinstance(date, dict) and isinstance(date.get("text"), str) and date.get("end")):
            return None
        said = next((e for e in record.evidence if date["text"] in e.text), None)
        if said is None:
            return None
        at = said.start + said.text.index(date["text"])
        part = part_of_course(text, at, at + len(date["text"]))
        parts["start" if part == "start" else "end" if part in ("end", "until") else "other"] = date
    first, last = parts.get("start"), parts.get("end")
    if first is None or last is None or first.get("start") != first["end"] or len(last["end"]) != len(first["end"]):
        return None
    if last["end"] <= first["end"]:
        return None
    return {**first, "end": last["end"]}


def _is_finer_date(current: Any, other: Any) -> bool:
    if not (isinstance(current, dict) and isinstance(other, dict)):
        return False
    if current.get("start") is None and current.get("end") is None and (other.get("start") or other.get("end")):
        # An undated article's "began on April 10", then "X 2014 started on April 10": the same words,
        # which the second sentence's year places (GUIDE, the r30 ruling).
        return squash(str(current.get("text"))) == squash(str(other.get("text")))
    if not (isinstance(current.get("start"), str) and isinstance(other.get("start"), str)):
        return False
    end = other.get("end")
    if current["start"] == other["start"] and current.get("end") == current["start"] and (
        isinstance(end, str) and len(end) == len(current["start"]) and end > current["start"]
    ):
        return True  # "started on December 16", then "held from December 16 to 29": the whole course
    return _within_date(current["start"], other["start"]) and len(other["start"]) > len(current["start"])


def _is_fuller_actor(current: Any, other: Any) -> bool:
    """`other` names the same party more fully, or names the body of the state `current` names."""
    if not (isinstance(current, dict) and isinstance(other, dict) and current.get("name") and other.get("name")):
        return False
    short, long = squash(current["name"]), squash(other["name"])
    if len(long) > len(short) and (_names_within(short, long) or one_name(current["name"], other["name"])):
        return True  # "Border Service", then "Border Service of Mongolia"; "EU", then "European Union"
    return current.get("kind") == "country" and _state_and_its_body(current, other)


def merge_records(
    records: list[Record], new_events: set[str] | None = None, continuations: set[str] | None = None,
    text: str | None = None,
) -> list[Record]:
    """Records of one document, duplicates and fragments merged, in order of first evidence.

    A record whose id is in `new_events` was stated as an event of its own ("a two-day drill took
    place"): it merges only with a record of the same event, never as a fragment. One whose id is in
    `continuations` was read from a sentence that speaks of the event just told again ("It includes
    a radar station and ..."): it joins the nearest record before it, however far.
    """
    # Records told only by title lines (a headline, a repeated page title) come last: the article's
    # sentences tell the event, and the headline joins it as a fragment rather than the other way round.
    ordered = sorted(records, key=lambda r: (_only_titles(r), r.evidence[0].start, r.record_type))
    merged: list[Record] = []
    for record in ordered:
        starts, continues = record.id in (new_events or set()), record.id in (continuations or set())
        target = _merge_target(record, merged, starts, continues)
        tensed = getattr(record, "status", None) is not None
        if target is None and tensed and text is not None and _headline(record, text):
            # A headline tells a past event in the present ("EU gives equipment to Serbia"): its tense
            # says nothing against the status the article's sentences give the same delivery.
            untensed = record.model_copy(update={"status": None})
            target = _merge_target(untensed, merged, starts, continues)
            record = untensed if target is not None else record
        if target is None:
            merged.append(record)
            continue
        merged[target] = combine(merged[target], record, text)
    merged = _with_the_articles_values(_into_the_one_named(merged, text))
    return sorted(merged, key=lambda r: (r.evidence[0].start, r.record_type))


def _with_the_articles_values(records: list[Record]) -> list[Record]:
    """An article that tells one signing often lists the documents signed in sentences of their own,
    without naming the parties again ("The agreements cover A, B and C"). A record that lacks its core
    and is another document than each complete record of its type (it merges with none: another
    topic, kind or date) takes the `article_wide` fields from them when they all give one value and
    one tells several documents ("signed seven agreements"), with the evidence that names it."""
    result = list(records)
    for record_type, kind, fields in _each_type(result, lambda kind: bool(kind.article_wide)):
        complete = [r for r in result if id(r) in fields and kind.missing_core(fields[id(r)]) is None]
        for path in kind.article_wide:
            values = {frozenset(names_in(fields[id(r)].get(path))) for r in complete}
            if len(values) != 1 or not next(iter(values)):
                continue
            if not any(kind.lends_article_wide(fields[id(r)]) for r in complete):
                continue
            source = complete[0]
            for index, record in enumerate(result):
                data = fields.get(id(record))
                if data is None or kind.missing_core(data) is None or data.get(path):
                    continue
                if any(_compatible(record_type, data, fields[id(other)]) for other in complete):
                    continue
                result[index] = _with_value_of(record, source, path)
    return result


def _each_type(
    records: list[Record], wanted: Callable[[RecordTypeEntry], bool]
) -> Iterator[tuple[str, RecordTypeEntry, dict[int, dict[str, Any]]]]:
    """Each record type among `records` whose entry is `wanted`, with its records' fields by `id`,
    read when the type's turn comes (a caller may have replaced records of the types before)."""
    for record_type in dict.fromkeys(r.record_type for r in records):
        kind = entry(record_type)
        if wanted(kind):
            yield record_type, kind, {id(r): r.model_dump(mode="json") for r in records if r.record_type == record_type}


def _with_value_of(record: Record, source: Record, path: str) -> Record:
    """`record` with `source`'s value of `path`, and the evidence of `source` that names it."""
    data = record.model_dump(mode="json")
    value = source.model_dump(mode="json")[path]
    names = names_in(value)
    naming = [e.model_dump(mode="json") for e in source.evidence if any(n in squash(e.text) for n in names)]
    spans = {(e["start"], e["end"]): e for e in data["evidence"] + naming}
    data[path], data["evidence"] = value, [spans[k] for k in sorted(spans)]
    return with_stable_id(type(record).model_validate(data))


def _into_the_one_named(records: list[Record], text: str | None = None) -> list[Record]:
    """A lead often tells an event before the article gives its name ("Kuwaiti and US forces began a
    joint exercise on Sunday", then "Invincible Sentry 2018 involves ..."). In an article that names
    one event of a type, a record told before the name, complete enough to stand on its own, and
    contradicting it on no identifying field is that event. Once the name is given, an event told
    anew without it ("A week later a rescue drill was held ...") is another; a remark that is no
    record ("why Moscow watches them") joins nothing. Only for types whose articles rarely tell two
    events at once (`fragments_join_any_distance`)."""
    result = list(records)
    for record_type, kind, fields in _each_type(result, lambda kind: kind.fragments_join_any_distance):
        named = [r for r in result if id(r) in fields and not kind.is_fragment(fields[id(r)])]
        if len(named) != 1:
            continue
        target = named[0]
        told_before = [
            r for r in result
            if id(r) in fields and r is not target and r.evidence[0].start < target.evidence[0].start
            and kind.missing_core(fields[id(r)]) is None
        ]
        target_fields = fields[id(target)]
        for record in told_before:
            if _compatible(record_type, target_fields, fields[id(record)]):
                result.remove(record)
                joined = combine(target, record, text)
                result[result.index(target)] = joined
                target, target_fields = joined, joined.model_dump(mode="json")
    return result


def _headline(record: Record, text: str) -> bool:
    """Told only by lines of their own without a sentence's closing punctuation: a headline (a
    clause the sentence split cut off, "X has pledged two boats, and Y ...", ends inside its line)."""
    return _only_titles(record) and all(text[e.end : e.end + 1] in ("", "\n", "\r") for e in record.evidence)


def _only_titles(record: Record) -> bool:
    """Every evidence is a line that ends without a sentence's closing punctuation: a title."""
    return all(not re.search(r"[.!?:;,…\"”»’')]\s*$", e.text) for e in record.evidence)


def _merge_target(record: Record, merged: list[Record], starts_event: bool, continues: bool = False) -> int | None:
    data = record.model_dump(mode="json")
    record_type = data["record_type"]
    candidates = [
        (index, existing.model_dump(mode="json"))
        for index, existing in reversed(list(enumerate(merged)))
        if existing.record_type == record_type
    ]
    kind = entry(record_type)
    candidates = [(index, other) for index, other in candidates if _compatible(record_type, other, data)]
    # Nearest first: a headline (merged last) joins the lead just below it, not the last paragraph.
    candidates.sort(key=lambda pair: _distance(merged[pair[0]], record))
    # The same event first, wherever it is ("Caspian 2006" named again three paragraphs on) ...
    for index, other in candidates:
        if kind.same_event(other, data):
            return index
    if starts_event:
        return None
    if continues:
        before = [i for i, _ in candidates if merged[i].evidence[0].start < record.evidence[0].start]
        if before:
            return before[0]
    # ... then the nearest record a fragment continues.
    for index, other in candidates:
        if kind.fragments_join_any_distance and (kind.is_fragment(data) or kind.is_fragment(other)):
            return index
        if kind.is_fragment(data) and _distance(merged[index], record) <= FRAGMENT_DISTANCE:
            return index
    return None
