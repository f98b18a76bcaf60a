"""The decisions of an evaluation run (the run configuration of the dbt step), apart from the
dbt assets so that the command line can plan a run without loading them."""

from datetime import date
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


def cutoff_problem(year: int, cutoff: date | None) -> str | None:
    """Why a cutoff cannot be this year's, else None. The cutoff is a day of the data year or of
    the year the evaluation is made in (RULES §1): any other is a command line or a run
    configuration kept from another year, which would move every date condition."""
    if cutoff is None or cutoff.year in (year, year + 1):
        return None
    return (
        f"评价统计截止日 {cutoff} 既不在 {year} 年内，也不在其后一年（评价之年）内，疑为沿用了其他年度的设置，"
        f"请核对截止日 / the cutoff {cutoff} is neither in {year} nor in the year after: check the cutoff"
    )
