"""`mujun evaluate` and `mujun export`: materialize one data-year partition in-process, then report.

The run raises what stopped it; exit_status.py says which exit status that is."""

from __future__ import annotations

import contextlib
import logging
import sys
import time
import uuid
from datetime import date, datetime
from pathlib import Path

import duckdb
from dagster import DagsterInstance, Failure, RunConfig, logger
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from . import exit_status, expectations, publish, run_log, run_plan
from .outputs import reference

EXIT_OK, EXIT_FAILED, EXIT_INPUT, EXIT_NOT_PUBLISHABLE = (
    exit_status.OK,
    exit_status.FAILED,
    exit_status.INPUT_UNUSABLE,
    exit_status.NOT_PUBLISHABLE,
)


class _ConsoleHandler(logging.Handler):
    """The progress lines of the job's hooks (defs/jobs.py), on the console, each with the time
    since the previous one: the steps of a run follow one another (in_process_executor)."""

    def __init__(self, console: Console):
        super().__init__(level=logging.INFO)
        self.console = console
        self.last = time.monotonic()

    def emit(self, record: logging.LogRecord) -> None:
        now = time.monotonic()
        self.console.print(f"  {escape(record.getMessage())} [dim]{now - self.last:.1f}s[/dim]", highlight=False)
        self.last = now


@contextlib.contextmanager
def _progress_on(console: Console):
    from .defs.jobs import progress

    handler = _ConsoleHandler(console)
    progress.addHandler(handler)
    progress.setLevel(logging.INFO)
    try:
        yield
    finally:
        progress.removeHandler(handler)


# A log per run, named by its year, the time it started and its run: a second run started meanwhile
# (which then stops at the warehouse's lock) writes its own and leaves this one whole, and an
# earlier run's log stays to be read. The newest KEPT_LOGS of each command and year are kept.
KEPT_LOGS = 20


def _new_log_file(warehouse: Path, command: str, year: int, run_id: str) -> Path:
    folder = warehouse.parent / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    # the names sort by time; the one log of a year that earlier versions kept is older than all
    legacy = [path for path in [folder / f"{command}-{year}.log"] if path.is_file()]
    earlier = legacy + sorted(folder.glob(f"{command}-{year}-*.log"))
    for old in earlier[: max(0, len(earlier) - (KEPT_LOGS - 1))]:
        old.unlink(missing_ok=True)
    return folder / f"{command}-{year}-{datetime.now():%Y%m%d-%H%M%S}-{run_id[:8]}.log"


def _log_file_logger(path: Path):
    """Dagster's own log lines (and dbt's, which dagster-dbt logs through it) go to a file."""

    @logger(description="The run's log, in a file beside the warehouse.")
    def log_file(_init_context):
        # one logger per logs folder: the previous run's file is closed when its handler goes
        log = logging.getLogger(f"mujun.run.{path.parent}")
        for previous in log.handlers:
            previous.close()
        # appending, as the run's standard output (dbt's lines) does into the same file: a handler
        # opened to write from the start wrote over what dbt had printed before it
        log.handlers = [logging.FileHandler(path, mode="a", encoding="utf-8")]
        log.handlers[0].setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        log.setLevel(logging.INFO)
        log.propagate = False
        return log

    return log_file


def _cause(error: BaseException) -> BaseException:
    """The typed Failure among the causes of `error` (Dagster re-raises what a step raised), else
    the innermost cause."""
    chain = [error]
    while chain[-1].__cause__ is not None and chain[-1].__cause__ not in chain:
        chain.append(chain[-1].__cause__)
    return next((e for e in chain if isinstance(e, Failure)), chain[-1])


def _report_failure(console: Console, error: BaseException) -> int:
    cause = _cause(error)
    message = cause.description if isinstance(cause, Failure) else (str(cause).strip() or type(cause).__name__)
    if (meaning := exit_status.explanation(cause)) is not None:
        message = f"{meaning} / {message}"
    console.print(f"[red]{exit_status.heading(cause)}:[/red] {escape(message.strip())}", highlight=False)
    return exit_status.of_error(cause)


def _report_checks(console: Console, conn: duckdb.DuckDBPyConnection, year: int, evaluations) -> None:
    """A line for each check that failed, in words. The whole-file checks of every delivery in
    force, whether this run judged it or an earlier one (a run after one changed delivery judges
    that one only): department, file, column and measure. Any other check of the run: what it
    guards."""
    from .contract import extracts
    from .definitions import defs
    from .defs.raw_assets import CHECK_NAME

    for extract in extracts():
        for line in expectations.failures_in_words(conn, year, extract):
            console.print(f"  [yellow]![/yellow] 整份文件检查未通过：{escape(line)}", highlight=False)
    graph = defs.resolve_asset_graph()
    for evaluation in evaluations:
        # the whole-file checks are said above, publishability by the summary
        if not evaluation.passed and evaluation.check_name not in (exit_status.PUBLISHABLE_CHECK, CHECK_NAME):
            guarded = graph.get(evaluation.asset_key).description or ""
            console.print(f"  [yellow]![/yellow] 数据检查未通过：{escape(guarded)}", highlight=False)


def _summary(console: Console, conn: duckdb.DuckDBPyConnection, year: int, export_dir: Path) -> None:
    classes = conn.execute(
        """select scale, final_class, count(*) from marts.classification
           where data_year = ? and status = 'evaluated' group by all order by all""",
        [year],
    ).fetchall()
    evaluated, blocked_count, out_of_scope, errors, warnings = conn.execute(
        """select evaluated, blocked, out_of_scope, error_issues, warning_issues
           from marts.evaluation_status where data_year = ?""",
        [year],
    ).fetchone()
    blocked = conn.execute(
        f"""select uscc, name, {reference.reasons_sql("adjustments", year)} from marts.classification
           where data_year = ? and status = 'blocked' order by line_number""",
        [year],
    ).fetchall()
    scales = reference.labels(conn, year, "scale", short=True)
    statuses, severities = reference.labels(conn, year, "status", short=True), reference.labels(conn, year, "severity")

    table = Table(title=f"{year} 年度分类结果 / classes", show_lines=False)
    table.add_column("规模 scale")
    for cls in "ABCD":
        table.add_column(cls, justify="right")
    for scale, scale_label in scales.items():
        counts = {c: n for s, c, n in classes if s == scale}
        table.add_row(escape(scale_label), *(str(counts.get(c, 0)) for c in "ABCD"))
    console.print(table)
    console.print(
        f"{escape(statuses['evaluated'])} evaluated {evaluated} · {escape(statuses['blocked'])} blocked {blocked_count}"
        f" · {escape(statuses['out_of_scope'])} out of scope {out_of_scope}"
        f" · 数据问题 issues: {escape(severities['error'])} {errors} errors, {escape(severities['warning'])} {warnings} warnings",
        highlight=False,
    )
    shown = 20
    for uscc, name, reasons in blocked[:shown]:
        console.print(
            f"  [red]{escape(statuses['blocked'])}[/red] {escape(uscc)} {escape(name or '')}：{escape(reasons or '')}", highlight=False
        )
    if len(blocked) > shown:
        console.print(f"  … 另有 {len(blocked) - shown} 家，见 dq_issues.csv / {len(blocked) - shown} more in dq_issues.csv")
    console.print(f"结果 / results: {escape(str(export_dir.resolve() / str(year)))}", highlight=False)
    console.print(
        f"各部门数据质量报告 / reports per department: {escape(str(export_dir.resolve() / str(year) / 'data_quality'))}", highlight=False
    )


def _run(
    year: int,
    raw_dir: Path,
    export_dir: Path,
    warehouse: Path,
    console: Console,
    *,
    decisions: dict | None = None,
    instance: DagsterInstance | None = None,
    plan: run_plan.Plan | None = None,
):
    """Materialize the year's partition (only the exports when `decisions` is None; only what
    depends on the changes when `plan` says so); raise what stopped the run. What a failed run
    staged (exports, analysts' copy) is removed: the published outputs stay as they were
    (outputs/staging.py)."""
    from .definitions import build_definitions
    from .defs.dbt_assets import evaluation_run_config
    from .defs.export_assets import EXPORT_KEYS, published_outputs
    from .defs.resources import Locations, Warehouse
    from .defs.run_selection import changed_and_downstream
    from .outputs.published_copy import discard_copy
    from .outputs.staging import discard

    defs = build_definitions(
        warehouse=Warehouse(path=str(warehouse)),
        locations=Locations(raw_dir=str(raw_dir), export_dir=str(export_dir)),
    )
    run_id = str(uuid.uuid4())  # names the run's staging folder, analysts' copy and log
    log_file = _new_log_file(warehouse, "evaluate" if decisions is not None else "export", year, run_id)
    job = defs.resolve_job_def("evaluate_data_year").with_logger_defs({"log_file": _log_file_logger(log_file)})
    # the CLI passes the project's instance (instance.py), which the Dagster UI shows; a caller
    # that passes none (the tests, mostly) runs in a throwaway one, disposed of when the run ends:
    # left to the garbage collector, its in-memory SQLite storage is closed from whichever thread
    # collects it, which SQLite refuses with an error on the console of a long-lived process
    throwaway = DagsterInstance.ephemeral() if instance is None else None
    instance = instance or throwaway
    run_config = RunConfig(
        ops=evaluation_run_config(**decisions).ops if decisions is not None else {}, loggers={"log_file": {}}
    )  # a job's loggers start only when named here
    exports = [*EXPORT_KEYS, published_outputs.key]
    if decisions is None:
        selection = exports
    elif plan is None or plan.everything:
        selection = None
    else:
        selection = changed_and_downstream(plan, defs.resolve_asset_graph(), warehouse, export_dir, year)
    try:
        # anything the libraries print goes to the log, not between the progress lines
        with _progress_on(console), open(log_file, "a", encoding="utf-8") as log, contextlib.redirect_stdout(log):
            return job.execute_in_process(
                partition_key=str(year),
                run_config=run_config,
                instance=instance,
                asset_selection=selection,
                run_id=run_id,
            )
    except BaseException:
        discard(export_dir, year, run_id)
        discard_copy(warehouse, run_id)
        raise
    finally:
        if throwaway is not None:
            throwaway.dispose()
        console.print(f"日志 / log: {escape(str(log_file))}", highlight=False)


def _published_into(warehouse: Path, export_dir: Path, year: int) -> bool:
    """Whether the year's latest outputs were published into `export_dir` and are all still there:
    another folder holds no outputs, or those of an earlier computation; a file deleted since
    must be written again."""
    from .defs.export_assets import EXPORTS

    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return run_log.exports_in_place(conn, year, export_dir, [export.name for export in EXPORTS])


def _describe_plan(console: Console, plan: run_plan.Plan) -> None:
    if plan.everything:
        console.print(f"  重新计算整个年度 / recomputing the whole year：{escape(plan.reason)}", highlight=False)
    elif not plan.nothing:
        changed = [f"{name}（报送文件 / delivery）" for name in plan.extracts] + [
            f"{name}（规则表 / rule table）" for name in plan.rule_tables
        ]
        console.print(f"  只重新计算受以下变化影响的部分 / recomputing what depends on：{escape('、'.join(changed))}", highlight=False)


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


def evaluate(
    year: int,
    raw_dir: Path,
    export_dir: Path,
    warehouse: Path,
    cutoff: date | None = None,
    benchmark_method: str | None = None,
    ranking_groups: str | None = None,
    instance: DagsterInstance | None = None,
) -> int:
    """Evaluate one data year; return the exit status of the command-line contract. Decisions left
    as None take the defaults of the run configuration (EvaluationConfig). The run is recorded in
    `instance` (a throwaway one when None)."""
    console = Console(file=sys.stdout, highlight=False, soft_wrap=True)
    raw_dir, export_dir, warehouse = Path(raw_dir), Path(export_dir), Path(warehouse)
    if not (raw_dir / str(year)).is_dir():
        console.print(f"[red]找不到数据目录 / no such folder:[/red] {escape(str(raw_dir / str(year)))}")
        return EXIT_INPUT
    from .defs.evaluation_config import cutoff_problem

    if problem := cutoff_problem(year, cutoff):
        console.print(f"[red]{escape(problem)}[/red]")
        return EXIT_INPUT
    console.print(f"[bold]mujun evaluate {year}[/bold] · raw {escape(str(raw_dir))} · warehouse {escape(str(warehouse))}", highlight=False)
    _report_unexpected_files(console, raw_dir / str(year))
    from .defs.evaluation_config import EvaluationConfig
    from .outputs import staging

    try:  # publishing replaces <export-dir>/<year>/ as a whole: never a folder of someone else's
        staging.refuse_overlap(export_dir, raw_dir, year)
        staging.refuse_warehouse_inside(export_dir, warehouse, year)
        staging.refuse_foreign_folder(export_dir / str(year))
    except Failure as error:
        return _report_failure(console, error)

    decisions = {"cutoff": cutoff.isoformat() if cutoff else None, "benchmark_method": benchmark_method, "ranking_groups": ranking_groups}
    try:  # the warehouse may be locked by another run
        plan = run_plan.plan(
            warehouse, raw_dir, year, EvaluationConfig(**{k: v for k, v in decisions.items() if v is not None}).model_dump()
        )
    except Exception as error:
        return _report_failure(console, error)
    _describe_plan(console, plan)
    checks = []
    if plan.nothing and _published_into(warehouse, export_dir, year):
        console.print(
            "  与最近一次计算相比，报送文件、规则表和程序都没有变化，结果已是最新 / nothing changed since the latest computation",
            highlight=False,
        )
    else:
        try:
            result = _run(year, raw_dir, export_dir, warehouse, console, decisions=decisions, instance=instance, plan=plan)
        except Exception as error:
            return _report_failure(console, error)
        checks = result.get_asset_check_evaluations()
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        _report_checks(console, conn, year, checks)
        _summary(console, conn, year, export_dir)
        # the same verdict as the asset check the Dagster UI shows (defs/publishability.py); a run
        # that did not recompute the evaluation status keeps the verdict it has
        verdict = next((e.passed for e in checks if e.check_name == exit_status.PUBLISHABLE_CHECK), None)
        publishable = verdict if verdict is not None else publish.publishable(conn, year)
        why_not = reference.not_publishable(conn, year)
        published = publish.differs_from_publication(conn, year)
    if published:
        console.print(
            f"[yellow]{year} 年度已发布（{escape(published)}），本次结果与发布的不同：结果文件夹中已是本次结果，"
            f"正式公示须重新发布（mujun publish --year {year}）/ the results differ from publication {escape(published)}: "
            "publish again[/yellow]"
        )
    if not publishable:
        console.print(f"[yellow]{escape(why_not.rstrip('。'))} / not publishable[/yellow]")
    else:
        console.print("[green]可发布 / publishable[/green]")
    return exit_status.of_finished_run(publishable)


def export(year: int, export_dir: Path, warehouse: Path, instance: DagsterInstance | None = None) -> int:
    """Regenerate every output of an evaluated year from the warehouse, without recomputing."""
    console = Console(file=sys.stdout, highlight=False, soft_wrap=True)
    export_dir, warehouse = Path(export_dir), Path(warehouse)
    evaluated, failed_run, earlier = False, None, []
    if warehouse.is_file():
        try:  # locked by a running evaluation, or not a warehouse at all
            with duckdb.connect(str(warehouse), read_only=True) as conn:
                evaluated, failed_run = publish.evaluated(conn, year), run_log.unfinished(conn, year)
                earlier = run_log.recomputed_earlier_years(conn, year)
        except duckdb.Error as error:
            return _report_failure(console, error)
    if failed_run:
        # the marts may be half rebuilt by that run: exporting them would publish a failed run
        console.print(f"[red]{escape(run_log.unfinished_message(year, failed_run))}[/red]")
        return EXIT_INPUT
    if earlier:
        # the year's previous classes came from results the warehouse no longer holds
        console.print(f"[red]{escape(run_log.recomputed_message(year, earlier))}[/red]")
        return EXIT_INPUT
    if not evaluated:
        console.print(
            f"[red]数据仓库中没有 {year} 年度的评价结果，请先运行 mujun evaluate / year {year} has not been evaluated in {warehouse}[/red]"
        )
        return EXIT_INPUT
    console.print(f"[bold]mujun export {year}[/bold] · warehouse {escape(str(warehouse))}", highlight=False)
    from .outputs import staging

    try:
        staging.refuse_warehouse_inside(export_dir, warehouse, year)
        staging.refuse_foreign_folder(export_dir / str(year))
        _run(year, Path("."), export_dir, warehouse, console, instance=instance)
    except Exception as error:
        return _report_failure(console, error)
    console.print(f"结果 / results: {escape(str(export_dir.resolve() / str(year)))}", highlight=False)
    return EXIT_OK
