"""A deterministic, fictional sample district in the format of the data contract.

The district looks like 卧龙区: its townships, real GB/T 4754-2017 manufacturing classes (and a few
out-of-scope ones), valid USCC check characters, multi-parcel land in m², verified and unverified
leases, and events for every bonus and penalty item. Company names all start with "示例" so that
no real firm is ever shown with invented figures. The same seed gives the same files.

A handful of realistic delivery problems are planted (a mistyped USCC in tax.csv, an above-scale
enterprise without energy data, an enterprise the tax office did not report), so that the
data-quality report has something to say.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .contract import extracts
from .uscc import ALPHABET, check_character

TOWNSHIPS = [
    "七一街道",
    "卧龙岗街道",
    "梅溪街道",
    "武侯街道",
    "车站街道",
    "光武街道",
    "靳岗街道",
    "王村街道",
    "七里园乡",
    "蒲山镇",
    "石桥镇",
    "陆营镇",
    "潦河镇",
    "安皋镇",
    "英庄镇",
    "谢庄镇",
    "青华镇",
    "潦河坡镇",
]

# (GB/T 4754-2017 class, word used in the fictional name)
MANUFACTURING = [
    ("1391", "淀粉"),
    ("1431", "食品"),
    ("1495", "艾制品"),
    ("1512", "酒业"),
    ("1751", "纺织"),
    ("1811", "服饰"),
    ("2021", "木业"),
    ("2110", "家具"),
    ("2231", "包装"),
    ("2319", "印刷"),
    ("2614", "化工"),
    ("2641", "涂料"),
    ("2710", "原料药"),
    ("2720", "药业"),
    ("2730", "中药饮片"),
    ("2740", "中药"),
    ("2770", "医疗用品"),
    ("2929", "塑业"),
    ("3011", "水泥"),
    ("3021", "建材"),
    ("3031", "新型墙材"),
    ("3042", "玻璃"),
    ("3130", "钢材"),
    ("3216", "铝业"),
    ("3311", "钢结构"),
    ("3391", "铸造"),
    ("3412", "动力机械"),
    ("3444", "液压"),
    ("3571", "农机"),
    ("3599", "装备"),
    ("3670", "汽车零部件"),
    ("3811", "电机"),
    ("3825", "光伏"),
    ("3841", "锂电"),
    ("3982", "电子"),
    ("4011", "自动化"),
    ("4190", "制品"),
    ("4220", "再生资源"),
]
OUT_OF_SCOPE = [("0610", "矿业"), ("1011", "石料"), ("4411", "热电"), ("4430", "热力"), ("4620", "水务")]

TRADE_SYLLABLES = list("宛卧岚澜淯梅溪岗汉仲景诸葛瑞丰鑫恒泰盛华源达通豫南阳明创新宏远博鼎润和祥康嘉信")
SUFFIXES = ["有限公司", "有限公司", "有限公司", "股份有限公司", "有限责任公司"]
M2_PER_MU = 10000 / 15


@dataclass
class Enterprise:
    index: int
    uscc: str
    name: str
    township: str
    industry_code: str
    above: bool
    base_output: float  # 万元, first year
    growth: float
    output_per_mu: float
    parcels: list[float]  # m²
    energy_intensity: float  # 万元 output per tce
    tax_rate: float
    above_since: date | None


def _uscc(rng: random.Random) -> str:
    first17 = "91" + "411303" + "".join(rng.choice(ALPHABET) for _ in range(9))
    return first17 + check_character(first17)


def _population(seed: int, above: int, below: int) -> list[Enterprise]:
    rng = random.Random(f"mujun-population-{seed}")
    names: set[str] = set()
    codes: set[str] = set()
    people = []
    for i in range(above + below):
        is_above = i < above
        code, word = rng.choice(OUT_OF_SCOPE) if rng.random() < 0.02 else rng.choice(MANUFACTURING)
        uscc = _uscc(rng)
        while uscc in codes:
            uscc = _uscc(rng)
        codes.add(uscc)
        name = f"示例{rng.choice(TRADE_SYLLABLES)}{rng.choice(TRADE_SYLLABLES)}{word}{rng.choice(SUFFIXES)}"
        tries = 1
        while name in names:
            tries += 1
            trade = f"{rng.choice(TRADE_SYLLABLES)}{rng.choice(TRADE_SYLLABLES)}"
            # a province has more firms than trade-name combinations: number them (第N分公司 style)
            name = f"示例{trade}{word}{rng.choice(SUFFIXES)}" if tries <= 5 else f"示例{trade}{word}{i}号{rng.choice(SUFFIXES)}"
        names.add(name)
        output = rng.lognormvariate(8.9, 0.8) + 2000 if is_above else rng.uniform(80, 1990)
        land_mu = max(output / rng.lognormvariate(5.5, 0.6), 1.0)
        parcel_count = rng.choice([1, 1, 1, 2, 2, 3])
        shares = [rng.uniform(0.5, 1.5) for _ in range(parcel_count)]
        parcels = [round(land_mu * M2_PER_MU * s / sum(shares)) for s in shares]
        people.append(
            Enterprise(
                index=i,
                uscc=uscc,
                name=name,
                township=rng.choice(TOWNSHIPS),
                industry_code=code,
                above=is_above,
                base_output=round(output, 1),
                growth=rng.gauss(0.06, 0.12),
                output_per_mu=output / land_mu,
                parcels=parcels,
                energy_intensity=rng.lognormvariate(1.0, 0.5),
                tax_rate=rng.uniform(0.01, 0.06),
                above_since=date(rng.randint(2008, 2021), rng.randint(1, 12), 1) if is_above else None,
            )
        )
    return people


def _output(e: Enterprise, year: int, first_year: int) -> float:
    rng = random.Random(f"output-{e.uscc}-{year}")
    years = year - first_year
    return round(e.base_output * (1 + e.growth) ** years * rng.uniform(0.93, 1.07), 1)


# The sample district's 科技局 delivers its extract as its filled-in template (science_tech.xlsx),
# as a department that works in Excel does; the other departments deliver CSV.
SAMPLE_WORKBOOKS = ("science_tech",)


def _write(path: Path, extract: str, rows: list[dict], year: int, workbooks: tuple[str, ...]) -> Path:
    contract = extracts()[extract]
    columns = [c.name for c in contract.columns]
    path.mkdir(parents=True, exist_ok=True)
    # the other form of the same delivery, left by an earlier generation, would make two deliveries
    (path / (contract.file_name if extract in workbooks else contract.workbook_name)).unlink(missing_ok=True)
    if extract in workbooks:
        from .outputs.templates import write_template

        return write_template(path / contract.workbook_name, contract, year, rows)
    target = path / contract.file_name
    with open(target, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return target


DIGITAL_ITEMS = ["智能制造装备", "生产计划与综合管理", "数字化研发设计", "质量管控"]
FUNDED_ITEMS = ["产值增长奖", "产值突破奖", "智能制造装备", "质量管控", "工业上楼"]


def _reward_extracts(rows: dict[str, list[dict]], people: list[Enterprise], year: int, first_year: int, rng: random.Random) -> None:
    """The optional extracts of the 附件2 rewards: invoices of digital purchases, new multistorey
    buildings, higher-level funds, and each township's output month by month."""
    for e in people:
        if not e.above:
            continue
        if rng.random() < 0.08:
            for k, item in enumerate(rng.sample(DIGITAL_ITEMS, rng.randint(1, 2)), start=1):
                rows["digital_investment"].append(
                    {
                        "uscc": e.uscc,
                        "project_id": f"SZ-{year}-{e.index:05d}-{k}",
                        "item": item,
                        "invoice_amount": round(rng.lognormvariate(3.2, 0.8), 2),
                        "year": rng.choice([year] * 5 + [year - 1]),
                    }
                )
        if rng.random() < 0.015:
            area = round(rng.uniform(8000, 30000), -2)
            floor3 = round(area * rng.uniform(0.15, 0.3), -1)
            rows["multistorey_buildings"].append(
                {
                    "uscc": e.uscc,
                    "building_id": f"CF-{year}-{e.index:05d}",
                    "completed_on": date(rng.choice([year] * 4 + [year - 1]), rng.randint(1, 12), 15).isoformat(),
                    "plot_ratio": round(rng.uniform(1.2, 3.0), 2),
                    "building_density_pct": round(rng.uniform(35, 60), 1),
                    "floor_area_m2": area,
                    "floor3_area_m2": floor3,
                    "floor4_up_area_m2": round(area * rng.uniform(0, 0.4), -1),
                    "project_eligible": "是" if rng.random() < 0.8 else "否",
                }
            )
        if rng.random() < 0.01:
            rows["higher_level_funding"].append(
                {
                    "uscc": e.uscc,
                    "item": rng.choice(FUNDED_ITEMS),
                    "level": rng.choice(["省级", "市级", "国家级"]),
                    "amount": rng.choice([5, 10, 20, 50]),
                    "year": rng.choice([year, year, year - 1]),
                }
            )
    # Each township's output is the sum of its enterprises', spread over the months.
    totals: dict[str, list[float]] = {}
    for e in people:
        current, previous = totals.setdefault(e.township, [0.0, 0.0])
        totals[e.township] = [current + _output(e, year, first_year), previous + _output(e, year - 1, first_year)]
    for township, (current, previous) in totals.items():
        this_year = [rng.uniform(0.7, 1.3) for _ in range(12)]
        last_year = [w * rng.uniform(0.85, 1.15) for w in this_year]
        for month in range(1, 13):
            rows["township_monthly_output"].append(
                {
                    "township": township,
                    "month": month,
                    "output": round(current * this_year[month - 1] / sum(this_year), 1),
                    "output_prev": round(previous * last_year[month - 1] / sum(last_year), 1),
                }
            )


def generate_district(
    out_dir: Path,
    year: int,
    above: int = 300,
    below: int = 900,
    seed: int = 20240301,
    first_year: int = 2022,
    workbooks: tuple[str, ...] = SAMPLE_WORKBOOKS,
) -> list[Path]:
    """Write `<out_dir>/<year>/*.csv` for a fictional district, the extracts named in `workbooks`
    as `<extract>.xlsx` (the department's template, filled in); deterministic for a given seed."""
    people = _population(seed, above, below)
    rng = random.Random(f"mujun-year-{seed}-{year}")
    # the 附件2 reward extracts draw from their own stream: the evaluation extracts do not change
    reward_rng = random.Random(f"mujun-rewards-{seed}-{year}")
    folder = Path(out_dir) / str(year)
    rows: dict[str, list[dict]] = {name: [] for name in extracts()}

    # Planted problems, the same enterprises every year.
    no_energy = {people[7].uscc} if above > 7 else set()
    tax_typo = people[min(len(people) - 1, above + 11)].uscc
    tax_not_reported = people[min(len(people) - 1, above + 23)].uscc

    for e in people:
        output = _output(e, year, first_year)
        output_prev = _output(e, year - 1, first_year)
        revenue = round(output * rng.uniform(0.9, 1.05), 1)
        revenue_prev = round(output_prev * rng.uniform(0.9, 1.05), 1)
        profit = round(revenue * rng.gauss(0.06, 0.05), 1)
        above_since = e.above_since
        if e.above and rng.random() < 0.03:  # newly above scale this year
            above_since = date(year, rng.randint(1, 11), 1)
        halted = date(year - 1, rng.randint(1, 12), 1) if rng.random() < 0.01 else None
        if halted is None and rng.random() < 0.005:
            halted = date(year, rng.randint(1, 11), 1)
        energy = round(output / e.energy_intensity, 1) if e.above and e.uscc not in no_energy else None
        rows["statistics"].append(
            {
                "uscc": e.uscc,
                "name": e.name,
                "township": e.township,
                "industry_code": e.industry_code,
                "scale": "规上" if e.above else "规下",
                "gross_output": output,
                "gross_output_prev": output_prev,
                "revenue": revenue,
                "revenue_prev": revenue_prev,
                "total_profit": profit,
                "energy_tce": energy if energy is not None else "",
                "above_scale_since": above_since.isoformat() if above_since else "",
                "halted_since": halted.isoformat() if halted else "",
            }
        )

        tax = round(output * e.tax_rate * rng.uniform(0.85, 1.15), 1)
        roll = rng.random()
        if roll < 0.01 or halted:
            tax = 0
        elif roll < 0.013:
            tax = -round(rng.uniform(1, 20), 1)  # a refund larger than the year's payments
        if e.uscc != tax_not_reported:
            reported = e.uscc if e.uscc != tax_typo else e.uscc[:17] + ("0" if e.uscc[17] != "0" else "1")
            rows["tax"].append({"uscc": reported, "tax_paid": tax, "credit_rating_d": "是" if rng.random() < 0.01 else "否"})

        for n, area in enumerate(e.parcels, start=1):
            rows["land_parcels"].append({"uscc": e.uscc, "parcel_id": f"411303-{e.index:05d}-{n}", "area_m2": area})

        if rng.random() < 0.03:
            rows["land_violations"].append(
                {"uscc": e.uscc, "case_id": f"WF-{year}-{e.index:05d}", "discovered_on": date(year, rng.randint(1, 12), 10).isoformat()}
            )

        if rng.random() < 0.3:
            rows["science_tech"].append(
                {
                    "uscc": e.uscc,
                    "rd_expense": round(revenue * rng.uniform(0.002, 0.05), 1),
                    "new_invention_patents": rng.choice([0, 0, 0, 1, 2]),
                    "hitech": "是" if rng.random() < 0.35 else "否",
                    "rd_platform": rng.choice(["无"] * 6 + ["市级", "市级", "省级", "国家级"]),
                }
            )

        if rng.random() < 0.45:
            specialized = rng.choice(["无"] * 8 + ["省级专精特新", "国家级专精特新小巨人", "国家级重点小巨人"])
            rows["industry_it"].append(
                {
                    "uscc": e.uscc,
                    "specialized": specialized,
                    # from its own stream, so that the other columns stay as they were
                    "specialized_year": (reward_rng.choice([year, year - 1, year - 2, year - 3]) if specialized != "无" else ""),
                    "smart_manufacturing": rng.choice(["无"] * 8 + ["省级", "国家级"]),
                    "single_champion": rng.choice(["无"] * 18 + ["省级", "国家级"]) if e.above else "无",
                    "green_factory": rng.choice(["无"] * 7 + ["省级", "国家级"]),
                    "equipment_investment": round(rng.lognormvariate(5.0, 1.2), 1) if rng.random() < 0.5 else "",
                    "elimination_listed": "是" if rng.random() < 0.01 else "否",
                    "energy_target_missed": "是" if rng.random() < 0.02 else "否",
                    "prev_class": rng.choice(["A", "B", "B", "B", "C", "D"]),
                }
            )

        if rng.random() < 0.06:
            rows["finance"].append(
                {
                    "uscc": e.uscc,
                    "listing": rng.choice(["无", "无", "新三板", "境内外上市"]) if e.above else "无",
                    "blacklisted": "是" if rng.random() < 0.2 else "否",
                }
            )
        if rng.random() < 0.02:
            rows["market_supervision"].append({"uscc": e.uscc, "abnormal_operation": "是"})
        if e.above and rng.random() < 0.015:
            rows["quality_awards"].append(
                {
                    "uscc": e.uscc,
                    "award": rng.choice(["河南省省长质量奖", "河南省省长质量奖", "中国质量奖提名奖", "中国质量奖"]),
                    "year": rng.choice([year - 2, year - 1, year]),
                }
            )
        if rng.random() < 0.05:
            for k in range(rng.randint(1, 3)):
                rows["standards"].append(
                    {
                        "uscc": e.uscc,
                        "standard_code": f"T/HN {e.index:05d}.{k + 1}-{year}",
                        "level": rng.choice(["国家标准", "行业标准", "省地方标准", "市地方标准", "国际标准"]),
                        "role": rng.choice(["第一起草人", "参与", "参与"]),
                        "year": rng.choice([year - 2, year - 1, year]),
                    }
                )
        if rng.random() < 0.08:
            rows["honors"].append(
                {
                    "uscc": e.uscc,
                    "title": rng.choice(["先进制造业企业", "纳税贡献奖", "工业发展突出贡献奖", "质量标杆企业"]),
                    "level": rng.choice(["市级", "市级", "省级", "国家级"]),
                    "year": rng.choice([year - 2, year - 1, year]),
                }
            )
        if rng.random() < 0.03:
            rows["safety_accidents"].append(
                {
                    "uscc": e.uscc,
                    "accident_id": f"SA-{year}-{e.index:05d}",
                    "occurred_on": date(year, rng.randint(1, 12), 5).isoformat(),
                    "level": rng.choice(["一般", "一般", "一般", "较大", "较大", "重大"]),
                }
            )
        if rng.random() < 0.03:
            kind = rng.choice(["污染处罚", "污染处罚", "减排任务未完成"])
            rows["environment"].append(
                {
                    "uscc": e.uscc,
                    "case_id": f"HB-{year}-{e.index:05d}",
                    "kind": kind,
                    "level": rng.choice(["区级", "区级", "市级", "省级"]) if kind == "污染处罚" else "",
                    "occurred_on": date(year, rng.randint(1, 12), 20).isoformat(),
                }
            )

    # Leases: some enterprises rent extra land, from a village (no USCC) or from another enterprise.
    for e in people:
        if rng.random() < 0.08:
            area = rng.uniform(2, 30)
            lessor = rng.choice(people) if rng.random() < 0.4 else None
            if lessor is e:
                lessor = None
            if lessor is not None:  # an enterprise rents out at most a third of its own land
                area = min(area, sum(lessor.parcels) / M2_PER_MU / 3)
            rows["land_leases"].append(
                {
                    "lease_id": f"ZL-{year}-{e.index:05d}",
                    "lessor_uscc": lessor.uscc if lessor else "",
                    "lessee_uscc": e.uscc,
                    "area_mu": round(area, 1),
                    "verified": "否" if rng.random() < 0.2 else "是",
                }
            )

    _reward_extracts(rows, people, year, first_year, reward_rng)

    # The government's final decision for one enterprise in later years (objection upheld).
    if year > first_year and len(people) > above + 40:
        e = people[above + 40]
        rows["overrides"].append(
            {
                "uscc": e.uscc,
                "final_class": "B",
                "reason": "企业异议经核实：租赁用地已于评价年度内退租",
                "approved_by": "区委、区政府",
                "approved_on": date(year + 1, 4, 20).isoformat(),
            }
        )

    # An optional extract with nothing to report is simply not delivered.
    return [_write(folder, name, data, year, tuple(workbooks)) for name, data in rows.items() if data or extracts()[name].required]
