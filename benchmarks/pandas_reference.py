"""A reference implementation of mujun's evaluation in plain pandas, for the benchmark (issue 13).

    python benchmarks/pandas_reference.py --raw-dir DIR --year Y --out classification.csv \\
        [--previous classification.csv of Y-1] [--cutoff YYYY-MM-DD]

This is the script a bureau's analyst would write instead of mujun: it reads the year's delivered
CSV files (`<raw-dir>/<year>/<extract>.csv`, English or Chinese headers as the contract
`data/seeds/extract_columns.csv` names them, UTF-8 with or without BOM or GB18030) and the rule
tables `data/seeds/*.csv` (the rows in force for the year by `from_year`/`to_year`; every policy
number comes from them), and writes `classification.csv` with the columns and values of mujun's
`exports/<year>/classification.csv`. Vectorised pandas throughout: the pyarrow CSV reader, strings
in Arrow, regular expressions and label lookups over whole columns, enterprises joined by integer
codes (one factorize of every USCC), group-bys and merges for the score items. No DuckDB, and no
loop over rows (but for translating the rare full-width industry code).

What it implements, as mujun's dbt models do (they decide where RULES.md is unclear):
- validation as far as it changes the classification: every contract column of the extracts the
  classification reads is checked as mujun's staging checks it (required value present; USCC of 18
  characters with its GB 32100 check character; numbers as plain decimals with thousands separators
  in groups of three, finite, not `nan`/`inf`, not overflowing; whole numbers; dates YYYY-MM-DD or
  YYYY/M/D; booleans and enums by the labels of `boolean_labels.csv`/`enum_labels.csv`, English or
  Chinese, any case; GB/T 4754 industry codes with or without the section letter). A line with a
  bad cell is quarantined, as are all lines of a USCC repeated in a one-row-per-enterprise extract,
  parcels and leases with an area not positive or an id repeated, leases whose lessor is the lessee,
  and pollution penalties without a level;
- status: an enterprise of the statistics extract never vanishes: its quarantined line makes it
  `blocked` (statistics_duplicate / statistics_row_invalid); out of scope by industry division;
  blocked for tax duplicate / tax row invalid / tax missing, land not positive, energy missing,
  output missing, or an indicator that is not a finite number;
- land (registered m² to 亩, verified leases in and out), indicators, benchmarks (mean of the
  enterprises' ratios over the benchmark population), capped basic scores, bonus and penalty items
  (per-item aggregation and caps from `score_items.csv` and `rule_parameters.csv`), total score
  rounded as DuckDB rounds, ranks within each scale group (ties share the best rank), percentile
  classes, the adjustment rules in their order and the government's override;
- the previous year's class from `--previous` (the classification.csv of year − 1, standing for
  mujun's stored result of that year) where it has a final class, else from industry_it.csv.

Only mujun's default run decisions are supported: benchmark_method = mean_of_ratios and
ranking_groups = scale (`--cutoff` defaults to <year>-12-31 as in mujun).

It does not write workbooks, reports, data-quality files or the 附件2 rewards, does not check whole
files (Great Expectations) or report findings, and does not diagnose every unusable file as mujun
does (exit status 2: wrong delimiter, UTF-16, oversized cells, ...): only classification.csv.

Columns compared with mujun: all 21 columns of classification.csv; none is excluded (`adjustments`
holds rule and reason codes, not label text, and no run id is part of the file). Numbers are
compared to 1e-6, the precision of the contract (mujun writes them rounded to six decimals; this
script rounds the same way and writes them the same way, so they normally agree as text too);
everything else exactly. See `compare()`.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "data" / "seeds"

# Not rule numbers but definitions: GB 32100-2015's alphabet and check-character weights, the
# square metres in a hectare (SI), and the magnitude up to which mujun computes numbers exactly
# (dbt macro number_magnitude_limit): a larger delivered value is not a number there either.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = np.array([pow(3, i, 31) for i in range(17)], dtype=np.int64)
M2_PER_HECTARE = 10000
NUMBER_MAGNITUDE_LIMIT = 1e20

# White space that is no part of a delivered value (spaces, tabs, line ends, no-break and
# ideographic spaces), as mujun's trim_cell strips it.
WHITESPACE = " \t\n\r\u00a0\u3000"
NUMBER_PATTERN = r"[+-]?(?:(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
DATE_PATTERN = r"^(?:([0-9]{1,4})-([0-9]{1,2})-([0-9]{1,2})|([0-9]{1,4})/([0-9]{1,2})/([0-9]{1,2}))$"
INDUSTRY_PATTERN = r"^[A-Z]?[0-9]{2,4}$"
FULL_WIDTH = str.maketrans(
    "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ",
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
)
INT32 = 2**31

# classification.csv (dagster_project/outputs/csv_files.py): columns, those written rounded to six
# decimals, and the first characters that make a spreadsheet read a text cell as a formula.
COLUMNS = [
    "uscc",
    "name",
    "township",
    "scale",
    "status",
    "land_mu",
    "tax_per_mu",
    "output_per_mu",
    "output_per_energy",
    "tax_score",
    "output_score",
    "energy_score",
    "basic_score",
    "bonus_score",
    "penalty_score",
    "total_score",
    "rank",
    "group_size",
    "percentile_class",
    "final_class",
    "adjustments",
]
DECIMAL_COLUMNS = COLUMNS[5:16]
INTEGER_COLUMNS = ["rank", "group_size"]
OUTPUT_DIGITS = 6
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# The extracts the classification reads (the others feed the 附件2 rewards only).
EXTRACTS = [
    "statistics",
    "tax",
    "land_parcels",
    "land_leases",
    "land_violations",
    "science_tech",
    "industry_it",
    "finance",
    "market_supervision",
    "quality_awards",
    "standards",
    "honors",
    "safety_accidents",
    "environment",
    "overrides",
]


class InputError(Exception):
    """The delivery or the rules cannot be used (mujun's exit status 2)."""


# ---------------------------------------------------------------------------------------------
# Rule tables


def seed(name: str) -> pd.DataFrame:
    return pd.read_csv(SEEDS / f"{name}.csv", dtype=str, keep_default_na=False)


class Rules:
    """The rule tables, rows in force for the data year."""

    def __init__(self, year: int):
        self.year = year

        def dated(name: str) -> pd.DataFrame:
            table = seed(name)
            since = table["from_year"].astype(int)
            until = pd.to_numeric(table["to_year"].replace("", np.nan))
            return table[(since <= year) & (until.isna() | (until >= year))].reset_index(drop=True)

        self.parameters = dated("rule_parameters")
        self.parameters["value"] = self.parameters["value"].astype(float)
        self.indicator_points = dated("indicator_points")
        self.indicator_points[["basic_points", "cap_points"]] = self.indicator_points[["basic_points", "cap_points"]].astype(float)
        self.indicator_scores = seed("indicator_scores").assign(position=lambda t: t["position"].astype(int)).sort_values("position")
        self.bonus_points = dated("bonus_points").assign(points=lambda t: t["points"].astype(float))
        self.standard_points = dated("bonus_standard_points").assign(points=lambda t: t["points"].astype(float))
        self.penalty_points = dated("penalty_points").assign(points=lambda t: t["points"].astype(float))
        self.score_items = seed("score_items")
        self.class_cutoffs = dated("class_cutoffs").assign(max_percent=lambda t: t["max_percent"].astype(int)).sort_values("max_percent")
        self.adjustment_rules = dated("adjustment_rules").assign(step=lambda t: t["step"].astype(int)).sort_values("step")
        self.conduct_levels = set(dated("conduct_accident_levels")["level"])
        self.divisions = dated("industry_divisions").set_index("division")
        self.divisions["in_scope"] = self.divisions["in_scope"].str.lower() == "true"
        booleans = seed("boolean_labels")
        self.booleans = dict(zip(booleans["label"].str.lower(), booleans["value"].str.lower() == "true"))
        enums = seed("enum_labels")
        enums["label"] = enums["label"].str.lower()
        self.enums = {
            name: dict(zip(t["label"], t["code"])) for name, t in enums.drop_duplicates(["enum_name", "label"]).groupby("enum_name")
        }
        columns = seed("extract_columns")
        columns["position"] = columns["position"].astype(int)
        columns["value_required"] = columns["value_required"].str.lower() == "true"
        self.columns = {name: t.sort_values("position") for name, t in columns.groupby("extract")}
        extracts = seed("extracts").set_index("extract")
        self.required = set(extracts.index[extracts["required"].str.lower() == "true"])
        self.one_row = set(extracts.index[extracts["one_row_per_enterprise"].str.lower() == "true"])

    def param(self, name: str, scale: str = "all") -> float:
        rows = self.parameters[self.parameters["parameter"] == name].set_index("scale")["value"]
        if scale in rows.index:
            return float(rows[scale])
        if "all" in rows.index:
            return float(rows["all"])
        raise InputError(f"rule_parameters: no row for {name} in force for {self.year}")

    def aggregation(self, kind: str) -> dict[str, str]:
        items = self.score_items[self.score_items["kind"] == kind]
        return dict(zip(items["item"], items["aggregation"]))


# ---------------------------------------------------------------------------------------------
# Reading a delivery and parsing its cells


def normalize_header(text: str) -> str:
    """Headers compare loosely: full-width forms folded (NFKC), white space dropped, case ignored,
    a template's required mark (＊, * once folded) ignored."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).strip().lower()).strip("*")


def _excel_text(value) -> str:
    """A workbook cell as the text Excel's "Save as CSV" writes: whole numbers without ".0", 15
    significant digits, dates as YYYY-MM-DD."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else format(value, ".15g")
    if isinstance(value, pd.Timestamp) or hasattr(value, "isoformat"):
        return value.date().isoformat() if hasattr(value, "date") else value.isoformat()
    return str(value)


def _read_workbook(path: Path) -> pd.DataFrame:
    """A delivered workbook (the department's filled template): the sheet named like the extract,
    else the first one; the first row is the header."""
    sheets = pd.read_excel(path, sheet_name=None, header=None, engine="calamine", dtype=object)
    raw = sheets.get(path.stem, next(iter(sheets.values())))
    raw = raw.map(_excel_text)
    raw = raw[(raw != "").any(axis=1)]
    header = [str(c) for c in raw.iloc[0]] if len(raw) else []
    return pd.DataFrame(raw.iloc[1:].values, columns=header) if header else pd.DataFrame()


def read_delivery(folder: Path, extract: str, rules: Rules) -> pd.DataFrame | None:
    """The delivered rows (all text, trimmed), contract columns named as in the contract (a missing
    optional column is empty), in file order; None when the file was not delivered."""
    path = folder / f"{extract}.csv"
    contract = rules.columns[extract]
    workbook = folder / f"{extract}.xlsx"
    if not path.is_file() and not workbook.is_file():
        if extract in rules.required:
            raise InputError(f"required file missing: {path}")
        return None
    try:
        if workbook.is_file():
            frame = _read_workbook(workbook)
        else:
            try:
                frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", engine="pyarrow")
            except UnicodeDecodeError:
                frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="gb18030", engine="pyarrow")
    except pd.errors.EmptyDataError:
        frame = pd.DataFrame()
    lookup = {}
    for name, header in zip(contract["column_name"], contract["header_zh"]):
        lookup[normalize_header(name)] = name
        lookup[normalize_header(header)] = name
    header = list(frame.columns)
    renamed, mapped = {}, set()
    for column in header:
        name = lookup.get(normalize_header(str(column)))
        if name is not None:
            if name in mapped:
                raise InputError(f"{path}: column {column} duplicates column {name}")
            renamed[column] = name
            mapped.add(name)
    missing = [c for c, req in zip(contract["column_name"], contract["value_required"]) if req and c not in mapped]
    if missing and (len(frame.columns) or extract in rules.required):
        raise InputError(f"{path} is missing required column(s) {', '.join(missing)}")
    if len(frame):
        # a line of empty cells (",,,," below a table in Excel) is a blank line, not a record
        blank = frame[header[0]].str.strip(" ").eq("").to_numpy(bool).copy()
        for column in header[1:]:
            if blank.any():
                blank[blank] = frame.loc[blank, column].str.strip(" ").eq("").to_numpy(bool)
        frame = frame[~blank]
    rows = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    for name in contract["column_name"]:
        if name in mapped:
            source = next(c for c, n in renamed.items() if n == name)
            rows[name] = frame[source].str.strip(WHITESPACE).reset_index(drop=True)
        else:
            rows[name] = pd.Series("", index=rows.index, dtype="str")
    if not len(rows) and extract in rules.required:
        raise InputError(f"required file {path} has a header but no data rows")
    rows["_line"] = np.arange(len(rows))
    return rows


def uscc_valid(codes: pd.Series) -> np.ndarray:
    """GB 32100-2015: 18 characters of the alphabet, the last one the check character."""
    shaped = codes.str.contains(r"^[0-9A-HJ-NP-RTUW-Y]{18}$", regex=True).fillna(False).to_numpy(bool)
    valid = shaped.copy()
    if shaped.any():
        lookup = np.zeros(256, dtype=np.int64)
        for value, character in enumerate(USCC_ALPHABET):
            lookup[ord(character)] = value
        chars = np.frombuffer("".join(codes[shaped].tolist()).encode("ascii"), dtype=np.uint8).reshape(-1, 18)
        values = lookup[chars]
        check = (31 - (values[:, :17] @ USCC_WEIGHTS) % 31) % 31
        valid[shaped] = values[:, 17] == check
    return valid


def duck_round(values, digits: int) -> np.ndarray:
    """DuckDB's round(double, digits): std::round(x · 10^digits) / 10^digits (half away from zero),
    the input itself where that is not finite."""
    x = np.asarray(values, dtype=float)
    scale = float(10**digits)
    y = x * scale
    whole = np.trunc(y)
    rounded = (whole + np.where(np.abs(y - whole) >= 0.5, np.sign(y), 0.0)) / scale
    return np.where(np.isfinite(rounded) | np.isnan(x), rounded, x)


def parse_decimal(cell: pd.Series) -> np.ndarray:
    """A finite plain decimal (thousands separated by commas in groups of three) or NaN."""
    shaped = cell.str.contains(f"^(?:{NUMBER_PATTERN})$", regex=True).fillna(False).to_numpy(bool)
    number = np.full(len(cell), np.nan)
    if shaped.any():
        text = cell[shaped]
        values = text.str.replace(",", "", regex=False).astype("float64").to_numpy()
        # a value that underflows to zero ('1e-400') is an overflow, not zero
        zero = values == 0
        underflow = np.zeros(len(values), dtype=bool)
        if zero.any():
            underflow[zero] = text[zero].str.replace(r"[eE].*$", "", regex=True).str.contains("[1-9]", regex=True).to_numpy(bool)
        good = np.isfinite(values) & (np.abs(values) < NUMBER_MAGNITUDE_LIMIT) & ~underflow
        number[np.flatnonzero(shaped)[good]] = values[good]
    return number


def parse_int(cell: pd.Series) -> np.ndarray:
    number = parse_decimal(cell)
    whole = (number == np.floor(number)) & (np.abs(number) < INT32)
    return np.where(whole, number, np.nan)


def parse_date(cell: pd.Series) -> np.ndarray:
    """YYYY-MM-DD or YYYY/M/D as the integer yyyymmdd (NaN when not a date of the calendar)."""
    y, m, d = (np.full(len(cell), np.nan) for _ in range(3))
    # the usual form by slicing (vectorised in Arrow); the others by a regular expression
    iso = cell.str.contains(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", regex=True).fillna(False).to_numpy(bool)
    if iso.any():
        text = cell[iso]
        for target, start, stop in ((y, 0, 4), (m, 5, 7), (d, 8, 10)):
            target[iso] = text.str.slice(start, stop).astype("float64").to_numpy()
    other = ~iso & cell.ne("").to_numpy(bool)
    if other.any():
        parts = cell[other].str.extract(DATE_PATTERN).apply(pd.to_numeric).to_numpy(float)
        y[other] = np.where(np.isnan(parts[:, 0]), parts[:, 3], parts[:, 0])
        m[other] = np.where(np.isnan(parts[:, 1]), parts[:, 4], parts[:, 1])
        d[other] = np.where(np.isnan(parts[:, 2]), parts[:, 5], parts[:, 2])
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    month_days = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=float)
    with np.errstate(invalid="ignore"):
        ok = (m >= 1) & (m <= 12) & (d >= 1)
        days = month_days[np.clip(np.nan_to_num(m, nan=1).astype(int), 1, 12) - 1] + ((m == 2) & leap)
        ok &= d <= days
    return np.where(ok, y * 10000 + m * 100 + d, np.nan)


def parse_industry_code(cell: pd.Series, rules: Rules) -> tuple[np.ndarray, np.ndarray]:
    """(code digits or None, malformed-or-unknown mask) for GB/T 4754 codes as statistics systems
    write them: with or without the section letter, any case, spaces inside, full-width characters."""
    text = cell.copy()
    wide = text.str.contains(r"[^\x00-\x7f]", regex=True).fillna(False).to_numpy(bool)
    if wide.any():
        text[wide] = text[wide].map(lambda v: v.translate(FULL_WIDTH))
    text = text.str.upper().str.replace(r"[\t\n\f\r \u3000\u00a0]", "", regex=True)
    shaped = text.str.contains(INDUSTRY_PATTERN, regex=True).fillna(False).to_numpy(bool)
    lettered = text.str.contains(r"^[A-Z]", regex=True).fillna(False).to_numpy(bool)
    code = np.where(lettered, text.str.slice(1).to_numpy(dtype=object), text.to_numpy(dtype=object))
    letter = np.where(lettered, text.str.slice(0, 1).to_numpy(dtype=object), "")
    division, uniques = pd.factorize(pd.Series(code, dtype="str").str.slice(0, 2))
    section = rules.divisions["section"].reindex(uniques).to_numpy(dtype=object)[division]
    ok = shaped & pd.notna(section) & ((letter == "") | (letter == section))
    return np.where(ok, code, None), ~ok


def lookup(cell: pd.Series, labels: dict) -> np.ndarray:
    """Labels (any case) to their values, None for an unknown one: each distinct label looked up once."""
    codes, uniques = pd.factorize(cell.str.lower())
    values = np.array([labels.get(label) for label in uniques] + [None], dtype=object)
    return values[codes]


def validate(extract: str, rows: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """The delivery with each contract column parsed to its type, and per line: `_key` (the USCC
    the line is about, as checked) and whether it is a valid one, `_bad` (quarantined) and
    `_bad_value` (a cell error other than a required value missing)."""
    out = pd.DataFrame({"_line": rows["_line"]})
    key_column = "lessee_uscc" if extract == "land_leases" else "uscc"
    out["_key"] = rows[key_column].str.upper()
    out["_key_valid"] = uscc_valid(out["_key"])
    missing = np.zeros(len(rows), dtype=bool)
    invalid = np.zeros(len(rows), dtype=bool)
    for column in rules.columns[extract].itertuples():
        name, kind = column.column_name, column.value_type
        cell = rows[name]
        empty = cell.eq("").to_numpy(bool)
        if column.value_required:
            missing |= empty
        if kind == "text":
            out[name] = cell.where(~empty)
            continue
        if kind == "uscc":
            value = out["_key"] if name == key_column else cell.str.upper()
            bad = ~(out["_key_valid"].to_numpy() if name == key_column else uscc_valid(value))
            out[name] = value.where(~empty)
        elif kind in ("decimal", "int", "date"):
            value = {"decimal": parse_decimal, "int": parse_int, "date": parse_date}[kind](cell)
            bad = np.isnan(value)
            out[name] = value
        elif kind == "bool":
            value = lookup(cell, rules.booleans)
            bad = pd.isna(value)
            out[name] = np.where(empty | bad, False, value).astype(bool)
        elif kind == "enum":
            value = lookup(cell, rules.enums[column.enum_name])
            bad = pd.isna(value)
            out[name] = value
        elif kind == "industry_code":
            value, bad = parse_industry_code(cell, rules)
            out[name] = value
        else:
            raise InputError(f"extract_columns: unknown value_type {kind}")
        invalid |= bad & ~empty
    bad = missing | invalid
    if extract in rules.one_row:
        # a USCC delivered twice: all its lines are quarantined, none is picked silently
        out["_repeated"] = out["_key"].duplicated(keep=False).to_numpy(bool) & out["_key_valid"].to_numpy()
        bad |= out["_repeated"].to_numpy()
    bad |= row_rule_errors(extract, out)
    out["_bad"] = bad
    out["_bad_value"] = invalid
    return out


def row_rule_errors(extract: str, rows: pd.DataFrame) -> np.ndarray:
    """Lines whose cells parse but which break a rule of their own file."""
    bad = np.zeros(len(rows), dtype=bool)
    with np.errstate(invalid="ignore"):
        if extract == "land_parcels":
            bad |= rows["area_m2"].to_numpy() <= 0
            bad |= rows["parcel_id"].notna().to_numpy() & rows["parcel_id"].duplicated(keep=False).to_numpy()
        elif extract == "land_leases":
            bad |= rows["area_mu"].to_numpy() <= 0
            bad |= (rows["lessor_uscc"].str.upper() == rows["lessee_uscc"].str.upper()).fillna(False).to_numpy(bool)
            bad |= rows["lease_id"].notna().to_numpy() & rows["lease_id"].duplicated(keep=False).to_numpy()
        elif extract == "environment":
            bad |= (rows["kind"].eq("pollution_penalty") & rows["level"].isna()).to_numpy(bool)
    return bad


# ---------------------------------------------------------------------------------------------
# The evaluation


def evaluate(raw_dir: Path, year: int, previous: Path | None = None, cutoff: date | None = None) -> pd.DataFrame:
    rules = Rules(year)
    cutoff = cutoff or date(year, 12, 31)
    folder = Path(raw_dir) / str(year)
    data: dict[str, pd.DataFrame] = {}
    for extract in EXTRACTS:
        rows = read_delivery(folder, extract, rules)
        if rows is None:
            rows = pd.DataFrame({c: pd.Series(dtype="str") for c in rules.columns[extract]["column_name"]} | {"_line": []})
        data[extract] = validate(extract, rows, rules)
    data["land_leases"]["_lessor"] = data["land_leases"]["lessor_uscc"].fillna("")

    # Enterprises are joined by integer codes: every USCC of every extract factorised once.
    keyed = [(name, "_key") for name in data] + [("land_leases", "_lessor")]
    codes, uniques = pd.factorize(pd.concat([data[name][column] for name, column in keyed], ignore_index=True))
    start = 0
    for name, column in keyed:
        data[name][column + "_code"] = codes[start : start + len(data[name])]
        start += len(data[name])

    # Population: accepted statistics lines, and once each enterprise whose lines are all
    # quarantined while its USCC is valid (blocked, with the fields of its first line).
    statistics = data["statistics"]
    quarantined = statistics[statistics["_bad"] & statistics["_key_valid"]]
    lines = quarantined.groupby("_key_code")["_line"].transform("size").to_numpy()
    quarantined = quarantined.assign(
        uscc=quarantined["_key"], statistics_issue=np.where(lines > 1, "statistics_duplicate", "statistics_row_invalid")
    )
    quarantined = quarantined.drop_duplicates("_key_code", keep="first")
    keep = ["uscc", "name", "township", "industry_code", "scale", "statistics_issue", "_line", "_key_code"]
    people = pd.concat([statistics[~statistics["_bad"]].assign(statistics_issue=None), quarantined[keep]], ignore_index=True)
    people = people.sort_values("_line", kind="stable", ignore_index=True)
    n = len(people)
    person_of_code = np.full(len(uniques) + 1, -1)  # code -1 (none) lands on the last slot
    person_of_code[people["_key_code"].to_numpy()] = np.arange(n)
    accepted = {}
    for name, frame in data.items():
        frame = frame[~frame["_bad"].to_numpy()]
        frame = frame.assign(_person=person_of_code[frame["_key_code"].to_numpy()])
        accepted[name] = frame[frame["_person"].to_numpy() >= 0]  # rows about enterprises of the population
    division, divisions = pd.factorize(pd.Series(people["industry_code"], dtype="str").str.slice(0, 2))
    in_scope = np.append(rules.divisions["in_scope"].reindex(divisions).fillna(False).to_numpy(bool), False)[division]

    def spread(frame: pd.DataFrame, column: str, fill, target: np.ndarray | None = None, size: int = n) -> np.ndarray:
        """A column of a one-row-per-enterprise extract, aligned to the population (or to `target`
        positions, e.g. the evaluated enterprises)."""
        values = frame[column].to_numpy()
        where = frame["_person"].to_numpy() if target is None else target[frame["_person"].to_numpy()]
        found = where >= 0
        out = np.full(size, fill, dtype=values.dtype if values.dtype != bool else object)
        out[where[found]] = values[found]
        return out

    # Land (亩): registered parcels (m²) + verified leases in − verified leases out.
    parcels = accepted["land_parcels"]
    registered = np.bincount(parcels["_person"], weights=parcels["area_m2"], minlength=n) * rules.param("mu_per_hectare") / M2_PER_HECTARE
    leases = data["land_leases"]
    leases = leases[~leases["_bad"].to_numpy() & leases["verified"].to_numpy()]
    leased_in, leased_out = np.zeros(n), np.zeros(n)
    for target, column in ((leased_in, "_key_code"), (leased_out, "_lessor_code")):
        person = person_of_code[leases[column].to_numpy()]
        target += np.bincount(person[person >= 0], weights=leases["area_mu"].to_numpy()[person >= 0], minlength=n)
    land_mu = registered + leased_in - leased_out

    # Status (RULES §4): blocked reasons in mujun's order, out of scope, evaluated.
    tax = accepted["tax"]
    tax_rows = data["tax"]
    tax_paid = spread(tax, "tax_paid", np.nan).astype(float)
    has_tax = np.zeros(n, dtype=bool)
    has_tax[tax["_person"].to_numpy()] = True

    def flagged(mask) -> np.ndarray:
        person = person_of_code[tax_rows["_key_code"].to_numpy()[np.asarray(mask, dtype=bool)]]
        result = np.zeros(n, dtype=bool)
        result[person[person >= 0]] = True
        return result

    tax_duplicate, tax_invalid = flagged(tax_rows["_repeated"]), flagged(tax_rows["_bad_value"])
    scale = people["scale"].to_numpy(dtype=object)
    above = scale == "above"
    gross_output = people["gross_output"].to_numpy(float)
    energy = people["energy_tce"].to_numpy(float)
    with np.errstate(invalid="ignore"):
        reasons = [
            np.select([tax_duplicate, ~has_tax & tax_invalid, ~has_tax], ["tax_duplicate", "tax_row_invalid", "tax_missing"], ""),
            np.where(land_mu <= 0, "land_not_positive", ""),
            np.where(above & ~(np.nan_to_num(energy, nan=0.0) > 0), "energy_missing", ""),
            np.where(np.isnan(gross_output), "output_missing", ""),
        ]
    reason = np.full(n, "", dtype=object)
    some = np.logical_or.reduce([r != "" for r in reasons])
    if some.any():  # joined with ';' in this order, only where there is a reason
        joined = pd.Series(reasons[0][some]).str.cat([pd.Series(r[some]) for r in reasons[1:]], sep=";")
        reason[some] = joined.str.replace(r";+", ";", regex=True).str.strip(";").to_numpy(dtype=object)
    issue = people["statistics_issue"].to_numpy(dtype=object)
    with np.errstate(divide="ignore", invalid="ignore"):
        tax_used = np.maximum(tax_paid, 0)
        finite = (
            np.isfinite(land_mu)
            & np.isfinite(tax_used / land_mu)
            & np.isfinite(gross_output / land_mu)
            & (~above | np.isfinite(gross_output / energy))
        )
    reason = np.where(in_scope & (reason == "") & ~finite, "indicator_not_finite", reason)
    has_issue = pd.notna(issue)
    status = np.select([has_issue, ~in_scope, reason != ""], ["blocked", "out_of_scope", "blocked"], "evaluated")
    status_reason = np.select([has_issue, ~in_scope, reason != ""], [issue, "industry", reason], None)

    # Indicators and benchmarks of the evaluated enterprises (mean of the enterprises' ratios).
    ev = np.flatnonzero(status == "evaluated")
    to_e = np.full(n + 1, -1)
    to_e[ev] = np.arange(len(ev))
    e = pd.DataFrame(
        {"scale": scale[ev], "land_mu": land_mu[ev], "tax_paid": tax_paid[ev], "gross_output": gross_output[ev], "energy_tce": energy[ev]}
    )
    e_above = (e["scale"] == "above").to_numpy()
    e["tax_per_mu"] = np.maximum(e["tax_paid"], 0) / e["land_mu"]
    e["output_per_mu"] = e["gross_output"] / e["land_mu"]
    e["output_per_energy"] = np.where(e_above, e["gross_output"] / e["energy_tce"], np.nan)
    population = e_above & (e["gross_output"] >= rules.param("benchmark_min_gross_output")).to_numpy()
    benchmarks = {}
    for indicator in rules.indicator_points["indicator"].unique():
        value = e.loc[population, indicator].mean()
        if not (np.isfinite(value) and value > 0):
            raise InputError(f"benchmark missing or not positive: {indicator} (population {int(population.sum())}, computed {value})")
        benchmarks[indicator] = value

    # Basic scores: points × value / benchmark, capped, per scale group's indicators.
    score_column = dict(zip(rules.indicator_scores["indicator"], rules.indicator_scores["score_column"]))
    basic = np.zeros(len(e))
    for indicator in rules.indicator_scores["indicator"]:
        points = rules.indicator_points[rules.indicator_points["indicator"] == indicator].set_index("scale")
        basic_points = e["scale"].map(points["basic_points"]).to_numpy(float)
        cap = e["scale"].map(points["cap_points"]).to_numpy(float)
        score = np.minimum(basic_points * (e[indicator].to_numpy() / benchmarks.get(indicator, np.nan)), cap)
        e[score_column[indicator]] = score
        basic = basic + np.nan_to_num(score, nan=0.0)
    e["basic_score"] = basic

    # What the departments report once per enterprise, aligned to the evaluated enterprises.
    a = {}
    for extract, columns, fill in [
        ("statistics", ["gross_output_prev", "revenue", "revenue_prev", "total_profit", "above_scale_since", "halted_since"], np.nan),
        ("tax", ["credit_rating_d"], False),
        ("science_tech", ["rd_expense", "new_invention_patents"], np.nan),
        ("science_tech", ["hitech"], False),
        ("science_tech", ["rd_platform"], None),
        ("industry_it", ["specialized", "smart_manufacturing", "single_champion", "green_factory", "prev_class"], None),
        ("industry_it", ["equipment_investment"], np.nan),
        ("industry_it", ["elimination_listed", "energy_target_missed"], False),
        ("finance", ["listing"], None),
        ("finance", ["blacklisted"], False),
        ("market_supervision", ["abnormal_operation"], False),
    ]:
        for column in columns:
            a[column] = spread(accepted[extract], column, fill, to_e, len(e))
            if fill is False:
                a[column] = a[column].astype(bool)
    digits = int(rules.param("rate_digits"))
    recent_from = year - rules.param("recent_years") + 1

    def rate(numerator, denominator) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return duck_round(np.asarray(numerator, float) / np.asarray(denominator, float), digits)

    def rows_of(extract: str) -> pd.DataFrame:
        """Accepted rows of a many-rows extract about evaluated enterprises, with their position `eid`."""
        rows = accepted[extract]
        rows = rows.assign(eid=to_e[rows["_person"].to_numpy()])
        return rows[rows["eid"].to_numpy() >= 0]

    # Bonus criteria met (加分项): (enterprise, item, criterion), points from the rule table.
    criteria = []

    def met(mask, item: str, criterion) -> None:
        where = np.flatnonzero(np.asarray(mask, dtype=bool))
        criteria.append(
            pd.DataFrame({"eid": where, "item": item, "criterion": criterion if isinstance(criterion, str) else criterion[where]})
        )

    with np.errstate(invalid="ignore"):
        revenue = a["revenue"]
        met(pd.notna(a["listing"]), "listing", a["listing"])
        met((revenue > 0) & (rate(a["rd_expense"], revenue) >= rules.param("rd_ratio_min")), "rd_input", "rd_ratio")
        met(a["new_invention_patents"] >= rules.param("invention_patents_min"), "rd_input", "invention_patent")
        met(a["hitech"], "hitech", "yes")
        for item in ["rd_platform", "specialized", "smart_manufacturing", "single_champion", "green_factory"]:
            met(pd.notna(a[item]), item, a[item])
        for extract, item, column in [("honors", "honor", "level"), ("quality_awards", "quality_award", "award")]:
            rows = rows_of(extract)
            rows = rows[(rows["year"] >= recent_from) & (rows["year"] <= year)]
            criteria.append(pd.DataFrame({"eid": rows["eid"], "item": item, "criterion": rows[column]}))
        output, output_prev, revenue_prev = e["gross_output"].to_numpy(), a["gross_output_prev"], a["revenue_prev"]
        growth = {
            "growth_output_total": output > rules.param("growth_output_total_over"),
            "growth_output_rate": (output_prev > 0) & (rate(output - output_prev, output_prev) > rules.param("growth_output_rate_over")),
            "growth_tax_total": e["tax_paid"].to_numpy() > rules.param("growth_tax_total_over"),
            "growth_revenue_rate": (revenue_prev > 0)
            & (rate(revenue - revenue_prev, revenue_prev) > rules.param("growth_revenue_rate_over")),
            "growth_profit_margin": (revenue > 0) & (rate(a["total_profit"], revenue) > rules.param("growth_profit_margin_over")),
        }
        for item, mask in growth.items():
            met(mask, item, "yes")
    criteria = pd.concat(criteria, ignore_index=True)
    criteria["scale"] = e["scale"].to_numpy()[criteria["eid"].to_numpy()]
    items = criteria.merge(rules.bonus_points, on=["item", "scale", "criterion"])[["eid", "item", "points"]]
    standards = rows_of("standards")
    standards = standards[(standards["year"] >= recent_from) & (standards["year"] <= year)]
    standards = standards.merge(rules.standard_points, on=["level", "role"]).assign(item="standard")
    items = pd.concat([items, standards[["eid", "item", "points"]]], ignore_index=True)
    bonus_caps = rules.param("bonus_item_cap"), rules.param("bonus_total_cap")
    e["bonus_score"] = capped_points(items, rules.aggregation("bonus"), *bonus_caps, len(e))

    # Events of the data year: safety accidents, environment cases, illegal land use.
    def in_year(extract: str, column: str) -> pd.DataFrame:
        rows = rows_of(extract)
        return rows[rows[column].to_numpy() // 10000 == year]

    accidents = in_year("safety_accidents", "occurred_on")
    environment = in_year("environment", "occurred_on")
    violations = in_year("land_violations", "discovered_on")
    flags = {"tax_credit_d": a["credit_rating_d"], "blacklist": a["blacklisted"]}
    penalties = pd.concat(
        [
            pd.DataFrame({"eid": accidents["eid"], "item": "safety_accident", "criterion": accidents["level"]}),
            pd.DataFrame({"eid": environment["eid"], "item": environment["kind"], "criterion": environment["level"]}),
            pd.DataFrame({"eid": violations["eid"], "item": "land_violation", "criterion": "yes"}),
        ]
        + [pd.DataFrame({"eid": np.flatnonzero(mask), "item": item, "criterion": "yes"}) for item, mask in flags.items()],
        ignore_index=True,
    ).merge(rules.penalty_points, on=["item", "criterion"])[["eid", "item", "points"]]
    penalty_caps = rules.param("penalty_item_cap"), rules.param("penalty_total_cap")
    e["penalty_score"] = capped_points(penalties, rules.aggregation("penalty"), *penalty_caps, len(e))
    e["total_score"] = duck_round((e["basic_score"] + e["bonus_score"]) - e["penalty_score"], int(rules.param("total_score_digits")))

    # Ranks within each scale group, ties sharing the best rank; percentile classes.
    groups = e.groupby("scale")
    e["rank"] = groups["total_score"].rank(method="min", ascending=False).astype(int)
    tax_rank = groups["tax_per_mu"].rank(method="min", ascending=False).to_numpy()
    e["group_size"] = groups["scale"].transform("size").astype(int)
    size = e["group_size"].to_numpy()
    klass = np.full(len(e), None, dtype=object)
    for name, max_percent in zip(rules.class_cutoffs["class"][::-1], rules.class_cutoffs["max_percent"][::-1]):
        klass = np.where(e["rank"].to_numpy() * 100 <= max_percent * size, name, klass)
    e["percentile_class"] = klass

    # Adjustment rules (调档), their conditions as mujun's int_adjustment_conditions holds them.
    since = {months: shift_months(cutoff, -int(rules.param(months))) for months in ["new_above_scale_months", "halted_months"]}
    conduct_accident = np.zeros(len(e), dtype=bool)
    conduct_accident[accidents.loc[accidents["level"].isin(rules.conduct_levels), "eid"].to_numpy()] = True
    emission = np.zeros(len(e), dtype=bool)
    emission[environment.loc[environment["kind"] == "emission_target_missed", "eid"].to_numpy()] = True
    prev_class = a["prev_class"]
    if previous is not None:
        stored = pd.read_csv(previous, dtype=str, keep_default_na=False)
        stored = stored[stored["final_class"] != ""].set_index("uscc")["final_class"]
        prev_class = stored.reindex(people["uscc"].to_numpy()[ev]).fillna(pd.Series(prev_class)).to_numpy(dtype=object)
    equipment_over = e["scale"].map({s: rules.param("equipment_investment_over", s) for s in e["scale"].unique()}).to_numpy(float)
    with np.errstate(invalid="ignore"):
        held = {
            "not_a_low_tax": tax_rank * 100 > (100 - rules.param("low_tax_bottom_percent")) * size,
            "not_a_conduct": conduct_accident | a["energy_target_missed"] | emission | a["abnormal_operation"],
            "protect_cd": (prev_class == "A")
            | (a["equipment_investment"] > equipment_over)
            | (e_above & (a["above_scale_since"] > since["new_above_scale_months"])),
            "force_d": a["elimination_listed"] | (a["halted_since"] <= since["halted_months"]) | (e["tax_paid"].to_numpy() <= 0),
        }
    klass = e["percentile_class"].to_numpy(dtype=object)
    adjustments = pd.Series("", index=e.index, dtype="str")
    for rule in rules.adjustment_rules.itertuples():
        holds = held[rule.rule]
        klass = np.where(holds & np.isin(klass, rule.from_classes.split(";")), rule.to_class, klass)
        adjustments = adjustments.where(~holds, adjustments + ";" + rule.rule)
    overrides = spread(accepted["overrides"], "final_class", None, to_e, len(e))
    overridden = pd.notna(overrides)
    e["final_class"] = np.where(overridden, overrides, klass)
    adjustments = adjustments.where(~overridden, adjustments + ";manual_override").str.lstrip(";")
    e["adjustments"] = adjustments.where(adjustments != "")

    # classification.csv: every enterprise, evaluated ones with their scores.
    out = people[["uscc", "name", "township", "scale", "_line"]].assign(status=status)
    for column in COLUMNS[5:20]:
        values = e[column].to_numpy()
        full = np.full(n, np.nan if values.dtype.kind in "fi" else None, dtype=float if values.dtype.kind in "fi" else object)
        full[ev] = values
        out[column] = full
    adjustments = np.full(n, None, dtype=object)
    adjustments[ev] = e["adjustments"].to_numpy(dtype=object)
    out["adjustments"] = np.where(status == "evaluated", adjustments, status_reason)
    for column in DECIMAL_COLUMNS:
        out[column] = duck_round(out[column], OUTPUT_DIGITS)
    for column in INTEGER_COLUMNS:
        out[column] = out[column].astype("Int64")
    out = out.assign(_rest=out["status"] != "evaluated").sort_values(["_rest", "scale", "_line"], na_position="last", kind="stable")
    return out[COLUMNS].reset_index(drop=True)


def capped_points(items: pd.DataFrame, aggregation: dict[str, str], item_cap: float, total_cap: float, size: int) -> np.ndarray:
    """Points per enterprise: each item's points added up or its best counted (score_items),
    each item capped, then the total capped."""
    summed = items["item"].map(aggregation).eq("sum")
    per_item = pd.concat(
        [
            items[summed].groupby(["eid", "item"])["points"].sum(),
            items[~summed].groupby(["eid", "item"])["points"].max(),
        ]
    ).clip(upper=item_cap)
    total = per_item.groupby(level="eid").sum().clip(upper=total_cap)
    return total.reindex(range(size)).fillna(0.0).to_numpy()


def shift_months(day: date, months: int) -> float:
    """`day` moved by whole months (the day clamped to the month's end, as DuckDB's date − interval
    does), as the integer yyyymmdd."""
    shifted = (pd.Timestamp(day) + pd.DateOffset(months=months)).date()
    return float(shifted.year * 10000 + shifted.month * 100 + shifted.day)


def write(result: pd.DataFrame, out: Path) -> None:
    """UTF-8 without BOM, as mujun writes its machine CSV; a text cell that a spreadsheet would
    read as a formula starts with `'`."""
    result = result.copy()
    for column in ["uscc", "name", "township", "scale", "status", "percentile_class", "final_class", "adjustments"]:
        text = result[column].astype("str")
        risky = text.str.startswith(FORMULA_STARTS).fillna(False).to_numpy(bool)
        result[column] = text.where(~risky, "'" + text)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    result.to_csv(out, index=False, encoding="utf-8", lineterminator="\n")


# ---------------------------------------------------------------------------------------------
# Comparing two classification.csv files


def compare(ours: Path | pd.DataFrame, theirs: Path | pd.DataFrame, tolerance: float = 1e-6, show: int = 10) -> tuple[list[str], int]:
    """Differences between two classification.csv files (paths, or the files read as text), rows
    matched by uscc: the list of problems (empty when equal: the same rows and columns, numbers
    within `tolerance`, everything else as text) and the number of numeric cells that are equal
    within the tolerance but not as text."""

    def text(source: Path | pd.DataFrame) -> pd.DataFrame:
        if isinstance(source, pd.DataFrame):
            return source.astype(str).fillna("")
        return pd.read_csv(source, dtype=str, keep_default_na=False)

    a, b = text(ours), text(theirs)
    ours, theirs = ("first" if isinstance(ours, pd.DataFrame) else ours), ("second" if isinstance(theirs, pd.DataFrame) else theirs)
    problems = []
    if list(a.columns) != list(b.columns):
        return [f"columns differ: {list(a.columns)} vs {list(b.columns)}"], 0
    for name, frame in (("first", a), ("second", b)):
        if frame["uscc"].duplicated().any():
            problems.append(f"{name} file repeats uscc {frame.loc[frame['uscc'].duplicated(), 'uscc'].iloc[0]}")
    if problems:
        return problems, 0
    a, b = a.set_index("uscc"), b.set_index("uscc")
    only_a, only_b = a.index.difference(b.index), b.index.difference(a.index)
    if len(only_a):
        problems.append(f"{len(only_a)} enterprises only in {ours}: {', '.join(only_a[:show])}")
    if len(only_b):
        problems.append(f"{len(only_b)} enterprises only in {theirs}: {', '.join(only_b[:show])}")
    common = a.index.intersection(b.index).sort_values()
    a, b = a.loc[common], b.loc[common]
    differs = pd.DataFrame(False, index=common, columns=a.columns)
    text_only = 0
    for column in a.columns:
        if column in DECIMAL_COLUMNS:
            x = pd.to_numeric(a[column].replace("", np.nan)).to_numpy(float)
            y = pd.to_numeric(b[column].replace("", np.nan)).to_numpy(float)
            same = (np.isnan(x) & np.isnan(y)) | (np.abs(x - y) <= tolerance * np.maximum(1.0, np.abs(y)))
            differs[column] = ~same
            text_only += int((same & (a[column] != b[column]).to_numpy()).sum())
        else:
            differs[column] = (a[column] != b[column]).to_numpy()
    rows = differs.any(axis=1)
    if rows.any():
        columns = differs.sum()
        problems.append(
            f"{int(rows.sum())} of {len(common)} enterprises differ; cells differing per column: "
            + ", ".join(f"{c} {n}" for c, n in columns[columns > 0].items())
        )
        for uscc in differs.index[rows][:show]:
            cells = differs.columns[differs.loc[uscc]]
            problems.append(f"  {uscc}: " + "; ".join(f"{c} {a.at[uscc, c]!r} vs {b.at[uscc, c]!r}" for c in cells))
    return problems, text_only


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--raw-dir", type=Path, required=True, help="reads <raw-dir>/<year>/*.csv")
    parser.add_argument("--year", type=int, required=True, help="data year")
    parser.add_argument("--out", type=Path, required=True, help="classification.csv to write")
    parser.add_argument("--previous", type=Path, help="classification.csv of year − 1 (previous classes)")
    parser.add_argument("--cutoff", type=date.fromisoformat, help="评价统计截止日, default <year>-12-31")
    parser.add_argument("--compare", type=Path, help="a classification.csv to compare the result with (exit 1 if it differs)")
    args = parser.parse_args(argv)
    try:
        result = evaluate(args.raw_dir, args.year, args.previous, args.cutoff)
    except InputError as exc:
        print(f"input cannot be used: {exc}", file=sys.stderr)
        return 2
    write(result, args.out)
    print(f"{len(result)} enterprises ({int((result['status'] == 'evaluated').sum())} evaluated) -> {args.out}")
    if args.compare:
        problems, text_only = compare(args.out, args.compare)
        print("\n".join(problems) if problems else f"equal to {args.compare} ({text_only} numbers equal within 1e-6 but not as text)")
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
