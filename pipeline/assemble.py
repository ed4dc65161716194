"""Stage 5, normalize and assemble: grounded draft values become a validated record.

Actors get their kind, country, full name and title by rule (pipeline.actors); dates and money
are normalized from their grounded text (pipeline.normalize); the record model validates the
result and the record gets its content-derived id.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from pipeline.actors import ActorRules
from pipeline.documents import Document
from pipeline.normalize import normalize_date, normalize_money
from schemas import RECORD_TYPES, Evidence, Record, with_stable_id


class AssemblyError(ValueError):
    """Grounded values that still do not make a valid record."""


def assemble_record(
    record_type: str, fields: dict[str, Any], evidence: list[Evidence], document: Document, actors: ActorRules
) -> Record:
    model = RECORD_TYPES[record_type]
    values: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if name not in fields or fields[name] is None:
            continue
        value = fields[name]
        annotation = str(info.annotation)
        if "DateRef" in annotation:
            value = normalize_date(value, document.doc_date).model_dump()
        elif "Money" in annotation:
            value = normalize_money(value).model_dump()
        elif "Actor" in annotation:
            value = [_actor(a, actors) for a in value] if isinstance(value, list) else _actor(value, actors)
        values[name] = value
    try:
        record = model(id="", doc_id=document.doc_id, evidence=evidence, **values)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors(include_url=False)
        )
        raise AssemblyError(problems) from exc
    return with_stable_id(record)


def _actor(value: dict[str, Any], actors: ActorRules) -> dict[str, Any]:
    resolved = actors.actor(value["name"], value.get("role"))
    # A model that gave kind or country keeps them; the rules fill only what is missing.
    data = resolved.model_dump()
    for key in ("kind", "country"):
        if value.get(key) and not (key == "kind" and value[key] == "other"):
            data[key] = value[key]
    return data
