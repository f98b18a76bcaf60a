"""Finding an enterprise (issue 12, item 7): an index of the diagnosis pages, linked from the year
report, lists every enterprise once with its code, township, class and status, links to the
pages that exist, filters by name or code offline, escapes what it shows and shows no tax figure."""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from conftest import U, copy_run
from dagster_project.outputs.enterprise_index import INDEX_PAGE, SEARCH_SCRIPT, write_enterprise_index
from dagster_project.outputs.reports import STYLE

HOSTILE = "<script>alert(1)</script>&\"' =1+1"


class _Rows(HTMLParser):
    """The body rows of the index table: data-key, the cells' text and the links."""

    def __init__(self):
        super().__init__()
        self.rows: list[dict] = []
        self._in_body = self._cell = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tbody":
            self._in_body = True
        elif self._in_body and tag == "tr":
            self.rows.append({"key": attrs.get("data-key"), "cells": [], "links": []})
        elif self._in_body and tag == "td":
            self.rows[-1]["cells"].append("")
            self._cell = True
        elif self._in_body and tag == "a":
            self.rows[-1]["links"].append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body = False
        elif tag == "td":
            self._cell = False

    def handle_data(self, data):
        if self._cell:
            self.rows[-1]["cells"][-1] += data


def _rows(page: Path) -> list[dict]:
    parser = _Rows()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.rows


def test_the_year_report_links_to_the_index(worked):
    folder = worked.export_dir / "2023"
    report = (folder / "评价报告_2023.html").read_text(encoding="utf-8")
    name = INDEX_PAGE.format(year=2023)
    assert f'<a href="{name}">' in report and (folder / name).is_file()


def test_index_lists_every_enterprise_once_linked_to_its_page(worked):
    folder = worked.export_dir / "2023"
    rows = _rows(folder / INDEX_PAGE.format(year=2023))
    expected = worked.query(
        """select c.name, c.uscc, c.township, c.final_class || ' ' || k.label_zh, s.label_zh, c.status,
                  -- why a blocked or out-of-scope enterprise has no page: the labels of its reasons
                  case when c.status <> 'evaluated' then
                      (select string_agg(r.label_zh, '；' order by r.position) from reference.labels r
                       where r.data_year = c.data_year and r.domain = 'status_reason'
                         and list_contains(string_split(c.adjustments, ';'), r.code)) else '' end
           from marts.classification c
           join reference.labels s on s.data_year = c.data_year and s.domain = 'status' and s.code = c.status
           left join reference.labels k on k.data_year = c.data_year and k.domain = 'class' and k.code = c.final_class
           where c.data_year = 2023"""
    )
    assert len(expected) == 17
    usccs = [r["cells"][1] for r in rows]
    assert sorted(usccs) == sorted(e[1] for e in expected)  # every enterprise, exactly once
    by_uscc = {r["cells"][1]: r for r in rows}
    for name, uscc, township, class_label, status_label, status, reasons in expected:
        row = by_uscc[uscc]
        # name, code, township, class, status and why not evaluated: nothing else (no tax, output or land figures)
        assert [c.strip() for c in row["cells"]] == [name, uscc, township, class_label or "", status_label, reasons]
        assert row["key"] == f"{name} {uscc}".lower()
        if status == "evaluated":
            assert row["links"] == [f"diagnosis/{uscc}.html"] and (folder / row["links"][0]).is_file()
        else:
            assert row["links"] == []  # no diagnosis page for blocked or out-of-scope enterprises
    assert sum(bool(r["links"]) for r in rows) == len(list((folder / "diagnosis").glob("*.html"))) == 14
    assert by_uscc[U["癸"]]["cells"][5] == "不属于制造业"  # out of scope, and the page says why
    戊 = by_uscc[U["戊"]]["cells"]
    assert 戊[0] == "示例戊电气有限公司" and 戊[3].startswith("B ")


def test_index_search_box_is_offline_and_filters_by_name_or_code(worked):
    page = (worked.export_dir / "2023" / INDEX_PAGE.format(year=2023)).read_text(encoding="utf-8")
    assert '<input type="search" id="q"' in page
    assert page.count("<script") == 1 and f"<script>{SEARCH_SCRIPT}</script>" in page
    assert "http" not in page and "src=" not in page and "<link" not in page
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the script's behaviour is not run")
    # the script against a minimal DOM of the page's rows: typing part of a name or of a code
    keys = [r["key"] for r in _rows(worked.export_dir / "2023" / INDEX_PAGE.format(year=2023))]
    harness = (
        "var rows=" + json.dumps(keys) + ".map(function(k){return {hidden:false,getAttribute:function(){return k;}};});"
        "var q={value:'',addEventListener:function(e,f){q.fire=f;}},shown={textContent:''};"
        "var document={getElementById:function(id){return id==='q'?q:shown;},querySelectorAll:function(){return rows;}};"
        + SEARCH_SCRIPT
        + "var out=[];['戊电气',' "
        + U["戊"][-6:].upper()
        + " ','','不存在的企业'].forEach(function(v){q.value=v;q.fire();out.push([shown.textContent,"
        "rows.filter(function(r){return !r.hidden;}).map(function(r){return r.getAttribute();})]);});"
        "console.log(JSON.stringify(out));"
    )
    result = json.loads(subprocess.run([node, "-e", harness], capture_output=True, text=True, check=True).stdout)
    戊 = f"示例戊电气有限公司 {U['戊']}".lower()
    assert result[0] == [1, [戊]] and result[1] == [1, [戊]]  # by name; by code, any case, spaces trimmed
    assert result[2][0] == len(keys) and result[3] == [0, []]


def test_index_escapes_hostile_names(worked, tmp_path):
    run = copy_run(worked, tmp_path)
    with duckdb.connect(str(run.warehouse)) as conn:
        conn.execute("update marts.classification set name = ?, township = ? where uscc = ?", [HOSTILE, "<b>镇</b>", U["戊"]])
        (tmp_path / "out").mkdir()
        page = write_enterprise_index(conn, 2023, tmp_path / "out", STYLE)
    text = page.read_text(encoding="utf-8")
    assert "<script>alert" not in text and "<b>镇" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&amp;&#34;&#39; =1+1" in text and "&lt;b&gt;镇&lt;/b&gt;" in text
    assert text.count("<script") == 1  # the page's own search script only
    row = next(r for r in _rows(page) if r["cells"][1] == U["戊"])
    assert row["cells"][0] == HOSTILE and row["key"] == f"{HOSTILE} {U['戊']}".lower()  # shown as typed, as text


def test_no_index_and_no_link_when_the_pages_are_not_written(worked, tmp_path, monkeypatch):
    from dagster_project.outputs import reports

    monkeypatch.setattr(reports, "DIAGNOSIS_PAGE_LIMIT", 13)  # the worked example has 14 evaluated enterprises
    with duckdb.connect(str(worked.warehouse), read_only=True) as conn:
        reports.write_diagnoses(conn, 2023, tmp_path)
        report = reports.write_year_report(conn, 2023, tmp_path).read_text(encoding="utf-8")
    assert not (tmp_path / "2023" / INDEX_PAGE.format(year=2023)).exists()
    assert INDEX_PAGE.format(year=2023) not in report and (tmp_path / "2023" / "diagnosis" / "说明.txt").is_file()


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links.append(dict(attrs)["href"])


def _links(page: Path) -> list[str]:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.links


def test_the_pages_of_a_year_link_to_one_another_and_every_link_finds_its_file(worked):
    """The report links to the index and to each department's data-quality report, the index to the
    report and to the diagnosis pages, each diagnosis page back to the index; no link is broken."""
    from urllib.parse import unquote

    folder = worked.export_dir / "2023"
    pages = sorted(folder.rglob("*.html"))
    for page in pages:
        for link in _links(page):
            assert "://" not in link and (page.parent / unquote(link)).resolve().is_file(), (page.name, link)
    report = _links(folder / "评价报告_2023.html")
    departments = sorted(p.name for p in (folder / "data_quality").glob("*.html"))
    assert sorted(link.removeprefix("data_quality/") for link in report if link.startswith("data_quality/")) == departments
    assert INDEX_PAGE.format(year=2023) in report
    assert "评价报告_2023.html" in _links(folder / INDEX_PAGE.format(year=2023))
    diagnosis = folder / "diagnosis" / f"{U['甲']}.html"
    assert _links(diagnosis) == [f"../{INDEX_PAGE.format(year=2023)}"]


def test_a_value_without_spaces_wraps_within_its_cell_and_codes_stay_whole(worked):
    """A name or value with nowhere to break (a long run of Latin letters, a URL typed into a
    number column) must wrap inside its cell, not widen the table past the printed page: every
    page breaks such text anywhere, except numbers and codes, kept on one line."""
    folder = worked.export_dir / "2023"
    for page in sorted(folder.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        body = text[text.index("body{") : text.index("}", text.index("body{"))]
        assert "overflow-wrap:anywhere" in body, page.name
        assert "white-space:nowrap" in text and "th,td{min-width:4em}" in text, page.name
    rows = _rows(folder / INDEX_PAGE.format(year=2023))
    assert 'class="code">91411303' in (folder / INDEX_PAGE.format(year=2023)).read_text(encoding="utf-8") and rows
