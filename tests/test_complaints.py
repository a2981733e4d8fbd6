"""Complaint rates, service standards, repeat complainers and churn, on hand-worked frames."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from playbook.feedback import complaints as cm
from playbook.periods import parse_period

Q2, Q3 = parse_period("2026Q2"), parse_period("2026Q3")


def _purchases(rows):
    return pd.DataFrame(rows, columns=["customer_id", "order_date"]).assign(
        order_date=lambda d: pd.to_datetime(d["order_date"], format="ISO8601"))


def _tickets(rows):
    cols = ["customer_id", "opened_at", "category", "first_response_at", "closed_at", "resolved"]
    df = pd.DataFrame(rows, columns=cols)
    for c in ("opened_at", "first_response_at", "closed_at"):
        df[c] = pd.to_datetime(df[c], format="ISO8601")
    return df


def test_active_customers_counts_distinct_buyers_per_period():
    p = _purchases([("a", "2026-04-02"), ("a", "2026-05-02"), ("b", "2026-06-30 23:00"),
                    ("a", "2026-07-01"), ("c", "2026-09-30 10:00"), ("d", "2026-10-01")])
    act = cm.active_customers(p, [Q2, Q3])
    assert act.to_dict() == {"2026Q2": 2, "2026Q3": 2}


def test_rates_per_1000_with_every_period_and_group():
    t = _tickets([("a", "2026-04-05", "售后", None, None, None),
                  ("b", "2026-07-05", "售后", None, None, None),
                  ("c", "2026-07-06", "售后", None, None, None),
                  ("c", "2026-08-06", "物流", None, None, None),
                  ("x", "2026-01-01", "物流", None, None, None)])  # outside: not counted
    active = pd.Series({"2026Q2": 500, "2026Q3": 400})
    r = cm.complaint_rates(t, active, [Q2, Q3], by="category")
    got = r.set_index(["period", "category"])
    assert got.loc[("2026Q2", "售后"), "per_1000"] == pytest.approx(2.0)
    assert got.loc[("2026Q3", "售后"), "per_1000"] == pytest.approx(5.0)
    assert got.loc[("2026Q2", "物流"), "complaints"] == 0  # present with 0
    assert len(r) == 4
    total = cm.complaint_rates(t, active, [Q2, Q3])
    assert total["complaints"].tolist() == [1, 3]


def test_rate_change_uses_the_conditional_binomial_test():
    rates = pd.DataFrame({"period": ["2026Q2", "2026Q3"], "complaints": [10, 30],
                          "active": [1000, 1000], "per_1000": [10.0, 30.0]})
    ch = cm.rate_change(rates, "2026Q3", "2026Q2")
    row = ch.iloc[0]
    assert row["ratio"] == pytest.approx(3.0)
    assert row["p_value"] == pytest.approx(stats.binomtest(30, 40, 0.5).pvalue)
    assert row["p_value"] < 0.01
    # equal rates with unequal bases: p near 1
    rates2 = pd.DataFrame({"period": ["2026Q2", "2026Q3"], "complaints": [10, 20],
                           "active": [1000, 2000], "per_1000": [10.0, 10.0]})
    assert cm.rate_change(rates2, "2026Q3", "2026Q2").iloc[0]["p_value"] > 0.9


def test_ticket_times_against_the_standards():
    as_of = pd.Timestamp("2026-09-30")
    t = _tickets([
        ("a", "2026-09-01 00:00", "x", "2026-09-01 10:00", "2026-09-03 00:00", True),   # 10h, 48h
        ("b", "2026-09-01 00:00", "x", "2026-09-02 06:00", "2026-09-05 00:00", True),   # 30h, 96h
        ("c", "2026-09-01 00:00", "x", "2026-09-01 01:00", "2026-09-02 00:00", False),  # unresolved
        ("d", "2026-09-01 00:00", "x", None, None, False),                   # no answer, old: late
        ("e", "2026-09-30 20:00", "x", None, None, False),                   # pending (4h old)
    ])
    tt = cm.ticket_times(t, as_of, 24, 72)
    assert tt["response_hours"].tolist()[:3] == [10, 30, 1]
    assert tt["responded_in_time"].tolist()[:4] == [True, False, True, False]
    assert pd.isna(tt["responded_in_time"].iloc[4])
    assert tt["resolved_in_time"].tolist()[:4] == [True, False, False, False]
    assert pd.isna(tt["resolved_in_time"].iloc[4])
    sl = cm.service_levels(tt).iloc[0]
    assert sl["tickets"] == 5
    assert sl["responded_in_time"] == pytest.approx(2 / 4)
    assert sl["resolved_in_time"] == pytest.approx(1 / 4)
    assert sl["open_share"] == pytest.approx(2 / 5)
    assert sl["median_response_hours"] == pytest.approx(10)
    assert t.shape[1] == 6  # input not mutated


def test_repeat_complainers_in_the_last_12_months():
    t = _tickets([("a", "2026-09-01", "x", None, None, None), ("a", "2026-03-01", "x", None, None, None),
                  ("b", "2026-09-02", "x", None, None, None), ("b", "2025-06-01", "x", None, None, None),
                  ("c", "2026-08-01", "x", None, None, None), ("c", "2026-08-02", "x", None, None, None),
                  ("c", "2026-08-03", "x", None, None, None)])
    r = cm.repeat_complainers(t, pd.Timestamp("2026-09-30"), min_tickets=2)
    assert r["complainers"] == 3 and r["repeat_complainers"] == 2
    assert r["repeat_share"] == pytest.approx(2 / 3)
    assert r["repeat_ticket_share"] == pytest.approx(5 / 6)
    assert r["max_tickets"] == 3


def test_complaint_churn_compares_complainers_with_the_rest():
    cust = pd.DataFrame({
        "customer_id": list("abcdefgh") + ["p", "z"],
        "lifecycle_before": ["repeat"] * 8 + ["potential", "churned"],
        "lifecycle_stage": ["churned", "churned", "repeat", "at_risk",
                            "churned", "repeat", "repeat", "repeat", "new", "churned"],
        "churn_probability": [0.9, 0.8, 0.2, 0.5, 0.7, 0.1, 0.1, 0.1, 0.3, 0.9],
    })
    t = _tickets([("a", "2026-05-01", "x", None, None, None), ("b", "2025-08-01", "x", None, None, None),
                  ("c", "2026-06-30", "x", None, None, None), ("d", "2026-04-01", "x", None, None, None),
                  ("e", "2024-01-01", "x", None, None, None),  # too old
                  ("f", "2026-07-02", "x", None, None, None),  # after the comparison period
                  ("z", "2026-05-01", "x", None, None, None)])  # not in the base
    out = cm.complaint_churn(t, cust, Q2).set_index("group")
    assert out.loc["complainers", "customers"] == 4 and out.loc["complainers", "churned"] == 2
    assert out.loc["others", "customers"] == 4 and out.loc["others", "churned"] == 1
    assert out.loc["complainers", "churn_rate"] == pytest.approx(0.5)
    assert out.loc["complainers", "at_risk_or_churned_rate"] == pytest.approx(0.75)
    assert out.loc["complainers", "ratio"] == pytest.approx(2.0)
    assert out.loc["complainers", "churn_probability"] == pytest.approx(0.6)
    pooled = 3 / 8
    z = (0.5 - 0.25) / np.sqrt(pooled * (1 - pooled) * 0.5)
    assert out.loc["complainers", "p_value"] == pytest.approx(2 * stats.norm.sf(z))
    assert cm.complaint_churn(t, cust.drop(columns="lifecycle_before"), Q2).empty


def test_two_proportion_p_edge_cases():
    assert cm.two_proportion_p(0, 10, 0, 10) == 1.0
    assert np.isnan(cm.two_proportion_p(1, 0, 1, 10))
