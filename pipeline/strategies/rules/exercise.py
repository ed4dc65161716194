"""Exercises by the sentence's wording: who took part, led or watched; names, kinds, scenarios."""

from __future__ import annotations

import re

from pipeline.actors import person_without_title
from pipeline.strategies.rules.phrases import (
    CLAUSE_END,
    LEADING_DATE,
    phrase_list,
    reported_clause,
)


def plausible_exercise_name(name: str, sentence: str) -> bool:
    """A name is quoted, or stands before 'exercise', or carries a year or number: not a place."""
    escaped = re.escape(name)
    return bool(
        re.search(rf"[“\"]{escaped}[”\"]", sentence)
        or re.search(rf"{escaped}\s+(exercises?|drills?|maneuvers|war games)", sentence, re.IGNORECASE)
        or re.search(r"\d", name)
    )


# Lists of taking-part actors follow these: "involving A and B", "units from A, B and C".
_ACTOR_TRIGGERS = re.compile(
    r"\b(?:involving|involved|including|included|brought together|gathered|"
    r"(?:[a-z]+s|personnel|equipment|aircraft|team|crew|unit|detachment|contingent|delegation|squadron|battalion|"
    r"brigade|company)(?:\s+and\s+\w+)?\s+from)\s+",
)


_ROLE_VERBS = {
    "observers": r"observed|watched|monitored|(?:attended|followed|joined|watched)\s+(?:\w+\s+){0,3}?as observers|"
                 r"sent (?:\w+\s+){0,2}?observers|attended the (?:\w+\s+)?(?:day|days|phase|stage|session)|"
                 r"(?:was|were) invited to (?:the\s+)?(?:\w+\s+)?(?:phase|day|stage)",
    "organizers": r"initiated|organi[sz]ed|led|hosted|planned|commanded|directed|ran",
    # A force that held, staged or conducted an exercise took part in it (GUIDE).
    "participants": r"took part|participated|joined|sent|supplied|contributed|deployed|fielded|involved|rehearsed|"
                    r"held|staged|conducted|launched|began|started|completed|carried out|brought together|will hold|"
                    r"will take part|hold",
}
# "Uzbekistan was invited to send observers but declined": a role refused is no role.
_REFUSED = re.compile(r"\b(?:declined|refused|did not|didn't|turned down|failed to)\b")


def listed_actors(sentence: str) -> list[str]:
    """Actor names in the coordination lists after 'involving', 'from', 'by', 'with', 'between'."""
    names: list[str] = []
    for trigger in _ACTOR_TRIGGERS.finditer(sentence):
        tail = sentence[trigger.end() :]
        end = re.search(CLAUSE_END, tail)
        segment = tail[: end.start()] if end else tail
        for name in phrase_list(segment):
            if name not in names and not any(name in longer for longer in names):
                names.append(name)
    return names


_GATHERING_VERBS = r"brought together|gathered|involved|included"


_COOPERATION = r"\s+in (?:cooperation|conjunction|partnership) with\s+"


_PASSIVE_ROLE_VERBS = {
    "organizers": r"organi[sz]ed|initiated|hosted|led|planned|commanded|directed|run|"
                  r"(?:hosted|organi[sz]ed|planned|initiated) and (?:directed|led|run|conducted|commanded)",
    "participants": r"conducted|carried out|staged|held",
    "observers": r"observed|watched|monitored",
}
# "hosted by the Estonian Navy", "Hosted by X, the drill ...": who led it, wherever it stands.
_LEADING_VERB = r"(?:[Hh]osted|[Oo]rgani[sz]ed|[Ll]ed|[Ii]nitiated|[Cc]ommanded|[Dd]irected|[Pp]lanned|run)"
_LED_BY = re.compile(
    rf"(?:\b(?:was|were|is|are|will be|has been)\s+)?\b{_LEADING_VERB}(?:\s+and\s+{_LEADING_VERB})?\s+by\s+"
    r"(?:the\s+)?(?P<who>[A-Z][^,;:()]*?)"
    r"(?:\s+in (?:cooperation|conjunction|partnership) with\s+(?:the\s+)?(?P<partner>[A-Z][^,;:()]*?))?"
    r"(?=\s+(?:in|on|at|off|from|near|with|between)\s|\s+and\s+[a-z]|\s*[,;:(]|\.(?:\s|$)|$)"
)


_LEADERSHIP = r"(?:direction|command|leadership|auspices|guidance)"
_CLAUSE_SPLIT = re.compile(
    r",\s*(?:while|whereas|but)\s+|;\s*|"
    r",\s+and\s+(?=[^,]*\b(?:was|were|is|are|sent|attended|observed|watched|joined|took|held|staged)\b)"
)


def _clause_role(clause: str) -> tuple[str | None, re.Match[str] | None]:
    """The role a clause's first role verb gives its subject, and the match that found it."""
    best: tuple[str | None, re.Match[str] | None] = (None, None)
    for role, verbs in _ROLE_VERBS.items():
        match = re.search(
            rf"^(?P<subject>.+?)\s+(?:(?:also|then|later|jointly|together|had|has|have|was|were|would|will|"
            rf"shall|plan to|plans to|are to|is to)\s+)*(?:{verbs})\b",
            clause,
        )
        if match and (best[1] is None or match.end("subject") < best[1].end("subject")):
            best = (role, match)
    return best


def _subject_names(subject: str) -> list[str]:
    # "Moscow has made its view plain: the Caspian Flotilla staged ...": the subject follows the colon.
    subject = LEADING_DATE.sub("", re.split(r"[:;]\s*", subject)[-1])
    # "Nikolai Patrushev, director of Russia's FSB," -> the name before the appositive.
    person = re.match(r"^([A-Z][\w’'\-]+(?:\s+[A-Z][\w’'\-]+){1,3}),\s+[a-z]", subject)
    if person:
        names = [person.group(1)]
    elif _ACTOR_TRIGGERS.search(subject):
        names = listed_actors(subject)  # "more than 1,500 troops from Estonia, Latvia and Poland"
    else:
        names = [person_without_title(n) for n in phrase_list(subject)]
    return [n for n in names if not re.match(r"(?i)^(the )?(exercise|drill|it|they|this|these)\b", n)]


def _contains(longer: str, shorter: str) -> bool:
    return bool(re.search(rf"(?<![\w’']){re.escape(shorter)}(?![\w’'])", longer))


def exercise_actors(sentence: str) -> dict[str, list[str]]:
    """Participants, organizers and observers a sentence names, clause by clause, by verbs and prepositions."""
    roles: dict[str, list[str]] = {"participants": [], "organizers": [], "observers": []}

    def add(role: str, name: str) -> None:
        if name in names:
            return  # the exercise's own name, not a party to it
        # Whole words: "Estonia" and the "Estonian Navy" are two parties.
        if not any(_contains(taken, name) or _contains(name, taken) for names in roles.values() for taken in names):
            roles[role].append(name)

    body = reported_clause(sentence)
    names = set(exercise_names(sentence))
    for led in _LED_BY.finditer(body):
        for name in phrase_list(led.group("who")) + phrase_list(led.group("partner") or ""):
            add("organizers", person_without_title(name))
    body = _LED_BY.sub(" ", body)
    led_by = re.search(rf"\bunder the {_LEADERSHIP} of\s+(?:the\s+)?(?P<who>.+)$", body)
    if led_by:
        end = re.search(CLAUSE_END, led_by.group("who"))
        for name in phrase_list(led_by.group("who")[: end.start()] if end else led_by.group("who")):
            add("organizers", name)
    for passive_role, verbs in _PASSIVE_ROLE_VERBS.items():
        passive = re.search(rf"\b(?:was|were|is|are|will be|has been)\s+(?:{verbs})\s+by\s+(?P<rest>.+)$", body)
        if passive:
            # "hosted by A in cooperation with B and drew minehunters from C": A and B led it; the
            # clause after "and <verb>" is read on like any other.
            rest = passive.group("rest")
            end = re.search(rf"\s+and\s+(?=(?!the\b|an?\b)[a-z]+\s)|{CLAUSE_END}", rest)
            leaders, remainder = (rest[: end.start()], rest[end.end() :]) if end else (rest, "")
            for segment in re.split(_COOPERATION, leaders, maxsplit=1):
                for name in phrase_list(segment):
                    add(passive_role, person_without_title(name))
            body = body[: passive.start()] + " " + remainder
            break
    for clause in _CLAUSE_SPLIT.split(body):
        if _REFUSED.search(clause):
            continue
        role, match = _clause_role(clause)
        gathers = bool(match) and bool(re.search(rf"(?:{_GATHERING_VERBS})$", match.group(0) if match else ""))
        if match is not None and role is not None and not gathers:  # "X brought together ...": X is the event
            for name in _subject_names(match.group("subject")):
                add(role, name)
        rest = clause[match.end() :] if match else clause
        if gathers:
            end = re.search(CLAUSE_END, rest)
            for name in phrase_list(rest[: end.start()] if end else rest):
                add("participants", name)
        cooperation = re.search(r"\bin (?:cooperation|conjunction|partnership) with\s+(?P<with>.+)$", rest)
        if cooperation:
            for name in phrase_list(re.split(CLAUSE_END, cooperation.group("with"))[0]):
                add("organizers" if role == "organizers" else "participants", name)
        for name in listed_actors(rest):
            add(role if role in ("observers", "organizers") else "participants", name)
    return roles


_NAMED_EXERCISE = [
    re.compile(r"[“\"]([A-Z][^”\"]{1,40}?\d{2,4})[,.]?[”\"]"),
    re.compile(r"\b((?:[A-Z][\w\-]+\s+){1,3}\d{4})\s+(?:joint\s+)?(?:exercises?|drills?|maneuvers|war games)\b"),
    # "code-named Khazar Storm 2009", "dubbed Danube Watch 2010", "Amber Sweep 2012, a ... exercise"
    re.compile(r"(?:\b(?:dubbed|code-?named|named|called|codenamed|in|during|joined)\s+|^|,\s+)[“\"]?"
               r"((?:[A-Z][\w\-]+\s+){1,3}"
               r"(?:19|20)\d{2})\b(?=[”\"]?(?:,|\.|\s+(?:exercises?|drills?|over|in|on|at|off|near)\b|$))"),
]
_NOT_NAME_WORDS = {
    "In", "On", "Since", "By", "From", "The", "Until", "Before", "After", "During", "Of", "Volume", "Issue",
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December",
}


def exercise_names(text: str) -> list[str]:
    """Names of exercises in a text: quoted and carrying a year, or 'Name 2019 exercises'."""
    names: list[str] = []
    for pattern in _NAMED_EXERCISE:
        for match in pattern.finditer(text):
            name = match.group(1)
            if name.split()[0] in _NOT_NAME_WORDS or name in names:
                continue
            names.append(name)
    return names


_SCENARIO = re.compile(
    r"\b(?:scenario\s+(?:involved|included|was|envisaged|simulated|focused on|called for)|rehearsed|practi[cs]ed|"
    r"(?:drill|exercise)\s+tested|rehearsing|practi[cs]ing|simulating|"
    r"simulated|trained\s+(?:in|for)|drilled|exercised)\s+[“\"]?(?P<tasks>[^.;:()“”\"]+?)"
    r"(?=\s+(?:during|while|before|after|as part of|under|in the course of)\b|\s+in\s+(?-i:[A-Z])|,\s|"
    r"[.;:()“”\"]|$)",
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


_EXERCISE_NOUN = r"(?:exercises?|drills?|maneuvers|manoeuvres|war games)"


_FUNCTION_WORDS = r"(?:that|which|who|whose|the|a|an|of|in|on|at|to|with|by|for|from|as|its|their|his|her)"


_DETERMINER = r"(?:a|an|its first|their first|its|their)"
_DESCRIPTION = re.compile(
    rf"\b{_DETERMINER}\s+(?P<description>(?:(?!{_FUNCTION_WORDS}\b)[\w-]+\s+(?:and\s+)?){{0,5}}?{_EXERCISE_NOUN})\b"
)


_DURATION = re.compile(
    r"\b(?P<duration>(?:one|two|three|four|five|six|seven|eight|nine|ten|\d+)-(?:day|week|month|hour)|week-long|"
    r"day-long|month-long)\b|\b(?:lasted|ran for|continued for)\s+"
    r"(?P<lasted>(?:one|two|three|four|five|six|seven|eight|nine|ten|\d+)\s+"
    r"(?:days|weeks|hours))\b"
)


_NOT_DESCRIPTIVE = re.compile(
    r"^(?:(?:smaller|larger|large|small|major|new|first|second|annual|regular|big|latest|further|another|"
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|\d+)-(?:day|week|month|hour)|week-long|day-long)\s+)+",
    re.IGNORECASE,
)


def introduces_exercise(sentence: str) -> bool:
    """'a five-day joint naval exercise took place', 'held its first live-fire exercise': an
    indefinite (or first) mention starts a new exercise; 'its' alone refers back."""
    for match in _DESCRIPTION.finditer(sentence):
        determiner = sentence[match.start() : match.start("description")].strip()
        if determiner in ("a", "an", "its first", "their first"):
            return True
    return False


def exercise_description(sentence: str) -> str | None:
    """'a five-day joint naval exercise' -> 'joint naval exercise'."""
    match = _DESCRIPTION.search(sentence)
    if not match:
        return None
    description = _NOT_DESCRIPTIVE.sub("", match.group("description"))
    return description if len(description.split()) >= 2 else None


def exercise_duration(sentence: str) -> str | None:
    match = _DURATION.search(sentence)
    return (match.group("duration") or match.group("lasted")) if match else None
