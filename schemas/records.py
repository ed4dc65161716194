"""The four record types `extract` emits. These models are the contract (see README)."""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter, model_validator

from schemas.common import Actor, DateRef, Evidence, Item, Money, StrictModel

SCHEMA_VERSION = "1.2.0"  # 1.1.0: Evidence.alignment; 1.2.0: Record.spans

Offset = Annotated[int, Field(ge=0)]

AidStatus = Literal["delivered", "pledged", "planned", "ongoing"]
AgreementKind = Literal["memorandum", "treaty", "agreement", "accord", "plan", "other"]
AgreementStatus = Literal["signed", "agreed", "proposed", "negotiating"]


class Record(StrictModel):
    """What every emitted record carries besides its own fields."""

    id: str = Field(description="Stable id: a hash of document, type and content, the same on every run.")
    record_type: str = Field(description="Which record type this is: exercise, aid_delivery, agreement or quote.")
    doc_id: str = Field(min_length=1, description="The source document's id (its file stem).")
    evidence: list[Evidence] = Field(
        min_length=1, description="Verbatim spans of the document that state this record."
    )
    spans: dict[str, tuple[Offset, Offset]] = Field(
        default_factory=dict,
        description=(
            "Where each value's words are in the document: field path ('donor.name', 'items[0].description', "
            "'date.text', 'participants[1].country') to [start, end], code points, so document[start:end] is "
            "the value as written. A normalized value (an ISO date, a country code, an amount) points at the "
            "words it was normalized from."
        ),
    )

    @model_validator(mode="after")
    def _spans_are_ranges(self) -> Record:
        for path, (start, end) in self.spans.items():
            if end < start:
                raise ValueError(f"span of {path} ends at {end}, before its start {start}")
        return self

    def content_id(self) -> str:
        """The id this record's content earns; `with_stable_id` stores it.

        Spans are left out: they only say where the values' words are, which the evidence already
        pins down, so adding them (schema 1.2.0) kept every id that earlier runs gave."""
        payload = self.model_dump(mode="json", exclude={"id", "spans"})
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        return f"{self.doc_id}:{payload['record_type']}:{digest[:16]}"


class Exercise(Record):
    """A military, border-guard, police or rescue exercise or drill that the text says took place or will."""

    record_type: Literal["exercise"] = "exercise"
    name: str | None = Field(
        default=None, description="The exercise's name, e.g. 'Steppe Eagle 2019'; null if unnamed."
    )
    description: str | None = Field(
        default=None, description="What kind of exercise, in the text's words: 'joint command-staff exercise'."
    )
    participants: list[Actor] = Field(default_factory=list, description="Countries, forces or units taking part.")
    organizers: list[Actor] = Field(default_factory=list, description="Who initiated, organised or led it.")
    observers: list[Actor] = Field(default_factory=list, description="Who watched it without taking part.")
    location: str | None = Field(default=None, description="Where it took place, as written: 'the Black Sea'.")
    date: DateRef | None = Field(default=None, description="When it took place.")
    duration: str | None = Field(default=None, description="How long, as written: 'two-day', 'for a week'.")
    scenario: list[str] = Field(
        default_factory=list, description="What was rehearsed, each as written: 'search and rescue'."
    )


class AidDelivery(Record):
    """Equipment, money, training or other specific assistance passed, pledged or planned from donor to recipient."""

    record_type: Literal["aid_delivery"] = "aid_delivery"
    donor: Actor | None = Field(default=None, description="Who gives the assistance.")
    recipient: Actor | None = Field(default=None, description="Who receives it.")
    items: list[Item] = Field(default_factory=list, description="What is handed over, with quantities.")
    value: Money | None = Field(default=None, description="What it is worth, if the text says.")
    date: DateRef | None = Field(default=None, description="When it was handed over or pledged.")
    location: str | None = Field(default=None, description="Where it was handed over, as written.")
    program: str | None = Field(default=None, description="The assistance program it belongs to, as written.")
    status: AidStatus | None = Field(default=None, description="delivered, pledged, planned or ongoing.")


class Agreement(Record):
    """An agreement, memorandum, accord, treaty or plan between parties, signed, agreed or announced."""

    record_type: Literal["agreement"] = "agreement"
    parties: list[Actor] = Field(default_factory=list, description="Who is party to it.")
    kind: AgreementKind | None = Field(
        default=None, description="memorandum, treaty, agreement, accord, plan or other."
    )
    subject: str | None = Field(default=None, description="What it is about, as written: 'military cooperation'.")
    date: DateRef | None = Field(default=None, description="When it was signed, agreed or announced.")
    location: str | None = Field(default=None, description="Where it was signed, as written.")
    status: AgreementStatus | None = Field(default=None, description="signed, agreed, proposed or negotiating.")


class Quote(Record):
    """A direct quotation: words inside quotation marks attributed to a speaker."""

    record_type: Literal["quote"] = "quote"
    speaker: Actor | None = Field(default=None, description="Who said it, with the title the text gives them.")
    text: str = Field(min_length=1, description="The quoted words exactly as written, without the quotation marks.")
    cue: str | None = Field(default=None, description="The attribution verb as written: 'said', 'explained', 'added'.")
    cited_source: str | None = Field(
        default=None, description="Where the article says the quote comes from: 'Interfax, June 21'; null if none."
    )
    date: DateRef | None = Field(default=None, description="When it was said, if the text says.")


# Keys whose values are labels, codes, numbers or ids the pipeline computes, not words taken from the
# document: every other string in a record is verbatim text of its source.
COMPUTED_KEYS = frozenset({
    "id", "doc_id", "record_type", "kind", "country", "status", "precision", "currency", "start", "end", "amount",
    "approximate", "quantity", "alignment", "spans",
})

RECORD_TYPES: dict[str, type[Record]] = {
    "exercise": Exercise,
    "aid_delivery": AidDelivery,
    "agreement": Agreement,
    "quote": Quote,
}

AnyRecord = Annotated[Exercise | AidDelivery | Agreement | Quote, Field(discriminator="record_type")]
ANY_RECORD: TypeAdapter[Any] = TypeAdapter(AnyRecord)


def with_stable_id(record: Record) -> Record:
    """Return the record with its id set from its content."""
    return record.model_copy(update={"id": record.content_id()})


def json_schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schema of each record type, keyed by record type name."""
    schemas: dict[str, dict[str, Any]] = {}
    for name, model in RECORD_TYPES.items():
        schema = model.model_json_schema()
        schema["$id"] = f"extract/{name}/{SCHEMA_VERSION}"
        schemas[name] = schema
    return schemas
