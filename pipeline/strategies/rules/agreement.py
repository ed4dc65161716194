"""Agreements by the sentence's dependency parse: the parties, the kind, the status and the subject.

Who signed is the subject of the signing verb with its conjuncts ("X and Y signed"), the agent of a
passive ("was signed by X and Y"), the objects of "between" ("a protocol between X and Y") or the
subject plus the object of "with" ("X agreed with Y"); people named with their titles are the
people; "the two sides" are the two parties the sentence or the one before names. The kind is the
agreement noun, the status the verb, the subject the noun's "on ..." phrase or its modifiers. Every
word list is data in `prompts/lexicon/agreement.patterns.toml`.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.actors import TITLE_WORDS, looks_like_person, title_endings
from pipeline.language.parse import entity_of, in_brackets, parse, preposition_objects
from pipeline.language.places import country_of_name, is_country_word, join_state_spans
from pipeline.strategies.rules.phrases import ceremony_held, first_place

LEXICON = Path(__file__).resolve().parents[3] / "prompts" / "lexicon" / "agreement.patterns.toml"

Token = Any  # spacy.tokens.Token
_NAME_ENTS = {"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC"}
_SUBJECTS = {"nsubj", "nsubjpass"}
_LEADING_WORDS = {"the", "a", "an"}
_MONTHS = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}


@dataclass(frozen=True)
class Lexicon:
    acts: dict[str, str]
    signing_acts: frozenset[str]
    on_behalf_acts: frozenset[str]
    nouns: dict[str, str]
    status_nouns: dict[str, str]
    not_yet: dict[str, str]
    giving: frozenset[str]
    creating: frozenset[str]
    about: tuple[str, ...]
    with_: frozenset[str]
    between: frozenset[str]
    empty_modifiers: frozenset[str]
    sides: frozenset[str]
    ceremony_nouns: frozenset[str]
    ceremony_verbs: frozenset[str]
    topics_introduced_by: frozenset[str]
    field_nouns: frozenset[str]
    content_verbs: frozenset[str]
    one_of_several: frozenset[str]
    person_sides: frozenset[str]
    acting_for_states: frozenset[str]


@functools.lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    data = tomllib.loads(LEXICON.read_text(encoding="utf-8"))
    acts = data["acts"]
    return Lexicon(
        acts=dict(acts),
        signing_acts=frozenset(data["signing_acts"]),
        on_behalf_acts=frozenset(data["on_behalf_acts"]),
        nouns=data["nouns"],
        status_nouns=data["status_nouns"],
        not_yet=data["not_yet"],
        giving=frozenset(data["giving"]),
        creating=frozenset(data["creating"]),
        about=tuple(data["about"]),
        with_=frozenset(data["with"]),
        between=frozenset(data["between"]),
        empty_modifiers=frozenset(data["empty_modifiers"]),
        sides=frozenset(data["sides"]),
        ceremony_nouns=frozenset(data["ceremony_nouns"]),
        ceremony_verbs=frozenset(data["ceremony_verbs"]),
        topics_introduced_by=frozenset(data["topics_introduced_by"]),
        field_nouns=frozenset(data["field_nouns"]),
        content_verbs=frozenset(data["content_verbs"]),
        one_of_several=frozenset(data["one_of_several"]),
        person_sides=frozenset(data["person_sides"]),
        acting_for_states=frozenset(data["acting_for_states"]),
    )


@dataclass
class AgreementReading:
    parties: list[str] = field(default_factory=list)
    facts: dict[str, str] = field(default_factory=dict)
    # Character offsets of the document text the parties were read from, when wider than the sentence.
    reach: tuple[int, int] | None = None
    # Several documents listed by topic ("agreements on A, B and C"): one record per topic, in order.
    topics: list[str] = field(default_factory=list)


# --- what the sentence's words are ------------------------------------------------------------


def _lemma(token: Token) -> str:
    return str(token.lemma_).lower()


def _is_agreement_noun(token: Token) -> bool:
    """'a memorandum', 'the Agreement between ...'; not 'Treaty' in 'Collective Security Treaty Organization'."""
    nouns = lexicon().nouns
    if token.pos_ not in {"NOUN", "PROPN"} or (_lemma(token) not in nouns and token.lower_ not in nouns):
        return False
    return not (token.dep_ == "compound" and _lemma(token.head) not in lexicon().nouns)


def _noun_kind(token: Token) -> str:
    table = lexicon().nouns
    return table.get(_lemma(token)) or table[token.lower_]


def _is_act(token: Token) -> bool:
    lemma = _lemma(token)
    if lemma not in lexicon().acts:
        return False
    if token.pos_ in {"VERB", "AUX"}:
        return True
    return token.pos_ == "NOUN" and lemma == "signing"


def _agree_states_something(verb: Token) -> bool:
    """'agreed on ...', 'agreed with ...', 'agreed to hold ...', 'agreed a plan'; not 'agreed to provide'."""
    for child in verb.children:
        if child.dep_ == "prep" and child.lower_ in {"on", "with", "upon"}:
            return True
        if child.dep_ == "xcomp" and _lemma(child) not in lexicon().giving:
            return True
        if child.dep_ in {"dobj", "ccomp"}:
            return True
    return False


def _acts_and_nouns(tokens: Iterable[Token]) -> tuple[list[Token], list[Token]]:
    tokens = list(tokens)
    return [t for t in tokens if _is_act(t)], [t for t in tokens if _is_agreement_noun(t)]


def _between_parties(noun: Token, deep: bool = False) -> list[Token]:
    """'between X and Y' on the noun (deep: anywhere in its phrase, 'accords on cooperation between X and Y')."""
    for child in noun.subtree if deep else noun.children:
        if child.dep_ == "prep" and child.lower_ in lexicon().between:
            objects = [c for c in child.children if c.dep_ == "pobj"]
            if objects:
                first = objects[0]
                # "between the Ministry of A and the Ministry of B": the parser may join the second to
                # the first one's "of" phrase; a conjunct of the same kind of word there is the other party.
                inner = [t for t in first.subtree if t.dep_ == "conj" and t.head != first and t.head.i > first.i
                         and t.lemma_ == first.lemma_] if not first.conjuncts else []
                return [first, *first.conjuncts, *inner]
    return []


def _parties_on_the_noun(noun: Token) -> bool:
    """'the agency's technical agreement with the Ministry': one party owns the document, the other
    is the one it is made with; 'an agreement by their defence ministers': who made it."""
    named = ("PROPN", "NOUN")
    owner = any(c.dep_ == "poss" and c.pos_ in named for c in noun.children)
    other = any(o.pos_ in named for o in preposition_objects(noun, "with"))
    made_by = any(o.pos_ in named and o.ent_type_ not in ("DATE", "TIME") for o in preposition_objects(noun, "by"))
    return (owner and other) or made_by


def _states(tokens: list[Token]) -> bool:
    acts, nouns = _acts_and_nouns(tokens)
    if any(len(_between_parties(n)) >= 2 or _parties_on_the_noun(n) for n in nouns):
        return True  # "the Agreement between X and Y", "X's agreement with Y": a document between parties
    for act in acts:
        lemma = _lemma(act)
        if lemma == "agree" and (act.tag_ == "VBN" or act.dep_ == "acl") and len(_between_parties(act)) >= 2:
            return True  # "measures agreed between X and Y"
        if _habitual(act):
            continue
        if lemma == "agree":
            if _agree_states_something(act) or nouns:
                return True
        elif nouns or lemma in lexicon().signing_acts:
            return True
    # "Other agreements cover A, B and C", "The second agreement concerns X": documents the article
    # has told the signing of, by topic.
    return any(_content_verb(n) is not None and (_topics(n, None) or _one_of_several(n)) for n in nouns)


def _bare_plural(token: Token) -> bool:
    """'governments', 'security documents': a class of things, not particular ones."""
    return token.tag_ == "NNS" and not any(c.dep_ in {"det", "poss", "nummod"} for c in token.children)


def _habitual(act: Token) -> bool:
    """'Governments sign documents with ease': a present-tense act between bare plurals says what
    such actors usually do, not that a signing happened (a headline names its parties: 'A, B sign
    deal')."""
    if act.tag_ not in {"VBP", "VBZ"}:
        return False
    subjects = [c for c in act.children if c.dep_ == "nsubj"]
    objects = [c for c in act.children if c.dep_ == "dobj"]
    return bool(subjects) and all(_bare_plural(t) for t in subjects + objects)


def tells_several_documents(sentence: str) -> bool:
    """'signed seven agreements', 'eight memoranda and agreements': a signing of several documents,
    which the article may go on to list one by one."""
    return any(_is_agreement_noun(t) and t.tag_ in {"NNS", "NNPS"} for t in parse(sentence))


def states_agreement(sentence: str) -> bool:
    """A verb that makes or moves an agreement (with an agreement noun, or one that signs whatever it
    signs), 'X agreed on/with/to ...' but not 'agreed to provide', or a document 'between X and Y'.
    Parse-based: it measured better on real articles than the regular expressions it replaced."""
    return _states(list(parse(sentence)))


# --- names ------------------------------------------------------------------------------------


def _entity(token: Token) -> Any:
    """The entity a token is in, when it is a name (not a date, a number or money)."""
    entity = entity_of(token)
    return entity if entity is not None and entity.label_ in _NAME_ENTS else None


# What follows a party's head without being part of its name (a possessive 's included).
_NOT_IN_A_NAME = {"conj", "cc", "punct", "appos", "relcl", "acl", "advcl", "nummod", "case", "npadvmod", "dep"}


def _phrase(head: Token) -> tuple[int, int]:
    """The noun phrase a head token stands for, as token indices [start, end): its modifiers and its
    "of"/"for" phrases, without conjuncts, appositions, clauses or other prepositional phrases."""
    keep = [head]
    for child in head.children:
        if child.dep_ in _NOT_IN_A_NAME and child.i > head.i:
            continue
        if child.dep_ == "prep" and child.lower_ not in {"of", "for"}:
            continue
        if child.dep_ == "prep" and child.i < head.i:
            continue
        keep.extend(child.subtree)
    # "the Ministry of A and the Ministry of B" with the second hung on "A": not part of the first.
    others = [t for t in head.subtree if t != head and t.dep_ == "conj" and t.head != head and t.lemma_ == head.lemma_]
    for other in others:
        drop = {t.i for t in other.subtree} | {c.i for c in other.head.children if c.dep_ == "cc"}
        keep = [t for t in keep if t.i not in drop]
    start, end = min(t.i for t in keep), max(t.i for t in keep) + 1
    doc = head.doc
    while start < head.i and _leading_filler(doc[start]):
        start += 1
    while end - 1 > head.i and (doc[end - 1].is_punct or doc[end - 1].is_space):
        end -= 1
    return start, end


def _leading_filler(token: Token) -> bool:
    """Words before a name that are not part of it: 'the', 'and', a date ('On Wednesday X and Y')."""
    return token.lower_ in _LEADING_WORDS or token.is_punct or token.dep_ == "cc" or token.ent_type_ in {"DATE", "TIME"}


def _names(head: Token) -> list[tuple[str, int, int]]:
    """The names a head stands for. A coordination the parser hung inside one name ("X’s State
    Service and Y’s Border Troops" read as one phrase) is split at its 'and' and commas."""
    doc = head.doc
    start, end = _phrase(head)
    cuts = [t.i for t in doc[start : head.i] if t.pos_ == "CCONJ" or t.lower_ == ","]
    # "the European Border and Coast Guard Agency": an 'and' inside one organisation's name, as the
    # entity recognizer reads it, does not part two names.
    cuts = [c for c in cuts if not any(e.label_ == "ORG" and e.start < c < e.end - 1 for e in doc.ents)]
    if not cuts or (_entity(head) is not None and _entity(head).label_ == "PERSON"):
        return [_name(head)]
    pieces, begin = [], start
    for cut in [*cuts, end]:
        a, b = begin, cut
        while a < b and _leading_filler(doc[a]):
            a += 1
        while b > a and doc[b - 1].is_punct:
            b -= 1
        if b > a and any(t.pos_ == "PROPN" for t in doc[a:b]):
            pieces.append((doc[a:b].text, doc[a].idx, doc[b - 1].idx + len(doc[b - 1])))
        begin = cut + 1
    return pieces if len(pieces) >= 2 else [_name(head)]


def _name(head: Token) -> tuple[str, int, int]:
    """A party's name as the text writes it: a person's name without the title, else the noun phrase."""
    doc = head.doc
    appos = [c for c in head.children if c.dep_ == "appos"]
    for candidate in [head, *appos]:
        ent = _entity(candidate)
        if ent is not None and ent.label_ == "PERSON":
            first = _person_start(ent)
            return doc[first : ent.end].text, doc[first].idx, doc[ent.end - 1].idx + len(doc[ent.end - 1])
    if head.pos_ == "PROPN" and _entity(head) is None and any(_entity(c) is not None for c in head.conjuncts):
        run = [head]
        for token in reversed(doc[max(0, head.i - 1) : head.i]):
            if token.dep_ != "compound" or not token.is_alpha or not token.text[0].isupper() or _titled(token.text):
                break
            run.insert(0, token)
        if len(run) >= 2:
            return doc[run[0].i : head.i + 1].text, run[0].idx, head.idx + len(head)
    start, end = _phrase(head)
    span = doc[start:end]
    return span.text, span.start_char, span.end_char


def _persons_in(heads: list[Token]) -> list[Token]:
    """'U.S. Ambassador to X Pamela Doe and Minister of Y John Roe' -> the PERSON entities' roots."""
    found: list[Token] = []
    for head in heads:
        for token in head.subtree:
            if token.dep_ == "conj" and token.head in heads and token not in heads:
                continue
            ent = _entity(token)
            if _person_named(token) is not None and ent.root not in found:
                found.append(ent.root)
    # "Captain X Doe and Chief of Staff Captain Y Roe": a name conjoined to a person is a person.
    for person in list(found):
        for other in person.conjuncts:
            if other.pos_ == "PROPN" and other not in found and not _titled(other.text):
                found.append(other)
    return sorted(found, key=lambda t: t.i)


def _person_start(ent: Any) -> int:
    """Where a person entity's name begins: the tagger may take in the state before it ("...of the
    Republic of Chile Ana Ruiz" -> "Chile Ana Ruiz")."""
    if len(ent) >= 3 and is_country_word(ent[0].text):
        return int(ent.start) + 1
    return int(ent.start)


def _person_named(token: Token) -> str | None:
    """The name of the person entity `token` is part of, without a state the tagger took in before
    it; None when the entity is no person's name (the tagger's "Tajik Defense")."""
    ent = _entity(token)
    if ent is None or ent.label_ != "PERSON":
        return None
    name = str(ent.doc[_person_start(ent) : ent.end].text)
    return name if _is_person_name(name) else None


def _is_person_name(text: str) -> bool:
    return not _titled(text) and looks_like_person(text)


def _titles_run_on(names: list[str], sentence: str) -> list[str]:
    """'Minister of Foreign Affairs and International Cooperation Ana Ruiz': a title whose office
    holds "and" is one party, not a title and a name; the parser reads the "and" as a list's."""
    joined: list[str] = []
    for name in names:
        if joined and f"{joined[-1]} and {name}" in sentence and _bare_title(joined[-1]) and (
            name[:1].isupper() and not _titled(name.split()[0]) and looks_like_person(" ".join(name.split()[-2:]))
        ):
            joined[-1] = f"{joined[-1]} and {name}"
        else:
            joined.append(name)
    return joined


def _bare_title(text: str) -> bool:
    """A title with no one's name: "Minister of Foreign Affairs"."""
    last = text.split()[-1].lower()
    return _titled(text) and (last in TITLE_WORDS or last in title_endings())


def _titled(text: str) -> bool:
    """A title word, singular or plural ("Defense Ministers")."""
    words = [word.lower().strip(".") for word in text.split()]
    return any(word in TITLE_WORDS or (word.endswith("s") and word[:-1] in TITLE_WORDS) for word in words)


# --- parties ----------------------------------------------------------------------------------


def _subject_of(verb: Token) -> Token | None:
    """The verb's subject, through 'X discussed and agreed', 'X were expected to sign', 'X agreed to ...'."""
    seen = 0
    while verb is not None and seen < 6:
        seen += 1
        subjects = [c for c in verb.children if c.dep_ in _SUBJECTS]
        if subjects:
            return subjects[0]
        if verb.dep_ in {"conj", "xcomp"} and verb.head != verb:
            verb = verb.head
            continue
        return None
    return None


def _names_before(verb: Token) -> list[Token]:
    """A verb the parser left without a subject ("..., X and Y also were expected to sign", parsed
    as conjuncts of the place before them): the names of one kind that end right before its verbs."""
    chain = {verb, *verb.ancestors}
    i = verb.i - 1
    doc = verb.doc
    while i >= 0 and (doc[i] in chain or doc[i].pos_ in {"ADV", "AUX", "PART"}):
        i -= 1
    if i < 0:
        return []
    last = doc[i]
    ent = _entity(last)
    if ent is None or last.pos_ != "PROPN":
        return []
    group = [t for t in _coordinated(last) if (e := _entity(t)) is not None and e.label_ == ent.label_]
    return group if len(group) >= 2 else []


def _state_of(head: Token) -> Token | None:
    """The state an organ acts for: "Chile's president" -> Chile, "the Chilean Senate" -> Chilean,
    "the parliament of Chile" -> Chile; a state is itself; an organ of no named state is no party."""
    if is_country_word(head.text) and head.pos_ == "PROPN":
        return head
    for token in head.subtree:  # the words before the head: "Chile's President Ana Ruiz"
        if token.i < head.i and token.dep_ in ("poss", "compound", "amod", "nmod") and is_country_word(token.text):
            return token
    for prep in (c for c in head.children if c.dep_ == "prep" and c.lower_ == "of"):  # "the parliament of Chile"
        state = next((o for o in prep.children if o.dep_ == "pobj" and is_country_word(o.text)), None)
        if state is not None:
            return state
    return None


def _subjects_with(subject: Token) -> list[Token]:
    """The subject and those coordinated with it, and any other subject of the same verb: a
    headline's comma stands for "and" ("Chile, Peru signed fisheries plan"), which the parser, trained
    on sentences, reads as two subjects."""
    others = [c for c in subject.head.children if c.dep_ == subject.dep_ and c != subject]
    if subject.dep_ not in _SUBJECTS:
        others = []
    # "A (AA), the Governments of B and C and D signed": a list the parser read as an apposition
    # (one that goes on with "and" is a list's next member, not another name for the first).
    others += [a for a in subject.children if a.dep_ == "appos" and a.conjuncts and not in_brackets(a)]
    heads = [t for h in sorted([subject, *others], key=lambda t: t.i) for t in _coordinated(h)]
    return sorted(set(heads), key=lambda t: t.i)


def _headline_names(act: Token) -> list[Token]:
    """'Chile, Peru sign border deal': names joined by commas (or '&') that open a title line (no
    closing punctuation) before its verb; the parser reads them in many ways, the words do not vary."""
    sentence = act.sent
    if re.search(r"[.!?:;”\"»]\s*$", sentence.text):
        return []
    heads: list[Token] = []
    for token in sentence:
        if token.i >= act.i or (token.lower_ in ("to", "will") and token.i == act.i - 1):
            break  # "Chile, Peru to sign ..."
        if token.text in (",", "&") or token.lower_ == "and":
            continue
        if token.pos_ != "PROPN" or not token.text[:1].isupper():
            return []
        if heads and token.i == heads[-1].i + 1:
            heads[-1] = token  # "United States": one name of several words, by its last word
        else:
            heads.append(token)
    return heads if len(heads) >= 2 else []


def _governments_of(head: Token) -> list[Token]:
    """'the Governments of Chile and Peru', 'Representatives of Chile, Peru and Bolivia': the states,
    each a party (a state's government is the state, GUIDE §10; unnamed signers give their states)."""
    if _lemma(head) not in lexicon().acting_for_states or head.tag_ not in ("NNS", "NNPS"):
        return []
    states = preposition_objects(head, "of")
    named = _coordinated(states[0]) if states else []
    if _lemma(head) != "government" and not all(is_country_word(t.text) for t in named):
        return []  # "officials of the ministry": no states
    return named


def _person_named_by(noun: Token) -> Token | None:
    """The person a common noun introduces: "his counterpart, A B" or "his counterpart A B"."""
    if noun.pos_ != "NOUN":
        return None
    for child in noun.children:
        if child.dep_ != "appos":
            continue
        ent = _entity(child)
        if ent is not None and ent.label_ == "PERSON":
            return ent.root
        # A name the entity tagger missed: proper nouns that look like a person's name.
        words = [t for t in child.subtree if t.i <= child.i]
        if child.pos_ == "PROPN" and all(t.pos_ == "PROPN" for t in words) and looks_like_person(
            noun.doc[words[0].i : child.i + 1].text
        ):
            return child
    return _person_right_after(noun)


def _coordinated(head: Token) -> list[Token]:
    heads = [head, *head.conjuncts]
    return sorted(set(heads), key=lambda t: t.i)


def _with_objects(*owners: Token) -> list[Token]:
    for owner in owners:
        if owner is None:
            continue
        for child in owner.subtree:
            if child.dep_ == "prep" and child.lower_ in lexicon().with_:
                objects = [c for c in child.children if c.dep_ == "pobj"]
                if objects and _can_stand_alone(objects[0]):
                    return _coordinated(objects[0])
                # "with his counterpart Jorge Silva": the name in apposition to the common noun.
                named = [a for o in objects[:1] for a in o.children if a.dep_ == "appos" and _can_stand_alone(a)]
                if named:
                    return _coordinated(named[0])
                # The parser may hang that name elsewhere (even read it as a clause): the person
                # named right after the noun is still the one it introduces.
                person = _person_right_after(objects[0]) if objects else None
                if person is not None:
                    return [person]
    return []


def _person_right_after(noun: Token) -> Token | None:
    doc = noun.doc
    if noun.pos_ != "NOUN" or noun.i + 1 >= len(doc):
        return None
    ent = _entity(doc[noun.i + 1])
    if ent is None or ent.label_ != "PERSON" or ent.start != noun.i + 1:
        return None
    return ent.root if _is_person_name(ent.text) else None


def _agent_objects(verb: Token) -> list[Token]:
    for child in verb.children:
        if child.dep_ == "agent":
            objects = [c for c in child.children if c.dep_ == "pobj"]
            if objects:
                return _coordinated(objects[0])
    return []


def _is_sides(head: Token) -> bool:
    """'the two sides', 'both countries', 'the two governments'."""
    if _lemma(head) not in lexicon().sides or head.tag_ not in {"NNS", "NNPS"}:
        return False
    return any(c.lower_ in {"two", "both", "three", "all"} for c in head.children)


def _named_groups(tokens: list[Token], skip: Token) -> list[list[Token]]:
    """Conjoined subjects and objects a sentence names ('X and Y held talks'), outside `skip`'s phrase."""
    groups = []
    for token in tokens:
        if token.dep_ in {"nsubj", "nsubjpass", "pobj", "dobj"} and token != skip and token.conjuncts:
            # "between A and B and this included ...": the parser may join a clause's pronoun to the names.
            group = [t for t in _coordinated(token) if t.pos_ != "PRON"]
            if token == group[0] and all(t.pos_ == "PROPN" or _entity(t) is not None for t in group):
                groups.append(group)
    return groups


def _sentences_before(sentence: Any) -> list[Any]:
    """Where the names a group noun or a definite agreement stands for are told: the two sentences
    before, nearest first, then the article's lead (its first two sentences)."""
    doc = sentence.doc
    earlier = [doc[s.start - 1].sent for s in [sentence] if s.start > 0]
    earlier += [doc[s.start - 1].sent for s in earlier if s.start > 0]
    return earlier + [s for s in list(doc.sents)[:2] if s.start < sentence.start and s not in earlier]


def _resolve_sides(head: Token, sentence: Any) -> list[Token]:
    """The two parties 'the two sides' stands for: the one group of names the sentence gives before
    it, or else after it ("the two sides signed pacts after a summit of A and B"), or else one of the
    two sentences before or the article's lead (its first two sentences) gives, when there is exactly one."""
    doc = head.doc
    number = next((c.lower_ for c in head.children if c.lower_ in {"two", "three", "both"}), "two")
    size = {"two": 2, "both": 2, "three": 3}[number]
    places = ([t for t in sentence if t.i < head.i], [t for t in sentence if t.i > head.i],
              *(list(s) for s in _sentences_before(sentence)))
    group = _one_group(places, head, lambda g: len(g) == size)
    if group:
        return group
    if _lemma(head) in lexicon().person_sides:
        return _people_named(places, size)
    # "the forces of the Republic of A and the Republic of B ... the two countries": the parser may
    # not join the names; the states the sentence names before, when there are as many as it says;
    # else those of the nearest sentence before, or of the lead, that names any ("A, B agree to ...").
    for start, end in ((sentence.start, head.i), *((s.start, s.end) for s in _sentences_before(sentence))):
        states = _states_named(doc, start, end)
        if states:
            return states if len(states) == size else []
    return []


def _states_named(doc: Any, start: int, end: int) -> list[Token]:
    """The states the tokens doc[start:end] name, one token each, in order."""
    states: dict[str, Token] = {}
    for entity in (e for e in doc.ents if e.label_ == "GPE" and e.end <= end and e.start >= start):
        code = country_of_name(entity.text) or country_of_name(re.sub(r"^the\s+", "", entity.text))
        if code and code not in states:
            states[code] = entity.root
    return list(states.values())


def _people_named(places: Iterable[list[Token]], size: int) -> list[Token]:
    """'The two leaders agreed ...': the people the nearest place names, when it names as many as the
    group counts (by the entity tagger: a title before each name breaks the parse's "and")."""
    for tokens in places:
        people: dict[str, Token] = {}
        for token in tokens:
            ent = _entity(token)
            name = _person_named(token) if ent is not None and token == ent.root else None
            if name is not None and len(name.split()) >= 2:
                people.setdefault(name.split()[-1], token)
        if people:
            return list(people.values()) if len(people) == size else []
    return []


def _parties_told_before(noun: Token, sentence: Any) -> list[Token]:
    """"The agreement was signed at the end of the meeting": a definite agreement noun whose sentence
    names no one refers back; its parties are the one group of names (two or more) the nearest of the
    two sentences before gives, or else the article's lead (its first two sentences), where news states
    who agreed before it tells the rest."""
    if not any(c.dep_ == "det" and c.lower_ in {"the", "this", "that", "these"} for c in noun.children):
        return []
    return _one_group_before(sentence, noun)


def _one_group_before(sentence: Any, skip: Token) -> list[Token]:
    """The one group of two or more names the nearest of the sentences before gives."""
    return _one_group((list(s) for s in _sentences_before(sentence)), skip, lambda g: len(g) >= 2)


def _one_group(places: Iterable[list[Token]], skip: Token, fits: Callable[[list[Token]], bool]) -> list[Token]:
    """The group of names that fits, from the first of `places` that names any; none when it names two."""
    for tokens in places:
        groups = [g for g in _named_groups(tokens, skip) if fits(g)]
        if groups:
            return groups[0] if len(groups) == 1 else []
    return []


def _sides_named(heads: list[Token], sentence: Any) -> list[Token]:
    """'between the governments of the two countries': the two the sentence (or the one before) names."""
    if len(heads) != 1:
        return []
    head = heads[0]
    of_objects = [o for p in head.children if p.dep_ == "prep" and p.lower_ == "of" for o in p.children
                  if o.dep_ == "pobj"]
    sides = next((h for h in [head, *of_objects] if _is_sides(h)), None)
    return _resolve_sides(sides, sentence) if sides is not None else []


def _signers(act: Token | None) -> list[Token]:
    """The people who sign, when the sentence names them (GUIDE: the signers are the parties, not the
    bodies they sign for): "A and B signed an agreement between the Navy and the Office"; "A signed for
    Chile while B signed for his country" (each signing verb with its own signer)."""
    if act is None:
        return []
    persons = _persons_before(act) if act.pos_ == "VERB" and _lemma(act) in lexicon().signing_acts else []
    if len(persons) >= 2:
        return persons
    signing_for = [
        verb for verb in act.sent
        if verb.pos_ == "VERB" and _lemma(verb) in lexicon().signing_acts and preposition_objects(verb, "for")
    ]
    people = [person for verb in signing_for for person in _persons_before(verb)]
    return people if len(signing_for) >= 2 and len(people) == len(signing_for) else []


def _persons_before(verb: Token) -> list[Token]:
    """The people named in the words that run up to the verb ("The same day, Vice Admiral A and Rear
    Admiral B signed"): names, their titles, "and" and commas, read by the entity tagger rather than by
    the parse, which often takes a name there for an apposition of the words before."""
    doc, found = verb.doc, []
    i = verb.i - 1
    while i >= verb.sent.start and doc[i].pos_ in ("ADV", "AUX"):
        i -= 1
    while i >= verb.sent.start and (doc[i].pos_ == "PROPN" or doc[i].lower_ in ("and", ",", ".")):
        ent = _entity(doc[i])
        if _person_named(doc[i]) is not None and ent.root not in found:
            found.append(ent.root)
        i -= 1
    subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
    if not found and subject is not None and subject.pos_ == "PROPN" and _entity(subject) is None:
        # A name the entity tagger missed, as the verb's own subject: "Dr Ana Morales signed for Chile".
        words = [t for t in subject.subtree if t.i <= subject.i]
        if all(t.pos_ == "PROPN" for t in words) and looks_like_person(doc[words[0].i : subject.i + 1].text):
            found.append(subject)
    return sorted(found, key=lambda t: t.i)


def _party_heads(act: Token | None, noun: Token | None, sentence: Any) -> list[Token]:
    signers = _signers(act)
    if signers:
        return signers
    if noun is not None:
        between = _between_parties(noun, deep=True)
        if len(between) >= 2:
            return between
        sides = _sides_named(between, sentence)
        if sides:
            return sides
        # "a plan for joint monitoring of the borders by X, Y and Z"
        for token in noun.subtree:
            if token.dep_ == "prep" and token.lower_ == "by" and token.head != act:
                objects = [c for c in token.children if c.dep_ == "pobj"]
                if objects and len(_coordinated(objects[0])) >= 2:
                    return _coordinated(objects[0])
    if act is not None:
        # "the signing of accords on cooperation between X and Y": the phrase may hang on the act.
        between = _between_parties(act, deep=act.pos_ == "NOUN")
        if len(between) >= 2:
            return between
        sides = _sides_named(between, sentence)
        if sides:
            return sides
        agents = _agent_objects(act)
        subject = _subject_of(act)
        if subject is not None and (_is_agreement_noun(subject) or subject.lower_ in {"which", "that", "it"}):
            subject = None  # the passive's subject is the document itself
        if act.pos_ == "NOUN":  # "the signing of accords between ..." handled above; no subject
            subject = None
        heads = agents or _headline_names(act) or (
            _subjects_with(subject) if subject is not None else _names_before(act)
        )
        # "X and his Kyrgyz counterpart A B will sign": a common noun stands for the person it names.
        heads = [_person_named_by(h) or h for h in heads]
        heads = [state for h in heads for state in _governments_of(h) or [h]]
        if _lemma(act) in lexicon().on_behalf_acts:
            heads = [state for h in heads if (state := _state_of(h)) is not None]
        if len(heads) == 1 and heads[0].lower_ == "they":
            return _one_group_before(sentence, heads[0])  # "They signed an agreement on X": the names told before
        heads = [h for h in heads if _can_stand_alone(h) or _titled(h.text) or _is_sides(h)]
        if len(heads) == 1 and _is_sides(heads[0]):
            return _resolve_sides(heads[0], sentence) or heads
        persons = _persons_in(heads)
        if len(persons) >= 2:
            heads = persons
        if len(heads) == 1:  # "X agreed with Y"
            others = _with_objects(act, noun)
            if others:
                # "Minister of X Ana Ruiz signed with her counterpart Jorge Silva": the people, not the titles.
                people = _persons_in(heads + others)
                return people if len(people) >= 2 else heads + others
        return heads
    return []


# --- kind, status, subject --------------------------------------------------------------------


def _status(act: Token | None, tokens: list[Token]) -> str | None:
    table = lexicon()
    if act is None:
        for token in tokens:
            if _lemma(token) in table.status_nouns and token.pos_ == "NOUN":
                return table.status_nouns[_lemma(token)]
        return None
    head = act
    while head.dep_ in {"xcomp", "conj"} and head.head != head:
        if _lemma(head.head) in table.not_yet:
            return table.not_yet[_lemma(head.head)]
        head = head.head
    # "will sign", "are to sign", a headline's "to sign": a signing still ahead is an agreement expected.
    ahead = any(c.dep_ == "aux" and c.lower_ in ("will", "shall", "to", "'ll") for c in act.children)
    if ahead and _lemma(act) in table.signing_acts:
        return "agreed"
    return table.acts[_lemma(act)]


def _text_of(tokens: list[Token]) -> str:
    if not tokens:
        return ""
    doc = tokens[0].doc
    start, end = min(t.i for t in tokens), max(t.i for t in tokens) + 1
    while start < end and (doc[start].lower_ in _LEADING_WORDS | {"to"} or doc[start].is_punct):
        start += 1
    while end > start and doc[end - 1].is_punct:
        end -= 1
    return doc[start:end].text if end > start else ""


_ASIDE_MARKS = {",", ";", "(", "–", "--"}
_TAIL_PREPOSITIONS = {"by", "since", "until", "without", "from"}


def _is_tail(token: Token) -> bool:
    if token.dep_ in {"relcl", "appos", "advcl"} or (token.dep_ == "punct" and token.lower_ in _ASIDE_MARKS):
        return True
    if token.dep_ != "prep":
        return False
    if token.lower_ in lexicon().between | lexicon().with_ | _TAIL_PREPOSITIONS:
        return True
    if any(c.ent_type_ in {"DATE", "TIME"} for c in token.children):
        return True
    # "... in Almaty", "... at Klaipeda": where it was signed, not what it is about.
    # A country stays ("training doctors in Germany"); a city right after the preposition goes.
    return token.lower_ in {"in", "at"} and any(
        c.dep_ == "pobj" and c.pos_ == "PROPN" and c.i == token.i + 1 and not country_of_name(c.text)
        for c in token.children
    )


def _phrase_without_tails(root: Token) -> list[Token]:
    """A subject phrase without the parties ('between ...', 'with ...'), dates, clauses and asides."""
    cut: set[int] = set()
    for token in root.subtree:
        if token == root:
            continue
        if _is_tail(token):
            cut.update(t.i for t in token.subtree)
    kept = [t for t in root.subtree if t.i not in cut]
    # Only the part that is contiguous with the root.
    ordered = sorted(kept, key=lambda t: t.i)
    run = [t for t in ordered if t.i >= root.left_edge.i]
    result: list[Token] = []
    for token in run:
        if result and token.i != result[-1].i + 1:
            if token.i > root.i:
                break
            result = []
        result.append(token)
    return result


def _subject(noun: Token | None, act: Token | None) -> str | None:
    table = lexicon()
    # "a memorandum of understanding on X", "a protocol of intent on X": the parser hangs what it is
    # about on the "of" word that completes the document's name.
    named_by = [o for o in preposition_objects(noun, "of") if o.pos_ == "NOUN"] if noun is not None else []
    owners = [o for o in (noun, *named_by[:1], act) if o is not None]
    for owner in owners:
        for preposition in table.about:
            for child in owner.children:
                if child.dep_ != "prep" or child.lower_ != preposition:
                    continue
                objects = [c for c in child.children if c.dep_ in {"pobj", "pcomp"}]
                if not objects or objects[0].ent_type_ in {"DATE", "TIME", "GPE"} or _lemma(objects[0])[:3] in _MONTHS:
                    continue
                if _lemma(objects[0]) == "behalf":
                    continue  # "signed by A on behalf of Peru": for whom, not what about
                text = _text_of(_phrase_without_tails(objects[0]))
                if text:
                    return text
    # "agreements to establish a joint naval task group" -> the thing; "agreed to hold joint patrols" -> the act.
    for owner in owners:
        for child in owner.children:
            if child.dep_ in {"acl", "xcomp", "advcl"} and child.pos_ == "VERB" and child.i > owner.i:
                objects = [c for c in child.children if c.dep_ == "dobj"]
                if _lemma(child) in table.creating and objects:
                    return _text_of(_phrase_without_tails(objects[0])) or None
                if child.dep_ != "advcl" and any(c.dep_ == "aux" and c.lower_ == "to" for c in child.children):
                    return _text_of(_phrase_without_tails(child)) or None
    if noun is not None:
        modifiers = [
            c for c in noun.children
            if c.dep_ in {"compound", "amod"} and c.i < noun.i and c.lower_ not in table.empty_modifiers
            and c.pos_ in {"NOUN", "ADJ"} and _entity(c) is None
        ]
        if modifiers:
            start = min(t.i for m in modifiers for t in m.subtree)
            words = [t for t in noun.doc[start : noun.i] if t.lower_ not in table.empty_modifiers]
            text = _text_of(words)
            if text:
                return text
    return None


# --- the reading --------------------------------------------------------------------------------


def _main_act(acts: list[Token], nouns: list[Token]) -> Token | None:
    """The act that governs an agreement noun, else the first."""
    for act in acts:
        if any(n in act.subtree for n in nouns):
            return act
    return acts[0] if acts else None


def _main_noun(act: Token | None, nouns: list[Token]) -> Token | None:
    if act is not None:
        for noun in nouns:
            if noun.head == act:
                return noun
        for noun in nouns:
            if noun in act.subtree:
                return noun
        # "An agreement ... was expected to be signed": the noun is the passive subject.
        for noun in nouns:
            if act in noun.head.subtree:
                return noun
    return nouns[0] if nouns else None


def read_agreement(text: str, start: int, end: int) -> AgreementReading:
    """Parties, kind, status and subject of the agreement stated in text[start:end], from the parse of `text`."""
    doc = parse(text)
    tokens = [t for t in doc if start <= t.idx < end]
    return _read(tokens)


def read_sentence(sentence: str) -> AgreementReading:
    """The same reading for a sentence on its own."""
    return _read(list(parse(sentence)))


def _can_stand_alone(head: Token) -> bool:
    """One party alone is a name, "we", or a plural group ("three admirals"), not "the conference"."""
    return head.pos_ == "PROPN" or _entity(head) is not None or head.lower_ in {"i", "we"} or head.tag_ == "NNS"


def _read(tokens: list[Token]) -> AgreementReading:
    if not tokens:
        return AgreementReading()
    acts, nouns = _acts_and_nouns(tokens)
    act = _main_act(acts, nouns)
    noun = _main_noun(act, nouns)
    reading = AgreementReading()
    sentence = tokens[0].sent
    # A phrase that begins before the clause is a heading the sentence split kept; names from an earlier
    # sentence are the ones "the two sides" or "the agreement" stand for.
    heads = [h for h in _party_heads(act, noun, sentence) if h.i >= tokens[0].i or h.i < sentence.start]
    if not heads and noun is not None:
        heads = _parties_told_before(noun, sentence)
    told_before = any(h.i < sentence.start for h in heads)
    if len(heads) == 1 and not _can_stand_alone(heads[0]):
        heads = []
    # Beside a named party, an unnamed one is kept as the text describes it ("between the Institute and
    # one of the leading U.S. colleges", GUIDE §3).
    described = len(heads) >= 2 and any(_can_stand_alone(h) for h in heads)
    heads = [
        h for h in heads if not h.is_space and (
            _can_stand_alone(h) or _titled(h.text) or (described and any(t.pos_ == "NOUN" for t in h.subtree))
        )
    ]
    # "During the visit to Astana, A and B also were expected to sign": a city beside the signers is
    # where, not who (two cities alone may stand for their states: "Moscow and Ankara signed").
    places = [h for h in heads if (e := _entity(h)) is not None and e.label_ in ("GPE", "LOC")
              and country_of_name(e.text) is None and country_of_name(re.sub(r"^the\s+", "", e.text)) is None]
    if places and len(heads) - len(places) >= 2:
        heads = [h for h in heads if h not in places]
    names: list[str] = []
    first, last = tokens[0].idx, tokens[-1].idx + len(tokens[-1])
    low, high = first, last
    for name, a, b in join_state_spans([n for head in heads for n in _names(head)], tokens[0].doc.text):
        if a < first and not told_before:
            continue  # a phrase that begins before the clause (a heading the sentence split kept)
        name = name.strip()
        if name and "\n" not in name and name not in names and name.lower() not in {"which", "that", "who"}:
            names.append(name)
            low, high = min(low, a), max(high, b)
    names = _titles_run_on(names, sentence.text)
    if names and (len(names) >= 2 or names[0].lower() in {"i", "we"} or act is not None):
        reading.parties = names
        if (low, high) != (first, last) and (low < first or high > last):
            reading.reach = (min(low, first), max(high, last))
    if noun is not None:
        reading.facts["kind"] = _noun_kind(noun)
    elif act is not None and _lemma(act) == "agree":
        reading.facts["kind"] = "agreement"
    elif act is not None and _lemma(act) in lexicon().signing_acts and reading.parties:
        reading.facts["kind"] = "other"  # "signed operation orders", "signed off on a project"
    status = _status(act, tokens)
    if status:
        reading.facts["status"] = status
    elif noun is not None and len(_between_parties(noun)) >= 2:
        reading.facts["status"] = "agreed"
    subject = _subject(noun, act) or _what_it_holds(noun)
    if subject:
        reading.facts["subject"] = subject
    reading.topics = _topics(noun, act)
    if reading.topics:
        reading.facts["subject"] = reading.topics[0]
    return reading


def _topics(noun: Token | None, act: Token | None) -> list[str]:
    """The topics of several documents listed at once, one per document (GUIDE §8, the r194 ruling):
    "signed agreements on security, infrastructure and economic development", "eight deals spanning
    trade, energy and security sectors", "memoranda in the fields of science and technology, energy
    and mining". One document about several topics ("an agreement on A and B") is one record."""
    if noun is None or not _several(noun):
        return []
    table = lexicon()
    owners = [noun, *noun.conjuncts, *[o for o in preposition_objects(noun, "of") if o.pos_ == "NOUN"]]
    owners += [act] if act is not None else []
    content = _content_verb(noun)
    for owner in owners + ([content] if content is not None else []):
        for child in owner.children:
            if child.dep_ == "prep" and child.lower_ in (*table.about, *table.topics_introduced_by):
                objects = [c for c in child.children if c.dep_ == "pobj"]
            elif child.dep_ in ("acl", "advcl") and child.lower_ in table.topics_introduced_by:
                objects = [c for c in child.children if c.dep_ == "dobj"]
            elif owner == content and child.dep_ == "dobj":
                objects = [child]
            else:
                continue
            listed = _listed(objects[0]) if objects else []
            if len(listed) >= 2:
                return listed
    return []


def _content_verb(noun: Token) -> Token | None:
    """'Other agreements cover A, B and C', 'the documents concern A and B': a verb that tells what the
    documents its subject names are about."""
    head = noun.head
    if noun.dep_ == "nsubj" and head.pos_ == "VERB" and _lemma(head) in lexicon().content_verbs:
        return head
    return None


def _what_it_holds(noun: Token | None) -> str | None:
    """'The second agreement concerns data exchange': one of the documents told before, by what the
    verb of its contents says it holds."""
    content = _content_verb(noun) if noun is not None and not _several(noun) else None
    objects = [c for c in content.children if c.dep_ == "dobj"] if content is not None else []
    return (_text_of(_phrase_without_tails(objects[0])) or None) if objects else None


def _one_of_several(noun: Token) -> bool:
    """'the first agreement', 'the other memorandum', 'another deal': one of documents told together."""
    return any(c.dep_ in ("amod", "det") and c.lower_ in lexicon().one_of_several for c in noun.children)


def _several(noun: Token) -> bool:
    """More than one document: "agreements", "eight memoranda"."""
    counts = [c for c in noun.children if c.dep_ == "nummod" and c.like_num and c.lower_ not in ("one", "1")]
    return noun.tag_ in ("NNS", "NNPS") or bool(counts)


def _listed(head: Token) -> list[str]:
    """The items of a list of topics: "A, B and C", or the words before a field noun ("the A, B and C
    sectors") or after its "of" ("the fields of A, B and C"). In a list with commas an item may hold
    "and" ("science and technology, energy, and corrections and prisons"); the last item without a
    comma before it ends at its "and"."""
    if head.pos_ == "PROPN" or _entity(head) is not None:
        return []
    doc = head.doc
    if _lemma(head) in lexicon().field_nouns:
        of = preposition_objects(head, "of")
        if of:
            return _listed(of[0])
        start = next((t.i + 1 for t in head.subtree if t.i < head.i and t.dep_ == "det"), head.left_edge.i)
        words = list(doc[start : head.i])
    else:
        words = [t for t in head.subtree if not (t.i > head.i and (t.dep_ in ("relcl", "acl", "appos") or any(
            a.dep_ in ("relcl", "acl", "appos") and a.i > head.i for a in t.ancestors if a in head.subtree)))]
        words = sorted(words, key=lambda t: t.i)
    while words and words[-1].is_punct:
        words.pop()
    return _items(words)


def _items(words: list[Token]) -> list[str]:
    groups: list[list[Token]] = [[]]
    for token in words:
        if token.text == ",":
            groups.append([])
        else:
            groups[-1].append(token)
    groups = [g for g in groups if g]
    if len(groups) >= 2 and groups[-1][0].lower_ == "and":
        groups[-1] = groups[-1][1:]  # "..., and C": the serial comma
    elif groups:
        last = groups.pop()
        cut = next((i for i, t in enumerate(last) if t.lower_ == "and"), None)
        groups += [last[:cut], last[cut + 1 :]] if cut is not None else [last]
    items = [_text_of(g) for g in groups]
    if len(items) < 2 or any(not i or len(i.split()) > 4 or i[0].isupper() for i in items):
        return []
    return items


def names_no_topic(subject: str) -> bool:
    """A subject that names the document itself ("MoU", "the agreement", "amended protocol") or is a
    single word that names no thing ("signed"): nothing the agreement is about."""
    table = lexicon()
    tokens = [t for t in parse(subject) if not t.is_punct]
    if len(tokens) == 1 and tokens[0].pos_ in ("VERB", "AUX", "ADV", "ADP", "DET", "PRON"):
        return True
    return bool(tokens) and all(
        _lemma(t) in table.nouns or t.lower_ in table.nouns or t.lower_ in table.empty_modifiers
        or t.pos_ == "DET" or t.lower_ in ("of", "understanding")
        for t in tokens
    )


def states_signing_place(sentence: str) -> bool:
    """'The signing took place on April 18 in Astana', 'the signing ceremony was held in X': a sentence
    that tells where (and when) the signing told before happened, with a named place."""
    table = lexicon()
    if ceremony_held(sentence, table.ceremony_nouns, table.ceremony_verbs) is None:
        return False
    place = first_place(sentence)
    return place is not None and re.search(r"[A-Z]", place) is not None


_DEFINITE = {"the", "this", "that", "these"}


def names_signers_of_agreement_told(sentence: str) -> bool:
    """'The partnership was signed in Brussels by A, B and C', 'The memorandum signed by A and B will
    ...': a definite thing signed, and who signed it. News names the agreement in the lead and its
    signers after it; "the" points back at the agreement already told."""
    signing = lexicon().signing_acts
    for token in parse(sentence):
        if token.pos_ != "VERB" or _lemma(token) not in signing or not any(c.dep_ == "agent" for c in token.children):
            continue
        # "On July 16, the final day of the drill, a memorandum was signed by ...": the parser may take the
        # day for a second subject; what was signed is the one that is not a time.
        signed = [c for c in token.children if c.dep_ == "nsubjpass" and c.ent_type_ not in ("DATE", "TIME")] or (
            [token.head] if token.dep_ == "acl" else []
        )
        if signed and any(c.dep_ in ("det", "poss") and c.lower_ in _DEFINITE for c in signed[0].children):
            return True
    return False
