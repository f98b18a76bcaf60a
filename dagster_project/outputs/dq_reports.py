"""Per-department data-quality reports: one self-contained HTML page (works offline, no CDN)
and one Excel workbook per department and data year, in Chinese, listing every problem of its
files with what to do about it."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ..run_log import computed_at
from . import html_pages, reference
from .safe_files import safe_file_name
from .sheets import USCC_WIDTH, Book

ISSUE_COLUMNS = [
    ("file", "文件"),
    ("line", "行号"),
    ("uscc", "统一社会信用代码"),
    ("enterprise_name", "企业名称"),
    ("header_zh", "列"),
    ("value", "值"),
    ("severity_zh", "严重程度"),
    ("message_zh", "问题说明"),
    ("action_zh", "处理建议"),
]
DELIVERY_COLUMNS = [
    ("file", "文件"),
    ("delivered_zh", "是否报送"),
    ("rows_read", "读入行数"),
    ("rows_accepted", "采用行数"),
    ("rows_quarantined", "隔离行数"),
    ("rows_not_in_population", "不在统计名单行数"),
    ("sha256", "文件指纹 sha256"),
]

_PAGE = html_pages.environment().from_string(
    """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>{{ department_zh }} {{ year }}年度数据质量报告</title>
<style>
body{font-family:"Microsoft YaHei","PingFang SC","Noto Sans CJK SC",sans-serif;margin:2em;color:#222;overflow-wrap:anywhere}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em}
table{border-collapse:collapse;width:100%;font-size:.9em}
th,td{border:1px solid #bbb;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#eef2f7;white-space:nowrap}th,td{min-width:4em}td.num{text-align:right;white-space:nowrap}td.code{white-space:nowrap}
td.hash{word-break:break-all;font-family:monospace;font-size:.85em}
tr.error td{background:#fdecea}tr.warning td{background:#fff8e1}
.summary span{display:inline-block;margin-right:2em}.ok{color:#2e7d32}
@page{size:A4 landscape;margin:12mm}
h1,h2{break-after:avoid;page-break-after:avoid}thead{display:table-header-group}
tr{break-inside:avoid;page-break-inside:avoid}
@media print{body{margin:0;font-size:10pt}}
</style></head><body>
{%- macro cell(key, value) -%}
{%- set kind = css.get(key) -%}
{#- a code longer than any code of the contract (a value delivered wrong) wraps like other text -#}
{%- if kind == "code" and value is not none and value|string|length > code_max %}{% set kind = none %}{% endif -%}
<td{% if kind %} class="{{ kind }}"{% endif %}>{{ value if value is not none else "" }}</td>
{%- endmacro %}
<h1>{{ department_zh }} · {{ year }}年度数据质量报告</h1>
<p class="summary"><span>{{ severity.error }} <b>{{ errors }}</b> 条</span><span>{{ severity.warning }} <b>{{ warnings }}</b> 条</span>
<span>{% if errors %}存在{{ severity.error }}：相关企业{{ status.blocked }}或数据未被采用，请更正后重新报送。{% else %}<span class="ok">没有{{ severity.error }}。</span>{% endif %}</span></p>
<h2>报送核对（读入行数 = 采用行数 + 隔离行数）</h2>
<table><thead><tr>{% for _, title in delivery_columns %}<th>{{ title }}</th>{% endfor %}</tr></thead><tbody>
{% for row in deliveries %}<tr>{% for key, _ in delivery_columns %}{{ cell(key, row[key]) }}{% endfor %}</tr>{% endfor %}
</tbody></table>
<h2>问题清单</h2>
{% if issues %}<table><thead><tr>{% for _, title in issue_columns %}<th>{{ title }}</th>{% endfor %}</tr></thead><tbody>
{% for row in issues %}<tr class="{{ row.severity }}">{% for key, _ in issue_columns %}{{ cell(key, row[key]) }}{% endfor %}</tr>{% endfor %}
</tbody></table>{% else %}<p class="ok">未发现问题。</p>{% endif %}
<p>行号为部门报送文件中的行号（表头为第1行）。同一文件重复报送（内容不变）不会重复入库；更正后的文件将替代上一次报送。</p>
</body></html>
"""
)
# How a cell of a column is set on the page: numbers to the right; codes on one line, up to
# CODE_MAX_CHARS (more than the longest file name of the contract: a longer one is a value
# delivered wrong, and wraps); the fingerprint broken anywhere. Any other text wraps, anywhere
# when it has no space (overflow-wrap), so that no table is wider than the page; no column is
# squeezed narrower than 4em by a long one.
CODE_MAX_CHARS = 40
CELL_CLASSES = {
    "line": "num",
    "rows_read": "num",
    "rows_accepted": "num",
    "rows_quarantined": "num",
    "rows_not_in_population": "num",
    "uscc": "code",
    "file": "code",
    "severity_zh": "code",
    "sha256": "hash",
}
# the width of each column of the workbooks: longer text and headers wrap
SHEET_WIDTHS = {
    "file": 14,
    "line": 6,
    "uscc": USCC_WIDTH,
    "enterprise_name": 20,
    "header_zh": 14,
    "value": 12,
    "severity_zh": 6,
    "message_zh": 40,
    "action_zh": 24,
    "delivered_zh": 6,
    "sha256": 66,
}


def department_report(department: str, department_zh: str) -> str:
    """The file name, without its suffix, of a department's report (.html and .xlsx) in data_quality/."""
    return f"{department}_{safe_file_name(department_zh)}"


def _rows(conn: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[dict]:
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, values)) for values in cursor.fetchall()]


def _write_sheet(book: Book, title: str, columns: list[tuple[str, str]], rows: list[dict], empty: str | None = None) -> None:
    """One sheet: the header repeated on every printed page, text wrapping within its column."""
    widths = [SHEET_WIDTHS.get(key, 8) for key, _ in columns]  # numbers as wide as they need
    book.table(title, [t for _, t in columns], [[r.get(k) for k, _ in columns] for r in rows], widths, empty=empty)


def _issue_columns(conn: duckdb.DuckDBPyConnection) -> str:
    """The columns of marts.dq_issues, with the Chinese wording of each problem as message_zh (a
    warehouse built before marts.dq_issues had it, an old year exported again, has the bilingual
    message only)."""
    (has_zh,) = conn.execute(
        """select count(*) from duckdb_columns()
           where schema_name = 'marts' and table_name = 'dq_issues' and column_name = 'message_zh'"""
    ).fetchone()
    return "* exclude (message_zh), coalesce(message_zh, message) as message_zh" if has_zh else "*, message as message_zh"


def write_department_reports(conn: duckdb.DuckDBPyConnection, year: int, export_dir: Path) -> list[Path]:
    """Write `<export_dir>/<year>/data_quality/<department>.html|.xlsx`; return the paths."""
    out = Path(export_dir) / str(year) / "data_quality"
    out.mkdir(parents=True, exist_ok=True)
    written = []
    departments = conn.execute(
        "select code, label_zh from reference.labels where data_year = ? and domain = 'department' order by code", [year]
    ).fetchall()
    severity = reference.labels(conn, year, "severity")
    status = reference.labels(conn, year, "status", short=True)
    created = computed_at(conn, year)
    for department, department_zh in departments:
        issues = _rows(
            conn,
            f"""select {_issue_columns(conn)},
                      {reference.label_sql("severity", "severity", year)} as severity_zh
               from marts.dq_issues where data_year = ? and department = ?
               order by severity, file, line nulls first, uscc, "check", message""",
            [year, department],
        )
        deliveries = _rows(
            conn,
            f"""select *, {reference.label_sql("boolean", "cast(delivered as varchar)", year)} as delivered_zh
               from marts.delivery_reconciliation where data_year = ? and department = ? order by file""",
            [year, department],
        )
        base = out / department_report(department, department_zh)
        page = _PAGE.render(
            department_zh=department_zh,
            year=year,
            issues=issues,
            deliveries=deliveries,
            severity=severity,
            status=status,
            errors=sum(r["severity"] == "error" for r in issues),
            warnings=sum(r["severity"] == "warning" for r in issues),
            issue_columns=ISSUE_COLUMNS,
            delivery_columns=DELIVERY_COLUMNS,
            css=CELL_CLASSES,
            code_max=CODE_MAX_CHARS,
        )
        base.with_suffix(".html").write_text(page, encoding="utf-8")
        book = Book(base.with_suffix(".xlsx"), heading=f"{department_zh} {year}年度数据质量报告", created=created)
        _write_sheet(book, "问题清单", ISSUE_COLUMNS, issues, empty="未发现问题。")
        _write_sheet(book, "报送核对", DELIVERY_COLUMNS, deliveries)
        book.close()
        written += [base.with_suffix(".html"), base.with_suffix(".xlsx")]
    return written
