"""What a sentence's own wording says, used to gate and correct a small model's slot answers.

The 270M model says "yes" to most sentences with a cue word and confuses roles (observers
listed as participants, the recipient named as donor). These rules read the sentence's verbs
and prepositions, which a base model ignores: each one is a general fact of English news
prose, not a fact about any particular article.
"""

from __future__ import annotations

import re
from typing import Any

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
    r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|dozen|boats?|ships?|vessels?|helicopters?|"
    r"aircraft|planes?|vehicles?|trucks?|radars?|equipment|hardware|weapons?|arms|rifles|ammunition|uniforms|"
    r"trailers?|spare parts|facilities|training|courses?|funds?|grants?|computers?|scanners?|gear|kits?|"
    r"stations?|devices?|simulators?|patrol|communications|instructors?)\b",
    re.IGNORECASE,
)
# Lower case only: "May 18" is a date, "may" a hedge.
_HEDGED = re.compile(r"\b(may|might|could|would|should|if|whether|suggests?|perhaps)\b|\?\s*$")


def states_specific_aid(sentence: str) -> bool:
    """A transfer verb with a concrete object, and not a hedged or rhetorical sentence."""
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


_NAME = r"(?:the\s+)?(?P<{}>[A-Z][\w.’'\-]*(?:\s+(?:of\s+the\s+|of\s+|and\s+the\s+)?[A-Z(][\w.’'\-)]*)*)"
# Organisation names run on in lower case ("Caspian naval division of the Border Service"): take
# everything up to the next bracket, comma or sentence end.
_FROM_TO = re.compile(
    r"\bfrom\s+(?:the\s+)?(?P<donor>[A-Z][^,;()]*?)\s+to\s+(?:the\s+)?(?P<recipient>[A-Z][^,;()]*?)"
    r"(?=\s*[(,;]|\.\s|\.$|$)"
)
_BETWEEN = re.compile(r"\bbetween\s+" + _NAME.format("a") + r"\s+and\s+" + _NAME.format("b"))
_PAIR_ACT = re.compile(
    r"^(?:[^,]*,\s*)?" + _NAME.format("a") + r"\s+and\s+" + _NAME.format("b")
    + r"\s+(?:have\s+|has\s+)?(?:signed|agreed|concluded|initialed|ratified)\b"
)


def donor_and_recipient(sentence: str) -> tuple[str | None, str | None]:
    """'... from the United States to the Kazakh Border Service' -> both names, verbatim."""
    match = _FROM_TO.search(sentence)
    if not match:
        return None, None
    return match.group("donor"), match.group("recipient")


def agreement_parties(sentence: str) -> list[str]:
    """'X and Y signed ...' or '... between X and Y' -> [X, Y], verbatim."""
    for pattern in (_PAIR_ACT, _BETWEEN):
        match = pattern.search(sentence)
        if match:
            return [match.group("a"), match.group("b")]
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
    if target is None:
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
    if re.search(rf"\b(from|by)\s+(the\s+)?{re.escape(donor)}", sentence):
        return True
    at = sentence.find(donor)
    verb = _TRANSFER.search(sentence)
    if at == -1 or verb is None or at > verb.start():
        return False
    before = sentence[:at].rstrip().lower()
    return not re.search(r"\b(to|for|helped|help|helps|assist|assisted|with)$", before)
