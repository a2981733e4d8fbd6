"""Stage 05's recipe and flags on a small hand-made market: a price cut that hits our
price-sensitive customers is critical, leads are one flag per competitor, streaks and our
share loss are flagged, and absent tables skip their sections."""
from __future__ import annotations

import pandas as pd
import pytest

from playbook.competition import pipeline
from playbook.competition.settings import CompetitionSettings
from playbook.periods import parse_period

P = parse_period("2026Q3")


def _competitors():
    rows = []
    for per, cut_price, cut_share, prem_share in (("2026Q1", 0.99, 0.15, 0.18),
                                                  ("2026Q2", 0.99, 0.16, 0.19),
                                                  ("2026Q3", 0.82, 0.21, 0.20)):
        rows.append(("Cheap", per, cut_share, 3.8, 15.0, cut_price, 3.6, 4.4))
        rows.append(("Premium", per, prem_share, 4.3, 40.0, 1.12, 4.4, 3.5))
    return pd.DataFrame(rows, columns=["competitor", "period", "market_share", "csat", "nps",
                                       "price_index", "rating_after_sales", "rating_price"])


def _orders_feedback():
    orders = pd.DataFrame({"customer_id": ["a", "b", "a", "b"],
                           "order_date": pd.to_datetime(["2026-02-01", "2026-05-01",
                                                         "2026-08-01", "2026-08-02"]),
                           "amount": [100.0, 120.0, 50.0, 40.0]})
    fb = pd.DataFrame({"customer_id": ["a", "b"], "csat": [4, 3], "nps": [9, 5],
                       "rating_after_sales": [4, 3], "rating_price": [3, 4],
                       "response_date": pd.to_datetime(["2026-08-03", "2026-08-04"])})
    market = pd.DataFrame({"period": ["2026Q1", "2026Q2", "2026Q3"],
                           "market_size": [1000.0, 1000.0, 1000.0]})
    return orders, fb, market


def _inp(**tables):
    return pipeline.make_inputs(tables, P, 2, CompetitionSettings(), "en")


def test_flags_on_a_small_market():
    orders, fb, market = _orders_feedback()
    inp = _inp(orders=orders, feedback=fb, competitors=_competitors(), market=market)
    mk = pipeline.market_step(inp)
    assert mk["view"].set_index("period")["our_share"].round(3).to_dict() == {
        "2026Q1": 0.1, "2026Q2": 0.12, "2026Q3": 0.09}
    cmp = pipeline.compare_step(inp, mk)
    fl = {f["id"]: f for f in pipeline.flags(inp, mk, cmp, {"skipped": "x"})}
    cut = fl["competitor_price_cut_Cheap"]
    assert cut["severity"] == "warning"                 # no link to our customers given
    assert round(cut["evidence"]["price_change"], 2) == -0.17
    assert "competitor_price_cut_Premium" not in fl
    # one flag per competitor that leads, listing every lead
    premium = fl["competitor_ahead_Premium"]["evidence"]["leads"]
    assert set(premium) >= {"csat", "nps", "rating_after_sales", "market_share"}
    assert "rating_price" not in premium                 # 3.5 is par with our 3.5
    assert fl["competitor_share_gain_Cheap"]["evidence"]["streak"] == 2
    assert fl["market_share_loss"]["evidence"]["change"] < -0.01
    m = pipeline.metrics(inp, mk, cmp, {"skipped": "x"})
    assert m["Cheap_price_change"] == pytest.approx(-0.17)
    assert m["competitors_ahead"] == 2


def test_a_cut_that_hits_our_price_sensitive_customers_is_critical():
    orders, fb, market = _orders_feedback()
    inp = _inp(orders=orders, feedback=fb, competitors=_competitors(), market=market)
    mk = pipeline.market_step(inp)
    cmp = pipeline.compare_step(inp, mk)
    link = pd.DataFrame({"region": ["all"], "competitor": ["Cheap"], "price_change": [-0.17],
                         "share_change": [0.05], "cut": [True], "ps_change": [-0.65],
                         "ps_relative_change": [-0.5], "p_value": [1e-6]})
    fl = {f["id"]: f for f in pipeline.flags(inp, mk, cmp, {"link": link})}
    assert fl["competitor_price_cut_Cheap"]["severity"] == "critical"
    assert "50% more than the rest" in fl["competitor_price_cut_Cheap"]["message"]
    weak = link.assign(p_value=0.2)
    fl = {f["id"]: f for f in pipeline.flags(inp, mk, cmp, {"link": weak})}
    assert fl["competitor_price_cut_Cheap"]["severity"] == "warning"


def test_absent_tables_skip_their_sections():
    orders, fb, _ = _orders_feedback()
    inp = _inp(orders=orders, feedback=fb)
    assert inp.absent == ["competitors", "market"]
    mk = pipeline.market_step(inp)
    assert "view" not in mk and mk["ours"]["revenue"].tolist() == [100.0, 120.0, 90.0]
    cmp = pipeline.compare_step(inp, mk)
    assert cmp == {"skipped": "competitors"}
    assert pipeline.link_step(inp, cmp) == {"skipped": "competitors"}
    assert pipeline.flags(inp, mk, cmp, {"skipped": "competitors"}) == []
