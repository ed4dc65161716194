"""`extract export`: a run's records as flat tables for pandas, DuckDB and spreadsheets.

Tables (one file each for csv and parquet, one table each in a DuckDB database):

- `<record_type>` (exercise, aid_delivery, agreement, quote): one row per record. Scalar fields
  are columns; a date is `<field>_text/_start/_end/_precision`; money `<field>_text/_amount/
  _currency/_approximate`; a single actor `<field>_name/_kind/_country/_title`; a list of actors,
  items or strings is also given as one `; `-joined text column (the long tables below are the exact
  form); `evidence` is the evidence sentences joined by a newline.
- `actors`: one row per actor of a record: record_id, doc_id, record_type, role (the actor's role in
  the record: participant, organizer, observer, donor, recipient, party, speaker), position in its
  list, name, kind, country and title (what `Actor.role` holds: a person's title).
- `items`: one row per item handed over: record_id, doc_id, position, description, quantity.
- `spans`: one row per span a record points at: record_id, doc_id, record_type, path (`evidence[0]`
  or a field path of the record's `spans` map), start, end (code points into the document text).

Columns come from the record models, so a table has its columns and types even when the run has
no record of that type, and a field added to a schema is exported without a change here. Files
are written by pyarrow (csv, parquet) and DuckDB, each to a temporary name and then renamed.

A record line of the run that cannot be read is left out and named (file:line), and the other
records are exported. A field holding a JSON object (the `spans` map) is a column of JSON text.
In CSV only, a text cell that a spreadsheet would run as a formula (it starts with `=`, `+`, `-`,
`@`, a tab or a carriage return) is written with a `'` before it; parquet and DuckDB keep every
value as it is. A DuckDB `--out` that exists is replaced only when it is a DuckDB database holding
no tables but the export's own.
"""

from __future__ import annotations

import json
import os
import tempfile
import types
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.jsonl import write_text_atomic
from pipeline.output import EXPORT_DIR, EXPORT_MANIFEST, RunReadError, sha256_file
from pipeline.review.run_folder import RunFolder, read_run_folder
from schemas import RECORD_TYPES, Actor, DateRef, Item, Money

FORMATS = ("csv", "parquet", "duckdb")
# A CSV cell starting with one of these is run as a formula by spreadsheets (CSV injection).
FORMULA_START = r"^[=+\-@\t\r]"
FORMULA_GUARD = "'"
DUCKDB_MAGIC = (8, b"DUCK")  # offset and bytes of a DuckDB database file's header
EXPORT_FOLDER = EXPORT_DIR
DUCKDB_FILE = "records.duckdb"
LIST_SEPARATOR = "; "

ACTOR_ROLES: dict[str, str] = {
    "participants": "participant",
    "organizers": "organizer",
    "observers": "observer",
    "donor": "donor",
    "recipient": "recipient",
    "parties": "party",
    "speaker": "speaker",
}
"""The role in the record of the actors of each actor field (a field missing here keeps its name)."""

ROW_KEYS = ("id", "doc_id", "record_type")
SKIPPED_FIELDS = frozenset({"id", "doc_id", "record_type", "evidence"})

ACTORS_SCHEMA = pa.schema([
    ("record_id", pa.string()), ("doc_id", pa.string()), ("record_type", pa.string()), ("role", pa.string()),
    ("position", pa.int64()), ("name", pa.string()), ("kind", pa.string()), ("country", pa.string()),
    ("title", pa.string()),
])  # fmt: skip
ITEMS_SCHEMA = pa.schema([
    ("record_id", pa.string()), ("doc_id", pa.string()), ("record_type", pa.string()), ("position", pa.int64()),
    ("description", pa.string()), ("quantity", pa.int64()),
])  # fmt: skip
SPANS_SCHEMA = pa.schema([
    ("record_id", pa.string()), ("doc_id", pa.string()), ("record_type", pa.string()), ("path", pa.string()),
    ("start", pa.int64()), ("end", pa.int64()),
])  # fmt: skip


class ExportError(Exception):
    """The run cannot be exported; the message names the file and the problem."""


@dataclass(frozen=True)
class Written:
    table: str
    path: Path
    rows: int


@dataclass(frozen=True)
class Exported:
    written: list[Written]
    left_out: list[str]  # lines of the run that could not be read and were left out: "file:line: reason"


@dataclass(frozen=True)
class _Column:
    name: str
    type: pa.DataType
    value: Callable[[dict[str, Any]], Any]


def _unwrap(annotation: Any) -> Any:
    """X from X | None."""
    if get_origin(annotation) in (typing.Union, types.UnionType):
        members = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(members) == 1:
            return members[0]
    return annotation


def _get(row: dict[str, Any], name: str, key: str) -> Any:
    value = row.get(name)
    return value.get(key) if isinstance(value, dict) else None


def _joined(name: str, key: str | None) -> Callable[[dict[str, Any]], str | None]:
    def value(row: dict[str, Any]) -> str | None:
        elements = row.get(name) or []
        shown = [str(e.get(key) if key and isinstance(e, dict) else e) for e in elements]
        return LIST_SEPARATOR.join(shown) or None

    return value


def _sub_columns(name: str, parts: Iterable[tuple[str, str, pa.DataType]]) -> list[_Column]:
    return [_Column(f"{name}_{suffix}", arrow_type, _part_of(name, key)) for suffix, key, arrow_type in parts]


def _part_of(name: str, key: str) -> Callable[[dict[str, Any]], Any]:
    return lambda row: _get(row, name, key)


def _key_of(key: str) -> Callable[[dict[str, Any]], Any]:
    return lambda row: row.get(key)


def _field_columns(name: str, annotation: Any) -> list[_Column]:
    """The columns one model field becomes."""
    annotation = _unwrap(annotation)
    origin = get_origin(annotation)
    if annotation is DateRef:
        return _sub_columns(name, [("text", "text", pa.string()), ("start", "start", pa.string()),
                                   ("end", "end", pa.string()), ("precision", "precision", pa.string())])  # fmt: skip
    if annotation is Money:
        return _sub_columns(name, [("text", "text", pa.string()), ("amount", "amount", pa.float64()),
                                   ("currency", "currency", pa.string()),
                                   ("approximate", "approximate", pa.bool_())])  # fmt: skip
    if annotation is Actor:
        return _sub_columns(name, [("name", "name", pa.string()), ("kind", "kind", pa.string()),
                                   ("country", "country", pa.string()), ("title", "role", pa.string())])  # fmt: skip
    if origin is dict:
        return [_Column(name, pa.string(), lambda row: None if row.get(name) is None else json.dumps(row[name]))]
    if origin is list:
        element = get_args(annotation)[0] if get_args(annotation) else str
        key = "name" if element is Actor else "description" if element is Item else None
        return [_Column(name, pa.string(), _joined(name, key))]
    arrow_type = {int: pa.int64(), float: pa.float64(), bool: pa.bool_()}.get(annotation, pa.string())
    if origin is Literal or arrow_type == pa.string():
        return [_Column(name, pa.string(), lambda row: None if row.get(name) is None else str(row[name]))]
    return [_Column(name, arrow_type, lambda row: row.get(name))]


def record_columns(record_type: str) -> list[_Column]:
    """The columns of a record type's table, in model order."""
    model = RECORD_TYPES[record_type]
    columns = [_Column(key, pa.string(), _key_of(key)) for key in ROW_KEYS]
    for name, info in model.model_fields.items():
        if name not in SKIPPED_FIELDS:
            columns += _field_columns(name, info.annotation)
    columns.append(
        _Column("evidence", pa.string(), lambda row: "\n".join(e["text"] for e in row.get("evidence") or []) or None)
    )
    return columns


def _actor_fields(record_type: str) -> list[tuple[str, bool]]:
    """(field name, is a list) of every actor field of a record type."""
    found = []
    for name, info in RECORD_TYPES[record_type].model_fields.items():
        annotation = _unwrap(info.annotation)
        if annotation is Actor:
            found.append((name, False))
        elif get_origin(annotation) is list and get_args(annotation) and get_args(annotation)[0] is Actor:
            found.append((name, True))
    return found


def build_tables(folder: RunFolder) -> dict[str, pa.Table]:
    """Every table of the export, by name (record types first, then actors, items, spans)."""
    tables: dict[str, pa.Table] = {}
    actors: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    spans: list[dict[str, Any]] = []
    for record_type, rows in folder.records.items():
        columns = record_columns(record_type)
        schema = pa.schema([(column.name, column.type) for column in columns])
        tables[record_type] = pa.Table.from_pydict(
            {column.name: [column.value(row) for row in rows] for column in columns}, schema=schema
        )
        actor_fields = _actor_fields(record_type)
        for row in rows:
            owner = {"record_id": row["id"], "doc_id": row["doc_id"], "record_type": record_type}
            for name, is_list in actor_fields:
                values = (row.get(name) or []) if is_list else [row.get(name)] if row.get(name) else []
                actors += [
                    {**owner, "role": ACTOR_ROLES.get(name, name), "position": position, "name": actor["name"],
                     "kind": actor.get("kind"), "country": actor.get("country"), "title": actor.get("role")}
                    for position, actor in enumerate(values)
                ]  # fmt: skip
            items += [
                {**owner, "position": position, "description": item["description"], "quantity": item.get("quantity")}
                for position, item in enumerate(row.get("items") or [])
            ]
            spans += [
                {**owner, "path": f"evidence[{number}]", "start": evidence["start"], "end": evidence["end"]}
                for number, evidence in enumerate(row.get("evidence") or [])
            ]
            spans += [
                {**owner, "path": path, "start": start, "end": end}
                for path, (start, end) in (row.get("spans") or {}).items()
            ]
    tables["actors"] = pa.Table.from_pylist(actors, schema=ACTORS_SCHEMA)
    tables["items"] = pa.Table.from_pylist(items, schema=ITEMS_SCHEMA)
    tables["spans"] = pa.Table.from_pylist(spans, schema=SPANS_SCHEMA)
    return tables


def default_out(run_dir: Path, export_format: str) -> Path:
    folder = Path(run_dir) / EXPORT_FOLDER
    return folder / DUCKDB_FILE if export_format == "duckdb" else folder


def export_run(run_dir: Path | str, export_format: str, out: Path | str | None = None) -> Exported:
    """Write the run's tables in `export_format`; returns what was written and the lines left out.
    Raises ExportError when the run folder cannot be read at all, the DuckDB file to write is not
    one the export may replace, or a file cannot be written."""
    run_dir = Path(run_dir)
    if export_format not in FORMATS:
        raise ExportError(f"unknown format {export_format!r}; choose one of: {', '.join(FORMATS)}")
    try:
        folder = read_run_folder(run_dir, skip_bad_lines=True)
    except RunReadError as exc:
        raise ExportError(f"cannot export {run_dir}:\n" + "\n".join(f"  {p}" for p in exc.problems)) from exc
    tables = build_tables(folder)
    target = Path(out) if out is not None else default_out(run_dir, export_format)
    try:
        if export_format == "duckdb":
            database = target / DUCKDB_FILE if target.is_dir() else target
            _check_replaceable(database, set(tables))
            written = _write_duckdb(tables, database)
        else:
            if target.exists() and not target.is_dir():
                raise ExportError(f"{target}: exists and is not a folder (csv and parquet write one file per table)")
            target.mkdir(parents=True, exist_ok=True)
            written = [_write_file(name, table, target, export_format) for name, table in tables.items()]
        _note_in_run_folder(run_dir, str(folder.manifest.get("run_id") or ""), written)
    except OSError as exc:
        raise ExportError(f"{exc.filename or target}: cannot be written: {exc.strerror or exc}") from exc
    return Exported(written, folder.left_out)


def _note_in_run_folder(run_dir: Path, run_id: str, written: list[Written]) -> None:
    """Files written into RUN/export/ are listed in RUN/export/manifest.json with the run id they were
    made from, so that `extract validate` tells this run's tables from an earlier run's. Exports of the
    same run add up (csv, then parquet); an export of another run starts the list again."""
    folder = (run_dir / EXPORT_DIR).resolve()
    ours = [item for item in written if item.path.resolve().parent == folder]
    if not ours:
        return
    manifest_path = run_dir / EXPORT_MANIFEST
    try:
        earlier = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        earlier = None
    files: dict[str, Any] = {}
    if isinstance(earlier, dict) and earlier.get("run_id") == run_id and isinstance(earlier.get("files"), dict):
        files = {name: entry for name, entry in earlier["files"].items() if (folder / name).is_file()}
    for item in ours:
        files[item.path.name] = {"sha256": sha256_file(item.path)}
    document = {"run_id": run_id, "files": dict(sorted(files.items()))}
    write_text_atomic(manifest_path, json.dumps(document, indent=2) + "\n")


def _check_replaceable(database: Path, tables: set[str]) -> None:
    """An existing file is replaced only when it is a DuckDB database with no tables but ours: a
    mistyped --out never overwrites another file or someone's own database."""
    if not database.exists():
        return
    offset, magic = DUCKDB_MAGIC
    try:
        with database.open("rb") as handle:
            header = handle.read(offset + len(magic))
    except OSError as exc:
        raise ExportError(f"{database}: cannot be read to check it: {exc.strerror or exc}") from exc
    if header[offset:] != magic:
        raise ExportError(f"{database}: exists and is not a DuckDB database; not overwritten (choose another --out)")
    import duckdb

    try:
        with duckdb.connect(str(database), read_only=True) as connection:
            rows = connection.execute("SELECT table_name FROM information_schema.tables").fetchall()
        found = {row[0] for row in rows}
    except duckdb.Error as exc:
        raise ExportError(f"{database}: a DuckDB file that cannot be opened ({exc}); not overwritten") from exc
    others = sorted(found - tables)
    if others:
        raise ExportError(
            f"{database}: a DuckDB database with tables the export does not write ({', '.join(others[:5])}); "
            "not overwritten (choose another --out)"
        )


def _temporary(path: Path) -> Path:
    """A temporary file beside `path`, with the permissions a new file gets (mkstemp makes it 0600,
    and exports are meant to be shared)."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    umask = os.umask(0o022)
    os.umask(umask)
    os.chmod(name, 0o666 & ~umask)
    return Path(name)


def _write_file(name: str, table: pa.Table, folder: Path, export_format: str) -> Written:
    import pyarrow.csv as pa_csv
    import pyarrow.parquet as pa_parquet

    path = folder / f"{name}.{export_format}"
    temporary = _temporary(path)
    try:
        if export_format == "csv":
            pa_csv.write_csv(formula_guarded(table), temporary)
        else:
            pa_parquet.write_table(table, temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return Written(name, path, table.num_rows)


def formula_guarded(table: pa.Table) -> pa.Table:
    """The table with a `'` before every text cell a spreadsheet would run as a formula (CSV only)."""
    columns = []
    for column in table.columns:
        if pa.types.is_string(column.type):
            risky = pc.match_substring_regex(column, pattern=FORMULA_START)
            column = pc.if_else(risky, pc.binary_join_element_wise(FORMULA_GUARD, column, ""), column)
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=table.schema)


def _write_duckdb(tables: dict[str, pa.Table], path: Path) -> list[Written]:
    import duckdb

    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = _temporary(path)
    temporary.unlink()  # DuckDB creates its own file; an empty one is not a database
    try:
        with duckdb.connect(str(temporary)) as connection:
            for name, table in tables.items():
                connection.register("incoming", table)
                connection.execute(f'CREATE TABLE "{name}" AS SELECT * FROM incoming')
                connection.unregister("incoming")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
        Path(f"{temporary}.wal").unlink(missing_ok=True)
    return [Written(name, path, table.num_rows) for name, table in tables.items()]
