"""Agreements by the sentence's wording: the parties, the kind, the status and the subject."""

from __future__ import annotations

import re

from pipeline.actors import person_without_title
from pipeline.strategies.rules.phrases import (
    LEADING_DATE,
    NAME_SLOT,
    PHRASE_END,
    phrase_list,
)

_AGREEMENT_NOUN = r"(agreements?|memorand(?:um|a)|accords?|treat(?:y|ies)|protocols?|pacts?|deals?|plans?)"


_AGREEMENT_ACT = (
    r"(sign(?:s|ed|ing)?|conclud(?:e|ed|ing)|ratif(?:y|ied|ies)|initial(?:l)?ed|reach(?:ed)?|negotiat\w*|"
    r"propos\w*|adopt(?:ed)?|approv(?:e|ed)|agreed)"
)


_AGREED_TO = re.compile(r"\b(have|has|had)?\s*agreed (to|on|with|a|an|the)\b", re.IGNORECASE)


# "The United Kingdom has agreed to provide a course": one donor's promise is aid, not an agreement.
_AGREED_TO_GIVE = re.compile(
    r"\bagreed\s+to\s+(?:provide|supply|deliver|donate|give|fund|finance|train|send|hand over|transfer|grant)\b"
)


def states_agreement(sentence: str) -> bool:
    """An agreement noun with an act that makes or moves it, or parties that 'agreed to' something."""
    names_a_document = re.search(r"\b(?:agreements?|memorand\w+|accords?|treat\w+)\b", sentence)
    if _AGREED_TO_GIVE.search(sentence) and not names_a_document:
        return False
    has_noun_and_act = re.search(rf"\b{_AGREEMENT_NOUN}\b", sentence, re.IGNORECASE) and re.search(
        rf"\b{_AGREEMENT_ACT}\b", sentence, re.IGNORECASE
    )
    return bool(has_noun_and_act or _AGREED_TO.search(sentence))


_BETWEEN = re.compile(
    r"\bbetween\s+" + NAME_SLOT.format("a") + r"\s+and\s+(?:[Tt]he\s+)?(?P<b>[\w][^,;()]*?)"
    r"(?=\s+(?:on|about|concerning|for|to)\s+[a-z]|\s+(?:remains?|is|was|were|has|have|had)\b|"
    + PHRASE_END[3:]
)


# "Estonia, Latvia and Lithuania agreed", "that Kyrgyzstan and China signed": names and connectors only
# before the act, so "The pledge builds on ..." is never taken for a party.
_NAMES_LIST = (
    r"[A-Z][\w’'.\-]*(?:(?:\s+|,\s*)(?:of|the|for|and|[A-Z][\w’'.\-]*|"
    r"president|minister|chief|commander|head|spokesman|director))*"  # "The Kazakh president and I"
)
_PARTIES_ACT = re.compile(
    rf"(?:^[“\"]?|\b(?:that|which|when)\s+|,\s+)(?:[Tt]he\s+)?(?P<subject>{_NAMES_LIST})\s+"
    r"(?:(?:have|has|had|are|were|is|also|meanwhile|now|been|jointly|finally)\s+)*"
    r"(?:signed|agreed|concluded|initialed|ratified|negotiat\w+|discuss\w*|finaliz\w+)\b"
)


_AGREED_WITH = re.compile(r"\bagreed\s+with\s+(?:the\s+)?(?P<b>[A-Z][^,;()]*?)\s+(?:to|on)\b")


_PLAN_BY = re.compile(
    rf"\b{_AGREEMENT_NOUN}\b[^.;]*?\bby\s+(?P<list>[A-Z][^.;()]*?)" + r"(?=\s*[(;]|(?<![A-Z])\.(?:\s|$)|$)"
)


# Inside a quotation: "we have concluded agreements ... with all the Caspian states", "We have
# agreed with the Afghan Border Police to ...". "we" is resolved to the speaker's body later.
_WE_WITH = re.compile(
    r"\b(?P<we>[Ww]e)\s+(?:(?:have|had|also|now|already)\s+)*(?:concluded|signed|agreed|reached)\b[^.;]*?\bwith\s+"
    r"(?:the\s+)?(?P<other>[^,;.]+?)(?=\s+to\b|\s*[,.;]|$)"
)


def agreement_parties(sentence: str) -> list[str]:
    """'X and Y signed ...', '... between X and Y', 'agreed with Y to', 'a plan ... by X, Y and Z'."""
    body = LEADING_DATE.sub("", re.sub(r"^(?:At|In|During)\s+[^,]+,\s*", "", sentence))
    acting = _PARTIES_ACT.search(body)
    if acting:
        names = [person_without_title(n) for n in phrase_list(acting.group("subject"))]
        if len(names) >= 2:
            return names
    we_with = _WE_WITH.search(body)
    if we_with:
        return [we_with.group("we"), we_with.group("other")]
    between = _BETWEEN.search(body)
    if between:
        return [between.group("a"), between.group("b")]
    with_party = _AGREED_WITH.search(body)
    if with_party:
        return [with_party.group("b")]
    plan = _PLAN_BY.search(body)
    if plan:
        return phrase_list(plan.group("list"))
    return []


_AGREEMENT_KINDS = [
    ("memorandum", r"memorand(?:um|a)"), ("treaty", r"treat(?:y|ies)"), ("accord", r"accords?"),
    ("plan", r"plans?"), ("other", r"protocols?|pacts?|deals?"), ("agreement", r"agreements?|agreed"),
]


_AGREEMENT_STATUSES = [
    ("signed", r"sign(?:s|ed|ing)?|ratif\w+|initial(?:l)?ed"),
    ("negotiating", r"negotiat\w+|talks on|under discussion"),
    ("proposed", r"propos\w+|suggest\w+|offer\w*"), ("agreed", r"agreed|conclud\w+|reached"),
]


_SUBJECT_PATTERNS = [
    re.compile(rf"\b(?:{'|'.join(p for _, p in _AGREEMENT_KINDS[:5])}|agreements?)\s+(?:on|about|concerning|regarding|"
               r"for)\s+(?:the\s+)?(?P<subject>[^,;()]+?)(?=\s+(?:(?:between|with|signed|by|without|since|until|for\s+"
               r"(?:more|over|about|nearly|almost))\b|(?:on|in|at)\s+(?-i:[A-Z]))|"
               r"\s*[,;(]|\.(?:\s|$)|$|\s+(?:remains?|remained|is|was|are|were|has|have)\b)", re.IGNORECASE),
    re.compile(r"\bagreements?\s+to\s+(?:set up|establish|create|build|form|develop|launch)\s+(?:a\s+|an\s+|the\s+)?"
               r"(?P<subject>[^,;()]+?)(?=\s+(?:with|between)\b|\s*[,;(]|\.(?:\s|$)|$)", re.IGNORECASE),
    re.compile(r"\bagreed\s+(?:with\s+[^,;()]+?\s+)?(?:to|on)\s+(?P<subject>[^,;()]+?)(?=\s*[,;(]|\.(?:\s|$)|$|"
               r"\s+and\s+(?:our|their|the|its)\b)", re.IGNORECASE),
    # "agreed a plan to merge ... by 2014"
    re.compile(r"\b(?:plan|agreement|decision|deal)s?\s+to\s+(?P<subject>[a-z][^,;()]+?)(?=\s+by\s+\d{4}|\s*[,;(]|"
               r"\.(?:\s|$)|$)"),
    # "signed an agreement in Khujand on May 12 on joint patrols of ..."
    re.compile(r"\b(?:agreements?|memorand(?:um|a)|accords?|treat(?:y|ies)|protocols?)\b[^.;]*?\s(?:on|about|concerning)"
               r"\s+(?P<subject>(?!the\b)[a-z][^,;()]+?)(?=\s*[,;(]|\.(?:\s|$)|$|"
               r"\s+(?:remains?|remained|is|was|are|were|has|have)\b)"),
    # "a border-security cooperation agreement"
    re.compile(r"\b(?:a|an|the)\s+(?!(?:new|bilateral|trilateral|formal|preliminary|framework|final|separate|similar|"
               r"further|parallel|first|second|previous|earlier|landmark|broader|wider)\b)"
               r"(?P<subject>[a-z][\w-]*(?:\s+[a-z][\w-]*){0,3})\s+(?:agreement|memorandum|accord|treaty|protocol|pact)\b"),
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
