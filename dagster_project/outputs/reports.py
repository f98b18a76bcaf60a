"""HTML for people: one printable diagnosis page per enterprise (企业体检报告) and the year
report with charts. Self-contained: inline CSS and SVG, no script, no external address. Both print
on A4: a heading stays with the chart or table under it, a table repeats its header row."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pandas as pd

from ..contract import extracts
from . import charts, html_pages, reference
from .dq_reports import department_report
from .enterprise_index import INDEX_PAGE, YEAR_REPORT_PAGE, write_enterprise_index
from .rewards import reward_items, rewards_available
from .year_charts import year_charts

_env = html_pages.environment()
_env.filters["n"] = lambda v, d=2: "" if v is None else f"{v:,.{d}f}"

# overflow-wrap:anywhere: a name or value with no break opportunity (a long run of Latin letters, a
# URL) wraps within its cell instead of widening the table beyond the page; numbers and codes stay
# on one line (td.num, td.code); no column is squeezed narrower than 4em by a long one.
STYLE = """body{font-family:"Microsoft YaHei","PingFang SC","Noto Sans CJK SC",sans-serif;margin:2em;color:#222;max-width:1000px;overflow-wrap:anywhere}
h1{font-size:1.45em}h2{font-size:1.12em;margin-top:1.5em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.92em;margin:.4em 0}th,td{border:1px solid #bbb;padding:.3em .6em;text-align:left}
th{background:#eef2f7}th,td{min-width:4em}td.num,th.num{text-align:right}td.num,th.num,td.code{white-space:nowrap}.cls{font-size:2em;font-weight:bold}
.A{color:#2e7d32}.B{color:#1565c0}.C{color:#ef6c00}.D{color:#c62828}.note{color:#555;font-size:.9em}
figure{margin:0}svg{max-width:100%;height:auto}
@page{size:A4;margin:15mm 12mm}
.block{break-inside:avoid;page-break-inside:avoid}h1,h2{break-after:avoid;page-break-after:avoid}
thead{display:table-header-group}tr{break-inside:avoid;page-break-inside:avoid}
@media print{body{margin:0;max-width:none}.pagebreak{page-break-before:always}.noprint{display:none}}"""

_DIAGNOSIS = _env.from_string("""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>{{ e.name }} {{ year }}年度亩均效益体检报告</title><style>{{ style }}</style></head><body>
<p class="noprint"><a href="../{{ index_page }}">← {{ year }}年度企业体检报告索引</a></p>
<h1>{{ e.name }} · {{ year }}年度亩均效益体检报告</h1>
<p>统一社会信用代码 {{ e.uscc }} · {{ e.township }} · {{ scales[e.scale] }}企业 · 行业代码 {{ e.industry_code }}（{{ e.industry_chain }}）</p>
<p>评价类别 <span class="cls {{ e.final_class }}">{{ e.final_class }}</span>
　综合得分 <b>{{ e.total_score|n(4) }}</b>　组内名次 <b>{{ e.rank }}</b> / {{ e.group_size }}　按名次类别 {{ e.percentile_class }}
{% if e.prev_class %}　上年度类别 {{ e.prev_class }}{% endif %}</p>
<section class="block"><h2>基本指标与基准值</h2>
<table><thead><tr><th>指标</th><th>本企业</th><th>基准值</th><th>本企业/基准值</th><th>得分</th></tr></thead>
{% for i in indicators %}<tr><td>{{ i.name }}</td><td class="num">{{ i.value|n }}</td><td class="num">{{ i.benchmark|n }}</td>
<td class="num">{{ (i.value / i.benchmark * 100)|n(1) }}%</td><td class="num">{{ i.score|n(4) }}</td></tr>{% endfor %}
<tr><td>用地面积（亩）</td><td class="num">{{ e.land_mu|n }}</td><td></td><td></td><td></td></tr></table>
</section>
<section class="block"><h2>得分构成</h2>
<table><thead><tr><th>项目</th><th>分值</th></tr></thead>
<tr><td>基本指标得分</td><td class="num">{{ e.basic_score|n(4) }}</td></tr>
{% for b in bonus %}<tr><td>加分：{{ b.name }}</td><td class="num">+{{ b.points|n(2) }}</td></tr>{% endfor %}
<tr><td>加分合计（封顶后）</td><td class="num">{{ "+" if e.bonus_score else "" }}{{ e.bonus_score|n(2) }}</td></tr>
{% for p in penalty %}<tr><td>减分：{{ p.name }}</td><td class="num">−{{ p.points|n(2) }}</td></tr>{% endfor %}
<tr><td>减分合计（封顶后）</td><td class="num">{{ "−" if e.penalty_score else "" }}{{ e.penalty_score|n(2) }}</td></tr>
<tr><th>综合得分</th><th class="num">{{ e.total_score|n(4) }}</th></tr></table>
</section>
<section class="block"><h2>调档情况</h2>
<p>按综合得分名次为 <b>{{ e.percentile_class }}</b> 类，最终类别 <b>{{ e.final_class }}</b> 类，决定最终类别的是：<b>{{ e.decided_by_label }}</b>。</p>
{% if e.class_changes %}<p>类别变化：{{ e.class_changes }}</p>{% endif %}
{% if e.conditions_without_effect %}<p>条件成立但未改变类别：{{ e.conditions_without_effect }}</p>{% endif %}
{% if e.override_reason %}<p>审定理由：{{ e.override_reason }}（{{ e.override_approved_by }}）</p>{% endif %}
</section>
<section class="block"><h2>提升方向</h2>
{% if d.next_class %}<p>按今年的基准值和各企业得分，按名次进入 <b>{{ d.next_class }}</b> 类需要综合得分约 <b>{{ d.next_class_min_score|n(4) }}</b>，还差 <b>{{ d.score_gap|n(4) }}</b> 分。</p>
<ul>{% for i in levers %}<li>仅靠{{ i.label_zh }}：{% if d[i.indicator ~ "_needed"] is not none %}需达到约 <b>{{ d[i.indicator ~ "_needed"]|n }}</b> {{ i.unit_zh }}（现为 {{ e[i.indicator]|n }}）{% else %}受封顶限制，单靠{{ i.label_zh }}无法弥补{% endif %}</li>{{ "\n" if not loop.last }}{% endfor %}</ul>
{% for rule in blocking %}<p class="note">注意：本企业“{{ rule }}”的条件成立（见上文调档情况），该条件成立时，即使综合得分达到也不能进入 {{ d.next_class }} 类。</p>{% endfor %}
{% elif e.final_class == top_class %}<p>已处于最高一档。</p>
{% else %}<p>按综合得分名次已是 <b>{{ e.percentile_class }}</b> 类；最终为 <b>{{ e.final_class }}</b> 类，由“{{ e.decided_by_label }}”决定（见上文调档情况），与得分高低无关。</p>{% endif %}
</section>
<p class="note">本报告由 mujun 根据 {{ year }} 年度评价数据生成，仅供企业了解自身情况；最终类别以{{ approval }}为准。</p>
</body></html>""")

_YEAR = _env.from_string("""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>{{ year }}年度制造业企业亩均效益评价报告</title><style>{{ style }}</style></head><body>
<h1>{{ year }}年度制造业企业亩均效益评价报告</h1>
<p>评价统计截止日 {{ s.cutoff }} · {{ status.evaluated }} {{ s.evaluated }} 家 · {{ status.blocked }} {{ s.blocked }} 家 · {{ status.out_of_scope }} {{ s.out_of_scope }} 家 ·
数据问题：{{ severity.error }} {{ s.error_issues }} 条、{{ severity.warning }} {{ s.warning_issues }} 条 · 本次结果{{ "可以发布" if s.publishable else "暂不可发布" }}</p>
{% if index_page %}<p><a href="{{ index_page }}">企业体检报告索引（按企业名称或统一社会信用代码查找）</a></p>{% endif %}
<section class="block"><h2>分类结果</h2>
<table><thead><tr><th>规模</th>{% for label in classes %}<th>{{ label }}</th>{% endfor %}<th>合计</th></tr></thead><tbody>
{% for label, c in class_table %}<tr><td>{{ label }}</td>{% for k in class_codes %}<td class="num">{{ c.get(k, 0) }}</td>{% endfor %}<td class="num">{{ c.values()|sum }}</td></tr>{% endfor %}</tbody></table></section>
<figure class="block" id="by-township"><h2>各乡镇街道类别分布</h2>{{ charts.by_township|safe }}</figure>
<figure class="block" id="by-chain"><h2>各产业链类别分布</h2>{{ charts.by_chain|safe }}</figure>
<figure class="block" id="scores"><h2>综合得分分布</h2>{{ charts.scores|safe }}</figure>
<section class="block" id="benchmarks"><h2>基准值</h2>
<table><thead><tr><th>指标</th>{% for y in bench_years %}<th>{{ y }}年度</th>{% endfor %}</tr></thead><tbody>
{% for name, values in bench_table %}<tr><td>{{ name }}</td>{% for v in values %}<td class="num">{{ v|n }}</td>{% endfor %}</tr>{% endfor %}</tbody></table>
{{ charts.benchmarks|safe }}</section>
<section class="block" id="migration"><h2>与上年度相比的类别变化</h2>
{% if charts.migration %}{{ charts.migration|safe }}
<p class="note">每格为企业数及其占上年度同类企业的比例。上年度类别取自本系统保存的上年度结果（没有时取{{ prev_class_department }}报送的上年度类别）。</p>{% else %}<p>没有上年度类别。</p>{% endif %}</section>
<section class="block"><h2>各部门数据质量</h2>
<table><thead><tr><th>部门</th><th>报送文件</th><th>读入行数</th><th>隔离行数</th><th>{{ severity.error }}</th><th>{{ severity.warning }}</th></tr></thead><tbody>
{% for r in dq %}<tr><td><a href="data_quality/{{ r[6] }}">{{ r[0] }}</a></td><td class="num">{{ r[1] }}</td><td class="num">{{ r[2] }}</td><td class="num">{{ r[3] }}</td><td class="num">{{ r[4] }}</td><td class="num">{{ r[5] }}</td></tr>{% endfor %}</tbody></table>
<p class="note">点击部门名称查看其数据质量报告（data_quality/ 目录下，另有同名 Excel 工作簿）。</p></section>
<section class="block" id="rewards"><h2>规模工业企业发展奖励测算（附件2）</h2>
{% if rewards.by_item %}<p>预算合计 <b>{{ rewards.total|n(4) }}</b> 万元（{{ reward_status.granted }} {{ rewards.granted }} 项）。明细见 奖励测算_{{ year }}.xlsx。</p>
<table><thead><tr><th>奖励项目</th><th>{{ reward_status.granted }}（家/个）</th><th>金额（万元）</th></tr></thead><tbody>
{% for label, n, amount in rewards.by_item %}<tr><td>{{ label }}</td><td class="num">{{ n }}</td><td class="num">{{ amount|n(4) }}</td></tr>{% endfor %}</tbody></table>
<figure class="block">{{ rewards.item_chart|safe }}</figure>
<table><thead><tr><th>乡镇街道</th><th>金额（万元）</th></tr></thead><tbody>
{% for township, amount in rewards.by_township %}<tr><td>{{ township }}</td><td class="num">{{ amount|n(4) }}</td></tr>{% endfor %}</tbody></table>
<figure class="block">{{ rewards.township_chart|safe }}</figure>{% else %}<p>本年度没有{{ reward_status.granted }}的奖励。</p>{% endif %}</section>
<p class="note">本报告由 mujun 生成。</p>
</body></html>""")


def _dicts(conn, sql: str, params: list) -> list[dict]:
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


# One page per enterprise suits a district or a city; a province would get a million files.
DIAGNOSIS_PAGE_LIMIT = int(os.environ.get("MUJUN_DIAGNOSIS_PAGE_LIMIT", "20000"))


def diagnosis_pages_written(conn: duckdb.DuckDBPyConnection, year: int) -> bool:
    (count,) = conn.execute("select count(*) from marts.classification where data_year = ? and status = 'evaluated'", [year]).fetchone()
    return count <= DIAGNOSIS_PAGE_LIMIT


def write_diagnoses(conn: duckdb.DuckDBPyConnection, year: int, export_dir: Path) -> Path:
    """One page per evaluated enterprise under <export>/<year>/diagnosis/<uscc>.html (up to
    DIAGNOSIS_PAGE_LIMIT enterprises; beyond, a note says so and the data stay in the marts)."""
    out = Path(export_dir) / str(year) / "diagnosis"
    out.mkdir(parents=True, exist_ok=True)
    (count,) = conn.execute("select count(*) from marts.classification where data_year = ? and status = 'evaluated'", [year]).fetchone()
    if count > DIAGNOSIS_PAGE_LIMIT:
        (out / "说明.txt").write_text(
            f"参评企业 {count} 家，超过逐户生成体检报告的上限 {DIAGNOSIS_PAGE_LIMIT} 家（环境变量 MUJUN_DIAGNOSIS_PAGE_LIMIT），"
            "本次未生成。体检数据见数据仓库 marts.enterprise_diagnosis。\n"
            f"{count} evaluated enterprises exceed the page limit {DIAGNOSIS_PAGE_LIMIT}; see marts.enterprise_diagnosis.\n",
            encoding="utf-8",
        )
        return out
    enterprises = _dicts(
        conn,
        f"""select *, {reference.label_sql("decided_by", "decided_by", year)} as decided_by_label
            from marts.classification where data_year = ? and status = 'evaluated'""",
        [year],
    )
    diagnosis = {d["uscc"]: d for d in _dicts(conn, "select * from marts.enterprise_diagnosis where data_year = ?", [year])}
    benchmarks = {r["indicator"]: r["value"] for r in _dicts(conn, "select * from marts.benchmarks where data_year = ?", [year])}
    items: dict[str, list[dict]] = {}
    for r in _dicts(
        conn,
        """select i.uscc, i.kind, s.label_zh as name, i.points from marts.enterprise_score_items i
           join reference.labels s on s.data_year = i.data_year and s.domain = i.kind || '_item' and s.code = i.item
           where i.data_year = ? order by s.position""",
        [year],
    ):
        items.setdefault(r["uscc"], []).append(r)
    override = reference.label(conn, year, "adjustment", "override")
    scales = reference.labels(conn, year, "scale")
    classes = list(reference.labels(conn, year, "class"))  # best first
    rule_names = reference.labels(conn, year, "decided_by")
    # the adjustment rules in force: the classes each moves, and where to
    rules = [
        (rule, from_classes.split(";"), to_class)
        for rule, from_classes, to_class in reference.rule_rows(conn, year, "adjustment_rules", "rule, from_classes, to_class", "step")
    ]
    indicator_rows = reference.indicators(conn, year)
    # the indicators a page says how far to raise: those the diagnosis mart computes a target for
    diagnosis_columns = {d[0] for d in conn.execute("select * from marts.enterprise_diagnosis limit 0").description}
    levers = [i for i in indicator_rows if f"{i['indicator']}_needed" in diagnosis_columns]
    for e in enterprises:
        indicators = [
            {
                "name": f"{i['label_zh']}（{i['unit_zh']}）",
                "value": e[i["indicator"]],
                "benchmark": benchmarks[i["indicator"]],
                "score": e[i["score_column"]],
            }
            for i in indicator_rows
            if e[i["indicator"]] is not None
        ]
        d = diagnosis.get(e["uscc"], {})
        held = (e["adjustments"] or "").split(";")
        # rules whose condition holds and which would keep the enterprise out of the next class
        blocking = [
            rule_names[rule]
            for rule, from_classes, to_class in rules
            if rule in held and d.get("next_class") in from_classes and classes.index(to_class) > classes.index(d["next_class"])
        ]
        page = _DIAGNOSIS.render(
            style=STYLE,
            year=year,
            e=e,
            d=d,
            blocking=blocking,
            top_class=classes[0],
            indicators=indicators,
            bonus=[i for i in items.get(e["uscc"], []) if i["kind"] == "bonus"],
            penalty=[i for i in items.get(e["uscc"], []) if i["kind"] == "penalty"],
            scales=scales,
            approval=override,
            levers=levers,
            index_page=INDEX_PAGE.format(year=year),
        )
        (out / f"{e['uscc']}.html").write_text(page, encoding="utf-8")
    write_enterprise_index(conn, year, Path(export_dir) / str(year), STYLE)
    return out


def _bars_data(items: list[tuple[str, float]]) -> pd.DataFrame:
    return pd.DataFrame({"item": [i for i, _ in items], "value": [v for _, v in items], "label": [f"{v:,.2f}" for _, v in items]})


def _rewards(conn: duckdb.DuckDBPyConnection, year: int) -> dict:
    """The 附件2 budget of the year by item and by township (labels of the reward items)."""
    if not rewards_available(conn):  # a year evaluated before the rewards existed
        return {"by_item": []}
    granted = """select item, township, amount from marts.enterprise_rewards where data_year = ? and status = 'granted' and amount > 0
                 union all
                 select 'township_contribution', township, amount from marts.township_rewards
                 where data_year = ? and status = 'granted' and amount > 0"""
    by_item = [
        (label, n, float(amount))
        for label, n, amount in conn.execute(
            f"""select i.label_zh, count(*), sum(g.amount) from ({granted}) g join {reward_items(year)} i on i.item = g.item
            group by i.label_zh, i.position order by i.position""",
            [year, year],
        ).fetchall()
    ]
    by_township = [
        (township, float(amount))
        for township, amount in conn.execute(
            f"select township, sum(amount) from ({granted}) g group by township order by 2 desc, 1", [year, year]
        ).fetchall()
    ]
    titles = reference.labels(conn, year, "chart")
    return {
        "by_item": by_item,
        "by_township": by_township,
        "granted": sum(n for _, n, _ in by_item),
        "total": sum(amount for _, _, amount in by_item),
        # a few rows per item or township: the aggregates above, drawn
        "item_chart": charts.value_bars(_bars_data([(label, amount) for label, _, amount in by_item]), titles, "amount"),
        "township_chart": charts.value_bars(_bars_data(by_township), titles, "amount"),
    }


def _department_delivering(conn: duckdb.DuckDBPyConnection, year: int, column: str) -> str:
    """The department (its label) whose extract delivers `column` (data/seeds/extract_columns.csv)."""
    department = next(e.department for e in extracts().values() if any(c.name == column for c in e.columns))
    return reference.label(conn, year, "department", department)


def write_year_report(conn: duckdb.DuckDBPyConnection, year: int, export_dir: Path) -> Path:
    out = Path(export_dir) / str(year)
    out.mkdir(parents=True, exist_ok=True)
    status = _dicts(conn, "select * from marts.evaluation_status where data_year = ?", [year])[0]

    by_scale: dict[str, dict[str, int]] = {}
    for scale, cls, n in conn.execute(
        "select scale, final_class, count(*) from marts.classification where data_year = ? and status = 'evaluated' group by all",
        [year],
    ).fetchall():
        by_scale.setdefault(scale, {})[cls] = n
    class_table = [(label, by_scale.get(scale, {})) for scale, label in reference.labels(conn, year, "scale").items()]
    classes = reference.labels(conn, year, "class")
    bench = conn.execute("select data_year, indicator, value from marts.benchmarks where data_year <= ? order by 1", [year]).fetchall()
    bench_years = sorted({y for y, _, _ in bench})
    bench_table = [
        (
            f"{i['label_zh']}（{i['unit_zh']}）",
            [next((v for y2, k2, v in bench if y2 == y and k2 == i["indicator"]), None) for y in bench_years],
        )
        for i in reference.indicators(conn, year)
    ]
    dq = conn.execute(
        """select r.department_zh, count(*) filter (where r.delivered), sum(r.rows_read), sum(r.rows_quarantined),
                  (select count(*) from marts.dq_issues i
                    where i.data_year = r.data_year and i.department = r.department and i.severity = 'error'),
                  (select count(*) from marts.dq_issues i
                    where i.data_year = r.data_year and i.department = r.department and i.severity = 'warning'),
                  r.department
           from marts.delivery_reconciliation r where r.data_year = ? group by r.data_year, r.department, r.department_zh order by 1""",
        [year],
    ).fetchall()
    # each department's name links to its own report (outputs/dq_reports.py)
    dq = [(*row[:6], f"{department_report(row[6], row[0])}.html") for row in dq]
    page = _YEAR.render(
        style=STYLE,
        year=year,
        s=status,
        classes=[f"{code} {label}" for code, label in classes.items()],
        class_codes=list(classes),
        class_table=class_table,
        charts=year_charts(conn, year),
        bench_years=bench_years,
        bench_table=bench_table,
        dq=dq,
        rewards=_rewards(conn, year),
        # the words of the codes this page counts by, as the labels of the year say them
        status=reference.labels(conn, year, "status", short=True),
        severity=reference.labels(conn, year, "severity"),
        reward_status=reference.labels(conn, year, "reward_status", short=True),
        prev_class_department=_department_delivering(conn, year, "prev_class"),
        index_page=INDEX_PAGE.format(year=year) if diagnosis_pages_written(conn, year) else None,
    )
    target = out / YEAR_REPORT_PAGE.format(year=year)
    target.write_text(page, encoding="utf-8")
    return target
