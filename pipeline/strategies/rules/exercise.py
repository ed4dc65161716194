"""Exercises by the sentence's wording: who took part, led or watched; names, kinds, scenarios."""

from __future__ import annotations

import calendar
import functools
import itertools
import re
import tomllib
from collections.abc import Collection
from pathlib import Path
from typing import Any

from pipeline.actors import vessel_nouns
from pipeline.language.parse import entity_of, in_brackets, parse, preposition_objects
from pipeline.language.places import country_of_name, demonym_country, is_country_word, join_state_names
from pipeline.normalize import is_year
from pipeline.text import Span, without_possessive


def plausible_exercise_name(name: str, sentence: str) -> bool:
    """A name is quoted, or stands before 'exercise', or carries a year or number: not a place."""
    escaped = re.escape(name)
    # "Caspian Sea search and rescue" (the words before "exercise" in a headline) describes; a name's
    # words are capitalized.
    if any(w[:1].islower() and w not in ("of", "and", "the", "de", "for") for w in name.split()):
        return False
    if _DATE_IN_NAME.search(name):
        return False  # "Eestlased Eestis 26 May 2010": a page's header and its date, not a name
    return bool(
        re.search(rf"[“\"]{escaped}[”\"]", sentence)
        or re.search(rf"{escaped}\s+(exercises?|drills?|maneuvers|war games)", sentence, re.IGNORECASE)
        or re.search(r"\d(?!\d*(?:st|nd|rd|th)\b)", name)  # "the 12th activation": an ordinal is no name's number
    )


_MONTHS = "|".join(m for m in calendar.month_name if m)
# A day and a month, or a month and a year: a date, which no exercise's name holds.
_DATE_IN_NAME = re.compile(rf"\b(?:\d{{1,2}}\s+(?:{_MONTHS})|(?:{_MONTHS})\s+(?:\d{{1,2}},?\s+)?(?:19|20)\d{{2}})\b")
_ROMAN = re.compile(r"C{0,3}(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")  # an edition's number: "IX", "XII", "LXI"
_NAME_WORD = r"[A-Z][\w’'\-]*"
# A year after a name: "2019", "13", "- 2025", "-2019".
_NAME_YEAR = r"(?:\s*[-–]\s*|\s+)(?:19|20)?\d{2}"
_EXERCISE_NOUN = r"(?:exercises?|drills?|maneuvers|manoeuvres|war games)"
_FUNCTION_WORDS = r"(?:that|which|who|whose|the|a|an|of|in|on|at|to|with|by|for|from|as|its|their|his|her)"
_NAMED_EXERCISE = [
    re.compile(r"[“\"]([A-Z][^”\"]{1,40}?\d{2,4})\s?[,.]?[”\"]"),
    # "Amber Fjord 14 exercise", "the Silver Lynx-2018 drills", "Pacific Wind 2021 joint naval
    # exercises": capitalized words and a year (two digits are common in names) before the exercise noun.
    # A short form in brackets may follow the name: "Regional Cooperation 2019 (RC 19) command-post exercise".
    re.compile(rf"\b((?:{_NAME_WORD}\s+){{0,2}}{_NAME_WORD}{_NAME_YEAR})(?:\s+\([^()]{{1,20}}\))?\s+"
               rf"(?:(?!(?:{_FUNCTION_WORDS}|and|or)\b)[a-z][\w\-]*\s+){{0,3}}{_EXERCISE_NOUN}\b"),
    # "The Joint Caspian Search and Rescue Exercise, CASAREX24, began": a code of capitals and a year
    # set off after the exercise's title.
    re.compile(r"(?i:\b(?:exercises?|drills?|maneuvers|manoeuvres))\s*[,(]\s*([A-Z]{3,}[-–]?\d{2,4})\b"),
    # "a border guard exercise of A, B and C JUBILEX-2004 begins": a code of four or more capitals
    # with a year is a name wherever it stands ("COVID-19", "BTR-80" are no year).
    re.compile(r"\b([A-Z]{4,}(?:[-–](?:19|20)\d{2}|(?:19|20)?\d{2}))\b(?![-–]?\d)"),
    # "Chile-Peru Exercise 2016", "Cold Lynx Exercise 24": a name that carries the word itself.
    re.compile(rf"\b((?:{_NAME_WORD}\s+){{0,2}}{_NAME_WORD}\s+(?:Exercise|Drills?){_NAME_YEAR})\b(?![.,]?\d)"),
    # "Exercise Amber Fjord 14 was ...", "the exercise CONDOR 25", "joint drills Commonwealth-2021 were
    # held": the noun before the name.
    # "the exercise Baltic Operations (BALTOPS) 2019": the short form in brackets may stand before the year.
    re.compile(rf"\b(?:[Ee]xercises?|[Dd]rills?|[Mm]aneuvers|[Mm]anoeuvres)\s+((?:{_NAME_WORD}\s+){{0,2}}{_NAME_WORD}"
               rf"(?:\s+\([A-Z][A-Za-z]{{1,9}}\))?{_NAME_YEAR})\b(?![.,]?\d)"),
    # "code-named Khazar Storm 2009", "dubbed Danube Watch 2010", "Amber Sweep 2012, a ... exercise"
    # "the exercises dubbed Baltic Host involve ...", "a drill code-named Amber Sweep": the words a
    # naming verb gives are the name, with or without a year.
    re.compile(r"\b(?:dubbed|code-?named|codenamed|(?:the|a|its)\s+code-?name)\s+[“\"]?((?:[A-Z][\w\-]+)(?:[^\S\n]+[A-Z][\w\-]+){0,3}"
               rf"(?:{_NAME_YEAR})?)\b(?![.,]?\d)"),
    # A name that opens a line counts as one that opens the text ("Khaan Quest 2016, an international ...").
    re.compile(r"(?:\b(?:dubbed|code-?named|named|called|codenamed|in|during|joined|for)\s+|^|,\s+)[“\"]?"
               r"((?:[A-Z][\w\-]+[^\S\n]+){1,3}"  # a name never runs over a line break
               # "Amber Sweep 2012 (AS 12), a ... exercise": its short form in brackets may follow.
               r"(?:19|20)\d{2})\b(?=(?:\s+\([^()\n]{1,20}\))?[”\"]?(?:,|\.|\s+(?:exercises?|drills?|over|in|on|at|off|near)\b|$))",
               re.MULTILINE),
]
_NOT_NAME_WORDS = {
    "In", "On", "Since", "By", "From", "The", "Until", "Before", "After", "During", "Of", "Volume", "Issue",
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
}


def exercise_names(text: str) -> list[str]:
    """Names of exercises in a text: quoted and carrying a year, 'Name 2019 exercises', and what
    the parse names as one ('Noble Partner is a multinational exercise')."""
    names: list[str] = []
    for pattern in _NAMED_EXERCISE:
        for match in pattern.finditer(text):
            # "The Sea Breeze 2031 naval drills": a sentence's opening word is no part of the name
            # that follows it; "In May 2031" leaves no name.
            name = match.group(1)
            while name.split()[0] in _NOT_NAME_WORDS and len(name.split()) > 1:
                name = name.split(None, 1)[1]
            if name.split()[0] in _NOT_NAME_WORDS or not name[:1].isupper() or name in names:
                continue
            names.append(name)
    for name in [*_named_by_copula(text), *_named_by_its_course(text), *_named_before_the_kind(text),
                 *_named_after_the_noun(text), *_named_by_a_naming_word(text), *_named_in_marks(text)]:
        # "Exercise Cold Response is a winter exercise": the noun before a name is no part of it.
        name = re.sub(r"^(?:Exercises?|Drills?)\s+(?=[A-Z])", "", name)
        if name not in names and not any(name in longer for longer in names):
            names.append(name)
    return names


def _named_before_the_kind(text: str) -> list[str]:
    """'the Kondoritz military exercise', 'the Pacific Wind drills': capitalized words between the
    article and the kind words of an exercise noun name it, unless they name a state, a people, a
    place or a body ("the Black Sea exercise", "the NATO drill", "the Russian exercise")."""
    found: list[str] = []
    exercise_nouns = set(patterns()["exercise_nouns"])
    lowered = text.lower()
    if not any(noun in lowered for noun in exercise_nouns):
        return found  # most sentences: no parse needed
    doc = parse(text)
    for noun in doc:
        if noun.pos_ != "NOUN" or noun.lemma_.lower() not in exercise_nouns or not noun.text.islower():
            continue  # "The Joint Exercise": in a title-case headline every word is capitalized
        end = noun.i
        while end - 1 >= 0 and doc[end - 1].pos_ in ("ADJ", "NOUN") and doc[end - 1].text.islower():
            end -= 1
        # "the Baltops (Baltic Operations) annual exercise": the name's expansion in brackets is no part of it.
        if end - 1 >= 0 and doc[end - 1].text == ")":
            opening = next((t.i for t in reversed(doc[max(0, end - 8) : end - 1]) if t.text == "("), None)
            end = opening if opening is not None else end
        start = end
        # "the Viekaren IX joint exercises": an edition's Roman numeral ends the name.
        while start - 1 >= 0 and (
            (doc[start - 1].pos_ == "PROPN" and doc[start - 1].text[:1].isupper())
            or (start == end and _ROMAN.fullmatch(doc[start - 1].text) is not None)
        ):
            start -= 1
        # An ordinal between the article and the name ("the 47th X exercise") was tried: on the real
        # holdout it made one more spurious exercise, as it had in an earlier trial.
        before = start - 1
        if start == end or before < 0 or doc[before].lower_ != "the" or end - start > 3 or doc[start].pos_ != "PROPN":
            continue
        words = doc[start:end]
        # Capitals are a body's acronym ("the NATO exercise"), unless an edition's numeral follows
        # them ("the ANDES XII exercise").
        edition = len(words) > 1 and _ROMAN.fullmatch(words[-1].text) is not None
        if any(t.ent_type_ in ("NORP", "LOC", "FAC") or is_country_word(t.text)
               or (t.text.isupper() and not _ROMAN.fullmatch(t.text) and not edition)
               or t.text in _NOT_NAME_WORDS for t in words):
            continue
        if all(_ROMAN.fullmatch(t.text) for t in words):
            continue  # a numeral alone names nothing
        found.append(words.text)
    return found


_AFTER_THE_NOUN = re.compile(
    r"\b(?:exercises?|drills?|maneuvers|manoeuvres)[^\S\n]+((?:[A-Z][\w\-]*)(?:[^\S\n]+[A-Z][\w\-]*){0,2})"
    r"(?=[^\S\n]+[a-z]|[,.;:]|$)"
)


# A name set in double quotation marks next to an exercise noun: "the six-week “X Y” military exercise",
# "the exercise “X Y”". Marks set a name off from the words around it, so it needs no year. Single
# marks were measured too (real dev): there they set off a second name of an exercise the article
# names otherwise (its native name beside the English one, a caption's "'X 2017'" for "X 5"), and
# each split one exercise in two.
_QUOTED_NAME = r"[“\"]([A-Z][\w\-]*(?:[^\S\n]+[A-Z0-9][\w\-]*){0,3})[”\"]"
_NAMED_IN_MARKS = [
    re.compile(rf"(?<!\w){_QUOTED_NAME}\s+(?:[a-z][\w\-]*\s+){{0,3}}{_EXERCISE_NOUN}\b"),
    re.compile(rf"\b{_EXERCISE_NOUN},?\s+{_QUOTED_NAME}"),
]


def _named_in_marks(text: str) -> list[str]:
    """A name in quotation marks right before or after the exercise noun, unless its words only name
    states or peoples ("the 'Russian-Belarusian' drills")."""
    found: list[str] = []
    for pattern in _NAMED_IN_MARKS:
        for match in pattern.finditer(text):
            name = match.group(1)
            if all(is_country_word(w) for w in re.split(r"[\s\-]+", name) if w):
                continue
            found.append(name)
    return found


def _named_after_the_noun(text: str) -> list[str]:
    """'took part in the bilateral exercise Lion Star jointly conducted by ...', 'the drill MALPAK-III
    with ...': capitalized words right after a lowercase exercise noun name the exercise, unless they
    name a state, a people, a person, a place or a day ("the exercise Russia held", "the drill Monday")."""
    found: list[str] = []
    for match in _AFTER_THE_NOUN.finditer(text):
        words = match.group(1).split()
        if any(w in _NOT_NAME_WORDS or is_country_word(w) for w in words):
            continue
        doc = parse(text)
        span = doc.char_span(match.start(1), match.end(1), alignment_mode="expand")
        if span is None or any(t.ent_type_ in ("GPE", "NORP", "LOC", "PERSON", "DATE") for t in span):
            continue
        found.append(match.group(1))
    return found


# A name with its year, written as a whole subject: "Sea Falcon 2031", "Steppe Shield-2031", "Amber Fjord 31"
# ("COVID-19" is no name and year: a two-digit year after a hyphen is not read).
_NAME_AND_YEAR = re.compile(
    rf"(?:{_NAME_WORD}\s+){{0,2}}{_NAME_WORD}(?:\s*[-–]\s*(?:19|20)\d{{2}}|\s+(?:19|20)?\d{{2}})"
)


def _named_by_its_course(text: str) -> list[str]:
    """'Sea Falcon 2031 is being conducted at sea and ashore', 'The Amber Fjord 31 began in May': a
    name with its year that is the subject of an exercise's course verb names the exercise."""
    course_verbs = set(patterns()["course_verbs"])
    found: list[str] = []
    for token in parse(text):
        if token.dep_ not in ("nsubj", "nsubjpass") or token.head.lemma_.lower() not in course_verbs:
            continue
        # The name's words up to the subject's head and the year after it; the parser may hang more
        # on the subject ("X 2031 is held, a statement said" with the statement as its apposition).
        words = [t for t in token.subtree if t.i <= token.i and t.dep_ != "det"]
        for child in token.rights:
            if child.i != words[-1].i + 1 or child.dep_ != "nummod":
                break
            words.append(child)
        if words[-1].i - words[0].i + 1 != len(words) or any(
            t.ent_type_ in ("GPE", "NORP", "DATE", "PERSON") and not t.like_num for t in words
        ):
            continue
        name = text[words[0].idx : words[-1].idx + len(words[-1].text)]
        if _NAME_AND_YEAR.fullmatch(name) and name.split()[0] not in _NOT_NAME_WORDS:
            found.append(name)
    return found


def _named_by_a_naming_word(text: str) -> list[str]:
    """'Code named Operation Desert Lion, the drill ...', 'an exercise dubbed Steel Shield': the
    capitalized words (or a year) right after a naming word, in quotation marks or not."""
    words = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in patterns()["naming_words"])
    word = r"(?:[A-Z][\w’'-]*|\d[\w-]*)"
    pattern = rf"\b(?i:{words})\s+[‘'\"“]?({word}(?:\s+{word})*)"
    return [m.group(1) for m in re.finditer(pattern, text)]


def _named_by_copula(text: str) -> list[str]:
    """'Noble Partner is a cooperatively-led multinational training exercise': a proper name whose
    predicate is an exercise noun names the exercise."""
    exercise_nouns = set(patterns()["exercise_nouns"])
    found: list[Any] = []
    for token in parse(text):
        if token.lemma_ != "be":
            continue
        subjects = [c for c in token.children if c.dep_ == "nsubj" and c.pos_ == "PROPN"]
        if token.dep_ == "relcl" and token.head.pos_ == "PROPN" and any(
            c.dep_ == "nsubj" and c.lower_ in ("which", "that") for c in token.children
        ):
            subjects = [token.head]  # "Agile Spirit, which is a joint multinational exercise, ..."
        predicates = [c for c in token.children if c.dep_ == "attr" and c.lemma_.lower() in exercise_nouns]
        if subjects and predicates:
            entity = entity_of(subjects[0])
            if entity is not None and entity.label_ in ("GPE", "NORP"):
                continue  # "Georgia is a partner in the exercise" names a state
            words = [t for t in subjects[0].subtree if (t.i <= subjects[0].i and t.dep_ in ("compound", "nummod"))
                     or t == subjects[0]]
            name = text[words[0].idx : subjects[0].idx + len(subjects[0].text)]
            if name.split()[0] not in _NOT_NAME_WORDS:
                found.append(name)
    return found




_DETERMINER = r"(?:[Aa]|[Aa]n|[Ii]ts first|[Tt]heir first|[Ii]ts|[Tt]heir)"
_DESCRIPTION = re.compile(
    rf"\b{_DETERMINER}\s+(?P<description>(?:(?!{_FUNCTION_WORDS}\b)[\w-]+\s+(?:and\s+)?){{0,5}}?{_EXERCISE_NOUN})\b"
)


_COUNT = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|\d+)"
# "two-week", "fortnight-long": how long, written before the noun.
_HOW_LONG = rf"{_COUNT}-(?:day|week|month|hour)|(?:day|week|fortnight|month)-long"
_DURATION = re.compile(
    rf"\b(?P<duration>{_HOW_LONG})\b|"
    rf"\b(?:lasted|ran for|continued for)\s+(?P<lasted>{_COUNT}\s+(?:days|weeks|hours))\b"
)


@functools.lru_cache(maxsize=1)
def _not_descriptive() -> re.Pattern[str]:
    """Leading words that say how big, how often, which one or how good an exercise is, not what
    kind it is ("the annual joint drill" is a joint drill; "a successful exercise" has no kind)."""
    words = "|".join(re.escape(w) for w in sorted(patterns()["not_kind_words"], key=len, reverse=True))
    return re.compile(
        rf"^(?:(?:{words}|{_HOW_LONG})\s+)+",
        re.IGNORECASE,
    )


def introduces_exercise(sentence: str) -> bool:
    """'a five-day joint naval exercise took place', 'held its first live-fire exercise': an
    indefinite (or first) mention starts a new exercise; 'its' alone refers back."""
    # A speaker's "it will be a demanding exercise" speaks of the exercise the article tells.
    quoted = [m.span() for m in re.finditer(r"“[^”]*”?|«[^»]*»?|\"[^\"]*\"?", sentence)]
    for match in _DESCRIPTION.finditer(sentence):
        if any(start <= match.start() < end for start, end in quoted):
            continue
        determiner = sentence[match.start() : match.start("description")].strip().lower()
        if determiner in ("a", "an", "its first", "their first"):
            return True
    return False


def refers_to_exercise(sentence: str) -> bool:
    """A noun for the exercise or one that stands for it ("the drills", "this year's edition", "the
    event"): a sentence past the paragraph that speaks of the exercise again."""
    data = patterns()
    nouns = set(data["exercise_nouns"]) | set(data["series_nouns"])
    other_edition = set(data["other_edition_words"])
    doc = parse(sentence)
    # "States due to take part include A and B": who takes part, told in a paragraph of its own.
    if any(_listing_subjects(t, data) for t in doc):
        return True
    # "Sea Falcon 2031 is being conducted at sea and ashore": the exercise by its name, as what is held.
    if _named_by_its_course(sentence):
        return True
    # "Two states have sent observers", "NATO participants came from A and B": the exercise's
    # participants, observers or hosts, named by the noun for their role.
    if any(token.pos_ == "NOUN" and token.lemma_.lower() in data["as_role"] for token in doc):
        return True
    # "this significant maritime event, organized by X": a demonstrative noun for the event told.
    if any(token.pos_ == "NOUN" and token.lemma_.lower() in data["referring_nouns"]
           and any(c.dep_ == "det" and c.lower_ == "this" for c in token.children) for token in doc):
        return True
    # "The troops practised boarding a ship": what was rehearsed, told after the exercise.
    if any(t.pos_ == "VERB" and t.lemma_.lower() in data["scenario"]["rehearsal_verbs"] for t in doc):
        return True
    # "last year's exercise", "the previous edition": another exercise of the series.
    return any(
        token.pos_ == "NOUN" and (token.lemma_.lower() in nouns or token.lower_ in nouns)
        and not any(t.lower_ in other_edition for t in token.subtree if t.i < token.i)
        for token in doc
    )


def states_time_and_place(sentence: str) -> bool:
    """Whether the sentence says when or where the exercise itself happens: a new exercise ('a
    five-day drill took place'), the exercise as the subject of its own course ('the exercise is
    being conducted at X from May 3 to 9', 'the drills will run until Friday') or as what is held
    ('forces from A and B will conduct the annual exercise in X')."""
    if introduces_exercise(sentence):
        return True
    data = patterns()
    exercise_nouns = set(data["exercise_nouns"])
    doc = parse(sentence)
    # The exercise's name stands for it too: "X is hosting on May 3-9 the Andes Exercise 2016".
    named = {t.i for name in exercise_names(sentence) for at in [sentence.find(name)] if at >= 0
             for t in doc if at <= t.idx < at + len(name)}
    for token in doc:
        # "the exercise is being conducted at X", and "A and B will conduct the exercise in X": the
        # exercise as what is held, whether subject of its course or object of holding it. "The 17th
        # edition of the X exercise commenced at Y": an edition of the exercise is the exercise, and
        # the course of a part of it ("the field portion of X began on May 3") is its course.
        is_exercise = token.lemma_.lower() in exercise_nouns or token.i in named or (
            token.lemma_.lower() in (*data["series_nouns"], *data["part_nouns"]) and any(
                obj.lemma_.lower() in exercise_nouns or obj.i in named
                for prep in token.children if prep.lower_ == "of" for obj in prep.children if obj.dep_ == "pobj"
            )
        )
        held = is_exercise and token.dep_ in ("nsubj", "nsubjpass", "dobj")
        if held and token.head.lemma_.lower() in data["course_verbs"]:
            return True
        # "the exercise involves A and B and will run until June 21": a verb joined to the
        # exercise's own verb, without a subject of its own, has the exercise as its subject too.
        shares_subject = is_exercise and token.dep_ in ("nsubj", "nsubjpass")
        if shares_subject and any(
            verb.lemma_.lower() in data["course_verbs"] and not any(c.dep_.startswith("nsubj") for c in verb.children)
            for verb in token.head.conjuncts
        ):
            return True
        # "X is hosting on May 3-9 the Andes Exercise 2016": a host holds the exercise then and there,
        # wherever the parser hangs the exercise inside the clause.
        host = next((a for a in token.ancestors if a.pos_ == "VERB"), None) if is_exercise else None
        if host is not None and host.lemma_.lower() in data["hosting_verbs"]:
            return True
        # "X participated in the exercise August 5-23 at Y", "took part in the drill off Z".
        joined = is_exercise and token.dep_ == "pobj" and token.head.lower_ == "in"
        if joined and token.head.head.lemma_.lower() in data["joining_verbs"]:
            return True
        # "The training exercise, held from October 21 to 24 in X, involved ...": the exercise's own
        # participle of its course says when and where it was held. A verb in the past the parser hung
        # on the exercise the same way ("The 17th Edition of ... commenced at X") is its predicate.
        if is_exercise and any(c.dep_ == "acl" and c.tag_ in ("VBN", "VBD") and c.lemma_.lower() in data["course_verbs"]
                               for c in token.children):
            return True
        # "During the X exercises July 7-8 in Y, ...": a date hung on the exercise noun is its own.
        if is_exercise and any(c.ent_type_ == "DATE" and c.dep_ in ("npadvmod", "nmod", "appos")
                               and not is_year(c.text) for c in token.children):
            return True
        # "A will join B for training in X as part of Exercise Y": joined for the exercise, then and there.
        verb = next((a for a in token.ancestors if a.pos_ == "VERB"), None) if is_exercise else None
        through = [a for a in token.ancestors if verb is not None and a.dep_ == "prep" and a.head.i == verb.i]
        if verb is not None and verb.lemma_.lower() in data["partner_joining_verbs"] and through and (
            through[0].lower_ in ("for", "as")
        ):
            return True
    return False


def exercise_description(sentence: str) -> str | None:
    """The kind words the text puts before an exercise noun (GUIDE §6): 'a five-day joint naval
    exercise' -> 'joint naval exercise', 'the SILVA-2024 computer-assisted command-post
    exercise' -> 'computer-assisted command-post exercise'. A name, a people or state, a
    number, an ordinal, a size or a duration is no kind; one word alone is no description, unless
    it is the noun the exercise's name is given to ('the Amber Shield 2023 manoeuvres')."""
    names = exercise_names(sentence)
    name_words = {w for name in names for w in re.split(r"[\s\-–]+", name) if w}
    exercise_nouns = set(patterns()["exercise_nouns"])
    doc = parse(sentence)
    for noun in doc:
        # The tagger reads some plural nouns as verbs ("conducted joint coastguard drills"): the
        # dependency says it is a noun all the same.
        as_noun = noun.pos_ == "NOUN" or noun.dep_ in ("dobj", "nsubj", "nsubjpass", "pobj", "attr", "conj", "appos")
        if not as_noun or not (noun.lemma_.lower() in exercise_nouns or noun.lower_ in exercise_nouns):
            continue
        if not _mentions_the_event(noun, name_words):
            continue  # "stayed away from joint maneuvers": exercises in general, not this one
        start = noun.i
        while start - 1 >= max(0, noun.i - 8) and _kind_word(doc[start - 1], name_words):
            start -= 1
        if doc[start].text == "-" and start > 0 and doc[start - 1].whitespace_ == "":
            start -= 1  # "a three-way border guard exercise": the number belongs to its compound
        words = doc[start : noun.i + 1].text
        words = _not_descriptive().sub("", re.sub(r"^(?:and|or|-)\s+", "", words)).strip()
        if len(words.split()) >= 2:
            return words
    # Where the tagger misreads the kind words ("a mine countermeasures exercise" with a verb in
    # it), an indefinite or possessive mention is read off the words.
    match = _DESCRIPTION.search(sentence)
    if match and len((described := _not_descriptive().sub("", match.group("description"))).split()) >= 2:
        return described
    # "the Saber Guardian 2023 manoeuvres": the noun the exercise's name is given to is the only
    # kind word the text has for it.
    named = name_words | {w for name in names for w in name.split()}
    for noun in doc:
        is_exercise_noun = noun.lemma_.lower() in exercise_nouns or noun.lower_ in exercise_nouns
        if noun.text in named:
            continue  # "the Andes Guard Exercise 2031": the noun is the name's own word
        if is_exercise_noun and any(c.dep_ in ("compound", "nmod", "appos") and c.text in named for c in noun.children):
            return noun.text
    return None


def _mentions_the_event(noun: Any, name_words: Collection[str] = ()) -> bool:
    """An exercise noun that names one exercise: with a determiner or possessive ('a joint drill',
    'the SILVA-2024 exercise', 'its first drill'), modifying the exercise's name ('the joint exercise
    “Eagle Partner”'), or held, begun or taken part in ('conducted joint drills', 'joint exercises
    will begin', 'took part in joint drills')."""
    data = patterns()
    if any(c.dep_ in ("det", "poss") for c in noun.children):
        return True
    if noun.dep_ in ("nmod", "compound") and noun.head.text in name_words:
        return True
    verbs = {*data["course_verbs"], *_taking_part_lemmas()}
    governor = noun.head.head if noun.dep_ == "pobj" else noun.head
    return noun.dep_ in ("nsubj", "nsubjpass", "dobj", "pobj") and governor.lemma_.lower() in verbs


def _kind_word(token: Any, name_words: set[str]) -> bool:
    """A word that can say what kind of exercise it is: 'joint', 'naval', 'command', 'live' and '-'
    in 'live-fire', 'and' in 'command and staff'."""
    if token.text in name_words or token.ent_type_ in ("GPE", "NORP", "ORG", "DATE", "CARDINAL", "ORDINAL"):
        return False
    doc = token.doc
    joined = token.i + 1 < len(doc) and not token.whitespace_ and doc[token.i + 1].text in ("-", "–")
    if token.text in ("-", "–") or joined:
        return not token.whitespace_  # inside a hyphenated word: "search-and-rescue", "live-fire"
    if token.lower_ == "and":
        return token.i > 0 and token.nbor(-1).pos_ in ("ADJ", "NOUN", "VERB", "PROPN")
    if any(ch.isdigit() for ch in token.text):
        return False  # a year or a number, or a name that carries one ("SILVA-2024")
    if token.dep_ in ("det", "poss", "nummod", "case", "predet") or token.like_num or token.tag_ in ("JJS", "RBS"):
        return False  # nor a superlative: "the largest naval exercise" is a naval exercise
    if token.pos_ == "PROPN":  # a name or a people ("Chilean-Peruvian"), but an acronym may be a kind ("CPX")
        return token.text.isalpha() and token.text.isupper() and not token.ent_type_
    if token.pos_ == "VERB":  # "computerized", "live-fire": a participle that modifies the noun
        return token.dep_ in ("amod", "compound") and token.head.i > token.i
    return token.pos_ in ("ADJ", "NOUN") and not token.is_punct


def exercise_duration(sentence: str) -> str | None:
    match = _DURATION.search(sentence)
    return (match.group("duration") or match.group("lasted")) if match else None


# --- The dependency parse: who took part, led or watched; what was rehearsed -----------------------
# Measured on the real development articles, the regular expressions this replaces found 6 of 71
# participants; the lemma lists they used are now data in prompts/lexicon/exercise.patterns.toml.

PATTERNS = Path(__file__).resolve().parents[3] / "prompts" / "lexicon" / "exercise.patterns.toml"
ROLES = ("participants", "organizers", "observers")


@functools.lru_cache(maxsize=1)
def patterns() -> dict[str, Any]:
    data = tomllib.loads(PATTERNS.read_text(encoding="utf-8"))
    # Ships are sent to an exercise and perform it: one list of vessel nouns serves names and roles.
    data["member_nouns"] = [*data["member_nouns"], *vessel_nouns()]
    data["roles"]["performer_nouns"] = [*data["roles"]["performer_nouns"], *vessel_nouns()]
    return data


@functools.lru_cache(maxsize=1)
def _participant_verb_lemmas() -> frozenset[str]:
    """The first word of each verb phrase whose subject took part ("take" of "take part")."""
    return frozenset(phrase.split()[0] for phrase in patterns()["roles"]["participants"])


@functools.lru_cache(maxsize=1)
def _taking_part_lemmas() -> frozenset[str]:
    """Those and the verbs of taking part "in" the exercise: what makes a word one of taking part."""
    return _participant_verb_lemmas() | frozenset(patterns()["joining_verbs"])


@functools.lru_cache(maxsize=4)
def _verb_matcher(vocab: Any) -> Any:
    """One Matcher per vocabulary: each role's verb phrases as lemma sequences ("take part")."""
    from spacy.matcher import Matcher

    matcher = Matcher(vocab)
    roles = patterns()["roles"]
    for role in (*ROLES, "involve", "send"):
        phrases = [phrase.split() for phrase in roles[role]]
        # The small model's lemmatizer misreads some forms ("staged" -> "stag"): the inflected
        # forms of the lemma are matched too.
        matcher.add(role, [[{"LEMMA": words[0], "POS": {"IN": ["VERB", "AUX"]}}] +
                           [{"LOWER": w} for w in words[1:]] for words in phrases])
        matcher.add(role, [[{"LOWER": {"IN": _forms(words[0])}, "POS": {"IN": ["VERB", "AUX"]}}] +
                           [{"LOWER": w} for w in words[1:]] for words in phrases])
    return matcher


def _forms(lemma: str) -> list[str]:
    stem = lemma[:-1] if lemma.endswith("e") else lemma
    return [lemma, lemma + "s", stem + "ed", stem + "ing", lemma + "d"]


def sentence_span(document_text: str, unit: Span) -> Any:
    """The sentence's tokens in the document's shared parse."""
    doc = parse(document_text)
    return doc.char_span(unit.start, unit.end, alignment_mode="expand")


def _in(span: Any, token: Any) -> bool:
    return bool(span.start <= token.i < span.end)


def _is_exercise(token: Any, names: list[str]) -> bool:
    data = patterns()
    if token.lemma_.lower() in data["exercise_nouns"] or token.lower_ in data["exercise_nouns"]:
        return True
    if token.lower_ in data["exercise_stand_ins"] or token.lemma_.lower() in data["exercise_stand_ins"]:
        return True
    if token.lower_ == "game" and any(c.lower_ == "war" for c in token.children):
        return True
    # "will host Decisive Strike, the largest exercise ever held here": a name the text calls an exercise
    apposed = (c.lemma_.lower() for c in token.children if c.dep_ == "appos")
    if token.pos_ == "PROPN" and any(lemma in data["exercise_nouns"] for lemma in apposed):
        return True
    return any(token.text in name.split() for name in names) and token.pos_ in ("PROPN", "NUM")


def _clean_name(text: str) -> str:
    text = re.sub(r"^.*\b[A-Z]{3,}\.?\s*(?:-|–|—|--)\s*", "", text)  # a dateline: "ASTANA. AGENCY - "
    text = re.sub(r"^(?:the|The)\s+", "", text.strip(" ,;:—–-"))
    text = re.sub(r"^[\w.]+-led\s+", "", text)  # "Russia-led X": X
    text = re.sub(r"\s*\((?:[A-Z][\w-]*\s?)*\)?$", "", text)  # a trailing "(SCO)" or "(SCO"
    return without_possessive(text).strip(" ,;:—–-")


def _proper_span(token: Any, span: Any) -> Any:
    """A proper noun with its proper-noun compounds, numbers and "of"-tail: "Naval Forces of Azerbaijan"."""
    left = token.i
    for child in sorted(token.lefts, key=lambda t: -t.i):
        if child.dep_ in ("compound", "nmod", "amod", "nummod", "poss", "punct") and child.i == left - 1 and (
            child.pos_ in ("PROPN", "NUM") or child.text in ("-", "’s", "'s") or child.text[:1].isupper()
            or child.ent_type_ == "ORDINAL"  # "14th Engineer Brigade"
        ):
            left = child.i
            left = min(left, min(t.i for t in child.subtree))
    right = token.i
    for child in token.rights:
        if child.dep_ == "prep" and child.lower_ == "of" and child.i == right + 1:
            objs = [c for c in child.children if c.dep_ == "pobj" and c.pos_ == "PROPN"]
            if objs:
                right = max(t.i for t in objs[0].subtree if t.dep_ not in ("conj", "cc", "punct", "appos")
                            and not any(a.dep_ == "conj" for a in t.ancestors if a.i > objs[0].i))
    left, right = max(left, span.start), min(right, span.end - 1)
    return token.doc[left : right + 1]


def _actor_names(token: Any, span: Any, names: list[str], role: str, found: dict[str, list[str]]) -> None:
    """Who `token` (a subject, object or agent) and its conjuncts name, added to `found[role]`."""
    for member in _members(token):
        if _in(span, member):
            _one_actor(member, span, names, role, found, depth=0)


def _members(token: Any) -> list[Any]:
    """A list's members: conjuncts, and proper names the parser hung on as appositions
    ("the Kazakh Navy, the Coast Guard and a rescue team": the second is read as an apposition),
    as is any apposition the list goes on from with "and" ("A (AA), the forces of B and C and D")."""
    found = [token]
    for child in token.children:
        listed = child.dep_ == "appos" and not in_brackets(child) and (
            (child.pos_ == "PROPN" and token.pos_ == "PROPN") or bool(child.conjuncts)
        )
        if child.dep_ == "conj" or listed:
            found.extend(_members(child))
    return found


def _add(found: dict[str, list[str]], role: str, name: str, names: list[str], counted: bool = False) -> None:
    name = _clean_name(name.rsplit("\n", 1)[-1])  # a name never runs over a line break
    # A name has a capital; a counted group ("47 countries") is named by its count.
    if not name or not (counted or re.search(r"[A-Z]", name)) or name in names:
        return
    # The fuller of two names for one body wins ("Southern Federal District" inside "regional border
    # guard directorate of the Southern Federal District").
    if any(_within(name, taken) for taken in found[role]):
        return
    found[role][:] = [taken for taken in found[role] if not _within(taken, name)]
    if re.match(r"(?i)^(?:it|they|this|these|we|he|she|the (?:exercise|drill)s?)$", name):
        return
    if any(name == taken for taken in found[role]):
        return
    found[role].append(name)


def _is_demonym(token: Any) -> bool:
    """A state's adjective ("Uzbek"), not its name ("Uzbekistan", "U.S.")."""
    return demonym_country(token.text) is not None and country_of_name(token.text) is None


def _regional(token: Any) -> bool:
    """'West', 'Central' before a people's name ("West and Central African navies"): part of a region's name."""
    compass = patterns()["region_words"]
    return token.text in compass or (token.lower_.capitalize() in compass and token.i + 1 < len(token.doc)
                                     and _is_demonym(token.nbor()))


def _of_a_people(token: Any) -> bool:
    entity = entity_of(token)
    return entity is not None and entity.label_ == "NORP"


def _names_a_state(token: Any) -> bool:
    """A place entity, or a state's name however the tagger labels it ("the Chile-Peru exercise" as a facility)."""
    entity = entity_of(token)
    return (entity is not None and entity.label_ == "GPE") or country_of_name(token.text) is not None


def _within(short: str, long: str) -> bool:
    return short != long and re.search(rf"(?<![\w’']){re.escape(short)}(?![\w’'])", long) is not None


# The tagger's labels for when and how many: no actor, and no rehearsed task either.
_TIMES_AND_COUNTS = ("DATE", "TIME", "CARDINAL", "ORDINAL", "PERCENT", "QUANTITY")
_TIMES_AND_AMOUNTS = (*_TIMES_AND_COUNTS, "MONEY")


def _one_actor(token: Any, span: Any, names: list[str], role: str, found: dict[str, list[str]], depth: int) -> None:
    data = patterns()
    if depth > 3 or _is_exercise(token, names) or token.pos_ in ("PRON", "DET", "NUM"):
        return
    if token.ent_type_ in _TIMES_AND_AMOUNTS:
        return  # "with the participation of A and B from March 1 to 5": a month takes no part
    lemma = token.lemma_.lower()
    if lemma in data["as_role"] and lemma == "observer":
        role = "observers"  # "... and observers from Pakistan"
    if token.i == span.start and token.text.isupper() and len(token.text) > 2:
        # "TAMPA, Fla. – U.S. forces ... will conduct": the dateline's place is not the subject.
        for child in token.rights:
            if child.dep_ == "appos" and not child.text.isupper():
                _one_actor(child, span, names, role, found, depth + 1)
        return
    entity = entity_of(token)
    if entity is not None and not any(t.pos_ == "PROPN" for t in entity):
        entity = None
    # A member noun ("forces", a sentence-initial "Servicemen" the tagger calls proper) unless named.
    member_noun = (lemma in data["member_nouns"] or token.lower_ in data["member_nouns"]) and (
        token.pos_ == "NOUN" or entity is None
    )
    if entity is not None and not member_noun and entity.label_ in data["actor_labels"] and (
        entity.root.i == token.i or token.pos_ == "PROPN"
    ):
        if entity.label_ == "NORP" and token.pos_ != "PROPN":
            return
        start, end = max(entity.start, span.start), min(entity.end, span.end)
        ordinal = token.doc[start - 1] if start > span.start else None
        if ordinal is not None and ordinal.ent_type_ == "ORDINAL" and start <= ordinal.head.i < end:
            start -= 1  # "the 14th Engineer Brigade": a unit's number is part of its name
        if token.pos_ == "PROPN" and entity.label_ == "ORG":
            # "the Coast Guard of the Border Service": the name runs on through its "of" phrase.
            proper = _proper_span(token, span)
            end = max(end, proper.end) if proper.start <= start + 1 else end
        _add(found, role, token.doc[start:end].text, names)
        return
    if token.pos_ == "PROPN" and not member_noun:
        _add(found, role, _proper_span(token, span).text, names)
        return
    if token.pos_ not in ("NOUN", "PROPN"):
        return
    sender = False
    # "Over 2,000 soldiers from 47 countries, including A and B": a counted group of states the text
    # lists only in part is one actor, verbatim, beside the members it names (GUIDE). Listed in
    # full elsewhere, or not at all, the count is no actor of its own.
    count = next((c for c in token.lefts if c.dep_ == "nummod" and c.like_num), None)
    in_part = any(c.dep_ == "prep" and c.lower_ in data["member_list_prepositions"] for c in token.rights)
    if lemma in data["group_nouns"] and lemma != "member" and count is not None and in_part:
        first = min(t.i for c in token.lefts if c.dep_ not in ("det", "punct") for t in c.subtree)
        _add(found, role, token.doc[max(first, span.start) : token.i + 1].text, names, counted=True)
    if lemma in data["group_nouns"] and any(
        c.dep_ in ("compound", "nmod") and c.pos_ == "PROPN" for c in token.lefts
    ):
        named = [c for c in token.rights if c.dep_ == "appos" and c.pos_ == "PROPN" and _in(span, c)]
        after = token.doc[token.i + 1] if token.i + 1 < span.end else None
        if after is not None and after.pos_ == "PROPN" and after.head.i == token.head.i and after.dep_ == token.dep_:
            named.append(after)  # the parser may read the names as a second subject beside the group
        # "the Caspian Sea littoral states, including A, B and C": the members the text names.
        named += [o for p in token.rights if p.dep_ == "prep" and p.lower_ in data["member_list_prepositions"]
                  for o in p.children if o.dep_ == "pobj" and _in(span, o)]
        if named:  # "NATO's Black Sea members A, B and C": the members the text names
            for member in named:
                _actor_names(member, span, names, role, found)
            return
        # "the CSTO member states": a group the text names only as a group stays one, verbatim.
        first = min(t.i for c in token.lefts if c.dep_ in ("compound", "nmod", "amod", "nummod") for t in c.subtree)
        _add(found, role, token.doc[max(first, span.start) : token.i + 1].text, names)
        return
    # "troops from A, B and C", "officers of the Romanian Navy"
    # Any common noun's "from"/"of" phrase names its sender ("cutters of the Romanian Border Police").
    for prep in token.children:
        if prep.dep_ == "prep" and prep.lower_ in data["member_prepositions"]:
            for obj in prep.children:
                if obj.dep_ == "pobj" and (member_noun or obj.pos_ == "PROPN"):
                    before = sum(len(v) for v in found.values())
                    _actor_names(obj, span, names, role, found)
                    sender = sender or sum(len(v) for v in found.values()) > before
    if member_noun:
        # "U.S. Central Command forces", "China and Kyrgyzstan frontier forces"
        named_by = [c for c in token.lefts if c.dep_ in ("compound", "nmod", "poss") and c.pos_ == "PROPN"]
        # "Azerbaijani and Uzbek servicemen" tagged as proper nouns are still adjectives of nationality.
        # "West and Central African navies": a region's words before a people's name it too.
        people = [m for c in named_by for m in [c, *c.conjuncts]]
        by_demonyms = bool(named_by) and all(_is_demonym(m) or _regional(m) or _of_a_people(m) for m in people) and (
            any(_is_demonym(m) or _of_a_people(m) for m in people)
        )
        for child in [] if by_demonyms else named_by:
            for member in [child, *child.conjuncts]:
                _one_actor(member, span, names, role, found, depth + 1)
                sender = True
        # "Tajik and Uzbek troops": a group named by demonyms stays a group, verbatim.
        demonyms = named_by if by_demonyms else [
            c for c in token.lefts if c.dep_ == "amod" and (entity_of(c) is not None and entity_of(c).label_ == "NORP")
        ]
        if demonyms and not sender:
            first = min(t.i for t in demonyms[0].subtree)
            _add(found, role, token.doc[max(first, span.start) : token.i + 1].text, names)
            sender = True
    # "the Mangystau regional emergencies department": a body named by its place; "the regional
    # border guard directorate of the Southern Federal District": by what it belongs to.
    named_by_of = [
        o for p in token.rights if p.dep_ == "prep" and p.lower_ == "of" and p.i == token.i + 1
        for o in p.children if o.dep_ == "pobj" and o.pos_ == "PROPN"
    ]
    if lemma in data["body_nouns"] and (any(c.pos_ == "PROPN" for c in token.lefts) or named_by_of):
        modifiers = [t.i for c in token.lefts if c.dep_ != "det" for t in c.subtree]
        first = min([*modifiers, token.i])
        last = _proper_span(named_by_of[0], span).end - 1 if named_by_of else token.i
        _add(found, role, token.doc[max(first, span.start) : min(last, span.end - 1) + 1].text, names)
        return
    # "personnel from A, supported by subunits from B and C": the supporters take part too.
    for child in token.children:
        if child.dep_ == "acl":
            for agent in (c for c in child.children if c.dep_ == "agent"):
                for obj in (o for o in agent.children if o.dep_ == "pobj"):
                    _actor_names(obj, span, names, role, found)
    # "thirteen partner countries—Romania, Belgium and Turkey"; "ten nations, including A and B"
    for child in token.rights:
        if child.dep_ == "appos" and _in(span, child):
            _actor_names(child, span, names, role, found)
        if child.dep_ == "prep" and child.lower_ in data["member_list_prepositions"]:
            for obj in (o for o in child.children if o.dep_ == "pobj" and _in(span, o)):
                _actor_names(obj, span, names, role, found)


def _inverted_participants(span: Any, names: list[str], data: dict[str, Any]) -> list[Any]:
    """'Taking part in the exercise are A, B and C', 'Participating in the drills were ships from A':
    the participle of taking part opens the sentence and the list follows the verb "be"."""
    words = [t for t in span if not t.is_punct and not t.is_space]
    if not words or words[0].tag_ != "VBG":
        return []
    opening = words[0]
    joins = opening.lemma_.lower() in data["joining_verbs"] or opening.lower_.startswith("participat")
    held = [t for t in opening.subtree if t.dep_ in ("pobj", "dobj") and _is_exercise(t, names)]
    if not joins or not held:
        return []
    after = [t for t in span if t.i > held[0].i]
    verb = next((t for t in after if t.lemma_ == "be"), None)
    if verb is None:
        return []
    listed = [t for t in after if t.i > verb.i and t.dep_ in ("nsubj", "attr") and t.head in (verb, opening)]
    return listed[:1]


def _headline_subjects(span: Any, data: dict[str, Any]) -> list[tuple[Any, Any]]:
    """'A, B to hold joint drills', 'A, B conduct naval drill', 'A & B To Hold Drill': a headline's
    comma stands for "and", which the parser, trained on sentences, does not know. The names (first
    and last token) that open a title line (no closing punctuation) before a verb of holding or
    taking part took part."""
    if not len(span) or re.search(r"[.!?:;”\"»]\s*$", span.text):
        return []
    verbs = {*data["course_verbs"], *_participant_verb_lemmas()}

    def is_verb(token: Any) -> bool:  # title case: "Conduct", "To Hold"
        return token.lemma_.lower() in verbs or token.lower_ in verbs or token.lower_.rstrip("s") in verbs

    names: list[tuple[Any, Any]] = []
    for token in span:
        if token.text in (",", "&") or token.lower_ == "and":
            continue
        following = token.nbor(1) if token.lower_ == "to" and token.i + 1 < span.end else token
        if is_verb(following) and following.i > span.start:
            return names if len(names) >= 2 else []
        if token.pos_ != "PROPN" or not token.text[:1].isupper():
            return []
        if names and token.i == names[-1][1].i + 1:
            names[-1] = (names[-1][0], token)  # "United States": one name of several words
        else:
            names.append((token, token))
    return []


def _listing_subjects(verb: Any, data: dict[str, Any]) -> list[Any]:
    """The subjects of a listing verb that name the exercise's participants or participation
    ("Participating states include ...", "Chile's participation includes ..."); none otherwise."""
    if verb.pos_ != "VERB" or verb.lemma_.lower() not in data["listing_verbs"]:
        return []
    return [c for c in verb.children if c.dep_ == "nsubj" and _names_participants(c, data)]


def _names_participants(noun: Any, data: dict[str, Any]) -> bool:
    """'participants', 'participation', 'participating nations', 'nations scheduled to take part'."""
    lemma = noun.lemma_.lower()
    if lemma in ("participant", *data["participation_nouns"]):
        return True
    joining = _taking_part_lemmas()
    modifiers = [t for c in noun.children if c.dep_ in ("amod", "acl", "relcl") for t in c.subtree]
    if lemma in data["member_nouns"] and any(t.lemma_.lower() in joining for t in modifiers):
        return True
    # "Countries for this year's X iteration include ...", "Nations in the drill include ...": the
    # members of the exercise itself; so is "the make-up of the forces for this year's edition".
    # The parser splits "make-up" ("make" a compound of "up") and may read "make up" as a verb and particle.
    first = min([c.i for c in noun.lefts if c.dep_ in ("compound", "punct")], default=noun.i)
    written = noun.doc[first : noun.i + 1].text.lower()
    composition = written in data["composition_nouns"] or lemma in data["composition_nouns"] or (
        lemma == "make" and any(c.dep_ == "prt" and c.lower_ == "up" for c in noun.children)
    )
    linked = preposition_objects(noun, "for", "in", "of")
    if composition:
        members = [o for o in linked if o.lemma_.lower() in data["member_nouns"]]
        linked += [o for m in members for o in preposition_objects(m, "for", "in")]
    return (lemma in data["member_nouns"] or composition) and any(
        o.lemma_.lower() in data["exercise_nouns"] or o.lemma_.lower() in data["series_nouns"] for o in linked
    )


def _participle_senders(verb: Any) -> list[Any]:
    """'Coming from A, B and C, the participants trained ...', 'Drawn from A and B, the units ...': a
    participle before the subject that says where its people come from."""
    found: list[Any] = []
    for clause in verb.children:
        if clause.dep_ == "advcl" and clause.tag_ in ("VBG", "VBN") and clause.i < verb.i:
            for prep in clause.children:
                if prep.dep_ == "prep" and prep.lower_ == "from":
                    found.extend(o for o in prep.children if o.dep_ == "pobj")
    return found


_RELATIVE_PRONOUNS = {"which", "that", "who"}


def _subjects(verb: Any, passive: bool = False) -> list[Any]:
    """The verb's subject, or the subject it shares: "A plans to hold", "A met and held"."""
    seen = verb
    deps = ("nsubj", "csubj", "nsubjpass") if passive else ("nsubj", "csubj")
    for _ in range(4):
        subjects = [c for c in seen.children if c.dep_ in deps]
        if subjects and subjects[0].lower_ in _RELATIVE_PRONOUNS and seen.dep_ == "relcl":
            return [seen.head]  # "the Peruvian Navy, which took part": the noun the clause is about
        if subjects:
            return subjects
        objects = [c for c in seen.head.children if c.dep_ == "dobj"] if seen.dep_ == "xcomp" else []
        if objects and seen.head != seen:
            return objects  # "Chile invited Peru to take part": the one invited takes part
        if seen.dep_ in ("xcomp", "conj", "ccomp") and seen.head != seen:
            seen = seen.head
            continue
        if seen.dep_ == "advcl" and any(c.dep_ == "aux" and c.lower_ == "to" for c in seen.children):
            # "A contingent was sent to take part": whoever is sent to do it does it.
            seen, deps = seen.head, ("nsubj", "csubj", "nsubjpass")
            continue
        if seen.dep_ in ("acl", "relcl") and verb.tag_ == "VBG":
            return [seen.head]  # "Servicemen participating in the exercise"
        break
    return []


def _passive(verb: Any) -> bool:
    return any(c.dep_ in ("auxpass", "nsubjpass") for c in verb.children) or (
        verb.dep_ in ("acl", "advcl") and verb.tag_ == "VBN"
    )


def _agents(verb: Any) -> list[Any]:
    return [o for c in verb.children if c.dep_ == "agent" for o in c.children if o.dep_ == "pobj"]


def _acts_on_exercise(verb: Any, names: list[str]) -> bool:
    acted_on = [c for c in verb.children if c.dep_ in ("dobj", "nsubjpass", "attr")]
    # "were part of the drill": what they were part of
    acted_on += [o for a in acted_on if a.lemma_.lower() == "part" for c in a.children
                 if c.dep_ == "prep" and c.lower_ == "of" for o in c.children if o.dep_ == "pobj"]
    acted_on += [o for c in verb.children if c.dep_ == "prep" and c.lower_ in ("in", "into", "during")
                 for o in c.children if o.dep_ == "pobj"]
    if verb.dep_ in ("acl", "relcl"):
        acted_on.append(verb.head)
    if verb.dep_ == "conj" and not acted_on:
        return _acts_on_exercise(verb.head, names)
    return any(_is_exercise(t, names) for t in acted_on)


def _partners_joined(verb: Any, objects: list[Any], names: list[str], data: dict[str, Any]) -> list[Any]:
    """"A will join B and C for maritime training", "A joined B in the drill": whom the subject joins
    for the exercise takes part beside it. Joining someone for anything else ("joined the alliance in
    2004") names no partner."""
    if verb.lemma_.lower() not in data["partner_joining_verbs"]:
        return []
    partners = [o for o in objects if not _is_exercise(o, names)]
    # "for security and disaster response training", "as part of Exercise X": the exercise anywhere in the phrase.
    for_exercise = any(
        _is_exercise(t, names) for c in verb.children if c.dep_ == "prep" and c.lower_ in ("for", "in", "during", "as")
        for t in c.subtree if t.pos_ in ("NOUN", "PROPN")
    )
    return partners if for_exercise else []


def _refused(verb: Any) -> bool:
    refusals = patterns()["refusal_lemmas"]
    chain = [verb, *list(verb.ancestors)[:2]]
    return any(c.dep_ == "neg" for c in verb.children) or any(t.lemma_ in refusals for t in chain)


def exercise_roles(document_text: str, unit: Span, sentence: str, names: list[str]) -> dict[str, list[str]]:
    """Participants, organizers and observers the sentence names, by its verbs' subjects, objects and agents."""
    found: dict[str, list[str]] = {role: [] for role in ROLES}
    span = sentence_span(document_text, unit)
    if span is None:
        return found
    data = patterns()
    need = {tuple(p.split()) for p in data["need_exercise_object"]}
    matcher = _verb_matcher(span.doc.vocab)
    for match_id, start, end in matcher(span):
        kind = span.doc.vocab.strings[match_id]
        verb = span[start]
        phrase = tuple(t.lemma_.lower() for t in span[start:end])
        if verb.dep_ in ("amod", "compound") or _refused(verb):
            continue
        objects = [c for c in verb.children if c.dep_ == "dobj" and not start <= c.i - span.start < end]
        partners = _partners_joined(verb, objects, names, data)
        if phrase in need and not (partners or _acts_on_exercise(verb, names)):
            continue
        if kind not in ("involve", "send") and objects and not (partners or _acts_on_exercise(verb, names)):
            continue  # "monitors the situation", "held talks": another act
        if not sentence[verb.idx - unit.start : verb.idx - unit.start + len(verb.text)].strip():
            continue  # inside a blanked citation
        role = kind
        for prep in verb.children:  # "attended as observers"
            if prep.dep_ == "prep" and prep.lower_ == "as":
                for obj in prep.children:
                    if obj.lemma_.lower() in data["as_role"]:
                        role = data["as_role"][obj.lemma_.lower()]
        if kind == "send":
            # "A sent observers", "B deployed two frigates": the role is what was sent.
            sent = [c for c in objects if c.lemma_.lower() in data["member_nouns"]]
            if not sent:
                continue
            role = data["as_role"].get(sent[0].lemma_.lower(), "participants")
            # "A supplied forces from its B directorate": the sender and the unit sent.
            who = _subjects(verb) + sent
        elif kind == "involve":
            who = [c for c in verb.children if c.dep_ == ("nsubjpass" if _passive(verb) else "dobj")]
            if not _passive(verb) and not any(_is_exercise(s, names) for s in _subjects(verb, passive=True)):
                continue
            role = "participants"
            if any(c.lemma_.lower() in data["member_nouns"] for c in who):
                # "involving 2,500 troops from 15 countries": the parser hangs "from" on the verb.
                who += [o for p in verb.children if p.dep_ == "prep" and p.lower_ == "from"
                        for o in p.children if o.dep_ == "pobj"]
        elif _passive(verb):
            who = _agents(verb)
            if role == "participants" and any(
                verb.lemma_.lower() == words[0] or verb.lower_ in _forms(words[0])
                for words in (p.split() for p in data["roles"]["passive_organizers"]) if tuple(words[1:]) == phrase[1:]
            ):
                performers = [t for t in who if t.lemma_.lower() in data["roles"]["performer_nouns"]]
                for token in performers:
                    _actor_names(token, span, names, "participants", found)
                who = [t for t in who if t not in performers]
                role = "organizers"
        else:
            who = _subjects(verb) + partners
        for token in who:
            _actor_names(token, span, names, role, found)
            if role == "participants":  # "15 countries, including A, B and C, take part"
                for including in (t for t in token.subtree
                                  if t.dep_ == "prep" and t.lower_ in data["member_list_prepositions"]):
                    for obj in (c for c in including.children if c.dep_ == "pobj"):
                        _actor_names(obj, span, names, "participants", found)
            # "A, in cooperation with B, hosted ...", "A hosted the drill in cooperation with B"
        for prep in [c for c in verb.children if c.dep_ == "prep"]:
            # "took part along with B", "together with B": the "with" hangs on the first word.
            prep = next((c for c in prep.children if c.dep_ == "prep" and c.lower_ == "with"), prep) if (
                prep.lower_ in ("along", "together")
            ) else prep
            # "brought together A and B with units from C"; "A hosted joint drills with B": B takes part.
            if role in ("participants", "organizers") and prep.lower_ in data["alongside_prepositions"]:
                for obj in prep.children:
                    if obj.dep_ == "pobj" and not _is_exercise(obj, names):
                        _actor_names(obj, span, names, "participants", found)
            for obj in prep.children:
                if obj.lemma_.lower() in data["cooperation_nouns"]:
                    for inner in obj.children:
                        if inner.dep_ == "prep" and inner.lower_ == "with":
                            for partner in inner.children:
                                if partner.dep_ == "pobj":
                                    _actor_names(partner, span, names, role, found)
    for listed in _inverted_participants(span, names, data):
        _actor_names(listed, span, names, "participants", found)
    for first, last in _headline_subjects(span, data):
        entity = entity_of(last)
        if entity is not None and entity.start <= first.i and entity.end <= last.i + 1:
            _one_actor(last, span, names, "participants", found, depth=0)
        else:  # a title-case headline is one long "entity" to the tagger: the name's own words
            _add(found, "participants", span.doc[first.i : last.i + 1].text, names)
    mentions_exercise = any(
        t.lemma_.lower() in data["exercise_nouns"] or (t.pos_ == "PROPN" and _is_exercise(t, names)) for t in span
    )
    for token in span:
        lemma = token.lemma_.lower()
        # "X began near the oil field, with crews from A and B": those with the exercise in its own
        # course take part.
        clause = token.head if token.dep_ == "conj" else token  # "began ... and ran ..., with X"
        is_course = token.pos_ == "VERB" and lemma in data["course_verbs"] and any(
            c.dep_ in ("nsubj", "nsubjpass") and _is_exercise(c, names) for c in [*token.children, *clause.children]
        )
        if is_course:
            for prep in token.children:
                if prep.dep_ == "prep" and prep.lower_ in data["alongside_prepositions"]:
                    for obj in prep.children:
                        if obj.dep_ == "pobj" and not _is_exercise(obj, names):
                            _actor_names(obj, span, names, "participants", found)
        # "States due to take part include A and B", "Chile's participation includes two frigates":
        # what the exercise's participants or participation include took part.
        for subject in _listing_subjects(token, data):
            for listed in (c for c in token.children if c.dep_ in ("dobj", "attr")):
                _actor_names(listed, span, names, "participants", found)
            for owner in (c for c in subject.children if c.dep_ in ("compound", "poss") and c.pos_ == "PROPN"):
                _one_actor(owner, span, names, "participants", found, depth=0)
        # "interoperability between units from A, B and C", "a force made up of ships from A": in a
        # sentence about the exercise, the people, units and ships it names and where they come from
        # are its participants, whatever verb the sentence hangs them on.
        # A verb that already gave them a role ("witnessed by representatives from A") keeps it.
        if mentions_exercise and token.pos_ == "NOUN" and lemma in data["member_nouns"]:
            role = data["as_role"].get(lemma, "participants")
            for prep in token.children:
                if prep.dep_ == "prep" and prep.lower_ == "from":
                    for obj in prep.children:
                        if obj.dep_ == "pobj":
                            named: dict[str, list[str]] = {r: [] for r in ROLES}
                            _actor_names(obj, span, names, role, named)
                            taken = {n for r in ROLES for n in found[r]}
                            for name in named[role]:
                                if not any(name == t or _within(name, t) or _within(t, name) for t in taken):
                                    _add(found, role, name, names)
        # "Coming from A and B, the participants trained ...": the people of the exercise and where from.
        if token.dep_ == "nsubj" and (lemma in data["member_nouns"] or token.lower_ in data["member_nouns"]
                                      or lemma in data["participation_nouns"]):
            for sender in _participle_senders(token.head):
                _actor_names(sender, span, names, "participants", found)
            # "The largest participation comes from A, B and C", "the troops come from A and B".
            if token.head.lemma_ in data["origin_verbs"]:
                for prep in token.head.children:
                    if prep.dep_ == "prep" and prep.lower_ == "from":
                        for obj in prep.children:
                            if obj.dep_ == "pobj":
                                _actor_names(obj, span, names, "participants", found)
        # "The exercise will be attended by 2,700 members of the Army of A and the armed forces of B": the
        # people who attend it take part (an official who attends a ceremony is no one's member).
        if lemma in data["attending_verbs"] and _passive(token) and any(
            _is_exercise(s, names) for s in _subjects(token, passive=True)
        ):
            # "attended by over 2,700 members": the parser may hang the count's "over" beside "by".
            counted = [o for p in token.children if p.dep_ == "prep" and p.lower_ in ("over", "about", "around")
                       for o in p.children if o.dep_ == "pobj"]
            for agent in _agents(token) or counted:
                if agent.lemma_.lower() in data["member_nouns"] or agent.lemma_.lower() in data["group_nouns"]:
                    _actor_names(agent, span, names, "participants", found)
                    for sender in (o for p in agent.children if p.dep_ == "prep" and p.lower_ == "of"
                                   for o in p.children if o.dep_ == "pobj"):
                        _actor_names(sender, span, names, "participants", found)
        # "joint exercises of A and B", "an exercise between A and B", "the China-Kyrgyzstan exercise"
        if _is_exercise(token, names) and token.pos_ == "NOUN" and lemma in data["exercise_nouns"]:
            for child in [*token.children, *_reattached_party_preps(token, data)]:
                if child.dep_ == "prep" and child.lower_ in data["exercise_party_prepositions"]:
                    for obj in child.children:
                        if obj.dep_ == "pobj":
                            _actor_names(obj, span, names, "participants", found)
                if child.dep_ in ("compound", "nmod") and child.pos_ == "PROPN" and _names_a_state(child):
                    # "the China-Kyrgyzstan exercise": the first state hangs on the second; a state's
                    # name is itself, whatever entity the tagger ran over the pair.
                    pair = [c for c in child.lefts if c.dep_ in ("compound", "nmod") and c.pos_ == "PROPN"]
                    for state in [*(p for p in pair if _names_a_state(p)), child]:
                        if country_of_name(state.text):
                            _add(found, "participants", state.text, names)
                        else:
                            _actor_names(state, span, names, "participants", found)
        # "under the command of A": A led it.
        # (The word as written too: the lemmatizer reads "auspices" as "auspex".)
        leads = lemma in data["leadership_nouns"] or token.lower_ in data["leadership_nouns"]
        if leads and token.head.lower_ == "under":
            for child in token.children:
                if child.dep_ == "prep" and child.lower_ == "of":
                    for obj in child.children:
                        if obj.dep_ == "pobj":
                            _actor_names(obj, span, names, "organizers", found)
        # "with the participation of A" in a clause about the exercise
        governor = next((a for a in token.ancestors if a.pos_ in ("VERB", "NOUN") and a.dep_ != "pobj"), None)
        about_exercise = governor is not None and (
            _is_exercise(governor, names) or (governor.pos_ == "VERB" and _acts_on_exercise(governor, names))
        )
        if lemma in data["participation_nouns"] and about_exercise:
            for child in token.children:
                if child.dep_ == "prep" and child.lower_ == "of":
                    for obj in child.children:
                        if obj.dep_ == "pobj":
                            _actor_names(obj, span, names, "participants", found)
    # The parser reads "Antigua and Barbuda" as two names of the list.
    return {role: join_state_names(taken, span.text) for role, taken in found.items()}


def _reattached_party_preps(exercise: Any, data: dict[str, Any]) -> list[Any]:
    """'an exercise in its sixth iteration between A and B': the parser hangs "between" on the
    nearest noun, but a noun of the exercise's own phrase has no parties; they are the exercise's.
    Only the prepositions that need two or more parties ("between", "among") are moved."""
    moved = []
    for prep in exercise.children:
        if prep.dep_ != "prep":
            continue
        for obj in prep.children:
            if obj.dep_ == "pobj" and obj.pos_ == "NOUN":
                moved += [c for c in obj.children if c.dep_ == "prep" and c.lower_ in data["plural_party_prepositions"]]
    return moved


def _own_words(token: Any, span: Any) -> list[int]:
    """A conjunct's own words: the indices of its subtree without the conjuncts after it."""
    skipped = {t.i for c in token.children if c.dep_ in ("conj", "cc", "appos") for t in c.subtree}
    return sorted(t.i for t in token.subtree if t.i not in skipped and _in(span, t))


# Marks and dashes that edge a task's words in a list, never part of it.
_TASK_EDGES = " ,;:—–-\"“”"


def _task_text(doc: Any, indices: list[int]) -> str:
    """The words at `indices` (first to last) as a task: without edging marks or a leading article."""
    text = doc[indices[0] : indices[-1] + 1].text if indices else ""
    return re.sub(r"^(?:how\s+to|to|the|a|an)\s+", "", text.strip(_TASK_EDGES))


def _task(token: Any, span: Any) -> str:
    """A conjunct's own words as text."""
    return _task_text(token.doc, _own_words(token, span))


def _without(token: Any, conjuncts: list[Any], span: Any) -> str:
    """`token`'s words without the given conjuncts (and the words that join them)."""
    skipped = {t.i for c in conjuncts for t in c.subtree}
    skipped |= {t.i for c in conjuncts for t in c.head.children if t.dep_ in ("cc", "punct")}
    skipped |= {t.i for c in token.children if c.dep_ in ("conj", "cc") for t in c.subtree}
    return _task_text(token.doc, sorted(t.i for t in token.subtree if t.i not in skipped and _in(span, t)))


def _tasks(head: Any, span: Any) -> list[str]:
    """The tasks `head` and its conjuncts name."""
    scenario = patterns()["scenario"]
    frames = scenario["frames"]
    found: list[Any] = []
    # "joint patrols, the boarding of ships, and X": the parser may hang a list's member as an apposition.
    listed = [head, *(c for c in head.conjuncts if c.i > head.i)]
    listed += [c for m in listed for a in m.children if a.dep_ == "appos" for c in (a, *a.conjuncts) if c.i > head.i]
    members = sorted({m.i: m for m in listed}.values(), key=lambda t: t.i)
    pairs = _word_pairs(members)
    for member in members:
        if not _in(span, member) or any(first < member.i <= last.i for first, last in pairs.items()):
            continue
        if member.i in pairs:
            last = pairs[member.i]
            if _in(span, last):
                words = [i for m in (member, last) for i in _own_words(m, span)]
                found.append(member.doc[min(words) : max(words) + 1].text.strip(_TASK_EDGES))
            continue
        # "interoperability in fighting X": the task after "in"; an aim alone is no task.
        if member.lemma_.lower() in scenario["aim_nouns"]:
            inner = [o for c in member.children if c.dep_ == "prep" and c.lower_ == "in"
                     for o in c.children if o.dep_ in ("pobj", "pcomp")]
            found.extend(_tasks(inner[0], span) if inner else [])
            continue
        # "drills on how to handle X", "training in how to board a ship": what they teach is the task.
        taught = [o for c in member.children if c.dep_ == "prep" for o in c.children
                  if o.dep_ == "pcomp" and any(a.lower_ == "how" for a in o.children)]
        if taught:
            found.extend(_tasks(taught[0], span))
            continue
        # "missions to localize X", "the task of protecting X": the task inside the frame.
        if member.lemma_.lower() in frames:
            inner = [c for c in member.children if c.dep_ in ("acl", "relcl")]
            # ... but a frame with a place or time is the task itself: "rescue operations at sea".
            inner += [o for c in member.children if c.dep_ == "prep" for o in c.children
                      if o.dep_ == "pcomp" or (o.dep_ == "pobj" and (c.lower_ == "of" or o.tag_ == "VBG"))]
            # "practise missions to localize X": the purpose clause may hang on the verb.
            inner += [c for c in member.head.children
                      if c.dep_ == "advcl" and any(a.lower_ == "to" for a in c.children)]
            if inner:
                found.extend(_tasks(inner[0], span))
                continue
        objects = [c for c in member.children if c.dep_ == "dobj"] if member.tag_ == "VBG" else []
        # "in exercising air defence and mine countermeasures": what is exercised are the tasks.
        if objects and member.lemma_.lower() in scenario["rehearsing_gerunds"]:
            found.extend(_tasks(objects[0], span))
            continue
        # "countering terrorism and illegal immigration": the verb with its first object, then each
        # further object on its own (GUIDE §6: each rehearsed task a separate item).
        further = [c for o in objects for c in o.conjuncts if c.i > o.i]
        task = _task(member, span) if not further else _without(member, further, span)
        if member.pos_ == "PRON" or member.tag_ in ("WDT", "WP"):
            continue  # "in which ...": a pronoun is no task
        if _when_or_how_many(member):
            continue
        if task and len(task.split()) <= 14:
            found.append(task)
        found.extend(t for t in (_task(c, span) for c in further) if t and len(t.split()) <= 14)
    return found


def _when_or_how_many(member: Any) -> bool:
    """A time, a number or the exercise's own parts counted ("in 2012", "for months", "in three
    distinct phases") says when or how it ran, not what it rehearsed."""
    if member.ent_type_ in _TIMES_AND_COUNTS or member.like_num:
        return True
    counted = any(c.dep_ == "nummod" for c in member.children)
    return counted and member.lemma_.lower() in patterns()["exercise_stand_ins"]


def _word_pairs(members: list[Any]) -> dict[int, Any]:
    """Members of a list that are one task: "damage control, search and rescue": two bare words joined
    by "and" are one task, as such pairs are written ("search and rescue", "command and control"); and
    list members with no comma or "and" between them are words of one phrase the parser split
    ("search and rescue drills", "seamanship and mariner skills training"); a verb joined by "and" to
    the next with no object of its own shares that one's ("finding and destroying mines"). The first
    word's index -> the last member of its task."""
    def next_to(first: Any, second: Any) -> bool:
        return bool(second.i == first.i + 1)

    def paired(first: Any, second: Any, after: Any) -> bool:
        and_between = second.i == first.i + 2 and first.nbor().lower_ == "and"
        # "finding and destroying mines": a verb with nothing of its own shares the next one's object.
        shared = first.tag_ == "VBG" and second.tag_ == "VBG" and all(c.dep_ in ("cc", "conj") for c in first.children)
        return and_between and (shared or (
            _bare(first) and (_bare(second) or (after is not None and next_to(second, after)))
        ))

    pairs: dict[int, Any] = {}
    start: Any = None
    joined_by_and = False  # "search and rescue and towing": one pair, then the list goes on
    for index, (first, second) in enumerate(itertools.pairwise(members)):
        after = members[index + 2] if index + 2 < len(members) else None
        by_and = not next_to(first, second) and not joined_by_and and paired(first, second, after)
        if next_to(first, second) or by_and:
            start = first if start is None else start
            pairs[start.i] = second
            joined_by_and = joined_by_and or by_and
        else:
            start, joined_by_and = None, False
    return pairs


def _bare(token: Any) -> bool:
    """A single word with nothing hung on it but a list's joining words."""
    return token.pos_ == "NOUN" and all(c.dep_ in ("cc", "punct", "conj") for c in token.children)


def exercise_scenario(document_text: str, unit: Span) -> list[str]:
    """What an exercise rehearsed: the objects of "practised", "rehearsed", "focused on", "the scenario involved"."""
    span = sentence_span(document_text, unit)
    if span is None:
        return []
    data = patterns()["scenario"]
    for token in span:
        lemma = token.lemma_.lower()
        heads: list[Any] = []
        if token.pos_ == "VERB" and lemma in data["verbs"]:
            heads = [c for c in token.children if c.dep_ in ("dobj", "xcomp") and c.lemma_ not in ("exercise", "drill")]
            # "trained in boarding ships": the task after the preposition; "practised boarding a tanker
            # in heavy seas": with the task told as an action, the phrase says under what conditions.
            if not any(h.tag_ == "VBG" for h in heads):
                heads += [o for c in token.children if c.dep_ == "prep" and c.lower_ in data["prepositions"]
                          for o in c.children if o.dep_ in ("pobj", "pcomp")]
            heads += [c for c in token.children if c.dep_ == "conj" and c.tag_ == "VBG"]
        elif token.pos_ == "NOUN" and lemma in data["nouns"] and token.dep_ in ("nsubj", "nsubjpass"):
            verb = token.head
            heads = [c for c in verb.children if c.dep_ in ("dobj", "attr", "xcomp")]
            heads += [c for c in verb.children if c.dep_ == "conj" and c.tag_ == "VBG"]
        elif token.pos_ == "NOUN" and lemma in data["nouns"] and token.dep_ == "dobj":
            # "built the scenario around repelling a landing and defending a port"
            heads = [o for c in token.head.children if c.dep_ == "prep" and c.lower_ in data["frame_prepositions"]
                     for o in c.children if o.dep_ in ("pobj", "pcomp")]
        elif token.pos_ == "VERB" and _lists_the_exercise_contents(token, data):
            # "The drills will include joint patrols and the boarding of ships", "an exercise
            # involving toxic chemicals": what the exercise is made of, not who is in it.
            heads = [c for c in token.children if c.dep_ == "dobj" or (c.dep_ == "xcomp" and c.tag_ == "VBG")]
            heads += preposition_objects(token, "of")  # "consisted of"
        elif token.pos_ == "VERB" and _done_during_the_exercise(token, data):
            # "During the exercise, the two navies conducted coordinated patrols and joint surveillance"
            heads = [c for c in token.children if c.dep_ == "dobj"]
        elif token.lower_ == "as" and token.dep_ == "prep" and any(c.lower_ == "such" for c in token.children) and (
            _is_exercise(token.head, [])
        ):
            # "practical exercises such as fighting at close range and evacuating the wounded"
            heads = [c for c in token.children if c.dep_ in ("pobj", "pcomp")]
        tasks = [task for head in heads if not _names_no_task(head, data) for task in _tasks(head, span)]
        if tasks:
            return tasks
    return []


def _exercise_or_content(noun: Any, data: dict[str, Any]) -> bool:
    """The exercise, a stand-in for it ("it", "the training", "this phase"), or a noun for what it
    holds ("the exercise scenarios", "the warfare areas"), also as "some of the X"."""
    if noun.lower_ in data["part_of_words"]:
        noun = next(iter(preposition_objects(noun, "of")), noun)
    return _is_exercise(noun, []) or noun.lemma_.lower() in data["content_nouns"]


def _lists_the_exercise_contents(verb: Any, data: dict[str, Any]) -> bool:
    """A verb of containing whose subject is the exercise: "the drills included X", "the exercise,
    which involved X", "an exercise involving X"."""
    if verb.lemma_.lower() not in data["contents_verbs"]:
        return False
    subjects = [c for c in verb.children if c.dep_ == "nsubj"]
    if verb.dep_ in ("relcl", "acl") and (not subjects or subjects[0].tag_ in ("WDT", "WP")):
        return _exercise_or_content(verb.head, data)
    return any(_exercise_or_content(s, data) for s in subjects)


def _done_during_the_exercise(verb: Any, data: dict[str, Any]) -> bool:
    """A verb of carrying out under "during the exercise": its objects are what the exercise held."""
    if verb.lemma_.lower() not in data["during_verbs"]:
        return False
    return any(_is_exercise(o, []) for o in preposition_objects(verb, "during"))


def _names_no_task(head: Any, data: dict[str, Any]) -> bool:
    """Who or where, not what was rehearsed: a named actor or place ("involved troops from A",
    "practised X in the Gulf of Y"), people, ships or units sent ("involved 2,000 troops"), or
    someone's taking part ("involved the participation of B")."""
    lexicon = patterns()
    if head.ent_type_ in (*lexicon["actor_labels"], "LOC", "FAC"):
        return True
    lemma = head.lemma_.lower()
    return lemma in lexicon["member_nouns"] or lemma in lexicon["participation_nouns"] or (
        lemma in data["count_nouns"] and any(c.dep_ == "nummod" for c in head.children)
    )
