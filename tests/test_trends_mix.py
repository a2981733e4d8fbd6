"""Category mix and its shifts (playbook.trends.mix), by hand and on the sample company."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from playbook.errors import ParameterError
from playbook.periods import parse_period
from playbook.trends.mix import age_band, category_mix, mix_shifts


def test_age_band_boundaries():
    years = pd.Series([1997, 1996, 1987, 1986, 1977, 1976, None, 2010],
                      index=list("abcdefgh"), dtype="Int64")
    bands = age_band(years, 2026)
    assert bands.index.tolist() == list("abcdefgh")
    assert bands.iloc[:6].tolist() == ["<30", "30-39", "30-39", "40-49", "40-49", "50+"]
    assert pd.isna(bands["g"])
    assert bands["h"] == "<30"


@pytest.fixture
def orders() -> pd.DataFrame:
    rows = [  # order_id, customer, date, category, amount, is_return
        ("O1", "c1", "2026-01-05", "美妆", 100.0, False),
        ("O1", "c1", "2026-01-05", "美妆", 50.0, False),  # same order, same category: once
        ("O2", "c1", "2026-02-01", "服饰", 80.0, False),
        ("O2", "c1", "2026-02-01", "美妆", 20.0, False),
        ("O3", "c2", "2026-02-10", "食品", 30.0, False),
        ("O4", "c3", "2026-03-01", "服饰", 90.0, False),
        ("O8", "c4", "2026-03-02", "服饰", 90.0, False),  # c4 has no age band
        ("R1", "c2", "2026-03-03", "美妆", -50.0, True),  # a refund is no sale order
        ("O5", "c2", "2026-03-04", "数码", 0.0, False),  # nor a zero amount
        ("O6", "c2", "2026-04-02", "数码", 999.0, False),
        ("O7", "c3", "2026-05-02", "美妆", 99.0, False),
    ]
    return pd.DataFrame(rows, columns=["order_id", "customer_id", "order_date", "category",
                                       "amount", "is_return"]).assign(
        order_date=lambda d: pd.to_datetime(d["order_date"]))


@pytest.fixture
def customers() -> pd.DataFrame:
    return pd.DataFrame({"customer_id": ["c1", "c2", "c3", "c4"],
                         "band": ["<30", "50+", "<30", None]})


def _shares(mix: pd.DataFrame, keys: list[str]) -> dict:
    return {tuple(r[k] for k in keys): (r["orders"], r["total"], r["share"])
            for _, r in mix.iterrows()}


def test_category_mix_overall(orders):
    before = orders.copy()
    mix = category_mix(orders, [parse_period("2026Q1"), parse_period("2026Q2")])
    assert list(mix.columns) == ["period", "category", "orders", "total", "share"]
    got = _shares(mix, ["period", "category"])
    assert got == {("2026Q1", "美妆"): (2, 5, 0.4), ("2026Q1", "服饰"): (3, 5, 0.6),
                   ("2026Q1", "食品"): (1, 5, 0.2), ("2026Q1", "数码"): (0, 5, 0.0),
                   ("2026Q2", "美妆"): (1, 2, 0.5), ("2026Q2", "服饰"): (0, 2, 0.0),
                   ("2026Q2", "食品"): (0, 2, 0.0), ("2026Q2", "数码"): (1, 2, 0.5)}
    pd.testing.assert_frame_equal(orders, before)


def test_category_mix_by_customer_group(orders, customers):
    mix = category_mix(orders, [parse_period("2026Q1"), parse_period("2026Q2")], by="band",
                       customers=customers)
    assert list(mix.columns) == ["period", "band", "category", "orders", "total", "share"]
    got = _shares(mix, ["period", "band", "category"])
    assert got[("2026Q1", "<30", "美妆")] == (2, 3, pytest.approx(2 / 3))
    assert got[("2026Q1", "<30", "服饰")] == (2, 3, pytest.approx(2 / 3))
    assert got[("2026Q1", "<30", "食品")] == (0, 3, 0.0)
    assert got[("2026Q1", "50+", "食品")] == (1, 1, 1.0)
    assert got[("2026Q2", "50+", "数码")] == (1, 1, 1.0)
    assert got[("2026Q2", "<30", "美妆")] == (1, 1, 1.0)
    assert len(got) == 2 * 2 * 4  # every category in every period × group with orders
    with pytest.raises(ParameterError):
        category_mix(orders, [parse_period("2026Q1")], by="nope", customers=customers)


def _mix_rows():
    rows = []
    for period, beauty_young, clothes_young, beauty_old, small in (
            ("2025Q3", 100, 200, 120, 1), ("2026Q3", 300, 210, 130, 3)):
        rows += [(period, "<30", "美妆", beauty_young, 1000),
                 (period, "<30", "服饰", clothes_young, 1000),
                 (period, "50+", "美妆", beauty_old, 1000),
                 (period, "tiny", "美妆", small, 10)]
    mix = pd.DataFrame(rows, columns=["period", "band", "category", "orders", "total"])
    return mix.assign(share=mix["orders"] / mix["total"])


def test_mix_shifts_flags_a_20_point_shift_and_not_a_1_point_one():
    sh = mix_shifts(_mix_rows(), "2026Q3", "2025Q3", by="band")
    top = sh.iloc[0]
    assert (top["band"], top["category"]) == ("<30", "美妆")
    assert top["share_now"] == pytest.approx(0.3)
    assert top["share_baseline"] == pytest.approx(0.1)
    assert top["change"] == pytest.approx(0.2)
    assert bool(top["flagged"])
    rows = sh.set_index(["band", "category"])
    one = rows.loc[("<30", "服饰")]
    assert one["change"] == pytest.approx(0.01)
    pooled = 410 / 2000
    z = 0.01 / math.sqrt(pooled * (1 - pooled) * (2 / 1000))
    assert one["p_value"] == pytest.approx(math.erfc(z / math.sqrt(2)))
    assert not one["flagged"]
    assert not rows.loc[("50+", "美妆"), "flagged"]
    # 20 points on ten orders each is no evidence
    assert rows.loc[("tiny", "美妆"), "change"] == pytest.approx(0.2)
    assert rows.loc[("tiny", "美妆"), "p_value"] > 0.01
    assert not rows.loc[("tiny", "美妆"), "flagged"]
    assert (np.diff(sh["change"].abs().to_numpy()) <= 1e-12).all()
    strict = mix_shifts(_mix_rows(), "2026Q3", "2025Q3", by="band", min_orders=1001)
    assert not strict["flagged"].any()  # 1,000 orders per period are too few here
    with pytest.raises(ParameterError):
        mix_shifts(_mix_rows(), "2024Q3", "2025Q3", by="band")


# ------------------------------------------------------------------ the sample company, story B


@pytest.fixture(scope="module")
def company():
    from playbook.sample import build_tables

    tables, truth, _ = build_tables(customers=4000, seed=3)
    o = tables["orders"].copy()
    o["order_date"] = pd.to_datetime(o["order_date"], errors="coerce",
                                     format="%Y-%m-%d %H:%M:%S")
    o = o[o["order_date"].between("2023-10-01", "2026-09-30 23:59:59")
          & o["customer_id"].notna() & (o["amount"].abs() < 1e6)]
    o["is_return"] = o["status"] != "completed"
    return o, tables["customers"], truth


def test_story_b_young_customers_move_to_beauty(company):
    orders, customers, _ = company
    c = customers.assign(age=age_band(customers["birth_year"], 2026).where(
        customers["customer_type"] == "个人"))
    periods = parse_period("2026Q3").history(4)
    mix = category_mix(orders, periods, by="age", customers=c)
    sh = mix_shifts(mix, "2026Q3", "2025Q3", by="age")
    young = sh.set_index(["age", "category"]).loc[("<30", "美妆")]
    assert young["flagged"]
    assert young["change"] > 0.12
    assert young["share_now"] == pytest.approx(0.35, abs=0.05)
    assert young["share_baseline"] == pytest.approx(0.15, abs=0.05)
    assert (sh.iloc[0]["age"], sh.iloc[0]["category"]) == ("<30", "美妆")
    others = sh[(sh["category"] == "美妆") & (sh["age"] != "<30")]
    assert not others["flagged"].any()


def test_story_c_price_sensitive_buy_less_often(company):
    from playbook.purchases import purchases
    from playbook.trends.series import group_frequency

    orders, customers, truth = company
    groups = pd.Series("other", index=customers["customer_id"].to_numpy())
    groups[groups.index.isin(truth["customer_id"])] = "price_sensitive"
    f = group_frequency(purchases(orders), groups,
                        [parse_period("2025Q3"), parse_period("2026Q3")])
    per = f.pivot(index="group", columns="period", values="per_customer")
    change = per["2026Q3"] / per["2025Q3"]
    assert change["price_sensitive"] < 0.7 * change["other"]
