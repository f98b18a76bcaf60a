"""The assets a run of a data year materializes, from its plan (run_plan.py): all of them, or
the changed deliveries and rule tables and everything downstream of them. Shared by the command
line and the sensor, so that both recompute the same things for the same changes.

Validation checks every delivery in one pass (dbt/models/validation), so every staging model is
downstream of every delivery. But what validation finds in one extract's lines depends on that
extract's rows and the rule tables alone (each of its checks reads one extract): a changed
delivery changes nothing the staging model of another extract reads. Such a staging model, and
what depends on the delivery through it alone, is not rebuilt; it keeps the rows of the year's
latest computation, which run_plan.py guarantees the working tables hold."""

from __future__ import annotations

from pathlib import Path

import duckdb
from dagster import AssetKey, AssetSelection

from .. import run_log
from ..run_plan import Plan
from .export_assets import EXPORT_KEYS, EXPORTS, published_outputs
from .raw_assets import BOOKKEEPING

# the asset key prefixes of the dbt folders (dbt_translator.py)
VALIDATION, STAGING = "validation", "staging"


def changed_and_downstream(plan: Plan, asset_graph, warehouse: Path, export_dir: Path, year: int) -> list[AssetKey] | None:
    """None when the plan recomputes everything; else the changed roots and their downstream
    assets, with every export when the published folder lacks some of them or some of their files
    (they cannot be carried over then)."""
    if plan.everything:
        return None
    deliveries = [AssetKey(["raw", name]) for name in plan.extracts]
    if deliveries:  # every delivery is also a row of the ingestion's bookkeeping
        deliveries += list(BOOKKEEPING)
    keys = _downstream_of_deliveries(deliveries, asset_graph)
    rules = [AssetKey(["rules", name]) for name in plan.rule_tables]
    keys |= set(AssetSelection.assets(*rules).downstream().resolve(asset_graph))
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        in_place = run_log.exports_in_place(conn, year, export_dir, [export.name for export in EXPORTS])
    if not in_place:
        keys |= {*EXPORT_KEYS, published_outputs.key}
    return sorted(keys)


def _children(key: AssetKey, asset_graph) -> set[AssetKey]:
    return set(AssetSelection.assets(key).downstream(depth=1).resolve(asset_graph)) - {key}


def _downstream_of_deliveries(roots: list[AssetKey], asset_graph) -> set[AssetKey]:
    """The changed deliveries and what depends on them, except through the staging models of
    the extracts that did not change (see above). A staging model reads its own delivery
    directly (dbt/macros/delivered_rows.sql), so a changed extract's is reached from it."""
    found, frontier = set(roots), list(roots)
    while frontier:
        key = frontier.pop()
        for child in _children(key, asset_graph) - found:
            if key.path[0] == VALIDATION and child.path[0] == STAGING:
                continue  # another extract's lines, validated as before
            found.add(child)
            frontier.append(child)
    return found
