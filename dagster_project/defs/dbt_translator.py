"""How dbt resources become Dagster assets: groups by layer, and last year's results as the
previous partition of marts/classification.

int_previous_year_results reads the classification mart of the year before through the dbt
source `results.classification` (so dbt sees the read). Dagster cannot take that edge as it is:
dagster-dbt refuses a source keyed like a model (two resources, one asset key), and an edge from
the mart into a model the mart is built from is a cycle between distinct assets, which Dagster
refuses even with a partition offset. Dagster's own form of "this year reads last year" is a
self-dependency on the previous partition: the mart declares it (meta.dagster.has_self_dependency
in marts/classification.yml) and the source, an alias of the mart, is dropped from the graph
(no dbt source of mujun is called `results` but these).
"""

from collections.abc import Mapping
from typing import Any

from dagster import AssetSpec, PartitionMapping, TimeWindowPartitionMapping
from dagster_dbt import DagsterDbtTranslator, DbtProject

# dbt/models/intermediate/classification/_results__sources.yml: the marts themselves, read for
# earlier years. (enterprise_rewards is read for every earlier year, which no partition mapping
# expresses; its reader only drops the alias.)
RESULTS_SOURCE = "results"
PREVIOUS_YEAR = TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)


class MujunDbtTranslator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> "str | None":
        if dbt_resource_props["resource_type"] == "seed":
            return "rules"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else None

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: "DbtProject | None") -> AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        deps = [dep for dep in spec.deps if dep.asset_key.path[0] != RESULTS_SOURCE]
        return spec if len(deps) == len(spec.deps) else spec.replace_attributes(deps=deps)

    def get_partition_mapping(
        self, dbt_resource_props: Mapping[str, Any], dbt_parent_resource_props: Mapping[str, Any]
    ) -> "PartitionMapping | None":
        # asked for each resource about itself; used only where the resource declares a self-dependency
        if dbt_resource_props["unique_id"] == dbt_parent_resource_props["unique_id"]:
            return PREVIOUS_YEAR
        return None
