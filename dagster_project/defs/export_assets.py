"""Outputs of a data year, written from the marts after they are built (never recomputing).

Every export asset of a run writes into that run's staging folder (outputs/staging.py); the last
asset, `published/outputs`, depends on all of them, so Dagster runs it only when every one of
them succeeded: it swaps the staged folder in place of <export-dir>/<year>/ and the new analysts'
copy in place of the old one. A failed run, from the CLI, the schedule or the sensor, publishes
nothing."""

import time
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from dagster import AssetExecutionContext, AssetKey, AssetSpec, Failure, MaterializeResult, asset, multi_asset

from .. import run_log
from ..outputs import aside, staging
from ..outputs.csv_files import write_csv_exports
from ..outputs.dq_reports import write_department_reports
from ..outputs.published_copy import commit_copy, drop_previous_copy, restore_copy, stage_copy
from ..outputs.reports import write_diagnoses, write_year_report
from ..outputs.rewards import write_reward_csvs, write_reward_public_list, write_reward_workbook
from ..outputs.workbook import write_changes, write_public_notice, write_workbook
from .partitions import data_year_partitions
from .resources import Locations, Warehouse


def _marts(*names: str) -> list[AssetKey]:
    return [AssetKey(["marts", n]) for n in names]


# Every output takes its rules, labels, settings and decisions from the reference layer
# (outputs/reference.py): none runs before the layer of its year is built.
REFERENCE = [
    AssetKey(["reference", n])
    for n in (
        "labels",
        "indicators",
        "settings",
        "run_decisions",
        "in_force_class_cutoffs",
        "in_force_indicator_points",
        "in_force_bonus_points",
        "in_force_rule_parameters",
    )
]


def _is_running(context: AssetExecutionContext):
    """Whether another run (known to this Dagster instance) is still writing its staging folder:
    its leftovers are not removed under it. The CLI's ephemeral instance knows no other run."""

    def running(run_id: str) -> bool:
        run = context.instance.get_run_by_id(run_id)
        return run is not None and not run.is_finished

    return running


@dataclass(frozen=True)
class Export:
    """One output of the year: its asset `exports/<name>`, the marts it reads and its writer."""

    name: str
    marts: tuple[str, ...]
    kinds: frozenset[str]
    description: str
    write: Callable

    @property
    def key(self) -> AssetKey:
        return AssetKey(["exports", self.name])

    def spec(self) -> AssetSpec:
        return AssetSpec(
            key=self.key,
            group_name="exports",
            deps=[*_marts(*self.marts), *REFERENCE],
            kinds=set(self.kinds),
            description=self.description,
            skippable=True,
        )


def _csv(conn, year, export_dir):
    written = write_csv_exports(conn, year, export_dir)
    return [export_dir / str(year) / name for name in written]


EXPORTS = [
    Export(
        "csv",
        ("classification", "benchmarks", "dq_issues"),
        frozenset({"csv"}),
        "供系统对接的 CSV：classification.csv、benchmarks.csv、dq_issues.csv，写入 <export-dir>/<year>/。",
        _csv,
    ),
    Export(
        "dq_reports",
        ("dq_issues", "delivery_reconciliation"),
        frozenset({"html", "excel"}),
        "各部门数据质量报告（HTML 离线可用、Excel），写入 <export-dir>/<year>/data_quality/。",
        write_department_reports,
    ),
    Export(
        "workbook",
        ("classification", "benchmarks", "enterprise_score_items", "evaluation_status"),
        frozenset({"excel"}),
        "评价结果工作簿：附表二、附表四得分表，基准值及其样本，调档，暂不参评与不纳入，乡镇街道与产业链汇总，评价说明。",
        write_workbook,
    ),
    Export(
        "public_notice",
        ("classification",),
        frozenset({"csv", "excel"}),
        "公示名单：企业名称、乡镇街道、评价类别（不含税收、产值、用地等数据）。",
        write_public_notice,
    ),
    Export(
        "diagnoses",
        ("classification", "enterprise_diagnosis", "enterprise_score_items", "benchmarks"),
        frozenset({"html"}),
        "企业体检报告：每家参评企业一页（可打印），指标与基准值、得分构成、调档、提升方向。",
        write_diagnoses,
    ),
    Export(
        "year_report",
        (
            "classification",
            "benchmarks",
            "evaluation_status",
            "delivery_reconciliation",
            "dq_issues",
            "enterprise_rewards",
            "township_rewards",
        ),
        frozenset({"html"}),
        "年度评价报告（离线 HTML，含图表）：类别分布、得分分布、基准值、类别变化、各部门数据质量。",
        write_year_report,
    ),
    Export(
        "changes",
        ("classification_changes",),
        frozenset({"excel"}),
        "变更对比：本次运行与该年度上一次运行相比的类别与得分变化（异议处理、更正后）。",
        write_changes,
    ),
    Export(
        "reward_csv",
        ("enterprise_rewards", "township_rewards"),
        frozenset({"csv"}),
        "供系统对接的奖励测算 CSV（附件2）：rewards.csv、township_rewards.csv，写入 <export-dir>/<year>/。",
        write_reward_csvs,
    ),
    Export(
        "reward_workbook",
        ("enterprise_rewards", "township_rewards"),
        frozenset({"excel"}),
        "奖励测算工作簿（奖励测算_<year>.xlsx）：按项目分表的测算数据，按项目、乡镇街道汇总及预算合计，供工信局与财政局使用。",
        write_reward_workbook,
    ),
    Export(
        "reward_public_list",
        ("enterprise_rewards", "township_rewards"),
        frozenset({"csv", "excel"}),
        "奖励公示名单（奖励公示_<year>.csv/.xlsx）：企业或乡镇街道名称、奖励项目、金额（不含税收、产值等数据）。",
        write_reward_public_list,
    ),
]
EXPORT_KEYS = [export.key for export in EXPORTS]
# the last asset of a run: puts the staged outputs in place (published_outputs below)
PUBLISHED = AssetKey(["published", "outputs"])


# Written by a second process when the year has this many enterprises: a province's workbook is
# most of the exports' time; below this a second process costs more (about a second to start)
# than it saves.
WRITTEN_APART = ("workbook",)
WRITTEN_APART_FROM_ENTERPRISES = 20_000


@multi_asset(
    name="exports",
    specs=[export.spec() for export in EXPORTS],
    partitions_def=data_year_partitions,
    can_subset=True,
    description="写出本年度的全部结果（CSV、工作簿、公示名单、报告、体检报告、数据质量报告），先写入本次运行的暂存目录。",
)
def exports(context: AssetExecutionContext, warehouse: Warehouse, locations: Locations) -> Iterator[MaterializeResult]:
    """Every selected output, one after another in one step: most are a few milliseconds of
    work, and a Dagster step of its own per output cost more than the work (its events, its
    hooks). Each is still an asset of its own, materialized when its writer has finished. The
    step only reads the warehouse; a large year's workbook is written by a second process
    meanwhile (outputs/aside.py)."""
    year = int(context.partition_key)
    export_dir = Path(locations.export_dir)
    chosen = context.run.asset_selection  # empty (or None): every asset
    if chosen and PUBLISHED not in chosen:
        # the outputs are written into the run's staging folder; only `published/outputs` puts them in place
        raise Failure(
            description="只选择了导出而没有选择“更新结果文件夹与分析副本”（published/outputs）：写出的结果不会放到结果文件夹中。"
            "请同时选择 published/outputs，或运行 mujun export / the exports were chosen without published/outputs, "
            "which alone puts them in place: choose it too"
        )
    root = staging.begin(export_dir, year, context.run_id, _is_running(context))
    selected = [export for export in EXPORTS if export.key in context.selected_asset_keys]
    with warehouse.connect(read_only=True) as conn:
        (enterprises,) = conn.execute("select count(*) from marts.classification where data_year = ?", [year]).fetchone()
        apart = [e for e in selected if e.name in WRITTEN_APART and enterprises >= WRITTEN_APART_FROM_ENTERPRISES]
        pools = {e.name: aside.start(e.write, warehouse.file, year, staging.aside_root(root, e.name)) for e in apart}
        try:
            for export in selected:
                if export in apart:
                    continue
                before, started = staging.files_of(root, year), time.perf_counter()
                written = export.write(conn, year, root)
                staging.mark_done(root, export.name, sorted(staging.files_of(root, year) - before))
                paths = written if isinstance(written, (list, tuple)) else [written]
                yield _materialized(export, [staging.published_location(export_dir, root, p) for p in paths], started)
            for export in apart:
                started = time.perf_counter()
                try:
                    pools[export.name][1].result()  # what it raised, raised here
                except BrokenProcessPool as ended:  # killed, out of memory: nothing to say but that
                    title = export.description.split("：", 1)[0]
                    raise Failure(
                        description=f"写出{title}的第二个进程意外终止，本次结果未发布 / the process writing {export.name} ended abruptly"
                    ) from ended
                files = staging.take_in(root, year, export.name)
                staging.mark_done(root, export.name, files)
                yield _materialized(export, [export_dir / str(year) / name for name in files], started, waited=True)
        finally:
            for pool, _ in pools.values():
                pool.shutdown(wait=True, cancel_futures=True)


def _materialized(export: Export, paths: list[Path], started: float, waited: bool = False) -> MaterializeResult:
    """The materialization of an export: where its files are published, and how long it took
    (for one written apart: how long the step still waited for it)."""
    shown = [str(Path(p).resolve()) for p in paths]
    return MaterializeResult(
        asset_key=export.key,
        metadata={
            "paths": shown if len(shown) < 30 else len(shown),
            ("seconds_waited" if waited else "seconds"): round(time.perf_counter() - started, 3),
        },
    )


@asset(
    key=PUBLISHED,
    group_name="exports",
    deps=EXPORT_KEYS,
    partitions_def=data_year_partitions,
    kinds={"duckdb"},
    description="更新结果文件夹与分析副本：全部导出成功后，以暂存目录替换 <export-dir>/<year>/，"
    "并替换供分析人员只读查询的数据仓库副本（warehouse/published/mujun.duckdb）。"
    "任何一步失败则不发布，上一次的结果保持不变。",
)
def published_outputs(context: AssetExecutionContext, warehouse: Warehouse, locations: Locations) -> MaterializeResult:
    year = int(context.partition_key)
    export_dir = Path(locations.export_dir)
    if failed := staging.failed_steps(export_dir, year, context.run_id):
        raise Failure(
            description=f"本次运行中“{'、'.join(failed)}”失败，结果不发布，上一次的结果保持不变 / "
            "a step of this run failed: nothing is published"
        )
    root = staging.begin(export_dir, year, context.run_id, _is_running(context))
    # a run that recomputed only what changed (run_plan.py) keeps the exports it did not write
    written = staging.done_files(root)
    kept = [export.name for export in EXPORTS if export.name not in written]
    with warehouse.connect() as conn:
        published = run_log.published_exports(conn, year, export_dir)
    staging.carry_over(export_dir, year, root, {name: published[name] for name in kept if name in published})
    files = staging.done_files(root)
    # the slow part first (copying the warehouse), aside; then the two swaps, back to back, and
    # the record of the run: if any of them fails, both swaps are undone (nothing is published)
    copy = stage_copy(warehouse.file, context.run_id, _is_running(context))
    folder = staging.swap_in(export_dir, year, context.run_id, [export.name for export in EXPORTS])
    committed = False
    try:
        target = commit_copy(copy, warehouse.file, context.run_id)
        committed = True
        with warehouse.connect() as conn:
            run_log.record_exports(conn, year, files, export_dir)
            run_log.finished(conn, year, context.run_id)
    except BaseException:
        if committed:
            restore_copy(warehouse.file, context.run_id)
        staging.swap_back(export_dir, year, context.run_id)
        raise
    staging.finish_swap(export_dir, year, context.run_id)
    drop_previous_copy(warehouse.file, context.run_id)
    return MaterializeResult(
        metadata={"exports": str(folder.resolve()), "analysts_copy": str(target), "exports_kept": ", ".join(kept) or "-"}
    )
