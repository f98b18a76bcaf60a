"""Nothing is published from a failed run (RULES §10). The export assets of a run write into a
folder of their own beside the published one, `<export-dir>/.<year>.<run-id>.partial/<year>/`;
only the last asset of the run, which Dagster runs only when every export before it succeeded,
puts that folder in place of `<export-dir>/<year>/`. A run that fails at ingestion, in dbt or
in an export leaves the published folder as it was; its leftovers are removed by the command
line when the run fails, and by the next export in any case (a crash, or a run from the UI)."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

# `.<year>.<run id>.partial` (being written) and `.<year>.<run id>.old` (being replaced)
_LEFTOVER = re.compile(r"^\.(?P<year>\d{4})\.(?P<run_id>[0-9A-Za-z-]+)\.(?P<kind>partial|old)$")
_DONE = ".done"  # beside the staged <year> folder, never inside it: one file per finished export, listing its files


def staging_root(export_dir: Path, year: int, run_id: str) -> Path:
    return Path(export_dir) / f".{year}.{run_id}.partial"


def begin(export_dir: Path, year: int, run_id: str, is_running: Callable[[str], bool]) -> Path:
    """The staging root of this run (writers add `<year>/` under it). The first export of a run
    also clears what earlier runs of the year left behind: the staging folders of runs that are
    not running any more, and a published folder that a crash caught in the middle of its swap.
    Other years are left alone: a command-line run of another year may be writing beside this
    one, and the CLI's ephemeral Dagster instance cannot tell (is_running knows only its own)."""
    export_dir = Path(export_dir)
    root = staging_root(export_dir, year, run_id)
    if not root.is_dir():
        _clear_leftovers(export_dir, year, run_id, is_running)
        (root / _DONE).mkdir(parents=True, exist_ok=True)
    return root


def files_of(root: Path, year: int) -> set[str]:
    """The files staged so far, relative to the staged `<year>/` folder."""
    folder = root / str(year)
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} if folder.is_dir() else set()


def aside_root(root: Path, export: str) -> Path:
    """Where an export written by another process (outputs/aside.py) stages its `<year>/` folder:
    beside the run's, so that what each export wrote stays apart until take_in."""
    return root / ".aside" / export


def take_in(root: Path, year: int, export: str) -> list[str]:
    """Move what `export` staged aside into the run's `<year>/` folder; return its files (relative
    to that folder)."""
    aside = aside_root(root, export)
    files = sorted(files_of(aside, year))
    for name in files:
        target = root / str(year) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(aside / str(year) / name, target)
    shutil.rmtree(aside, ignore_errors=True)
    return files


def mark_done(root: Path, export: str, files: list[str]) -> None:
    """`export` has written `files` (relative to the staged `<year>/` folder)."""
    (root / _DONE / export).write_text(json.dumps(sorted(files), ensure_ascii=False), encoding="utf-8")


def done_files(root: Path) -> dict[str, list[str]]:
    """The files of each export this run has written or carried over."""
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in sorted((root / _DONE).iterdir())}


def carry_over(export_dir: Path, year: int, root: Path, owned: dict[str, list[str]]) -> None:
    """Bring the published files of exports this run did not write (their inputs did not change,
    run_plan.py) into its staged folder, as hard links: the published folder is replaced as a
    whole, with them in it."""
    published = Path(export_dir) / str(year)
    for export, files in owned.items():
        missing = [name for name in files if not (published / name).is_file()]
        if missing:
            raise RuntimeError(
                f"{published} 中缺少 {missing[0]}（{export}），无法沿用上次的输出；请重新导出（mujun export --year {year}）/ "
                f"{missing[0]} of {export} is missing from {published}: export the year again"
            )
        for name in files:
            target = root / str(year) / name
            if target.exists():  # written by an export of this run: two exports own one file
                raise RuntimeError(f"{export} 与本次运行的另一项导出都生成了 {name} / {name} belongs to {export} and to another export")
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(published / name, target)
            except OSError:  # a file system without hard links
                shutil.copy2(published / name, target)
        mark_done(root, export, files)


def _clear_leftovers(export_dir: Path, year: int, run_id: str, is_running: Callable[[str], bool]) -> None:
    if not export_dir.is_dir():
        return
    for path in sorted(export_dir.iterdir()):
        match = _LEFTOVER.match(path.name)
        if not match or match["year"] != str(year) or match["run_id"] == run_id or is_running(match["run_id"]):
            continue
        published = export_dir / str(year)
        if match["kind"] == "old" and not published.exists():
            # the crash came between the two renames of swap_in: the previous outputs come back
            os.rename(path, published)
        else:
            shutil.rmtree(path, ignore_errors=True)


def swap_in(export_dir: Path, year: int, run_id: str, exports: list[str]) -> Path:
    """Put the staged `<year>/` folder of this run in place of `<export-dir>/<year>/`.

    POSIX cannot rename a folder onto a non-empty one, and the atomic exchange of two names
    (Linux renameat2 RENAME_EXCHANGE) is not in Python's standard library; so: rename the
    published folder aside, rename the staged one in, then delete the old one. Both renames are
    atomic and take microseconds on the same file system (staging is under <export-dir> for that
    reason); between them a reader finds no folder, never a mixed one. A crash between them is
    repaired by the next run's `begin` (the old folder is renamed back)."""
    export_dir = Path(export_dir)
    root = staging_root(export_dir, year, run_id)
    missing = [name for name in exports if not (root / _DONE / name).is_file()]
    if missing:
        # a run that did not write every export (e.g. re-executed from a failed step) publishes nothing
        raise RuntimeError(
            f"本次运行未生成全部导出（缺少 {'、'.join(missing)}），不替换 {export_dir / str(year)}；请重新运行整个年度 / "
            f"this run did not write every export (missing {', '.join(missing)}): nothing published; run the whole year again"
        )
    staged, published = root / str(year), export_dir / str(year)
    old = export_dir / f".{year}.{run_id}.old"
    if published.exists():
        os.rename(published, old)
    os.rename(staged, published)
    shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(root, ignore_errors=True)
    return published


def discard(export_dir: Path, year: int, run_id: str) -> None:
    """Remove what a failed run staged; the published folder stays (or comes back, when the run
    failed between the two renames of swap_in)."""
    export_dir = Path(export_dir)
    old, published = export_dir / f".{year}.{run_id}.old", export_dir / str(year)
    if old.is_dir() and not published.exists():
        os.rename(old, published)
    shutil.rmtree(staging_root(export_dir, year, run_id), ignore_errors=True)


def published_location(export_dir: Path, root: Path, path: Path) -> Path:
    """Where a staged file will be once its run is published."""
    return Path(export_dir) / Path(path).relative_to(root)
