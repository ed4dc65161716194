"""Value types shared by every record: who, when, how much, and where in the text it says so.

Field descriptions are written for two readers: analysts reading the exported JSON Schema and
the language model, which sees them as prompt text. Keep them short and concrete.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

ActorKind = Literal[
    "country",
    "government_body",
    "military_unit",
    "security_service",
    "international_org",
    "company",
    "person",
    "other",
]
ACTOR_KINDS: tuple[str, ...] = ActorKind.__args__  # type: ignore[attr-defined]

DatePrecision = Literal["day", "month", "year", "unknown"]

# ISO 8601 calendar dates, possibly truncated to month or year: 2006, 2006-06, 2006-06-21.
PARTIAL_ISO_DATE = r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"


class StrictModel(BaseModel):
    """Unknown keys are an error: a typo in a field name must not pass silently."""

    model_config = ConfigDict(extra="forbid")


class Actor(StrictModel):
    """A party to an event: a state, an agency, a unit, an organisation or a person."""

    name: str = Field(
        min_length=1,
        description="The name exactly as the text writes it, e.g. 'Kazakh National Security Committee'.",
    )
    kind: ActorKind = Field(
        default="other",
        description=(
            "What the actor is: country, government_body, military_unit, security_service, "
            "international_org, company, person or other."
        ),
    )
    country: str | None = Field(
        default=None,
        pattern=r"^[A-Z]{2}$",
        description="ISO 3166-1 alpha-2 code of the actor's country (KZ, RU, US), or null.",
    )
    role: str | None = Field(
        default=None,
        description="For a person, the title the text gives them ('deputy interior minister'), else null.",
    )


class DateRef(StrictModel):
    """A date as written, with its normalized ISO 8601 range."""

    text: str = Field(min_length=1, description="The date exactly as written, e.g. 'May 18', 'June 15-16'.")
    start: str | None = Field(
        default=None,
        pattern=PARTIAL_ISO_DATE,
        description="First day as ISO 8601, possibly partial (2006-06-21, 2006-06, 2006); null if unknown.",
    )
    end: str | None = Field(
        default=None,
        pattern=PARTIAL_ISO_DATE,
        description="Last day as ISO 8601, possibly partial; equal to start for a single day.",
    )
    precision: DatePrecision = Field(default="unknown", description="day, month, year or unknown.")

    @model_validator(mode="after")
    def _start_not_after_end(self) -> DateRef:
        for value in (self.start, self.end):
            if value and len(value) == 10:
                try:
                    dt.date.fromisoformat(value)
                except ValueError:
                    raise ValueError(f"{value} is not a calendar date") from None
        if self.start and self.end and len(self.start) == len(self.end) and self.start > self.end:
            raise ValueError(f"date start {self.start} is after end {self.end}")
        return self


class Money(StrictModel):
    """An amount of money as written, with its normalized value."""

    text: str = Field(min_length=1, description="The amount exactly as written, e.g. 'around $2 million'.")
    amount: float | None = Field(default=None, ge=0, description="The amount as a number: 2000000 for '$2 million'.")
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$", description="ISO 4217 code: USD, EUR, RUB.")
    approximate: bool = Field(default=False, description="True when the text hedges: 'around', 'about', 'some'.")


class Evidence(StrictModel):
    """A verbatim span of the document that supports a record."""

    text: str = Field(min_length=1, description="The span, character for character as in the document.")
    start: int = Field(ge=0, description="Offset of the first character, in Unicode code points.")
    end: int = Field(ge=0, description="Offset one past the last character: document[start:end] == text.")
    alignment: Literal["exact", "folded", "fuzzy"] = Field(
        default="exact",
        description=(
            "How the cited text was found in the document: exact; folded (ignoring case, quote style and "
            "spacing); fuzzy (a near match, snapped to whole sentences)."
        ),
    )

    @model_validator(mode="after")
    def _offsets_match_text(self) -> Evidence:
        if self.end - self.start != len(self.text):
            raise ValueError(
                f"evidence offsets {self.start}..{self.end} span {self.end - self.start} characters "
                f"but the text has {len(self.text)}"
            )
        return self


class Item(StrictModel):
    """One kind of thing handed over."""

    description: str = Field(
        min_length=1, description="What was handed over, as written: 'rapid reaction patrol boats'."
    )
    quantity: int | None = Field(default=None, ge=0, description="How many, if the text says: 3.")
