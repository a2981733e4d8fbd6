"""frequency_shift: purchases per customer by group, now against before, relative to the rest."""
from __future__ import annotations

import pandas as pd
import pytest

from playbook.periods import parse_period
from playbook.segment.shifts import frequency_shift

Q2, Q3 = parse_period("2026Q2"), parse_period("2026Q3")


def _purchases(spec: dict[str, tuple[int, int]], first="2026-01-10") -> pd.DataFrame:
    """spec: customer -> (purchases in Q2, purchases in Q3); every customer also bought on `first`."""
    rows = []
    for cid, (b, n) in spec.items():
        rows.append((cid, first))
        rows += [(cid, f"2026-05-{1 + i:02d}") for i in range(b)]
        rows += [(cid, f"2026-08-{1 + i:02d}") for i in range(n)]
    df = pd.DataFrame(rows, columns=["customer_id", "order_date"])
    df["order_date"] = pd.to_datetime(df["order_date"])
    df["amount"] = 10.0
    return df


def test_relative_change_by_hand():
    # group x: 2 customers, 4+4 purchases before, 1+1 now -> change -75 %
    # group y: 2 customers, 2+2 before, 2+2 now -> change 0 %; relative for x: 0.25/1 - 1 = -75 %
    p = _purchases({"a": (4, 1), "b": (4, 1), "c": (2, 2), "d": (2, 2)})
    groups = pd.Series({"a": "x", "b": "x", "c": "y", "d": "y"})
    out = frequency_shift(p, groups, Q3, Q2, min_customers=1, min_purchases=1).set_index("group")
    assert out.loc["x", "customers"] == 2
    assert out.loc["x", "freq_before"] == 4 and out.loc["x", "freq_now"] == 1
    assert out.loc["x", "change"] == pytest.approx(-0.75)
    assert out.loc["x", "rest_change"] == pytest.approx(0.0)
    assert out.loc["x", "relative_change"] == pytest.approx(-0.75)
    # y rose relative to x: (1 + 0) / (1 - 0.75) - 1 = 3
    assert out.loc["y", "relative_change"] == pytest.approx(3.0)
    assert list(out.index) == ["x", "y"]  # largest fall first


def test_new_customers_are_left_out_and_flag_needs_size_and_significance():
    spec = {f"x{i}": (6, 2) for i in range(40)} | {f"y{i}": (3, 3) for i in range(40)}
    p = _purchases(spec)
    # a customer whose first purchase is inside the comparison period does not count
    late = pd.DataFrame({"customer_id": ["z"] * 2, "order_date": pd.to_datetime(["2026-05-03", "2026-08-03"]),
                         "amount": 1.0})
    p = pd.concat([p, late], ignore_index=True)
    groups = pd.Series({c: c[0] for c in list(spec) + ["z"]})
    out = frequency_shift(p, groups, Q3, Q2, alert=0.2).set_index("group")
    assert "z" not in out.index
    assert out.loc["x", "customers"] == 40
    assert out.loc["x", "relative_change"] == pytest.approx(2 / 6 - 1)
    assert bool(out.loc["x", "flagged"]) and bool(out.loc["x", "significant"])
    assert not out.loc["y", "flagged"]
    small = frequency_shift(p, groups, Q3, Q2, alert=0.2, min_customers=41).set_index("group")
    assert not small.loc["x", "flagged"]  # too few customers to flag


def test_no_difference_is_not_significant():
    spec = {f"x{i}": (3, 3) for i in range(50)} | {f"y{i}": (3, 3) for i in range(50)}
    out = frequency_shift(_purchases(spec), pd.Series({c: c[0] for c in spec}), Q3, Q2)
    assert not out["significant"].any() and not out["flagged"].any()
    assert out["relative_change"].abs().max() == pytest.approx(0.0)


def test_price_tiers_by_hand():
    from playbook.errors import ParameterError
    from playbook.segment.shifts import price_tiers, tier_label

    pos = pd.Series({"a": 0.5, "b": 0.8, "c": 1.0, "d": 1.25, "e": 1.3, "f": None}, dtype="float64")
    tiers = price_tiers(pos)  # below 0.8 price-sensitive, above 1.25 premium, bounds mainstream
    assert tiers[:5].to_dict() == {"a": "price_sensitive", "b": "mainstream", "c": "mainstream",
                                   "d": "mainstream", "e": "premium"}
    assert pd.isna(tiers["f"])  # no price position, no tier
    assert price_tiers(pos, low=0.9, high=1.1)["b"] == "price_sensitive"
    assert tier_label("price_sensitive", "zh") == "价格敏感型客户"
    assert tier_label("premium", "en") == "Premium customers"
    with pytest.raises(ParameterError, match="0 < low < 1 < high"):
        price_tiers(pos, low=1.2, high=1.5)
