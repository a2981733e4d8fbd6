"""Engagement by type and group, and its link to purchase, on hand-worked frames."""
from __future__ import annotations

import pandas as pd
import pytest

from playbook.feedback import interactions as it
from playbook.periods import parse_period

Q2, Q3 = parse_period("2026Q2"), parse_period("2026Q3")


@pytest.fixture
def inter():
    return pd.DataFrame({
        "customer_id": ["a", "a", "b", "c", "c", "a"],
        "date": pd.to_datetime(["2026-07-01", "2026-07-02", "2026-08-01", "2026-09-30",
                                "2026-09-01", "2026-05-01"]),
        "type": ["visit", "click", "visit", "visit", "like", "visit"],
        "count": [3, 1, 2, None, 1, 4],
    })


def test_engagement_by_type_weights_rows_by_count(inter):
    e = it.engagement_by_type(inter, Q3, Q2).set_index("type")
    assert e.loc["visit", "interactions"] == 6  # 3 + 2 + 1 (missing count = 1)
    assert e.loc["visit", "customers"] == 3
    assert e.loc["visit", "per_customer"] == pytest.approx(2.0)
    assert e.loc["visit", "change"] == pytest.approx(6 / 4 - 1)
    assert pd.isna(e.loc["click", "change"])
    assert e.index[0] == "visit"


def test_engagement_by_group(inter):
    cust = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "seg": ["x", "x", "y", "y"]})
    e = it.engagement_by(inter, cust, "seg", Q3).set_index("seg")
    assert e.loc["x", "per_customer"] == pytest.approx((4 + 2) / 2)
    assert e.loc["y", "engaged_share"] == pytest.approx(0.5)
    assert e.loc["y", "per_customer"] == pytest.approx(2 / 2)


def test_engagement_purchase_rates_and_lift(inter):
    purchases = pd.DataFrame({"customer_id": ["a", "a", "d", "b"],
                              "order_date": pd.to_datetime(["2026-07-03", "2026-08-03",
                                                            "2026-08-05", "2026-04-01"])})
    ids = pd.Series(["a", "b", "c", "d", "e"])
    table, s = it.engagement_purchase(inter, purchases, ids, Q3)
    t = table.set_index("level")
    assert list(t.index) == ["0", "1-2", "3-5", "6+"]
    assert t.loc["0", "customers"] == 2 and t.loc["0", "purchase_rate"] == pytest.approx(0.5)
    assert t.loc["3-5", "customers"] == 1 and t.loc["3-5", "purchases_per_customer"] == 2
    # engaged a, b, c: 1 of 3 bought; not engaged d, e: 1 of 2
    assert s["purchase_rate_engaged"] == pytest.approx(1 / 3)
    assert s["lift"] == pytest.approx((1 / 3) / 0.5)
    assert s["engaged_share"] == pytest.approx(0.6)
