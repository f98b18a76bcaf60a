"""The year's Excel workbook in Chinese: the score tables in the layouts of 附表二 (规上) and
附表四 (规下), benchmarks with their population, adjustments, blocked and out-of-scope enterprises,
summaries per township and industry chain, and a method note. Plus the public notice (公示名单)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ..run_log import computed_at
from . import reference
from .reading_order import pinyin
from .safe_files import write_csv
from .sheets import NAME_WIDTH, USCC_WIDTH, Book, fits_in_excel, lines_height, row_limit, text_lines

PUBLIC_NOTICE_COLUMNS = ["序号", "企业名称", "乡镇街道", "评价类别"]
# the 调档情况 column of the 附表: an adjustment ("A→B：…（…）") in two or three lines
ADJUSTMENT_COLUMN_WIDTH = 36
# the width of the 评价说明 column: within an A4 page upright, whatever the spreadsheet's font
NOTE_WIDTH = 85


def _all(conn, sql: str, params: list) -> list[tuple]:
    return conn.execute(sql, params).fetchall()


def _scale_titles(conn, year: int, scale: str) -> tuple[str, str]:
    """Sheet name and title of the score table of a scale group (附表二 / 附表四), from the labels."""
    annex = reference.label(conn, year, "score_sheet", scale)
    return (
        f"{reference.label(conn, year, 'scale', scale, short=True)}得分表（{annex}）",
        f"{annex}：{reference.label(conn, year, 'scale', scale)}制造业企业综合评价得分表",
    )


def _number(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _score_sheet(book: Book, conn, year: int, scale: str) -> None:
    """附表二/四: one row per evaluated enterprise of the group, by rank."""
    indicators = _all(
        conn,
        """select p.indicator, p.basic_points, i.label_zh, i.score_column
           from reference.in_force_indicator_points p
           join reference.indicators i on i.data_year = p.data_year and i.indicator = p.indicator
           where p.data_year = ? and p.scale = ? order by p.basic_points desc, i.position""",
        [year, scale],
    )
    columns = {}
    for kind in ("bonus", "penalty"):
        columns[kind] = [
            c
            for (c,) in _all(
                conn,
                """select s.short_label_zh from reference.labels s
                   where s.data_year = ? and s.domain = ? || '_item'
                     and (s.domain = 'penalty_item' or s.code = 'standard' or s.code in
                          (select item from reference.in_force_bonus_points where data_year = ? and scale = ?))
                   group by s.short_label_zh order by min(s.position)""",
                [year, kind, year, scale],
            )
        ]
    sheet_name, title = _scale_titles(conn, year, scale)
    count = _count(conn, year, scale)
    if not fits_in_excel(count, header_rows=3):
        book.skip(book.sheet(sheet_name), sheet_name, count)
        return
    # one row per enterprise with the points of every sheet column, pivoted in DuckDB
    item_columns = columns["bonus"] + columns["penalty"]

    def literal(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    def name(text: str) -> str:
        return '"' + text.replace('"', '""') + '"'

    pivot = ", ".join(f"sum(i.points) filter (where s.short_label_zh = {literal(c)}) as {name(c)}" for c in item_columns)
    enterprises = _all(
        conn,
        f"""with items as (
                select i.uscc{", " + pivot if pivot else ""} from marts.enterprise_score_items i
                join reference.labels s on s.data_year = i.data_year and s.domain = i.kind || '_item' and s.code = i.item
                where i.data_year = ? group by i.uscc)
            select c.uscc, c.name, c.township{"".join(f", c.{score}" for *_, score in indicators)}, c.total_score, c.final_class,
                   c.rank, c.percentile_class, c.class_changes{"".join(f", items.{name(col)}" for col in item_columns)}
            from marts.classification c left join items on items.uscc = c.uscc
            where c.data_year = ? and c.status = 'evaluated' and c.scale = ?
            order by c.rank, c.uscc""",
        [year, year, scale],
    )
    sheet = book.sheet(sheet_name, grid=True)
    bonus_cap = reference.rule_parameter(conn, year, "bonus_total_cap")
    penalty_cap = reference.rule_parameter(conn, year, "penalty_total_cap")
    fixed = ["序号", "企业名称", "统一社会信用代码", "乡镇街道"]
    basic = [f"{label}（{p:g}分）" for _, p, label, _ in indicators]
    tail = ["总得分", "企业类别", "名次", "按名次类别", "调档情况"]
    width = len(fixed) + len(basic) + len(item_columns) + len(tail)

    # the query's columns: uscc, name, township, one score per indicator, total, classes, adjustments, items
    k = 3 + len(indicators)
    rows = [
        [n, e[1], e[0], e[2]]
        + [_number(v) for v in e[3:k]]
        + [_number(v) for v in e[k + 5 :]]
        + [_number(e[k]), e[k + 1], e[k + 2], e[k + 3], e[k + 4] or ""]
        for n, e in enumerate(enterprises, start=1)
    ]
    # widths and formats: numbers in a fixed format, names and adjustments wrapping within their
    # columns (the item headers wrap in their own tall row, so they do not widen their columns)
    layout = book.columns(
        fixed + [""] * (len(basic) + len(item_columns)) + tail,
        rows,
        [6, NAME_WIDTH, USCC_WIDTH, 12] + [10] * (width - 5) + [ADJUSTMENT_COLUMN_WIDTH],
    )
    book.set_columns(sheet, layout)

    sheet.merge_range(0, 0, 0, width - 1, f"{title}（{year}年度）", book.title)
    groups = (
        [(name, None) for name in fixed]
        + [(f"基本指标（总分{sum(p for _, p, *_ in indicators):g}分）", basic)]
        + [(f"加分项（企业同时符合多项加分条件的，总加分不超过{bonus_cap:g}分）", columns["bonus"])]
        + [(f"减分项（企业同时符合多项减分条件的，累计减分不超过{penalty_cap:g}分）", columns["penalty"])]
        + [(name, None) for name in tail]
    )
    # constant-memory mode writes rows in order: the group row first (as tall as a group's title
    # needs across its columns), then the item row
    spans, col = [], 0
    for name, subs in groups:
        span = 1 if subs is None else len(subs)
        spans.append(text_lines(name, sum(c.width for c in layout[col : col + span])))
        col += span
    sheet.set_row(1, lines_height(max(spans)))
    col = 0
    for name, subs in groups:
        if subs is None:
            # a column of one header (序号, 企业名称…) spans both header rows. A streamed sheet
            # writes its rows in order: the merge is made without a format, which writes nothing
            # in the item row yet; the header is then written in it, the blank below it with the
            # item row
            sheet.merge_range(1, col, 2, col, None)
            sheet.write(1, col, name, book.header)
        elif len(subs) > 1:
            sheet.merge_range(1, col, 1, col + len(subs) - 1, name, book.header)
        else:
            sheet.write(1, col, name, book.header)
        col += 1 if subs is None else len(subs)
    col = 0
    for _, subs in groups:
        sheet.write_row(2, col, subs if subs is not None else [""], book.header)
        col += 1 if subs is None else len(subs)
    # the item headers wrap in their columns: the row as tall as the longest needs
    sheet.set_row(2, book.header_height([""] * len(fixed) + basic + item_columns + [""] * len(tail), layout))
    book.write_rows(sheet, 3, rows, layout)
    sheet.freeze_panes(3, 2)
    # printed as the 附表 are: landscape A3, one page wide, header rows on every page
    sheet.set_landscape()
    sheet.set_paper(8)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0, 2)


def write_workbook(conn: duckdb.DuckDBPyConnection, year: int, export_dir: Path) -> Path:
    out = Path(export_dir) / str(year)
    out.mkdir(parents=True, exist_ok=True)
    book = Book(out / f"亩均效益评价结果_{year}.xlsx", created=computed_at(conn, year))
    for scale in ("above", "below"):
        _score_sheet(book, conn, year, scale)

    benchmarks = _all(
        conn,
        """select i.label_zh, b.value, b.population from marts.benchmarks b
           join reference.indicators i on i.data_year = b.data_year and i.indicator = b.indicator
           where b.data_year = ? order by i.position""",
        [year],
    )
    book.table("基准值", ["指标", "基准值", "计算样本企业数"], [(label, round(v, 6), n) for label, v, n in benchmarks], [18, 14, 16])
    indicators = reference.indicators(conn, year)
    indicator_columns = "".join(f", {i['indicator']}" for i in indicators)
    population = _all(
        conn,
        f"""select name, uscc, township, gross_output{indicator_columns}
           from marts.classification where data_year = ? and in_benchmark_population order by {pinyin("name")}, uscc""",
        [year],
    )
    book.table(
        "基准值样本企业",
        ["企业名称", "统一社会信用代码", "乡镇街道", "工业总产值(万元)"] + [i["label_zh"] for i in indicators],
        [(r[0], r[1], r[2], *(_number(v) for v in r[3:])) for r in population],
        [NAME_WIDTH, USCC_WIDTH, 10, 12, 9, 9, 10],
    )
    # only the enterprises whose class an adjustment changed, and those the approval decided; the conditions that
    # held without changing anything are shown beside them and on each diagnosis page
    adjustments = _all(
        conn,
        f"""select name, uscc, {reference.label_sql("scale", "scale", year, short=True)}, percentile_class, final_class,
                  class_changes, {reference.label_sql("decided_by", "decided_by", year, short=True)}, conditions_without_effect,
                  override_reason
                      || coalesce('（' || concat_ws('，', override_approved_by, cast(override_approved_on as varchar)) || '）', '')
           from marts.classification
           where data_year = ? and status = 'evaluated' and (final_class <> percentile_class or override_class is not null)
           order by scale, rank, uscc""",
        [year],
    )
    book.table(
        "调档情况",
        [
            "企业名称",
            "统一社会信用代码",
            "规模",
            "按名次类别",
            "最终类别",
            "类别变化及依据",
            "决定最终类别的规则",
            "条件成立但未改变类别",
            "审定理由（审定单位，日期）",
        ],
        adjustments,
        [NAME_WIDTH, USCC_WIDTH, 6, 8, 8, 34, 16, 28, 22],
    )
    others = _all(
        conn,
        f"""select name, uscc, township, industry_code, {reference.label_sql("status", "status", year)},
                  {reference.reasons_sql("adjustments", year)}
           from marts.classification
           where data_year = ? and status <> 'evaluated' order by status, line_number""",
        [year],
    )
    statuses = reference.labels(conn, year, "status", short=True)
    book.table(
        f"{statuses['blocked']}与{statuses['out_of_scope']}",
        ["企业名称", "统一社会信用代码", "乡镇街道", "行业代码", "状态", "原因"],
        others,
        [NAME_WIDTH, USCC_WIDTH, 10, 8, 18, 30],
    )
    for title, column in (("乡镇街道汇总", "township"), ("产业链汇总", "industry_chain")):
        rows = _all(
            conn,
            f"""select {column},
                       count(*) filter (where final_class = 'A'), count(*) filter (where final_class = 'B'),
                       count(*) filter (where final_class = 'C'), count(*) filter (where final_class = 'D'),
                       count(*) filter (where status = 'evaluated'), count(*) filter (where status = 'blocked'),
                       count(*) filter (where status = 'out_of_scope')
                from marts.classification where data_year = ? group by 1 order by {pinyin(column)}""",
            [year],
        )
        statuses = list(reference.labels(conn, year, "status", short=True).values())
        book.table(title, [title[:-2], "A类", "B类", "C类", "D类", *statuses], rows, [22, 8, 8, 8, 8, 8, 10, 8])
    _method_note(book, conn, year, book.skipped)
    return book.close()


def _count(conn, year: int, scale: str) -> int:
    return conn.execute(
        "select count(*) from marts.classification where data_year = ? and status = 'evaluated' and scale = ?", [year, scale]
    ).fetchone()[0]


def _indicator_lines(conn, year: int) -> str:
    """基本指标: each indicator's formula, with the scale groups it applies to when not all."""
    scales = reference.labels(conn, year, "scale", short=True)
    applies = {}
    for indicator, scale in reference.rule_rows(conn, year, "indicator_points", "indicator, scale", "scale"):
        applies.setdefault(indicator, []).append(scale)
    parts = []
    for i in reference.indicators(conn, year):
        only = applies.get(i["indicator"], [])
        groups = "" if set(only) == set(scales) else "（仅" + "、".join(scales[s] for s in only) + "）"
        parts.append(f"{i['label_zh']}（{i['unit_zh']}）= {i['formula_zh']}{groups}")
    return "；".join(parts)


def _method_note(book: Book, conn, year: int, skipped: list[str]) -> None:
    """The method, from the rule rows in force, the run's decisions and the bureau's settings;
    and which sheets were left out for their length."""
    status = conn.execute(
        "select evaluated, blocked, out_of_scope, error_issues, warning_issues, publishable"
        " from marts.evaluation_status where data_year = ?",
        [year],
    ).fetchone()
    decisions = reference.decisions(conn, year)
    scales = reference.labels(conn, year, "scale", short=True)
    counts = "，".join(f"{label} {n} 家" for label, n in zip(reference.labels(conn, year, "status").values(), status[:3]))
    cutoffs = "；".join(
        f"{c}类：名次×100 ≤ {p:g}×参评数" for c, p in reference.rule_rows(conn, year, "class_cutoffs", "class, max_percent", "max_percent")
    )
    adjustments = [text for code, text in reference.labels(conn, year, "adjustment").items() if code != "override"]
    severities = reference.labels(conn, year, "severity")
    lines = [
        f"{year}年度制造业企业分类综合评价（亩均效益评价）说明",
        "",
        f"评价统计截止日：{decisions['cutoff']}；{counts}。",
        f"数据质量：{severities['error']} {status[3]} 条，{severities['warning']} {status[4]} 条；"
        f"本次结果{'可以' if status[5] else '暂不可'}发布。",
        f"评价依据：{reference.setting(conn, year, 'policy_document')}。",
        f"基本指标：{_indicator_lines(conn, year)}。",
        "用地面积 = 登记用地 + 核实的承租用地 − 核实的出租用地（亩）；未核实的租赁合同不计入。",
        f"基准值：参评的{scales['above']}企业中产值"
        f"{reference.rule_parameter(conn, year, 'benchmark_min_gross_output'):g}万元以上（含）企业的指标"
        f"{reference.label(conn, year, 'benchmark_method', decisions['benchmark_method'])}，"
        f"{'、'.join(scales.values())}使用统一基准值。",
        f"指标得分 = 指标值 ÷ 基准值 × 基本分值，最高不超过封顶分（{_caps(conn, year)}）；综合得分 = 基本指标得分 + 加分 − 减分。",
        f"分类：{reference.label(conn, year, 'ranking_groups', decisions['ranking_groups'])}"
        f"按综合得分从高到低排名（同分同名次）。{cutoffs}。",
        "调档：" + "；".join(adjustments) + f"；最终名单以{reference.label(conn, year, 'adjustment', 'override')}为准。",
        "所有分值、门槛与比例见规则表（data/seeds），本表由 mujun 根据数据仓库生成。",
    ]
    if skipped:
        lines.append(
            "注：" + "、".join(skipped) + f"超过工作簿每表行数上限（{row_limit()} 行，环境变量 "
            "MUJUN_EXCEL_ROW_LIMIT），未写入本工作簿；请使用 CSV 文件或分析副本（marts.classification）。"
        )
    sheet = book.sheet("评价说明")
    sheet.set_column(0, 0, NOTE_WIDTH)
    for index, line in enumerate(lines):
        if index:  # the heading is one line
            sheet.set_row(index, lines_height(text_lines(line, NOTE_WIDTH)))
        sheet.write(index, 0, line, book.bold if index == 0 else book.wrap)


def _caps(conn, year: int) -> str:
    """The cap of each indicator's score per scale group, from the rule rows in force; a group's
    indicators in the order of its score sheet's columns (_score_sheet)."""
    scales = reference.labels(conn, year, "scale", short=True)
    rows = _all(
        conn,
        """select p.scale, i.label_zh, p.cap_points
           from reference.in_force_indicator_points p
           join reference.indicators i on i.data_year = p.data_year and i.indicator = p.indicator
           where p.data_year = ? order by p.basic_points desc, i.position""",
        [year],
    )
    groups = []
    for scale, label in scales.items():
        listed = [f"{name}{cap:g}分" for group, name, cap in rows if group == scale]
        if listed:
            groups.append(f"{label}：{'、'.join(listed)}")
    return "；".join(groups)


# what a printed notice says for a term the bureau has not configured
NOT_CONFIGURED = "（未配置）"


def write_public_notice(conn: duckdb.DuckDBPyConnection, year: int, export_dir: Path) -> list[Path]:
    """公示名单: enterprise name, township and final class only. No tax, output or land figures."""
    out = Path(export_dir) / str(year)
    out.mkdir(parents=True, exist_ok=True)
    query = f"""select row_number() over (order by {pinyin("township")}, final_class, {pinyin("name")}, uscc) as "序号",
                       name as "企业名称", township as "乡镇街道", final_class as "评价类别"
                from marts.classification where data_year = {int(year)} and status = 'evaluated'
                order by 1"""
    csv_path = out / f"公示名单_{year}.csv"
    # opened by the public in Excel: with a BOM, names that look like formulas shown as text
    count = write_csv(conn, query, csv_path, bom=True)
    if not fits_in_excel(count):  # a list this long is for machines: the CSV is the list
        return [csv_path]
    title = f"{reference.setting(conn, year, 'district_name')}{year}年度制造业企业分类综合评价结果公示"
    book = Book(out / f"公示名单_{year}.xlsx", heading=title, created=computed_at(conn, year))
    rows = conn.execute(query).fetchall()
    book.table("公示名单", PUBLIC_NOTICE_COLUMNS, rows, [8, 36, 16, 10], preamble=notice_preamble(conn, year, title))
    return [csv_path, book.close()]


def notice_preamble(conn: duckdb.DuckDBPyConnection, year: int, title: str) -> list[str]:
    """The lines above a public list: its title, the 公示期 and where objections go. The terms
    are the bureau's to set (data/seeds/district_settings.csv); one left empty shows as such
    rather than as a blank on the printed notice."""
    return [
        title,
        f"公示期：{reference.setting(conn, year, 'notice_period') or NOT_CONFIGURED}",
        f"异议受理：{reference.setting(conn, year, 'objection_contact') or NOT_CONFIGURED}",
    ]


def write_changes(conn: duckdb.DuckDBPyConnection, year: int, export_dir: Path) -> Path:
    """变更对比: this run of the year against the previous one (after objections and corrections)."""
    out = Path(export_dir) / str(year)
    out.mkdir(parents=True, exist_ok=True)
    rows = _all(
        conn,
        f"""select name, uscc, township, {reference.label_sql("change", "change", year)},
                  {reference.label_sql("status", "previous_status", year)}, {reference.label_sql("status", "status", year)},
                  previous_class, final_class, previous_total_score, total_score, score_change, override_reason,
                  case when status = 'evaluated'
                       then (select c.class_changes from marts.classification c where c.data_year = ch.data_year and c.uscc = ch.uscc)
                       else {reference.reasons_sql("adjustments", year)} end
           from marts.classification_changes ch where data_year = ?
           order by change, name, uscc""",
        [year],
    )
    book = Book(out / f"变更对比_{year}.xlsx", created=computed_at(conn, year))
    book.table(
        "变更对比",
        [
            "企业名称",
            "统一社会信用代码",
            "乡镇街道",
            "变化",
            "原状态",
            "现状态",
            "原类别",
            "现类别",
            "原得分",
            "现得分",
            "得分增减",
            "审定理由",
            "调档情况",
        ],
        [(*r[:8], _number(r[8]), _number(r[9]), _number(r[10]), r[11], r[12]) for r in rows],
        [NAME_WIDTH, USCC_WIDTH, 10, 8, 10, 10, 6, 6, 9, 9, 9, 22, 28],
        empty=_no_changes(conn, year),
    )
    return book.close()


def _no_changes(conn, year: int) -> str:
    """What an empty 变更对比 means: the first run of the year, or nothing changed since the last."""
    runs = conn.execute(
        """select strftime(max(run_at), '%Y-%m-%d %H:%M') from marts.classification_runs where data_year = ?
           group by run_id order by max(run_at) desc limit 2""",
        [year],
    ).fetchall()
    if len(runs) < 2:
        return "这是本年度的第一次运行，没有可对比的上一次运行。"
    return f"与上一次运行（{runs[1][0]}）相比，没有企业的状态、类别或得分发生变化。"
