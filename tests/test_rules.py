"""One test per rule of RULES.md, with the figures of the worked example (fixtures/worked/README.md)."""

from __future__ import annotations

import pytest

from conftest import U


def row(run, name: str, *columns: str):
    values = run.one(f"select {', '.join(columns)} from marts.classification where data_year = 2023 and uscc = ?", [U[name]])
    return values


def item_points(run, name: str, kind: str, item: str) -> float:
    rows = run.query(
        "select points from marts.enterprise_score_items where data_year = 2023 and uscc = ? and kind = ? and item = ?",
        [U[name], kind, item],
    )
    return rows[0][0] if rows else 0.0


# §2 population and scope -------------------------------------------------------------------


def test_scope_mining_is_out_of_scope_and_kept_in_the_output(worked):
    assert row(worked, "癸", "status", "adjustments", "final_class") == ("out_of_scope", "industry", None)


def test_scope_every_statistics_row_appears_once(worked):
    assert worked.one("select count(*), count(distinct uscc) from marts.classification where data_year = 2023") == (17, 17)


# §3 land -----------------------------------------------------------------------------------


def test_land_registered_m2_converted_to_mu(worked):
    assert row(worked, "乙", "land_mu") == pytest.approx(60.0)  # 40000 m²


def test_land_multiple_parcels_add_up_and_leased_out_subtracted(worked):
    assert row(worked, "己", "land_mu") == pytest.approx(10.0)  # 9 + 6 亩 registered, 5 亩 leased out


def test_land_verified_lease_counts_unverified_does_not(worked):
    assert row(worked, "丁", "land_mu") == pytest.approx(60.0)  # 45 + 15 verified; the 10 unverified do not count


def test_land_lease_only_enterprise_is_evaluated(worked):
    assert row(worked, "庚", "status", "land_mu") == ("evaluated", pytest.approx(5.0))


# §4 blocking data errors ----------------------------------------------------------------------


def test_blocked_energy_missing_for_above_scale(worked):
    assert row(worked, "壬", "status", "adjustments", "total_score") == ("blocked", "energy_missing", None)


def test_blocked_tax_missing_after_bad_uscc_row_is_quarantined(worked):
    assert row(worked, "子", "status", "adjustments") == ("blocked", "tax_missing")


def test_blocked_enterprises_are_not_ranked_nor_in_benchmark(worked):
    assert worked.one("select max(group_size) from marts.classification where data_year = 2023 and scale = 'above'") == 9


# §5 indicators --------------------------------------------------------------------------------


def test_indicator_tax_per_mu(worked):
    assert row(worked, "乙", "tax_per_mu") == pytest.approx(4.0)  # 240 / 60


def test_indicator_output_per_energy_above_only(worked):
    assert row(worked, "戊", "output_per_energy") == pytest.approx(2.4995)  # 4999 / 2000
    assert row(worked, "小一", "output_per_energy") is None


# §6 benchmarks --------------------------------------------------------------------------------


def test_benchmark_population_is_above_scale_with_output_at_least_5000(worked):
    values = dict(
        (i, (v, n)) for i, v, n in worked.query("select indicator, value, population from marts.benchmarks where data_year = 2023")
    )
    assert values["tax_per_mu"] == (pytest.approx(6.6), 5)  # 丁 with exactly 6000 is in, 戊 with 4999 out
    assert values["output_per_mu"] == (pytest.approx(320.0), 5)
    assert values["output_per_energy"] == (pytest.approx(2.8), 5)


# §7 scores -----------------------------------------------------------------------------------


def test_score_is_capped_at_1_2_times_points(worked):
    assert row(worked, "甲", "tax_score", "output_score") == (pytest.approx(48.0), pytest.approx(48.0))


def test_score_energy_uses_output_per_energy(worked):
    assert row(worked, "甲", "energy_score") == pytest.approx(20 * 3 / 2.8)


def test_score_below_scale_uses_50_50(worked):
    assert row(worked, "小二", "tax_score", "output_score") == (pytest.approx(50 * 3 / 6.6), pytest.approx(50 * 150 / 320))


def test_bonus_total_capped_at_10(worked):
    assert row(worked, "甲", "bonus_score") == pytest.approx(10.0)  # 8 growth + 2 listed + 1 hitech = 11


def test_bonus_rd_ratio_threshold_is_inclusive(worked):
    assert item_points(worked, "乙", "bonus", "rd_input") == pytest.approx(1.0)  # exactly 2.0 %


def test_bonus_standards_cumulative_within_two_years(worked):
    assert item_points(worked, "乙", "bonus", "standard") == pytest.approx(1.5)  # 2021 one is outside


def test_bonus_honor_only_within_two_years(worked):
    assert item_points(worked, "乙", "bonus", "honor") == pytest.approx(0.5)  # the 2021 provincial one is outside


def test_bonus_specialized_key_little_giant_above(worked):
    assert item_points(worked, "乙", "bonus", "specialized") == pytest.approx(2.0)


def test_bonus_specialized_any_level_below_is_one_point(worked):
    assert item_points(worked, "小一", "bonus", "specialized") == pytest.approx(1.0)


def test_bonus_growth_each_condition_two_points(worked):
    growth = [
        item_points(worked, "甲", "bonus", i)
        for i in ("growth_output_total", "growth_output_rate", "growth_tax_total", "growth_revenue_rate", "growth_profit_margin")
    ]
    assert growth == [2.0, 2.0, 2.0, 0.0, 2.0]  # revenue growth 7.7 % is not > 10 %


def test_bonus_single_champion_and_green_factory(worked):
    assert item_points(worked, "丑", "bonus", "single_champion") == pytest.approx(2.0)
    assert item_points(worked, "丑", "bonus", "green_factory") == pytest.approx(2.0)


def test_penalty_total_capped_at_5(worked):
    assert row(worked, "乙", "penalty_score") == pytest.approx(5.0)  # 2 + 2 + 1 + 1 = 6


def test_penalty_pollution_cases_summed(worked):
    assert item_points(worked, "乙", "penalty", "pollution_penalty") == pytest.approx(2.0)  # two district cases


def test_penalty_major_accident(worked):
    assert row(worked, "丙", "penalty_score") == pytest.approx(2.0)


def test_total_score_rounded_to_4_decimals(worked):
    assert row(worked, "乙", "total_score") == pytest.approx(63.9567, abs=1e-9)


# §8 ranking and classes -----------------------------------------------------------------------


def test_rank_within_scale_group(worked):
    assert row(worked, "丑", "rank", "group_size") == (2, 9)
    assert row(worked, "小一", "rank", "group_size") == (1, 5)


def test_percentile_class_integer_cutoffs(worked):
    assert row(worked, "丑", "percentile_class") == "A"  # 2×100 ≤ 25×9
    assert row(worked, "乙", "percentile_class") == "B"  # 5×100 ≤ 75×9
    assert row(worked, "丁", "percentile_class") == "C"  # 8×100 ≤ 90×9
    assert row(worked, "辛", "percentile_class") == "D"


# §9 adjustments -------------------------------------------------------------------------------


def test_adjust_not_a_low_tax(worked):
    assert row(worked, "丑", "percentile_class", "final_class", "adjustments") == ("A", "B", "not_a_low_tax")


def test_adjust_not_a_conduct_major_accident(worked):
    assert row(worked, "丙", "final_class", "adjustments") == ("B", "not_a_conduct")


def test_adjust_not_a_conduct_abnormal_operation(worked):
    assert row(worked, "小四", "adjustments") == "not_a_low_tax;not_a_conduct"


def test_adjust_protect_cd_equipment_investment(worked):
    assert row(worked, "丁", "percentile_class", "final_class") == ("C", "B")  # 1500 > 1000
    assert row(worked, "小二", "percentile_class", "final_class") == ("C", "B")  # 600 > 500


def test_adjust_protect_cd_previous_class_a(worked):
    assert row(worked, "戊", "percentile_class", "final_class", "prev_class") == ("C", "B", "A")


def test_adjust_protect_cd_new_above_scale_listed_without_effect(worked):
    assert row(worked, "庚", "percentile_class", "final_class", "adjustments") == ("B", "B", "protect_cd")


def test_adjust_force_d_zero_tax(worked):
    assert row(worked, "己", "percentile_class", "final_class", "adjustments") == ("B", "D", "not_a_low_tax;force_d")


def test_adjust_force_d_halted_a_year_before_cutoff(worked):
    assert row(worked, "辛", "final_class", "adjustments") == ("D", "not_a_low_tax;force_d")


def test_adjust_force_d_elimination_listed(worked):
    assert row(worked, "小五", "percentile_class", "final_class", "adjustments") == ("B", "D", "force_d")
