"""Outputs of the 附件2 rewards (REWARDS §7), written from marts.enterprise_rewards and
marts.township_rewards after they are built: the contract files rewards.csv and
township_rewards.csv, the workbook 奖励测算_<year>.xlsx for the bureau and the finance bureau
(财政局), and the public list 奖励公示_<year>.csv/.xlsx. Item labels are those of
rules.reward_items (one place) as the reference layer holds them for the year, never typed here."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ..run_log import computed_at
from . import reference
from .safe_files import write_csv
from .sheets import NAME_WIDTH, PERCENT, USCC_WIDTH, Book, Column, fits_in_excel
from .workbook import notice_preamble

REWARDS_COLUMNS = ["uscc", "name", "township", "item", "amount", "status", "reason", "basis"]
TOWNSHIP_COLUMNS = ["township", "band", "output", "output_prev", "growth", "months_met", "amount", "status", "reason"]
PUBLIC_COLUMNS = ["序号", "名称", "奖励项目", "金额（万元）"]


def _copy(conn: duckdb.DuckDBPyConnection, query: str, target: Path, bom: bool = False) -> int:
    """Write one CSV file from a query (the only place this module writes CSV), through the shared
    formula-safe writer; with a BOM for files people open in Excel. Returns the number of rows."""
    return write_csv(conn, query, target, bom=bom)


def rewards_available(conn: duckdb.DuckDBPyConnection) -> bool:
    """False for a warehouse last evaluated before the rewards existed (`mujun export` of an old year)."""
    (count,) = conn.execute(
        """select count(*) from information_schema.tables
           where table_schema = 'marts' and table_name in ('enterprise_rewards', 'township_rewards')"""
    ).fetchone()
    return count == 2


def _out(export_dir: Path, year: int) -> Path:
    out = Path(export_dir) / str(year)
    out.mkdir(parents=True, exist_ok=True)
    return out


def _enterprise_query(year: int) -> str:
    return f"""select uscc, name, township, item, cast(amount as double) as amount,
                      status, reason, basis
               from marts.enterprise_rewards where data_year = {int(year)}
               order by line_number, item_position"""


def _township_query(year: int) -> str:
    return f"""select township, band, cast(output as double) as output, cast(output_prev as double) as output_prev,
                      growth, months_met, cast(amount as double) as amount, status, reason
               from marts.township_rewards where data_year = {int(year)}
               order by first_line"""


def write_reward_csvs(conn: duckdb.DuckDBPyConnection, year: int, export_dir: Path) -> list[Path]:
    """rewards.csv and township_rewards.csv (contract columns, REWARDS §7)."""
    if not rewards_available(conn):
        return []
    out = _out(export_dir, year)
    _copy(conn, _enterprise_query(year), out / "rewards.csv")
    _copy(conn, _township_query(year), out / "township_rewards.csv")
    return [out / "rewards.csv", out / "township_rewards.csv"]


def reward_items(year: int) -> str:
    """The reward items (rules.reward_items: recipient, order) with their labels of the year
    (reference.labels), as a SQL subquery."""
    return f"""(select r.item, r.recipient, l.label_zh, l.position from rules.reward_items r
               join reference.labels l on l.data_year = {int(year)} and l.domain = 'reward_item' and l.code = r.item)"""


def _items(conn, year: int) -> list[tuple[str, str, str]]:
    return conn.execute(f"select item, label_zh, recipient from {reward_items(year)} i order by position").fetchall()


def _write_row(sheet, row: int, values: list, cell_format=None) -> None:
    """One row of the summary sheet, text always as text (a township named "=..." is no formula)."""
    for column, value in enumerate(values):
        if value is None:
            sheet.write_blank(row, column, None, cell_format)
        elif isinstance(value, str):
            sheet.write_string(row, column, value, cell_format)
        else:
            sheet.write_number(row, column, value, cell_format)


def _number(value):
    """Amounts are rounded in the marts (reward_parameters.amount_digits); the sheets show them as numbers."""
    return None if value is None else float(value)


def write_reward_workbook(conn: duckdb.DuckDBPyConnection, year: int, export_dir: Path) -> list[Path]:
    """奖励测算_<year>.xlsx: a summary (by item, by township, budget total), then one sheet per item."""
    if not rewards_available(conn):
        return []
    out = _out(export_dir, year)
    book = Book(out / f"奖励测算_{year}.xlsx", created=computed_at(conn, year))
    items = _items(conn, year)

    by_item = conn.execute(
        f"""with all_rows as (
               select item, status, amount from marts.enterprise_rewards where data_year = ?
               union all
               select 'township_contribution', status, amount from marts.township_rewards where data_year = ?)
           select i.label_zh,
                  count(*) filter (where a.status = 'granted' and a.amount > 0),
                  count(*) filter (where a.status = 'excluded'),
                  coalesce(sum(a.amount) filter (where a.status = 'granted'), 0)
           from {reward_items(year)} i left join all_rows a on a.item = i.item
           group by i.label_zh, i.position order by i.position""",
        [year, year],
    ).fetchall()
    by_township = conn.execute(
        """with all_rows as (
               select township, amount, 'enterprise' as recipient from marts.enterprise_rewards
               where data_year = ? and status = 'granted'
               union all
               select township, amount, 'township' from marts.township_rewards where data_year = ? and status = 'granted')
           select township,
                  coalesce(sum(amount) filter (where recipient = 'enterprise'), 0),
                  coalesce(sum(amount) filter (where recipient = 'township'), 0),
                  sum(amount)
           from all_rows group by township having sum(amount) > 0 order by sum(amount) desc, township""",
        [year, year],
    ).fetchall()
    total = sum(float(r[3]) for r in by_item)

    summary = book.sheet("汇总", grid=True)
    statuses = reference.labels(conn, year, "reward_status")
    item_headers = ["奖励项目", f"{statuses['granted']}（家/个）", statuses["excluded"], "金额（万元）"]
    contribution = reference.label(conn, year, "reward_item", "township_contribution")
    township_headers = ["乡镇街道", "企业奖励（万元）", f"{contribution}（万元）", "合计（万元）"]
    item_rows = [[label, granted, excluded, _number(amount)] for label, granted, excluded, amount in by_item]
    township_rows = [[t, _number(e), _number(s), _number(a)] for t, e, s, a in by_township]
    # two tables on one sheet: each cell in the format of its own table's column, the widths of the wider
    item_columns = book.columns(item_headers, item_rows + [["", None, None, _number(total)]], [34, 12, 12, 14])
    township_columns = book.columns(township_headers, township_rows, [34, 12, 12, 14])
    for a, b in zip(item_columns, township_columns):
        a.width = b.width = max(a.width, b.width)
    book.set_columns(summary, [Column(c.width, None, False) for c in item_columns])
    book.orient(summary, item_columns)
    summary.merge_range(0, 0, 0, len(item_headers) - 1, f"{year}年度规模工业企业发展奖励测算（附件2）", book.title)
    summary.set_row(0, 30)
    summary.set_row(2, book.header_height(item_headers, item_columns))
    _write_row(summary, 2, item_headers, book.header)
    book.write_rows(summary, 3, item_rows, item_columns)
    row = 3 + len(item_rows)
    _write_row(summary, row, ["预算合计", None, None], book.header)
    summary.write_number(row, 3, _number(total), item_columns[3].format)
    row += 2
    summary.set_row(row, book.header_height(township_headers, township_columns))
    _write_row(summary, row, township_headers, book.header)
    book.write_rows(summary, row + 1, township_rows, township_columns)
    summary.repeat_rows(0, 2)

    for item, label, recipient in items:
        if recipient == "township":
            rows = conn.execute(
                f"""select township, band, output, output_prev, growth, months_delivered, months_met, amount,
                          {reference.label_sql("reward_status", "status", year)}, reason, basis
                   from marts.township_rewards where data_year = ? order by first_line""",
                [year],
            ).fetchall()
            headers = [
                "乡镇街道",
                "档次",
                "年产值（万元）",
                "上年产值（万元）",
                "增长率",
                "报送月数",
                "达标月数",
                "金额（万元）",
                "状态",
                "说明",
                "测算依据",
            ]
            body = [
                [r[0], r[1], _number(r[2]), _number(r[3]), _number(r[4]), r[5], r[6], _number(r[7]), r[8], r[9] or "", r[10] or ""]
                for r in rows
            ]
            widths = [14, 6, 12, 12, 8, 8, 8, 10, 12, 30, 40]
            formats = {headers.index("增长率"): PERCENT}  # as the reason beside it says it: 增长3.77%
        else:
            rows = conn.execute(
                f"""select name, uscc, township, amount, {reference.label_sql("reward_status", "status", year)},
                          assessed_amount, higher_level_amount, reason, basis
                   from marts.enterprise_rewards where data_year = ? and item = ? order by line_number""",
                [year, item],
            ).fetchall()
            headers = [
                "企业名称",
                "统一社会信用代码",
                "乡镇街道",
                "金额（万元）",
                "状态",
                "测算金额（万元）",
                "上级资金（万元）",
                "说明",
                "测算依据",
            ]
            body = [[r[0], r[1], r[2], _number(r[3]), r[4], _number(r[5]), _number(r[6]), r[7] or "", r[8] or ""] for r in rows]
            widths = [NAME_WIDTH, USCC_WIDTH, 10, 10, 12, 10, 10, 24, 40]
            formats = {}
        # a sheet name is at most 31 characters and may not contain some punctuation
        book.table(label, headers, body, widths, formats=formats)
    return [book.close()]


def _public_query(year: int) -> str:
    return f"""select row_number() over (order by p.position, p.line, p.name) as "序号",
                      p.name as "名称", p.label_zh as "奖励项目",
                      cast(p.amount as double) as "金额（万元）"
               from (
                   select r.name, i.label_zh, i.position, r.line_number as line, r.amount
                   from marts.enterprise_rewards r join {reward_items(year)} i on i.item = r.item
                   where r.data_year = {int(year)} and r.status = 'granted' and r.amount > 0
                   union all
                   select t.township, i.label_zh, i.position, t.first_line, t.amount
                   from marts.township_rewards t join {reward_items(year)} i on i.recipient = 'township'
                   where t.data_year = {int(year)} and t.status = 'granted' and t.amount > 0
               ) p
               order by 1"""


def write_reward_public_list(conn: duckdb.DuckDBPyConnection, year: int, export_dir: Path) -> list[Path]:
    """奖励公示_<year>.csv/.xlsx: enterprise or township name, item, amount. No tax, output or other figures."""
    if not rewards_available(conn):
        return []
    out = _out(export_dir, year)
    query = _public_query(year)
    csv_path = out / f"奖励公示_{year}.csv"
    count = _copy(conn, query, csv_path, bom=True)
    if not fits_in_excel(count):
        return [csv_path]
    title = f"{reference.setting(conn, year, 'district_name')}{year}年度规模工业企业发展奖励公示"
    book = Book(out / f"奖励公示_{year}.xlsx", heading=title, created=computed_at(conn, year))
    book.table(
        "奖励公示", PUBLIC_COLUMNS, conn.execute(query).fetchall(), [8, NAME_WIDTH, 32, 14], preamble=notice_preamble(conn, year, title)
    )
    return [csv_path, book.close()]
