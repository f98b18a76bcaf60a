"""Per-department data-quality reports: one self-contained HTML page (works offline, no CDN)
and one Excel workbook per department and data year, in Chinese, listing every problem of its
files with what to do about it."""

from __future__ import annotations

from pathlib import Path

import duckdb
from jinja2 import Environment

from . import reference
from .safe_files import safe_file_name
from .sheets import Book

ISSUE_COLUMNS = [
    ("file", "文件"),
    ("line", "行号"),
    ("uscc", "统一社会信用代码"),
    ("enterprise_name", "企业名称"),
    ("header_zh", "列"),
    ("value", "值"),
    ("severity_zh", "严重程度"),
    ("message", "问题说明"),
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

_PAGE = Environment(autoescape=True).from_string(
    """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>{{ department_zh }} {{ year }}年度数据质量报告</title>
<style>
body{font-family:"Microsoft YaHei","PingFang SC","Noto Sans CJK SC",sans-serif;margin:2em;color:#222}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em}
table{border-collapse:collapse;width:100%;font-size:.9em}
th,td{border:1px solid #bbb;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#eef2f7}tr.error td{background:#fdecea}tr.warning td{background:#fff8e1}
.summary span{display:inline-block;margin-right:2em}.ok{color:#2e7d32}
@media print{body{margin:0}}
</style></head><body>
<h1>{{ department_zh }} · {{ year }}年度数据质量报告</h1>
<p class="summary"><span>错误 <b>{{ errors }}</b> 条</span><span>提示 <b>{{ warnings }}</b> 条</span>
<span>{% if errors %}存在错误：相关企业暂不参评或数据未被采用，请更正后重新报送。{% else %}<span class="ok">没有错误。</span>{% endif %}</span></p>
<h2>报送核对（读入行数 = 采用行数 + 隔离行数）</h2>
<table><tr>{% for _, title in delivery_columns %}<th>{{ title }}</th>{% endfor %}</tr>
{% for row in deliveries %}<tr>{% for key, _ in delivery_columns %}<td>{{ row[key] if row[key] is not none else "" }}</td>{% endfor %}</tr>{% endfor %}
</table>
<h2>问题清单</h2>
{% if issues %}<table><tr>{% for _, title in issue_columns %}<th>{{ title }}</th>{% endfor %}</tr>
{% for row in issues %}<tr class="{{ row.severity }}">{% for key, _ in issue_columns %}<td>{{ row[key] if row[key] is not none else "" }}</td>{% endfor %}</tr>{% endfor %}
</table>{% else %}<p class="ok">未发现问题。</p>{% endif %}
<p>行号为部门报送文件中的行号（表头为第1行）。同一文件重复报送（内容不变）不会重复入库；更正后的文件将替代上一次报送。</p>
</body></html>
"""
)


def _rows(conn: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[dict]:
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, values)) for values in cursor.fetchall()]


def _write_sheet(book: Book, title: str, columns: list[tuple[str, str]], rows: list[dict]) -> None:
    """One sheet: bold header, wrapped cells, widths fitted to the content (at most 70)."""
    widths = [max(8, min(70, max([len(str(t)) * 2] + [min(len(str(r.get(k) or "")), 60) * 1.2 for r in rows]))) for k, t in columns]
    book.table(title, [t for _, t in columns], [[r.get(k) for k, _ in columns] for r in rows], widths, book.wrap)


def write_department_reports(conn: duckdb.DuckDBPyConnection, year: int, export_dir: Path) -> list[Path]:
    """Write `<export_dir>/<year>/data_quality/<department>.html|.xlsx`; return the paths."""
    out = Path(export_dir) / str(year) / "data_quality"
    out.mkdir(parents=True, exist_ok=True)
    written = []
    departments = conn.execute(
        "select code, label_zh from reference.labels where data_year = ? and domain = 'department' order by code", [year]
    ).fetchall()
    for department, department_zh in departments:
        issues = _rows(
            conn,
            f"""select *, {reference.label_sql("severity", "severity", year)} as severity_zh
               from marts.dq_issues where data_year = ? and department = ?
               order by severity, file, line nulls first, uscc""",
            [year, department],
        )
        deliveries = _rows(
            conn,
            f"""select *, {reference.label_sql("boolean", "cast(delivered as varchar)", year)} as delivered_zh
               from marts.delivery_reconciliation where data_year = ? and department = ? order by file""",
            [year, department],
        )
        base = out / f"{department}_{safe_file_name(department_zh)}"
        page = _PAGE.render(
            department_zh=department_zh,
            year=year,
            issues=issues,
            deliveries=deliveries,
            errors=sum(r["severity"] == "error" for r in issues),
            warnings=sum(r["severity"] == "warning" for r in issues),
            issue_columns=ISSUE_COLUMNS,
            delivery_columns=DELIVERY_COLUMNS,
        )
        base.with_suffix(".html").write_text(page, encoding="utf-8")
        book = Book(base.with_suffix(".xlsx"), heading=f"{department_zh} {year}年度数据质量报告")
        _write_sheet(book, "问题清单", ISSUE_COLUMNS, issues)
        _write_sheet(book, "报送核对", DELIVERY_COLUMNS, deliveries)
        book.close()
        written += [base.with_suffix(".html"), base.with_suffix(".xlsx")]
    return written
