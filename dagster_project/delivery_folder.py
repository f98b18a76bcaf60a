"""What lies in a year folder besides the contract's files.

Only `<extract>.csv` or `<extract>.xlsx` (the department's template, filled in), spelled exactly,
is a delivery; one extract delivered both ways is an error (ingest.py). Anything else a department
or the office put there (`Tax.CSV`, `standards (1).csv`, `tax_更正.xlsx`, `tax.xls`, `tax.csv.bak`,
a subfolder) is NOT used, and must be said so: a department that sent a correction under another
name would otherwise believe it was applied. Each such entry is attributed to the extract whose
name it resembles, so the warning lands in that department's data-quality report.
"""

from __future__ import annotations

import csv
import hashlib
import os
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .contract import Extract, extracts
from .paths import SEEDS_DIR

CHECK_NAME = "file_unexpected"

# Files the operating system or an office program creates on its own, which nobody delivers and
# nobody can act on: macOS metadata (.DS_Store, ._tax.csv), LibreOffice and Excel lock files of
# an open workbook (.~lock.tax.csv#, ~$tax.xlsx), Windows folder thumbnails and settings. Any
# other name, including every visible file, is reported.
_HIDDEN_PREFIXES = (".", "~$")
_SYSTEM_FILES = {"thumbs.db", "desktop.ini"}


@dataclass(frozen=True)
class UnexpectedEntry:
    name: str  # as listed, with a trailing "/" for a folder
    extract: Extract  # the extract it resembles, or the default one (see dq_checks.csv)
    resembles: bool  # False when it resembles no extract

    @property
    def rename_to(self) -> str:
        """The contract name to give it: a workbook becomes `<extract>.xlsx`, anything else `<extract>.csv`."""
        workbook = self.name.lower().endswith((".xlsx", ".xls", ".xlsm"))
        if not self.resembles:
            return "<extract>.xlsx" if workbook else "<extract>.csv"
        return self.extract.workbook_name if workbook else self.extract.file_name


@lru_cache(maxsize=1)
def default_extract() -> Extract:
    """The extract an entry resembling no extract is attributed to: the `extract` column of the
    file_unexpected row of dq_checks.csv (a rule table, so the office can change it)."""
    with open(SEEDS_DIR / "dq_checks.csv", encoding="utf-8") as f:
        row = next((r for r in csv.DictReader(f) if r["check_name"] == CHECK_NAME), {})
    # rule tables frozen before this check existed (mujun verify) name none: the first extract
    return extracts().get(row.get("extract") or "", next(iter(extracts().values())))


def _resembled_extract(name: str) -> Extract | None:
    """The extract whose name starts the entry's stem (case and full-width forms ignored),
    longest name first; else the first extract whose department's Chinese name it contains."""
    stem = unicodedata.normalize("NFKC", name.split(".")[0]).strip().lower()
    for extract in sorted(extracts().values(), key=lambda e: -len(e.name)):
        if stem.startswith(extract.name):
            return extract
    for extract in extracts().values():
        if extract.department_zh in name:
            return extract
    return None


def delivered_files(folder: Path, extract: Extract) -> list[Path]:
    """The extract's deliveries in the folder under exactly their contract names, `<extract>.csv`
    then `<extract>.xlsx` (`Tax.CSV` is not `tax.csv`, also on a file system that ignores case, so
    that every platform uses and reports the same files). More than one is an error of the caller's."""
    if not folder.is_dir():
        return []
    listed = set(os.listdir(folder))
    return [folder / name for name in extract.delivery_names if name in listed and (folder / name).is_file()]


def delivery_digest(folder: Path, extract: Extract) -> str | None:
    """What tells a delivery from another: the sha256 of `<extract>.csv` (as before workbooks were
    deliveries, so that existing CSV deliveries keep their fingerprint), else of the file names
    and contents of what is there (`<extract>.xlsx`, or both files, which ingestion refuses);
    None when the extract is not delivered."""
    files = delivered_files(folder, extract)
    digests = [hashlib.sha256(path.read_bytes()).hexdigest() for path in files]
    if [path.name for path in files] == [extract.file_name]:
        return digests[0]
    if not files:
        return None
    return hashlib.sha256(" ".join(f"{p.name}:{d}" for p, d in zip(files, digests)).encode()).hexdigest()


def readable_name(name: str) -> str:
    """A file name as people read it. A name that is not UTF-8 (a Windows archive unpacked on
    Linux: names in GBK) comes from the operating system with its bytes escaped, which no text
    can hold: it is read as GB18030 when it is that, else with the unreadable bytes as U+FFFD."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        raw = os.fsencode(name)
        try:
            return raw.decode("gb18030")
        except UnicodeDecodeError:
            return raw.decode("utf-8", "replace")


def unexpected_entries(folder: Path) -> list[UnexpectedEntry]:
    """Every entry of the year folder that is not a contract file, sorted by name."""
    if not folder.is_dir():
        return []
    contract = {name for e in extracts().values() for name in e.delivery_names}
    entries = []
    for name in sorted(os.listdir(folder)):
        if name.startswith(_HIDDEN_PREFIXES) or name.lower() in _SYSTEM_FILES:
            continue
        path = folder / name
        if name in contract and path.is_file():
            continue
        readable = readable_name(name)
        shown = readable + "/" if path.is_dir() else readable
        extract = _resembled_extract(readable)
        entries.append(UnexpectedEntry(shown, extract or default_extract(), extract is not None))
    return entries
