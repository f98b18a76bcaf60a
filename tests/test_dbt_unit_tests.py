"""The dbt unit tests (unit_tests: in the models' yml) pass. They check SQL logic on fixed inputs
with the rule tables as loaded, so the evaluation's build leaves them out
(`--exclude-resource-type unit_test`); here they run once against the worked example's
warehouse, because dbt reads the column types of each model's parents from existing relations."""

from __future__ import annotations

import json
import os
import subprocess

from conftest import copy_run
from dagster_project.dbt_project import DBT_EXECUTABLE
from dagster_project.paths import DBT_DIR

# The logic the issue names: rank → class, the adjustment walk, the caps, rounding, net land.
EXPECTED = {
    "rank_to_class_at_the_cutoffs",
    "adjustment_walk_in_rule_order",
    "basic_bonus_and_penalty_caps",
    "penalty_item_caps",
    "bonus_item_cap",
    "growth_rates_are_rounded_before_the_threshold",
    "registered_land_from_square_metres_to_mu",
    "only_verified_leases_count",
    "net_land_is_registered_plus_leased_in_minus_leased_out",
}


def test_dbt_unit_tests_pass(worked, tmp_path):
    warehouse = copy_run(worked, tmp_path / "run").warehouse  # dbt opens it for writing
    done = subprocess.run(
        [
            DBT_EXECUTABLE,
            "test",
            "--select",
            "test_type:unit",
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "logs"),
            "--project-dir",
            str(DBT_DIR),
            "--profiles-dir",
            str(DBT_DIR),
        ],
        cwd=DBT_DIR,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "MUJUN_WAREHOUSE": str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    )
    results = json.loads((tmp_path / "target" / "run_results.json").read_text(encoding="utf-8"))["results"]
    status = {r["unique_id"].rsplit(".", 1)[-1]: r["status"] for r in results}
    assert EXPECTED <= set(status), sorted(status)
    assert all(s == "pass" for s in status.values()), (status, done.stdout[-4000:])
    assert done.returncode == 0, done.stdout[-4000:]
