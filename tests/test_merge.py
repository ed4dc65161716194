"""Merging fragments of one event: the lead names a party briefly, the next sentence in full."""

from __future__ import annotations

from typing import Any

from pipeline.merge import merge_records
from schemas import AidDelivery, Evidence, with_stable_id


def _aid(start: int, **fields: Any) -> AidDelivery:
    evidence = [Evidence(text="x" * 10, start=start, end=start + 10)]
    record = AidDelivery(id="", doc_id="d", evidence=evidence, **fields)
    return with_stable_id(record)  # type: ignore[return-value]


def test_a_state_then_its_body_is_one_recipient() -> None:
    lead = _aid(0, donor={"name": "Norway", "kind": "country", "country": "NO"},
                recipient={"name": "Georgia", "kind": "country", "country": "GE"},
                items=[{"description": "radios"}], status="delivered")
    detail = _aid(80, recipient={"name": "Coast Guard of the Border Police", "kind": "security_service"},
                  value={"text": "$2 million", "amount": 2e6, "currency": "USD"}, status="delivered")
    merged = merge_records([lead, detail])
    assert len(merged) == 1
    record = merged[0].model_dump()
    assert record["recipient"]["name"] == "Coast Guard of the Border Police"
    assert record["donor"]["name"] == "Norway"
    assert record["value"]["amount"] == 2e6


def test_a_body_of_another_country_is_another_recipient() -> None:
    lead = _aid(0, donor={"name": "Norway", "kind": "country", "country": "NO"},
                recipient={"name": "Georgia", "kind": "country", "country": "GE"},
                items=[{"description": "radios"}], status="delivered")
    other = _aid(80, recipient={"name": "Ukrainian Navy", "kind": "military_unit", "country": "UA"},
                 items=[{"description": "boats"}], status="delivered")
    assert len(merge_records([lead, other])) == 2


def test_the_fuller_name_of_one_party_wins() -> None:
    lead = _aid(0, donor={"name": "Japan", "kind": "country", "country": "JP"},
                recipient={"name": "Border Service", "kind": "security_service"},
                items=[{"description": "radios"}], status="pledged")
    detail = _aid(80, recipient={"name": "Border Service of Mongolia", "kind": "security_service",
                                 "country": "MN"}, status="pledged")
    assert merge_records([lead, detail])[0].model_dump()["recipient"]["name"] == "Border Service of Mongolia"


def test_a_lead_with_the_year_and_a_detail_with_the_day_are_one_delivery() -> None:
    lead = _aid(0, donor={"name": "Finland", "kind": "country", "country": "FI"},
                recipient={"name": "Moldova", "kind": "country", "country": "MD"},
                items=[{"description": "rescue equipment"}], status="delivered",
                date={"text": "2021", "start": "2021", "end": "2021", "precision": "year"})
    detail = _aid(80, recipient={"name": "General Inspectorate for Emergency Situations", "kind": "government_body"},
                  items=[{"description": "equipment"}], status="delivered",
                  date={"text": "June 3", "start": "2021-06-03", "end": "2021-06-03", "precision": "day"})
    merged = merge_records([lead, detail])
    assert len(merged) == 1
    record = merged[0].model_dump()
    assert record["date"]["start"] == "2021-06-03"  # the finer date of the same event
    assert [i["description"] for i in record["items"]] == ["rescue equipment"]  # "the equipment" is the same goods


def test_two_different_days_are_two_deliveries() -> None:
    first = _aid(0, donor={"name": "Finland", "kind": "country", "country": "FI"},
                 items=[{"description": "radios"}], status="delivered",
                 date={"text": "June 3", "start": "2021-06-03", "end": "2021-06-03", "precision": "day"})
    second = _aid(80, donor={"name": "Finland", "kind": "country", "country": "FI"},
                  items=[{"description": "radios"}], status="delivered",
                  date={"text": "June 9", "start": "2021-06-09", "end": "2021-06-09", "precision": "day"})
    assert len(merge_records([first, second])) == 2


def test_goods_of_another_count_stay_apart() -> None:
    lead = _aid(0, donor={"name": "Finland", "kind": "country", "country": "FI"},
                items=[{"description": "patrol boats", "quantity": 2}], status="delivered")
    detail = _aid(80, items=[{"description": "boats", "quantity": 4}], status="delivered")
    items = merge_records([lead, detail])[0].model_dump()["items"]
    assert [(i["description"], i["quantity"]) for i in items] == [("patrol boats", 2), ("boats", 4)]


def test_a_headline_joins_the_lead_below_it_not_a_later_paragraph() -> None:
    from schemas import Exercise

    def exercise(start: int, text: str, **fields: Any) -> Exercise:
        evidence = [Evidence(text=text, start=start, end=start + len(text))]
        return with_stable_id(Exercise(id="", doc_id="d", evidence=evidence, **fields))  # type: ignore[return-value]

    headline = exercise(0, "Chile hosts Andes Shield 2019 exercise", name="Andes Shield 2019")
    lead = exercise(60, "Forces from Chile and Peru began a joint drill on May 3.",
                    participants=[{"name": "Chile"}, {"name": "Peru"}],
                    date={"text": "May 3", "start": "2019-05-03", "end": "2019-05-03", "precision": "day"})
    history = exercise(900, "The exercise series has been held since 2001.",
                       date={"text": "since 2001", "start": "2001", "end": "2001", "precision": "year"})
    merged = [r.model_dump() for r in merge_records([headline, lead, history], new_events={lead.id})]
    named = [r for r in merged if r["name"] == "Andes Shield 2019"]
    assert len(named) == 1 and [p["name"] for p in named[0]["participants"]] == ["Chile", "Peru"]
    assert [r["evidence"][0]["start"] for r in merged] == sorted(r["evidence"][0]["start"] for r in merged)


def test_goods_listed_later_replace_goods_named_only_by_their_kind() -> None:
    finland = {"name": "Finland", "kind": "country", "country": "FI"}
    headline = _aid(0, donor=finland, recipient={"name": "Moldova", "kind": "country", "country": "MD"},
                    items=[{"description": "special equipment"}], status="delivered")
    lead = _aid(900, donor=finland, recipient={"name": "Moldova", "kind": "country", "country": "MD"},
                items=[{"description": "military hardware"}], status="delivered")
    listed = _aid(1000, items=[{"description": "thermal cameras", "quantity": 12},
                               {"description": "radio sets", "quantity": 40}], status="delivered")
    merged = merge_records([headline, lead, listed])
    # The headline's "special equipment" is the same delivery, though far from the list.
    assert len(merged) == 1
    items = merged[0].model_dump()["items"]
    assert [(i["description"], i["quantity"]) for i in items] == [("thermal cameras", 12), ("radio sets", 40)]


def test_goods_that_say_which_equipment_are_not_replaced() -> None:
    lead = _aid(0, donor={"name": "Finland", "kind": "country", "country": "FI"},
                items=[{"description": "video surveillance equipment"}], status="delivered")
    listed = _aid(80, items=[{"description": "cameras", "quantity": 12}], status="delivered")
    items = merge_records([lead, listed])[0].model_dump()["items"]
    assert [i["description"] for i in items] == ["video surveillance equipment", "cameras"]


def test_a_body_named_with_its_state_before_or_after_is_one_recipient() -> None:
    finland = {"name": "Finland", "kind": "country", "country": "FI"}
    lead = _aid(0, donor=finland, recipient={"name": "Moldovan Border Police", "kind": "security_service"},
                items=[{"description": "radios"}], status="delivered")
    detail = _aid(80, recipient={"name": "Border Police of Moldova", "kind": "security_service"},
                  value={"text": "$2 million", "amount": 2e6, "currency": "USD"}, status="delivered")
    assert len(merge_records([lead, detail])) == 1
    other = _aid(80, recipient={"name": "Border Police of Ukraine", "kind": "security_service"},
                 items=[{"description": "boats"}], status="delivered")
    assert len(merge_records([lead, other])) == 2


def test_one_state_giving_the_same_number_of_things_is_one_delivery() -> None:
    headline = _aid(0, donor={"name": "Chile", "kind": "country", "country": "CL"},
                    recipient={"name": "Peruvian Navy", "kind": "military_unit", "country": "PE"},
                    items=[{"description": "patrol boats", "quantity": 12}], status="delivered")
    lead = _aid(900, donor={"name": "Government of Chile", "kind": "government_body", "country": "CL"},
                recipient={"name": "Peruvian Navy", "kind": "military_unit", "country": "PE"},
                items=[{"description": "Defender-class boats", "quantity": 12}], status="delivered")
    assert len(merge_records([headline, lead])) == 1
    other_count = _aid(900, donor={"name": "Government of Chile", "kind": "government_body", "country": "CL"},
                       recipient={"name": "Peruvian Navy", "kind": "military_unit", "country": "PE"},
                       items=[{"description": "Defender-class boats", "quantity": 3}], status="delivered")
    assert len(merge_records([headline, other_count])) == 2


def test_a_name_and_its_initials_are_one_donor() -> None:
    from pipeline.text import one_name

    assert one_name("EU", "European Union") and one_name("OSCE", "Organization for Security and Co-operation in Europe")
    assert not one_name("EU", "European Commission") and not one_name("UN", "United")
    headline = _aid(0, donor={"name": "EU", "kind": "international_org"},
                    recipient={"name": "Moldovan border guards", "kind": "security_service", "country": "MD"},
                    items=[{"description": "equipment"}], status="delivered")
    listed = _aid(900, donor={"name": "European Union", "kind": "international_org"},
                  items=[{"description": "minibuses", "quantity": 6}], status="delivered")
    merged = [r.model_dump() for r in merge_records([headline, listed])]
    assert len(merged) == 1
    assert merged[0]["donor"]["name"] == "European Union" and merged[0]["items"][0]["description"] == "minibuses"


def test_the_signers_of_the_agreement_told_before_are_its_parties() -> None:
    from schemas import Agreement

    def agreement(start: int, text: str, **fields: Any) -> Agreement:
        evidence = [Evidence(text=text, start=start, end=start + len(text))]
        return with_stable_id(Agreement(id="", doc_id="d", evidence=evidence, **fields))  # type: ignore[return-value]

    lead = agreement(0, "Chile and Peru on Monday signed a partnership agreement on maritime security.",
                     parties=[{"name": "Chile", "kind": "country", "country": "CL"},
                              {"name": "Peru", "kind": "country", "country": "PE"}],
                     kind="agreement", status="signed")
    signers = agreement(80, "The partnership was signed in Lima by Chilean Defence Minister Ana Ruiz and "
                            "Peruvian Defence Minister Luis Paz.",
                        parties=[{"name": "Ana Ruiz", "kind": "person", "country": "CL"},
                                 {"name": "Luis Paz", "kind": "person", "country": "PE"}],
                        kind="other", status="signed")
    merged = merge_records([lead, signers])
    assert len(merged) == 1
    record = merged[0].model_dump()
    assert [p["name"] for p in record["parties"]] == ["Ana Ruiz", "Luis Paz"]
    assert record["kind"] == "agreement"  # "other" tells no two agreements apart
    # An agreement told with other parties and no definite signing stays apart.
    other = agreement(200, "Bolivia and Ecuador signed a treaty.", kind="treaty", status="signed",
                      parties=[{"name": "Bolivia", "kind": "country", "country": "BO"},
                               {"name": "Ecuador", "kind": "country", "country": "EC"}])
    assert len(merge_records([lead, signers, other])) == 2
    # "The agreement was signed by ...": the generic noun points back at the memorandum told before.
    memorandum = agreement(0, "The Chilean Navy signed a memorandum of understanding with Peru.",
                           parties=[{"name": "Chilean Navy", "kind": "military_unit", "country": "CL"},
                                    {"name": "Peru", "kind": "country", "country": "PE"}],
                           kind="memorandum", status="signed")
    named_after = agreement(80, "The navy said the agreement was signed by Admiral Ana Ruiz and Luis Paz.",
                            parties=[{"name": "Ana Ruiz", "kind": "person", "country": "CL"},
                                     {"name": "Luis Paz", "kind": "person", "country": "PE"}],
                            kind="agreement", status="signed")
    merged = merge_records([memorandum, named_after])
    assert len(merged) == 1 and merged[0].model_dump()["kind"] == "memorandum"
    # "Dr A signed for Chile while B signed for his country": one signer for each state, the first
    # one's title naming no state; the signers are the parties of the memorandum the lead told.
    for_each = agreement(80, "Dr Ana Ruiz signed for Chile while Peru's Luis Paz signed for his country.",
                         parties=[{"name": "Ana Ruiz", "kind": "person"},
                                  {"name": "Luis Paz", "kind": "person", "country": "PE"}], status="signed")
    merged = merge_records([lead, for_each])
    assert len(merged) == 1 and [p["name"] for p in merged[0].model_dump()["parties"]] == ["Ana Ruiz", "Luis Paz"]
    # Two people of one state are not the signers for two states.
    same_state = for_each.model_copy(update={"parties": [{"name": "Ana Ruiz", "kind": "person", "country": "PE"},
                                                          {"name": "Luis Paz", "kind": "person", "country": "PE"}]})
    assert len(merge_records([lead, same_state])) == 2


def test_a_start_day_then_the_whole_course_from_that_day_takes_the_course() -> None:
    from schemas import Exercise

    def exercise(start: int, date: dict[str, Any]) -> Exercise:
        evidence = [Evidence(text="x" * 10, start=start, end=start + 10)]
        record = Exercise(id="", doc_id="d", evidence=evidence, name="Sea Lynx", date=date)
        return with_stable_id(record)  # type: ignore[return-value]

    def day(text: str, start: str, end: str) -> dict[str, Any]:
        return {"text": text, "start": start, "end": end, "precision": "day"}

    started = exercise(0, day("December 16", "2031-12-16", "2031-12-16"))
    course = exercise(80, day("December 16-29, 2031", "2031-12-16", "2031-12-29"))
    merged = merge_records([started, course])
    assert len(merged) == 1 and merged[0].model_dump()["date"]["end"] == "2031-12-29"
    # Another day's range is no fuller statement of this one.
    other = exercise(80, day("December 17-29, 2031", "2031-12-17", "2031-12-29"))
    assert merge_records([started, other])[0].model_dump()["date"]["end"] == "2031-12-16"


def _exercise(start: int, **fields: Any) -> Any:
    from schemas import Exercise

    evidence = [Evidence(text="x" * 10, start=start, end=start + 10)]
    return with_stable_id(Exercise(id="", doc_id="d", evidence=evidence, **fields))


def test_a_lead_that_tells_the_exercise_before_its_name_is_the_named_exercise() -> None:
    # "Tarvian and Norland troops began a joint exercise on Sunday." ... "Iron Heron 2031 involves ..."
    day = {"text": "Sunday", "start": "2031-05-04", "end": "2031-05-04", "precision": "day"}
    lead = _exercise(0, description="joint exercise", date=day)
    states = [{"name": name, "kind": "country", "country": None} for name in ("Tarvia", "Norland")]
    named = _exercise(90, name="Iron Heron 2031", participants=states)
    merged = merge_records([lead, named], new_events={lead.id, named.id})
    assert len(merged) == 1
    record = merged[0].model_dump()
    assert record["name"] == "Iron Heron 2031" and record["date"]["start"] == "2031-05-04"


def test_an_unnamed_exercise_told_after_the_name_is_another() -> None:
    # "Iron Heron 2031 ..." then "A week later a rescue drill was held off Port Vell."
    named = _exercise(0, name="Iron Heron 2031", description="naval exercise")
    later = _exercise(200, description="rescue drill", location="Port Vell")
    assert len(merge_records([named, later], new_events={named.id, later.id})) == 2


def test_a_remark_before_the_name_is_no_part_of_the_exercise() -> None:
    # "... which is why Tarvia watches them so closely." before "Iron Heron 2031 ..."
    remark = _exercise(0, observers=[{"name": "Tarvia", "kind": "country", "country": None}])
    named = _exercise(90, name="Iron Heron 2031", description="naval exercise")
    merged = merge_records([remark, named], new_events={remark.id, named.id})
    assert [r.model_dump()["observers"] for r in merged if r.model_dump()["name"]] == [[]]


def test_an_unnamed_exercise_of_another_day_stays_apart_from_the_named_one() -> None:
    lead = _exercise(0, description="joint exercise",
                     date={"text": "May 4", "start": "2031-05-04", "end": "2031-05-04", "precision": "day"})
    named = _exercise(90, name="Iron Heron 2031",
                      date={"text": "June 9", "start": "2031-06-09", "end": "2031-06-09", "precision": "day"})
    assert len(merge_records([lead, named], new_events={lead.id, named.id})) == 2


def test_the_fuller_kind_words_of_one_exercise_win() -> None:
    short = _exercise(0, name="Iron Heron 2031", description="exercises")
    full = _exercise(90, name="Iron Heron 2031", description="joint exercises")
    assert merge_records([short, full])[0].model_dump()["description"] == "joint exercises"
    assert merge_records([_exercise(0, name="Iron Heron 2031", description="joint exercises"),
                          _exercise(90, name="Iron Heron 2031", description="exercises")])[0].description == (
        "joint exercises")
    # Other kind words are no fuller statement of the first.
    other = _exercise(90, name="Iron Heron 2031", description="air defence exercises")
    assert merge_records([_exercise(0, name="Iron Heron 2031", description="naval exercises"), other])[
        0].description == "naval exercises"


def test_one_named_exercise_told_starting_and_ending_on_two_days_is_one() -> None:
    # "Iron Heron 2031 ended on 20 September." ... "Iron Heron 2031 started on 9 September in Port Vell."
    ended = _exercise(0, name="Iron Heron 2031",
                      date={"text": "20 September", "start": "2031-09-20", "end": "2031-09-20", "precision": "day"})
    started = _exercise(500, name="Iron Heron 2031", location="Port Vell",
                        date={"text": "9 September", "start": "2031-09-09", "end": "2031-09-09", "precision": "day"})
    assert len(merge_records([ended, started], new_events={ended.id, started.id})) == 1
    # A name without its year, told in two years, is two editions.
    this_year = _exercise(0, name="Iron Heron",
                          date={"text": "9 September", "start": "2031-09-09", "end": "2031-09-09", "precision": "day"})
    first = _exercise(500, name="Iron Heron",
                      date={"text": "2008", "start": "2008", "end": "2008", "precision": "year"})
    assert len(merge_records([this_year, first], new_events={this_year.id, first.id})) == 2


def test_a_headline_s_present_tense_does_not_keep_it_from_the_delivery_it_tells() -> None:
    def aid(start: int, text: str, **fields: Any) -> AidDelivery:
        evidence = [Evidence(text=text, start=start, end=start + len(text))]
        return with_stable_id(AidDelivery(id="", doc_id="d", evidence=evidence, **fields))  # type: ignore[return-value]

    eu = {"name": "European Union", "kind": "international_org"}
    chile = {"name": "Chile", "kind": "country", "country": "CL"}
    headline = aid(0, "EU gives radios to Chile", donor=eu, recipient=chile,
                   items=[{"description": "radios"}], status="delivered")
    lead = aid(40, "The European Union said it was providing Chile with radios and boats.", donor=eu,
               recipient=chile, items=[{"description": "radios"}, {"description": "boats"}], status="ongoing")
    text = "EU gives radios to Chile\n\n".ljust(40) + lead.evidence[0].text
    merged = merge_records([headline, lead], text=text)
    assert len(merged) == 1
    assert merged[0].model_dump()["status"] == "ongoing"  # the article's sentence gives it
    # A clause the sentence split cut off ends inside its line: no headline, its tense stands.
    clause = aid(0, "EU gives radios to Chile", donor=eu, recipient=chile,
                 items=[{"description": "radios"}], status="delivered")
    cut_off = "EU gives radios to Chile, and ".ljust(40) + lead.evidence[0].text
    assert len(merge_records([clause, lead], text=cut_off)) == 2
    # Two sentences of the article with two statuses stay two deliveries.
    later = aid(200, "The EU will give Chile radios next year.", donor=eu, recipient=chile,
                items=[{"description": "radios"}], status="pledged")
    assert len(merge_records([lead, later], text=text)) == 2


def test_agreements_one_sentence_lists_by_topic_stay_apart() -> None:
    from schemas import Agreement

    sentence = "Chile and Peru signed agreements on fisheries and border security."
    states = [{"name": "Chile", "kind": "country", "country": "CL"},
              {"name": "Peru", "kind": "country", "country": "PE"}]

    def listed(subject: str) -> Agreement:
        evidence = [Evidence(text=sentence, start=0, end=len(sentence))]
        record = Agreement(id="", doc_id="d", evidence=evidence, parties=states, kind="agreement", status="signed",
                           subject=subject)
        return with_stable_id(record)  # type: ignore[return-value]

    assert [r.model_dump()["subject"] for r in merge_records([listed("fisheries"), listed("border security")])] == [
        "fisheries", "border security"]
    # The same words read twice with one subject are one record.
    assert len(merge_records([listed("fisheries"), listed("fisheries")])) == 1


def test_a_start_and_an_end_told_in_two_sentences_make_one_course() -> None:
    # GUIDE §4 rulings: "began on June 12" ... "will last until June 16" -> June 12 to June 16, the
    # words the start's; "ended on June 16" the same.
    text = "Iron Heron 2031 began in Port Vell on June 12. The exercise will last until June 16."
    day = {"text": "June 12", "start": "2031-06-12", "end": "2031-06-12", "precision": "day"}
    until = {"text": "June 16", "start": None, "end": "2031-06-16", "precision": "day"}

    def told(sentence: str, **fields: Any) -> Any:
        from schemas import Exercise

        at = text.index(sentence)
        evidence = [Evidence(text=sentence, start=at, end=at + len(sentence))]
        return with_stable_id(Exercise(id="", doc_id="d", evidence=evidence, **fields))

    started = told("Iron Heron 2031 began in Port Vell on June 12.", name="Iron Heron 2031", date=day)
    lasting = told("The exercise will last until June 16.", name="Iron Heron 2031", date=until)
    merged = merge_records([started, lasting], text=text)
    assert len(merged) == 1
    assert merged[0].model_dump()["date"] == {**day, "end": "2031-06-16"}
    # Without the text to read the verbs, the start's date stays as it is.
    assert merge_records([started, lasting])[0].model_dump()["date"] == day
    # Two days told by no start or end verb are no course.
    text = "Iron Heron 2031 was held in Port Vell on June 12. Its parade was on June 16."
    held = told("Iron Heron 2031 was held in Port Vell on June 12.", name="Iron Heron 2031", date=day)
    parade = told("Its parade was on June 16.", name="Iron Heron 2031",
                  date={"text": "June 16", "start": "2031-06-16", "end": "2031-06-16", "precision": "day"})
    assert merge_records([held, parade], text=text)[0].model_dump()["date"] == day


def _agreement_told(text: str, sentence: str, **fields: Any) -> Any:
    from schemas import Agreement

    at = text.index(sentence)
    evidence = [Evidence(text=sentence, start=at, end=at + len(sentence))]
    return with_stable_id(Agreement(id="", doc_id="d", evidence=evidence, **fields))


_TARVIA_AND_VELL = [{"name": "Tarvia", "kind": "country", "country": None},
                    {"name": "Vell", "kind": "country", "country": None}]


def test_documents_of_one_signing_listed_later_take_its_parties() -> None:
    # GUIDE rulings: "N memoranda in the fields of A, B and C" are one record per field; a sentence that
    # lists them after the signing was told names no parties again.
    lead = "Tarvia and Vell signed six agreements in Port Vell on Monday."
    listing = "We will be signing memoranda in the fields of fisheries and mining, the minister said."
    text = f"{lead} {listing}"
    signing = _agreement_told(text, lead, parties=_TARVIA_AND_VELL, kind="agreement", status="signed")
    topics = [_agreement_told(text, listing, kind="memorandum", status="signed", subject=s)
              for s in ("fisheries", "mining")]
    merged = merge_records([signing, *topics], text=text)
    assert [(r.model_dump()["subject"], [p["name"] for p in r.model_dump()["parties"]]) for r in merged] == [
        (None, ["Tarvia", "Vell"]), ("fisheries", ["Tarvia", "Vell"]), ("mining", ["Tarvia", "Vell"])]
    # The parties' words are evidence of each listed document.
    assert all(r.evidence[0].text == lead for r in merged)


def test_a_document_on_another_topic_is_one_of_the_several_signed() -> None:
    lead = "Tarvia and Vell signed six agreements on trade on Monday."
    other = "A framework agreement on fisheries was also adopted."
    text = f"{lead} {other}"
    signing = _agreement_told(text, lead, parties=_TARVIA_AND_VELL, kind="agreement", status="signed",
                              subject="trade")
    adopted = _agreement_told(text, other, kind="agreement", status="agreed", subject="fisheries")
    merged = merge_records([signing, adopted], text=text)
    assert [r.model_dump()["subject"] for r in merged] == ["trade", "fisheries"]
    assert [p["name"] for p in merged[1].model_dump()["parties"]] == ["Tarvia", "Vell"]


def test_an_agreement_told_without_parties_after_one_signing_stays_incomplete() -> None:
    # One document signed: another agreement the article mentions without its parties (a treaty of
    # years ago, a deal of other states) is not that signing's, and gets no parties from it.
    lead = "Tarvia and Vell signed an agreement on trade on Monday."
    other = "A treaty on fisheries had been in force since 1990."
    text = f"{lead} {other}"
    signing = _agreement_told(text, lead, parties=_TARVIA_AND_VELL, kind="agreement", status="signed",
                              subject="trade")
    older = _agreement_told(text, other, kind="treaty", status="signed", subject="fisheries")
    merged = merge_records([signing, older], text=text)
    assert [r.model_dump()["parties"] for r in merged if r.model_dump()["subject"] == "fisheries"] in ([[]], [])


def test_a_day_without_its_year_gives_way_to_the_same_day_a_later_sentence_places() -> None:
    # An undated article: "began on April 10" has no year; "Iron Heron 2031 started on April 10" places
    # the same words in 2031 (GUIDE, the r30 ruling). A different day left without a year stays.
    from schemas import Exercise

    def told(at: int, date: dict[str, Any]) -> Any:
        evidence = [Evidence(text="x" * 10, start=at, end=at + 10)]
        return with_stable_id(Exercise(id="", doc_id="d", evidence=evidence, name="Iron Heron 2031", date=date))

    unplaced = {"text": "April 10", "start": None, "end": None, "precision": "unknown"}
    placed = {"text": "April 10", "start": "2031-04-10", "end": "2031-04-10", "precision": "day"}
    assert merge_records([told(0, unplaced), told(60, placed)])[0].model_dump()["date"] == placed
    other_day = {"text": "April 12", "start": "2031-04-12", "end": "2031-04-12", "precision": "day"}
    assert merge_records([told(0, unplaced), told(60, other_day)])[0].model_dump()["date"] == unplaced
