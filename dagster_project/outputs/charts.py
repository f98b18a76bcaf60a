"""Charts of the year report, drawn by a library: Altair writes a Vega-Lite spec and vl-convert
renders it to SVG in this process, so the page carries the chart itself: no script, no CDN, no
network, and it prints like text. vl-convert writes every label as an SVG <text> element, so
Chinese shows in whatever CJK font the reader's browser has.

Every chart takes aggregates a DuckDB query made (a few rows per township, class or bin, never one
row per enterprise) and the words it shows: labels of codes from the reference layer, titles from
the `chart` domain of the label table (reference.labels(conn, year, "chart"))."""

from __future__ import annotations

import functools
import hashlib
import json
import math
import re

import altair as alt
import pandas as pd
import vl_convert

# One colour per class (A…D), the same on every chart and in the page's CSS (.A … .D).
CLASS_COLOURS = ["#2e7d32", "#1565c0", "#ef6c00", "#c62828"]
BAR_COLOUR = "#1565c0"
WIDTH = 600  # px: with the labels beside it, an A4 page in portrait holds the chart
LABELLED_SHARE = 0.12  # a class segment at least this wide carries its count and share

_CONFIG = {
    # the browser draws the <text> elements, so name fonts it has; vl-convert only measures with them
    "font": '"Microsoft YaHei","PingFang SC","Noto Sans CJK SC",sans-serif',
    # vega's aria-labels are English sentences ("X-axis titled …"); the page's headings say what a chart is
    "aria": False,
    "axis": {"labelLimit": 260, "labelFontSize": 11, "titleFontSize": 12},
    "legend": {"labelLimit": 260, "labelFontSize": 11, "titleFontSize": 12, "orient": "top"},
    "view": {"stroke": None},
}
# An SVG inside HTML takes its namespace from the HTML parser; the declarations are URLs a page for
# offline use should not carry (tests look for none).
_NAMESPACES = re.compile(r'\s+xmlns(?::xlink)?="[^"]*"')


# Facet headers keep English aria text ("Title text '规上'") whatever the config says; a screen
# reader reads the page's Chinese heading and the <text> elements instead.
_ENGLISH_ARIA = re.compile(r'\s+aria-(?:label|roledescription)="[^"]*"')


def render(chart: alt.TopLevelMixin) -> str:
    """The chart as an inline <svg> element."""
    return _svg(json.dumps(_js_safe(chart.to_dict()), ensure_ascii=False))


# Vega keeps the values of a nominal field as the keys of plain JavaScript objects: a value named
# like a property every such object has (a township called "toString" or "constructor") breaks
# the drawing (vega-encode: "d.push is not a function"; the whole run failed). Such a value, in
# the data and in the spec's sort orders and domains alike, gets a zero-width space in front: it
# reads the same on the page and is no longer one of those names.
_JS_OBJECT_PROPERTIES = frozenset(
    [
        "constructor",
        "hasOwnProperty",
        "isPrototypeOf",
        "propertyIsEnumerable",
        "toLocaleString",
        "toString",
        "valueOf",
        "__proto__",
        "__defineGetter__",
        "__defineSetter__",
        "__lookupGetter__",
        "__lookupSetter__",
    ]
)
_ZERO_WIDTH_SPACE = "\u200b"


def _js_safe(spec):
    if isinstance(spec, dict):
        return {key: _js_safe(value) for key, value in spec.items()}
    if isinstance(spec, list):
        return [_js_safe(value) for value in spec]
    if isinstance(spec, str) and spec.strip() in _JS_OBJECT_PROPERTIES:
        return _ZERO_WIDTH_SPACE + spec
    return spec


# vl-convert holds Python's lock while it draws (0.1–0.3 s a chart, most of the exports' time at
# the scale of a district). A process that evaluates again and again (the tests, a notebook)
# draws the same spec many times: about half of the charts of a `make test` were drawn before in
# the same process. The spec is the whole input (the config is fixed), so a chart drawn again is
# the same text, once its element ids are its own (_own_ids).
@functools.lru_cache(maxsize=32)
def _svg(spec: str) -> str:
    svg = _own_ids(vl_convert.vegalite_to_svg(spec, config=_CONFIG), spec)
    head, rest = svg.split(">", 1)
    return _NAMESPACES.sub("", head) + ">" + _ENGLISH_ARIA.sub("", rest)


# The ids Vega gives the elements a drawing refers to (a legend's colour gradient, a clip path)
_VEGA_ID = re.compile(r'\bid="((?:gradient|clip|pattern)_?\d+)"')


def _own_ids(svg: str, spec: str) -> str:
    """The drawing with ids of its own: Vega numbers them by a counter of the process
    ("gradient_5" after five legends), so the same chart drawn in another process was other
    bytes (an export of unchanged results must be the same files), and two charts of one page
    could share an id. Each becomes the spec's digest and its place in the drawing."""
    prefix = "chart-" + hashlib.sha256(spec.encode()).hexdigest()[:12]
    names = {old: f"{prefix}-{n}" for n, old in enumerate(dict.fromkeys(_VEGA_ID.findall(svg)))}
    if not names:
        return svg
    return re.sub(r"\b(" + "|".join(map(re.escape, names)) + r")\b", lambda m: names[m.group(1)], svg)


def class_shares(data: pd.DataFrame, classes: list[str], titles: dict[str, str]) -> str:
    """100% stacked horizontal bars, one per group (township, chain), in the order of `data`.

    data: group, class_label, n, share, label, mid (share of the classes before + half its own),
    position (of the class), total (enterprises of the group, written beside its bar).
    classes: the legend labels of the classes in order, coloured by CLASS_COLOURS."""
    if data.empty:
        return ""
    order = list(dict.fromkeys(data["group"]))
    y = alt.Y("group:N", sort=order, title=None)
    base = alt.Chart(data)
    bars = base.mark_bar().encode(
        y=y,
        x=alt.X("share:Q", stack="zero", title=titles["share"], axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        color=alt.Color(
            "class_label:N", title=titles["class"], scale=alt.Scale(domain=classes, range=CLASS_COLOURS[: len(classes)]), sort=classes
        ),
        order=alt.Order("position:Q"),
    )
    # counts and shares written on the segments wide enough to hold them
    text = (
        base.transform_filter(f"datum.share >= {LABELLED_SHARE}")
        .mark_text(color="white", fontSize=10)
        .encode(y=y, x=alt.X("mid:Q"), text=alt.Text("label:N"))
    )
    # how many enterprises each bar stands for, in a column of its own to the right
    totals = (
        alt.Chart(data.drop_duplicates("group")[["group", "total"]])
        .mark_text(align="right", fontSize=11)
        .encode(y=alt.Y("group:N", sort=order, axis=None), text=alt.Text("total:Q", format="d"))
        .properties(width=44, height=alt.Step(22), title=alt.TitleParams(titles["count"], fontSize=11, anchor="end"))
    )
    shares = alt.layer(bars, text).properties(width=WIDTH - 230, height=alt.Step(22))
    return render(alt.hconcat(shares, totals, spacing=8))


def score_histograms(data: pd.DataFrame, groups: list[str], titles: dict[str, str]) -> str:
    """One histogram panel per scale group. data: group, bin_start, bin_end, n (bins from DuckDB)."""
    if data.empty:
        return ""
    # round whole-number ticks on one shared count axis (Vega's tickMinStep is lost in a facet)
    step = nice_step(int(data["n"].max()))
    top = step * math.ceil(int(data["n"].max()) / step)
    ticks = list(range(0, top + 1, step))
    chart = (
        alt.Chart(data)
        .mark_bar(color=BAR_COLOUR, binSpacing=1)
        .encode(
            x=alt.X("bin_start:Q", bin="binned", title=titles["total_score"]),
            x2="bin_end:Q",
            y=alt.Y("n:Q", title=titles["count"], scale=alt.Scale(domain=[0, top]), axis=alt.Axis(values=ticks, format="d")),
        )
        .properties(width=(WIDTH - 120) // max(len(groups), 1), height=180)
        .facet(column=alt.Column("group:N", sort=groups, title=None, header=alt.Header(labelFontSize=13)))
    )
    return render(chart)


def nice_step(largest: int, most_ticks: int = 6) -> int:
    """A round step (1, 2 or 5 times a power of ten) that counts from 0 to `largest` in at most
    `most_ticks` steps: 0, 20, 40 … rather than 0, 26, 52 …"""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if math.ceil(largest / step) <= most_ticks:
                return step
        magnitude *= 10


def benchmark_lines(data: pd.DataFrame, indicators: list[str], titles: dict[str, str]) -> str:
    """Benchmarks across the data years in the warehouse: one panel and line per indicator (each
    its own unit and y axis; the benchmark is one for all scale groups). data: data_year,
    indicator_label, value."""
    if data.empty:
        return ""
    base = alt.Chart().encode(
        x=alt.X("data_year:O", title=titles["data_year"], axis=alt.Axis(labelAngle=0)),
        # the panel header names indicator and unit; the padding keeps the values off the axis and the header
        y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False, padding=16)),
    )
    line = base.mark_line(color=BAR_COLOUR, point=alt.OverlayMarkDef(color=BAR_COLOUR))
    # each value beside its point on the side away from the line: left of the latest year's point
    # (the line comes in from the left), right of the others' (the line leaves to the right)
    text = alt.Text("value:Q", format=",.2f")
    latest = "datum.data_year == {}".format(int(data["data_year"].max()))
    values = alt.layer(
        base.mark_text(align="left", dx=7, fontSize=10).encode(text=text).transform_filter(f"!({latest})"),
        base.mark_text(align="right", dx=-7, fontSize=10).encode(text=text).transform_filter(latest),
    )
    # the indicators side by side in one row: each panel with its own x axis, no empty panel
    chart = (
        alt.layer(line, values, data=data)
        .properties(width=(WIDTH - 60 * len(indicators)) // max(len(indicators), 1), height=150)
        .facet(
            facet=alt.Facet("indicator_label:N", sort=indicators, title=None, header=alt.Header(labelFontSize=12)),
            columns=max(len(indicators), 1),
        )
        .resolve_scale(y="independent")
    )
    return render(chart)


def migration_matrix(data: pd.DataFrame, classes: list[str], titles: dict[str, str]) -> str:
    """Previous class (rows) × this year's class (columns): count and share of the row in each cell.
    data: prev_label, final_label, n, row_share, label (every pair, zeros included)."""
    if data.empty:
        return ""
    base = alt.Chart(data).encode(
        y=alt.Y("prev_label:N", sort=classes, title=titles["prev_class"]),
        x=alt.X("final_label:N", sort=classes, title=titles["final_class"], axis=alt.Axis(orient="top", labelAngle=0)),
    )
    cells = base.mark_rect(stroke="white").encode(
        color=alt.Color(
            "row_share:Q",
            title=titles["row_share"],
            scale=alt.Scale(domain=[0, 1], scheme="blues"),
            # five labels along the gradient: Vega's own six ran together ("80%100%")
            legend=alt.Legend(format="%", values=[0, 0.25, 0.5, 0.75, 1]),
        )
    )
    text = base.mark_text(fontSize=12).encode(
        text=alt.Text("label:N"), color=alt.condition("datum.row_share > 0.5", alt.value("white"), alt.value("black"))
    )
    return render(alt.layer(cells, text).properties(width=WIDTH - 200, height=alt.Step(40)))


def value_bars(data: pd.DataFrame, titles: dict[str, str], value_title: str) -> str:
    """Horizontal bars with their values written beside them. data: item, value, label."""
    if data.empty:
        return ""
    base = alt.Chart(data).encode(y=alt.Y("item:N", sort=list(data["item"]), title=None))
    bars = base.mark_bar(color=BAR_COLOUR).encode(x=alt.X("value:Q", title=titles[value_title]))
    text = base.mark_text(align="left", dx=3, fontSize=10).encode(x="value:Q", text="label:N")
    return render(alt.layer(bars, text).properties(width=WIDTH - 260, height=alt.Step(20)))
