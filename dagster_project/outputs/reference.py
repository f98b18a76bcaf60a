"""Rules and labels of a data year, read from the warehouse's reference layer
(dbt/models/reference): the rule rows in force, the run's decisions, the bureau's settings and the
label of every code people see. Outputs never filter rule years nor type a label themselves."""

from __future__ import annotations

import duckdb


def labels(conn: duckdb.DuckDBPyConnection, year: int, domain: str, short: bool = False) -> dict[str, str]:
    """code → label of one domain (scale, indicator, status, status_reason, change, severity,
    boolean, reward_status, class, bonus_item, penalty_item, adjustment, …), in their order."""
    column = "short_label_zh" if short else "label_zh"
    return dict(
        conn.execute(
            f"select code, {column} from reference.labels where data_year = ? and domain = ? order by position, code", [year, domain]
        ).fetchall()
    )


def label(conn: duckdb.DuckDBPyConnection, year: int, domain: str, code: str, short: bool = False) -> str:
    return labels(conn, year, domain, short)[code]


def label_sql(domain: str, code_column: str, year: int, short: bool = False) -> str:
    """A SQL expression: the label of `code_column` in `domain` (the code itself if it has none).
    For queries over enterprise rows, so that the labelling happens in DuckDB."""
    column = "short_label_zh" if short else "label_zh"
    return (
        f"coalesce((select l.{column} from reference.labels l where l.data_year = {int(year)} "
        f"and l.domain = '{domain}' and l.code = {code_column}), {code_column})"
    )


def reasons_sql(code_list_column: str, year: int) -> str:
    """A SQL expression: a ';'-separated list of status reasons (marts.classification.adjustments
    of a blocked or out-of-scope enterprise) as their labels, joined by '；'."""
    return (
        f"(select string_agg(coalesce(l.label_zh, r.code), '；' order by r.n) "
        f"from (select unnest(s) as code, generate_subscripts(s, 1) as n "
        f"      from (select string_split({code_list_column}, ';') as s)) r "
        f"left join reference.labels l on l.data_year = {int(year)} and l.domain = 'status_reason' and l.code = r.code)"
    )


def not_publishable(conn: duckdb.DuckDBPyConnection, year: int) -> str:
    """Why a year's results may not be published, in the labels of the year: blocked enterprises
    or error-level data issues remain."""
    blocked, error = label(conn, year, "status", "blocked", short=True), label(conn, year, "severity", "error")
    return f"存在{blocked}企业或{error}级数据问题，本次结果不可发布。"


def setting(conn: duckdb.DuckDBPyConnection, year: int, name: str) -> str | None:
    """A setting of data/seeds/district_settings.csv (district_name, approving_authority, policy_document)."""
    row = conn.execute("select value from reference.settings where data_year = ? and setting = ?", [year, name]).fetchone()
    return row[0] if row else None  # a setting the bureau's file does not have (yet)


def decisions(conn: duckdb.DuckDBPyConnection, year: int) -> dict:
    """The decisions of the run that evaluated the year: cutoff, benchmark_method, ranking_groups."""
    cursor = conn.execute("select * exclude (data_year) from reference.run_decisions where data_year = ?", [year])
    return dict(zip([d[0] for d in cursor.description], cursor.fetchone()))


def indicators(conn: duckdb.DuckDBPyConnection, year: int) -> list[dict]:
    """The basic indicators in order: indicator, score_column, label_zh, unit_zh, formula_zh."""
    cursor = conn.execute(
        "select indicator, score_column, label_zh, unit_zh, formula_zh from reference.indicators where data_year = ? order by position",
        [year],
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def rule_parameter(conn: duckdb.DuckDBPyConnection, year: int, name: str, scale: str = "all") -> float:
    """A numeric rule parameter in force for the year (data/seeds/rule_parameters.csv)."""
    return conn.execute(
        "select value from reference.in_force_rule_parameters where data_year = ? and parameter = ? and scale = ?", [year, name, scale]
    ).fetchone()[0]


def rule_rows(conn: duckdb.DuckDBPyConnection, year: int, table: str, columns: str, order_by: str) -> list[tuple]:
    """Rows of a dated rule table in force for the year (reference.in_force_<table>)."""
    return conn.execute(f"select {columns} from reference.in_force_{table} where data_year = ? order by {order_by}", [year]).fetchall()
