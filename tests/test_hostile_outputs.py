"""Adversarial tests of the outputs (issue 10, RULES §10): hostile text never becomes a formula, a
link or markup in anything mujun writes, and a run that fails publishes nothing."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import shutil
from pathlib import Path

import pytest
from dagster import Failure
from markupsafe import escape
from openpyxl import load_workbook

from conftest import Run, U, copy_run, copy_worked, run_pipeline
from dagster_project import exit_status
from dagster_project.evaluate import evaluate, export
from dagster_project.outputs import staging
from dagster_project.outputs.enterprise_index import SEARCH_SCRIPT
from dagster_project.outputs.published_copy import published_path

pytestmark = pytest.mark.heavy  # scheduled first: see tests/conftest.py

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")
SCRIPT = "<script>alert(1)</script>&\"'"

# Enterprise names and townships as a hostile (or careless) department might type them. 甲…丁 and
# 戊 stay evaluated, so they reach the public notice, the workbooks and the diagnosis pages.
NAMES = {
    "甲": '=HYPERLINK("http://x","y")',
    "乙": "@SUM(1)",
    "丙": "-2+3",
    "丁": "+1-1 制造有限公司",
    "戊": SCRIPT,
    "庚": "=1+1 包装有限公司",
    "小一": "@小一 公司",
    # a right-to-left override copied with a name, never ended: it turned the rest of its line around
    "辛": "\u202e示例辛纺织有限公司\u2067",
    # a name with nowhere to break a line
    "小三": "LONGNAME" + "ABCDEFGHIJ" * 29,
}
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
TOWNSHIPS = {"甲": "=1+1", "乙": "@A1", "丙": "-乡", "小一": "+镇", "戊": "<b>镇</b>&\"'", "小二": "\t-镇"}
# overrides.csv: uscc, final_class, reason, approved_by, approved_on
OVERRIDES = [
    (U["己"], "C", "=cmd|' /C calc'!A0", "@区委、区政府", "2024-04-20"),
    (U["丑"], "A", "-异议复核+1", "+区政府", "2024-04-21"),
    (U["小二"], "A", "\t=SUM(1)复核", "=区委", "2024-04-22"),
]


def _rewrite(path: Path, change) -> None:
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    rows = change(rows) or rows
    header = list(rows[0])
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def _plant(raw: Path) -> None:
    folder = raw / "2023"
    by_uscc = {u: n for n, u in U.items()}

    def statistics(rows):
        for row in rows:
            short = by_uscc.get(row["uscc"])
            row["name"] = NAMES.get(short, row["name"])
            row["township"] = TOWNSHIPS.get(short, row["township"])

    _rewrite(folder / "statistics.csv", statistics)
    # values that end up in dq_issues.csv and the departments' reports: a USCC that fails its
    # check, a number that is a formula, a title and a level of an honor that are formulas
    _rewrite(folder / "tax.csv", lambda rows: rows + [{"uscc": '=HYPERLINK("http://x","y")', "tax_paid": "1", "credit_rating_d": "否"}])
    _rewrite(
        folder / "science_tech.csv",
        lambda rows: rows + [{"uscc": U["辛"], "rd_expense": "-1+1", "new_invention_patents": "@1", "hitech": "否", "rd_platform": "无"}],
    )
    _rewrite(folder / "honors.csv", lambda rows: rows + [{"uscc": U["甲"], "title": "@title", "level": "=省级", "year": "2023"}])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["uscc", "final_class", "reason", "approved_by", "approved_on"])
    writer.writerows(OVERRIDES)
    (folder / "overrides.csv").write_text(out.getvalue(), encoding="utf-8")
    # a file outside the contract whose name is a formula (named in dq_issues.csv as a warning)
    shutil.copy(folder / "honors.csv", folder / "=1+2.csv")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Run:
    tmp = tmp_path_factory.mktemp("hostile")
    raw = copy_worked(tmp / "raw")
    _plant(raw)
    return run_pipeline(tmp, raw)


def _files(folder: Path, suffix: str) -> list[Path]:
    return sorted(p for p in folder.rglob(f"*{suffix}") if p.is_file())


def _csv_rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def test_the_hostile_run_finished(hostile):
    assert hostile.status == 3, "done, not publishable (blocked enterprises)"
    statuses = dict(hostile.query("select name, status from marts.classification where data_year = 2023"))
    for name in ('=HYPERLINK("http://x","y")', "@SUM(1)", "-2+3", SCRIPT):
        assert statuses[name] == "evaluated"


def test_no_cell_of_any_workbook_is_a_formula_or_a_link(hostile):
    books = _files(hostile.export_dir, ".xlsx")
    assert {"亩均效益评价结果_2023.xlsx", "公示名单_2023.xlsx", "变更对比_2023.xlsx"} <= {p.name for p in books}
    assert len([p for p in books if p.parent.name == "data_quality"]) >= 12  # one per department
    strings = set()
    for path in books:
        for sheet in load_workbook(path).worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"{path.name} {sheet.title}!{cell.coordinate}: {cell.value!r}"
                    assert cell.hyperlink is None, f"{path.name} {sheet.title}!{cell.coordinate}"
                    if isinstance(cell.value, str):
                        strings.add(cell.value)
    # the hostile text is kept, as text, exactly as delivered (the 调档情况 sheet gives an approval
    # as "reason（approving body，date）", a string cell that starts with the reason as delivered)
    for value in [*NAMES.values(), "=1+1", "@A1", "-乡"]:
        assert value in strings, value
    for _, _, reason, approved_by, approved_on in OVERRIDES:  # (a cell's surrounding blanks are not data)
        assert f"{reason.strip()}（{approved_by}，{approved_on}）" in strings, reason


def test_public_notice_workbook_shows_names_as_text(hostile):
    sheet = load_workbook(hostile.export_dir / "2023" / "公示名单_2023.xlsx")["公示名单"]
    rows = {r[1]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows['=HYPERLINK("http://x","y")'][2:] == ("=1+1", "A")
    assert rows["-2+3"][2] == "-乡" and rows["@SUM(1)"][2] == "@A1"


def test_every_csv_cell_that_starts_like_a_formula_is_written_as_text(hostile):
    found = 0
    for path in _files(hostile.export_dir, ".csv"):
        for line, row in enumerate(_csv_rows(path), start=1):
            for cell in row:
                if cell.startswith(FORMULA_STARTS):
                    assert NUMBER.fullmatch(cell), f"{path.name} line {line}: {cell!r}"
                if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS):
                    found += 1
    assert found >= 15


def test_csv_files_keep_the_hostile_text_behind_a_quote(hostile):
    classification = hostile.csv("classification.csv").set_index("uscc")
    assert classification.loc[U["甲"], "name"] == '\'=HYPERLINK("http://x","y")'
    assert classification.loc[U["甲"], "township"] == "'=1+1"
    assert classification.loc[U["乙"], "name"] == "'@SUM(1)"
    assert classification.loc[U["丙"], ["name", "township"]].tolist() == ["'-2+3", "'-乡"]
    assert classification.loc[U["丁"], "name"] == "'+1-1 制造有限公司"
    assert classification.loc[U["戊"], "name"] == SCRIPT
    assert classification.loc[U["己"], "final_class"] == "C"  # the override applied
    notice = {r[1]: r for r in _csv_rows(hostile.export_dir / "2023" / "公示名单_2023.csv")[1:]}
    assert notice['\'=HYPERLINK("http://x","y")'][2:] == ["'=1+1", "A"]
    assert notice["'@小一 公司"][2] == "'+镇"
    issues = hostile.csv("dq_issues.csv")
    assert any(u.upper() == '\'=HYPERLINK("HTTP://X","Y")' for u in issues["uscc"])  # the bad USCC, as text
    assert any("-1+1" in m for m in issues["message"])


def test_html_pages_escape_what_they_show(hostile):
    folder = hostile.export_dir / "2023"
    pages = _files(folder, ".html")
    for page in pages:
        # the one script of the outputs is the index page's fixed search script (no data in it)
        text = page.read_text(encoding="utf-8").replace(f"<script>{SEARCH_SCRIPT}</script>", "", 1)
        assert "<script" not in text and "<b>镇" not in text, page.name
    diagnosis = (folder / "diagnosis" / f"{U['戊']}.html").read_text(encoding="utf-8")
    assert str(escape(SCRIPT)) in diagnosis  # &lt;script&gt;alert(1)&lt;/script&gt;&amp;&#34;&#39;
    assert str(escape(TOWNSHIPS["戊"])) in diagnosis
    report = (folder / "评价报告_2023.html").read_text(encoding="utf-8")
    assert "&lt;b&gt;镇&lt;/b&gt;&amp;" in report  # the township chart's label
    # no control of writing direction reaches a page: the name shows without it
    assert not [page.name for page in pages if BIDI_CONTROLS.search(page.read_text(encoding="utf-8"))]
    assert "<h1>示例辛纺织有限公司 · 2023年度" in (folder / "diagnosis" / f"{U['辛']}.html").read_text(encoding="utf-8")


def test_csv_files_for_people_carry_a_bom_and_the_machine_contracts_do_not(hostile):
    folder = hostile.export_dir / "2023"
    for name in ("dq_issues.csv", "公示名单_2023.csv"):
        assert (folder / name).read_bytes().startswith(b"\xef\xbb\xbf"), name
    for name in ("classification.csv", "benchmarks.csv"):
        assert not (folder / name).read_bytes().startswith(b"\xef\xbb\xbf"), name
    assert (folder / "dq_issues.csv").read_bytes()[3:].startswith(b"department,file,line,uscc,check,severity,message")


def test_the_shared_csv_writer_neutralises_every_formula_start_in_text_columns_only(tmp_path):
    import duckdb

    from dagster_project.outputs.safe_files import write_csv

    texts = ["=1+2", "+1", "-2+3", "@SUM(1)", "\tx", "\ry", "'=already", "普通", None]
    with duckdb.connect() as conn:
        conn.execute("create table t (position integer, text varchar, number double)")
        conn.executemany("insert into t values (?, ?, ?)", [[i, t, -1.5 * i] for i, t in enumerate(texts)])
        rows = write_csv(conn, "select text, number from t order by position desc", tmp_path / "out.csv", bom=True)
    assert rows == len(texts)
    data = (tmp_path / "out.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbftext,number\n")
    assert not (tmp_path / ".out.csv.part").exists()
    written = _csv_rows(tmp_path / "out.csv")[1:]
    assert [r[0] for r in written] == ["", "普通", "'=already", "'\ry", "'\tx", "'@SUM(1)", "'-2+3", "'+1", "'=1+2"]
    assert [r[1] for r in written][-2:] == ["-1.5", "-0.0"]  # numbers stay numbers, in the query's order


# --- nothing published from a failed run ------------------------------------------------------


def _tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def _leftovers(run: Run) -> list[str]:
    places = [run.export_dir, published_path(run.warehouse).parent]
    return sorted(str(p) for place in places for p in place.rglob("*") if re.search(r"\.(partial|old|part|previous)$", p.name))


def _published(run: Run) -> tuple[dict[str, str], str]:
    return _tree(run.export_dir), hashlib.sha256(published_path(run.warehouse).read_bytes()).hexdigest()


def test_a_failure_during_export_publishes_nothing(hostile, tmp_path, monkeypatch, capsys):
    before = copy_run(hostile, tmp_path / "run")
    published = _published(before)
    # a correction that changes outputs, then a writer that fails once the marts are rebuilt
    _rewrite(
        before.raw_dir / "2023" / "statistics.csv", lambda rows: [r | {"name": "改名后的企业"} if r["uscc"] == U["乙"] else r for r in rows]
    )

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("dagster_project.outputs.reports.year_charts", disk_full)
    after = run_pipeline(tmp_path / "run", before.raw_dir)
    assert after.status == 1
    assert "运行失败 / run failed: 磁盘空间不足 / [Errno 28] No space left on device" in capsys.readouterr().out
    assert after.one("select name from marts.classification where uscc = ?", [U["乙"]]) == "改名后的企业"  # dbt did run
    assert _published(after) == published
    assert _leftovers(after) == []


def test_a_step_that_fails_beside_the_exports_publishes_nothing(hostile, tmp_path, monkeypatch):
    """A run launched from the Dagster UI, the schedule or the sensor goes on with the steps that
    do not depend on a failed one: the whole-file check (Great Expectations) fails unexpectedly,
    the exports are still written, but the last step publishes nothing and says which step failed.
    (`mujun evaluate` stops at the first failure.)"""
    from dagster import DagsterInstance

    from dagster_project.definitions import build_definitions
    from dagster_project.defs.resources import Locations, Warehouse

    before = copy_run(hostile, tmp_path / "run")
    published = _published(before)
    _rewrite(
        before.raw_dir / "2023" / "statistics.csv", lambda rows: [r | {"name": "改名后的企业"} if r["uscc"] == U["乙"] else r for r in rows]
    )

    def broken(*args, **kwargs):
        raise RuntimeError("Great Expectations broke")

    monkeypatch.setattr("dagster_project.defs.raw_assets.validate_delivery", broken)
    defs = build_definitions(
        Warehouse(path=str(before.warehouse)), Locations(raw_dir=str(before.raw_dir), export_dir=str(before.export_dir))
    )
    result = defs.resolve_job_def("evaluate_data_year").execute_in_process(
        partition_key="2023", instance=DagsterInstance.ephemeral(), raise_on_error=False
    )
    failed = {e.step_key: e.step_failure_data.error.message for e in result.all_events if e.is_step_failure}
    assert set(failed) == {"delivery_expectations", "published__outputs"}
    assert "本次运行中“整份文件检查（Great Expectations）”失败，结果不发布" in failed["published__outputs"]
    assert any(e.is_step_success and e.step_key == "exports" for e in result.all_events)  # written, not published
    tree, copy = _published(before)
    assert ({k: v for k, v in tree.items() if not k.startswith(".")}, copy) == published  # (what it staged aside)
    # the next run clears what this one left
    monkeypatch.undo()
    assert run_pipeline(tmp_path / "run", before.raw_dir).status == 3
    assert _leftovers(before) == [] and not list(before.export_dir.glob(".*"))


@pytest.mark.parametrize("failing", ["the analysts' copy", "the record of the run"])
def test_a_failure_after_the_outputs_are_swapped_in_puts_the_previous_ones_back(hostile, tmp_path, monkeypatch, capsys, failing):
    """The exports are swapped in first, then the analysts' copy, then the run is recorded: if
    either of the last two fails, the outputs and the copy the run replaced come back."""
    before = copy_run(hostile, tmp_path / "run")
    published = _published(before)
    _rewrite(
        before.raw_dir / "2023" / "statistics.csv", lambda rows: [r | {"name": "改名后的企业"} if r["uscc"] == U["乙"] else r for r in rows]
    )
    if failing == "the analysts' copy":
        # the copy's name taken by a folder (on Windows: the copy open in an analyst's program)
        copy = published_path(before.warehouse)
        copy.rename(tmp_path / "copy")
        copy.mkdir()
    else:

        def disk_full(*args, **kwargs):
            raise OSError(28, "No space left on device")

        monkeypatch.setattr("dagster_project.defs.export_assets.run_log.finished", disk_full)
    after = run_pipeline(tmp_path / "run", before.raw_dir)
    assert after.status == 1
    assert "运行失败 / run failed" in capsys.readouterr().out
    if failing == "the analysts' copy":
        assert copy.is_dir()
        copy.rmdir()
        (tmp_path / "copy").rename(copy)
    assert _published(after) == published
    assert _leftovers(after) == []


def test_a_failing_ingestion_publishes_nothing(hostile, tmp_path):
    before = copy_run(hostile, tmp_path / "run")
    published = _published(before)
    _rewrite(before.raw_dir / "2023" / "tax.csv", lambda rows: [{k: v for k, v in r.items() if k != "tax_paid"} for r in rows])
    after = run_pipeline(tmp_path / "run", before.raw_dir)
    assert after.status == 2
    assert _published(after) == published
    assert _leftovers(after) == []


def test_a_failed_export_leaves_the_outputs_and_clears_what_crashed_runs_left(hostile, tmp_path, monkeypatch):
    run = copy_run(hostile, tmp_path / "run")
    published = _published(run)
    # earlier runs that crashed: one in the middle of its swap (the published folder renamed
    # aside), others with staging folders and an analysts' copy half written
    crashed = "0b3e6a8e-1111-4c4c-9d9d-000000000001"
    (run.export_dir / "2023").rename(run.export_dir / f".2023.{crashed}.old")
    (run.export_dir / f".2023.{crashed}.partial" / "2023").mkdir(parents=True)
    (run.export_dir / f".2023.{crashed}.partial" / "2023" / "classification.csv").write_text("uscc\n", encoding="utf-8")
    published_path(run.warehouse).with_name(f".mujun.duckdb.{crashed}.partial").write_bytes(b"half")

    def broken(*args, **kwargs):
        raise RuntimeError("writer bug")

    monkeypatch.setattr("dagster_project.outputs.workbook.write_csv", broken)
    assert export(2023, run.export_dir, run.warehouse) == 1
    assert _tree(run.export_dir) == published[0]  # the crashed swap was undone, nothing else changed
    assert _published(run) == published

    monkeypatch.undo()
    assert export(2023, run.export_dir, run.warehouse) == 0
    assert _leftovers(run) == []
    now = _tree(run.export_dir)
    assert set(now) == set(published[0]) and now["2023/classification.csv"] == published[0]["2023/classification.csv"]


# --- the staging folder, without a pipeline ---------------------------------------------------


def _stage(export_dir: Path, run_id: str, files: dict[str, str], exports=("csv",)) -> Path:
    root = staging.begin(export_dir, 2023, run_id, lambda _: False)
    for name, text in files.items():
        (root / "2023" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "2023" / name).write_text(text, encoding="utf-8")
    for export_name in exports:
        staging.mark_done(root, export_name, sorted(files))
    return root


def _outputs_of_an_earlier_run(export_dir: Path) -> None:
    (export_dir / "2023").mkdir()
    for name in ("classification.csv", "dq_issues.csv"):
        (export_dir / "2023" / name).write_text("old", encoding="utf-8")
    (export_dir / "2023" / "stale.xlsx").write_text("from an older run", encoding="utf-8")


def test_swap_replaces_the_whole_year_folder(tmp_path):
    _outputs_of_an_earlier_run(tmp_path)
    _stage(tmp_path, "run-1", {"classification.csv": "new"})
    staging.swap_in(tmp_path, 2023, "run-1", ["csv"])
    assert _tree(tmp_path / "2023") == {"classification.csv": hashlib.sha256(b"new").hexdigest()}
    staging.finish_swap(tmp_path, 2023, "run-1")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2023"]


def test_a_swap_undone_puts_the_earlier_folder_back(tmp_path):
    _outputs_of_an_earlier_run(tmp_path)
    earlier = _tree(tmp_path / "2023")
    _stage(tmp_path, "run-1", {"classification.csv": "new"})
    staging.swap_in(tmp_path, 2023, "run-1", ["csv"])
    staging.swap_back(tmp_path, 2023, "run-1")
    assert _tree(tmp_path / "2023") == earlier
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2023"]


def test_a_folder_that_holds_no_outputs_is_never_replaced(tmp_path):
    """The deliveries given as the export folder, or a folder of the user's that happens to be
    named after the year: replacing it would delete it."""
    deliveries = tmp_path / "2023"
    deliveries.mkdir()
    (deliveries / "tax.csv").write_text("uscc,tax_paid\n", encoding="utf-8")
    _stage(tmp_path, "run-1", {"classification.csv": "new", "dq_issues.csv": "new"})
    with pytest.raises(Failure, match="不是 mujun 写出的结果") as error:
        staging.swap_in(tmp_path, 2023, "run-1", ["csv"])
    assert exit_status.of_error(error.value) == exit_status.INPUT_UNUSABLE
    assert sorted(p.name for p in deliveries.iterdir()) == ["tax.csv"]
    # a file where the folder goes is not replaced either; nothing there, or an empty folder, is
    (tmp_path / "2024").write_text("notes", encoding="utf-8")
    with pytest.raises(Failure, match="不是 mujun 写出的结果"):
        staging.refuse_foreign_folder(tmp_path / "2024")
    (tmp_path / "2025").mkdir()
    staging.refuse_foreign_folder(tmp_path / "2025")
    staging.refuse_foreign_folder(tmp_path / "2026")


def test_swap_refuses_a_run_that_did_not_write_every_export(tmp_path):
    (tmp_path / "2023").mkdir()
    (tmp_path / "2023" / "classification.csv").write_text("old", encoding="utf-8")
    _stage(tmp_path, "run-1", {"classification.csv": "new"}, exports=("csv",))
    with pytest.raises(RuntimeError, match="缺少 workbook"):
        staging.swap_in(tmp_path, 2023, "run-1", ["csv", "workbook"])
    assert (tmp_path / "2023" / "classification.csv").read_text(encoding="utf-8") == "old"
    staging.discard(tmp_path, 2023, "run-1")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2023"]


def test_leftovers_of_a_running_run_and_of_other_years_are_kept(tmp_path):
    _stage(tmp_path, "other-run", {"a.csv": "x"})
    (tmp_path / ".2022.run-of-2022.partial").mkdir()
    staging.begin(tmp_path, 2023, "this-run", lambda run_id: run_id == "other-run")
    assert (tmp_path / ".2023.other-run.partial").is_dir()
    staging.discard(tmp_path, 2023, "this-run")
    staging.begin(tmp_path, 2023, "next-run", lambda run_id: False)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".2022.run-of-2022.partial", ".2023.next-run.partial"]


# --- one shared writer ------------------------------------------------------------------------

PROJECT = Path(__file__).parents[1] / "dagster_project"
SHARED_WRITER = PROJECT / "outputs" / "safe_files.py"
# Files that write CSV on purpose, outside the exports, and what they write with: departmental
# input files, where a leading `'` would change the data a department delivered. The sample
# generator writes a fictional district's deliveries; `mujun verify` writes the frozen deliveries
# of a publication back as the files it recomputes from.
WRITES_INPUTS = {PROJECT / "generate.py": ["csv.writer"], PROJECT / "verify.py": ["COPY … TO"]}
WRITERS = {
    "xlsxwriter": re.compile(r"\b(import|from)\s+xlsxwriter\b|\bxlsxwriter\.[A-Za-z_]"),
    "a Workbook": re.compile(r"\bWorkbook\s*\("),
    "to_excel": re.compile(r"\.to_excel\s*\("),
    "to_csv": re.compile(r"\.to_csv\s*\("),
    "write_csv of a relation": re.compile(r"\.write_csv\s*\("),
    "csv.writer": re.compile(r"\bcsv\s*\.\s*(writer|DictWriter)\b"),
    # COPY (query) TO 'file' or COPY table TO 'file', also across adjacent string literals ("… ) " f"to …")
    "COPY … TO": re.compile(r"(?is)\bcopy\s*(\((?:(?!\bcopy\b).){0,3000}?\)|[\w.\"]+)[\s\"'rfb]*?\bto\s+['\"{]"),
}


def _writers(text: str) -> list[str]:
    return [name for name, pattern in WRITERS.items() if pattern.search(text)]


def test_the_writer_scan_finds_every_kind_of_writer():
    assert _writers("""conn.execute(f"copy ({query}) to '{target}' (header)")""") == ["COPY … TO"]
    assert _writers("""conn.execute(f'''COPY (\n select *\n from t where x = (1)\n) TO {path}''')""") == ["COPY … TO"]
    assert _writers("conn.execute(\"copy marts.classification to 'x.csv'\")") == ["COPY … TO"]
    assert _writers("""conn.execute(f"copy (select * from t order by line) "\n             f"to '{target}' (header)")""") == ["COPY … TO"]
    assert _writers("frame.to_csv(path)") == ["to_csv"]
    assert _writers("rel.write_csv('x.csv')") == ["write_csv of a relation"]
    assert _writers("w = csv.writer(f)") == ["csv.writer"]
    assert _writers("import xlsxwriter") == ["xlsxwriter"]
    assert _writers("book = xlsxwriter.Workbook(path)") == ["xlsxwriter", "a Workbook"]
    assert _writers('"""Readable sheets with xlsxwriter."""') == []
    assert _writers("from openpyxl import Workbook\nbook = Workbook()") == ["a Workbook"]
    assert _writers("# a normalised UTF-8 copy of the file, to be read\nread_csv('x')") == []
    assert _writers("conn.execute(\"copy raw.tax from 'x.csv'\")") == []


def test_only_the_shared_writer_writes_csv_files_and_workbooks():
    assert SHARED_WRITER.is_file()
    offenders = []
    for path in sorted(PROJECT.rglob("*.py")):
        if path == SHARED_WRITER:
            continue
        found = _writers(path.read_text(encoding="utf-8"))
        if found and found != WRITES_INPUTS.get(path):
            offenders.append(f"{path.relative_to(PROJECT)}: {', '.join(found)}")
    assert offenders == [], "write through dagster_project/outputs/safe_files.py: " + "; ".join(offenders)
    for path, kinds in WRITES_INPUTS.items():
        assert _writers(path.read_text(encoding="utf-8")) == kinds, path  # the exceptions are still true


def test_an_export_folder_that_would_delete_deliveries_or_other_files_is_refused_before_the_run(tmp_path, capsys, worked):
    """Publishing replaces <export-dir>/<year>/ as a whole. A command that names the delivery
    folder (or one around it, or inside it) as the export folder, or an export folder whose
    <year>/ holds something else, stops at once (exit 2) and deletes nothing."""
    raw = copy_worked(tmp_path / "raw")
    delivered = _tree(raw / "2023")
    inside = copy_worked(tmp_path / "out" / "2023" / "deliveries")
    mine = tmp_path / "mine" / "2023"
    mine.mkdir(parents=True)
    (mine / "笔记.txt").write_text("the user's own notes", encoding="utf-8")
    warehouse = tmp_path / "w.duckdb"
    kept_inside = tmp_path / "kept" / "2023" / "warehouse" / "mujun.duckdb"
    for raw_dir, export_dir, says, held in [
        (raw, raw, "重叠", warehouse),  # the delivery folder itself
        (raw, raw / "2023", "重叠", warehouse),  # inside the deliveries
        (inside, tmp_path / "out", "重叠", warehouse),  # the deliveries inside <export-dir>/2023
        (raw, tmp_path / "mine", "不是 mujun 写出的结果", warehouse),
        # the warehouse inside <export-dir>/2023, which publishing replaces as a whole
        (raw, tmp_path / "kept", "数据仓库 ", kept_inside),
        (raw, tmp_path / "out", "位于输出文件夹", tmp_path / "out" / "2023" / "mujun.duckdb"),
    ]:
        assert evaluate(year=2023, raw_dir=raw_dir, export_dir=export_dir, warehouse=held) == 2, export_dir
        out = capsys.readouterr().out
        assert "输入无法使用 / input unusable" in out and says in out, out
    assert not warehouse.exists() and not kept_inside.exists()  # nothing ran
    assert _tree(raw / "2023") == delivered and _tree(inside / "2023") == delivered
    assert sorted(p.name for p in mine.iterdir()) == ["笔记.txt"]
    # mujun export refuses the foreign folder too, and a warehouse inside the output folder
    assert export(2023, tmp_path / "mine", warehouse) == 2
    capsys.readouterr()
    shutil.copytree(worked.warehouse.parent, kept_inside.parent)  # an evaluated warehouse (with its WAL)
    assert export(2023, tmp_path / "kept", kept_inside) == 2
    assert "位于输出文件夹" in capsys.readouterr().out and not (tmp_path / "kept" / "2023" / "classification.csv").exists()


def test_pages_drop_control_characters_and_escape_the_rest():
    """A name typed with a control character (\\x01, a vertical tab) shows without it on every
    page; markup stays escaped, a chart's SVG stays markup; tab and line feed stay."""
    from markupsafe import Markup

    from dagster_project.outputs import dq_reports, enterprise_index, html_pages, reports

    page = html_pages.environment().from_string("{{ name }}|{{ svg }}|{{ n }}")
    shown = page.render(name="示例\x01甲\x0b<b>公司</b>\x7f\t\n", svg=Markup("<svg><text>\x02乙</text></svg>"), n=3)
    assert shown == "示例甲&lt;b&gt;公司&lt;/b&gt;\t\n|<svg><text>乙</text></svg>|3"
    # every page of mujun is written through it
    for template in (reports._env, enterprise_index._env, dq_reports._PAGE.environment):
        assert template.finalize is html_pages.environment().finalize and template.autoescape
