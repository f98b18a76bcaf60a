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

from ..exit_status import INPUT, typed_failure

# `.<year>.<run id>.partial` (being written), `.<year>.<run id>.old` (being replaced) and
# `.<year>.<run id>.failed` (the steps of the run that failed: it publishes nothing)
_LEFTOVER = re.compile(r"^\.(?P<year>\d{4})\.(?P<run_id>[0-9A-Za-z-]+)\.(?P<kind>partial|old|failed)$")
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
        if match["kind"] == "failed":
            path.unlink(missing_ok=True)
        elif match["kind"] == "old" and not published.exists():
            # the crash came between the two renames of swap_in: the previous outputs come back
            os.rename(path, published)
        else:
            shutil.rmtree(path, ignore_errors=True)


def swap_in(export_dir: Path, year: int, run_id: str, exports: list[str]) -> Path:
    """Put the staged `<year>/` folder of this run in place of `<export-dir>/<year>/`; the previous
    folder stays aside until `finish_swap` (or comes back with `swap_back`, when what the run
    publishes with it fails: the analysts' copy, the record of the run).

    POSIX cannot rename a folder onto a non-empty one, and the atomic exchange of two names
    (Linux renameat2 RENAME_EXCHANGE) is not in Python's standard library; so: rename the
    published folder aside, then rename the staged one in. Both renames are atomic and take
    microseconds on the same file system (staging is under <export-dir> for that reason); between
    them a reader finds no folder, never a mixed one. A crash between them is repaired by the next
    run's `begin` (the old folder is renamed back)."""
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
    refuse_foreign_folder(published)
    if published.exists():
        os.rename(published, _old(export_dir, year, run_id))
    os.rename(staged, published)
    return published


def refuse_overlap(export_dir: Path, raw_dir: Path, year: int) -> None:
    """Raise when the year's output folder and its delivery folder are one, or one holds the other:
    publishing replaces the output folder as a whole."""
    outputs, deliveries = (Path(export_dir) / str(year)).resolve(), (Path(raw_dir) / str(year)).resolve()
    if outputs == deliveries or outputs in deliveries.parents or deliveries in outputs.parents:
        raise typed_failure(
            INPUT,
            f"输出文件夹 {outputs} 与报送文件夹 {deliveries} 重叠：发布结果时会替换整个输出文件夹，报送文件将被删除；"
            f"请把 --export-dir 设在报送文件夹之外 / the output folder and the delivery folder overlap: publishing "
            f"would delete the deliveries; choose an --export-dir outside {deliveries}",
            file=str(outputs),
        )


def refuse_warehouse_inside(export_dir: Path, warehouse: Path, year: int) -> None:
    """Raise when the warehouse (or the analysts' copy beside it) lies inside the year's output
    folder: publishing replaces that folder as a whole, the warehouse with it."""
    outputs, folder = (Path(export_dir) / str(year)).resolve(), Path(warehouse).resolve().parent
    if outputs == folder or outputs in folder.parents:
        raise typed_failure(
            INPUT,
            f"数据仓库 {Path(warehouse).resolve()} 位于输出文件夹 {outputs} 之内：发布结果时会替换整个输出文件夹；"
            f"请把 --warehouse 设在输出文件夹之外 / the warehouse lies inside the output folder, which publishing "
            f"replaces as a whole; choose a --warehouse outside {outputs}",
            file=str(outputs),
        )


def swap_back(export_dir: Path, year: int, run_id: str) -> None:
    """Undo `swap_in`: this run's folder goes, the previous one (if any) comes back."""
    export_dir = Path(export_dir)
    published, old = export_dir / str(year), _old(export_dir, year, run_id)
    shutil.rmtree(published, ignore_errors=True)
    if old.is_dir():
        os.rename(old, published)
    shutil.rmtree(staging_root(export_dir, year, run_id), ignore_errors=True)


def finish_swap(export_dir: Path, year: int, run_id: str) -> None:
    """The run is published: the previous folder and the staging folder go."""
    export_dir = Path(export_dir)
    shutil.rmtree(_old(export_dir, year, run_id), ignore_errors=True)
    shutil.rmtree(staging_root(export_dir, year, run_id), ignore_errors=True)


def _old(export_dir: Path, year: int, run_id: str) -> Path:
    return Path(export_dir) / f".{year}.{run_id}.old"


# Every run writes these into `<export-dir>/<year>/`: a folder there without them is not one
# mujun wrote (the delivery folder given as the export folder, a folder of the user's), and
# replacing it would delete it.
_SIGNATURE = ("classification.csv", "dq_issues.csv")


def refuse_foreign_folder(published: Path) -> None:
    """Raise when `published` (`<export-dir>/<year>/`) holds something that is not mujun's
    outputs: the run must not replace (delete) it. Nothing there, or an empty folder, is fine."""
    published = Path(published)
    if not published.exists() or (published.is_dir() and not any(published.iterdir())):
        return  # nothing there to lose
    if not all((published / name).is_file() for name in _SIGNATURE):
        raise typed_failure(
            INPUT,
            f"输出文件夹 {published} 已存在，但不是 mujun 写出的结果（其中没有 {'、'.join(_SIGNATURE)}），"
            f"为免删除其中的文件，本次不发布；请换一个 --export-dir，或先移走该文件夹 / {published} exists and holds no "
            f"mujun outputs: it is not replaced (that would delete it); choose another --export-dir or move the folder",
            file=str(published),
        )


def discard(export_dir: Path, year: int, run_id: str) -> None:
    """Remove what a failed run staged; the published folder stays (or comes back, when the run
    failed between the two renames of swap_in)."""
    export_dir = Path(export_dir)
    old, published = _old(export_dir, year, run_id), export_dir / str(year)
    if old.is_dir() and not published.exists():
        os.rename(old, published)
    shutil.rmtree(staging_root(export_dir, year, run_id), ignore_errors=True)
    _failure_record(export_dir, year, run_id).unlink(missing_ok=True)


def _failure_record(export_dir: Path, year: int, run_id: str) -> Path:
    return Path(export_dir) / f".{year}.{run_id}.failed"


def record_failure(export_dir: Path, year: int, run_id: str, step: str) -> None:
    """A step of the run failed (a hook says so as it fails): the run publishes nothing, whatever
    steps that do not depend on the failed one still do (failed_steps)."""
    record = _failure_record(export_dir, year, run_id)
    record.parent.mkdir(parents=True, exist_ok=True)
    with open(record, "a", encoding="utf-8") as f:
        f.write(step + "\n")


def failed_steps(export_dir: Path, year: int, run_id: str) -> list[str]:
    record = _failure_record(export_dir, year, run_id)
    return record.read_text(encoding="utf-8").splitlines() if record.is_file() else []


def published_location(export_dir: Path, root: Path, path: Path) -> Path:
    """Where a staged file will be once its run is published."""
    return Path(export_dir) / Path(path).relative_to(root)
