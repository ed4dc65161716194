"""What a model is asked to fill: each record type without what the pipeline computes itself.

A model never writes ids, offsets, normalized dates or amounts. It cites text; the pipeline
grounds the citations, computes offsets and normalizes dates and money from the grounded text.
The draft models are derived from the record models, so a field added to a record reaches the
model's prompt and the instructor path without being written twice.
"""

from __future__ import annotations

import functools
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic.fields import FieldInfo

from schemas.common import DateRef, Money
from schemas.records import RECORD_TYPES, Record

# Fields of Record the pipeline fills, never the model.
PIPELINE_FIELDS = {"id", "doc_id", "record_type", "evidence", "spans"}

_VERBATIM_REPLACEMENTS: dict[Any, tuple[Any, str]] = {
    DateRef | None: (str | None, "The date exactly as the text writes it, e.g. 'on May 18'; null if none."),
    Money | None: (str | None, "The amount exactly as the text writes it, e.g. 'around $2 million'; null if none."),
}


@functools.cache
def draft_model(record_type: str) -> type[BaseModel]:
    """The model-facing version of one record type."""
    record_model: type[Record] = RECORD_TYPES[record_type]
    fields: dict[str, Any] = {}
    for name, info in record_model.model_fields.items():
        if name in PIPELINE_FIELDS:
            continue
        annotation, description = _VERBATIM_REPLACEMENTS.get(info.annotation, (info.annotation, info.description))
        fields[name] = (annotation, _copy_field(info, description))
    fields["evidence"] = (
        list[str],
        Field(
            default_factory=list,
            description="The sentence or sentences of the text that state this, copied word for word.",
        ),
    )
    return create_model(
        f"{record_model.__name__}Draft",
        __config__=ConfigDict(extra="ignore"),
        __doc__=record_model.__doc__,
        **fields,
    )


@functools.cache
def draft_list_model(record_type: str) -> type[BaseModel]:
    """A container for every record of one type found in a passage: what instructor asks for."""
    item = draft_model(record_type)
    return create_model(
        f"{item.__name__}List",
        __doc__=f"Every {record_type.replace('_', ' ')} the passage states. Empty if there is none.",
        records=(list[item], Field(default_factory=list)),  # type: ignore[valid-type]
    )


def _copy_field(info: FieldInfo, description: str | None) -> Any:
    if info.default_factory is not None:
        return Field(default_factory=info.default_factory, description=description)
    if info.is_required():
        return Field(description=description)
    return Field(default=info.default, description=description)
