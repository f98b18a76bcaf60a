"""Rules and labels live once, in the seeds, and reach Python only through the warehouse's
reference layer (issue 11): no Python under dagster_project/ or benchmarks/ filters rule years,
and no Python literal spells a label of a code (the label tables are read to know the labels)."""

from __future__ import annotations

import ast
import csv
import re
from pathlib import Path

import duckdb
import jinja2
import pytest

ROOT = Path(__file__).parents[1]
SEEDS = ROOT / "data" / "seeds"
# benchmarks/pandas_reference.py is the bureau's plain pandas script of the same rules (issue 13),
# a second implementation on purpose: it reads the seeds and applies their years itself.
SCANNED = [
    p for folder in ("dagster_project", "benchmarks") for p in sorted((ROOT / folder).rglob("*.py")) if p.name != "pandas_reference.py"
]
# The sample generator writes deliveries as departments type them (规上, 是): those are input
# spellings of the data contract (enum_labels, boolean_labels), not labels the outputs show.
LABEL_SCAN = [p for p in SCANNED if p.name != "generate.py"]
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _column(seed: str, *columns: str, where=lambda row: True) -> set[str]:
    with open(SEEDS / f"{seed}.csv", encoding="utf-8") as f:
        return {row[c] for row in csv.DictReader(f) if where(row) for c in columns}


def _labels() -> set[str]:
    """Every Chinese label of a code in the label tables (templates with placeholders aside)."""
    labels = (
        _column("code_labels", "label_zh", "short_label_zh")
        | _column("score_items", "name_zh", "sheet_column_zh")
        | _column("class_cutoffs", "name_zh")
        | _column("adjustment_rules", "description_zh")
        | _column("reward_items", "label_zh")
        | _column("extracts", "department_zh")
        | _column("district_settings", "value", where=lambda row: row["setting"] == "district_name")
    )
    return {label for label in labels if CHINESE.search(label) and "{" not in label}


def _string_literals(path: Path):
    """(line, text) of every string literal of a module, f-string parts included, docstrings aside."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value


def test_the_scan_sees_the_labels_and_the_python_files():
    labels = _labels()
    assert {"规上", "规模以下", "亩均税收", "暂不参评（数据错误）", "缺少税收数据", "错误", "是", "卧龙区"} <= labels
    assert len(SCANNED) > 30 and any(p.name == "workbook.py" for p in SCANNED)


def test_no_python_filters_rule_years():
    found = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in SCANNED
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
        if "from_year" in line or "to_year" in line
    ]
    assert found == []


def test_no_python_literal_spells_a_label_of_a_code():
    """A literal that is a label, or that quotes one (a CASE in SQL, a Jinja expression), fails."""
    labels = _labels()
    found = []
    for path in LABEL_SCAN:
        for line, text in _string_literals(path):
            hits = {label for label in labels if text.strip() == label or f"'{label}'" in text or f'"{label}"' in text}
            found += [f"{path.relative_to(ROOT)}:{line}: {label}" for label in sorted(hits)]
    assert found == []


def test_the_indicator_score_column_map_is_written_once():
    """The score column of an indicator is named in one seed; no Python pairs them again."""
    pairs = {(row["indicator"], row["score_column"]) for row in csv.DictReader(open(SEEDS / "indicator_scores.csv", encoding="utf-8"))}
    assert ("tax_per_mu", "tax_score") in pairs
    for path in SCANNED:
        text = path.read_text(encoding="utf-8")
        for indicator, score in pairs:
            assert not re.search(rf"['\"]{indicator}['\"]\s*:\s*['\"]?{score}", text), (path, indicator)


def test_a_data_quality_message_names_a_label_by_its_code():
    """The messages of dq_checks.csv name a code's label as {domain.code} (filled in by
    marts.dq_issues with the year's short label): never the label itself, and only codes that have
    one."""
    coded = {f"{domain}.{code}" for domain, code in _pairs("code_labels", "domain", "code")}
    named, spelled = [], []
    for row in csv.DictReader(open(SEEDS / "dq_checks.csv", encoding="utf-8")):
        text = row["message_zh"] + row["action_zh"]
        named += [(row["check_name"], key) for key in re.findall(r"\{(\w+\.\w+)\}", text + row["message_en"])]
        spelled += [(row["check_name"], label) for label in ("暂不参评", "不纳入", "规上企业", "规模以上", "不属于制造业") if label in text]
    assert ("tax_missing", "status.blocked") in named and ("energy_missing", "scale.above") in named
    assert ("override_not_applied_out_of_scope", "status.out_of_scope") in named
    assert [(check, key) for check, key in named if key not in coded] == []
    assert spelled == []


def test_a_data_quality_message_states_a_rule_number_by_its_parameter():
    """A message that states a rule number names the rule parameter, {parameter} or
    {parameter:percent|amount|period} (filled in by marts.dq_issues from the row in force, as
    the labels are): only parameters the rule table has for all scales, and no number typed in
    words ("一半" was land_change_max_ratio's 0.5)."""
    parameters = {name for name, scale in _pairs("rule_parameters", "parameter", "scale") if scale == "all"}
    named, typed = [], []
    for row in csv.DictReader(open(SEEDS / "dq_checks.csv", encoding="utf-8")):
        for column in ("message_zh", "message_en", "action_zh"):
            named += [(row["check_name"], name, kind) for name, kind in re.findall(r"\{(\w+)(?::(\w+))?\}", row[column])]
        typed += [(row["check_name"], word) for word in ("一半", "half", "两倍", "十倍") if word in row["message_zh"] + row["message_en"]]
    fields = {"file", "line", "column", "header", "value"}  # the finding's own, filled per row
    stated = [(check, name, kind) for check, name, kind in named if name not in fields]
    assert ("land_change_large", "land_change_max_ratio", "percent") in stated
    kinds = ("", "percent", "amount", "period")
    assert [(check, name) for check, name, kind in stated if name not in parameters or kind not in kinds] == []
    assert typed == []


def test_a_rule_or_message_names_a_scale_or_an_indicator_by_its_code():
    """The wording of the rules, the labels and the messages names a scale group or an indicator as
    {scale.above} or {indicator.tax_per_mu} (reference.labels fills it in with the label of the
    year), never by its label: a renamed label then reaches every text that names it."""
    named = {
        row["label_zh"]
        for row in csv.DictReader(open(SEEDS / "code_labels.csv", encoding="utf-8"))
        if row["domain"] in ("scale", "indicator")
    }
    assert {"规模以上", "亩均税收"} <= named
    spelled = []
    for seed in ("adjustment_rules", "code_labels", "score_items", "reward_items", "dq_checks"):
        for line, row in enumerate(csv.DictReader(open(SEEDS / f"{seed}.csv", encoding="utf-8")), start=2):
            if seed == "code_labels" and row["domain"] in ("scale", "indicator"):
                continue  # the labels themselves
            spelled += [f"{seed}.csv:{line}: {label}" for label in sorted(named) if any(label in (text or "") for text in row.values())]
    assert spelled == []


def test_a_placeholder_that_names_nothing_stops_the_build_naming_it():
    """A label or a data-quality message whose {domain.code} or {parameter:form} names nothing of
    the year (a typo) is not printed as it is: reference.labels and marts.dq_issues stop the build
    with a message naming the text and the placeholder (macros/parameter_placeholders.sql)."""
    source = (ROOT / "dbt" / "macros" / "parameter_placeholders.sql").read_text(encoding="utf-8")
    macros = jinja2.Environment().from_string(source).module
    checked = macros.placeholders_filled("text", "标签", "the label", "'adjustment.protect_cd'")
    with duckdb.connect() as conn:

        def value(text: str):
            return conn.execute(f"select {checked} from (select ?::varchar as text)", [text]).fetchone()[0]

        # filled texts, and the per-enterprise or per-finding placeholders filled later, pass
        assert value("新达到规模以上标准未满一年") == "新达到规模以上标准未满一年"
        assert value("{indicator}排名 {rank}/{group_size}") == "{indicator}排名 {rank}/{group_size}"
        for typo in ("新达到{scale.abov}标准", "停产{halted_month:period}以上"):
            with pytest.raises(duckdb.Error) as stopped:
                value(typo)
            left = re.search(r"\{\w+[.:]\w+\}", typo).group()
            assert f"标签 adjustment.protect_cd 中的占位符 {left} 无法填写" in str(stopped.value)


def _pairs(seed: str, *columns: str) -> set[tuple]:
    with open(SEEDS / f"{seed}.csv", encoding="utf-8") as f:
        return {tuple(row[c] for c in columns) for row in csv.DictReader(f)}
