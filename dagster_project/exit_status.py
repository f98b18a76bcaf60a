"""The exit statuses of the `mujun` command (RULES §10), decided here and nowhere else.

Failures are typed where they happen: an unusable delivery (ingest.py, csv_problems.py) and a
benchmark that cannot be computed (the dbt asset, from the dbt test `benchmark_usable`) raise a
Dagster `Failure` whose metadata names its kind (KIND). The command maps that kind to a status
here; anything else a run raises is an unexpected failure. A run that finished is publishable or
not (marts.evaluation_status).
"""

from __future__ import annotations

import errno

from dagster import Failure, MetadataValue

OK, FAILED, INPUT_UNUSABLE, NOT_PUBLISHABLE = 0, 1, 2, 3
# the asset check whose verdict "not publishable" is (defs/publishability.py)
PUBLISHABLE_CHECK = "publishable"

# the metadata entry of a Failure that names what went wrong
KIND = "mujun/failure"
INPUT = "input_unusable"  # a required file or column is missing, or a file cannot be read
BENCHMARK = "benchmark_unusable"  # no usable benchmark: every score would be meaningless

_STATUS = {INPUT: INPUT_UNUSABLE, BENCHMARK: INPUT_UNUSABLE}
_HEADING = {
    INPUT: "输入无法使用 / input unusable",
    BENCHMARK: "基准值无法计算 / benchmark unusable",
    None: "运行失败 / run failed",
}


def failure_metadata(kind: str, **where) -> dict:
    """The metadata of a typed Failure: its kind and where it happened (file, line, column…);
    entries without a value are left out."""
    return {KIND: kind, **{key: value for key, value in where.items() if value is not None}}


def typed_failure(kind: str, description: str, **where) -> Failure:
    return Failure(description=description, metadata=failure_metadata(kind, **where))


def kind_of(error: BaseException) -> str | None:
    """The kind of a typed Failure; None for any other error."""
    if not isinstance(error, Failure):
        return None
    kind = error.metadata.get(KIND)
    return kind.value if isinstance(kind, MetadataValue) else kind


def of_error(error: BaseException) -> int:
    return _STATUS.get(kind_of(error), FAILED)


def heading(error: BaseException) -> str:
    return _HEADING.get(kind_of(error), _HEADING[None])


# What an unexpected failure means, in words, by its type (and an operating-system error by its
# number), never by its text: said before the library's own message, which is often English.
_OS_ERRORS = {
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "磁盘配额已满",
    errno.EACCES: "没有读写该文件或文件夹的权限",
    errno.EPERM: "没有读写该文件或文件夹的权限",
    errno.EROFS: "该位置是只读的",
    errno.ENOENT: "找不到该文件或文件夹",
    errno.EISDIR: "该位置是文件夹，不是文件",
    errno.ENOTDIR: "路径中有一段是文件，不是文件夹",
}


def explanation(error: BaseException) -> str | None:
    """The cause of an unexpected failure in Chinese, when its type says it: a file-system error,
    or the warehouse that DuckDB cannot open or write (another run or program holding it)."""
    import duckdb

    if isinstance(error, OSError) and error.errno in _OS_ERRORS:
        return _OS_ERRORS[error.errno]
    if isinstance(error, duckdb.IOException):
        return "数据仓库文件无法打开或读写（常见原因：另一次运行或其他程序正在使用它，或磁盘空间不足）"
    return None


def of_finished_run(publishable: bool) -> int:
    """Done: publishable (0), or with blocked enterprises or error-severity issues (3)."""
    return OK if publishable else NOT_PUBLISHABLE


def of_publication_error(error: BaseException) -> int:
    """`mujun publish` and `mujun verify`: a year not evaluated or not published (LookupError) is
    input the command cannot use; a year that may not be published is not publishable; anything
    else (e.g. the warehouse locked by a running evaluation) is a failure."""
    from .publish import NotPublishable

    if isinstance(error, NotPublishable):
        return NOT_PUBLISHABLE
    return INPUT_UNUSABLE if isinstance(error, LookupError) else FAILED


def of_verification(same: bool) -> int:
    """`mujun verify`: the recomputation and the working warehouse hold the publication exactly."""
    return OK if same else FAILED
