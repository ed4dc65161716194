"""The language layer: what a parser and country tables say about the text, shared by every stage.

- `parse`: spaCy's sentences, tokens, entities and dependency parse of a document, computed
  once per text and shared (candidate selection, quotations, actors and grounding ask for the
  same document's parse).
- `places`: countries, demonyms and seats of power, from pycountry plus our own small table
  (`prompts/lexicon/places.toml`).

Regular expressions stay only for lexical tokens (dates, money, quotation marks); who did what
to whom is read off the parse.
"""
