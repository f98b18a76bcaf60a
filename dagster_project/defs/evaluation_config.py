"""The decisions of an evaluation run (the run configuration of the dbt step), apart from the
dbt assets so that the command line can plan a run without loading them."""

from typing import Literal

from dagster import Config


class EvaluationConfig(Config):
    """Run configuration of an evaluation: the decisions RULES.md leaves open, with its defaults.
    Every run records them in marts.evaluation_status."""

    cutoff: str = ""
    """评价统计截止日 (YYYY-MM-DD); empty means 31 December of the data year."""
    benchmark_method: Literal["mean_of_ratios", "ratio_of_sums"] = "mean_of_ratios"
    """基准值：企业指标值的平均（默认）或合计之比。"""
    ranking_groups: Literal["scale", "all"] = "scale"
    """排名分组：规上、规下分别排名（默认）或全部一起排名。"""
