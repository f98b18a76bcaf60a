"""`mujun evaluate`: materialize one data-year partition of all assets in-process, then report."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import types
import uuid
import warnings
from datetime import date
from pathlib import Path

import duckdb
from dagster import DagsterInstance, logger
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from . import publish, run_log

EXIT_OK, EXIT_FAILED, EXIT_INPUT, EXIT_NOT_PUBLISHABLE = 0, 1, 2, 3

# int_benchmarks.sql raises this (in its English half) when a benchmark cannot be computed:
# the population cannot be used, which the contract reports as exit status 2.
BENCHMARK_ERROR_MARK = "Benchmark missing or not positive"


class _ProgressHandler(logging.Handler):
    """Turns Dagster's structured events into one short line per step and asset."""

    def __init__(self, console: Console):
        super().__init__(level=logging.DEBUG)
        self.console = console

    def emit(self, record: logging.LogRecord) -> None:
        event = getattr(record, "dagster_meta", {}).get("dagster_event")
        if event is None:
            return
        kind = event.event_type_value
        if kind == "STEP_START":
            self.console.print(f"[bold]→[/bold] {event.step_key}", highlight=False)
        elif kind == "ASSET_MATERIALIZATION":
            self.console.print(f"  [green]✓[/green] {event.asset_key.to_user_string()}", highlight=False)
        elif kind == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if not evaluation.passed:
                self.console.print(
                    f"  [yellow]![/yellow] check {evaluation.check_name} on "
                    f"{evaluation.asset_key.to_user_string()} did not pass",
                    highlight=False,
                )
        elif kind == "STEP_SUCCESS":
            seconds = event.event_specific_data.duration_ms / 1000
            self.console.print(f"  [dim]{event.step_key} {seconds:.1f}s[/dim]", highlight=False)
        elif kind == "STEP_FAILURE":
            self.console.print(f"  [red]✗[/red] {event.step_key} failed", highlight=False)


def _progress_logger(console: Console):
    @logger(description="Short progress lines for the mujun command line.")
    def progress(_init_context):
        log = logging.getLogger("mujun.progress")
        log.handlers = [_ProgressHandler(console)]
        log.setLevel(logging.DEBUG)
        log.propagate = False
        return log

    return progress


def _error_chain(error) -> list:
    chain = []
    while error is not None:
        chain.append(error)
        error = error.cause or getattr(error, "context", None)
    return chain


def _failures(result) -> list:
    return [e.step_failure_data.error for e in result.all_events if e.event_type_value == "STEP_FAILURE"]


def _report_failure(console: Console, result) -> int:
    status = EXIT_FAILED
    shown = set()
    for error in _failures(result):
        # every asset of a run fails alike when the warehouse is locked or the disk is full:
        # the cause is said once
        key = _error_chain(error)[-1].message.strip()
        if key in shown:
            continue
        shown.add(key)
        chain = _error_chain(error)
        input_errors = [e for e in chain if e.cls_name == "InputError"]
        if input_errors:
            message = re.sub(r"^[\w.]*InputError:\s*", "", input_errors[0].message.strip())
            console.print(f"[red]输入无法使用 / input unusable:[/red] {escape(message)}", highlight=False)
            status = EXIT_INPUT
            continue
        text = "\n".join(e.message for e in chain)
        if BENCHMARK_ERROR_MARK in text:
            line = next(l for l in text.splitlines() if BENCHMARK_ERROR_MARK in l)
            console.print(f"[red]基准值无法计算 / benchmark unusable:[/red] {escape(line.strip())}", highlight=False)
            status = EXIT_INPUT
            continue
        console.print(f"[red]运行失败 / run failed:[/red] {escape(chain[-1].message.strip())}", highlight=False)
    return status


def _summary(console: Console, conn: duckdb.DuckDBPyConnection, year: int, export_dir: Path) -> int:
    classes = conn.execute(
        """select scale, final_class, count(*) from marts.classification
           where data_year = ? and status = 'evaluated' group by all order by all""",
        [year],
    ).fetchall()
    evaluated, blocked_count, out_of_scope, errors, warnings, publishable = conn.execute(
        """select evaluated, blocked, out_of_scope, error_issues, warning_issues, publishable
           from marts.evaluation_status where data_year = ?""",
        [year],
    ).fetchone()
    blocked = conn.execute(
        """select uscc, name, adjustments from marts.classification
           where data_year = ? and status = 'blocked' order by line_number""",
        [year],
    ).fetchall()

    table = Table(title=f"{year} 年度分类结果 / classes", show_lines=False)
    table.add_column("规模 scale")
    for cls in "ABCD":
        table.add_column(cls, justify="right")
    for scale in ("above", "below"):
        counts = {c: n for s, c, n in classes if s == scale}
        table.add_row(scale, *(str(counts.get(c, 0)) for c in "ABCD"))
    console.print(table)
    console.print(
        f"参评 evaluated {evaluated} · 暂不参评 blocked {blocked_count} · 不纳入 out of scope {out_of_scope}"
        f" · 数据问题 issues: {errors} errors, {warnings} warnings",
        highlight=False,
    )
    shown = 20
    for uscc, name, reason in blocked[:shown]:
        console.print(f"  [red]blocked[/red] {escape(uscc)} {escape(name or '')}: {escape(reason or '')}", highlight=False)
    if len(blocked) > shown:
        console.print(f"  … 另有 {len(blocked) - shown} 家，见 dq_issues.csv / {len(blocked) - shown} more in dq_issues.csv")
    console.print(f"结果 / results: {escape(str(export_dir.resolve() / str(year)))}", highlight=False)
    console.print(f"各部门数据质量报告 / reports per department: {escape(str(export_dir.resolve() / str(year) / 'data_quality'))}", highlight=False)

    if not publishable:
        console.print("[yellow]存在暂不参评企业或错误级数据问题，本次结果不可发布 / not publishable[/yellow]")
        return EXIT_NOT_PUBLISHABLE
    console.print("[green]可发布 / publishable[/green]")
    return EXIT_OK


@contextlib.contextmanager
def _discarded_unless_successful(export_dir: Path, year: int, run_id: str, warehouse: Path):
    """What a run staged (exports, analysts' copy) is removed when the run fails or is interrupted:
    the published outputs stay as they were (outputs/staging.py). The run sets `.result`."""
    from .outputs.published_copy import discard_copy
    from .outputs.staging import discard

    run = types.SimpleNamespace(result=None)
    try:
        yield run
    finally:
        if run.result is None or not run.result.success:
            discard(export_dir, year, run_id)
            discard_copy(warehouse, run_id)


def _run(year: int, raw_dir: Path, export_dir: Path, warehouse: Path, decisions: dict, console: Console,
         exports_only: bool = False):
    from .dbt_project import cancel_background_parse, start_background_parse
    from .definitions import build_definitions
    from .defs.dbt_assets import EvaluationConfig, dbt_vars
    from .defs.export_assets import EXPORT_ASSETS, published_outputs
    from .defs.resources import Locations, Warehouse

    defs = build_definitions(
        warehouse=Warehouse(path=str(warehouse)),
        locations=Locations(raw_dir=str(raw_dir), export_dir=str(export_dir)),
    )
    job = defs.resolve_job_def("evaluate_data_year").with_logger_defs({"console": _progress_logger(console)})
    instance = DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else DagsterInstance.ephemeral()
    selection = [a.key for a in EXPORT_ASSETS] + [published_outputs.key] if exports_only else None
    # dbt's own log lines go to a file; the console shows one line per step and asset.
    log_file = warehouse.parent / "logs" / f"{'export' if exports_only else 'evaluate'}-{year}.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    if not exports_only:
        # dbt parses the project on the idle core while the deliveries are ingested
        start_background_parse(dbt_vars(str(year), EvaluationConfig(**decisions)), Warehouse(path=str(warehouse)).file)
    run_id = str(uuid.uuid4())  # names the run's staging folder and analysts' copy
    with _discarded_unless_successful(export_dir, year, run_id, warehouse) as run, \
            open(log_file, "w", encoding="utf-8") as log, contextlib.redirect_stdout(log):
        result = run.result = job.execute_in_process(
            partition_key=str(year),
            run_config={
                "ops": {} if exports_only else {"mujun_dbt_models": {"config": decisions}},
                # a job's loggers only start when the run config names them
                "loggers": {"console": {}},
            },
            instance=instance,
            raise_on_error=False,
            asset_selection=selection,
            run_id=run_id,
        )
    cancel_background_parse()  # when the run stopped before dbt
    console.print(f"日志 / log: {escape(str(log_file))}", highlight=False)
    return result


def _report_unexpected_files(console: Console, folder: Path) -> None:
    """Name every file of the year folder that is not used, before the run (also when it fails):
    they are warnings in dq_issues.csv as well (file_unexpected)."""
    from .delivery_folder import unexpected_entries

    for entry in unexpected_entries(folder):
        console.print(
            f"[yellow]![/yellow] 未采用的文件 / file NOT used: {escape(str(folder / entry.name))}（不是约定的文件名，"
            f"未参与评价；如需用它报送，请改名为 {entry.rename_to} / not a file of the contract; "
            f"rename it to {entry.rename_to} to deliver it）",
            highlight=False,
        )


def evaluate(year: int, raw_dir: Path, export_dir: Path, warehouse: Path, cutoff: date | None = None,
             benchmark_method: str | None = None, ranking_groups: str | None = None) -> int:
    """Evaluate one data year; return the exit status of the command-line contract. Decisions left
    as None take the defaults of the run configuration (EvaluationConfig)."""
    warnings.filterwarnings("ignore")
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    console = Console(file=sys.stdout, highlight=False, soft_wrap=True)
    raw_dir, export_dir, warehouse = Path(raw_dir), Path(export_dir), Path(warehouse)
    if not (raw_dir / str(year)).is_dir():
        console.print(f"[red]找不到数据目录 / no such folder:[/red] {escape(str(raw_dir / str(year)))}")
        return EXIT_INPUT
    console.print(f"[bold]mujun evaluate {year}[/bold] · raw {escape(str(raw_dir))} · warehouse {escape(str(warehouse))}", highlight=False)
    _report_unexpected_files(console, raw_dir / str(year))
    decisions = {"cutoff": cutoff.isoformat() if cutoff else "", "benchmark_method": benchmark_method,
                 "ranking_groups": ranking_groups}
    result = _run(year, raw_dir, export_dir, warehouse, {k: v for k, v in decisions.items() if v is not None}, console)
    if not result.success:
        return _report_failure(console, result)
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return _summary(console, conn, year, export_dir)


def export(year: int, export_dir: Path, warehouse: Path) -> int:
    """Regenerate every output of an evaluated year from the warehouse, without recomputing."""
    warnings.filterwarnings("ignore")
    console = Console(file=sys.stdout, highlight=False, soft_wrap=True)
    export_dir, warehouse = Path(export_dir), Path(warehouse)
    evaluated, failed_run = False, None
    if warehouse.is_file():
        with duckdb.connect(str(warehouse), read_only=True) as conn:
            evaluated, failed_run = publish.evaluated(conn, year), run_log.unfinished(conn, year)
    if failed_run:
        # the marts may be half rebuilt by that run: exporting them would publish a failed run
        console.print(f"[red]{escape(run_log.unfinished_message(year, failed_run))}[/red]")
        return EXIT_INPUT
    if not evaluated:
        console.print(f"[red]数据仓库中没有 {year} 年度的评价结果，请先运行 mujun evaluate / "
                      f"year {year} has not been evaluated in {warehouse}[/red]")
        return EXIT_INPUT
    console.print(f"[bold]mujun export {year}[/bold] · warehouse {escape(str(warehouse))}", highlight=False)
    result = _run(year, Path("."), export_dir, warehouse, {}, console, exports_only=True)
    if not result.success:
        return _report_failure(console, result)
    console.print(f"结果 / results: {escape(str(export_dir.resolve() / str(year)))}", highlight=False)
    return EXIT_OK
