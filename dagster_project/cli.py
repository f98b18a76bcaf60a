"""The `mujun` command line (RULES §10): it parses the arguments and calls one function per command.

`mujun evaluate` materializes the same Dagster assets as the schedule and `dagster dev` do,
in-process, for one data-year partition, then prints a summary and exits with
0 = done and publishable, 3 = done but blocked enterprises or error-severity issues,
2 = the input could not be used (required file or column missing, file unreadable, no benchmark),
1 = any other failure. The statuses are decided in exit_status.py.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date
from pathlib import Path

from . import exit_status
from .cli_parser import Parser
from .exit_status import FAILED as EXIT_FAILED
from .exit_status import INPUT_UNUSABLE as EXIT_INPUT
from .exit_status import OK as EXIT_OK

# the data years a command takes: four digits (a year after them would not be a date)
FIRST_YEAR, LAST_YEAR = 1900, 2999
_DIGITS = re.compile(r"[0-9]+")  # ASCII digits: "²" and "٣" are digits to str.isdigit(), not to int()


def _year(text: str) -> int:
    if not _DIGITS.fullmatch(text.strip()) or not FIRST_YEAR <= int(text) <= LAST_YEAR:
        raise argparse.ArgumentTypeError(
            f"年度须为 {FIRST_YEAR}—{LAST_YEAR} 之间的四位数字，如 2023 / a year is 4 digits, {FIRST_YEAR} to {LAST_YEAR}: {text!r}"
        )
    return int(text)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期须写作 YYYY-MM-DD，如 2023-12-31 / a date is YYYY-MM-DD: {text!r}") from None


def _whole_number(what_zh: str, what_en: str):
    """An argument type: a whole number, 0 or more, in ASCII digits."""

    def parsed(text: str) -> int:
        if not _DIGITS.fullmatch(text.strip()):
            raise argparse.ArgumentTypeError(f"{what_zh}须为不小于 0 的整数 / {what_en} is a whole number, 0 or more: {text!r}")
        return int(text)

    return parsed


_count = _whole_number("规上、规下企业数", "a count")
_seed = _whole_number("随机种子", "a seed")


def _extract_name(text: str) -> str:
    from .contract import extracts

    if text not in extracts():
        raise argparse.ArgumentTypeError(
            f"没有名为“{text}”的报送文件（应为报送的英文名，不带扩展名，如 science_tech；可选：{'、'.join(extracts())}）/ "
            f"no extract named {text!r}"
        )
    return text


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    from .paths import DEFAULT_EXPORT_DIR, DEFAULT_RAW_DIR, DEFAULT_TEMPLATES_DIR, DEFAULT_WAREHOUSE

    parser = Parser(prog="mujun", description="亩均效益综合评价 / per-mu benefit evaluation")
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
    generate.options.add_argument("--seed", type=_seed, metavar="整数", default=20240301, help="随机种子（相同种子生成相同数据）")
    generate.options.add_argument(
        "--workbooks",
        nargs="*",
        type=_extract_name,
        default=None,
        metavar="报送名",
        help="以 Excel 模板（<extract>.xlsx）报送的文件，默认 science_tech；不带参数则全部为 CSV",
    )
    args = parser.parse_command(argv, commands)
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
        for line in record["files_changed"]:  # the results are those published; some files are not
            print(f"  {line}")
        return EXIT_OK
    print(
        f"已发布 / published {record['publication_id']}: code {record['code_version']}, "
        f"rules {record['rules_sha256'][:12]}, results {record['results_sha256'][:12]}；"
        f"{record['files']} 个结果文件已记录指纹（mujun verify 核对）/ {record['files']} output files fingerprinted"
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
    """The `mujun` console script. A terminal that cannot show Chinese (a Latin-1 locale) gets the
    characters escaped rather than an error half-way: a publication already committed would then
    look failed (exit 1)."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    sys.exit(main())


if __name__ == "__main__":
    run()
