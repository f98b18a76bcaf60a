"""Rule numbers live in data/seeds, never as literals in SQL or Python."""

from __future__ import annotations

import csv
import re
from pathlib import Path

ROOT = Path(__file__).parents[1]
# 0 and 1 are arithmetic, 100 turns percentages into integers (RULES §8).
ALLOWED = {"0", "1", "100"}


def _numbers(text: str) -> set[str]:
    text = re.sub(r"--.*", "", text)  # SQL comments
    text = re.sub(r"\{#.*?#\}", "", text, flags=re.S)  # Jinja comments
    text = re.sub(r"'[^']*'", "''", text)  # string literals
    return set(re.findall(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])", text))


def test_no_rule_number_in_dbt_models():
    found = {}
    for path in (ROOT / "dbt" / "models").rglob("*.sql"):
        extra = _numbers(path.read_text(encoding="utf-8")) - ALLOWED
        if extra:
            found[path.name] = sorted(extra)
    assert found == {}


def test_no_rule_number_in_python_evaluation_code():
    # the evaluation is SQL; Python only moves files and reports: none of the policy numbers appears
    policy = {"5000", "48", "40", "24", "60", "1.2", "0.02", "10000", "500", "1000", "25", "75", "90"}
    # (layout code such as sheet column widths is not scanned: its numbers are not policy)
    for name in ("ingest.py", "outputs/csv_files.py", "evaluate.py", "definitions.py", "publish.py"):
        text = (ROOT / "dagster_project" / name).read_text(encoding="utf-8")
        assert not (_numbers(text) & policy), name


def test_no_reward_number_in_reward_code():
    # 附件2: thresholds, amounts, rates, steps and limits live in the reward_* rule tables; the
    # reward macros and outputs hold only units and layout (the dbt models are scanned above)
    policy = {
        "200000",
        "100000",
        "50000",
        "10000",
        "30",
        "20",
        "0.05",
        "0.1",
        "0.10",
        "0.2",
        "0.20",
        "0.3",
        "0.30",
        "0.5",
        "0.50",
        "1.5",
        "150",
        "200",
        "2000",
        "1500",
        "3000",
        "6000",
        "5000",
    }
    for path in (ROOT / "dbt" / "macros" / "rewards.sql", ROOT / "dagster_project" / "outputs" / "rewards.py"):
        assert not (_numbers(path.read_text(encoding="utf-8")) & policy), path.name


def test_every_seed_row_has_the_cells_of_its_header():
    """A comma typed into a text cell without quotes shifts the row (dbt then stops every run at
    the seed): caught here, at once."""
    for seed in sorted((ROOT / "data" / "seeds").glob("*.csv")):
        with open(seed, encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        ragged = [n for n, row in enumerate(rows[1:], start=2) if row and len(row) != len(rows[0])]
        assert ragged == [], (seed.name, ragged)
