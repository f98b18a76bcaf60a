"""argparse, said in Chinese first: the `mujun` command's help and its refusals.

argparse's own headings are English ("usage:", "options", "show this help message and exit"):
the parser here names its groups and its help option itself and heads its usage line in Chinese,
through ArgumentParser's documented format_usage/format_help. argparse measures text by counting
characters, where a Chinese character takes two columns on screen: the help of each option goes on
the line below it (no column to align), and a line wider than the terminal is wrapped again by
what it takes on screen."""

from __future__ import annotations

import argparse
import shutil
import sys
import unicodedata

USAGE_HEADING = "用法 / usage: "
OPTIONS_TITLE = "选项 / options"
HELP_TEXT = "显示本说明并退出 / show this help and exit"
# where the help of an option starts, on the line below the option
HELP_INDENT = 8


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose help and refusals are said in Chinese first (argparse's own words
    follow a refusal: they name the argument); the exit status of a refusal stays argparse's 2.
    Its options go to `self.options`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, add_help=False, formatter_class=_help_below, **kwargs)
        self.options = self.add_argument_group(OPTIONS_TITLE)
        self.options.add_argument("-h", "--help", action="help", help=HELP_TEXT)

    def format_usage(self) -> str:
        return _fit(_chinese_usage(super().format_usage()), _columns())

    def format_help(self) -> str:
        return _fit(_chinese_usage(super().format_help()), _columns())

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: 参数有误（{self.prog} -h 查看用法）/ invalid arguments: {message}\n")

    def parse_command(self, argv: list[str] | None, commands: argparse.Action) -> argparse.Namespace:
        """The arguments of a command line; an argument the command does not know is refused by
        the command's own parser, which names its own help (argparse refuses it at the top)."""
        args, unknown = self.parse_known_args(argv)
        if unknown:
            commands.choices[args.command].error(f"无法识别的参数 / unrecognized arguments: {' '.join(unknown)}")
        return args


def _columns() -> int:
    """The width to wrap to: argparse's own default, the terminal's width less 2."""
    return shutil.get_terminal_size().columns - 2


def _help_below(prog: str) -> argparse.HelpFormatter:
    # argparse wraps nothing itself (it would count characters): _fit wraps what it wrote
    return argparse.HelpFormatter(prog, max_help_position=HELP_INDENT, width=UNWRAPPED)


# wide enough for argparse never to wrap a line of the help
UNWRAPPED = 100_000


def screen_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(character) in "WF" else 1 for character in text)


def _chinese_usage(text: str) -> str:
    english = "usage: "
    return USAGE_HEADING + text[len(english) :] if text.startswith(english) else text


def _fit(text: str, columns: int) -> str:
    """Each line no wider on screen than `columns`. The usage line is broken before an option,
    its continuation under the first option; any other line after a space or beside a Chinese
    character, its continuation indented as the line itself."""
    fitted = []
    for number, line in enumerate(text.split("\n")):
        if number == 0 and line.startswith(USAGE_HEADING) and "[-h]" in line:
            fitted += _broken(line, columns, screen_width(line[: line.index("[-h]")]), usage=True)
        else:
            fitted += _broken(line, columns, len(line) - len(line.lstrip(" ")))
    return "\n".join(fitted)


def _broken(line: str, columns: int, indent: int, usage: bool = False) -> list[str]:
    if screen_width(line) <= columns or columns <= indent + 10:
        return [line]
    width, depth, cut, inner_cut = 0, 0, None, None
    for index, character in enumerate(line):
        wide = screen_width(character) == 2
        depth = max(0, depth + (character in "[{(") - (character in "]})"))  # (a continuation line may start inside brackets)
        # a line may end before a space (in the usage: before an option, else inside one that is
        # wider than the line), or before a Chinese character outside the usage
        if index > indent and ((character == " " and (not usage or depth == 0)) or (wide and not usage)):
            cut = index
        if index > indent and character == " ":
            inner_cut = index
        width += 2 if wide else 1
        cut = cut if cut is not None or width <= columns else inner_cut
        if width > columns and cut is not None:
            rest = " " * indent + line[cut:].lstrip(" ")
            return [line[:cut].rstrip(" "), *_broken(rest, columns, indent, usage)]
    return [line]
