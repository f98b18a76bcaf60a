"""The dbt folders follow the data (docs/dbt-layout.md): each model reads only its own folder and
earlier ones; every model has its yml beside it; last year's results reach Dagster as the
previous partition of marts/classification."""

from __future__ import annotations

import json
import re

import yaml
from dagster import AssetKey, TimeWindowPartitionMapping

from dagster_project.dbt_project import manifest as parsed_manifest
from dagster_project.paths import DBT_DIR

# Flow order of the folders; a model may read a folder at its own position or before it.
FLOW = [
    "reference",
    "validation",
    "staging",
    "intermediate/population",
    "intermediate/land",
    "intermediate/indicators",
    "intermediate/events",
    "intermediate/scoring",
    "intermediate/classification",
    "intermediate/rewards",
    "intermediate/quality",
    "marts",
]


def _folder(path: str) -> str:
    parts = path.split("/")[1:-1]  # models/<layer>/[<folder>/]<model>.sql
    return "/".join(parts[:2]) if parts[0] == "intermediate" else parts[0]


def _models() -> dict:
    manifest = json.loads(parsed_manifest().read_text(encoding="utf-8"))
    return manifest, {uid: node for uid, node in manifest["nodes"].items() if node["resource_type"] == "model"}


def test_each_folder_reads_only_earlier_folders():
    manifest, models = _models()
    backwards = []
    for node in models.values():
        own = FLOW.index(_folder(node["original_file_path"]))
        for parent in node["depends_on"]["nodes"]:
            if parent in models and FLOW.index(_folder(models[parent]["original_file_path"])) > own:
                backwards.append((node["name"], models[parent]["name"]))
    assert backwards == []


def test_rewards_read_neither_scores_nor_classes():
    manifest, models = _models()
    for node in models.values():
        if _folder(node["original_file_path"]) == "intermediate/rewards":
            for parent in node["depends_on"]["nodes"]:
                if parent in models:
                    assert _folder(models[parent]["original_file_path"]) in (
                        "reference",
                        "validation",
                        "staging",
                        "intermediate/population",
                        "intermediate/rewards",
                    ), (node["name"], parent)


def test_every_model_has_its_yml_with_a_description_of_it_and_its_columns():
    for sql in sorted((DBT_DIR / "models").rglob("*.sql")):
        beside = sql.with_suffix(".yml")
        assert beside.is_file(), sql
        [model] = yaml.safe_load(beside.read_text(encoding="utf-8"))["models"]
        assert model["name"] == sql.stem and model["description"].strip(), sql
        assert model["columns"] and all(c.get("description", "").strip() for c in model["columns"]), sql


def test_staging_models_name_their_extract():
    from dagster_project.contract import extracts

    manifest, models = _models()
    named = {n["config"]["meta"].get("extract") for n in models.values() if _folder(n["original_file_path"]) == "staging"}
    assert named - {None} <= set(extracts())
    assert len(named - {None}) >= 19  # every extract the evaluation or the rewards read


def test_last_year_is_the_previous_partition_of_the_classification_mart():
    from dagster_project.definitions import defs

    graph = defs.resolve_asset_graph()
    mart = AssetKey(["marts", "classification"])
    assert mart in graph.get(mart).parent_keys
    assert graph.get_partition_mapping(mart, mart) == TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)
    # the dbt source through which the mart is read is an alias of it, not an asset of its own
    assert not [key for key in graph.get_all_asset_keys() if key.path[0] == "results"]
    _, models = _models()
    [reader] = [n for n in models.values() if n["name"] == "int_previous_year_results"]
    assert reader["depends_on"]["nodes"] == ["source.mujun.results.classification"]


def test_no_model_config_depends_on_a_var():
    """dbt is parsed once with the project's own vars and the run's vars are read when the nodes
    compile (dagster_project/dbt_build.py): a var in a config would keep its parse-time value."""
    configs = []
    for path in sorted((DBT_DIR / "models").rglob("*")):
        text = path.read_text(encoding="utf-8") if path.suffix in (".sql", ".yml") else ""
        configs += [(path.name, block) for block in re.findall(r"config\((.*?)\)\s*}}", text, flags=re.S)]
        if path.suffix == ".yml":
            configs += [(path.name, block) for block in re.findall(r"config:\n((?:\s{4,}.*\n)+)", text)]
    assert configs, "the scan found no config"
    assert [name for name, block in configs if "var(" in block] == []
    project = (DBT_DIR / "dbt_project.yml").read_text(encoding="utf-8")
    assert "var(" not in project.split("models:", 1)[1]
