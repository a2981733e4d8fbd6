"""Story C's link: our price-sensitive customers' buying per region next to competitors' price
cuts there (hand-made purchases: region A's price-sensitive customers halve their purchases,
region B's do not)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from playbook.competition.compare import price_moves
from playbook.competition.link import ALL, link_summary, price_cut_link, region_shift
from playbook.periods import parse_period
from playbook.segment.shifts import frequency_shift

Q2, Q3 = parse_period("2026Q2"), parse_period("2026Q3")

# customer -> (region, tier, purchases in Q2, purchases in Q3, lifecycle before, lifecycle now)
SPEC = {
    "a1": ("A", "price_sensitive", 4, 2, "repeat", "at_risk"),
    "a2": ("A", "price_sensitive", 4, 2, "repeat", "churned"),
    "a3": ("A", "price_sensitive", 4, 2, "loyal", "loyal"),
    "a4": ("A", "price_sensitive", 4, 2, None, "churned"),  # not active before: not counted
    "a5": ("A", "mainstream", 3, 3, "repeat", "repeat"),
    "a6": ("A", "mainstream", 3, 3, "repeat", "repeat"),
    "a7": ("A", "mainstream", 3, 3, "loyal", "loyal"),
    "a8": ("A", "mainstream", 3, 3, "loyal", "loyal"),
    "a9": ("A", None, 1, 1, "repeat", "churned"),  # no price tier: only in the region's share
    "b1": ("B", "price_sensitive", 4, 4, "loyal", "loyal"),
    "b2": ("B", "price_sensitive", 4, 4, "loyal", "loyal"),
    "b3": ("B", "price_sensitive", 4, 4, "loyal", "loyal"),
    "b4": ("B", "price_sensitive", 4, 4, "loyal", "loyal"),
    "b5": ("B", "mainstream", 3, 3, "repeat", "repeat"),
    "b6": ("B", "mainstream", 3, 3, "repeat", "repeat"),
    "b7": ("B", "mainstream", 3, 3, "repeat", "repeat"),
    "b8": ("B", "mainstream", 3, 3, "repeat", "repeat"),
}


def _purchases() -> pd.DataFrame:
    rows = []
    for cid, (_, _, before, now, _, _) in SPEC.items():
        rows.append((cid, "2026-01-10"))  # everyone bought before the comparison period
        rows += [(cid, f"2026-05-{1 + i:02d}") for i in range(before)]
        rows += [(cid, f"2026-08-{1 + i:02d}") for i in range(now)]
    rows += [("a10", "2026-05-03")]  # a new price-sensitive customer of A: left out
    df = pd.DataFrame(rows, columns=["customer_id", "order_date"])
    df["order_date"] = pd.to_datetime(df["order_date"])
    df["amount"] = 10.0
    return df


def _customers() -> pd.DataFrame:
    df = pd.DataFrame([(cid, r, t, lb, ln) for cid, (r, t, _, _, lb, ln) in SPEC.items()],
                      columns=["customer_id", "region", "price_tier", "lifecycle_before",
                               "lifecycle_stage"])
    new = pd.DataFrame({"customer_id": ["a10"], "region": ["A"], "price_tier": ["price_sensitive"],
                        "lifecycle_before": [None], "lifecycle_stage": ["new"]})
    return pd.concat([df, new], ignore_index=True)


def _moves(cut_region: str = "A") -> pd.DataFrame:
    other = "B" if cut_region == "A" else "A"
    comp = pd.DataFrame({
        "competitor": ["X"] * 4 + ["Y"] * 4,
        "period": ["2026Q2", "2026Q3"] * 4,
        "region": [cut_region, cut_region, other, other] * 2,
        "market_share": [0.17, 0.22, 0.15, 0.15, 0.20, 0.20, 0.20, 0.19],
        "price_index": [0.99, 0.82, 1.00, 0.99, 1.10, 1.11, 1.10, 1.09],
    })
    return price_moves(comp, "2026Q3", "2026Q2", unit_column="region")


def test_region_shift_by_hand():
    p, c = _purchases(), _customers()
    before_p, before_c = p.copy(), c.copy()
    out = region_shift(p, c, Q3, Q2, "region", min_customers=1, min_purchases=1)
    pd.testing.assert_frame_equal(p, before_p)
    pd.testing.assert_frame_equal(c, before_c)
    assert out[["region", "tier"]].values.tolist() == [
        ["A", "price_sensitive"], ["A", "mainstream"], ["B", "price_sensitive"],
        ["B", "mainstream"]]
    rows = out.set_index(["region", "tier"])
    a = rows.loc[("A", "price_sensitive")]
    assert a["customers"] == 4  # a10 started buying in the comparison period
    assert (a["freq_before"], a["freq_now"]) == (4.0, 2.0)
    assert a["change"] == pytest.approx(-0.5)
    assert a["relative_change"] == pytest.approx(-0.5)  # A's mainstream customers stayed flat
    assert rows.loc[("A", "mainstream"), "relative_change"] == pytest.approx(1.0)  # 1 / 0.5 - 1
    assert rows.loc[("B", "price_sensitive"), "relative_change"] == pytest.approx(0.0)
    # p-value: frequency_shift on region A's tiers alone
    tiers = c[c["region"] == "A"].set_index("customer_id")["price_tier"].dropna()
    direct = frequency_shift(p, tiers, Q3, Q2, min_customers=1,
                             min_purchases=1).set_index("group")
    assert a["p_value"] == pytest.approx(direct.loc["price_sensitive", "p_value"])
    # lifecycle: a1, a2 moved into at_risk/churned of the 3 active ones (a4 was not active)
    assert a["moved_to_risk_share"] == pytest.approx(2 / 3)
    assert rows.loc[("A", "mainstream"), "moved_to_risk_share"] == 0.0
    # region A: a1, a2, a9 of 8 customers active before (a9 has no tier but counts here)
    assert a["region_moved_to_risk_share"] == pytest.approx(3 / 8)
    assert rows.loc[("B", "mainstream"), "region_moved_to_risk_share"] == 0.0
    assert out.attrs["missing"] == []


def test_region_shift_without_region_lifecycle_or_tier():
    p = _purchases()
    c = _customers()[lambda d: d["region"] == "A"].drop(
        columns=["region", "lifecycle_before"])
    out = region_shift(p, c, "2026Q3", "2026Q2", "region", min_customers=1, min_purchases=1)
    assert set(out["region"]) == {ALL}
    assert out["moved_to_risk_share"].isna().all()
    assert {"customers.region", "customers.lifecycle_before"} <= set(out.attrs["missing"])
    no_tier = region_shift(p, c.drop(columns="price_tier"), Q3, Q2, None)
    assert no_tier.empty and "price_tier" in no_tier.attrs["missing"]


def test_link_shows_the_drop_where_the_price_was_cut():
    shifts = region_shift(_purchases(), _customers(), Q3, Q2, "region", min_customers=1,
                          min_purchases=1)
    link = price_cut_link(_moves("A"), shifts, "region")
    assert len(link) == 4  # 2 competitors x 2 regions
    first = link.iloc[0]
    assert (first["region"], first["competitor"], bool(first["cut"])) == ("A", "X", True)
    assert first["price_change"] == pytest.approx(-0.17)
    assert first["share_change"] == pytest.approx(0.05)
    assert first["ps_change"] == pytest.approx(-0.5)
    assert first["ps_relative_change"] == pytest.approx(-0.5)
    assert link["cut"].sum() == 1
    assert (link.loc[link["region"] == "B", "ps_relative_change"] == 0).all()

    s = link_summary(link)
    assert s["regions_with_cut"] == ["A"] and s["regions_without_cut"] == ["B"]
    assert s["competitors"] == ["X"]
    assert s["mean_relative_change_with_cut"] == pytest.approx(-0.5)
    assert s["mean_relative_change_without_cut"] == pytest.approx(0.0)
    assert s["difference"] == pytest.approx(-0.5)
    assert s["baseline"] == "other_regions" and s["concentrated"]
    assert s["cuts"][0]["region"] == "A" and s["cuts"][0]["price_change"] == pytest.approx(-0.17)

    # had the cut been in B, where our customers did not change, nothing concentrates
    s = link_summary(price_cut_link(_moves("B"), shifts, "region"))
    assert s["regions_with_cut"] == ["B"]
    assert s["difference"] == pytest.approx(0.5) and not s["concentrated"]


def test_link_in_a_single_region_unit():
    a = _customers()[lambda d: d["region"] == "A"]
    shifts = region_shift(_purchases(), a, Q3, Q2, "region", min_customers=1, min_purchases=1)
    moves = _moves("A")[lambda d: d["region"] == "A"]
    link = price_cut_link(moves, shifts, "region")
    assert set(link["region"]) == {"A"} and len(link) == 2
    s = link_summary(link)
    assert s["baseline"] == "rest_of_region"  # the rest of A's customers
    assert s["mean_relative_change_without_cut"] == 0.0
    assert s["difference"] == pytest.approx(-0.5) and s["concentrated"]
    # neither side knows its region: the moves apply to the one group of customers
    bare = region_shift(_purchases(), a.drop(columns="region"), Q3, Q2, None, min_customers=1,
                        min_purchases=1)
    link = price_cut_link(moves.drop(columns="region"), bare, None)
    assert set(link["region"]) == {ALL} and link["cut"].sum() == 1
    assert link_summary(link)["difference"] == pytest.approx(-0.5)


def test_link_without_cuts_or_data():
    shifts = region_shift(_purchases(), _customers(), Q3, Q2, "region", min_customers=1,
                          min_purchases=1)
    calm = _moves("A").assign(cut=False)
    s = link_summary(price_cut_link(calm, shifts, "region"))
    assert s["regions_with_cut"] == [] and s["difference"] is None and not s["concentrated"]
    empty = price_cut_link(_moves("A"), shifts.iloc[0:0], "region")
    assert empty["ps_relative_change"].isna().all() and empty["cut"].sum() == 1
    s = link_summary(empty)
    assert s["mean_relative_change_with_cut"] is None and not s["concentrated"]
    assert np.isnan(price_cut_link(_moves("A").iloc[0:0], shifts, "region")["price_change"]).all()
