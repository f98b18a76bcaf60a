"""The one Definitions object of mujun (loaded by `dagster dev` and by the `mujun` CLI)."""

from __future__ import annotations

import warnings

from dagster import Definitions, in_process_executor

from .defs.dbt_assets import mujun_dbt_models
from .defs.export_assets import exports, published_outputs
from .defs.jobs import evaluate_data_year
from .defs.publishability import publishable
from .defs.raw_assets import delivery_expectations, raw_deliveries
from .defs.resources import Locations, Warehouse
from .defs.schedules import annual_evaluation
from .defs.sensors import new_delivery_sensor

# The raw and export assets have no backfill policy and the dbt assets one data year per run:
# Dagster warns that they differ, then runs one year per run, which is what every asset needs.
# (Declaring the policy on every asset instead prints a beta warning per asset.)
warnings.filterwarnings(
    "ignore",
    message="Asset job evaluate_data_year materializes assets with varying BackfillPolicies",
    category=UserWarning,
    module="dagster._core.definitions.unresolved_asset_job_definition",
)


def build_definitions(warehouse: Warehouse | None = None, locations: Locations | None = None) -> Definitions:
    return Definitions(
        assets=[raw_deliveries, mujun_dbt_models, exports, published_outputs],
        asset_checks=[delivery_expectations, publishable],
        jobs=[evaluate_data_year],
        schedules=[annual_evaluation],
        sensors=[new_delivery_sensor],
        resources={
            "warehouse": warehouse or Warehouse(),
            "locations": locations or Locations(),
        },
        # DuckDB allows one writer: run the steps of a run one after another in one process.
        executor=in_process_executor,
    )


defs = build_definitions()
