"""The index of the diagnosis pages (企业体检报告索引): every enterprise of the year with its code,
township, class and status (and why, when it is not evaluated), linked to its page when it has one, and a search box that filters
the rows by name or code in the browser, offline.

The page holds the one script of the outputs: SEARCH_SCRIPT, fixed text that reads the table and
hides rows; it never contains data (names reach the page only through Jinja's autoescape, in
cells and in a data- attribute). No tax figure or other indicator is on the page."""

from __future__ import annotations

from pathlib import Path

import duckdb

from . import html_pages, reference
from .reading_order import pinyin

INDEX_PAGE = "企业体检报告索引_{year}.html"  # beside the year report; its links go into diagnosis/
YEAR_REPORT_PAGE = "评价报告_{year}.html"  # the year report, beside it

# Lower-cased "name code" of each row is in data-key; typing filters on a substring of it.
SEARCH_SCRIPT = (
    'var q=document.getElementById("q"),shown=document.getElementById("shown");'
    'q.addEventListener("input",function(){var t=q.value.trim().toLowerCase(),n=0;'
    'document.querySelectorAll("#enterprises tbody tr").forEach(function(r){'
    'var hit=r.getAttribute("data-key").indexOf(t)>=0;r.hidden=!hit;if(hit){n++;}});'
    "shown.textContent=n;});"
)

_env = html_pages.environment()
_PAGE = _env.from_string("""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>{{ year }}年度企业体检报告索引</title><style>{{ style }}</style></head><body>
<h1>{{ year }}年度企业体检报告索引</h1>
<p class="noprint"><a href="{{ year_report }}">{{ year }}年度评价报告</a></p>
<p class="noprint"><label>查找企业：<input type="search" id="q" size="40" placeholder="输入企业名称或统一社会信用代码的一部分"></label>
显示 <span id="shown">{{ rows|length }}</span> / {{ rows|length }} 家</p>
<p class="note">{{ status.evaluated }}企业的名称链接到其体检报告；{{ status.blocked }}、{{ status.out_of_scope }}的企业没有体检报告，原因见最后一列。</p>
<table id="enterprises"><thead><tr><th>企业名称</th><th>统一社会信用代码</th><th>乡镇街道</th><th>评价类别</th><th>评价状态</th><th>原因</th></tr></thead><tbody>
{% for r in rows %}<tr data-key="{{ (r.name ~ ' ' ~ r.uscc)|lower }}"><td>{% if r.has_page %}<a href="diagnosis/{{ r.uscc }}.html">{{ r.name }}</a>{% else %}{{ r.name }}{% endif %}</td>
<td class="code">{{ r.uscc }}</td><td>{{ r.township }}</td><td>{{ r.class_label }}</td><td>{{ r.status_label }}</td><td>{{ r.reasons }}</td></tr>
{% endfor %}</tbody></table>
<script>{{ script|safe }}</script>
</body></html>""")


def write_enterprise_index(conn: duckdb.DuckDBPyConnection, year: int, year_dir: Path, style: str) -> Path:
    """<year_dir>/企业体检报告索引_<year>.html, written after the diagnosis pages it links to."""
    cursor = conn.execute(
        f"""select coalesce(name, '') as name, uscc, coalesce(township, '') as township,
                   coalesce(final_class || ' ' || {reference.label_sql("class", "final_class", year)}, '') as class_label,
                   {reference.label_sql("status", "status", year)} as status_label,
                   -- why an enterprise is not evaluated (the reasons of its status); nothing for the evaluated
                   case when status <> 'evaluated' then coalesce({reference.reasons_sql("adjustments", year)}, '') else '' end
                       as reasons,
                   status = 'evaluated' as has_page
            from marts.classification where data_year = ? order by {pinyin("township")}, {pinyin("name")}, uscc""",
        [year],
    )
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, row)) for row in cursor.fetchall()]
    target = Path(year_dir) / INDEX_PAGE.format(year=year)
    status = reference.labels(conn, year, "status", short=True)
    target.write_text(
        _PAGE.render(
            year=year,
            rows=rows,
            status=status,
            style=style,
            script=SEARCH_SCRIPT,
            year_report=YEAR_REPORT_PAGE.format(year=year),
        ),
        encoding="utf-8",
    )
    return target
