"""The `mujun` command line (RULES §10): it parses the arguments and calls one function per command.

`mujun evaluate` materializes the same Dagster assets as the schedule and `dagster dev` do,
in-process, for one data-year partition, then prints a summary and exits with
0 = done and publishable, 3 = done but blocked enterprises or error-severity issues,
2 = the input could not be used (required file or column missing, file unreadable, no benchmark),
1 = any other failure. The statuses are decided in exit_status.py.
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from datetime import date
from pathlib import Path

from . import exit_status
from .exit_status import FAILED as EXIT_FAILED
from .exit_status import INPUT_UNUSABLE as EXIT_INPUT
from .exit_status import OK as EXIT_OK

# argparse's own headings are English ("usage:", "options", "show this help message and exit"):
# each parser here names its groups and its help option itself, and its usage line is headed in
# Chinese first through ArgumentParser's documented format_usage/format_help.
USAGE_HEADING = "用法 / usage: "
OPTIONS_TITLE = "选项 / options"
HELP_TEXT = "显示本说明并退出 / show this help and exit"


class _Parser(argparse.ArgumentParser):
    """argparse, with its help and its refusal said in Chinese first (argparse's own words follow a
    refusal: they name the argument); the exit status stays argparse's 2."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, add_help=False, formatter_class=_help_below, **kwargs)
        self.options = self.add_argument_group(OPTIONS_TITLE)
        self.options.add_argument("-h", "--help", action="help", help=HELP_TEXT)

    def format_usage(self) -> str:
        return _chinese_usage(super().format_usage())

    def format_help(self) -> str:
        return _chinese_usage(super().format_help())

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: 参数有误（{self.prog} -h 查看用法）/ invalid arguments: {message}\n")


def _help_below(prog: str) -> argparse.HelpFormatter:
    """Each option's help on the line below it: argparse aligns the help column by counting
    characters, and a Chinese placeholder (--year 年度) is twice as wide on screen as counted."""
    return argparse.HelpFormatter(prog, max_help_position=8)


def _chinese_usage(text: str) -> str:
    """argparse's usage block headed by USAGE_HEADING; its wrapped lines moved right by as many
    columns as the heading is wider on screen (a Chinese character takes two)."""
    english = "usage: "
    if not text.startswith(english):
        return text
    shift = " " * (_screen_width(USAGE_HEADING) - len(english))
    usage, blank, rest = text[len(english) :].partition("\n\n")
    first, *wrapped = usage.split("\n")
    return "\n".join([USAGE_HEADING + first, *(shift + line if line else line for line in wrapped)]) + blank + rest


def _screen_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(character) in "WF" else 1 for character in text)


def _year(text: str) -> int:
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(f"年度须为数字，如 2023 / a year is a number: {text!r}")
    return int(text)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期须写作 YYYY-MM-DD，如 2023-12-31 / a date is YYYY-MM-DD: {text!r}") from None


def _count(text: str) -> int:
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(f"企业数须为不小于 0 的整数 / a count is a whole number, 0 or more: {text!r}")
    return int(text)


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    from .paths import DEFAULT_EXPORT_DIR, DEFAULT_RAW_DIR, DEFAULT_TEMPLATES_DIR, DEFAULT_WAREHOUSE

    parser = _Parser(prog="mujun", description="亩均效益综合评价 / per-mu benefit evaluation")
    commands = parser.add_subparsers(dest="command", required=True, title="命令 / commands", metavar="命令")

    evaluate = commands.add_parser("evaluate", help="评价一个数据年度 / evaluate one data year")
    evaluate.options.add_argument("--year", type=_year, required=True, metavar="YYYY", help="数据年度（统计年度），如 2023")
    evaluate.options.add_argument(
        "--raw-dir", type=Path, metavar="目录", default=DEFAULT_RAW_DIR, help="部门报送文件目录，内含 <year>/*.csv 或 *.xlsx"
    )
    evaluate.options.add_argument("--export-dir", type=Path, metavar="目录", default=DEFAULT_EXPORT_DIR, help="导出目录，写入 <year>/")
    evaluate.options.add_argument("--warehouse", type=Path, metavar="文件", default=DEFAULT_WAREHOUSE, help="DuckDB 数据仓库文件")
    evaluate.options.add_argument(
        "--cutoff",
        type=_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="评价统计截止日 YYYY-MM-DD（默认 <year>-12-31；须在数据年度或其后一年内）",
    )
    evaluate.options.add_argument(
        "--benchmark-method",
        choices=["mean_of_ratios", "ratio_of_sums"],
        default=None,
        help="基准值：企业指标值的平均（默认 mean_of_ratios）或合计之比",
    )
    evaluate.options.add_argument(
        "--ranking-groups", choices=["scale", "all"], default=None, help="排名分组：规上规下分别排名（默认 scale）或全部一起"
    )
    evaluate.options.add_argument(
        "--no-instance",
        action="store_true",
        help="不记入 Dagster 实例（界面中不显示）：供临时数据仓库中的重新计算使用，如 mujun verify",
    )

    export = commands.add_parser("export", help="根据数据仓库重新生成全部输出（不重新计算）/ regenerate outputs")
    export.options.add_argument("--year", type=_year, required=True, metavar="YYYY", help="数据年度")
    export.options.add_argument("--export-dir", type=Path, metavar="目录", default=DEFAULT_EXPORT_DIR, help="导出目录，写入 <year>/")
    export.options.add_argument("--warehouse", type=Path, metavar="文件", default=DEFAULT_WAREHOUSE, help="DuckDB 数据仓库文件")

    for name, text in (
        ("publish", "发布（冻结）一个已评价年度：规则、输入文件指纹、代码版本与结果 / freeze an evaluated year"),
        ("verify", "按冻结的输入、规则与参数重新计算，核对是否与发布结果完全一致 / recompute a published year and compare"),
    ):
        command = commands.add_parser(name, help=text)
        command.options.add_argument("--year", type=_year, required=True, metavar="YYYY", help="数据年度")
        command.options.add_argument("--warehouse", type=Path, metavar="文件", default=DEFAULT_WAREHOUSE, help="DuckDB 数据仓库文件")
        if name == "publish":
            command.options.add_argument(
                "--force", action="store_true", help="不可发布的年度（有暂不参评企业或错误级数据问题）也发布；须同时给出 --reason"
            )
            command.options.add_argument("--reason", default=None, metavar="理由", help="强制发布的理由（记录在发布记录中）")

    templates = commands.add_parser("templates", help="生成各部门的报送模板（Excel）/ write the departments' delivery templates")
    templates.options.add_argument("--year", type=_year, required=True, metavar="YYYY", help="数据年度，如 2024")
    templates.options.add_argument(
        "--out", type=Path, metavar="目录", default=DEFAULT_TEMPLATES_DIR, help="输出目录（写入 <out>/<year>/<部门>/<extract>.xlsx）"
    )

    generate = commands.add_parser("generate", help="生成虚构示例区县数据 / generate a fictional sample district")
    generate.options.add_argument("--years", type=_year, nargs="+", required=True, metavar="YYYY", help="数据年度，如 2022 2023")
    generate.options.add_argument("--out", type=Path, metavar="目录", required=True, help="输出目录（写入 <out>/<year>/*.csv 与 *.xlsx）")
    generate.options.add_argument("--above", type=_count, metavar="数量", default=300, help="规上企业数")
    generate.options.add_argument("--below", type=_count, metavar="数量", default=900, help="规下企业数")
    generate.options.add_argument("--seed", type=int, metavar="整数", default=20240301, help="随机种子（相同种子生成相同数据）")
    generate.options.add_argument(
        "--workbooks",
        nargs="*",
        default=None,
        metavar="文件",
        help="以 Excel 模板（<extract>.xlsx）报送的文件，默认 science_tech；不带参数则全部为 CSV",
    )
    args = parser.parse_args(argv)
    if args.command == "generate" and args.above + args.below == 0:
        generate.error("规上与规下企业数合计至少为 1 / --above and --below add up to at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    from .contract import ContractError

    try:
        return _command(args)
    except ContractError as error:  # the project's contract tables name something unusable: said, no traceback
        print(f"{exit_status.heading(error)}: {error}")
        return exit_status.of_error(error)


def _command(args: argparse.Namespace) -> int:
    if args.command == "generate":
        return _generate(args.years, args.out, args.above, args.below, args.seed, args.workbooks)
    if args.command == "templates":
        return _templates(args.year, args.out)
    if args.command == "publish":
        return _publish(args.year, args.warehouse, args.force, args.reason)
    if args.command == "verify":
        return _verify(args.year, args.warehouse)
    from .evaluate import evaluate, export
    from .instance import project_instance

    if args.command == "export":
        return export(year=args.year, export_dir=args.export_dir, warehouse=args.warehouse, instance=project_instance())
    return evaluate(
        year=args.year,
        raw_dir=args.raw_dir,
        export_dir=args.export_dir,
        warehouse=args.warehouse,
        cutoff=args.cutoff,
        benchmark_method=args.benchmark_method,
        ranking_groups=args.ranking_groups,
        # recorded in the project's Dagster instance, where the UI (make dev) shows every run; a
        # scratch recomputation is not a run of the project and goes to a throwaway instance
        # (storing each event in SQLite costs seconds a run: docs/performance.md)
        instance=None if args.no_instance else project_instance(),
    )


def _generate(years: list[int], out: Path, above: int, below: int, seed: int, workbooks: list[str] | None) -> int:
    from .generate import SAMPLE_WORKBOOKS, generate_district

    for year in years:
        chosen = SAMPLE_WORKBOOKS if workbooks is None else tuple(workbooks)
        written = generate_district(out, year, above=above, below=below, seed=seed, workbooks=chosen)
        print(f"{year} 年度：{len(written)} 个文件，写入 {Path(out) / str(year)} / {len(written)} files under {Path(out) / str(year)}")
    return EXIT_OK


def _templates(year: int, out: Path) -> int:
    from .outputs.templates import write_templates

    written = write_templates(year, out)
    for template in written:
        print(f"{template.extract.department_zh}：{template.path}")
    print(
        f"{year}: {len(written)} 个报送模板 / templates under {Path(out) / str(year)}（各部门填好后，文件名不变，放入 data/raw/{year}/ "
        f"/ filled in, under the same name, they go to data/raw/{year}/）"
    )
    return EXIT_OK


def _warehouse_problem(warehouse: Path) -> int | None:
    """A warehouse that is not there: said in one line (publish and verify never create one)."""
    if not Path(warehouse).is_file():
        print(f"找不到数据仓库文件 / no such warehouse: {warehouse}")
        return EXIT_INPUT
    return None


def _publish(year: int, warehouse: Path, force: bool, reason: str | None) -> int:
    import duckdb

    from .publish import NotPublishable, publish

    if (status := _warehouse_problem(warehouse)) is not None:
        return status
    try:
        record = publish(warehouse, year, force=force, reason=reason)
    except (LookupError, NotPublishable, duckdb.Error) as exc:
        return _refused(exc)
    if record.get("already_published"):
        print(
            f"本次计算结果已于 {record['published_at'][:16].replace('T', ' ')}（UTC）发布为 {record['publication_id']}，此后没有变化，"
            f"不重复发布 / already published as {record['publication_id']}, unchanged since: not published again"
        )
        return EXIT_OK
    print(
        f"已发布 / published {record['publication_id']}: code {record['code_version']}, "
        f"rules {record['rules_sha256'][:12]}, results {record['results_sha256'][:12]}"
    )
    if record["forced"]:
        print(f"注意：本年度不可发布，按 --force 强制发布，理由已记录：{record['force_reason']} / forced publication recorded")
    return EXIT_OK


def _verify(year: int, warehouse: Path) -> int:
    import duckdb

    from .verify import verify

    if (status := _warehouse_problem(warehouse)) is not None:
        return status
    try:
        result = verify(warehouse, year)
    except (LookupError, duckdb.Error) as exc:
        return _refused(exc)
    pid = result.publication["publication_id"]
    for note in result.notes:
        print(f"注意 / note: {note}")
    if result.recompute_failure:
        print(result.recompute_failure)
    else:
        _differences(
            result.recomputed,
            f"重新计算（冻结的输入、规则表与评价参数）与发布 {pid} 完全相同 / recomputed {pid} exactly",
            f"重新计算（冻结的输入、规则表与评价参数）与发布 {pid} 不一致 / recomputation differs:",
        )
    _differences(
        result.current,
        f"当前数据仓库中的结果与发布 {pid} 完全相同 / the working warehouse holds {pid} exactly",
        f"当前数据仓库与发布 {pid} 相比 / the working warehouse differs from {pid}:",
    )
    return exit_status.of_verification(result.same)


def _refused(error: Exception) -> int:
    """Say why publish or verify could not do its work; its exit status comes from exit_status."""
    status = exit_status.of_publication_error(error)
    if status == EXIT_FAILED:
        meaning = exit_status.explanation(error)
        print(f"运行失败 / run failed: {f'{meaning} / ' if meaning else ''}{str(error).splitlines()[0]}")
    else:
        print(error)
    return status


def _differences(lines: list[str], same: str, differs: str) -> None:
    """A verdict line, then each difference on its own line."""
    print(differs if lines else same)
    for line in lines:
        print(f"  {line}")


def run() -> None:
    """The `mujun` console script."""
    sys.exit(main())


if __name__ == "__main__":
    run()
