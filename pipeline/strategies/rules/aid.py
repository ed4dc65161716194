"""Aid by the sentence's wording: who gives what to whom, how much, in which program, in which status."""

from __future__ import annotations

import re

from pipeline.actors import classify
from pipeline.normalize import find_money
from pipeline.strategies.rules.phrases import (
    CAPITALIZED_PHRASE,
    LEADING_DATE,
    LIST_SPLIT,
    PHRASE_END,
    is_specific_actor,
)

# A specific handover: a transfer verb, and something concrete handed over.
_TRANSFER = re.compile(
    r"\b(deliver(?:s|ed|ing|y)?|donat(?:e|es|ed|ing|ion)|hand(?:s|ed|ing)? over|receiv(?:e|es|ed|ing)|"
    r"offer(?:s|ed|ing)?|"
    r"suppl(?:y|ies|ied|ying)(?!\s+(?:vessels?|ships?|chains?|routes?|lines?|depots?|bases?|convoys?))|"
    r"provid(?:e|es|ed|ing)|provision|transfer(?:s|red|ring)?|grant(?:s|ed|ing)?|gave|give[sn]?|gift(?:ed)?|"
    r"pledg(?:e|es|ed|ing)|promis(?:e|es|ed|ing)|assist(?:s|ed|ing)?|help(?:s|ed|ing)?|fund(?:s|ed|ing)?|"
    r"financ(?:e|es|ed|ing)|equip(?:s|ped|ping)?|train(?:s|ed)?)\b",
    re.IGNORECASE,
)


_CONCRETE = re.compile(
    r"\b((?!(?:19|20)\d\d\b)\d[\d,]*|one|two|three|four|five|six|seven|eight|nine|ten|dozen|boats?|ships?|vessels?|helicopters?|"
    r"aircraft|planes?|vehicles?|trucks?|radars?|equipment|hardware|weapons?|arms|rifles|ammunition|uniforms|"
    r"trailers?|spare parts|facilities|training|courses?|funds?|grants?|computers?|scanners?|gear|kits?|"
    r"stations?|devices?|simulators?|patrol|communications|instructors?)\b",
    re.IGNORECASE,
)


# Lower case only: "May 18" is a date, "may" a hedge.
_HEDGED = re.compile(r"\b(may|might|could|would|should|if|whether|suggests?|perhaps)\b|\?\s*$")


def states_specific_aid(sentence: str) -> bool:
    """A transfer verb with a concrete object, and not a hedged or rhetorical sentence."""
    if trains(sentence):
        return True
    return bool(_TRANSFER.search(sentence) and (_CONCRETE.search(sentence) or find_money(sentence))) and not (
        _HEDGED.search(sentence)
    )


# Organisation names run on in lower case ("Caspian naval division of the Border Service"): take
# everything up to the next bracket, comma or sentence end.
_FROM_TO = re.compile(
    r"\bfrom\s+(?:the\s+)?(?P<donor>[A-Z][^,;()]*?)\s+to\s+(?:the\s+)?(?P<recipient>[A-Z][^,;()]*?)" + PHRASE_END
)


# "South Korea will help Kazakhstan's Navy by delivering ...": the helper gives, the helped receives.
_HELPS = re.compile(
    r"^(?:[^,]*,\s*)?(?:[Tt]he\s+)?(?P<donor>[A-Z][\w.’'\-]*(?:\s+[A-Z][\w.’'\-]*)*)\s+(?:\w+\s+){0,4}?"
    r"(?:help|helps|helped|assist|assists|assisted|support|supports|supported|equip|equips|equipped)\s+"
    r"(?:the\s+)?(?P<recipient>[A-Z][^,;()]*?)\s+(?=by|with|in|to|through)\b"
)


_GIVING = (
    r"hand(?:s|ed)? over|hand over|deliver(?:s|ed)?|donat(?:e|es|ed)|suppl(?:y|ies|ied)|transfer(?:s|red)?|gave|"
    r"give[sn]?|provid(?:e|es|ed)|sen[dt]|pledg(?:e|es|ed)|promis(?:e|es|ed)|grant(?:s|ed)?|financ(?:e|es|ed|ing)|"
    r"fund(?:s|ed|ing)?|delivering|donating|supplying|transferring|providing|handing over|sending|granting|"
    r"offer(?:s|ed|ing)?"
)


# "the United States handed over ...", "Russia plans to hand over ...", "China ..., handing over ...".
_GIVER = re.compile(
    rf"(?:^[“\"]?|,\s*|\bwhen\s+|\bthat\s+)(?:[Tt]he\s+)?(?P<donor>{CAPITALIZED_PHRASE})(?:,[^,]+,)?"
    rf"(?:,?\s+which(?:\s+on\s+[A-Z][a-z]+\s+\d{{1,2}})?)?\s+"
    rf"(?:(?:will|would|has|have|had|is|are|was|were|plans?\s+to|also|now|recently|to|considering|planning|"
    rf"preparing|expected|set|due|going|about)\s+)*(?:{_GIVING})\b"
    rf"|^(?:[Tt]he\s+)?(?P<participle_donor>{CAPITALIZED_PHRASE})\s+[^.]*?,\s+"
    r"(?:handing over|delivering|donating|supplying)\b"
)


_TO_RECIPIENT = re.compile(
    rf"\b(?:to|for)\s+(?:the\s+)?(?P<recipient>{CAPITALIZED_PHRASE})(?=\s+(?:at|in|on|during|under|through|as|once|when|after|"
    r"before|by|with|every|each)\s|\s*[(,;]|(?<![A-Z])\.(?:\s|$)|$)"
)


# "Lithuania is training officers of the Georgian Border Police": the trainer gives, the trained receive.
_TRAINS = re.compile(
    rf"^(?:[Tt]he\s+)?(?P<donor>{CAPITALIZED_PHRASE})(?:,[^,]+,)?\s+"
    r"(?:is|are|has been|have been|will be|will)\s+train(?:ing)?\s+"
    rf"(?:\w+\s+of\s+)?(?:the\s+)?(?P<recipient>{CAPITALIZED_PHRASE})"
)


# "the OSCE has been running monthly patrol-tactics courses for officers of the Kyrgyz Border Service"
_RUNS_COURSES = re.compile(
    rf"(?:^|,\s*)(?:[Tt]he\s+)?(?P<donor>{CAPITALIZED_PHRASE})(?:,[^,]+,)?\s+"
    r"(?:(?:has|have|had)\s+been\s+|is\s+|are\s+|also\s+|now\s+)*"
    r"(?:running|runs|ran|organi[sz](?:ing|es|ed)|holding|holds|held|conducting|conducts|conducted|completed|"
    r"offering|offers|offered)\s+(?:a\s+|an\s+)?(?P<course>[^.;]*?\bcourses?)"
    r"(?:\s+(?:in|at)\s+[A-Z][\w’'\-]*(?:\s+[A-Z][\w’'\-]*)*)?\s+for\s+(?:[\d,]+\s+)?"
    rf"(?:\w+\s+of\s+)?(?:the\s+)?(?P<recipient>{CAPITALIZED_PHRASE})"
)
_FREQUENCY = re.compile(
    r"^(?:(?:monthly|weekly|annual|yearly|regular|short|[\w]+-(?:week|month|day|year)(?:-long)?)\s+)+", re.IGNORECASE
)


def trains(sentence: str) -> tuple[str, str, str] | None:
    """(trainer, trained, what) for 'X is training Y' and 'X has been running courses for Y'."""
    body = re.sub(r"^(?:In|At)\s+[^,]+,\s*(?:meanwhile,\s*)?", "", LEADING_DATE.sub("", sentence))
    match = _TRAINS.search(body)
    if match:
        return match.group("donor"), _strip_full_stop(match.group("recipient")), "training"
    course = _RUNS_COURSES.search(body)
    if course:
        what = _FREQUENCY.sub("", course.group("course"))
        return course.group("donor"), _strip_full_stop(course.group("recipient")), what
    return None


def donor_and_recipient(sentence: str) -> tuple[str | None, str | None]:
    """Giver and receiver by the sentence's structure, verbatim: 'from X to Y', 'X handed over ... to Y'.

    A giver that is no one in particular ('These', 'Western governments') is no giver.
    """
    donor, recipient = (_strip_full_stop(name) if name else None for name in _giver_and_receiver(sentence))
    return (donor if donor and is_specific_actor(donor) else None), recipient


def _strip_full_stop(name: str) -> str:
    """'Estonian Border Guard.' at a sentence end -> 'Estonian Border Guard'; 'U.S.' keeps its stop."""
    return re.sub(r"(?<![A-Z])\.$", "", name)


# "The Kazakh Navy received four diesel engines ... from Russia"; "Eight boats were delivered to the
# coast guard by the United Kingdom": the receiver or the goods come first.
_RECEIVED_FROM = re.compile(
    rf"^(?:[Tt]he\s+)?(?P<recipient>{CAPITALIZED_PHRASE})(?:,[^,]+,)?\s+(?:has\s+|had\s+|have\s+)?received\s+"
    rf"(?P<objects>[^.;]+?)\s+from\s+(?:the\s+)?(?P<donor>{CAPITALIZED_PHRASE})"
)
_PAID_BY = r"(?:by|paid for by|financed by|funded by)"
_DELIVERED_BY = re.compile(
    r"^(?P<objects>[^.;]+?)\s+(?:were|was|have been|has been)\s+(?:delivered|handed over|donated|supplied|"
    r"transferred|given|sent)\s+to\s+(?:the\s+)?(?P<recipient>[^,;.]+?)"
    rf"(?:\s+on\s+[A-Z][a-z]+\s+\d{{1,2}})?,?\s+{_PAID_BY}\s+(?:the\s+)?(?P<donor>{CAPITALIZED_PHRASE})"
)
# "40 binoculars and six radars donated by Turkey" after "X had taken delivery of", and
# "Thirty radios, financed by the United States ..., reached the Azov Sea detachment".
_TOOK_DELIVERY = re.compile(
    rf"^(?:[Tt]he\s+)?(?P<recipient>{CAPITALIZED_PHRASE})\b[^.;]*?\b(?:taken|took|takes|taking)\s+delivery\s+of\s+"
    r"(?P<objects>[^.;]+?)\s+(?:donated|supplied|provided|delivered|sent|financed|paid for|funded)\s+by\s+"
    rf"(?:the\s+)?(?P<donor>{CAPITALIZED_PHRASE})"
)
_FINANCED_REACHED = re.compile(
    r"^(?P<objects>[^.;]+?),\s+(?:donated|supplied|provided|financed|paid for|funded)\s+by\s+(?:the\s+)?"
    rf"(?P<donor>{CAPITALIZED_PHRASE})[^.;]*?,\s+(?:reached|arrived at|went to|were delivered to|was delivered to)\s+"
    rf"(?:the\s+)?(?P<recipient>{CAPITALIZED_PHRASE}(?:\s+[a-z]+)?(?:\s+of\s+{CAPITALIZED_PHRASE})?)"
)
_TURNED = (_RECEIVED_FROM, _DELIVERED_BY, _TOOK_DELIVERY, _FINANCED_REACHED)


def _giver_and_receiver(sentence: str) -> tuple[str | None, str | None]:
    body = LEADING_DATE.sub("", sentence)
    for pattern in _TURNED:
        turned = pattern.search(body)
        if turned:
            return turned.group("donor"), turned.group("recipient")
    match = _FROM_TO.search(sentence) or _HELPS.search(sentence)
    if match:
        return match.group("donor"), match.group("recipient")
    trained = trains(sentence)
    if trained:
        return trained[0], trained[1]
    giver = _GIVER.search(body)
    donor = (giver.group("donor") or giver.group("participle_donor")) if giver else None
    recipient = None
    after = body[giver.end() :] if giver else body
    for candidate in _TO_RECIPIENT.finditer(after):
        recipient = candidate.group("recipient")  # the last "to/for X" names who receives
    return donor, recipient


_GIVING_VERB = re.compile(
    rf"\b(?:{_GIVING}|help(?:s|ed|ing)?|assist(?:s|ed|ing)?|train(?:s|ed|ing)?|equip(?:s|ped|ping)?|"
    r"handing over|delivering|donating|supplying|providing)\b",
    re.IGNORECASE,
)


def donor_is_giver(sentence: str, donor: str) -> bool:
    """The donor stands where a giver stands: after 'from'/'by', or before the transfer verb and not its object."""
    if re.search(rf"\b(from|by)\s+(the\s+)?{re.escape(donor)}(?![\w’'])", sentence):
        return True
    at = sentence.find(donor)
    verb = _GIVING_VERB.search(sentence)  # a verb: "every delivery" names no giver
    if at == -1 or verb is None or at > verb.start():
        return False
    before = sentence[:at].rstrip().lower()
    return not re.search(r"\b(to|for|helped|help|helps|assist|assisted|with)$", before)


_TRANSFER_OBJECT = re.compile(
    r"\b(?:deliver(?:s|ed|ing)?|donat(?:e|es|ed|ing)|hand(?:s|ed|ing)? over|suppl(?:y|ies|ied|ying)|"
    r"provid(?:e|es|ed|ing)|transfer(?:s|red|ring)?|gave|give[sn]?|gift(?:ed)?|send|sent|"
    r"(?:delivery|provision|transfer|donation|supply|handover|construction|purchase) of|arrived with|came with|"
    r"pledg(?:e|es|ed)\s+[^;]*?\bfor|promis(?:e|es|ed)|pledg(?:e|es|ed)|grant(?:ed)?\s+of|"
    r"financ(?:e|es|ed|ing)|fund(?:s|ed|ing)?|allocat(?:e|es|ed|ing))\s+(?P<objects>.+)$",
    re.IGNORECASE,
)


_OBJECT_END = re.compile(
    r"\s+(?:from|to|for|worth|valued|at|in|on|under|through|as|which|that|by|during|within|complement\w*)\b|[.;:(]|,\s"
)


_DIMENSION = re.compile(
    r"^(?:\d[\w.,]*(?:-[a-z]+)+|(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve)-[a-z]+(?:-long)?|new|additional|modern|more|used|further|other|decommissioned|refurbished|"
    r"second-hand|modernized|upgraded|surplus)$",
    re.IGNORECASE,
)


_QUANTITY_WORD = (
    r"(?:\d[\d,]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|"
    r"fifty|a dozen|dozens of|a pair of)"
)


# "a year's supply of spare parts" -> "spare parts"; assistance in general is not an item.
_PORTION_OF = re.compile(
    r"^(?:(?!\d|(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve)\b)[\w’']+\s+)?(?:supply|supplies|sets?|batch(?:es)?|shipments?|consignments?|number|range|variety|"
    r"packages?|lots?|kits?|stocks?|construction|purchase|acquisition|delivery)\s+of\s+"
)


_VAGUE_ITEMS = {"assistance", "aid", "help", "support", "cooperation", "expertise", "advice", "security assistance"}


def transferred_items(sentence: str) -> list[tuple[str, str | None]]:
    """(description, quantity as written) for what a sentence says is handed over."""
    body = LEADING_DATE.sub("", sentence)
    for pattern in _TURNED:
        turned = pattern.search(body)
        if turned:
            return _item_list(turned.group("objects"))
    found = list(_TRANSFER_OBJECT.finditer(sentence))
    matches = [m for m in found if not find_money(m.group("objects")[:30])]
    # An object that is money ("a grant of $3.6 million for fuel, tires and spare parts") is the
    # value, not an item: the goods follow "for".
    for money_first in (m for m in found if m not in matches):
        paid_for = re.search(r"\bfor\s+(?P<goods>[^.;]+)", money_first.group("objects"))
        if paid_for and not re.match(r"(?:the\s+)?[A-Z]", paid_for.group("goods")):
            return _item_list(paid_for.group("goods"))
    match = matches[0] if matches else None
    if not match:
        trained = trains(sentence)
        return [(trained[2], None)] if trained else []
    objects = match.group("objects")
    end = _OBJECT_END.search(objects)
    return _item_list(objects[: end.start()] if end else objects)


def _item_list(segment: str) -> list[tuple[str, str | None]]:
    """'three new patrol boats and 40 sets of body armor' -> [('patrol boats', 'three'), ('body armor', '40')]."""
    end = _OBJECT_END.search(segment)
    segment = segment[: end.start()] if end else segment
    items = []
    for index, part in enumerate(LIST_SPLIT.split(segment)):
        part = re.sub(r"^(?:the|a|an|some|its|their)\s+", "", part.strip(), flags=re.IGNORECASE)
        part = _PORTION_OF.sub("", part)  # "the construction of five new border outposts"
        if index == 0:
            # "promised the Kyrgyz Border Service communications equipment": the receiver comes first.
            receiver = re.match(r"^((?:[A-Z][\w’'.\-]*\s+)+)(?=[a-z])", part)
            if receiver and classify(receiver.group(1).strip())[0] not in ("other", "person"):
                part = part[receiver.end() :]
        quantity_match = re.match(rf"^({_QUANTITY_WORD})\s+", part, re.IGNORECASE)
        quantity = quantity_match.group(1) if quantity_match else None
        words = part[quantity_match.end() :].split() if quantity_match else part.split()
        while words and _DIMENSION.match(words[0]):
            words = words[1:]
        description = _PORTION_OF.sub("", " ".join(words))
        if description.lower() in _VAGUE_ITEMS:
            continue
        # Goods have a common noun at their head ("BTR-80 armored personnel carriers"); a name
        # throughout ("the Georgian Border Police") is a recipient, not an item.
        if description and len(words) <= 8 and re.search(r"\b[a-z][\w-]*$", description):
            items.append((description, quantity))
    return items


_STATUS_RULES = [
    ("pledged", r"\b(will|would|shall) (deliver|provide|supply|donate|hand over|give|transfer|help|send|fund)|"
                r"\b(pledg|promis)\w*"),
    ("planned", r"\b(plans?|planning|intends?|looking|expected|aims?|seeks?|seeking|hopes?) to\b|"
                r"\b(considering|preparing|weighing)\b"),
    ("ongoing", r"\b(is|are) (being )?(support|fund|financ|train|suppl|provid|running)\w*|\bcontinues? to\b|"
                r"\bongoing\b|\b(has|have) been (running|training|funding|supplying|providing)\b"),
    ("delivered", r"\b(delivered|handed over|donated|transferred|supplied|gave|received|ceremony|completed|"
                  r"delivery was|was carried out)\b"),
]


def aid_status(sentence: str) -> str | None:
    for status, pattern in _STATUS_RULES:
        if re.search(pattern, sentence, re.IGNORECASE):
            return status
    return None


_PROGRAM = re.compile(
    r"\b(?P<program>(?:[A-Z][\w’'\-]*\s+)(?:(?:[A-Z][\w’'\-]*|and|of|for|the|on)\s+){0,8}"
    r"(?:[Pp]rogram|[Pp]rogramme|[Ii]nitiative|[Pp]roject|[Ff]und))\b"
)


def aid_program(sentence: str) -> str | None:
    """'... through the U.S. State Department's Export Control and Related Border Security program'."""
    match = _PROGRAM.search(sentence)
    if not match:
        return None
    program = match.group("program")
    return re.split(r"’s\s+|'s\s+", program)[-1]
