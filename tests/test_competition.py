"""Competition stage computation: our metrics, the market view, the panel, gaps, share streaks
and price moves (hand-worked numbers), plus story C's price cut in the sample company."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from playbook.competition.compare import (
    OURS,
    gap_table,
    leads,
    panel,
    price_moves,
    share_streaks,
)
from playbook.competition.market import market_view, our_metrics
from playbook.errors import ParameterError

# ---------------------------------------------------------------- our_metrics


def _orders() -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": ["A", "B", "B", "C", "A", "B", "A", "D"],
        "order_date": pd.to_datetime(["2026-04-10 10:00", "2026-05-01 10:00", "2026-05-02 10:00",
                                      "2026-06-30 23:00", "2026-07-01 00:00", "2026-09-30 22:00",
                                      "2026-10-01 08:00", None]),
        "amount": [100.0, 50.0, -20.0, 30.0, 200.0, 10.0, 999.0, 5.0],
        # B's refund of 20 is a return; C's order of 30 was cancelled (flagged, amount >= 0)
        "is_return": [False, False, True, True, False, False, False, False],
    })


def _feedback() -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": ["A", "B", "C", "A", "B"],
        "response_date": pd.to_datetime(["2026-04-02", "2026-05-05", "2026-06-01",
                                         "2026-08-01", "2026-09-01"]),
        "csat": [5.0, 4.0, 3.0, 2.0, np.nan],
        "nps": [10.0, 9.0, 6.0, 7.0, 0.0],
        "rating_price": [4.0, np.nan, 2.0, 5.0, 5.0],
    })


def test_our_metrics_by_hand():
    orders, feedback = _orders(), _feedback()
    before_o, before_f = orders.copy(), feedback.copy()
    out = our_metrics(orders, feedback, ["2026Q2", "2026Q3", "2026Q1"]).set_index("period")
    pd.testing.assert_frame_equal(orders, before_o)  # inputs untouched
    pd.testing.assert_frame_equal(feedback, before_f)
    # Q2: 100 + 50 - 20 (refund); the cancelled 30 is no revenue. Q3: 200 + 10; Q4's 999 is out
    assert out.loc["2026Q2", "revenue"] == pytest.approx(130.0)
    assert out.loc["2026Q3", "revenue"] == pytest.approx(210.0)
    assert out.loc["2026Q1", "revenue"] == 0.0
    assert out.loc["2026Q2", "csat"] == pytest.approx(4.0)
    assert out.loc["2026Q3", "csat"] == pytest.approx(2.0)  # a blank answer is left out
    # Q2 nps answers 10, 9, 6: 2/3 promoters - 1/3 detractors; Q3 answers 7, 0: 0 - 1/2
    assert out.loc["2026Q2", "nps"] == pytest.approx(100 / 3)
    assert out.loc["2026Q3", "nps"] == pytest.approx(-50.0)
    assert out.loc["2026Q2", "rating_price"] == pytest.approx(3.0)
    assert out.loc["2026Q2", "responses"] == 3 and out.loc["2026Q1", "responses"] == 0
    assert np.isnan(out.loc["2026Q1", "csat"])
    assert (out["price_index"] == 1.0).all()
    assert list(out.index) == ["2026Q2", "2026Q3", "2026Q1"]
    assert out.attrs["missing"] == []


def test_our_metrics_months_and_missing_columns():
    out = our_metrics(_orders().drop(columns="amount"), _feedback().drop(columns="nps"),
                      ["2026-05", "2026-07"], kind="month").set_index("period")
    assert out["revenue"].isna().all() and out["nps"].isna().all()
    assert out.loc["2026-05", "csat"] == pytest.approx(4.0)  # the May answer only
    assert out.loc["2026-07", "responses"] == 0
    assert set(out.attrs["missing"]) == {"orders.amount", "feedback.nps"}
    none = our_metrics(None, None, ["2026Q3"])
    assert np.isnan(none.loc[0, "revenue"]) and np.isnan(none.loc[0, "csat"])
    with pytest.raises(ParameterError, match="quarter or month"):
        our_metrics(_orders(), _feedback(), ["2026Q3"], kind="week")


# ---------------------------------------------------------------- market_view


def _market(growth: bool) -> pd.DataFrame:
    df = pd.DataFrame({
        "period": ["2025Q3", "2026Q2", "2026Q3"] * 2,
        "region": ["N"] * 3 + ["S"] * 3,
        "market_size": [100.0, 150.0, 120.0, 100.0, 50.0, 130.0],
    })
    if growth:  # N grew 20 % (year ago 100), S 62.5 % (year ago 80)
        df["growth"] = [np.nan, np.nan, 0.2, np.nan, np.nan, 0.625]
    return df


OURS_REVENUE = pd.DataFrame({"period": ["2026Q2", "2026Q3"], "revenue": [20.0, 50.0]})


def test_market_view_sums_units_computes_growth_and_share():
    view = market_view(_market(growth=False), OURS_REVENUE, "region").set_index("period")
    assert view.loc["2026Q3", "market_size"] == 250.0
    # no growth column: 2026Q3 against 2025Q3 (four quarters back): 250 / 200 - 1
    assert view.loc["2026Q3", "growth"] == pytest.approx(0.25)
    assert np.isnan(view.loc["2026Q2", "growth"])  # 2025Q2 is not in the table
    assert view.loc["2026Q2", "our_share"] == pytest.approx(0.1)
    assert view.loc["2026Q3", "our_share"] == pytest.approx(0.2)
    assert view.loc["2026Q3", "our_share_change"] == pytest.approx(0.1)
    assert np.isnan(view.loc["2026Q2", "our_share_change"])  # 2026Q1 is absent
    assert np.isnan(view.loc["2025Q3", "revenue"])
    assert list(view.index) == ["2025Q3", "2026Q2", "2026Q3"]
    assert "market.growth" in view.attrs["missing"]


def test_market_view_combines_given_growth_by_year_ago_size():
    view = market_view(_market(growth=True), OURS_REVENUE, "region").set_index("period")
    # 250 now against 100 + 80 a year ago (not the plain mean of 20 % and 62.5 %)
    assert view.loc["2026Q3", "growth"] == pytest.approx(250 / 180 - 1)
    months = pd.DataFrame({"period": ["2025-07", "2026-07"], "market_size": [80.0, 100.0]})
    assert market_view(months).set_index("period").loc["2026-07", "growth"] == \
        pytest.approx(0.25)  # twelve months back
    empty = market_view(None, OURS_REVENUE)
    assert empty["market_size"].isna().all() and empty["our_share"].isna().all()
    assert "market" in empty.attrs["missing"]


# ---------------------------------------------------------------- panel


def _competitors() -> pd.DataFrame:
    return pd.DataFrame({
        "competitor": ["X", "X", "Y"],
        "period": ["2026Q3"] * 3,
        "region": ["N", "S", "N"],
        "market_share": [0.2, 0.1, 0.3],
        "csat": [4.0, 3.0, 4.5],
        "nps": [10.0, 30.0, 40.0],
        "price_index": [0.9, 1.1, 1.2],
        "rating_price": [4.0, 3.0, 3.5],
        "sales": [20.0, 30.0, 30.0],
    })


OURS_ROW = pd.DataFrame({"period": ["2026Q3"], "revenue": [11.0], "csat": [3.9], "nps": [20.0],
                         "rating_price": [3.6], "price_index": [1.0], "our_share": [0.11]})


def test_panel_weights_regions_by_market_size_and_sales():
    comp = _competitors()
    before = comp.copy()
    out = panel(comp, OURS_ROW, "region")
    pd.testing.assert_frame_equal(comp, before)
    assert out["entity"].tolist() == [OURS, "X", "Y"]
    x = out.set_index("entity").loc["X"]
    # share: sales over the implied market sizes 20/0.2 + 30/0.1 = 400 -> 50 / 400
    assert x["market_share"] == pytest.approx(0.125)
    # the rest weighted by sales 20 : 30
    assert x["csat"] == pytest.approx((20 * 4.0 + 30 * 3.0) / 50)
    assert x["price_index"] == pytest.approx((20 * 0.9 + 30 * 1.1) / 50)
    assert x["nps"] == pytest.approx((20 * 10 + 30 * 30) / 50)
    assert x["rating_price"] == pytest.approx(3.4)
    y = out.set_index("entity").loc["Y"]
    assert (y["market_share"], y["csat"]) == (0.3, 4.5)  # one row stays as it is
    us = out.set_index("entity").loc[OURS]
    assert (us["market_share"], us["csat"], us["price_index"]) == (0.11, 3.9, 1.0)


def test_panel_weights_with_market_table_or_plain_means():
    market = pd.DataFrame({"period": ["2026Q3"] * 2, "region": ["N", "S"],
                           "market_size": [200.0, 200.0]})
    x = panel(_competitors(), OURS_ROW, "region", market=market).set_index("entity").loc["X"]
    assert x["market_share"] == pytest.approx(0.15)  # equal market sizes
    assert x["csat"] == pytest.approx(3.4)  # still weighted by sales
    no_sales = _competitors().drop(columns="sales")
    market = market.assign(market_size=[100.0, 300.0])
    x = panel(no_sales, OURS_ROW, "region", market=market).set_index("entity").loc["X"]
    assert x["market_share"] == pytest.approx(0.125)
    assert x["csat"] == pytest.approx(3.4)  # weights share x size: 20 and 30
    x = panel(no_sales, OURS_ROW, "region").set_index("entity").loc["X"]
    assert x["market_share"] == pytest.approx(0.15)  # no weights at all: plain means
    assert x["csat"] == pytest.approx(3.5)


def test_panel_with_missing_columns():
    out = panel(_competitors().drop(columns=["nps", "csat"]), OURS_ROW.drop(columns="our_share"))
    assert {"competitors.nps", "competitors.csat", "ours.our_share"} <= set(out.attrs["missing"])
    assert np.isnan(out.set_index("entity").loc["X", "nps"])
    assert np.isnan(out.set_index("entity").loc[OURS, "market_share"])
    only_ours = panel(None, OURS_ROW)
    assert only_ours["entity"].tolist() == [OURS] and "competitors" in only_ours.attrs["missing"]
    assert panel(None, None).empty


# ---------------------------------------------------------------- gaps


def _panel() -> pd.DataFrame:
    return pd.DataFrame({
        "entity": [OURS, "X", "Y", OURS],
        "period": ["2026Q3", "2026Q3", "2026Q3", "2026Q2"],
        "market_share": [0.10, 0.12, 0.05, 0.5],
        "csat": [4.0, 3.8, 4.3, 1.0],
        "nps": [20.0, 5.0, 30.0, 0.0],
        "price_index": [1.0, 0.82, 1.10, 1.0],
        "rating_price": [3.8, 4.1, np.nan, 1.0],
    })


def test_gap_signs_and_statuses_at_the_threshold():
    gaps = gap_table(_panel(), "2026Q3").set_index(["competitor", "metric"])
    assert len(gaps) == 9  # Y has no price rating: that pair is left out
    # exactly at the threshold is par: share -2 pp, csat +0.2, nps -10
    assert gaps.loc[("X", "market_share"), "status"] == "par"
    assert gaps.loc[("X", "csat"), "gap"] == pytest.approx(0.2)
    assert gaps.loc[("X", "csat"), "status"] == "par"
    assert gaps.loc[("Y", "nps"), "status"] == "par"
    assert gaps.loc[("X", "nps"), ["gap", "status"]].tolist() == [15.0, "strength"]
    # price index: lower is better for the customer; X is cheaper (0.82) -> we are worse
    assert gaps.loc[("X", "price_index"), "gap"] == pytest.approx(-0.18)
    assert gaps.loc[("X", "price_index"), "status"] == "weakness"
    assert gaps.loc[("Y", "price_index"), "gap"] == pytest.approx(0.10)
    assert gaps.loc[("Y", "price_index"), "status"] == "strength"
    assert gaps.loc[("Y", "market_share"), "status"] == "strength"
    assert gaps.loc[("Y", "csat"), "status"] == "weakness"
    assert gaps.loc[("X", "rating_price"), ["ours", "theirs"]].tolist() == [3.8, 4.1]
    assert gaps.loc[("X", "nps"), "threshold"] == 10.0


def test_gap_thresholds_can_be_changed():
    gaps = gap_table(_panel(), "2026Q3", threshold=0.1,
                     thresholds={"price_index": 0.2}).set_index(["competitor", "metric"])
    assert gaps.loc[("X", "csat"), "status"] == "strength"  # 0.2 > 0.1
    assert gaps.loc[("X", "price_index"), "status"] == "par"  # 0.18 < 0.2
    assert gap_table(_panel(), "2025Q1").empty


def test_leads_are_the_weaknesses_largest_first():
    out = leads(gap_table(_panel(), "2026Q3"))
    assert set(zip(out["competitor"], out["metric"], strict=True)) == {
        ("X", "price_index"), ("X", "rating_price"), ("Y", "csat")}
    first = out.iloc[0]
    assert (first["competitor"], first["metric"]) == ("X", "price_index")  # 0.18 = 3.6 x 0.05
    assert first["lead"] == pytest.approx(0.18) and first["lead_ratio"] == pytest.approx(3.6)
    assert leads(gap_table(_panel(), "2026Q3"), competitor="Y")["metric"].tolist() == ["csat"]


# ---------------------------------------------------------------- share streaks


def test_share_streaks():
    periods = ["2025Q2", "2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3"]
    rows = [("X", p, s) for p, s in zip(periods, [0.10, 0.11, 0.12, 0.11, 0.12, 0.14],
                                        strict=True)]  # rise, rise, fall, rise, rise
    rows += [("Y", "2026Q2", 0.2), ("Y", "2026Q3", 0.2)]  # flat: no rise
    rows += [("Z", "2026Q1", 0.1), ("Z", "2026Q2", 0.2), ("Z", "2026Q3", 0.15)]
    rows += [(OURS, "2026Q2", 0.1), (OURS, "2026Q3", 0.11)]
    p = pd.DataFrame(rows, columns=["entity", "period", "market_share"]).sample(frac=1,
                                                                                random_state=1)
    out = share_streaks(p).set_index("competitor")
    assert OURS not in out.index
    assert out.loc["X", "streak"] == 2 and out.loc["X", "since"] == "2026Q1"
    assert out.loc["X", "gain"] == pytest.approx(0.03)
    assert bool(out.loc["X", "rising"])
    assert out.loc["Y", "streak"] == 0 and out.loc["Y", "gain"] == 0
    assert out.loc["Z", "streak"] == 0 and not out.loc["Z", "rising"]
    assert not share_streaks(p, min_periods=3).set_index("competitor").loc["X", "rising"]
    assert share_streaks(p, min_gain=0.03).set_index("competitor").loc["X", "rising"]
    assert not share_streaks(p, min_gain=0.031).set_index("competitor").loc["X", "rising"]
    assert share_streaks(p, include_ours=True).set_index("competitor").loc[OURS, "streak"] == 1


# ---------------------------------------------------------------- price moves


def _moves_table() -> pd.DataFrame:
    return pd.DataFrame({
        "competitor": ["X", "X", "X", "X", "Y", "Y"],
        "period": ["2026Q2", "2026Q3"] * 3,
        "region": ["A", "A", "B", "B", "A", "A"],
        "market_share": [0.17, 0.22, 0.15, 0.15, 0.20, 0.19],
        "price_index": [0.99, 0.82, 1.00, 0.99, 1.10, 1.05],
    })


def test_price_moves_flag_a_cut():
    out = price_moves(_moves_table(), "2026Q3", "2026Q2", unit_column="region")
    out = out.set_index(["region", "competitor"])
    assert out.loc[("A", "X"), "price_change"] == pytest.approx(-0.17)
    assert out.loc[("A", "X"), "share_change"] == pytest.approx(0.05)
    assert out.loc[("A", "X"), ["price_now", "price_before", "share_now", "share_before"]
                   ].tolist() == [0.82, 0.99, 0.22, 0.17]
    assert bool(out.loc[("A", "X"), "cut"])
    assert out.loc[("B", "X"), "price_change"] == pytest.approx(-0.01)
    assert not out.loc[("B", "X"), "cut"]
    assert bool(out.loc[("A", "Y"), "cut"])  # exactly -0.05 is a cut
    strict = price_moves(_moves_table(), "2026Q3", unit_column="region", cut_threshold=0.1)
    assert strict["cut"].sum() == 1  # previous defaults to 2026Q2


def test_price_moves_without_unit_and_missing_columns():
    out = price_moves(_moves_table(), "2026Q3", "2026Q2").set_index("competitor")
    assert "region" not in out.columns
    # X over A and B without sales: plain means 0.905 now, 0.995 before
    assert out.loc["X", "price_change"] == pytest.approx(-0.09)
    no_price = price_moves(_moves_table().drop(columns="price_index"), "2026Q3", "2026Q2")
    assert no_price["price_change"].isna().all() and not no_price["cut"].any()
    assert no_price["share_change"].notna().all()
    assert price_moves(_moves_table(), "2024Q1", "2023Q4").empty


# ---------------------------------------------------------------- the sample company


def test_sample_story_c_price_cut_in_the_north(sample_dir):
    comp = pd.read_csv(sample_dir / "competitors.csv")
    moves = price_moves(comp, "2026Q3", "2026Q2", unit_column="region")
    assert len(moves) == 12  # 3 competitors x 4 regions
    cuts = moves[moves["cut"]]
    assert cuts[["region", "competitor"]].values.tolist() == [["华北", "优选商城"]]
    row = cuts.iloc[0]
    assert row["price_change"] <= -0.1 and row["share_change"] > 0.03
    assert row["price_now"] == pytest.approx(0.82)


def test_sample_market_growth_recomputed_matches_the_given_one(sample_dir):
    market = pd.read_csv(sample_dir / "market.csv")
    given = market_view(market, unit_column="region").set_index("period")["growth"]
    computed = market_view(market.drop(columns="growth"), unit_column="region")
    computed = computed.set_index("period")["growth"]
    both = computed.dropna()
    assert len(both) == 8  # twelve quarters, the first four have no year-ago quarter
    assert (both - given[both.index]).abs().max() < 5e-4
    assert given.notna().all()
