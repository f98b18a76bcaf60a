"""The assets a run of a data year materializes, from its plan (run_plan.py): all of them, or
the changed deliveries and rule tables and everything downstream of them. Shared by the command
line and the sensor, so that both recompute the same things for the same changes."""

from __future__ import annotations

from pathlib import Path

import duckdb
from dagster import AssetKey, AssetSelection

from .. import run_log
from ..run_plan import Plan
from .export_assets import EXPORT_KEYS, EXPORTS, published_outputs
from .raw_assets import BOOKKEEPING


def changed_and_downstream(plan: Plan, asset_graph, warehouse: Path, export_dir: Path, year: int) -> list[AssetKey] | None:
    """None when the plan recomputes everything; else the changed roots and their downstream
    assets, with every export when the published folder lacks some of them (they cannot be
    carried over then)."""
    if plan.everything:
        return None
    roots = [AssetKey(["raw", name]) for name in plan.extracts] + [AssetKey(["rules", name]) for name in plan.rule_tables]
    if plan.extracts:  # every delivery is also a row of the ingestion's bookkeeping
        roots += list(BOOKKEEPING)
    keys = set(AssetSelection.assets(*roots).downstream().resolve(asset_graph))
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        published = run_log.published_exports(conn, year)
    if not (Path(export_dir) / str(year)).is_dir() or any(export.name not in published for export in EXPORTS):
        keys |= {*EXPORT_KEYS, published_outputs.key}
    return sorted(keys)
