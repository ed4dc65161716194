"""`extract export`: flat tables that DuckDB, pandas and spreadsheets read, with counts that match the run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pyarrow.csv as pa_csv
import pytest
from run_folders import replay_seeds, run_records, run_span_count, write_hostile_run
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.export import ACTOR_ROLES, _actor_fields, export_run
from schemas import RECORD_TYPES

TABLES = [*RECORD_TYPES, "actors", "items", "spans"]


def _query(sql: str) -> list[dict[str, Any]]:
    """Rows of a DuckDB query as dicts (fetchall and columns: the calls every DuckDB release has)."""
    relation = duckdb.sql(sql)
    return [dict(zip(relation.columns, row, strict=True)) for row in relation.fetchall()]


def _count(path: Path) -> int:
    return int(_query(f"SELECT count(*) AS n FROM read_parquet('{path}')")[0]["n"])


@pytest.fixture(scope="module")
def seeds_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return replay_seeds(tmp_path_factory.mktemp("seeds") / "run")


def _expected_counts(run_dir: Path) -> dict[str, int]:
    records = run_records(run_dir)
    counts = {record_type: len(records.get(record_type, [])) for record_type in RECORD_TYPES}
    actors = items = 0
    for record_type, rows in records.items():
        for row in rows:
            for name, is_list in _actor_fields(record_type):
                actors += len(row.get(name) or []) if is_list else int(row.get(name) is not None)
            items += len(row.get("items") or [])
    return {**counts, "actors": actors, "items": items, "spans": run_span_count(run_dir)}


def test_duckdb_reads_the_parquet_files_and_the_counts_match_the_records(seeds_run: Path, tmp_path: Path) -> None:
    written = export_run(seeds_run, "parquet", tmp_path / "out").written
    assert {w.table for w in written} == set(TABLES)
    expected = _expected_counts(seeds_run)
    assert expected["actors"] > 0 and expected["items"] > 0
    for table in TABLES:
        path = tmp_path / "out" / f"{table}.parquet"
        assert _count(path) == expected[table], table
    ids = {row["id"] for rows in run_records(seeds_run).values() for row in rows}
    joined = _query(f"SELECT DISTINCT record_id FROM read_parquet('{tmp_path / 'out' / 'actors.parquet'}')")
    assert {row["record_id"] for row in joined} <= ids


def test_a_record_row_flattens_dates_money_and_actors(seeds_run: Path, tmp_path: Path) -> None:
    export_run(seeds_run, "parquet", tmp_path)
    aid = _query(f"SELECT * FROM read_parquet('{tmp_path / 'aid_delivery.parquet'}')")
    source = {row["id"]: row for row in run_records(seeds_run)["aid_delivery"]}
    assert len(aid) == len(source) and any(row["value_amount"] for row in aid)
    for row in aid:
        record: dict[str, Any] = source[row["id"]]
        value, date, donor = record["value"] or {}, record["date"] or {}, record["donor"] or {}
        assert (row["value_amount"], row["value_currency"]) == (value.get("amount"), value.get("currency"))
        assert row["value_approximate"] == value.get("approximate")
        assert (row["date_start"], row["date_end"], row["date_precision"]) == (
            date.get("start"), date.get("end"), date.get("precision")
        )  # fmt: skip
        assert (row["donor_name"], row["donor_country"]) == (donor.get("name"), donor.get("country"))
    roles = _query(f"SELECT DISTINCT role FROM read_parquet('{tmp_path / 'actors.parquet'}')")
    assert {r["role"] for r in roles} == {
        "participant", "organizer", "observer", "donor", "recipient", "party", "speaker"
    }  # fmt: skip


def test_csv_and_duckdb_formats_hold_the_same_counts(seeds_run: Path, tmp_path: Path) -> None:
    expected = _expected_counts(seeds_run)
    export_run(seeds_run, "csv", tmp_path / "csv")
    for table in TABLES:
        assert pa_csv.read_csv(tmp_path / "csv" / f"{table}.csv").num_rows == expected[table], table
    database = tmp_path / "db" / "run.duckdb"
    export_run(seeds_run, "duckdb", database)
    with duckdb.connect(str(database), read_only=True) as connection:
        for table in TABLES:
            assert connection.execute(f'SELECT count(*) FROM "{table}"').fetchall() == [(expected[table],)], table


def test_value_spans_and_the_new_layout_are_exported(tmp_path: Path) -> None:
    run_dir = write_hostile_run(tmp_path)
    export_run(run_dir, "parquet")
    out = run_dir / "export"
    assert _count(out / "spans.parquet") == 17
    assert _query(f"SELECT quantity FROM read_parquet('{out / 'items.parquet'}')") == [{"quantity": 2}]
    # a type without records is still a table with its columns
    agreement = duckdb.sql(f"SELECT * FROM read_parquet('{out / 'agreement.parquet'}')")
    assert agreement.fetchall() == []
    assert {"parties", "date_start", "date_end", "date_precision"} <= set(agreement.columns)


def test_every_actor_field_has_a_role_name() -> None:
    fields = {name for record_type in RECORD_TYPES for name, _ in _actor_fields(record_type)}
    assert fields == set(ACTOR_ROLES)


def test_export_command(seeds_run: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["export", str(seeds_run), "--format", "csv", "--out", str(tmp_path / "csv")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "csv" / "quote.csv").is_file()
    wrong = CliRunner().invoke(app, ["export", str(seeds_run), "--format", "xlsx"])
    assert wrong.exit_code == 2 and "unknown format 'xlsx'" in wrong.output and "Traceback" not in wrong.output
    (tmp_path / "empty").mkdir()
    refused = CliRunner().invoke(app, ["export", str(tmp_path / "empty")])
    assert refused.exit_code == 2 and "not a run folder" in refused.output


@pytest.mark.parametrize(
    "bad_line",
    ['{broken', None],  # not JSON; a record whose offset is a string ("start": "12")
)
def test_a_bad_line_is_named_and_left_out_and_the_rest_exported_with_exit_1(
    tmp_path: Path, bad_line: str | None
) -> None:
    run_dir = write_hostile_run(tmp_path)
    quote_file = run_dir / "records" / "quote.jsonl"
    good = quote_file.read_text()
    if bad_line is None:
        bad_line = good.splitlines()[0].replace('"start": ', '"start": "', 1).replace(', "end"', '", "end"', 1)
    quote_file.write_text(good + bad_line + "\n")
    result = CliRunner().invoke(app, ["export", str(run_dir), "--format", "csv", "--out", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    assert f"{quote_file}:2" in result.output and "Traceback" not in result.output
    assert _csv_rows(tmp_path / "out" / "quote.csv") == 1  # the good line
    assert _csv_rows(tmp_path / "out" / "aid_delivery.csv") == 1  # the other files, whole


def _csv_rows(path: Path) -> int:
    return int(pa_csv.read_csv(path).num_rows)
