"""Cohort retention tables on five customers over the four quarters of 2024."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from playbook.errors import ParameterError
from playbook.plots.lifecycle import plot_cohorts
from playbook.segment.cohorts import cohort_summary, cohort_tables

# a: Q1 (60 + 40, two purchases, counted once), Q2 50, Q4 30  -> cohort Q1
# b: Q1 200, Q3 100                                          -> cohort Q1
# c: Q2 80, Q3 40                                            -> cohort Q2
# d: Q2 20                                                   -> cohort Q2
# e: Q4 10                                                   -> cohort Q4 (Q3 has no cohort)
# f: only in 2025, after as_of                               -> not counted
ROWS = [("a", "2024-01-05", 60), ("a", "2024-02-10", 40), ("a", "2024-04-01", 50),
        ("a", "2024-11-20", 30), ("b", "2024-03-31", 200), ("b", "2024-08-01", 100),
        ("c", "2024-05-01", 80), ("c", "2024-09-30", 40), ("d", "2024-06-15", 20),
        ("e", "2024-10-05", 10), ("f", "2025-01-10", 999)]
NAN = np.nan


@pytest.fixture
def purchases() -> pd.DataFrame:
    return pd.DataFrame({"customer_id": [r[0] for r in ROWS],
                         "order_date": pd.to_datetime([r[1] for r in ROWS]),
                         "amount": [float(r[2]) for r in ROWS]})


def test_quarterly_retention_by_hand(purchases):
    t = cohort_tables(purchases, "2024-12-31")
    assert t["partial"] is None                      # Dec 31 closes 2024Q4
    assert t["sizes"].to_dict() == {"2024Q1": 2, "2024Q2": 2, "2024Q4": 1}
    assert list(t["retention"].columns) == [0, 1, 2, 3]
    # Q1 {a, b}: Q2 a, Q3 b, Q4 a -> 1/2 each. Q2 {c, d}: Q3 c -> 1/2, Q4 none -> 0, Q5 NaN.
    expected = [[1.0, 0.5, 0.5, 0.5],
                [1.0, 0.5, 0.0, NAN],
                [1.0, NAN, NAN, NAN]]
    np.testing.assert_allclose(t["retention"].to_numpy(), expected)
    assert t["customers"].loc["2024Q1"].tolist() == [2, 1, 1, 1]
    assert t["customers"].loc["2024Q2"].isna().tolist() == [False, False, False, True]
    # revenue Q1: 300 | 50 | 100 | 30; Q2: 100 | 40 | 0; Q4: 10
    np.testing.assert_allclose(t["revenue"].to_numpy(),
                               [[300, 50, 100, 30], [100, 40, 0, NAN], [10, NAN, NAN, NAN]])
    np.testing.assert_allclose(t["revenue_retention"].to_numpy(),
                               [[1, 50 / 300, 100 / 300, 30 / 300],
                                [1, 0.4, 0.0, NAN],
                                [1, NAN, NAN, NAN]])


def test_left_censored_label_and_start_filter(purchases):
    # a purchase of e before the window start would make e a 2023Q4 customer: start drops it
    early = pd.concat([purchases, pd.DataFrame({"customer_id": ["e"],
                                                "order_date": pd.to_datetime(["2023-11-01"]),
                                                "amount": [5.0]})], ignore_index=True)
    t = cohort_tables(early, "2024-12-31", start="2024-01-01")
    assert list(t["retention"].index) == ["≤2024Q1", "2024Q2", "2024Q4"]
    assert t["sizes"]["≤2024Q1"] == 2 and t["sizes"]["2024Q4"] == 1
    # without start the 2023 purchase counts: e is in cohort 2023Q4, active again at age 4
    t2 = cohort_tables(early, "2024-12-31")
    assert t2["retention"].index[0] == "2023Q4"
    assert t2["retention"].loc["2023Q4", 4] == 1.0


def test_partial_period(purchases):
    # as_of mid-November: Q4 is partial; a's 2024-11-20 purchase is after as_of
    t = cohort_tables(purchases, "2024-11-15")
    assert t["partial"] == "2024Q4"
    assert t["retention"].loc["2024Q1", 3] == 0.0          # shown (not NaN), partial
    assert t["retention"].loc["2024Q4", 0] == 1.0
    s = cohort_summary(t, ages=(1, 3))
    # age 1: Q1 (1 of 2) and Q2 (1 of 2) complete -> 2/4; Q4's age 1 immature
    # age 3: Q1 + 3 = Q4 is the partial quarter -> no mature cohort
    assert s["cohorts"].tolist() == [2, 0]
    assert s["retention"].iloc[0] == 0.5 and np.isnan(s["retention"].iloc[1])


def test_monthly_labels_and_max_age(purchases):
    t = cohort_tables(purchases, "2024-12-31", kind="month", max_age=2)
    assert list(t["retention"].index[:3]) == ["2024-01", "2024-03", "2024-05"]
    assert list(t["retention"].columns) == [0, 1, 2]
    # a (Jan): Feb yes (age 1), Mar no; b (Mar): never in Apr or May -> Jan 1, 1, 0; Mar 1, 0, 0
    np.testing.assert_allclose(t["retention"].loc["2024-01"], [1.0, 1.0, 0.0])
    np.testing.assert_allclose(t["retention"].loc["2024-03"], [1.0, 0.0, 0.0])
    # Dec cohort? none. The Oct cohort (e) has ages 0..2 = Oct, Nov, Dec: all mature
    assert t["retention"].loc["2024-10"].notna().all()


def test_cohort_summary_weighted(purchases):
    s = cohort_summary(cohort_tables(purchases, "2024-12-31"), ages=(1, 2, 3, 4))
    assert list(s.columns) == ["age", "cohorts", "customers", "retention", "revenue_retention"]
    # age 1: Q1 1/2, Q2 1/2 -> 2/4; revenue (50 + 40) / (300 + 100)
    # age 2: Q1 1, Q2 0 -> 1/4; revenue (100 + 0) / 400. age 3: Q1 only -> 1/2; 30 / 300
    # age 4: no column -> no cohort
    assert s["cohorts"].tolist() == [2, 2, 1, 0]
    assert s["customers"].tolist() == [4, 4, 2, 0]
    np.testing.assert_allclose(s["retention"], [0.5, 0.25, 0.5, NAN])
    np.testing.assert_allclose(s["revenue_retention"], [0.225, 0.25, 0.1, NAN])
    # with start, the censored ≤2024Q1 cohort is left out: age 1 -> only Q2 (1/2, 40/100)
    c = cohort_summary(cohort_tables(purchases, "2024-12-31", start="2024-01-01"), ages=(1,))
    assert c["cohorts"].tolist() == [1]
    assert c["retention"].tolist() == [0.5] and c["revenue_retention"].tolist() == [0.4]


def test_bad_parameters_and_empty(purchases):
    with pytest.raises(ParameterError, match="'kind' parameter"):
        cohort_tables(purchases, "2024-12-31", kind="week")
    with pytest.raises(ParameterError, match="'max_age' parameter"):
        cohort_tables(purchases, "2024-12-31", max_age=-1)
    with pytest.raises(ParameterError, match="'start' parameter"):
        cohort_tables(purchases, "2024-12-31", start="2025-01-01")
    t = cohort_tables(purchases.iloc[:0], "2024-12-31")
    assert t["retention"].empty and t["sizes"].empty


@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")  # zh labels
def test_plot_cohorts(purchases):
    import matplotlib.pyplot as plt

    t = cohort_tables(purchases, "2024-12-31")
    _, ax = plt.subplots()
    assert plot_cohorts(t["retention"], ax=ax, language="en") is ax
    assert ax.collections and ax.get_title() == "Cohort retention"
    texts = [x.get_text() for x in ax.texts]
    assert len(texts) == 8            # 12 cells, 4 immature left blank
    assert "50%" in texts
    counts = plot_cohorts(t["customers"], value="count", title="客户数")
    assert counts.get_title() == "客户数" and "2" in [x.get_text() for x in counts.texts]
    blank = plot_cohorts(t["retention"].iloc[:0])
    assert blank.get_title() and blank.texts
    with pytest.raises(ParameterError):
        plot_cohorts(t["retention"], value="ratio")
