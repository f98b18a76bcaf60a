"""Great Expectations suites for departmental deliveries: the `delivery_expectations` asset check
of each raw asset, run once the reference layer of the year exists (defs/raw_assets.py).

They judge a delivered file as a whole (is it filled, is it in the right format, is it in the
right unit), which no dbt test does: dbt tests guard the models, and the row-level validation in
the staging models reports each bad cell. Thresholds are the rule parameters in force and the
accepted labels, both read from the reference layer (reference.in_force_rule_parameters,
reference.accepted_labels). Results are stored in `quality.expectation_results`.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import lru_cache

import duckdb

from .contract import Extract
from .ingest import rollback

# dbt's number_pattern and number_magnitude_limit macros (dbt/macros/parse_values.sql): GE runs
# before dbt and cannot call its macros; tests/test_hostile_values.py keeps the two in step.
NUMBER_PATTERN = r"[+-]?(([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?"
NUMBER_MAGNITUDE_LIMIT = "1e20"

# Whole-file unit checks: (extract, column) -> (parameter, bound)
UNIT_CHECKS = {
    ("tax", "tax_paid"): ("ge_tax_median_max", "max_value"),
    ("land_parcels", "area_m2"): ("ge_parcel_median_min_m2", "min_value"),
    ("statistics", "gross_output"): ("ge_output_median_max", "max_value"),
}
# Spaces around a value are allowed, as the parsers trim them. Written with ' ' rather than \s so
# that pandas hands the match to pyarrow (RE2, vectorised) instead of Python's re, row by row.
FORMATS = {
    "uscc": r"^ *[0-9A-HJ-NP-RTUW-Ya-hj-np-rtuw-y]{18} *$",
    "decimal": r"^ *-?[0-9,]*\.?[0-9]+ *$",
    "int": r"^ *-?[0-9,]+ *$",
    "date": r"^ *[0-9]{4}[-/][0-9]{1,2}[-/][0-9]{1,2} *$",
}


def number_sql(column: str) -> str:
    """A delivered cell as a number, exactly as dbt's `parse_decimal` macro reads it (see there
    why): a plain decimal with thousands separators in groups of three, finite, not underflowing
    to zero, below the magnitude limit; else NULL. tests/test_hostile_values.py checks that both
    parsers agree."""
    text = f"nullif(trim({column}, ' ' || chr(9) || chr(10) || chr(13) || chr(160) || chr(12288)), '')"
    number = f"try_cast(replace({text}, ',', '') as double)"
    return (
        f"(case when regexp_full_match({text}, '{NUMBER_PATTERN}') and isfinite({number}) "
        f"and abs({number}) < {NUMBER_MAGNITUDE_LIMIT} "
        f"and ({number} <> 0 or not regexp_matches(regexp_replace({text}, '[eE].*$', ''), '[1-9]')) "
        f"then {number} end)"
    )


@dataclass
class ExpectationOutcome:
    success: bool
    results: list[dict]


@dataclass(frozen=True)
class ExpectationRules:
    """What a suite is built from: the numeric rule parameters in force for the year (scale 'all')
    and, per enum (and 'bool'), the labels a department may deliver."""

    parameters: dict[str, float]
    labels: dict[str, list[str]]

    def fingerprint(self) -> str:
        """Changes whenever a suite built from these rules could judge differently."""
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def expectation_rules(conn: duckdb.DuckDBPyConnection, year: int) -> ExpectationRules:
    """The rules of the year as the reference layer holds them (after dbt has built it)."""
    with conn.cursor() as cursor:
        parameters = dict(
            cursor.execute(
                "select parameter, value from reference.in_force_rule_parameters where data_year = ? and scale = 'all'", [year]
            ).fetchall()
        )
        labels: dict[str, list[str]] = {}
        for enum_name, label in cursor.execute(
            "select enum_name, label from reference.accepted_labels where data_year = ? order by all", [year]
        ).fetchall():
            labels.setdefault(enum_name, []).append(label)
    return ExpectationRules(parameters, labels)


@lru_cache(maxsize=1)
def _context():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")  # no network, ever
    import tqdm

    # no tqdm monitor thread lingering after a run
    tqdm.tqdm.monitor_interval = 0
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return gx, context, context.data_sources.add_pandas("deliveries")


def _enum_regex(labels: list[str]) -> str:
    import re

    return r"(?i)^ *(?:" + "|".join(re.escape(label) for label in labels) + r") *$"


def build_suite(gx, extract: Extract, year: int, rules: ExpectationRules):
    p = rules.parameters
    mostly = p["ge_mostly"]
    E = gx.expectations
    suite = gx.ExpectationSuite(name=f"{extract.name}_{year}")
    suite.add_expectation(E.ExpectTableRowCountToBeBetween(min_value=1))
    for column in extract.columns:
        if column.value_required:
            suite.add_expectation(E.ExpectColumnValuesToNotBeNull(column=column.name, mostly=mostly))
        if column.value_type in FORMATS:
            suite.add_expectation(E.ExpectColumnValuesToMatchRegex(column=column.name, regex=FORMATS[column.value_type], mostly=mostly))
        elif column.value_type == "bool":
            suite.add_expectation(
                E.ExpectColumnValuesToMatchRegex(column=column.name, regex=_enum_regex(rules.labels["bool"]), mostly=mostly)
            )
        elif column.value_type == "enum":
            suite.add_expectation(
                E.ExpectColumnValuesToMatchRegex(column=column.name, regex=_enum_regex(rules.labels[column.enum_name]), mostly=mostly)
            )
        if (extract.name, column.name) in UNIT_CHECKS:
            parameter, bound = UNIT_CHECKS[(extract.name, column.name)]
            suite.add_expectation(E.ExpectColumnMedianToBeBetween(column=f"{column.name}__number", **{bound: p[parameter]}))
    return suite


def _ensure_table(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute("create schema if not exists quality")
    conn.execute(
        """create table if not exists quality.expectation_results (
            data_year integer, extract varchar, load_id varchar, expectation varchar, column_name varchar,
            success boolean, observed_value varchar, unexpected_percent double, checked_at timestamp,
            rules_fingerprint varchar)"""
    )
    # results stored before the fingerprint existed: judged again once
    conn.execute("alter table quality.expectation_results add column if not exists rules_fingerprint varchar")


def _judged(conn: duckdb.DuckDBPyConnection, load_id: str, fingerprint: str) -> ExpectationOutcome | None:
    """The stored results of this delivery when it was judged under these same rules: a
    delivery is judged once, not at every run of its year (nor is Great Expectations loaded)."""
    _ensure_table(conn)
    rows = conn.execute(
        """select expectation, column_name, success, observed_value, unexpected_percent
           from quality.expectation_results where load_id = ? and rules_fingerprint = ? order by rowid""",
        [load_id, fingerprint],
    ).fetchall()
    if not rows:
        return None
    names = ("expectation", "column_name", "success", "observed_value", "unexpected_percent")
    results = [dict(zip(names, row)) for row in rows]
    return ExpectationOutcome(all(r["success"] for r in results), results)


def validate_delivery(
    conn: duckdb.DuckDBPyConnection, extract: Extract, year: int, load_id: str, rules: ExpectationRules | None = None
) -> ExpectationOutcome:
    """Validate the delivery `load_id` of one extract against `rules` (default: those of the
    year in the reference layer); store and return the results."""
    rules = rules or expectation_rules(conn, year)
    fingerprint = rules.fingerprint()
    judged = _judged(conn, load_id, fingerprint)
    if judged is not None:
        return judged
    gx, context, source = _context()
    columns = [c.name for c in extract.columns]
    # the unit checks read a column as numbers, parsed as the staging models parse it
    columns += [f"{number_sql(column)} as {column}__number" for (name, column) in UNIT_CHECKS if name == extract.name]
    # Through Arrow: no Python object per cell, and pandas hands the regular expressions to
    # pyarrow; the frame owns its buffers once DuckDB has handed them over.
    with conn.cursor() as cursor:
        frame = (
            cursor.sql(f"select {', '.join(columns)} from raw.{extract.name} where load_id = $load_id", params={"load_id": load_id})
            .to_arrow_table()
            .to_pandas()
        )
    asset_name = f"{extract.name}_{year}_{load_id}"
    asset = source.add_dataframe_asset(asset_name)
    batch = asset.add_batch_definition_whole_dataframe(asset_name).get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(build_suite(gx, extract, year, rules))
    source.delete_asset(asset_name)

    rows = []
    for r in result.results:
        config = r.expectation_config
        rows.append(
            {
                "expectation": config.type,
                "column_name": config.kwargs.get("column"),
                "success": bool(r.success),
                "observed_value": json.dumps(r.result.get("observed_value"), ensure_ascii=False, default=str),
                "unexpected_percent": r.result.get("unexpected_percent"),
            }
        )
    _ensure_table(conn)
    now = datetime.now(UTC).replace(tzinfo=None)
    # The results of a delivery are replaced as a whole or not at all: a run stopped in between
    # leaves the previous results, and the next run (which validates again) replaces them.
    conn.execute("begin transaction")
    try:
        conn.execute("delete from quality.expectation_results where load_id = ?", [load_id])
        conn.executemany(
            "insert into quality.expectation_results values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    year,
                    extract.name,
                    load_id,
                    r["expectation"],
                    r["column_name"],
                    r["success"],
                    r["observed_value"],
                    r["unexpected_percent"],
                    now,
                    fingerprint,
                ]
                for r in rows
            ],
        )
        conn.execute("commit")
    except BaseException:
        rollback(conn)
        raise
    return ExpectationOutcome(bool(result.success), rows)
