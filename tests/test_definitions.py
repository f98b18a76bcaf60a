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
    from dagster_project.dbt_project import manifest as parsed_manifest

    manifest = json.loads(parsed_manifest().read_text(encoding="utf-8"))
    raw = {s["name"] for s in manifest["sources"].values() if s["source_name"] == "raw"}
    assert raw - {"loads", "load_issues"} == set(extracts())
    for path, text in expected_files().items():
        assert path.read_text(encoding="utf-8") == text, path
