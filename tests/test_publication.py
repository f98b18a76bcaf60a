"""Publishing freezes a year; `mujun verify` recomputes it from what was frozen (RULES §10, issue:
trust). The worked example is not publishable (blocked enterprises): it is published with --force."""

from __future__ import annotations

import duckdb
import pytest

from conftest import U, copy_run, run_pipeline
from dagster_project.publish import NotPublishable, publish
from dagster_project.verify import verify

pytestmark = pytest.mark.heavy  # scheduled first: see tests/conftest.py


@pytest.fixture(scope="module")
def published(tmp_path_factory, worked):
    run = copy_run(worked, tmp_path_factory.mktemp("publication"))
    assert run.status == 3
    with pytest.raises(NotPublishable, match="--force"):
        publish(run.warehouse, 2023)
    with pytest.raises(NotPublishable):
        publish(run.warehouse, 2023, force=True, reason="  ")
    assert not run.query("select * from information_schema.tables where table_schema = 'publications'")
    run.record = publish(run.warehouse, 2023, force=True, reason="异议期内先行公示")
    return run


def test_a_year_that_is_not_publishable_is_published_only_with_force_and_a_reason(published):
    """(The refusals without --force or without a reason are in the fixture: nothing was written.)"""
    record = published.record
    assert record["forced"] and record["force_reason"] == "异议期内先行公示"
    assert published.one("select forced, force_reason from publications.runs where publication_id = ?", [record["publication_id"]]) == (
        True,
        "异议期内先行公示",
    )
    # what verify recomputes from is frozen with it
    frozen = dict(published.query("select extract, load_id from publications.inputs where publication_id = ?", [record["publication_id"]]))
    assert set(frozen) >= {"statistics", "tax", "land_parcels"}
    tables = {
        t
        for (t,) in published.query("select table_name from publications.rule_tables where publication_id = ?", [record["publication_id"]])
    }
    assert {"indicator_points", "bonus_points", "class_cutoffs", "extract_columns"} <= tables
    frozen_results = {t for (t,) in published.query("select table_name from information_schema.tables where table_schema = 'publications'")}
    assert {"classification", "benchmarks", "enterprise_rewards", "township_rewards", "previous_classification"} <= frozen_results
    assert published.one("select count(*) from publications.classification where publication_id = ?", [record["publication_id"]]) == 17


def test_verify_recomputes_from_what_was_frozen_and_names_each_difference_on_its_own_line(published, tmp_path, monkeypatch, capsys):
    """After publication everything moved on:
    - the publication's own results were edited (as a code change or a hand edit would): the
      recomputation from the frozen inputs and rules does not give them, one line per difference;
    - the project's rule tables were edited in place (a row in force for 2023, which the README
      says never to do), a corrected tax.csv was evaluated and a rule row in force for the year was
      edited in the working warehouse: the recomputation does not see any of it (it uses what was
      frozen), and the differences of the working warehouse are named one per line.
    (A recomputation that reproduces a publication exactly: tests/test_rules_and_labels_follow.py.)"""
    import shutil

    import dagster_project.verify as verify_module

    pid = published.one("select publication_id from publications.runs order by published_at desc limit 1")
    with duckdb.connect(str(published.warehouse)) as conn:
        conn.execute("update publications.classification set final_class = 'A' where publication_id = ? and uscc = ?", [pid, U["乙"]])
        conn.execute("update publications.benchmarks set value = value + 1 where publication_id = ? and indicator = 'tax_per_mu'", [pid])

    seeds = tmp_path / "seeds"
    shutil.copytree(verify_module.SEEDS_DIR, seeds)
    points = seeds / "indicator_points.csv"
    edited = points.read_text(encoding="utf-8").replace("above,tax_per_mu,40,48,", "above,tax_per_mu,45,54,")
    assert edited != points.read_text(encoding="utf-8")
    points.write_text(edited, encoding="utf-8")
    monkeypatch.setattr(verify_module, "SEEDS_DIR", seeds)

    tax = published.raw_dir / "2023" / "tax.csv"
    lines = tax.read_text(encoding="utf-8").splitlines()
    # 甲 paid far less tax in the corrected delivery
    lines = [f"{U['甲']},1,否" if line.startswith(U["甲"]) else line for line in lines]
    tax.write_text("\n".join(lines) + "\n", encoding="utf-8")
    capsys.readouterr()
    rerun = run_pipeline(published.export_dir.parent, published.raw_dir)
    assert rerun.status == 3
    # the evaluation says that the year was published and that its results now differ
    assert f"2023 年度已发布（{pid}），本次结果与发布的不同" in capsys.readouterr().out
    with duckdb.connect(str(published.warehouse)) as conn:
        conn.execute("update rules.indicator_points set cap_points = cap_points + 1 where scale = 'below' and indicator = 'tax_per_mu'")

    result = verify(published.warehouse, 2023)
    assert result.recompute_failure is None and not result.same
    # the recomputation: the edited publication rows, and nothing of what changed since
    enterprise = [line for line in result.recomputed if line.startswith("企业 / enterprise ")]
    assert len(enterprise) == 1 and U["乙"] in enterprise[0] and "final_class: A →" in enterprise[0]
    assert [line for line in result.recomputed if line.startswith("基准值 / benchmark tax_per_mu：")]
    assert [line for line in result.recomputed if not line.startswith(("企业 / enterprise ", "基准值 / benchmark "))] == []
    # the working warehouse: each line says in Chinese first what differs
    assert [line for line in result.current if line.startswith("报送文件 / delivery tax：发布后已重新报送")]
    assert not [line for line in result.current if line.startswith("报送文件") and "delivery tax：" not in line]
    rules = [line for line in result.current if line.startswith("规则表 / rules ")]
    assert len(rules) == 1 and "indicator_points：适用于 2023 年度的行已变化" in rules[0]
    assert [line for line in result.current if line.startswith("结果指纹 / results_sha256：当前结果与发布结果不同")]
    assert [line for line in result.current if line.startswith("基准值 / benchmark tax_per_mu：")]  # 甲's corrected tax moved it
    assert [line for line in result.current if line.startswith(f"企业 / enterprise {U['甲']}")]


def test_a_year_whose_latest_run_failed_is_neither_published_nor_exported(worked, tmp_path, capsys):
    """A run failing in dbt leaves the marts half rebuilt from its deliveries: `mujun publish`
    (even with --force) and `mujun export` refuse the year until an evaluation finishes."""
    import csv

    from dagster_project.evaluate import export

    good = copy_run(worked, tmp_path)  # 2023 evaluated
    statistics = good.raw_dir / "2023" / "statistics.csv"
    original = statistics.read_text(encoding="utf-8")
    rows = list(csv.reader(statistics.open(encoding="utf-8")))
    output = rows[0].index("gross_output")
    for row in rows[1:]:
        row[output] = "1"  # no enterprise reaches the benchmark population: dbt stops at the benchmarks
    with statistics.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    assert run_pipeline(tmp_path, good.raw_dir).status == 2

    with pytest.raises(NotPublishable, match="未成功完成"):
        publish(good.warehouse, 2023, force=True, reason="强制")
    before = sorted(p.relative_to(good.export_dir) for p in good.export_dir.rglob("*"))
    capsys.readouterr()
    assert export(2023, good.export_dir, good.warehouse) == 2
    assert "未成功完成" in capsys.readouterr().out
    assert sorted(p.relative_to(good.export_dir) for p in good.export_dir.rglob("*")) == before

    # corrected, with a name the console must print as it is, not read as markup (壬 is blocked:
    # listed by name): a finished evaluation, publishable again
    statistics.write_text(original.replace("示例壬化工有限公司", "[/]示例壬[bold]化工"), encoding="utf-8")
    assert run_pipeline(tmp_path, good.raw_dir).status == 3
    assert "[/]示例壬[bold]化工" in capsys.readouterr().out
    assert publish(good.warehouse, 2023, force=True, reason="重新评价后发布")["forced"]


def test_a_year_whose_previous_year_was_computed_after_it_is_neither_published_nor_exported(worked, tmp_path, capsys):
    """2023 took its previous classes from 2022's results as they were (none here); 2022 computed
    afterwards makes them other results: 2023 is out of date until evaluated again, and `mujun
    publish` (even with --force) and `mujun export` say so instead of freezing or writing it."""
    from dagster_project.cli import main
    from dagster_project.evaluate import export

    run = copy_run(worked, tmp_path)
    with duckdb.connect(str(run.warehouse)) as conn:  # as if 2022 had been evaluated after 2023
        conn.execute("insert into runs.computations values ('a-2022-run', 2022, now(), now(), null)")
    with pytest.raises(NotPublishable, match="2022 年度在 2023 年度最近一次计算之后重新计算过"):
        publish(run.warehouse, 2023, force=True, reason="强制")
    assert main(["publish", "--year", "2023", "--warehouse", str(run.warehouse), "--force", "--reason", "强制"]) == 3
    before = sorted(p.relative_to(run.export_dir) for p in run.export_dir.rglob("*"))
    capsys.readouterr()
    assert export(2023, run.export_dir, run.warehouse) == 2
    assert "请先重新运行 mujun evaluate --year 2023" in capsys.readouterr().out
    assert sorted(p.relative_to(run.export_dir) for p in run.export_dir.rglob("*")) == before
    assert not run.query("select * from information_schema.tables where table_schema = 'publications'")


def test_publish_and_verify_name_a_missing_warehouse_without_creating_it(tmp_path, capsys):
    from dagster_project.cli import main

    missing = tmp_path / "typo.duckdb"
    assert main(["publish", "--year", "2023", "--warehouse", str(missing)]) == 2
    assert main(["verify", "--year", "2023", "--warehouse", str(missing)]) == 2
    assert "找不到数据仓库文件" in capsys.readouterr().out and not missing.exists()


def test_publishing_the_same_computation_again_keeps_one_publication(worked, tmp_path, capsys):
    """`mujun publish` typed twice, or again after an evaluation that found nothing changed, keeps
    one record of one result (the public notice and the objections name one publication); a
    computation that differs in anything the publication froze is published anew."""
    from dagster_project.cli import main

    run = copy_run(worked, tmp_path)
    argv = ["publish", "--year", "2023", "--warehouse", str(run.warehouse)]
    assert main([*argv, "--force", "--reason", "异议期内先行公示"]) == 0
    first = run.one("select publication_id from publications.runs")
    assert run_pipeline(tmp_path, run.raw_dir).status == 3  # nothing changed: nothing recomputed
    capsys.readouterr()
    notice = run.export_dir / "2023" / "公示名单_2023.csv"
    notice.write_text(notice.read_text(encoding="utf-8-sig").replace(",A", ",B"), encoding="utf-8-sig")
    # not even a year that is not publishable is refused when its computation is already published;
    # a file of it changed since is said, with how to write it again
    assert main(argv) == 0
    said = capsys.readouterr().out
    assert f"发布为 {first}，此后没有变化，不重复发布" in said and "已发布 / published" not in said, said
    assert f"{notice}：发布后已改动" in said and "mujun export --year 2023 --export-dir" in said, said
    assert run.query("select publication_id from publications.runs") == [(first,)]
    assert run.one("select count(*) from publications.classification") == 17

    # a rule row in force for the year edited in the warehouse: another computation's rules
    with duckdb.connect(str(run.warehouse)) as conn:
        conn.execute("update rules.indicator_points set cap_points = cap_points + 1 where scale = 'below' and indicator = 'tax_per_mu'")
    assert main(argv) == 3  # a new publication of a year that is not publishable needs --force again
    assert main([*argv, "--force", "--reason", "规则更正后重新公示"]) == 0
    assert "已发布 / published" in capsys.readouterr().out
    assert run.one("select count(*) from publications.runs") == 2


def test_a_publication_fingerprints_its_files_and_verify_names_each_one_changed_since(worked, tmp_path):
    """The files of the results folder are what people read: their sha256 is frozen with the
    publication. Exported again unchanged they are the same bytes; edited or deleted afterwards,
    each is named by `mujun verify` (as the working warehouse's differences are)."""
    from dagster_project import published_files
    from dagster_project.evaluate import export

    run = copy_run(worked, tmp_path)
    record = publish(run.warehouse, 2023, force=True, reason="异议期内先行公示")
    folder = run.export_dir / "2023"
    # every file but 变更对比, which compares the latest computation with the one before
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and p.name != "变更对比_2023.xlsx")
    assert record["files"] == len(files) and "公示名单_2023.csv" in files
    recorded = run.query("select file from publications.files where publication_id = ? order by file", [record["publication_id"]])
    assert [f for (f,) in recorded] == sorted(files)

    def differences() -> list[str]:
        with duckdb.connect(str(run.warehouse), read_only=True) as conn:
            return published_files.differences(conn, record["publication_id"], 2023)

    assert differences() == []
    assert export(2023, run.export_dir, run.warehouse) == 0  # written again: the same bytes
    assert differences() == []

    notice = folder / "公示名单_2023.csv"
    notice.write_text(notice.read_text(encoding="utf-8-sig") + "91411303XXXXXXXXXX,加上的企业,A\n", encoding="utf-8-sig")
    page = next(p for p in (folder / "diagnosis").iterdir() if p.suffix == ".html")
    page.unlink()
    forged = folder / "diagnosis" / "91411303FAKEFAKE00.html"
    forged.write_text("<p>伪造</p>", encoding="utf-8")
    # a workbook damaged, and one whose title was changed (its document properties)
    (folder / "公示名单_2023.xlsx").write_bytes((folder / "公示名单_2023.xlsx").read_bytes()[:-100])
    workbook = folder / "亩均效益评价结果_2023.xlsx"
    _retitle(workbook, "（已作废）")
    lines = differences()
    assert len(lines) == 5, lines
    assert any(str(notice) in line and "发布后已改动" in line for line in lines)
    assert any(str(page) in line and "发布后已删除或移走" in line for line in lines)
    assert any(str(forged) in line and "发布后新增" in line for line in lines)
    assert any("公示名单_2023.xlsx：发布后已改动" in line for line in lines)
    assert any(str(workbook) in line and "发布后已改动" in line for line in lines)
    result = verify_current(run.warehouse)
    assert [line for line in result if line.startswith("结果文件 / output")] == lines
    # the results are those published: how to write the files again is said
    assert result[-1] == f"结果文件可按数据仓库中的结果重新生成：mujun export --year 2023 --export-dir {run.export_dir.resolve()} / " + (
        f"write them again from the warehouse: mujun export --year 2023 --export-dir {run.export_dir.resolve()}"
    )

    # publishing again with a file missing is refused, naming the file and what to run
    with pytest.raises(NotPublishable, match="缺少本次计算写出的 1 个文件") as refused:
        publish(run.warehouse, 2023, force=True, reason="再次发布")
    assert str(page) in str(refused.value) and "mujun export --year 2023" in str(refused.value)
    # written again from the warehouse, the folder is as published, the forged page aside
    assert export(2023, run.export_dir, run.warehouse) == 0
    assert differences() == [] and not forged.exists()  # the export replaced the year's folder whole
    assert publish(run.warehouse, 2023, force=True, reason="再次发布")["already_published"]

    # the folder moved away: said once, not once per file
    moved = tmp_path / "moved"
    folder.rename(moved)
    assert differences() == [f"结果文件夹 / outputs {folder}：发布后已删除或移走 / deleted or moved since publication"]


def _retitle(workbook, suffix: str) -> None:
    """Change a workbook's title in its document properties, leaving the rest as it is."""
    import zipfile

    with zipfile.ZipFile(workbook) as book:
        parts = {name: book.read(name) for name in book.namelist()}
    core = parts["docProps/core.xml"]
    parts["docProps/core.xml"] = core.replace(b"</cp:coreProperties>", f"<dc:title>{suffix}</dc:title></cp:coreProperties>".encode())
    with zipfile.ZipFile(workbook, "w", zipfile.ZIP_DEFLATED) as book:
        for name, content in parts.items():
            book.writestr(name, content)


def verify_current(warehouse) -> list[str]:
    """What `mujun verify` says of the working warehouse and folder (its recomputation aside)."""
    from dagster_project.verify import _current_differences, _latest_publication

    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return _current_differences(conn, 2023, _latest_publication(conn, 2023))
