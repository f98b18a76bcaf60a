"""Watch data/raw/<year>/: a new or changed extract (by sha256) starts a run for that year that
recomputes what the run plan says (run_plan.py): that extract and everything downstream of it
when the warehouse's working tables are this year's latest computation, else the whole year."""

import hashlib
import json
from pathlib import Path

from dagster import RunRequest, SensorEvaluationContext, SensorResult, SkipReason, sensor

from .. import run_plan
from ..contract import extracts
from .evaluation_config import EvaluationConfig
from .jobs import evaluate_data_year
from .partitions import data_year_partitions
from .resources import Locations, Warehouse
from .run_selection import changed_and_downstream


def _fingerprints(raw_dir: Path, years: set[str]) -> dict[str, str]:
    from ..delivery_folder import delivery_digest  # <extract>.csv or <extract>.xlsx

    found = {}
    for folder in sorted(p for p in Path(raw_dir).iterdir() if p.is_dir() and p.name in years):
        for name, extract in extracts().items():
            if (digest := delivery_digest(folder, extract)) is not None:
                found[f"{folder.name}/{name}"] = digest
    return found


@sensor(job=evaluate_data_year, minimum_interval_seconds=60, description="部门文件新增或变更（sha256）时，重新评价该年度受影响的部分。")
def new_delivery_sensor(context: SensorEvaluationContext, locations: Locations, warehouse: Warehouse):
    raw_dir = Path(locations.raw_dir)
    if not raw_dir.is_dir():
        return SkipReason(f"no folder {raw_dir}")
    seen = json.loads(context.cursor) if context.cursor else {}
    now = _fingerprints(raw_dir, set(data_year_partitions.get_partition_keys()))
    changed: dict[str, list[str]] = {}
    for key, digest in now.items():
        if seen.get(key) != digest:
            year, name = key.split("/")
            changed.setdefault(year, []).append(name)
    requests = []
    for year, names in sorted(changed.items()):
        # the sensor's runs take the default decisions (EvaluationConfig)
        plan = run_plan.plan(warehouse.file, raw_dir, int(year), EvaluationConfig().model_dump())
        if plan.nothing:
            continue
        selection = changed_and_downstream(plan, context.repository_def.asset_graph, warehouse.file, Path(locations.export_dir), int(year))
        requests.append(
            RunRequest(
                run_key=f"delivery-{year}-" + hashlib.sha256("".join(now[f"{year}/{n}"] for n in sorted(names)).encode()).hexdigest()[:16],
                partition_key=year,
                asset_selection=selection,
                tags={"mujun/trigger": "new-delivery", "mujun/extracts": ",".join(sorted(names))},
            )
        )
    return SensorResult(run_requests=requests, cursor=json.dumps(now, sort_keys=True))
