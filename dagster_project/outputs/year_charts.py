"""The year report's charts: DuckDB aggregates (a row per township and class, per score bin, per
year and indicator, per pair of classes) handed to outputs/charts.py. Labels come from the
reference layer: classes and scales by code, chart titles from the `chart` label domain."""

from __future__ import annotations

import duckdb

from . import charts, reference

HISTOGRAM_BINS = 20  # bars per panel: enough to show the shape of a district's scores

# The classes in their order, each as "<code> <label>" (A 优先发展类): the legend and matrix labels.
_CLASSES = """select code, code || ' ' || label_zh as label, position from reference.labels
              where data_year = $year and domain = 'class'"""


def _classes(conn: duckdb.DuckDBPyConnection, year: int) -> list[str]:
    return [label for (label,) in conn.execute(f"select label from ({_CLASSES}) order by position", {"year": year}).fetchall()]


def class_shares_data(conn: duckdb.DuckDBPyConnection, year: int, column: str):
    """Class counts and shares per value of `column` (township, industry_chain) of the evaluated
    enterprises, groups ordered by the share of the first class (A), then by size and name."""
    return conn.execute(
        f"""with counts as (
                select {column} as grp, final_class as class, count(*) as n from marts.classification
                where data_year = $year and status = 'evaluated' group by all),
            classes as ({_CLASSES}),
            totals as (
                select grp, sum(n) as total,
                       coalesce(sum(n) filter (where class = (select code from classes order by position limit 1)), 0) as top
                from counts group by grp)
            select c.grp as "group", k.label as class_label, k.position, c.n,
                   c.n / t.total as share,
                   sum(c.n / t.total) over (partition by c.grp order by k.position) - c.n / t.total / 2 as mid,
                   printf('%d（%.0f%%）', c.n, 100.0 * c.n / t.total) as label,
                   t.top / t.total as first_class_share, t.total
            from counts c join classes k on k.code = c.class join totals t using (grp)
            order by first_class_share desc, t.total desc, c.grp, k.position""",
        {"year": year},
    ).df()


def score_bins_data(conn: duckdb.DuckDBPyConnection, year: int):
    """Total scores of the evaluated enterprises in HISTOGRAM_BINS bins of a whole-number width,
    counted per scale group."""
    return conn.execute(
        f"""with s as (
                select {reference.label_sql("scale", "scale", year, short=True)} as grp, total_score from marts.classification
                where data_year = $year and status = 'evaluated' and total_score is not null),
            w as (select greatest(ceil((max(total_score) - min(total_score)) / {HISTOGRAM_BINS}), 1) as width,
                         min(total_score) as low from s),
            b as (select grp, floor(total_score / width) - floor(low / width) as bin, width, floor(low / width) * width as start from s, w)
            select grp as "group", start + bin * width as bin_start, start + (bin + 1) * width as bin_end, count(*) as n
            from b group by all order by 1, 2""",
        {"year": year},
    ).df()


def benchmarks_data(conn: duckdb.DuckDBPyConnection, year: int):
    """The benchmark of every indicator in every data year up to `year` held by the warehouse."""
    return conn.execute(
        """select b.data_year, i.label_zh || '（' || i.unit_zh || '）' as indicator_label, b.value
           from marts.benchmarks b join reference.indicators i on i.data_year = $year and i.indicator = b.indicator
           where b.data_year <= $year and b.value is not null order by b.data_year, i.position""",
        {"year": year},
    ).df()


def migration_data(conn: duckdb.DuckDBPyConnection, year: int):
    """Previous class × this year's class of the evaluated enterprises that have a previous class:
    every pair (zeros too), its count and its share of the row (the previous class). Empty when
    no enterprise has a previous class."""
    return conn.execute(
        f"""with classes as ({_CLASSES}),
            m as (select prev_class, final_class, count(*) as n from marts.classification
                  where data_year = $year and status = 'evaluated' and prev_class is not null group by all),
            cells as (
                select p.label as prev_label, f.label as final_label, p.code as prev_class, f.code as final_class,
                       p.position as prev_position, f.position as final_position, coalesce(m.n, 0) as n,
                       sum(coalesce(m.n, 0)) over (partition by p.code) as row_total
                from classes p cross join classes f
                left join m on m.prev_class = p.code and m.final_class = f.code)
            select prev_label, final_label, prev_class, final_class, n,
                   if(row_total > 0, n / row_total, 0) as row_share,
                   if(row_total > 0, printf('%d（%.0f%%）', n, 100.0 * n / row_total), '0') as label
            from cells where exists (select 1 from m) order by prev_position, final_position""",
        {"year": year},
    ).df()


def year_charts(conn: duckdb.DuckDBPyConnection, year: int) -> dict[str, str]:
    """The inline SVG of every chart of the year report, by name."""
    titles = reference.labels(conn, year, "chart")
    classes = _classes(conn, year)
    scales = list(reference.labels(conn, year, "scale", short=True).values())
    indicators = [f"{i['label_zh']}（{i['unit_zh']}）" for i in reference.indicators(conn, year)]
    return {
        "by_township": charts.class_shares(class_shares_data(conn, year, "township"), classes, titles),
        "by_chain": charts.class_shares(class_shares_data(conn, year, "industry_chain"), classes, titles),
        "scores": charts.score_histograms(score_bins_data(conn, year), scales, titles),
        "benchmarks": charts.benchmark_lines(benchmarks_data(conn, year), indicators, titles),
        "migration": charts.migration_matrix(migration_data(conn, year), classes, titles),
    }
