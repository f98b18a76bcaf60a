"""The order people read a list of Chinese names in: by pinyin, as a bureau's lists are, through
the Chinese collation of ICU, which DuckDB carries built in. Ordered by character code, 七一街道
came before 安皋镇 and 靳岗街道 last."""


def pinyin(column: str) -> str:
    """A SQL ORDER BY term: `column` in pinyin order."""
    return f"{column} collate zh"
