"""Watch data/raw/<year>/: a year whose folder holds deliveries other than those its latest
computation was made from (by sha256: new, changed, taken away, or back to an earlier version),
or whose earlier years were computed again since, gets a run that recomputes what the run plan
says (run_plan.py): the changed extracts and everything downstream of them when the warehouse's
working tables are this year's latest computation, else the whole year.

The sensor compares the folder with the warehouse, not with what it saw at its last tick: a
folder evaluated by hand meanwhile (`mujun evaluate`) needs no run, and one put back to an
earlier version after another computation does. The years' runs wait in Dagster's queue, the
earlier year first (defs/jobs.py)."""

import json
from pathlib import Path

import duckdb
from dagster import RunRequest, SensorEvaluationContext, SensorResult, SkipReason, sensor

from .. import run_plan
from .evaluation_config import EvaluationConfig
from .jobs import evaluate_data_year
from .partitions import data_year_partitions
from .resources import Locations, Warehouse
from .run_selection import changed_and_downstream


@sensor(
    job=evaluate_data_year,
    minimum_interval_seconds=60,
    description="部门文件新增、变更或撤回（sha256），或上一年度重新计算后，重新评价该年度受影响的部分。",
)
def new_delivery_sensor(context: SensorEvaluationContext, locations: Locations, warehouse: Warehouse):
    raw_dir = Path(locations.raw_dir)
    if not raw_dir.is_dir():
        return SkipReason(f"没有报送文件目录 / no folder {raw_dir}")
    years = sorted(p.name for p in raw_dir.iterdir() if p.is_dir() and p.name in set(data_year_partitions.get_partition_keys()))
    # the state of each year a run was requested for (run_plan.Due.key): requested once
    requested = json.loads(context.cursor) if context.cursor else {}
    requests = []
    try:
        for year in years:
            due = run_plan.due(warehouse.file, raw_dir, int(year))
            if due is None or requested.get(year) == due.key:
                continue
            # the sensor's runs take the default decisions (EvaluationConfig)
            plan = run_plan.plan(warehouse.file, raw_dir, int(year), EvaluationConfig().model_dump())
            if plan.nothing and not due.earlier_years:
                continue
            selection = (
                None
                if due.earlier_years
                else changed_and_downstream(plan, context.repository_def.asset_graph, warehouse.file, Path(locations.export_dir), int(year))
            )
            requests.append(
                RunRequest(
                    run_key=f"delivery-{year}-{due.key}",
                    partition_key=year,
                    asset_selection=selection,
                    tags={
                        "mujun/trigger": "earlier-year" if due.earlier_years else "new-delivery",
                        "mujun/extracts": ",".join(due.extracts),
                        "mujun/earlier_years": ",".join(str(y) for y in due.earlier_years),
                    },
                )
            )
            requested[year] = due.key
    except duckdb.IOException:  # a run holds the warehouse: look again at the next tick
        return SkipReason("数据仓库正被运行占用，下次再查 / the warehouse is in use by a run")
    return SensorResult(run_requests=requests, cursor=json.dumps(requested, sort_keys=True))
