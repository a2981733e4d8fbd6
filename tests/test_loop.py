"""Closing the loop: scorecard, action effects against a control group, loop flags (by hand)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from playbook.periods import parse_period
from playbook.strategy.loop import (
    EFFECT_COLUMNS,
    action_effects,
    loop_flags,
    scorecard,
    two_proportion_p,
)

PLAN = {
    "unit": "华南", "period": "2026Q2", "next_period": "2026Q3",
    "kpis": [
        {"id": "revenue", "name": "Revenue", "unit": "money", "baseline": 100.0,
         "target": 110.0, "direction": "up"},
        {"id": "active_customers", "name": "Active", "unit": "count", "baseline": 1000.0,
         "target": 1020.0, "direction": "up"},
        {"id": "complaints_per_1000", "name": "Complaints", "unit": "per_1000",
         "baseline": 5.0, "target": 4.5, "direction": "down"},
        {"id": "nps", "name": "NPS", "unit": "score", "baseline": 10.0, "target": 12.0,
         "direction": "up"},
    ],
    "actions": [{"id": "reactivate"}, {"id": "vip"}, {"id": "lost_list"}],
}


def test_scorecard_by_hand():
    sc = scorecard(PLAN, {"revenue": 105.0, "active_customers": 990, "complaints_per_1000": 4.0})
    sc = sc.set_index("id")
    r = sc.loc["revenue"]  # up, 105 < 110: missed, half of the planned +10 achieved
    assert (r.met, r.gap, r.progress, r.wrong_way) == (False, -5.0, 0.5, False)
    a = sc.loc["active_customers"]  # fell below the baseline: missed the wrong way
    assert (a.met, a.gap, a.progress, a.wrong_way) == (False, -30.0, -0.5, True)
    c = sc.loc["complaints_per_1000"]  # down: 4.0 <= 4.5 met; (4 - 5) / (4.5 - 5) = 2
    assert (c.met, c.gap, c.progress, c.wrong_way) == (True, -0.5, 2.0, False)
    n = sc.loc["nps"]  # no actual this period
    assert pd.isna(n.met) and math.isnan(n.actual) and math.isnan(n.gap)
    assert str(sc["met"].dtype) == "boolean"


def test_scorecard_down_kpi_missed():
    sc = scorecard(PLAN, {"complaints_per_1000": 4.8}).set_index("id")
    c = sc.loc["complaints_per_1000"]  # better than 5 but not down to 4.5
    assert (c.met, c.wrong_way) == (False, False)
    assert c.gap == pytest.approx(0.3) and c.progress == pytest.approx(0.4)
    c = scorecard(PLAN, {"complaints_per_1000": 5.5}).set_index("id").loc["complaints_per_1000"]
    assert (c.met, c.wrong_way) == (False, True) and c.progress == pytest.approx(-1.0)


def _before() -> pd.DataFrame:
    t = [f"T{i}" for i in range(1, 11)]
    k = [f"K{i}" for i in range(1, 11)]
    x = [f"X{i}" for i in range(1, 6)]
    return pd.DataFrame({"customer_id": t + k + x,
                         "segment": ["at_risk"] * 20 + ["champions"] * 5,
                         "lifecycle_stage": ["at_risk"] * 20 + ["loyal"] * 5})


def _purchases() -> pd.DataFrame:
    rows = [("T1", "2026-07-05", 100.0), ("T1", "2026-08-05", 50.0)]
    rows += [(f"T{i}", "2026-07-10", 100.0) for i in range(2, 7)]
    rows += [(f"K{i}", "2026-09-30", 200.0) for i in range(1, 4)]
    rows += [(f"X{i}", "2026-08-01", 999.0) for i in range(1, 6)]  # other stratum
    rows += [("T7", "2026-06-30", 80.0),   # before the period
             ("T8", "2026-07-15", -30.0),  # a refund is no purchase
             ("K4", "2026-10-01", 70.0)]   # after the period
    return pd.DataFrame(rows, columns=["customer_id", "order_date", "amount"]).assign(
        order_date=lambda d: pd.to_datetime(d["order_date"]))


def test_two_proportion_p_against_the_formula():
    # 6/10 vs 3/10: pooled p = 0.45, se = sqrt(0.45 * 0.55 * (1/10 + 1/10)), z = 0.3 / se
    z = 0.3 / math.sqrt(0.45 * 0.55 * 0.2)
    assert z == pytest.approx(1.3484, abs=1e-4)
    assert two_proportion_p(6, 10, 3, 10) == pytest.approx(math.erfc(z / math.sqrt(2)))
    assert two_proportion_p(6, 10, 3, 10) == pytest.approx(0.1775, abs=1e-4)
    assert two_proportion_p(3, 10, 6, 10) == two_proportion_p(6, 10, 3, 10)  # two-sided
    # a large gap: 60/100 vs 30/100, z = 0.3 / sqrt(0.45 * 0.55 * 0.02) = 4.264
    assert two_proportion_p(60, 100, 30, 100) == pytest.approx(2.0e-5, rel=0.02)
    assert two_proportion_p(0, 10, 0, 5) == 1.0 and math.isnan(two_proportion_p(1, 0, 1, 2))


def test_action_effects_by_hand():
    targeted = {"reactivate": pd.Series([f"T{i}" for i in range(1, 11)]),
                "vip": pd.Series([f"X{i}" for i in range(1, 6)])}
    eff = action_effects(PLAN, targeted, _before(), _purchases(), parse_period("2026Q3"))
    assert list(eff.columns) == list(EFFECT_COLUMNS)
    r = eff.set_index("action_id").loc["reactivate"]
    # targeted: T1-T6 bought (7 purchases, 650) of 10; control K1-K10 (same stratum): 3 of 10
    assert (r.targeted, r.control) == (10, 10)
    assert (r.bought_targeted, r.bought_control) == (pytest.approx(0.6), pytest.approx(0.3))
    assert r.difference == pytest.approx(0.3) and r.lift == pytest.approx(1.0)
    z = 0.3 / math.sqrt(0.45 * 0.55 * 0.2)
    assert r.p_value == pytest.approx(math.erfc(z / math.sqrt(2)))
    assert r.purchases_per_customer_targeted == pytest.approx(0.7)
    assert r.purchases_per_customer_control == pytest.approx(0.3)
    assert r.revenue_per_customer_targeted == pytest.approx(65.0)
    assert r.revenue_per_customer_control == pytest.approx(60.0)
    assert r.note == ""
    v = eff.set_index("action_id").loc["vip"]  # the whole champions/loyal stratum: no control
    assert (v.targeted, v.control, v.bought_targeted) == (5, 0, 1.0)
    assert math.isnan(v.difference) and math.isnan(v.p_value) and "no control" in v.note
    m = eff.set_index("action_id").loc["lost_list"]
    assert (m.targeted, m.control) == (0, 0) and "no list" in m.note


def test_loop_flags():
    sc = scorecard(PLAN, {"revenue": 105.0, "active_customers": 990, "complaints_per_1000": 4.0})
    eff = pd.DataFrame([
        {"action_id": "a_better_ns", "targeted": 10, "control": 10, "bought_targeted": 0.6,
         "bought_control": 0.3, "difference": 0.3, "p_value": 0.18},
        {"action_id": "a_worse", "targeted": 100, "control": 100, "bought_targeted": 0.2,
         "bought_control": 0.25, "difference": -0.05, "p_value": 0.4},
        {"action_id": "a_works", "targeted": 500, "control": 500, "bought_targeted": 0.4,
         "bought_control": 0.3, "difference": 0.1, "p_value": 0.001},
        {"action_id": "a_no_control", "targeted": 5, "control": 0, "bought_targeted": 1.0,
         "bought_control": np.nan, "difference": np.nan, "p_value": np.nan},
    ])
    flags = {f["id"]: f for f in loop_flags(sc, eff, language="en")}
    assert set(flags) == {"kpi_missed_revenue", "kpi_missed_active_customers",
                          "action_no_effect_a_better_ns", "action_no_effect_a_worse"}
    assert flags["kpi_missed_revenue"]["severity"] == "warning"
    assert flags["kpi_missed_active_customers"]["severity"] == "critical"
    assert "worse than the baseline" in flags["kpi_missed_active_customers"]["message"]
    assert flags["kpi_missed_revenue"]["evidence"]["progress"] == 0.5
    assert flags["action_no_effect_a_better_ns"]["severity"] == "info"
    assert flags["action_no_effect_a_worse"]["severity"] == "warning"
    assert "25.0%" in flags["action_no_effect_a_worse"]["message"]
    zh = loop_flags(sc, eff.iloc[:0], language="zh")
    assert [f["id"] for f in zh] == ["kpi_missed_revenue", "kpi_missed_active_customers"]
    assert "未达目标" in zh[0]["message"] and "比基线更差" in zh[1]["message"]
