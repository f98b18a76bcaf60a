"""Analysts read the Chinese description of every mart table and column in DuckDB itself
(dbt persist_docs), in the warehouse and in the published copy they are told to open."""

from __future__ import annotations

import duckdb


def _undescribed(warehouse) -> tuple[list, list]:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        tables = conn.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts' and coalesce(comment, '') = '' order by 1"
        ).fetchall()
        columns = conn.execute(
            """select table_name, column_name from duckdb_columns()
               where schema_name = 'marts' and coalesce(comment, '') = '' order by 1, 2"""
        ).fetchall()
        count = conn.execute("select count(*) from duckdb_columns() where schema_name = 'marts'").fetchone()[0]
    assert count > 100  # the marts are there
    return tables, columns


def test_every_mart_table_and_column_carries_its_description(worked):
    assert _undescribed(worked.warehouse) == ([], [])
    with duckdb.connect(str(worked.warehouse), read_only=True) as conn:
        comment = conn.execute(
            """select comment from duckdb_columns()
               where schema_name = 'marts' and table_name = 'classification' and column_name = 'final_class'"""
        ).fetchone()[0]
    assert comment == "最终类别"


def test_the_published_copy_keeps_the_descriptions(worked):
    published = worked.warehouse.parent / "published" / worked.warehouse.name
    assert published.is_file()
    assert _undescribed(published) == ([], [])


def test_the_readme_queries_run_as_written_on_the_published_copy(worked):
    import re
    from pathlib import Path

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sql\n(.*?)```", readme, flags=re.S)
    # the query the README runs through Python, inside c.sql('''…''')
    blocks += re.findall(r"c\.sql\('''\n?(.*?)'''\)", readme, flags=re.S)
    statements = [s.strip() for block in blocks for s in block.split(";") if re.sub(r"--[^\n]*", "", s).strip()]
    assert len(statements) >= 3
    published = worked.warehouse.parent / "published" / worked.warehouse.name
    with duckdb.connect(str(published), read_only=True) as conn:
        for statement in statements:
            conn.execute(statement).fetchall()


def test_make_docs_reads_the_published_copy_never_the_working_warehouse():
    """`make docs` (dry run: the commands it would run) copies the analysts' copy aside and points
    dbt at that copy, in a target folder of its own (the runs' manifest and parse cache stay)."""
    import subprocess
    from pathlib import Path

    root = Path(__file__).parents[1]
    commands = subprocess.run(
        ["make", "-n", "docs", "PUBLISHED=/tmp/analysts/mujun.duckdb", "WAREHOUSE=/tmp/working/mujun.duckdb"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    docs = commands[commands.index("cp /tmp/analysts/mujun.duckdb dbt/target/docs/mujun.duckdb") :]
    assert "MUJUN_WAREHOUSE=" + str(root / "dbt/target/docs/mujun.duckdb") in docs and "--target-path target/docs" in docs
    assert "/tmp/working" not in docs
