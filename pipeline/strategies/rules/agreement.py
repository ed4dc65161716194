"""Agreements by the sentence's wording: the parties, the kind, the status and the subject."""

from __future__ import annotations

import re

from pipeline.strategies.rules.phrases import (
    LEADING_DATE,
    NAME_SLOT,
    PHRASE_END,
    phrase_list,
)

_AGREEMENT_NOUN = r"(agreements?|memorand(?:um|a)|accords?|treat(?:y|ies)|protocols?|pacts?|deals?|plans?)"


_AGREEMENT_ACT = (
    r"(sign(?:s|ed|ing)?|conclud(?:e|ed|ing)|ratif(?:y|ied|ies)|initial(?:l)?ed|reach(?:ed)?|negotiat\w*|"
    r"propos\w*|adopt(?:ed)?|approv(?:e|ed)|agreed on)"
)


_AGREED_TO = re.compile(r"\b(have|has|had)?\s*agreed (to|on|with)\b", re.IGNORECASE)


def states_agreement(sentence: str) -> bool:
    """An agreement noun with an act that makes or moves it, or parties that 'agreed to' something."""
    has_noun_and_act = re.search(rf"\b{_AGREEMENT_NOUN}\b", sentence, re.IGNORECASE) and re.search(
        rf"\b{_AGREEMENT_ACT}\b", sentence, re.IGNORECASE
    )
    return bool(has_noun_and_act or _AGREED_TO.search(sentence))


_BETWEEN = re.compile(
    r"\bbetween\s+" + NAME_SLOT.format("a") + r"\s+and\s+(?:[Tt]he\s+)?(?P<b>[\w][^,;()]*?)" + PHRASE_END
)


_PAIR_ACT = re.compile(
    r"^(?:[^,]*,\s*)?" + NAME_SLOT.format("a") + r"\s+and\s+" + NAME_SLOT.format("b")
    + r"\s+(?:(?:have|has|had|are|were|also|meanwhile|now|been|jointly)\s+)*"
    r"(?:signed|agreed|concluded|initialed|ratified|negotiat\w+|discuss\w*|finaliz\w+)\b"
)


_AGREED_WITH = re.compile(r"\bagreed\s+with\s+(?:the\s+)?(?P<b>[A-Z][^,;()]*?)\s+(?:to|on)\b")


_PLAN_BY = re.compile(
    rf"\b{_AGREEMENT_NOUN}\b[^.;]*?\bby\s+(?P<list>[A-Z][^.;()]*?)" + r"(?=\s*[(;]|(?<![A-Z])\.(?:\s|$)|$)"
)


def agreement_parties(sentence: str) -> list[str]:
    """'X and Y signed ...', '... between X and Y', 'agreed with Y to', 'a plan ... by X, Y and Z'."""
    body = LEADING_DATE.sub("", re.sub(r"^(?:At|In|During)\s+[^,]+,\s*", "", sentence))
    for pattern in (_PAIR_ACT, _BETWEEN):
        match = pattern.search(body)
        if match:
            return [match.group("a"), match.group("b")]
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
    ("signed", r"sign(?:s|ed|ing)?|ratif\w+|initial(?:l)?ed"), ("negotiating", r"negotiat\w+|talks on"),
    ("proposed", r"propos\w+|suggest\w+|offer\w*"), ("agreed", r"agreed|conclud\w+|reached"),
]


_SUBJECT_PATTERNS = [
    re.compile(rf"\b(?:{'|'.join(p for _, p in _AGREEMENT_KINDS[:5])}|agreements?)\s+(?:on|about|concerning|regarding|"
               r"for)\s+(?:the\s+)?(?P<subject>[^,;()]+?)(?=\s+(?:(?:between|with|signed|by|without|since|until|for\s+"
               r"(?:more|over|about|nearly|almost))\b|(?:on|in|at)\s+(?-i:[A-Z]))|"
               r"\s*[,;(]|\.(?:\s|$)|$)", re.IGNORECASE),
    re.compile(r"\bagreements?\s+to\s+(?:set up|establish|create|build|form|develop|launch)\s+(?:a\s+|an\s+|the\s+)?"
               r"(?P<subject>[^,;()]+?)(?=\s+(?:with|between)\b|\s*[,;(]|\.(?:\s|$)|$)", re.IGNORECASE),
    re.compile(r"\bagreed\s+(?:with\s+[^,;()]+?\s+)?(?:to|on)\s+(?P<subject>[^,;()]+?)(?=\s*[,;(]|\.(?:\s|$)|$|"
               r"\s+and\s+(?:our|their|the|its)\b)", re.IGNORECASE),
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
