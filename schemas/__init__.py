"""Record models: the contract between `extract` and whoever reads its output.

This package imports nothing from `pipeline` (an import-linter contract enforces it), so
downstream users can depend on the schemas alone.
"""

from schemas.common import ACTOR_KINDS, Actor, DateRef, Evidence, Item, Money
from schemas.drafts import draft_list_model, draft_model
from schemas.records import (
    ANY_RECORD,
    COMPUTED_KEYS,
    RECORD_TYPES,
    SCHEMA_VERSION,
    Agreement,
    AidDelivery,
    Exercise,
    Quote,
    Record,
    json_schemas,
    with_stable_id,
)

__all__ = [
    "ACTOR_KINDS",
    "ANY_RECORD",
    "COMPUTED_KEYS",
    "RECORD_TYPES",
    "SCHEMA_VERSION",
    "Actor",
    "Agreement",
    "AidDelivery",
    "DateRef",
    "Evidence",
    "Exercise",
    "Item",
    "Money",
    "Quote",
    "Record",
    "draft_list_model",
    "draft_model",
    "json_schemas",
    "with_stable_id",
]
