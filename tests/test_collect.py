import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from playbook.collect import (
    collect_metrics,
    inventory,
    missing_inputs,
    monthly_coverage,
    scope_to_unit,
    unit_values,
)
from playbook.errors import ParameterError


def _tables(orders_region: bool) -> dict[str, pd.DataFrame]:
    customers = pd.DataFrame({
        "customer_id": ["c1", "c2", "c3", "c4"],
        "region": ["east", " east ", "west", None],
        "signup_date": ["2025-01-01", "2025-02-01", "bad", None],
    })
    orders = pd.DataFrame({
        "customer_id": ["c1", "c3", "c4", None, "c2", "c3"],
        "order_date": ["2026-07-01", "2026-07-02", "2026-07-03", "2026-07-04", "2026-09-01",
                       "2026-09-15"],
        "amount": [10, 20, 30, 40, 50, 60],
    })
    if orders_region:
        # c3 also buys in the east; the order without a region belongs to no unit
        orders["region"] = ["east", "east", "west", "west", None, "west"]
    feedback = pd.DataFrame({"customer_id": ["c1", "c2", "c3", "c4", "c9"],
                             "response_date": ["2026-07-05"] * 5, "csat": [5, 4, 3, 2, 1]})
    complaints = pd.DataFrame({"customer_id": ["c3", "c4"], "opened_at": ["2026-08-01"] * 2})
    competitors = pd.DataFrame({"competitor": ["A", "B"], "period": ["2026Q3"] * 2,
                                "region": ["east", "west"]})
    market = pd.DataFrame({"period": ["2026Q3"], "market_size": [1000]})
    return {"orders": orders, "customers": customers, "feedback": feedback,
            "complaints": complaints, "competitors": competitors, "market": market}


def test_scope_total_returns_copies():
    tables = _tables(True)
    got = scope_to_unit(tables, "region", "total")
    assert set(got) == set(tables)
    for name, df in tables.items():
        pdt.assert_frame_equal(got[name], df)
        assert got[name] is not df
    assert scope_to_unit(tables, None, "east")["orders"].shape == (6, 4)


def test_scope_with_unit_column_in_orders():
    tables = _tables(True)
    before = {k: v.copy() for k, v in tables.items()}
    east = scope_to_unit(tables, "region", "east")
    assert east["orders"]["amount"].tolist() == [10, 20]
    assert east["customers"]["customer_id"].tolist() == ["c1", "c2"]  # own column, stripped
    # feedback: customers of east (c1, c2) plus customers with east orders (c3)
    assert east["feedback"]["customer_id"].tolist() == ["c1", "c2", "c3"]
    assert east["complaints"]["customer_id"].tolist() == ["c3"]
    assert east["competitors"]["competitor"].tolist() == ["A"]
    assert east["market"]["market_size"].tolist() == [1000]  # no unit column: all rows
    west = scope_to_unit(tables, "region", "west")
    assert west["orders"]["amount"].tolist() == [30, 40, 60]
    assert west["feedback"]["customer_id"].tolist() == ["c3", "c4"]
    # the order with no region (c2, 50) is in no unit
    assert 50 not in east["orders"]["amount"].tolist() + west["orders"]["amount"].tolist()
    for k in tables:
        pdt.assert_frame_equal(tables[k], before[k])


def test_scope_without_unit_column_in_orders_goes_through_customers():
    tables = _tables(False)
    east = scope_to_unit(tables, "region", "east")
    assert east["orders"]["amount"].tolist() == [10, 50]  # c1, c2
    west = scope_to_unit(tables, "region", "west")
    assert west["orders"]["amount"].tolist() == [20, 60]  # c3; c4 has no region
    # the order without a customer id and c4's order appear in no unit
    assert west["feedback"]["customer_id"].tolist() == ["c3"]
    assert west["complaints"]["customer_id"].tolist() == ["c3"]


def test_scope_customers_without_unit_column_follow_their_orders():
    tables = _tables(True)
    tables["customers"] = tables["customers"].drop(columns="region")
    east = scope_to_unit(tables, "region", "east")
    assert east["customers"]["customer_id"].tolist() == ["c1", "c3"]
    assert east["feedback"]["customer_id"].tolist() == ["c1", "c3"]


def test_scope_ids_compared_as_text():
    tables = {"orders": pd.DataFrame({"customer_id": [1.0, 2.0], "order_date": ["2026-07-01"] * 2,
                                      "amount": [1, 2]}),
              "customers": pd.DataFrame({"customer_id": ["1", "2"], "region": ["e", "w"]})}
    assert scope_to_unit(tables, "region", "e")["orders"]["amount"].tolist() == [1]


def test_scope_unknown_unit_column_raises():
    with pytest.raises(ParameterError, match="'unit_column' parameter"):
        scope_to_unit(_tables(False), "branch", "east")


def test_unit_values():
    assert unit_values(_tables(True), "region") == ["east", "west"]
    assert unit_values(_tables(False), "region") == ["east", "west"]
    assert unit_values(_tables(True), None) == []


def test_inventory():
    tables = _tables(False)
    tables["orders"] = tables["orders"].assign(source_row=range(6))
    meta = {"orders": {"location": "data/orders.csv", "fingerprint": "abc", "encoding": "utf-8",
                       "format": "csv"}}
    inv = inventory(tables, meta).set_index("table")
    assert list(inv.index) == ["orders", "customers", "feedback", "complaints", "competitors",
                               "market"]
    assert inv.loc["orders", "rows"] == 6 and inv.loc["orders", "columns"] == 3
    assert inv.loc["orders", "date_from"] == pd.Timestamp("2026-07-01")
    assert inv.loc["orders", "date_to"] == pd.Timestamp("2026-09-15")
    assert inv.loc["orders", "location"] == "data/orders.csv"
    assert inv.loc["customers", "dates_parsed"] == pytest.approx(2 / 3)
    assert inv.loc["customers", "date_column"] == "signup_date"
    assert pd.isna(inv.loc["customers", "location"])
    assert np.isnan(inv.loc["market", "dates_parsed"])


def test_monthly_coverage_zero_fills():
    tables = {
        "orders": pd.DataFrame({"order_date": ["2026-01-15", "2026-01-20", "2026-04-02", "bad"]}),
        "feedback": pd.DataFrame({"response_date": ["2026-02-01"]}),
        "customers": pd.DataFrame({"signup_date": ["2019-01-01"]}),
        "market": pd.DataFrame({"period": ["2026Q1"]}),
    }
    cov = monthly_coverage(tables)
    assert cov.index.tolist() == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert cov.index.name == "month"
    assert list(cov.columns) == ["orders", "feedback"]
    assert cov["orders"].tolist() == [2, 0, 0, 1]
    assert cov["feedback"].tolist() == [0, 1, 0, 0]
    clipped = monthly_coverage(tables, start="2026-02-10", end="2026-03-31")
    assert clipped.index.tolist() == ["2026-02"]
    metrics = collect_metrics(tables, coverage=cov)
    assert metrics["months_covered"] == 3 and metrics["months_empty"] == 1
    assert metrics["rows_orders"] == 4 and metrics["tables_present"] == 4
    assert metrics["tables_absent"] == 3 and metrics["rows_total"] == 7


def test_monthly_coverage_without_dates_is_empty():
    cov = monthly_coverage({"market": pd.DataFrame({"period": ["2026Q1"]})})
    assert cov.empty and cov.index.name == "month"


def test_missing_inputs_orders_only():
    orders = pd.DataFrame({"customer_id": ["1"], "order_date": ["2026-07-01"], "amount": [1],
                           "category": ["x"]})
    got = missing_inputs({"orders": orders}, "en")
    tables = got.loc[got["kind"] == "table", "missing"].tolist()
    assert tables == ["customers", "feedback", "complaints", "interactions", "competitors",
                      "market"]
    columns = got.loc[got["kind"] == "column", "missing"].tolist()
    assert columns == ["orders.channel", "orders.order_id", "orders.status"]
    row = got.set_index("missing")
    assert "CSAT and NPS" in row.loc["feedback", "disables"]
    assert "04_feedback" in row.loc["feedback", "stages"]
    assert "05_competition" in row.loc["competitors", "stages"]
    assert "unknown-customer check" in row.loc["customers", "disables"]
    zh = missing_inputs({"orders": orders}, "zh").set_index("missing")
    assert "净推荐值" in zh.loc["feedback", "disables"]
    metrics = collect_metrics({"orders": orders}, missing=got)
    assert metrics["inputs_missing"] == 9


def test_missing_inputs_columns():
    customers = pd.DataFrame({"customer_id": ["1"], "age": [30], "gender": ["f"],
                              "signup_date": ["2020-01-01"], "acquisition_channel": ["web"],
                              "customer_type": ["individual"]})
    feedback = pd.DataFrame({"customer_id": ["1"], "response_date": ["2026-07-01"],
                             "csat": [5], "nps": [9], "comment": ["ok"]})
    complaints = pd.DataFrame({"customer_id": ["1"], "opened_at": ["2026-07-01"],
                               "category": ["x"], "first_response_at": [None], "resolved": [1]})
    tables = {"orders": pd.DataFrame({"customer_id": ["1"], "order_date": ["x"], "amount": [1],
                                      "order_id": ["o"], "status": ["s"], "category": ["c"],
                                      "channel": ["c"]}),
              "customers": customers, "feedback": feedback, "complaints": complaints}
    got = missing_inputs(tables, "en")
    assert got.loc[got["kind"] == "column", "missing"].tolist() == [
        "feedback.rating_*", "complaints.closed_at"]
    no_age = dict(tables, customers=customers.drop(columns="age"))
    got = missing_inputs(no_age, "en").set_index("missing")
    assert "under-30" in got.loc["customers.birth_year / customers.age", "disables"]
    with pytest.raises(ParameterError, match="'language' parameter"):
        missing_inputs(tables, "fr")
