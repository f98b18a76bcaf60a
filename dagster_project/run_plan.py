"""What a run of a data year must recompute: everything, only what depends on the deliveries and
rule tables that changed since the year's last computation, or nothing.

Every computation records the inputs it was made from (runs.computations.inputs, written by the
dbt step): the code, the run's decisions, the sha256 of each delivery in force, the rule tables,
the other entries of the year folder and the computations of the earlier years it read. A run
then needs only the changed deliveries and rule tables and what is downstream of them, provided
the working tables of the warehouse (validation, staging and intermediate models hold one data
year at a time) are still those of that computation: it must be the latest computation of the
warehouse, of this year, finished, with the same code, decisions, folder and earlier years.
Otherwise everything is recomputed. The command line and the sensor plan their runs here; the
dbt step refuses a partial build that this rule does not allow (a subset chosen in the UI).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from . import delivery_folder, expectations, run_log
from .contract import extracts
from .paths import DBT_DIR, PROJECT_ROOT, SEEDS_DIR

# Seeds that Python reads directly, besides dbt (the contract, the data-quality checks): a
# change to them is a change of the code, and recomputes everything.
CODE_SEEDS = ("extracts.csv", "extract_columns.csv", "dq_checks.csv", "_seeds.yml")
_CODE_GLOBS = [
    (PROJECT_ROOT / "dagster_project", "**/*.py"),
    (DBT_DIR / "models", "**/*"),
    (DBT_DIR / "macros", "**/*"),
    (DBT_DIR / "tests", "**/*"),
    (DBT_DIR, "*.yml"),
]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def code_fingerprint() -> str:
    """The program that computes: mujun's Python, the dbt project and the seeds Python reads."""
    files = [p for root, pattern in _CODE_GLOBS for p in root.glob(pattern) if p.is_file() and "__pycache__" not in p.parts]
    files += [SEEDS_DIR / name for name in CODE_SEEDS if (SEEDS_DIR / name).is_file()]
    digest = hashlib.sha256()
    for path in sorted(set(files)):
        digest.update(str(path.relative_to(PROJECT_ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def rule_tables() -> dict[str, str]:
    """sha256 of each rule table (dbt seed) the evaluation reads, by seed name."""
    return {p.stem: _sha256(p) for p in sorted(SEEDS_DIR.glob("*.csv")) if p.name not in CODE_SEEDS}


def delivered_files(raw_dir: Path, year: int) -> dict[str, str | None]:
    """sha256 of each extract's delivery in the year folder as it is now, as ingestion records it
    (None: not delivered; both `<extract>.csv` and `.xlsx`: a value no delivery has, so that the
    extract is ingested and refused)."""
    folder = Path(raw_dir) / str(year)
    found: dict[str, str | None] = {}
    for name, extract in extracts().items():
        files = delivery_folder.delivered_files(folder, extract)
        found[name] = _sha256(files[0]) if len(files) == 1 else ("several" if files else None)
    return found


def other_entries(raw_dir: Path, year: int) -> list[str]:
    """The entries of the year folder that are not deliveries (reported as not used)."""
    return [entry.name for entry in delivery_folder.unexpected_entries(Path(raw_dir) / str(year))]


def deliveries_in_force(conn: duckdb.DuckDBPyConnection, year: int) -> dict[str, str | None]:
    """sha256 of the delivery in force of each extract in the warehouse (None: not delivered)."""
    rows = conn.execute(
        """select extract, case when delivered then sha256 end from raw.loads where data_year = ?
           qualify row_number() over (partition by extract order by loaded_at desc, load_id desc) = 1""",
        [year],
    ).fetchall()
    found = dict(rows)
    return {name: found.get(name) for name in extracts()}


def inputs(conn: duckdb.DuckDBPyConnection, year: int, raw_dir: Path, decisions: dict) -> dict:
    """What a computation of `year` starting now is made from (recorded with it)."""
    return {
        "code": code_fingerprint(),
        "decisions": decisions,
        "deliveries": deliveries_in_force(conn, year),
        "rule_tables": rule_tables(),
        "other_entries": other_entries(raw_dir, year),
        "earlier_years": run_log.earlier_computations(conn, year),
    }


@dataclass(frozen=True)
class Plan:
    """`everything`: recompute the whole year (why: `reason`). Otherwise only the changed
    extracts and rule tables and what depends on them; both empty means nothing changed."""

    everything: bool
    reason: str = ""
    extracts: tuple[str, ...] = field(default=())
    rule_tables: tuple[str, ...] = field(default=())

    @property
    def nothing(self) -> bool:
        return not self.everything and not self.extracts and not self.rule_tables


def _everything(reason: str) -> Plan:
    return Plan(True, reason)


def working_state(conn: duckdb.DuckDBPyConnection, year: int, decisions: dict, raw_dir: Path | None) -> tuple[dict | None, str]:
    """The inputs of the computation the working tables hold, when it is one a partial run of
    `year` with `decisions` may build on; else None and why not."""
    latest = run_log.latest(conn)
    if latest is None:
        return None, "尚未评价 / not evaluated yet"
    latest_year, finished, recorded = latest
    if latest_year != year:
        return None, f"数据仓库中最近一次计算是 {latest_year} 年度 / the latest computation was of {latest_year}"
    if not finished:
        return None, "最近一次计算未完成 / the latest computation did not finish"
    if recorded is None:
        return None, "最近一次计算未记录其输入 / the latest computation recorded no inputs"
    then = json.loads(recorded)
    if then.get("code") != code_fingerprint():
        return None, "程序或数据契约已更新 / the program or the contract changed"
    if then.get("decisions") != decisions:
        return None, "评价参数不同 / other decisions"
    if then.get("earlier_years") != run_log.earlier_computations(conn, year):
        return None, "以前年度的结果已重新计算 / an earlier year was recomputed"
    if raw_dir is not None and then.get("other_entries") != other_entries(raw_dir, year):
        return None, "年度文件夹中约定之外的文件有变化 / other files in the year folder changed"
    return then, ""


def plan(warehouse: Path, raw_dir: Path, year: int, decisions: dict) -> Plan:
    """The plan of a run of `year` with `decisions` against the warehouse and folder as they are."""
    if not Path(warehouse).is_file():
        return _everything("尚未评价 / not evaluated yet")
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        then, why_not = working_state(conn, year, decisions, raw_dir)
        # what the warehouse holds in force now: a run that failed after ingesting (a required
        # file missing further on) leaves deliveries in force that no computation was made from
        in_force = deliveries_in_force(conn, year) if then is not None else {}
    if then is None:
        return _everything(why_not)
    files, tables = delivered_files(raw_dir, year), rule_tables()
    computed = then["deliveries"]
    changed_tables = tuple(name for name, sha in tables.items() if then["rule_tables"].get(name) != sha)
    if expectations.RULE_TABLE in changed_tables:
        # every delivery is judged as a whole against these parameters: a run of the whole year
        # judges them all again (one of changed deliveries judges those only)
        return _everything(
            f"规则表 {expectations.RULE_TABLE} 有变化，每份报送文件都须按新参数重新检查 / {expectations.RULE_TABLE} changed: "
            "every delivery is judged again"
        )
    return Plan(
        False,
        # changed: in the folder, or in force in the warehouse, since the computation
        extracts=tuple(name for name, sha in files.items() if sha != computed.get(name) or in_force.get(name) != computed.get(name)),
        rule_tables=changed_tables,
    )


@dataclass(frozen=True)
class Due:
    """A year the sensor must evaluate: `extracts` whose delivery in the folder is not what the
    year's latest finished computation was made from (every delivered one when it was never
    computed), or `earlier_years` computed again since. `key` names exactly this state: a run
    requested for it is not requested again, and a folder back to an earlier version after
    another computation is a new state."""

    year: int
    extracts: tuple[str, ...]
    earlier_years: tuple[int, ...]
    key: str


def due(warehouse: Path, raw_dir: Path, year: int) -> Due | None:
    """Whether the year's results are behind its folder or the years before it (None: they are not)."""
    files = delivered_files(raw_dir, year)
    computed: tuple[str, dict] | None = None
    earlier: list[int] = []
    if Path(warehouse).is_file():
        with duckdb.connect(str(warehouse), read_only=True) as conn:
            computed = run_log.latest_finished(conn, year)
            earlier = run_log.recomputed_earlier_years(conn, year) if computed else []
    run_id, then = computed if computed else (None, {})
    computed_from = then.get("deliveries", {})
    changed = tuple(name for name, sha in files.items() if sha != computed_from.get(name))  # delivered, changed or taken away
    if computed and not changed and not earlier:
        return None
    state = {"files": files, "computation": run_id, "earlier_years": earlier}
    return Due(year, changed, tuple(earlier), hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()[:16])
