"""Benchmark mujun at district, province and country-like scale.

For each size it generates a district in the contract format with the project's generator, times
DuckDB alone reading the same CSV files (the floor), the full `mujun evaluate` (ingest, checks,
dbt build, exports) with its peak memory, a re-run after adding one override, and the reference
pandas script of the same rules (benchmarks/pandas_reference.py) on the same files, whose
classification.csv must equal mujun's; then it checks invariants on the result of the largest size
and writes benchmarks/results.md.

    .venv/bin/python benchmarks/run.py                  # 10^3, 10^5, 10^6
    .venv/bin/python benchmarks/run.py --sizes 1000     # just a district
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb
from pandas_reference import compare

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# Targets (issue "Speed"): a district end to end and a re-run after one override, in seconds; at
# larger sizes mujun's time as a multiple of the pandas script's on the same files, and the peak
# memory at the largest size.
DISTRICT_TARGET_SECONDS = 10.0
RERUN_TARGET_SECONDS = 5.0
PANDAS_RATIO_TARGETS = {100_000: 2.0, 1_000_000: 1.0}
MEMORY_TARGET_GIB = 3.0
PANDAS_REPEAT_UNDER_SECONDS = 60.0  # a pandas run shorter than this is repeated (median of --repeat)

# Runs a command and reports its wall time and peak memory: the largest sum of the resident memory
# of the command and all its descendants at one moment (sampled every 0.1 s from /proc, Linux).
MEASURE = """
import json, os, subprocess, sys, threading, time

def tree_rss_kib(root):
    children = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(pid))
        except (OSError, IndexError, ValueError):
            pass
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            with open(f"/proc/{pid}/status") as f:
                total += next((int(l.split()[1]) for l in f if l.startswith("VmRSS:")), 0)
        except OSError:
            pass
    return total

start = time.perf_counter()
peak = 0
with open(sys.argv[1], "w") as log:
    process = subprocess.Popen(sys.argv[2:], stdout=log, stderr=subprocess.STDOUT)
    while process.poll() is None:
        peak = max(peak, tree_rss_kib(process.pid))
        time.sleep(0.1)
print(json.dumps({"code": process.returncode, "seconds": time.perf_counter() - start, "peak_kib": peak}))
"""


def measure(command: list[str], log: Path, env: dict | None = None) -> dict:
    out = subprocess.run([sys.executable, "-c", MEASURE, str(log), *command], capture_output=True, text=True, check=True, env=env)
    return json.loads(out.stdout)


def instance_env(work: Path) -> dict:
    """The environment of a measured `mujun` run: a Dagster instance of the benchmark's own (a
    fresh one per size), never the project's dagster_home/ that the user's Dagster UI shows."""
    from dagster_project.instance import ensure_home

    home = work / "dagster_home"
    shutil.rmtree(home, ignore_errors=True)
    return {**os.environ, "DAGSTER_HOME": str(ensure_home(home))}


def step_times(log: Path) -> str:
    """The time of every Dagster step of a run, in order, from the progress lines of `mujun
    evaluate` (a step's title up to its first colon)."""
    steps = re.findall(r"^\s+[✓✗] (.+?) ([\d.]+)s$", log.read_text(encoding="utf-8"), flags=re.M)
    return ", ".join(f"{name.split('：')[0]} {float(seconds):.1f} s" for name, seconds in steps)


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), platform.processor())
    mem = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal")) / 1024 / 1024
    return (
        f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, DuckDB {duckdb.__version__}"
    )


def load_text(load: tuple[float, float, float]) -> str:
    return "/".join(f"{value:.1f}" for value in load)


def floor_seconds(folder: Path) -> float:
    """DuckDB alone reading every CSV of the year (all columns as text), in a fresh process."""
    script = (
        "import duckdb, sys, time, glob; c = duckdb.connect(); s = time.perf_counter()\n"
        "for f in sorted(glob.glob(sys.argv[1] + '/*.csv')):\n"
        '    c.execute("select count(*) from read_csv(?, all_varchar = true, header = true)", [f]).fetchall()\n'
        "print(time.perf_counter() - s)"
    )
    out = subprocess.run([sys.executable, "-c", script, str(folder)], capture_output=True, text=True, check=True)
    return float(out.stdout)


def check_invariants(warehouse: Path, year: int) -> list[str]:
    """Speed must not cost correctness."""
    problems = []
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        dup = conn.execute(
            """select count(*) from (select uscc from marts.classification where data_year = ? group by uscc having count(*) > 1)""", [year]
        ).fetchone()[0]
        in_scope = conn.execute(
            """select count(*) from intermediate.int_enterprise_status where in_scope and statistics_issue is null"""
        ).fetchone()[0]
        listed = conn.execute(
            "select count(*) from marts.classification where data_year = ? and status in ('evaluated', 'blocked')", [year]
        ).fetchone()[0]
        if dup:
            problems.append(f"{dup} enterprises appear more than once")
        if listed != in_scope:
            problems.append(f"in-scope enterprises {in_scope} but {listed} listed")
        a_percent = conn.execute(
            "select max_percent from reference.in_force_class_cutoffs where data_year = ? and class = 'A'", [year]
        ).fetchone()[0]
        for scale, class_a, by_rank in conn.execute(
            """select scale, count(*) filter (where percentile_class = 'A'),
                      count(*) filter (where rank * 100 <= ? * group_size)
               from marts.classification where data_year = ? and status = 'evaluated' group by scale""",
            [a_percent, year],
        ).fetchall():
            if class_a != by_rank:
                problems.append(f"{scale}: {class_a} percentile-class A but {by_rank} with rank×100 ≤ {a_percent}×N")
        threshold = conn.execute(
            """select value from reference.in_force_rule_parameters
               where data_year = ? and parameter = 'benchmark_min_gross_output' and scale = 'all'""",
            [year],
        ).fetchone()[0]
        direct = dict(
            conn.execute(
                """select 'tax_per_mu', avg(greatest(t.tax_paid, 0) / c.land_mu) from marts.classification c
               join staging.stg_tax__payments t on t.uscc = c.uscc
               where c.data_year = ? and c.status = 'evaluated' and c.scale = 'above' and c.gross_output >= ?
               union all
               select 'output_per_mu', avg(c.gross_output / c.land_mu) from marts.classification c
               where c.data_year = ? and c.status = 'evaluated' and c.scale = 'above' and c.gross_output >= ?
               union all
               select 'output_per_energy', avg(c.gross_output / c.energy_tce) from marts.classification c
               where c.data_year = ? and c.status = 'evaluated' and c.scale = 'above' and c.gross_output >= ?""",
                [year, threshold] * 3,
            ).fetchall()
        )
        for indicator, value in conn.execute("select indicator, value from marts.benchmarks where data_year = ?", [year]).fetchall():
            if abs(value - direct[indicator]) > 1e-9 * max(1.0, abs(value)):
                problems.append(f"benchmark {indicator} {value} ≠ direct mean {direct[indicator]}")
    return problems


def measure_pandas(work: Path, year: int, repeat: int) -> dict:
    """Time the reference pandas script on the district's files (the median of `repeat` runs when a
    run takes under a minute), with its peak memory, and compare its classification.csv with the
    one mujun wrote for the same files."""
    out = work / "pandas" / "classification.csv"
    command = [
        sys.executable,
        str(ROOT / "benchmarks" / "pandas_reference.py"),
        "--raw-dir",
        str(work / "raw"),
        "--year",
        str(year),
        "--out",
        str(out),
    ]
    runs = []
    while not runs or (len(runs) < repeat and runs[0]["seconds"] < PANDAS_REPEAT_UNDER_SECONDS):
        subprocess.run(["rm", "-rf", str(out.parent)], check=True)
        runs.append(measure(command, work / "pandas.log"))
        if runs[-1]["code"] != 0:
            raise SystemExit(f"pandas script failed (exit {runs[-1]['code']}):\n" + (work / "pandas.log").read_text(encoding="utf-8"))
    result = sorted(runs, key=lambda m: m["seconds"])[len(runs) // 2]
    result["runs"] = [round(m["seconds"], 1) for m in runs]
    result["differences"], result["text_only"] = compare(out, work / "classification.mujun.csv")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 100_000, 1_000_000])
    parser.add_argument("--workdir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "mujun-benchmark")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results.md")
    parser.add_argument("--repeat", type=int, default=3, help="runs per size up to 10^4 enterprises (median reported)")
    parser.add_argument(
        "--reuse-data", action="store_true", help="keep districts generated by an earlier benchmark run (the generator is deterministic)"
    )
    args = parser.parse_args()
    year, rows = 2023, []
    load_before = os.getloadavg()
    for size in args.sizes:
        work = args.workdir / str(size)
        overrides = work / "raw" / str(year) / "overrides.csv"
        pristine = work / "overrides.generated.csv"
        started = time.perf_counter()
        if args.reuse_data and pristine.is_file():
            subprocess.run(["rm", "-rf", str(work / "warehouse"), str(work / "exports")], check=True)
            shutil.copyfile(pristine, overrides)
            generated = None
        else:
            subprocess.run(["rm", "-rf", str(work)], check=True)
            above = size // 4
            subprocess.run(
                [
                    str(BIN / "mujun"),
                    "generate",
                    "--years",
                    str(year),
                    "--out",
                    str(work / "raw"),
                    "--above",
                    str(above),
                    "--below",
                    str(size - above),
                ],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            shutil.copyfile(overrides, pristine)
            generated = time.perf_counter() - started
        floor = floor_seconds(work / "raw" / str(year))
        evaluate = [
            str(BIN / "mujun"),
            "evaluate",
            "--year",
            str(year),
            "--raw-dir",
            str(work / "raw"),
            "--export-dir",
            str(work / "exports"),
            "--warehouse",
            str(work / "warehouse" / "mujun.duckdb"),
        ]
        # A district's run is short and this machine's timing varies by a second or two: take the
        # median of several runs there (each from a fresh warehouse); a large size runs once.
        fulls, reruns, env = [], [], instance_env(work)
        for _ in range(args.repeat if size <= 10_000 else 1):
            subprocess.run(["rm", "-rf", str(work / "warehouse"), str(work / "exports")], check=True)
            shutil.copyfile(pristine, overrides)
            fulls.append(measure(evaluate, work / "evaluate.log", env))
            fulls[-1]["steps"] = step_times(work / "evaluate.log")
            # mujun's result for the delivered files, before the override below changes them
            shutil.copyfile(work / "exports" / str(year) / "classification.csv", work / "classification.mujun.csv")
            with open(overrides, "a", encoding="utf-8") as f:
                with duckdb.connect(str(work / "warehouse" / "mujun.duckdb"), read_only=True) as conn:
                    uscc = conn.execute("select uscc from marts.classification where status = 'evaluated' limit 1").fetchone()[0]
                f.write(f"{uscc},B,基准测试：审定调整,区委、区政府,{date(year + 1, 4, 1)}\n")
            reruns.append(measure(evaluate, work / "rerun.log", env))
        full = sorted(fulls, key=lambda m: m["seconds"])[len(fulls) // 2]
        rerun = sorted(reruns, key=lambda m: m["seconds"])[len(reruns) // 2]
        full["runs"] = [round(m["seconds"], 1) for m in fulls]
        rerun["runs"] = [round(m["seconds"], 1) for m in reruns]
        problems = check_invariants(work / "warehouse" / "mujun.duckdb", year) if size == max(args.sizes) else None
        shutil.copyfile(pristine, overrides)
        pandas = measure_pandas(work, year, args.repeat)
        rows.append(
            {"size": size, "generate": generated, "floor": floor, "full": full, "rerun": rerun, "problems": problems, "pandas": pandas}
        )
        if pandas["differences"]:
            print(f"\nFAILED: the pandas script's classification.csv differs from mujun's at {size:,} enterprises:", file=sys.stderr)
            print("\n".join(pandas["differences"]), file=sys.stderr, flush=True)
        print(json.dumps(rows[-1]), flush=True)

    lines = [
        "# mujun benchmark",
        "",
        f"Machine: {machine()}.",
        # the machine may be shared: times measured while others run are longer than on an idle machine
        f"Load average (1, 5, 15 min) at the start {load_text(load_before)}, at the end {load_text(os.getloadavg())}.",
        f"Measured {date.today()} with `.venv/bin/python benchmarks/run.py --sizes {' '.join(map(str, args.sizes))}`.",
        "Each size is a generated district (one quarter above scale) for one data year. *Floor*: DuckDB alone reading",
        "the same CSV files. *Evaluate*: the full `mujun evaluate` (ingest, Great Expectations, dbt build and tests,",
        "all exports). *Re-run*: the same command after adding one override. *Peak memory*: the largest total resident\n"
        "memory of the command and all its processes at one moment, sampled every 0.1 s.\n"
        f"Up to 10⁴ enterprises the times are the median of {args.repeat} runs, each from a fresh warehouse (listed below).",
        "",
        "| enterprises | generate (s) | floor (s) | evaluate (s) | × floor | peak memory (GiB) | re-run after one override (s) | exit |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['size']:,} | {'reused' if r['generate'] is None else format(r['generate'], '.1f')} | "
            f"{r['floor']:.2f} | {r['full']['seconds']:.1f} | "
            f"{r['full']['seconds'] / max(r['floor'], 1e-9):.0f} | {r['full']['peak_kib'] / 1024 / 1024:.2f} | "
            f"{r['rerun']['seconds']:.1f} | {r['full']['code']} |"
        )
    lines += ["", "Steps of the full run (the median run):", ""]
    lines += [f"- {r['size']:,}: {r['full']['steps']}" for r in rows]
    repeated = [r for r in rows if len(r["full"]["runs"]) > 1]
    if repeated:
        lines += ["", "Every run of the repeated sizes (s):", ""]
        lines += [f"- {r['size']:,}: evaluate {r['full']['runs']}, re-run {r['rerun']['runs']}" for r in repeated]
    lines += [
        "",
        "## mujun and a pandas script of the same rules",
        "",
        "*Pandas script*: `benchmarks/pandas_reference.py`, the evaluation as a bureau's analyst would write it in plain,",
        "vectorised pandas (pyarrow CSV reader, Arrow strings): the same delivered files and rule tables in, the same",
        "`classification.csv` out (with the validation that changes a class: number formats, labels, USCC check,",
        "duplicates, missing tax, ...), and nothing else: no workbooks, reports, data-quality findings, rewards, warehouse",
        "or tests. Its output is compared with mujun's (rows by uscc, all 21 columns, numbers to 1e-6, text exactly).",
        f"*Ratio*: mujun evaluate ÷ pandas script. Pandas times under a minute are the median of {args.repeat} runs.",
        "",
        "| enterprises | mujun evaluate (s) | pandas script (s) | ratio | mujun peak memory (GiB) | pandas peak memory (GiB) "
        "| classification.csv |",
        "|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        p = r["pandas"]
        equal = "equal" + (f" ({p['text_only']} numbers differ in their last digits only)" if p["text_only"] else "")
        lines.append(
            f"| {r['size']:,} | {r['full']['seconds']:.1f} | {p['seconds']:.1f} | {r['full']['seconds'] / max(p['seconds'], 1e-9):.1f} | "
            f"{r['full']['peak_kib'] / 1024 / 1024:.2f} | {p['peak_kib'] / 1024 / 1024:.2f} | "
            f"{'DIFFERS (below)' if p['differences'] else equal} |"
        )
    lines += ["", "Every run of the pandas script (s):", ""]
    lines += [f"- {r['size']:,}: {r['pandas']['runs']}" for r in rows]
    for r in rows:
        if r["pandas"]["differences"]:
            lines += ["", f"Differences at {r['size']:,} enterprises:", "", "```", *r["pandas"]["differences"], "```"]
    lines += ["", "Targets (2 cores, 24 GiB):", ""]
    small = next((r for r in rows if r["size"] == min(args.sizes)), None)
    if small and small["size"] <= 10_000:
        lines.append(
            f"- {small['size']:,} enterprises end to end, every export, ≤ {DISTRICT_TARGET_SECONDS:.0f} s: "
            f"{'met' if small['full']['seconds'] <= DISTRICT_TARGET_SECONDS else 'NOT met'} ({small['full']['seconds']:.1f} s)"
        )
        lines.append(
            f"- re-run after one override ≤ {RERUN_TARGET_SECONDS:.0f} s ({small['size']:,} enterprises): "
            f"{'met' if small['rerun']['seconds'] <= RERUN_TARGET_SECONDS else 'NOT met'} ({small['rerun']['seconds']:.1f} s)"
        )
    for size, target in PANDAS_RATIO_TARGETS.items():
        r = next((r for r in rows if r["size"] == size), None)
        if r:
            ratio = r["full"]["seconds"] / max(r["pandas"]["seconds"], 1e-9)
            lines.append(
                f"- {size:,} enterprises ≤ {target:.1f}× the pandas script: {'met' if ratio <= target else 'NOT met'} "
                f"({ratio:.1f}×: {r['full']['seconds']:.1f} s against {r['pandas']['seconds']:.1f} s)"
            )
    largest = rows[-1]
    if largest["size"] >= 1_000_000:
        gib = largest["full"]["peak_kib"] / 1024 / 1024
        lines.append(
            f"- peak memory at {largest['size']:,} enterprises ≤ {MEMORY_TARGET_GIB:.0f} GiB (all processes): "
            f"{'met' if gib <= MEMORY_TARGET_GIB else 'NOT met'} ({gib:.2f} GiB)"
        )
    largest = rows[-1]
    lines += [
        "",
        f"Invariants on the {largest['size']:,}-enterprise result (every in-scope enterprise exactly once; per scale group",
        "percentile-class A count = count with rank×100 ≤ 25×N; each benchmark = a direct SQL mean over its population): "
        + ("all hold." if not largest["problems"] else "FAILED: " + "; ".join(largest["problems"])),
    ]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(args.out.read_text(encoding="utf-8"))
    different = [r["size"] for r in rows if r["pandas"]["differences"]]
    if different:
        print(f"FAILED: the pandas script's classification.csv differs from mujun's at {different} enterprises", file=sys.stderr)
    return 0 if not largest["problems"] and not different else 1


if __name__ == "__main__":
    sys.exit(main())
