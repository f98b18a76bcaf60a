"""Great Expectations suites for departmental deliveries: the `delivery_expectations` asset check
of each raw asset, run once dbt has validated the year's deliveries (defs/raw_assets.py).

They judge a delivered file as a whole (is it filled, is it in the right format, is it in the
right unit), which no dbt test does: dbt tests guard the models, and the validation models report
each bad cell. What they judge is the delivery's profile, measured in DuckDB: its row count, per
column the share of cells missing and the share its parser could not read (counted from
validation.validation_cell_errors, so exactly dbt's parsers decide what is readable), and the
median of the columns whose unit a whole file can get wrong. The profile is a single row whatever
the size of the file, so Great Expectations' cost does not grow with it. Thresholds are the rule
parameters in force (reference.in_force_rule_parameters). Results are stored in
`quality.expectation_results`.
"""

from __future__ import annotations

import hashlib
import json
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


def number_sql(column: str) -> str:
    """A delivered cell as a number, exactly as dbt's `parse_decimal` macro reads it (see there
    why): a plain decimal with thousands separators in groups of three, finite, not underflowing
    to zero, below the magnitude limit; else NULL. tests/test_hostile_values.py checks that both
    parsers agree."""
    blanks = "' ' || chr(9) || chr(10) || chr(13) || chr(160) || chr(12288) || chr(8203) || chr(8288) || chr(65279)"
    text = f"nullif(trim({column}, {blanks}), '')"
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


# The rule table the suites' thresholds come from (ge_mostly, ge_*_median_*).
RULE_TABLE = "rule_parameters"


@dataclass(frozen=True)
class ExpectationRules:
    """What a suite is built from: the numeric rule parameters in force for the year (scale 'all')."""

    parameters: dict[str, float]

    def fingerprint(self, profile: dict) -> str:
        """Changes whenever a suite built from these rules could judge this profile differently."""
        judged = {"rules": asdict(self), "profile": profile}
        return hashlib.sha256(json.dumps(judged, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def expectation_rules(conn: duckdb.DuckDBPyConnection, year: int) -> ExpectationRules:
    """The rules of the year as the reference layer holds them (after dbt has built it)."""
    with conn.cursor() as cursor:
        parameters = dict(
            cursor.execute(
                "select parameter, value from reference.in_force_rule_parameters where data_year = ? and scale = 'all'", [year]
            ).fetchall()
        )
    return ExpectationRules(parameters)


def delivery_profile(conn: duckdb.DuckDBPyConnection, extract: Extract, load_id: str) -> dict[str, float | None]:
    """The delivery as the suite sees it: `rows`, and per contract column `<column>__missing`
    (share of required cells left empty) and `<column>__unreadable` (share of cells the column's
    parser could not read), and `<column>__median` for the unit checks. Shares are None for a
    delivery without rows."""
    with conn.cursor() as cursor:
        (rows,) = cursor.execute(f"select count(*) from raw.{extract.name} where load_id = ?", [load_id]).fetchone()
        failing = {
            column: (missing, unreadable)
            for column, missing, unreadable in cursor.execute(
                """select column_name, count(*) filter (where check_name = 'value_missing'),
                          count(*) filter (where check_name <> 'value_missing')
                   from validation.validation_cell_errors where load_id = ? group by column_name""",
                [load_id],
            ).fetchall()
        }
        units = [column for (name, column) in UNIT_CHECKS if name == extract.name]
        medians = (
            cursor.execute(
                f"select {', '.join(f'median({number_sql(column)})' for column in units)} from raw.{extract.name} where load_id = ?",
                [load_id],
            ).fetchone()
            if units
            else ()
        )
    profile: dict[str, float | None] = {"rows": rows}
    for column in extract.columns:
        missing, unreadable = failing.get(column.name, (0, 0))
        if column.value_required:
            profile[f"{column.name}__missing"] = missing / rows if rows else None
        if column.value_type != "text":
            profile[f"{column.name}__unreadable"] = unreadable / rows if rows else None
    for column, median in zip(units, medians):
        profile[f"{column}__median"] = median
    return profile


@lru_cache(maxsize=1)
def _context():
    import tqdm

    # no tqdm monitor thread lingering after a run
    tqdm.tqdm.monitor_interval = 0
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.enable_analytics(False)  # no usage statistics leave the machine
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return gx, context, context.data_sources.add_pandas("deliveries")


def build_suite(gx, extract: Extract, year: int, rules: ExpectationRules, profile: dict):
    """One expectation per measure of the profile: the file has rows; required cells are filled
    and typed cells readable in at least `ge_mostly` of its rows; the unit-checked medians lie
    within their bounds."""
    p = rules.parameters
    at_most = 1 - p["ge_mostly"]
    E = gx.expectations
    suite = gx.ExpectationSuite(name=f"{extract.name}_{year}")
    suite.add_expectation(E.ExpectColumnMinToBeBetween(column="rows", min_value=1))
    # a file without rows has no shares, a column without one readable number no median: the
    # row count and the share of unreadable cells already say so
    for measure, value in profile.items():
        if value is not None and measure.endswith(("__missing", "__unreadable")):
            suite.add_expectation(E.ExpectColumnMaxToBeBetween(column=measure, max_value=at_most))
    for (name, column), (parameter, bound) in UNIT_CHECKS.items():
        if name == extract.name and profile.get(f"{column}__median") is not None:
            suite.add_expectation(E.ExpectColumnMedianToBeBetween(column=f"{column}__median", **{bound: p[parameter]}))
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
    """Judge the delivery `load_id` of one extract by its profile against `rules` (default: those
    of the year in the reference layer); store and return the results."""
    return judge(conn, extract, year, load_id, delivery_profile(conn, extract, load_id), rules or expectation_rules(conn, year))


def judge(
    conn: duckdb.DuckDBPyConnection, extract: Extract, year: int, load_id: str, profile: dict, rules: ExpectationRules
) -> ExpectationOutcome:
    """Validate a delivery's profile with Great Expectations; store and return the results."""
    import pandas as pd

    fingerprint = rules.fingerprint(profile)
    judged = _judged(conn, load_id, fingerprint)
    if judged is not None:
        return judged
    gx, context, source = _context()
    frame = pd.DataFrame([profile], dtype="float64")
    asset_name = f"{extract.name}_{year}_{load_id}"
    asset = source.add_dataframe_asset(asset_name)
    batch = asset.add_batch_definition_whole_dataframe(asset_name).get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(build_suite(gx, extract, year, rules, profile))
    source.delete_asset(asset_name)

    rows = []
    for r in result.results:
        config = r.expectation_config
        measure = config.kwargs.get("column")
        rows.append(
            {
                "expectation": config.type,
                "column_name": measure,
                "success": bool(r.success),
                "observed_value": json.dumps(profile.get(measure), ensure_ascii=False, default=str),
                "unexpected_percent": None,
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


def failures_in_words(conn: duckdb.DuckDBPyConnection, year: int, extract_name: str) -> list[str]:
    """What the whole-file check of the delivery in force found wrong, as people read it:
    department, file, column and measure (labels of the reference layer), and the value."""
    from .contract import extracts
    from .outputs import reference

    extract = extracts()[extract_name]
    headers = {c.name: c.header_zh for c in extract.columns}
    measures = reference.labels(conn, year, "delivery_measure")
    rows = conn.execute(
        """select l.source_file, r.column_name, r.observed_value from quality.expectation_results r
           join raw.loads l on l.load_id = r.load_id
           where not r.success and l.load_id = (
               select load_id from raw.loads where extract = ? and data_year = ? order by loaded_at desc, load_id desc limit 1)
           order by r.rowid""",
        [extract_name, year],
    ).fetchall()
    parameters = expectation_rules(conn, year).parameters
    found = []
    for file, measure_of, observed in rows:
        column, _, measure = measure_of.rpartition("__") if "__" in measure_of else ("", "", measure_of)
        value = json.loads(observed) if observed else None
        if measure in ("missing", "unreadable"):
            shown = f"{value:.1%}，应不超过 {1 - parameters['ge_mostly']:.0%}"
        elif measure == "median":
            parameter, bound = UNIT_CHECKS[(extract_name, column)]
            shown = f"{value:g}，应{'不超过' if bound == 'max_value' else '不低于'} {parameters[parameter]:g}（整份文件的单位可能有误）"
        else:
            shown = f"{value:g}"
        subject = f"“{headers.get(column, column)}”列" if column else ""
        found.append(f"{extract.department_zh} {file}：{subject}{measures.get(measure, measure)} {shown}")
    return found
