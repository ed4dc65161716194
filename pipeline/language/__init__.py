"""The language layer: what a parser and country tables say about the text, shared by every stage.

- `parse`: spaCy's sentences, tokens, entities and dependency parse of a document, computed
  once per text and shared (candidate selection, quotations, actors and grounding ask for the
  same document's parse).
- `places`: countries, demonyms and seats of power, from pycountry plus our own small table
  (`prompts/lexicon/places.toml`).
- `course`: which end of an event's course a date tells, by the verb or the "until" that governs
  it ("began on May 3", "will last until May 5"; `prompts/lexicon/dates.toml`).

Regular expressions stay only for lexical tokens (dates, money, quotation marks); who did what
to whom is read off the parse.
"""
