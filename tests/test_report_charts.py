"""The year report's charts (issue 12, item 4): drawn by Altair and rendered by vl-convert to inline
SVG whose words are <text> elements from the label source; no script or style from the network;
townships ordered by their share of class A; the migration matrix counts what the marts hold.
The report and the diagnosis pages print on A4 with headings kept with their chart or table."""

from __future__ import annotations

import re

import pytest

CHINESE = re.compile(r"[\u4e00-\u9fff]")
TEXT = re.compile(r"<text[^>]*>([^<]*)</text>")


@pytest.fixture(scope="module")
def report(worked) -> str:
    return (worked.export_dir / "2023" / "评价报告_2023.html").read_text(encoding="utf-8")


def _figure(report: str, figure_id: str) -> str:
    """The markup of one chart block of the report (a <figure> or <section> with that id)."""
    start = report.index(f'id="{figure_id}"')
    end = min(i for i in (report.find("</figure>", start), report.find("</section>", start)) if i > 0)
    return report[start:end]


def _texts(markup: str) -> list[str]:
    return [t for t in TEXT.findall(markup) if t]


def _labels(worked, domain: str) -> dict[str, str]:
    sql = "select code, label_zh from reference.labels where data_year = 2023 and domain = ? order by position"
    return dict(worked.query(sql, [domain]))


def test_charts_are_inline_svg_with_chinese_text_and_nothing_from_the_network(worked, report):
    assert report.count("<svg") >= 5  # townships, chains, scores, benchmarks, migration (+ rewards when granted)
    assert "<script" not in report and "<link" not in report and "@import" not in report
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", report)
    assert "http://" not in report and "https://" not in report  # not even the SVG namespace declarations
    titles = _labels(worked, "chart")
    classes = [f"{code} {label}" for code, label in _labels(worked, "class").items()]
    for figure_id in ("by-township", "by-chain", "scores", "benchmarks", "migration"):
        svg = _figure(report, figure_id)
        assert "<svg" in svg and "<path" in svg, figure_id
        assert any(CHINESE.search(t) for t in _texts(svg)), figure_id  # Chinese as text the browser draws
    # legends and axis titles come from the label source
    for figure_id in ("by-township", "by-chain"):
        texts = _texts(_figure(report, figure_id))
        assert set(classes) <= set(texts) and titles["share"] in texts and titles["class"] in texts
    scores = _texts(_figure(report, "scores"))
    scales = [label for (label,) in worked.query("select short_label_zh from reference.labels where data_year = 2023 and domain = 'scale'")]
    assert set(scales) <= set(scores)  # one panel per scale group, titled
    assert scores.count(titles["total_score"]) == len(scales) and titles["count"] in scores
    benchmarks = _texts(_figure(report, "benchmarks"))
    for name, unit in worked.query("select label_zh, unit_zh from reference.indicators where data_year = 2023"):
        assert f"{name}（{unit}）" in benchmarks
    assert "6.60" in benchmarks and "320.00" in benchmarks and "2023" in benchmarks  # values written on the line
    # no English words of vega (aria-labels such as "X-axis titled …") in what a person reads
    assert "aria-label" not in report and "titled" not in report


def test_one_fixed_colour_per_class_explained_by_the_legend(worked, report):
    from dagster_project.outputs.charts import CLASS_COLOURS

    svg = _figure(report, "by-township")
    # a legend symbol in each class colour, and bars only in class colours
    fills = set(re.findall(r'fill="(#[0-9a-f]{6})"', svg))
    assert set(CLASS_COLOURS) <= fills
    assert len(CLASS_COLOURS) == len(set(CLASS_COLOURS)) == len(_labels(worked, "class"))


def test_township_bars_are_ordered_by_share_of_class_a(worked, report):
    shares = dict(
        worked.query(
            """select township, avg(case when final_class = 'A' then 1.0 else 0 end) from marts.classification
               where data_year = 2023 and status = 'evaluated' group by township"""
        )
    )
    order = [t for t in _texts(_figure(report, "by-township")) if t in shares]
    assert sorted(order) == sorted(shares)  # every township once
    in_order = [shares[t] for t in order]
    assert in_order == sorted(in_order, reverse=True)
    assert in_order[0] == 0.5 and in_order[-1] == 0  # 七里园乡 half A; code-point order would not put it first
    assert order != sorted(order)
    # counts and shares written on the bars: 七里园乡 1 A and 1 D of 2
    assert "1（50%）" in _texts(_figure(report, "by-township"))


def test_migration_matrix_counts_and_row_shares_equal_the_marts(worked, report):
    counts = {
        (p, c): n
        for p, c, n in worked.query(
            """select prev_class, final_class, count(*) from marts.classification
               where data_year = 2023 and status = 'evaluated' and prev_class is not null group by all"""
        )
    }
    assert counts == {("A", "B"): 1}  # the worked example: 戊 was A last year, B now
    codes = list(_labels(worked, "class"))
    expected = []
    for p in codes:
        total = sum(n for (p2, _), n in counts.items() if p2 == p)
        for c in codes:
            n = counts.get((p, c), 0)
            expected.append(f"{n}（{100 * n / total:.0f}%）" if total else "0")
    cells = [t for t in _texts(_figure(report, "migration")) if re.fullmatch(r"\d+(（\d+%）)?", t)]
    assert cells == expected
    assert "1（100%）" in cells
    titles = _labels(worked, "chart")
    texts = _texts(_figure(report, "migration"))
    assert titles["prev_class"] in texts and titles["final_class"] in texts and titles["row_share"] in texts
    # the legend's labels, apart enough not to run together
    assert [t for t in texts if re.fullmatch(r"\d+%", t)] == ["0%", "25%", "50%", "75%", "100%"]


def test_pages_print_on_a4_keeping_headings_with_their_charts_and_tables(worked, report):
    folder = worked.export_dir / "2023"
    diagnosis = next((folder / "diagnosis").glob("*.html")).read_text(encoding="utf-8")
    index = (folder / "企业体检报告索引_2023.html").read_text(encoding="utf-8")
    for page in (report, diagnosis, index):
        assert "@page{size:A4" in page
        assert ".block{break-inside:avoid" in page and "h1,h2{break-after:avoid" in page
        assert "thead{display:table-header-group}" in page
        assert page.count("<table") == page.count("<thead>") > 0  # every table repeats its header row
    for page in (report, diagnosis):
        # every heading opens a block that holds it and its chart or table
        assert page.count("<h2>") == len(re.findall(r'class="block"[^>]*><h2>', page)) > 3


def test_count_axes_step_in_round_numbers():
    from dagster_project.outputs.charts import nice_step

    # at most six steps from 0, each 1, 2 or 5 times a power of ten (not 26 for a largest bar of 130)
    assert [nice_step(n) for n in (1, 4, 6, 13, 40, 130, 600, 7000)] == [1, 1, 1, 5, 10, 50, 100, 2000]


def test_township_bars_say_how_many_enterprises_each_stands_for(worked, report):
    totals = dict(
        worked.query(
            "select township, count(*) from marts.classification where data_year = 2023 and status = 'evaluated' group by township"
        )
    )
    texts = _texts(_figure(report, "by-township"))
    assert _labels(worked, "chart")["count"] in texts
    assert sorted(int(t) for t in texts if t.isdigit()) == sorted(totals.values())


def test_a_chart_drawn_again_in_the_process_is_the_same_and_another_chart_is_drawn_anew():
    import altair as alt
    import pandas as pd

    from dagster_project.outputs import charts

    def bars(counts: list[int]) -> alt.Chart:
        data = pd.DataFrame({"group": ["王村街道", "<b>&"], "n": counts})
        return alt.Chart(data).mark_bar().encode(y="group:N", x="n:Q")

    first = charts.render(bars([3, 4]))
    before = charts._svg.cache_info()
    assert charts.render(bars([3, 4])) == first
    assert charts._svg.cache_info().hits == before.hits + 1
    other = charts.render(bars([3, 40]))
    assert other != first and charts._svg.cache_info().misses == before.misses + 1
    assert "&lt;b&gt;&amp;" in first and "&lt;b&gt;&amp;" in other  # the words, escaped


def test_a_chart_with_a_legend_gradient_is_the_same_text_whatever_was_drawn_before_it():
    """Vega numbers a gradient's id by a counter of the process (gradient_0, then gradient_5 after
    five legends): an export of unchanged results in another process wrote another year report.
    Each id of a drawing is its own: the same in every process, different between two charts."""
    import re

    import altair as alt
    import pandas as pd

    from dagster_project.outputs import charts

    def heat(share: float) -> alt.Chart:
        data = pd.DataFrame({"row": ["A", "B"], "column": ["A", "B"], "share": [share, 1 - share]})
        return alt.Chart(data).mark_rect().encode(y="row:N", x="column:N", color=alt.Color("share:Q", scale=alt.Scale(domain=[0, 1])))

    first = charts.render(heat(0.25))
    charts._svg.cache_clear()  # drawn again, not taken from the cache, after another legend
    other = charts.render(heat(0.75))
    charts._svg.cache_clear()
    assert charts.render(heat(0.25)) == first
    ids, other_ids = (set(re.findall(r'\bid="([^"]+)"', svg)) for svg in (first, other))
    assert ids and all(i.startswith("chart-") for i in ids) and not ids & other_ids
    assert "url(#chart-" in first  # the legend still refers to its gradient


@pytest.mark.parametrize("name", ["toString", "constructor", "__proto__", "hasOwnProperty", "valueOf", "propertyIsEnumerable"])
def test_a_township_named_like_a_javascript_object_property_is_drawn(name):
    """Vega keeps nominal values as keys of JavaScript objects: such a name broke the drawing and
    with it the whole run."""
    import pandas as pd

    from dagster_project.outputs import charts

    data = pd.DataFrame(
        {
            "group": [name, "王村街道"],
            "class_label": ["A类", "B类"],
            "n": [1, 2],
            "share": [1.0, 1.0],
            "label": ["1家 100%", "2家 100%"],
            "mid": [0.5, 0.5],
            "position": [1, 2],
            "total": [1, 2],
        }
    )
    svg = charts.class_shares(data, ["A类", "B类"], {"share": "占比", "class": "类别", "count": "企业数"})
    words = [text.replace("\u200b", "") for text in _texts(svg)]
    assert name in words and "王村街道" in words and "1家 100%" in words and "2家 100%" in words
