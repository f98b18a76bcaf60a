"""The Dagster definitions: one asset per extract, every dbt model, dbt tests as checks."""

from __future__ import annotations

from dagster import AssetKey

from dagster_project.contract import extracts
from dagster_project.definitions import defs
from dagster_project.defs.partitions import data_year_partitions


def test_one_raw_asset_per_extract_and_the_dbt_models():
    keys = set(defs.resolve_asset_graph().get_all_asset_keys())
    assert {AssetKey(["raw", name]) for name in extracts()} <= keys
    for mart in ("classification", "benchmarks", "dq_issues", "enterprise_score_items"):
        assert AssetKey(["marts", mart]) in keys
    assert AssetKey(["exports", "csv"]) in keys


def test_raw_assets_feed_the_staging_models():
    graph = defs.resolve_asset_graph()
    parents = graph.get(AssetKey(["validation", "validation_cell_errors"])).parent_keys
    assert {AssetKey(["raw", name]) for name in extracts()} <= parents


def test_partitions_are_data_years_including_the_samples():
    keys = data_year_partitions.get_partition_keys()
    assert "2022" in keys and "2023" in keys


def test_dbt_tests_become_asset_checks():
    checks = {key.name for key in defs.resolve_asset_graph().asset_check_keys}
    assert any(name.startswith("unique_") for name in checks)


def test_dbt_extract_list_matches_the_contract():
    """The raw sources dbt parsed, and the extract list its models loop over, are the contract's
    (generated from it by dagster_project/dbt_extracts.py before every parse)."""
    import json

    from dagster_project.dbt_extracts import expected_files
    from dagster_project.dbt_project import ensure_manifest

    manifest = json.loads(ensure_manifest().read_text(encoding="utf-8"))
    raw = {s["name"] for s in manifest["sources"].values() if s["source_name"] == "raw"}
    assert raw - {"loads", "load_issues"} == set(extracts())
    for path, text in expected_files().items():
        assert path.read_text(encoding="utf-8") == text, path


def test_dbt_resource_starts_without_asking_dbt_for_its_version(monkeypatch):
    """dagster-dbt would run `dbt --version` and open a dbt adapter in-process before every
    build (about 6 s); mujun's resource knows the version from the installed package."""
    import importlib.metadata

    import dagster_dbt.core.resource
    from packaging.version import Version

    from dagster_project.dbt_project import DBT_EXECUTABLE, dbt_project
    from dagster_project.defs.resources import DbtCli

    def no_subprocess(*args, **kwargs):
        raise AssertionError(f"unexpected subprocess {args}")

    monkeypatch.setattr(dagster_dbt.core.resource, "check_output", no_subprocess)
    resource = DbtCli(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE)
    assert resource._cli_version == Version(importlib.metadata.version("dbt-core"))
    assert resource._initialize_dbt_core_adapter(["build"]) is None


def test_background_parse_leaves_a_cache_the_build_can_use(tmp_path):
    """`mujun evaluate` parses the dbt project with the run's vars and warehouse while the
    deliveries are ingested; dbt then parses only what changed instead of the whole project."""
    import json
    import os
    import shutil
    import subprocess

    from dagster_project import dbt_project as project

    dbt_vars = {"year": 2019, "cutoff": "", "benchmark_method": "mean_of_ratios", "ranking_groups": "scale"}
    warehouse = tmp_path / "w" / "mujun.duckdb"
    project.start_background_parse(dbt_vars, warehouse)
    folder = project._background[1]
    project.adopt_background_parse()
    assert not folder.exists()

    target = tmp_path / "target"
    target.mkdir()
    shutil.copyfile(project.dbt_project.project_dir / project.dbt_project.target_path / project.PARTIAL_PARSE_FILE,
                    target / project.PARTIAL_PARSE_FILE)
    subprocess.run(
        [project.DBT_EXECUTABLE, "parse", "--vars", json.dumps(dbt_vars), "--target-path", str(target),
         "--log-path", str(tmp_path / "logs"), "--project-dir", str(project.DBT_DIR), "--profiles-dir", str(project.DBT_DIR)],
        cwd=project.DBT_DIR, check=True, capture_output=True,
        env={**os.environ, "MUJUN_WAREHOUSE": str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    )
    log = (tmp_path / "logs" / "dbt.log").read_text(encoding="utf-8")
    assert "Partial parsing enabled" in log and "Unable to do partial parsing" not in log
    assert project._background is None  # adopted once, its folder removed
