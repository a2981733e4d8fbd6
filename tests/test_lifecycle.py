"""Lifecycle stages, churn window and stage migration on hand-made purchases."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from playbook.errors import ParameterError
from playbook.plots.lifecycle import plot_migration, plot_stage_counts
from playbook.segment.lifecycle import (
    STAGES,
    churn_window,
    flow_table,
    inter_purchase_days,
    lifecycle_stages,
    migration_matrix,
    stage_counts,
    stage_label,
)


def purchases(rows: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": [c for c, _ in rows],
        "order_date": pd.to_datetime([d for _, d in rows], format="ISO8601"),
        "amount": 10.0,
    })


# --- churn window -------------------------------------------------------------------------------

# customer a buys on days 0, 10, 30, 60, 100, 153 after 2024-01-01 -> gaps 10, 20, 30, 40, 53;
# a second order on day 10 (same day) adds no gap; b buys once (no gap); a's purchase after
# as_of (2024-12-31) would add a gap of 300 days and must be ignored.
GAP_ROWS = [("a", "2024-01-01"), ("a", "2024-01-11"), ("a", "2024-01-11 15:30"),
            ("a", "2024-01-31"), ("a", "2024-03-01"), ("a", "2024-04-10"),
            ("a", "2024-06-02"), ("b", "2024-05-05"), ("a", "2025-03-30")]
AS_OF = "2024-12-31"


def test_inter_purchase_days_dedupes_days_and_stops_at_as_of():
    gaps = inter_purchase_days(purchases(GAP_ROWS), as_of=AS_OF)
    assert gaps.tolist() == [10, 20, 30, 40, 53]
    assert list(gaps.index) == ["a"] * 5
    # without as_of the 2025 purchase adds 2024-06-02 -> 2025-03-30 = 301 days
    assert inter_purchase_days(purchases(GAP_ROWS)).tolist() == [10, 20, 30, 40, 53, 301]


def test_churn_window_quantile_of_gaps():
    p = purchases(GAP_ROWS)
    # one customer: gaps [10, 20, 30, 40, 53] weigh 1/5 each; cumulative shares .2 .4 .6 .8 1
    # 0.9 -> the first gap reaching 0.9 is 53; 0.5 -> 30; 0.8 -> exactly 40 (float noise ignored)
    assert churn_window(p, AS_OF, min_gaps=5, min_days=1) == 53
    assert churn_window(p, AS_OF, quantile=0.5, min_gaps=5, min_days=1) == 30
    assert churn_window(p, AS_OF, quantile=0.8, min_gaps=5, min_days=1) == 40


def test_churn_window_weighs_customers_not_gaps():
    # a buys every 10 days (9 gaps of 10), b once after 100 days (1 gap); unweighted, 90 % of
    # the gaps are 10 days; weighted by customer, a's gaps make half the weight and b the rest
    rows = [("a", str(pd.Timestamp("2024-01-01") + pd.Timedelta(days=10 * i))[:10])
            for i in range(10)] + [("b", "2024-01-01"), ("b", "2024-04-10")]
    assert churn_window(purchases(rows), AS_OF, min_gaps=5, min_days=1) == 100
    assert churn_window(purchases(rows), AS_OF, quantile=0.5, min_gaps=5, min_days=1) == 10


def test_churn_window_clipping_and_default():
    p = purchases(GAP_ROWS)
    assert churn_window(p, AS_OF, min_gaps=5, min_days=60) == 60       # 53 raised to 60
    assert churn_window(p, AS_OF, min_gaps=5, min_days=10, max_days=45) == 45  # 53 cut to 45
    assert churn_window(p, AS_OF, min_gaps=6) == 365                    # 5 gaps < 6
    assert churn_window(p, AS_OF) == 365                                # default min_gaps 30
    assert churn_window(p, AS_OF, min_gaps=6, default_days=200) == 200
    # with the default bounds [30, 730] the 53 stands
    assert churn_window(p, AS_OF, min_gaps=5) == 53


def test_churn_window_bad_parameters():
    p = purchases(GAP_ROWS)
    with pytest.raises(ParameterError, match="'quantile' parameter"):
        churn_window(p, quantile=1.5)
    with pytest.raises(ParameterError, match="'min_days' parameter"):
        churn_window(p, min_days=100, max_days=50)


# --- stages -------------------------------------------------------------------------------------

# as_of 2024-06-30, period June 2024 (period_start 2024-06-01), churn window W = 100 (W/2 = 50).
STAGE_ROWS = [
    ("churn", "2023-12-01"), ("churn", "2024-03-21"),       # 101 days since -> churned
    ("edge_w", "2023-10-01"), ("edge_w", "2024-03-22"),     # exactly 100: not churned; > 50
    ("new", "2024-06-10"),                                  # first purchase in the period
    ("new_late", "2024-06-15"), ("new_late", "2024-07-15"),  # the July purchase is ignored
    ("future", "2024-07-02"),                               # only after as_of: not there
    ("half", "2024-01-10"), ("half", "2024-05-11"),         # exactly 50: not at risk -> repeat
    ("half1", "2024-02-01"), ("half1", "2024-05-10"),       # 51 > 50 -> at risk
    ("once", "2024-05-20"),                                 # one purchase, before June: at risk
    ("sameday", "2024-05-20 09:00"), ("sameday", "2024-05-20 17:00"),  # one day: at risk
    # loyal: 2023-07-01 is 365 days back (outside), the other four are inside -> 4 >= 4
    ("loyal", "2023-07-01"), ("loyal", "2023-07-02"), ("loyal", "2023-12-01"),
    ("loyal", "2024-03-01"), ("loyal", "2024-06-20"),
    # same but without 2023-07-02: 3 purchases in 365 days -> repeat
    ("rep3", "2023-07-01"), ("rep3", "2023-12-01"), ("rep3", "2024-03-01"),
    ("rep3", "2024-06-20"),
]
CUSTOMERS = pd.DataFrame({
    "customer_id": ["pot", "nosign", "late", "loyal"],
    "signup_date": pd.to_datetime(["2024-01-01", None, "2024-08-01", "2023-01-01"]),
})
EXPECTED = {
    "churn": "churned", "edge_w": "at_risk", "half": "repeat", "half1": "at_risk",
    "loyal": "loyal", "new": "new", "new_late": "new", "nosign": "potential",
    "once": "at_risk", "pot": "potential", "rep3": "repeat", "sameday": "at_risk",
}


@pytest.fixture
def stages() -> pd.DataFrame:
    return lifecycle_stages(purchases(STAGE_ROWS), "2024-06-30", "2024-06-01", 100,
                            customers=CUSTOMERS)


def test_one_customer_per_rule(stages):
    assert list(stages.columns) == ["customer_id", "stage", "first_purchase", "last_purchase",
                                    "n_purchases", "purchases_365d", "days_since_last"]
    assert list(stages["customer_id"]) == sorted(EXPECTED)   # no "future", no "late"
    assert dict(zip(stages["customer_id"], stages["stage"].astype(str), strict=True)) == EXPECTED
    assert list(stages["stage"].cat.categories) == list(STAGES)


def test_stage_columns_by_hand(stages):
    s = stages.set_index("customer_id")
    assert s.loc["churn", "days_since_last"] == 101
    assert s.loc["edge_w", "days_since_last"] == 100
    assert s.loc["half", "days_since_last"] == 50
    assert s.loc["new_late", "n_purchases"] == 1
    assert s.loc["new_late", "last_purchase"] == pd.Timestamp("2024-06-15")
    assert s.loc["sameday", "n_purchases"] == 2     # two orders, one day
    assert s.loc["loyal", "n_purchases"] == 5
    assert s.loc["loyal", "purchases_365d"] == 4
    assert s.loc["rep3", "purchases_365d"] == 3
    assert s.loc["loyal", "first_purchase"] == pd.Timestamp("2023-07-01")
    assert s.loc["pot", "n_purchases"] == 0
    assert pd.isna(s.loc["pot", "days_since_last"])
    assert pd.isna(s.loc["pot", "first_purchase"])
    assert str(s["days_since_last"].dtype) == "Int64"


def test_input_not_modified_and_no_customers_table():
    p = purchases(STAGE_ROWS)
    copy = p.copy()
    out = lifecycle_stages(p, "2024-06-30", "2024-06-01", 100)
    pd.testing.assert_frame_equal(p, copy)
    assert "pot" not in set(out["customer_id"])
    assert len(out) == len(EXPECTED) - 2      # without pot and nosign


def test_stage_bad_parameters():
    p = purchases(STAGE_ROWS)
    with pytest.raises(ParameterError, match="'period_start' parameter"):
        lifecycle_stages(p, "2024-06-30", "2024-07-01", 100)
    with pytest.raises(ParameterError, match="'churn_window_days' parameter"):
        lifecycle_stages(p, "2024-06-30", "2024-06-01", 0)


def test_stage_labels():
    assert [stage_label(s, "en") for s in STAGES] == ["Potential", "New", "Repeat", "Loyal",
                                                      "At risk", "Churned"]
    assert [stage_label(s, "zh") for s in STAGES] == ["潜在客户", "新客户", "复购客户", "忠诚客户",
                                                      "流失风险", "已流失"]
    with pytest.raises(ParameterError, match="'language' parameter"):
        stage_label("new", "fr")
    with pytest.raises(ParameterError, match="'stage' parameter"):
        stage_label("vip", "en")


# --- migration between two dates ----------------------------------------------------------------

# before: as_of 2024-03-31, period Q1 (2024-01-01); now: as_of 2024-06-30, period Q2; W = 100.
MOVE_ROWS = [
    ("p2n", "2024-05-01"),                                   # potential (table) -> new
    ("absent", "2024-06-10"),                                # not known before -> new
    ("n2r", "2024-02-01"), ("n2r", "2024-06-01"),            # new -> repeat (29 days, 2 buys)
    ("r2a", "2023-06-01"), ("r2a", "2023-09-01"), ("r2a", "2024-03-31"),  # 0 days -> 91 > 50
    ("a2c", "2023-10-01"), ("a2c", "2024-01-15"),            # 76 days (at risk) -> 167 (churned)
    *[("l2l", d) for d in ("2023-11-01", "2023-12-01", "2024-01-01", "2024-02-01",
                           "2024-03-01", "2024-05-01", "2024-06-01")],  # loyal -> loyal
    ("c2c", "2023-01-01"),                                   # churned -> churned
]
MOVE_CUSTOMERS = pd.DataFrame({"customer_id": ["p2n", "pot2pot"],
                               "signup_date": pd.to_datetime(["2023-06-01", "2023-06-01"])})


@pytest.fixture
def two_dates() -> tuple[pd.DataFrame, pd.DataFrame]:
    p = purchases(MOVE_ROWS)
    before = lifecycle_stages(p, "2024-03-31", "2024-01-01", 100, customers=MOVE_CUSTOMERS)
    now = lifecycle_stages(p, "2024-06-30", "2024-04-01", 100, customers=MOVE_CUSTOMERS)
    return before, now


def test_two_dates_stages(two_dates):
    before, now = two_dates
    b = dict(zip(before["customer_id"], before["stage"].astype(str), strict=True))
    n = dict(zip(now["customer_id"], now["stage"].astype(str), strict=True))
    assert b == {"p2n": "potential", "pot2pot": "potential", "n2r": "new", "r2a": "repeat",
                 "a2c": "at_risk", "l2l": "loyal", "c2c": "churned"}
    assert n == {"p2n": "new", "absent": "new", "pot2pot": "potential", "n2r": "repeat",
                 "r2a": "at_risk", "a2c": "churned", "l2l": "loyal", "c2c": "churned"}


def test_migration_matrix_counts(two_dates):
    before, now = two_dates
    m = migration_matrix(before, now)
    assert list(m.index) == list(STAGES) and list(m.columns) == list(STAGES)
    assert m.index.name == "from" and m.columns.name == "to"
    expected = pd.DataFrame(0, index=m.index, columns=m.columns)
    expected.loc["potential", "potential"] = 1   # pot2pot
    expected.loc["potential", "new"] = 2         # p2n and absent (missing before = potential)
    expected.loc["new", "repeat"] = 1
    expected.loc["repeat", "at_risk"] = 1
    expected.loc["at_risk", "churned"] = 1
    expected.loc["loyal", "loyal"] = 1
    expected.loc["churned", "churned"] = 1
    pd.testing.assert_frame_equal(m, expected, check_dtype=False)
    assert int(m.to_numpy().sum()) == 8


def test_migration_matrix_normalized(two_dates):
    before, now = two_dates
    shares = migration_matrix(before, now, normalize=True)
    assert shares.loc["potential", "potential"] == pytest.approx(1 / 3)
    assert shares.loc["potential", "new"] == pytest.approx(2 / 3)
    assert shares.loc["new", "repeat"] == 1.0
    np.testing.assert_allclose(shares.sum(axis=1).to_numpy(), np.ones(6))
    # drop the repeat customer from "before": it then comes from potential, the repeat row is
    # empty and stays 0; potential now has 4 customers: 1 stays, 2 new, 1 at risk
    partial = migration_matrix(before[before["stage"] != "repeat"], now, normalize=True)
    assert partial.loc["repeat"].sum() == 0
    assert partial.loc["potential", "at_risk"] == pytest.approx(1 / 4)
    assert partial.loc["potential", "new"] == pytest.approx(2 / 4)


def test_stage_counts(two_dates):
    before, now = two_dates
    c = stage_counts(now, before)
    assert list(c.columns) == ["stage", "before", "now", "change", "change_pct"]
    assert list(c["stage"]) == list(STAGES)
    # before: potential 2 (p2n, pot2pot), 1 each of new, repeat, loyal, at_risk, churned
    # now: potential 1, new 2, repeat 1, loyal 1, at_risk 1, churned 2
    assert c["before"].tolist() == [2, 1, 1, 1, 1, 1]
    assert c["now"].tolist() == [1, 2, 1, 1, 1, 2]
    assert c["change"].tolist() == [-1, 1, 0, 0, 0, 1]
    np.testing.assert_allclose(c["change_pct"], [-0.5, 1.0, 0.0, 0.0, 0.0, 1.0])
    empty_before = stage_counts(now, before.iloc[:0])
    assert empty_before["change_pct"].isna().all()


def test_flow_table(two_dates):
    before, now = two_dates
    f = flow_table(before, now)
    assert list(f.columns) == ["from", "to", "customers"]
    assert list(zip(f["from"], f["to"], f["customers"], strict=True)) == [
        ("potential", "new", 2), ("potential", "potential", 1), ("new", "repeat", 1),
        ("repeat", "at_risk", 1), ("loyal", "loyal", 1), ("at_risk", "churned", 1),
        ("churned", "churned", 1)]


# --- plots --------------------------------------------------------------------------------------

def test_plot_stage_counts(two_dates):
    import matplotlib.pyplot as plt

    before, now = two_dates
    _, ax = plt.subplots()
    assert plot_stage_counts(stage_counts(now, before), ax=ax, language="en") is ax
    assert len(ax.patches) == 12 and ax.get_title()
    assert [t.get_text() for t in ax.get_xticklabels()][:2] == ["Potential", "New"]
    zh = plot_stage_counts(stage_counts(now, before))
    assert zh.patches and zh.get_title()


@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")  # zh labels
def test_plot_migration(two_dates):
    import matplotlib.pyplot as plt

    before, now = two_dates
    _, ax = plt.subplots()
    assert plot_migration(migration_matrix(before, now), ax=ax, language="en") is ax
    assert ax.collections and ax.get_title()
    assert ax.get_xlabel() == "To (now)" and ax.get_ylabel() == "From (before)"
    texts = [t.get_text() for t in ax.texts]
    assert "2\n67%" in texts          # potential -> new: 2 customers, 2/3 of the row
    shares = plot_migration(migration_matrix(before, now, normalize=True))
    assert "67%" in [t.get_text() for t in shares.texts]
    nothing = plot_migration(migration_matrix(before.iloc[:0], now.iloc[:0]), language="en")
    assert [t.get_text() for t in nothing.texts] == ["No data"] and nothing.get_title()
