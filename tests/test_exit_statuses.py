"""Every exit status of `mujun evaluate` comes from a typed cause (RULES §10), mapped in one place
(dagster_project/exit_status.py); the command line uses no process tricks and no private APIs."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from dagster import Failure

from conftest import WORKED_RAW, U, copy_run, copy_worked, run_pipeline
from dagster_project import exit_status
from dagster_project.contract import extracts
from dagster_project.defs.resources import Warehouse
from dagster_project.ingest import InputError, ingest_extract

pytestmark = pytest.mark.heavy  # scheduled first: see tests/conftest.py

PACKAGE = Path(__file__).parents[1] / "dagster_project"
MUJUN = Path(sys.executable).with_name("mujun")


def _mujun(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(MUJUN), *args], capture_output=True, text=True, timeout=600)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


# --- the mapping ---------------------------------------------------------------------------


def test_the_mapping_of_typed_failures_and_finished_runs():
    assert exit_status.of_error(InputError("缺少 / missing", file="x.csv")) == 2
    assert exit_status.of_error(exit_status.typed_failure(exit_status.BENCHMARK, "基准值 / benchmark")) == 2
    assert exit_status.of_error(Failure(description="untyped")) == 1
    assert exit_status.of_error(OSError(28, "No space left on device")) == 1
    assert exit_status.of_error(ValueError(exit_status.INPUT)) == 1  # text never decides
    assert (exit_status.of_finished_run(True), exit_status.of_finished_run(False)) == (0, 3)
    assert exit_status.heading(InputError("x")) == "输入无法使用 / input unusable"
    assert exit_status.heading(RuntimeError("x")) == "运行失败 / run failed"


def test_an_unusable_delivery_is_a_failure_typed_with_its_file_and_line(tmp_path):
    raw = copy_worked(tmp_path / "raw")
    tax = raw / "2023" / "tax.csv"
    lines = tax.read_text(encoding="utf-8").splitlines()
    lines[6] += ",多余"  # line 7 has one cell too many
    tax.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(Failure) as error:
        ingest_extract(duckdb.connect(str(tmp_path / "w.duckdb")), extracts()["tax"], 2023, raw)
    metadata = {key: value.value for key, value in error.value.metadata.items()}
    assert metadata == {exit_status.KIND: exit_status.INPUT, "file": str(tax), "line": 7}
    assert "第7行" in error.value.description and "line 7" in error.value.description


def test_a_missing_required_file_is_typed_with_the_file(tmp_path):
    raw = copy_worked(tmp_path / "raw")
    (raw / "2023" / "land_parcels.csv").unlink()
    with pytest.raises(Failure) as error:
        ingest_extract(duckdb.connect(str(tmp_path / "w.duckdb")), extracts()["land_parcels"], 2023, raw)
    assert exit_status.kind_of(error.value) == exit_status.INPUT
    assert error.value.metadata["file"].value == str(raw / "2023" / "land_parcels.csv")


# --- each status from its cause, end to end ---------------------------------------------------


def test_exit_2_for_a_missing_required_file_through_the_console_script(tmp_path):
    """Every required file missing is named at once (tax and land here), and nothing is loaded."""
    raw = copy_worked(tmp_path / "raw")
    (raw / "2023" / "land_parcels.csv").unlink()
    (raw / "2023" / "tax.csv").rename(raw / "2023" / "tax_2023.csv")  # under a name of its own
    done = _mujun(
        "evaluate",
        "--year",
        "2023",
        "--raw-dir",
        str(raw),
        "--export-dir",
        str(tmp_path / "out"),
        "--warehouse",
        str(tmp_path / "w.duckdb"),
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "输入无法使用 / input unusable" in done.stdout and "缺少必需文件 land_parcels.csv" in done.stdout
    assert "缺少必需文件 tax.csv 或 tax.xlsx（税务局）" in done.stdout and "文件夹中有 tax_2023.csv，但文件名须为 tax.csv" in done.stdout
    if (tmp_path / "w.duckdb").exists():  # statistics.csv was not loaded either
        with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as conn:
            assert not conn.execute("select * from information_schema.tables where table_schema = 'raw'").fetchall()
    assert "Traceback" not in done.stdout + done.stderr
    assert "nanobind" not in done.stderr and "leaked" not in done.stderr


def test_exit_1_when_the_warehouse_is_locked_by_another_process(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)):  # a writer holds the file: the command cannot open it
        done = _mujun(
            "evaluate", "--year", "2023", "--raw-dir", str(WORKED_RAW), "--export-dir", str(tmp_path / "out"), "--warehouse", str(warehouse)
        )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "运行失败 / run failed: 数据仓库文件无法打开或读写（常见原因：另一次运行或其他程序正在使用它" in done.stdout
    assert "lock" in done.stdout  # DuckDB's own words after ours
    assert "Traceback" not in done.stdout + done.stderr


def test_export_publish_and_verify_of_a_warehouse_another_process_holds_say_so_in_one_line(worked, tmp_path, capsys):
    from dagster_project.cli import main
    from dagster_project.evaluate import export

    run = copy_run(worked, tmp_path / "run")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(120)",
            str(run.warehouse),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        # a run launched from the Dagster UI, the schedule or the sensor meets it in its first step:
        # a failure said in words, not DuckDB's English and a traceback
        with pytest.raises(Failure, match="数据仓库文件无法打开或读写（常见原因：另一次运行或其他程序正在使用它") as failed:
            with Warehouse(path=str(run.warehouse)).connect():
                pass
        assert str(run.warehouse.resolve()) in failed.value.description and "lock" in failed.value.description
        assert export(2023, run.export_dir, run.warehouse) == 1
        assert main(["publish", "--year", "2023", "--warehouse", str(run.warehouse), "--force", "--reason", "测试"]) == 1
        assert main(["verify", "--year", "2023", "--warehouse", str(run.warehouse)]) == 1
    finally:
        holder.kill()
        holder.wait()
    out = capsys.readouterr().out
    assert out.count("运行失败 / run failed: 数据仓库文件无法打开或读写") == 3, out
    assert "Traceback" not in out


def test_exit_2_when_no_benchmark_can_be_computed_typed_by_the_dbt_test(tmp_path, capsys, dbt_folders):
    raw = copy_worked(tmp_path / "raw")
    for big in ("15000", "12000", "6000", "20000", "9000", "8000"):
        _edit(raw / "2023" / "statistics.csv", f",规上,{big},", ",规上,4000,")  # below the benchmark threshold
    run = run_pipeline(tmp_path, raw)
    out = capsys.readouterr().out
    assert run.status == 2
    assert "基准值无法计算 / benchmark unusable" in out
    assert "基准值缺失、不是有限数或不大于0：output_per_energy（样本企业数 0，计算结果 无）" in out
    assert "Benchmark missing or not positive" in out
    # nothing was scored against it: the build stopped at the benchmarks
    assert run.one("select count(*) from information_schema.tables where table_name = 'int_scores'") == 0
    # the failed build's folder stays for whoever looks into it, with dbt's results
    [build] = [folder for folder in dbt_folders if folder.name.startswith("build-")]
    results = json.loads((build / "run_results.json").read_text(encoding="utf-8"))["results"]
    assert {r["unique_id"].split(".")[2] for r in results if r["status"] == "fail"} == {"benchmark_usable"}
    shutil.rmtree(build)


def test_exit_3_when_enterprises_are_blocked(worked):
    assert worked.status == 3
    assert worked.one("select count(*) from marts.classification where status = 'blocked'") == 2
    assert worked.one("select publishable from marts.evaluation_status where data_year = 2023") is False


def test_exit_0_when_publishable(tmp_path, worked):
    raw = copy_run(worked, tmp_path).raw_dir  # the worked example evaluated, then corrected
    _edit(raw / "2023" / "statistics.csv", "8000,8000,8000,8000,300,,", "8000,8000,8000,8000,300,2000,")
    _edit(raw / "2023" / "tax.csv", "91411303GWXUCJMA40", U["子"])
    run = run_pipeline(tmp_path, raw)
    assert run.status == 0
    assert run.one("select count(*) from marts.classification where status = 'blocked'") == 0
    assert run.one("select publishable from marts.evaluation_status where data_year = 2023") is True


# --- no process tricks, no private APIs -------------------------------------------------------

FORBIDDEN = {
    r"os\._exit\(": "leaving without the interpreter's teardown",
    r"atexit\._": "private atexit functions",
    r"\bdup2\(": "file-descriptor redirection",
    r"filterwarnings\(\s*[\"']ignore[\"']\s*\)": "a blanket warning filter",
    r"from dagster(_dbt)?\._|import dagster(_dbt)?\._": "Dagster internals",
    r"dagster_meta|event_specific_data|step_failure_data|cls_name": "Dagster event internals",
    r"def _cli_version|def _initialize_dbt_core_adapter": "private dagster-dbt methods",
    r"os\.environ\[[^\]]+\]\s*=|os\.environ\.(setdefault|update)\(": "mutating the environment",
}


@pytest.mark.parametrize(
    "module",
    [
        "cli.py",
        "evaluate.py",
        "exit_status.py",
        "dbt_project.py",
        "definitions.py",
        "defs/dbt_assets.py",
        "defs/resources.py",
        "defs/jobs.py",
        "expectations.py",
        "dbt_build.py",
    ],
)
def test_no_process_tricks_or_private_apis(module):
    source = (PACKAGE / module).read_text(encoding="utf-8")
    found = [why for pattern, why in FORBIDDEN.items() if re.search(pattern, source)]
    assert found == [], f"{module}: {found}"


def test_the_scan_catches_what_it_forbids():
    samples = [
        "os._exit(3)",
        "atexit._run_exitfuncs()",
        "os.dup2(fd, 2)",
        'warnings.filterwarnings("ignore")',
        "from dagster._core.events import X",
        "record.dagster_meta",
        'os.environ["MUJUN_RUN_ID"] = run_id',
    ]
    for sample in samples:
        assert any(re.search(pattern, sample) for pattern in FORBIDDEN), sample
    assert not any(re.search(p, 'warnings.filterwarnings("ignore", category=UserWarning)') for p in FORBIDDEN)


def test_publish_and_verify_statuses_come_from_the_same_module():
    from dagster_project.publish import NotPublishable

    assert exit_status.of_publication_error(NotPublishable("强制 / forced")) == 3
    assert exit_status.of_publication_error(LookupError("尚未发布 / not published")) == 2
    assert exit_status.of_publication_error(duckdb.IOException("Could not set lock")) == 1
    assert (exit_status.of_verification(True), exit_status.of_verification(False)) == (0, 1)
