"""What a sentence's own wording says, used to gate and correct a small model's slot answers.

The 270M model says "yes" to most sentences with a cue word and confuses roles (observers
listed as participants, the recipient named as donor). These rules read the sentence's verbs
and prepositions, which a base model ignores: each one is a general fact of English news
prose, not a fact about any particular article.
"""

from __future__ import annotations

import re
from typing import Any

from pipeline.actors import COUNTRIES, COUNTRY_NAMES, person_without_title
from pipeline.normalize import find_money

# A specific handover: a transfer verb, and something concrete handed over.
_TRANSFER = re.compile(
    r"\b(deliver(?:s|ed|ing|y)?|donat(?:e|es|ed|ing|ion)|hand(?:s|ed|ing)? over|suppl(?:y|ies|ied|ying)|"
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


_AGREEMENT_NOUN = r"(agreements?|memorand(?:um|a)|accords?|treat(?:y|ies)|protocols?|pacts?|deals?|plans?)"
_AGREEMENT_ACT = (
    r"(sign(?:s|ed|ing)?|conclud(?:e|ed|ing)|ratif(?:y|ied|ies)|initial(?:l)?ed|reach(?:ed)?|negotiat\w*|"
    r"propos(?:e|ed|al)|adopt(?:ed)?|approv(?:e|ed)|agreed on)"
)
_AGREED_TO = re.compile(r"\b(have|has|had)?\s*agreed (to|on)\b", re.IGNORECASE)


def states_agreement(sentence: str) -> bool:
    """An agreement noun with an act that makes or moves it, or parties that 'agreed to' something."""
    has_noun_and_act = re.search(rf"\b{_AGREEMENT_NOUN}\b", sentence, re.IGNORECASE) and re.search(
        rf"\b{_AGREEMENT_ACT}\b", sentence, re.IGNORECASE
    )
    return bool(has_noun_and_act or _AGREED_TO.search(sentence))


# Where a name in running text ends: a bracket, comma or semicolon, or a sentence-final period
# (not the period of an abbreviation such as "U.S.").
_PHRASE_END = r"(?=\s*[(,;]|(?<![A-Z])\.(?:\s|$)|$)"
_NAME = r"(?:[Tt]he\s+)?(?P<{}>[A-Z][\w.’'\-]*(?:\s+(?:of\s+the\s+|of\s+|and\s+the\s+)?[A-Z(][\w.’'\-)]*)*)"
# Organisation names run on in lower case ("Caspian naval division of the Border Service"): take
# everything up to the next bracket, comma or sentence end.
_FROM_TO = re.compile(
    r"\bfrom\s+(?:the\s+)?(?P<donor>[A-Z][^,;()]*?)\s+to\s+(?:the\s+)?(?P<recipient>[A-Z][^,;()]*?)" + _PHRASE_END
)
# "South Korea will help Kazakhstan's Navy by delivering ...": the helper gives, the helped receives.
_HELPS = re.compile(
    r"^(?:[^,]*,\s*)?(?:[Tt]he\s+)?(?P<donor>[A-Z][\w.’'\-]*(?:\s+[A-Z][\w.’'\-]*)*)\s+(?:\w+\s+){0,4}?"
    r"(?:help|helps|helped|assist|assists|assisted|support|supports|supported|equip|equips|equipped)\s+"
    r"(?:the\s+)?(?P<recipient>[A-Z][^,;()]*?)\s+(?=by|with|in|to|through)\b"
)
_BETWEEN = re.compile(
    r"\bbetween\s+" + _NAME.format("a") + r"\s+and\s+(?:[Tt]he\s+)?(?P<b>[\w][^,;()]*?)" + _PHRASE_END
)
_PAIR_ACT = re.compile(
    r"^(?:[^,]*,\s*)?" + _NAME.format("a") + r"\s+and\s+" + _NAME.format("b")
    + r"\s+(?:(?:have|has|had|are|were|also|meanwhile|now|been|jointly)\s+)*"
    r"(?:signed|agreed|concluded|initialed|ratified|negotiat\w+|discuss\w*|finaliz\w+)\b"
)


_CAP_NP = r"[A-Z][\w.’'\-]*(?:\s+(?:of\s+the\s+|of\s+|for\s+)?[A-Z][\w.’'\-]*)*"
_GIVING = (
    r"hand(?:s|ed)? over|hand over|deliver(?:s|ed)?|donat(?:e|es|ed)|suppl(?:y|ies|ied)|transfer(?:s|red)?|gave|"
    r"give[sn]?|provid(?:e|es|ed)|sen[dt]|pledg(?:e|es|ed)|promis(?:e|es|ed)|grant(?:s|ed)?|financ(?:e|es|ed|ing)|"
    r"fund(?:s|ed|ing)?"
)
# "the United States handed over ...", "Russia plans to hand over ...", "China ..., handing over ...".
_GIVER = re.compile(
    rf"(?:^[“\"]?|,\s*|\bwhen\s+|\bthat\s+)(?:[Tt]he\s+)?(?P<donor>{_CAP_NP})(?:,[^,]+,)?\s+"
    rf"(?:(?:will|would|has|have|had|is|are|was|were|plans?\s+to|also|now|recently|to)\s+)*(?:{_GIVING})\b"
    rf"|^(?:[Tt]he\s+)?(?P<participle_donor>{_CAP_NP})\s+[^.]*?,\s+(?:handing over|delivering|donating|supplying)\b"
)
_TO_RECIPIENT = re.compile(
    rf"\b(?:to|for)\s+(?:the\s+)?(?P<recipient>{_CAP_NP})(?=\s+(?:at|in|on|during|under|through|as|once|when|after|"
    r"before|by|with|every|each)\s|\s*[(,;]|(?<![A-Z])\.(?:\s|$)|$)"
)
# "Lithuania is training officers of the Georgian Border Police": the trainer gives, the trained receive.
_TRAINS = re.compile(
    rf"^(?:[Tt]he\s+)?(?P<donor>{_CAP_NP})(?:,[^,]+,)?\s+(?:is|are|has been|have been|will be|will)\s+train(?:ing)?\s+"
    rf"(?:\w+\s+of\s+)?(?:the\s+)?(?P<recipient>{_CAP_NP})"
)
_GENERIC_ACTOR = re.compile(
    r"(?i)^(?:the\s+)?(?:western|foreign|international|regional|local|other|some|many|several|all|its|their)?\s*"
    r"(?:donors?|governments?|partners?|officials?|analysts?|countries|states|neighbou?rs|allies|sponsors|capitals)$"
    r"|^[A-Z][a-z]+s$"  # a lone capitalized plural is a sentence-initial common noun: "Exercises", "Crews"
)


def is_specific_actor(name: str) -> bool:
    """'Japan', 'the EU delegation' are someone; 'Western governments', 'Donors' are not."""
    name = name.strip()
    return name in COUNTRIES or not _GENERIC_ACTOR.match(name)


def trains(sentence: str) -> tuple[str, str] | None:
    match = _TRAINS.search(_LEADING_DATE.sub("", sentence))
    return (match.group("donor"), match.group("recipient")) if match else None


def donor_and_recipient(sentence: str) -> tuple[str | None, str | None]:
    """Giver and receiver by the sentence's structure, verbatim: 'from X to Y', 'X handed over ... to Y'."""
    match = _FROM_TO.search(sentence) or _HELPS.search(sentence)
    if match:
        return match.group("donor"), match.group("recipient")
    trained = trains(sentence)
    if trained:
        return trained
    body = _LEADING_DATE.sub("", sentence)
    giver = _GIVER.search(body)
    donor = (giver.group("donor") or giver.group("participle_donor")) if giver else None
    recipient = None
    after = body[giver.end() :] if giver else body
    for candidate in _TO_RECIPIENT.finditer(after):
        recipient = candidate.group("recipient")  # the last "to/for X" names who receives
    if donor and not is_specific_actor(donor):
        donor = None
    return donor, recipient


_AGREED_WITH = re.compile(r"\bagreed\s+with\s+(?:the\s+)?(?P<b>[A-Z][^,;()]*?)\s+(?:to|on)\b")
_PLAN_BY = re.compile(
    rf"\b{_AGREEMENT_NOUN}\b[^.;]*?\bby\s+(?P<list>[A-Z][^.;()]*?)" + r"(?=\s*[(;]|(?<![A-Z])\.(?:\s|$)|$)"
)


def agreement_parties(sentence: str) -> list[str]:
    """'X and Y signed ...', '... between X and Y', 'agreed with Y to', 'a plan ... by X, Y and Z'."""
    body = _LEADING_DATE.sub("", re.sub(r"^(?:At|In|During)\s+[^,]+,\s*", "", sentence))
    for pattern in (_PAIR_ACT, _BETWEEN):
        match = pattern.search(body)
        if match:
            return [match.group("a"), match.group("b")]
    with_party = _AGREED_WITH.search(body)
    if with_party:
        return [with_party.group("b")]
    plan = _PLAN_BY.search(body)
    if plan:
        return _phrase_list(plan.group("list"))
    return []


_OBSERVE = re.compile(r"\b(observ(?:ed|ing|es)|watch(?:ed|ing|es)|monitor(?:ed|ing|s)|as observers)\b", re.IGNORECASE)
_ORGANIZE = re.compile(
    r"\b(initiat(?:ed|es|ing)|organi[sz](?:ed|es|ing)|led|host(?:ed|s|ing)|conduct(?:ed|s)|plann(?:ed|ing)|"
    r"command(?:ed|s)|direct(?:ed|s))\b",
    re.IGNORECASE,
)


def correct_exercise_roles(sentence: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Actors of a sentence whose verb is 'observed' are observers; of 'initiated'/'led', organizers."""
    actors = fields.get("participants") or []
    if not actors:
        return fields
    target = "observers" if _OBSERVE.search(sentence) else "organizers" if _ORGANIZE.search(sentence) else None
    if target is None or re.search(rf"\b({_ROLE_VERBS['participants']})\b", sentence):
        return fields
    corrected = dict(fields)
    corrected[target] = [*(fields.get(target) or []), *actors]
    corrected["participants"] = []
    return corrected


def plausible_exercise_name(name: str, sentence: str) -> bool:
    """A name is quoted, or stands before 'exercise', or carries a year or number: not a place."""
    escaped = re.escape(name)
    return bool(
        re.search(rf"[“\"]{escaped}[”\"]", sentence)
        or re.search(rf"{escaped}\s+(exercises?|drills?|maneuvers|war games)", sentence, re.IGNORECASE)
        or re.search(r"\d", name)
    )


def donor_is_giver(sentence: str, donor: str) -> bool:
    """The donor stands where a giver stands: after 'from'/'by', or before the transfer verb and not its object."""
    if re.search(rf"\b(from|by)\s+(the\s+)?{re.escape(donor)}(?![\w’'])", sentence):
        return True
    at = sentence.find(donor)
    verb = _TRANSFER.search(sentence)
    if at == -1 or verb is None or at > verb.start():
        return False
    before = sentence[:at].rstrip().lower()
    return not re.search(r"\b(to|for|helped|help|helps|assist|assisted|with)$", before)


# --- Noun-phrase lists: who took part, what was handed over -------------------------------------

_CLAUSE_END = r"(?=\s*(?:[.;:()]|,\s*(?:supported|while|which|who|where|when|but|and\s+(?:the\s+)?[a-z]+ed)\b|$))"
_LIST_SPLIT = re.compile(r",\s*(?:and\s+|as well as\s+)?|\s+(?:and|as well as|along with|together with)\s+")
_LEADING = re.compile(
    r"^(?:(?:the|a|an|some|its|their|several|other|new|additional|modern|personnel|equipment|forces|units|"
    r"subunits|troops|officers|representatives|delegations?)\s+(?:and\s+\w+\s+)?(?:from|of)?\s*)+",
    re.IGNORECASE,
)
# Lists of taking-part actors follow these: "involving A and B", "units from A, B and C".
_ACTOR_TRIGGERS = re.compile(
    r"\b(?:involving|involved|including|included|brought together|gathered|"
    r"(?:personnel|equipment|forces|units|subunits|troops|servicemen|"
    r"ships|vessels|crews|aircraft|detachments?|contingents?|teams?|officers)(?:\s+and\s+\w+)?\s+from)\s+",
)
_ROLE_VERBS = {
    "observers": r"observed|watched|monitored|attended (?:it |the \w+ )?as observers",
    "organizers": r"initiated|organi[sz]ed|led|hosted|conducted|planned|commanded|directed|ran",
    "participants": r"took part|participated|joined|sent|supplied|contributed|deployed|fielded|involved|rehearsed|"
                    r"held|staged|launched|began|started|completed|carried out|brought together|will hold|"
                    r"will take part|hold",
}


_NOT_A_NAME = re.compile(
    r"(?i)^(?:in|on|at|by|for|to|with|as|that|which|who|it|this|these|neither|none|both|all|each|some|most|many|few)\b"
    r"|\b(?:that|which|who|is|are|was|were)$|\b(?:exercises?|drills?)\b"
)
# What units bring to an exercise, not who they are: "a Bulgarian Navy corvette" -> "Bulgarian Navy".
_MEMBERS = (
    r"(?:corvettes?|frigates?|minesweepers?|boats?|ships?|vessels?|cutters?|helicopters?|aircraft|planes?|jets?|"
    r"tanks?|vehicles?|crews?|personnel|troops|servicemen|sailors|marines|soldiers|officers|teams?|detachments?|"
    r"contingents?|units?|subunits?|delegations?|representatives)"
)
_EQUIPMENT_TAIL = re.compile(rf"\s+(?:[a-z][\w-]*\s+){{0,2}}{_MEMBERS}$")
# "two frigates and a minesweeper of the Romanian Navy", "officers of the Ukrainian Navy": the body.
_MEMBERS_OF = re.compile(rf"^(?:[\w-]+\s+){{0,3}}?{_MEMBERS}\s+(?:of|from)\s+(?:the\s+)?(?=[A-Z])", re.IGNORECASE)


def _capitalized(phrase: str) -> bool:
    return bool(re.search(r"\b[A-Z][\w’'.\-]*", phrase)) and not re.fullmatch(r"[A-Z][a-z]+day", phrase)


def _clean_phrase(phrase: str) -> str:
    phrase = _LEADING.sub("", phrase.strip(" ,"))
    # "Cutters of the Romanian Border Police", "two frigates and a minesweeper of the Romanian Navy"
    # -> the body they belong to.
    phrase = _MEMBERS_OF.sub("", phrase)
    phrase = re.sub(r"^(?:a|an|one|two|three|four|five|\d+)\s+(?=[A-Z])", "", phrase)
    if re.match(r"^[A-Z]", phrase):
        phrase = _EQUIPMENT_TAIL.sub("", phrase)
    return re.sub(r"\s*\([A-Z]{2,6}\)$", "", phrase).strip(" ,")


def _phrase_list(text: str) -> list[str]:
    """'the A, B, the C, and the D' -> [A, B, C, D]; only parts that name something (capitalized)."""
    parts = [_clean_phrase(p) for p in _LIST_SPLIT.split(text)]
    return [
        p for p in parts
        if p and _capitalized(p) and len(p.split()) <= 14 and not re.match(r"^[a-z]+(?:ed|ing)\b", p)
        and not _NOT_A_NAME.search(p) and not re.search(r"[“”\"]", p) and is_specific_actor(p)
    ]


def listed_actors(sentence: str) -> list[str]:
    """Actor names in the coordination lists after 'involving', 'from', 'by', 'with', 'between'."""
    names: list[str] = []
    for trigger in _ACTOR_TRIGGERS.finditer(sentence):
        tail = sentence[trigger.end() :]
        end = re.search(_CLAUSE_END, tail)
        segment = tail[: end.start()] if end else tail
        for name in _phrase_list(segment):
            if name not in names and not any(name in longer for longer in names):
                names.append(name)
    return names


def event_clause(sentence: str) -> str:
    """The part of a sentence that states the event, without 'according to ...' tails."""
    return re.split(r",\s*according to\b", _reported_clause(sentence), maxsplit=1)[0]


def _reported_clause(sentence: str) -> str:
    """The part of a sentence that states the event: after 'X announced that', before a quotation."""
    body = re.sub(
        r"^.*?\b(?:was|is|announced|said|stated|reported|noted|added|confirmed|revealed|declared)\b[^.“”\"]*?\bthat\s+",
        "", sentence,
    )
    # Cut at a quotation (four or more words in marks), not at a quoted name like “Sea Breeze 2019”.
    for match in re.finditer(r"[“\"]([^”\"]*)[”\"]?", body):
        if len(match.group(1).split()) >= 4 or match.group().endswith(("“", '"')):
            return body[: match.start()]
    return re.sub(r"[“”\"]", "", body)


_GATHERING_VERBS = r"brought together|gathered|involved|included"
_COOPERATION = r"\s+in (?:cooperation|conjunction|partnership) with\s+"
_PASSIVE_ROLE_VERBS = {
    "organizers": r"organi[sz]ed|initiated|hosted|led|conducted|planned|commanded|directed|run",
    "observers": r"observed|watched|monitored",
}
_CLAUSE_SPLIT = re.compile(r",\s*(?:while|whereas|but)\s+|;\s*")


def _clause_role(clause: str) -> tuple[str | None, re.Match[str] | None]:
    """The role a clause's first role verb gives its subject, and the match that found it."""
    best: tuple[str | None, re.Match[str] | None] = (None, None)
    for role, verbs in _ROLE_VERBS.items():
        match = re.search(
            rf"^(?P<subject>.+?)\s+(?:(?:also|then|later|jointly|together|had|has|have|was|were)\s+)*(?:{verbs})\b",
            clause,
        )
        if match and (best[1] is None or match.end("subject") < best[1].end("subject")):
            best = (role, match)
    return best


_LEADING_DATE = re.compile(
    r"^(?:On|In|From|By|Between)\s+(?:(?:early|late|mid-?)\s*)?[A-Z][a-z]+\.?(?:\s+\d{1,2}(?:st|nd|rd|th)?"
    r"(?:\s*[-–]\s*\d{1,2})?)?(?:,?\s+\d{4})?,?\s+"
)
def _subject_names(subject: str) -> list[str]:
    subject = _LEADING_DATE.sub("", subject)
    # "Nikolai Patrushev, director of Russia's FSB," -> the name before the appositive.
    person = re.match(r"^([A-Z][\w’'\-]+(?:\s+[A-Z][\w’'\-]+){1,3}),\s+[a-z]", subject)
    if person:
        names = [person.group(1)]
    elif _ACTOR_TRIGGERS.search(subject):
        names = listed_actors(subject)  # "more than 1,500 troops from Estonia, Latvia and Poland"
    else:
        names = [person_without_title(n) for n in _phrase_list(subject)]
    return [n for n in names if not re.match(r"(?i)^(the )?(exercise|drill|it|they|this|these)\b", n)]


def exercise_actors(sentence: str) -> dict[str, list[str]]:
    """Participants, organizers and observers a sentence names, clause by clause, by verbs and prepositions."""
    roles: dict[str, list[str]] = {"participants": [], "organizers": [], "observers": []}

    def add(role: str, name: str) -> None:
        if not any(name in taken or taken in name for names in roles.values() for taken in names):
            roles[role].append(name)

    body = _reported_clause(sentence)
    for passive_role, verbs in _PASSIVE_ROLE_VERBS.items():
        passive = re.search(rf"\b(?:was|were|is|are|will be|has been)\s+(?:{verbs})\s+by\s+(?P<rest>.+)$", body)
        if passive:
            # "organized by A in cooperation with B": both led it.
            partners = re.split(_COOPERATION, passive.group("rest"), maxsplit=1)
            for segment in partners:
                end = re.search(_CLAUSE_END, segment)
                for name in _phrase_list(segment[: end.start()] if end else segment):
                    add(passive_role, person_without_title(name))
            return roles
    for clause in _CLAUSE_SPLIT.split(body):
        role, match = _clause_role(clause)
        gathers = bool(match) and bool(re.search(rf"(?:{_GATHERING_VERBS})$", match.group(0) if match else ""))
        if match is not None and role is not None and not gathers:  # "X brought together ...": X is the event
            for name in _subject_names(match.group("subject")):
                add(role, name)
        rest = clause[match.end() :] if match else clause
        if gathers:
            end = re.search(_CLAUSE_END, rest)
            for name in _phrase_list(rest[: end.start()] if end else rest):
                add("participants", name)
        cooperation = re.search(r"\bin (?:cooperation|conjunction|partnership) with\s+(?P<with>.+)$", rest)
        if cooperation:
            for name in _phrase_list(re.split(_CLAUSE_END, cooperation.group("with"))[0]):
                add("organizers" if role == "organizers" else "participants", name)
        for name in listed_actors(rest):
            add(role if role in ("observers", "organizers") else "participants", name)
    return roles


_TRANSFER_OBJECT = re.compile(
    r"\b(?:deliver(?:s|ed|ing)?|donat(?:e|es|ed|ing)|hand(?:s|ed|ing)? over|suppl(?:y|ies|ied|ying)|"
    r"provid(?:e|es|ed|ing)|transfer(?:s|red|ring)?|gave|give[sn]?|gift(?:ed)?|send|sent|"
    r"(?:delivery|provision|transfer|donation|supply|handover|construction|purchase) of|arrived with|came with|"
    r"pledg(?:e|es|ed)\s+[^;]*?\bfor)\s+(?P<objects>.+)$",
    re.IGNORECASE,
)
_OBJECT_END = re.compile(
    r"\s+(?:from|to|for|worth|valued|at|in|on|under|through|as|which|that|by|during|within|complement\w*)\b|[.;:(]|,\s"
)
_DIMENSION = re.compile(r"^(?:\d[\w.,]*(?:-[a-z]+)+|new|additional|modern|more|used|further|other)$", re.IGNORECASE)
_QUANTITY_WORD = (
    r"(?:\d[\d,]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|"
    r"fifty|a dozen|dozens of|a pair of)"
)


# "a year's supply of spare parts" -> "spare parts"; assistance in general is not an item.
_PORTION_OF = re.compile(
    r"^(?:[\w’']+\s+)?(?:supply|set|batch|shipment|consignment|number|range|variety|package)\s+of\s+"
)
_VAGUE_ITEMS = {"assistance", "aid", "help", "support", "cooperation", "expertise", "advice", "security assistance"}


def transferred_items(sentence: str) -> list[tuple[str, str | None]]:
    """(description, quantity as written) for what a sentence says is handed over."""
    matches = [m for m in _TRANSFER_OBJECT.finditer(sentence) if not find_money(m.group("objects")[:30])]
    # An object that is money ("pledged €4.8 million for three radars") is the value, not an item.
    match = matches[0] if matches else None
    if not match:
        if trains(sentence):
            return [("training", None)]
        return []
    objects = match.group("objects")
    end = _OBJECT_END.search(objects)
    segment = objects[: end.start()] if end else objects
    items = []
    for part in _LIST_SPLIT.split(segment):
        part = re.sub(r"^(?:the|a|an|some|its|their)\s+", "", part.strip(), flags=re.IGNORECASE)
        quantity_match = re.match(rf"^({_QUANTITY_WORD})\s+", part, re.IGNORECASE)
        quantity = quantity_match.group(1) if quantity_match else None
        words = part[quantity_match.end() :].split() if quantity_match else part.split()
        while words and _DIMENSION.match(words[0]):
            words = words[1:]
        description = _PORTION_OF.sub("", " ".join(words))
        if description.lower() in _VAGUE_ITEMS:
            continue
        if description and len(words) <= 8 and not _capitalized(description.split()[0]):
            items.append((description, quantity))
    return items


_STATUS_RULES = [
    ("pledged", r"\b(will|would|shall) (deliver|provide|supply|donate|hand over|give|transfer|help|send|fund)|"
                r"\b(pledg|promis)\w*"),
    ("planned", r"\b(plans?|planning|intends?|looking|expected|aims?|seeks?|seeking|hopes?) to\b"),
    ("ongoing", r"\b(is|are) (being )?(support|fund|financ|train|suppl|provid)\w*|\bcontinues? to\b|\bongoing\b"),
    ("delivered", r"\b(delivered|handed over|donated|transferred|supplied|gave|received|ceremony|"
                  r"delivery was|was carried out)\b"),
]


def aid_status(sentence: str) -> str | None:
    for status, pattern in _STATUS_RULES:
        if re.search(pattern, sentence, re.IGNORECASE):
            return status
    return None


_PLACE_PREPOSITION = r"(in|at|near|off|outside|on)"


def place_after_preposition(place: str, sentence: str) -> bool:
    """A location is where something happened: 'in Aktau', 'off Batumi', not any country named."""
    if re.match(rf"{_PLACE_PREPOSITION}\s", place):
        return place in sentence
    return bool(re.search(rf"\b{_PLACE_PREPOSITION}\s+{re.escape(place)}", sentence))


_PLACE_WORDS = (
    r"waters|island|region|coast|port|city|town|area|province|district|gulf|sea|bay|shore|shores|border|valley|"
    r"training ground|range|base|peninsula|harbor|harbour|northern|southern|eastern|western|central|east|west|north|"
    r"south|of|off|near"
)
_PLACE = re.compile(
    rf"\b(?:in|at|off|near|on)\s+(?P<place>(?:the\s+)?(?:(?:[A-Z][\w’'\-]+|{_PLACE_WORDS})\s+){{0,6}}"
    rf"[A-Z][\w’'\-]+(?:\s+[A-Z][\w’'\-]+)*(?:\s+(?:{_PLACE_WORDS.split('|of|')[0]}))?)"
)
_MONTHS_OR_YEAR = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|December|\d{4})\b"
)


def first_place(sentence: str) -> str | None:
    """The first 'in/at/off + place' in a sentence that is not a date: 'in the waters east of Constanta'."""
    for match in _PLACE.finditer(sentence):
        place = match.group("place")
        words = place.split()
        if words[-1] in COUNTRIES and words[-1] not in COUNTRY_NAMES:
            continue  # "in the Kazakh media": a demonym, not a place
        if _MONTHS_OR_YEAR.search(place):
            continue
        return place
    return None


_NAMED_EXERCISE = [
    re.compile(r"[“\"]([A-Z][^”\"]{1,40}?\d{2,4})[,.]?[”\"]"),
    re.compile(r"\b((?:[A-Z][\w\-]+\s+){1,3}\d{4})\s+(?:joint\s+)?(?:exercises?|drills?|maneuvers|war games)\b"),
]


def exercise_names(text: str) -> list[str]:
    """Names of exercises in a text: quoted and carrying a year, or 'Name 2019 exercises'."""
    names: list[str] = []
    for pattern in _NAMED_EXERCISE:
        for match in pattern.finditer(text):
            if match.group(1) not in names:
                names.append(match.group(1))
    return names


_AGREEMENT_KINDS = [
    ("memorandum", r"memorand(?:um|a)"), ("treaty", r"treat(?:y|ies)"), ("accord", r"accords?"),
    ("plan", r"plans?"), ("other", r"protocols?|pacts?|deals?"), ("agreement", r"agreements?|agreed"),
]
_AGREEMENT_STATUSES = [
    ("signed", r"sign(?:s|ed|ing)?|ratif\w+|initial(?:l)?ed"), ("negotiating", r"negotiat\w+|talks on"),
    ("proposed", r"propos\w+|suggest\w+|offer\w*"), ("agreed", r"agreed|conclud\w+|reached"),
]
_SUBJECT_PATTERNS = [
    re.compile(rf"\b(?:{'|'.join(p for _, p in _AGREEMENT_KINDS[:5])}|agreements?)\s+(?:on|about|concerning|regarding|"
               r"for)\s+(?:the\s+)?(?P<subject>[^,;()]+?)(?=\s+(?:(?:between|with|signed|by|without|since|until|for\s+"
               r"(?:more|over|about|nearly|almost))\b|(?:on|in|at)\s+[A-Z])|"
               r"\s*[,;(]|\.(?:\s|$)|$)", re.IGNORECASE),
    re.compile(r"\bagreements?\s+to\s+(?:set up|establish|create|build|form|develop|launch)\s+(?:a\s+|an\s+|the\s+)?"
               r"(?P<subject>[^,;()]+?)(?=\s+(?:with|between)\b|\s*[,;(]|\.(?:\s|$)|$)", re.IGNORECASE),
    re.compile(r"\bagreed\s+(?:with\s+[^,;()]+?\s+)?(?:to|on)\s+(?P<subject>[^,;()]+?)(?=\s*[,;(]|\.(?:\s|$)|$|"
               r"\s+along\b|\s+and\s+(?:our|their|the|its)\b)", re.IGNORECASE),
]


def agreement_facts(sentence: str) -> dict[str, str]:
    """Kind, status and subject as the sentence words them: 'signed a memorandum on military cooperation'."""
    facts: dict[str, str] = {}
    for kind, pattern in _AGREEMENT_KINDS:
        if re.search(rf"\b(?:{pattern})\b", sentence, re.IGNORECASE):
            facts["kind"] = kind
            break
    for status, pattern in _AGREEMENT_STATUSES:
        if re.search(rf"\b(?:{pattern})\b", sentence, re.IGNORECASE):
            facts["status"] = status
            break
    for subject_pattern in _SUBJECT_PATTERNS:
        match = subject_pattern.search(sentence)
        if match:
            facts["subject"] = match.group("subject").strip()
            break
    return facts


_SCENARIO = re.compile(
    r"\b(?:scenario\s+(?:involved|included|was|envisaged|simulated|focused on)|rehearsed|practi[cs]ed|simulated|"
    r"trained\s+(?:in|for)|drilled|exercised)\s+(?P<tasks>[^.;:()“”\"]+)",
    re.IGNORECASE,
)
_TASK_FRAME = re.compile(
    r"^(?:joint\s+)?(?:actions|operations|measures|procedures|tactics|skills|ways)\s+(?:to|for|on|in)\s+|^how\s+to\s+",
    re.IGNORECASE,
)


def exercise_scenario(sentence: str) -> list[str]:
    """What an exercise rehearsed: 'the scenario involved countering terrorism and illegal immigration'."""
    match = _SCENARIO.search(sentence)
    if not match:
        return []
    tasks = _TASK_FRAME.sub("", match.group("tasks").strip())
    parts: list[str] = []
    for part in re.split(r",\s*(?:and\s+)?(?:to\s+)?|\s+and\s+to\s+", tasks):
        pieces = [p.strip() for p in re.split(r"\s+and\s+", part)]
        # "search and rescue" stays whole; "countering terrorism and illegal immigration" splits.
        if len(pieces) > 1 and all(len(p.split()) >= 2 for p in pieces):
            parts.extend(pieces)
        else:
            parts.append(part.strip())
    return [re.sub(r"^to\s+", "", p) for p in parts if p and len(p.split()) <= 12]


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


def says_who_took_part(sentence: str) -> bool:
    """Whether a sentence has a verb or list that assigns exercise roles at all."""
    verbs = "|".join(_ROLE_VERBS.values())
    return bool(re.search(rf"\b(?:{verbs})\b", sentence) or _ACTOR_TRIGGERS.search(sentence))


_EXERCISE_NOUN = r"(?:exercises?|drills?|maneuvers|manoeuvres|war games)"
_FUNCTION_WORDS = r"(?:that|which|who|whose|the|a|an|of|in|on|at|to|with|by|for|from|as|its|their|his|her)"
_DESCRIPTION = re.compile(
    rf"\b(?:a|an)\s+(?P<description>(?:(?!{_FUNCTION_WORDS}\b)[\w-]+\s+(?:and\s+)?){{0,5}}?{_EXERCISE_NOUN})\b"
)
_DURATION = re.compile(
    r"\b(?P<duration>(?:one|two|three|four|five|six|seven|eight|nine|ten|\d+)-(?:day|week|month|hour)|week-long|"
    r"day-long|month-long)\b"
)
_NOT_DESCRIPTIVE = re.compile(
    r"^(?:(?:smaller|larger|large|small|major|new|first|second|annual|regular|big|latest|further|another|"
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|\d+)-(?:day|week|month|hour)|week-long|day-long)\s+)+",
    re.IGNORECASE,
)


def introduces_exercise(sentence: str) -> bool:
    """'a five-day joint naval exercise took place': an indefinite mention starts a new exercise."""
    return bool(_DESCRIPTION.search(sentence))


def exercise_description(sentence: str) -> str | None:
    """'a five-day joint naval exercise' -> 'joint naval exercise'."""
    match = _DESCRIPTION.search(sentence)
    if not match:
        return None
    description = _NOT_DESCRIPTIVE.sub("", match.group("description"))
    return description if len(description.split()) >= 2 else None


def exercise_duration(sentence: str) -> str | None:
    match = _DURATION.search(sentence)
    return match.group("duration") if match else None
