"""GB 32100-2015 check character, in Python (generator) and in SQL (validation)."""

from __future__ import annotations

import duckdb
import pytest

from dagster_project.uscc import check_character, is_valid

VALID = ["91411303CNEUCAKJ5Y", "91411303L3R3L9TN8L", "914113036B2K4NUR03", "91411303GWXUCJMA4F"]
INVALID = [
    "91411303GWXUCJMA40",  # wrong check character (the worked example's typo)
    "91411303GWXUCJMA4",  # 17 characters
    "91411303GWXUCJMI4F",  # I is not in the alphabet
    "",
]


@pytest.mark.parametrize("code", VALID)
def test_uscc_valid_codes_pass(code):
    assert is_valid(code) and is_valid(code.lower())


@pytest.mark.parametrize("code", INVALID)
def test_uscc_invalid_codes_fail(code):
    assert not is_valid(code)


def test_uscc_check_character_of_a_known_code():
    assert check_character("91411303CNEUCAKJ5") == "Y"


def test_uscc_sql_check_agrees_with_python(worked):
    """The dbt macro flagged exactly the one invalid USCC of the worked example."""
    flagged = worked.query("select value from validation.validation_cell_errors where check_name = 'uscc_invalid'")
    assert flagged == [("91411303GWXUCJMA40",)]


def test_uscc_sql_macro_on_many_codes(tmp_path):
    """Compile the macro's SQL once more by hand over generated codes: every one must pass."""
    import random
    import re
    from pathlib import Path

    import jinja2

    from dagster_project.uscc import ALPHABET

    macro = (Path(__file__).parents[1] / "dbt" / "macros" / "uscc.sql").read_text(encoding="utf-8")
    sql = jinja2.Environment().from_string(macro + "{{ uscc_is_valid('code') }}").render().strip()
    rng = random.Random(7)
    codes = []
    for _ in range(500):
        first = "91" + "".join(rng.choice(ALPHABET) for _ in range(15))
        codes.append(first + check_character(first))
    bad = [c[:17] + ALPHABET[(ALPHABET.index(c[17]) + 1) % 31] for c in codes[:100]]
    conn = duckdb.connect()
    got = conn.execute(f"select code, {sql} from unnest(?::varchar[]) t(code)", [codes + bad]).fetchall()
    assert all(ok for code, ok in got[:500]) and not any(ok for code, ok in got[500:])
    assert not re.search(r"\{\{|\}\}", sql)
