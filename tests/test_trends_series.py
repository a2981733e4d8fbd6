"""Metrics over periods and months (playbook.trends.series), worked out by hand."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from playbook.periods import parse_period
from playbook.purchases import purchases
from playbook.trends.series import (
    decompose,
    group_frequency,
    monthly_table,
    period_table,
    seasonal_profile,
)

# customer, date, amount (is_return last); one line per order
_ROWS = [
    ("A", "2025-01-10", 100.0, False), ("A", "2025-04-05", 50.0, False),
    ("A", "2026-02-01", 200.0, False), ("A", "2026-03-01", 100.0, False),
    ("A", "2026-03-05", -50.0, True),
    ("B", "2025-02-01", 100.0, False), ("B", "2025-03-01", 100.0, False),
    ("B", "2025-11-01", 300.0, False), ("B", "2026-01-05", 100.0, False),
    ("C", "2025-05-01", 60.0, False), ("C", "2025-12-01", 40.0, False),
    ("D", "2026-03-15", 50.0, False),
]


@pytest.fixture
def orders() -> pd.DataFrame:
    return pd.DataFrame({
        "order_id": [f"O{i}" for i in range(len(_ROWS))],
        "customer_id": [r[0] for r in _ROWS],
        "order_date": pd.to_datetime([r[1] for r in _ROWS]),
        "amount": [r[2] for r in _ROWS],
        "is_return": [r[3] for r in _ROWS],
    })


@pytest.fixture
def quarters():
    return parse_period("2026Q1").history(4)  # 2025Q1 … 2026Q1


def test_period_table_counts_by_hand(orders, quarters):
    tab = period_table(purchases(orders), quarters).set_index("period")
    assert list(tab.index) == ["2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1"]
    assert tab["orders"].tolist() == [3, 2, 0, 2, 4]
    assert tab["active"].tolist() == [2, 2, 0, 2, 3]
    assert tab["revenue"].tolist() == [300.0, 110.0, 0.0, 340.0, 450.0]
    assert tab["new"].tolist() == [2, 1, 0, 0, 1]
    assert tab["returning"].tolist() == [0, 1, 0, 2, 2]
    # 2025Q1 and 2025Q4 follow a quarter without purchases: nothing to compare with
    np.testing.assert_array_equal(tab["churned"], [np.nan, 1, 2, np.nan, 1])
    np.testing.assert_array_equal(tab["retention_rate"], [np.nan, 0.5, 0.0, np.nan, 0.5])
    np.testing.assert_allclose(tab["aov"], [100, 55, np.nan, 170, 112.5])
    np.testing.assert_allclose(tab["frequency"], [1.5, 1.0, np.nan, 1.0, 4 / 3])
    np.testing.assert_allclose(tab["repeat_rate"], [0.5, 0.0, np.nan, 0.0, 1 / 3])


def test_period_table_changes(orders, quarters):
    tab = period_table(purchases(orders), quarters).set_index("period")
    q2 = tab.loc["2025Q2"]
    assert q2["revenue_qoq"] == pytest.approx(110 / 300 - 1)
    assert q2["orders_qoq"] == pytest.approx(2 / 3 - 1)
    assert q2["active_qoq"] == pytest.approx(0.0)
    assert q2["aov_qoq"] == pytest.approx(55 / 100 - 1)
    assert tab.loc["2025Q3", "revenue_qoq"] == pytest.approx(-1.0)
    assert np.isnan(tab.loc["2025Q4", "revenue_qoq"])  # previous quarter had no purchase
    last = tab.loc["2026Q1"]
    assert last["revenue_qoq"] == pytest.approx(450 / 340 - 1)
    assert last["revenue_yoy"] == pytest.approx(0.5)
    assert last["orders_yoy"] == pytest.approx(4 / 3 - 1)
    assert last["active_yoy"] == pytest.approx(0.5)
    assert last["aov_yoy"] == pytest.approx(0.125)
    assert tab.loc[["2025Q1", "2025Q2", "2025Q3", "2025Q4"], "revenue_yoy"].isna().all()


def test_period_table_net_revenue_from_orders(orders, quarters):
    before = orders.copy()
    tab = period_table(purchases(orders), quarters, orders=orders).set_index("period")
    assert tab.loc["2026Q1", "revenue"] == 400.0  # 450 of sales, 50 refunded
    assert tab.loc["2026Q1", "aov"] == 100.0
    assert tab.loc["2026Q1", "revenue_yoy"] == pytest.approx(400 / 300 - 1)
    assert tab.loc["2026Q1", "orders"] == 4  # the refund is not an order
    pd.testing.assert_frame_equal(orders, before)


def test_monthly_table(orders):
    m = monthly_table(purchases(orders), pd.Timestamp("2025-09-10"), pd.Timestamp("2026-03-31"))
    assert m["month"].tolist() == ["2025-09", "2025-10", "2025-11", "2025-12", "2026-01",
                                   "2026-02", "2026-03"]
    assert m["revenue"].tolist() == [0, 0, 300, 40, 100, 200, 150]
    assert m["orders"].tolist() == [0, 0, 1, 1, 1, 1, 2]
    assert m["active"].tolist() == [0, 0, 1, 1, 1, 1, 2]
    net = monthly_table(purchases(orders), pd.Timestamp("2025-09-10"),
                        pd.Timestamp("2026-03-31"), orders=orders)
    assert net["revenue"].tolist() == [0, 0, 300, 40, 100, 200, 100]


def _sine(n_months: int, trend: float = 0.0) -> pd.DataFrame:
    months = pd.period_range("2023-01", periods=n_months, freq="M")
    season = 1 + 0.2 * np.sin(2 * np.pi * (months.month - 1) / 12)
    return pd.DataFrame({"month": [str(m) for m in months],
                         "revenue": (100 + trend * np.arange(n_months)) * season})


def test_seasonal_profile_recovers_a_sine():
    expected = 1 + 0.2 * np.sin(2 * np.pi * np.arange(12) / 12)
    prof = seasonal_profile(_sine(36))
    assert prof["month"].tolist() == list(range(1, 13))
    np.testing.assert_allclose(prof["index"], expected, atol=1e-9)
    assert prof["months"].tolist() == [2] * 12  # 6 months lost at each end of the average
    short = seasonal_profile(_sine(12))  # < 24 months: revenue / mean revenue
    np.testing.assert_allclose(short["index"], expected, atol=1e-9)
    assert short["months"].tolist() == [1] * 12
    trended = seasonal_profile(_sine(48, trend=1.0))
    np.testing.assert_allclose(trended["index"], expected, atol=0.01)
    assert trended["index"].iloc[3] > 1.15  # April is the peak of the sine


def test_decompose():
    assert decompose(_sine(23)) is None
    dec = decompose(_sine(36))
    assert dec.attrs["model"] == "multiplicative"
    assert list(dec.columns) == ["month", "observed", "trend", "seasonal", "resid"]
    np.testing.assert_allclose(dec["seasonal"].iloc[:12],
                               1 + 0.2 * np.sin(2 * np.pi * np.arange(12) / 12), atol=1e-9)
    neg = _sine(36).assign(revenue=lambda d: d["revenue"] - 110)
    assert decompose(neg).attrs["model"] == "additive"


def test_group_frequency_counts_established_customers(orders):
    groups = pd.Series({"A": "x", "B": "x", "C": "y", "D": "y", "E": "x", "F": None})
    periods = [parse_period("2025Q4"), parse_period("2026Q1")]
    f = group_frequency(purchases(orders), groups, periods)
    assert list(f.columns) == ["period", "group", "customers", "purchases", "per_customer"]
    got = {(r.period, r.group): (r.customers, r.purchases, r.per_customer)
           for r in f.itertuples()}
    assert got == {("2025Q4", "x"): (2, 1, 0.5), ("2025Q4", "y"): (1, 1, 1.0),
                   ("2026Q1", "x"): (2, 3, 1.5), ("2026Q1", "y"): (1, 0, 0.0)}
