import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from playbook.clean import (
    REASON_LABELS,
    REASONS,
    CleanResult,
    CleanSettings,
    as_id,
    before_after,
    clean_all,
    clean_table,
    missing_by_column,
    reconcile,
    to_bool,
    to_number,
)
from playbook.errors import ParameterError

WINDOW = {"window_start": "2026-07-01", "window_end": "2026-09-30", "today": "2026-10-15"}
KNOWN = ["001", "002", "003", "0042"]


def _orders() -> pd.DataFrame:
    rows = [
        # customer_id, order_date, amount, order_id, status           expected
        ("001", "2026-07-01", "¥1,234.50", "A1", "paid"),  # 0 kept
        ("", "2026-07-01", "10", "A2", "paid"),  # 1 missing_customer_id
        (None, "bad", "x", "A3", "paid"),  # 2 missing_customer_id (wins over date, amount)
        ("002", "bad", "10", "A4", "paid"),  # 3 unparseable_date
        ("002", None, "10", "A5", "paid"),  # 4 unparseable_date (missing)
        ("002", "2026-10-16", "10", "A6", "paid"),  # 5 future_date (wins over outside_window)
        ("002", "2026-06-30", "abc", "A7", "paid"),  # 6 outside_window (wins over amount)
        ("002", "2026-09-30 18:00", "20", "A8", "paid"),  # 7 kept: window_end covers its day
        ("003", "2026-07-05", "abc", "A9", "paid"),  # 8 non_numeric_amount
        ("003", "2026-07-05", None, "A10", "paid"),  # 9 non_numeric_amount (no amount)
        ("003", "2026-07-05", "2000000", "A11", "paid"),  # 10 absurd_amount
        ("999", "2026-07-05", "5", "A12", "paid"),  # 11 unknown_customer
        ("003", "2026-07-06", "-30", "A13", "paid"),  # 12 kept, a return (negative amount)
        ("003", "2026-07-06", "-30", "A13", "paid"),  # 13 exact_duplicate of 12
        ("003", "2026-07-07", "40", "A1", "paid"),  # 14 duplicate_key (A1 kept in row 0)
        ("0042", "20260708", "1 000", "A15", "已退款"),  # 15 kept, a return by status
        ("999", "2026-07-05", "5", "A12", "paid"),  # 16 unknown_customer, not a duplicate
    ]
    df = pd.DataFrame(rows, columns=["customer_id", "order_date", "amount", "order_id", "status"])
    return df.assign(source_row=np.arange(2, 2 + len(df)))


def test_every_reason_and_exact_counts_on_a_fixture_full_of_bad_rows():
    res = clean_table(_orders(), "orders", known_customers=KNOWN, **WINDOW)
    assert res.rows_in == 17
    assert res.by_reason == {
        "missing_customer_id": 2, "unparseable_date": 2, "future_date": 1, "outside_window": 1,
        "non_numeric_amount": 2, "absurd_amount": 1, "rating_off_scale": 0,
        "unknown_customer": 2, "exact_duplicate": 1, "duplicate_key": 1,
    }
    assert len(res.kept) == 4 and len(res.rejected) == 13
    assert res.kept["source_row"].tolist() == [2, 9, 14, 17]
    got = dict(zip(res.rejected["source_row"], res.rejected["reason"], strict=True))
    assert got == {
        3: "missing_customer_id", 4: "missing_customer_id", 5: "unparseable_date",
        6: "unparseable_date", 7: "future_date", 8: "outside_window",
        10: "non_numeric_amount", 11: "non_numeric_amount", 12: "absurd_amount",
        13: "unknown_customer", 15: "exact_duplicate", 16: "duplicate_key",
        18: "unknown_customer",
    }


def test_kept_orders_are_typed_and_returns_are_flagged():
    res = clean_table(_orders(), "orders", known_customers=KNOWN, **WINDOW)
    k = res.kept
    assert k["amount"].tolist() == [1234.5, 20.0, -30.0, 1000.0]
    assert k["customer_id"].tolist() == ["001", "002", "003", "0042"]
    assert k["is_return"].tolist() == [False, False, True, True]
    assert k["order_date"].dtype == "datetime64[ns]"
    assert k["order_date"].iloc[3] == pd.Timestamp("2026-07-08")
    assert k["amount"].dtype == "float64"


def test_rejected_keeps_raw_values_as_strings():
    res = clean_table(_orders(), "orders", known_customers=KNOWN, **WINDOW)
    rej = res.rejected.set_index("source_row")
    assert rej.loc[11, "amount"] is pd.NA or pd.isna(rej.loc[11, "amount"])
    assert rej.loc[10, "amount"] == "abc"
    assert rej.loc[5, "order_date"] == "bad"
    assert list(res.rejected.columns) == [
        "customer_id", "order_date", "amount", "order_id", "status", "source_row", "reason"]


def test_input_not_mutated():
    df = _orders()
    before = df.copy()
    clean_table(df, "orders", known_customers=KNOWN, **WINDOW)
    pdt.assert_frame_equal(df, before)


def test_without_known_customers_unknown_rows_are_kept():
    res = clean_table(_orders(), "orders", **WINDOW)
    assert res.by_reason["unknown_customer"] == 0
    # row 16 is now an exact duplicate of row 11 (which is kept)
    assert res.by_reason["exact_duplicate"] == 2
    assert len(res.kept) == 5


def test_quantity_and_unit_price_give_amount_and_limits():
    df = pd.DataFrame({
        "customer_id": ["1", "1", "1", "1", "1", "1", "1"],
        "order_date": ["2026-07-01"] * 7,
        "quantity": [2, -1, 0, 20000, 1, "x", 3],
        "unit_price": ["¥3.5", 3.5, 5, 1, -2, 2, None],
    }, dtype=object)
    res = clean_table(df, "orders", **WINDOW)
    assert res.kept["amount"].tolist() == [7.0, -3.5]
    assert res.kept["is_return"].tolist() == [False, True]
    assert res.rejected["reason"].tolist() == [
        "absurd_amount", "absurd_amount", "absurd_amount", "non_numeric_amount",
        "non_numeric_amount"]
    assert res.rejected["source_row"].tolist() == [2, 3, 4, 5, 6]


def test_bad_amount_is_rejected_even_when_quantity_and_price_are_fine():
    df = pd.DataFrame({"customer_id": ["1", "1"], "order_date": ["2026-07-01"] * 2,
                       "amount": ["abc", None], "quantity": [2, 2], "unit_price": [3, 3]})
    res = clean_table(df, "orders", **WINDOW)
    assert res.rejected["reason"].tolist() == ["non_numeric_amount"]
    assert res.kept["amount"].tolist() == [6.0]


def test_settings_limits_apply():
    df = pd.DataFrame({"customer_id": ["1", "2"], "order_date": ["2026-07-01"] * 2,
                       "amount": [500, 50]})
    res = clean_table(df, "orders", settings=CleanSettings(max_amount=100), **WINDOW)
    assert res.by_reason["absurd_amount"] == 1 and res.kept["customer_id"].tolist() == ["2"]
    with pytest.raises(ParameterError, match="max_amount"):
        CleanSettings(max_amount=-1)


def test_exact_versus_key_duplicates_and_key_without_product():
    df = pd.DataFrame({
        "customer_id": ["1", "1", "1", "1"],
        "order_date": ["2026-07-01", "2026-07-01", "20260701", "2026-07-02"],
        "amount": ["10", "10", "10.0", "10"],
        "order_id": ["X", "X", "X", "X"],
        "source_row": [0, 1, 2, 3],
        "source_file": ["a.csv", "a.csv", "b.csv", "b.csv"],
    })
    res = clean_table(df, "orders", **WINDOW)
    # rows 1 and 2 equal row 0 after typing (same date, same number); row 3 only shares order_id
    assert res.rejected["reason"].tolist() == ["exact_duplicate", "exact_duplicate",
                                               "duplicate_key"]
    assert res.rejected["source_file"].tolist() == ["a.csv", "b.csv", "b.csv"]
    assert res.kept["source_row"].tolist() == [0]


def test_order_lines_with_product_are_not_key_duplicates():
    df = pd.DataFrame({
        "customer_id": ["1", "1", "1"], "order_date": ["2026-07-01"] * 3,
        "order_id": ["536365", "536365", "536365"], "product_id": ["85123A", "71053", "71053"],
        "quantity": [6, 6, 8], "unit_price": [2.55, 3.39, 3.39],
    })
    res = clean_table(df, "orders", **WINDOW)
    assert len(res.kept) == 2 and res.rejected["reason"].tolist() == ["duplicate_key"]
    one_key = CleanSettings(dedupe_keys={"orders": ("order_id",)})
    res = clean_table(df, "orders", settings=one_key, **WINDOW)
    assert len(res.kept) == 1 and res.by_reason["duplicate_key"] == 2


def test_ids_keep_leading_zeros_and_lose_float_suffix():
    got = as_id(pd.Series([" 007 ", "0042", 123.0, np.nan, "", 55], dtype=object))
    assert got.iloc[[0, 1, 2, 5]].tolist() == ["007", "0042", "123", "55"]
    assert got.iloc[[3, 4]].isna().all()
    assert as_id(pd.Series([123.0, 4.0])).tolist() == ["123", "4"]


def test_to_number_and_to_bool():
    got = to_number(pd.Series(["¥1,234.50", "￥ 2 000", "RMB 30", "45元", "(12)", "−5", "abc",
                               None, "1e3"]))
    assert got.iloc[:6].tolist() == [1234.5, 2000.0, 30.0, 45.0, -12.0, -5.0]
    assert got.iloc[[6, 7]].isna().all() and got.iloc[8] == 1000.0
    b = to_bool(pd.Series(["true", "FALSE", "1", "0", "是", "否", "yes", "No", "maybe", None]))
    assert b.iloc[:8].tolist() == [True, False, True, False, True, False, True, False]
    assert b.iloc[8:].isna().all()


def test_feedback_rating_off_scale_and_scrubbed_comment():
    df = pd.DataFrame({
        "customer_id": ["1"] * 8,
        "response_date": ["2026-07-0" + str(i) for i in range(1, 9)],
        "csat": ["5", "6", "4", "4.5", "3", "good", None, "0"],
        "nps": [10, 9, 11, 9, 9, 9, 9, 9],
        "rating_service": [4, 4, 4, 4, 0, 4, 4, 4],
        "comment": ["很好，联系我13812341234", None, None, None, None, None, "ok", None],
    })
    res = clean_table(df, "feedback", **WINDOW)
    assert res.by_reason["rating_off_scale"] == 6
    assert res.kept["source_row"].tolist() == [0, 6]
    assert res.kept["comment"].tolist() == ["很好，联系我138****1234", "ok"]
    assert res.kept["csat"].iloc[0] == 5.0 and np.isnan(res.kept["csat"].iloc[1])


def _customers() -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": ["001", "002", "002", None, "003", "0042"],
        "name": ["张三丰", "李四", "李四四", "王五", "赵六", "John Smith"],
        "phone": ["13812341234", "13912345678", None, "13700000000", "13600000000", None],
        "email": ["alice@example.com", None, None, "w@x.cn", None, None],
        "signup_date": ["2020-01-05", "2021-03-01", "2021-03-02", "2020-01-01", "not a date",
                        None],
        "region": ["east", "east", "east", "west", "west", "west"],
    })


def test_customers_masked_in_kept_and_rejected():
    df = _customers()
    before = df.copy()
    res = clean_table(df, "customers", **WINDOW)
    pdt.assert_frame_equal(df, before)
    assert res.kept["customer_id"].tolist() == ["001", "002", "0042"]
    assert res.kept["name"].tolist() == ["张**", "李*", "J*********"]
    assert res.kept["phone"].iloc[0] == "138****1234"
    assert res.kept["email"].iloc[0] == "a****@example.com"
    assert pd.isna(res.kept["signup_date"].iloc[2])  # missing signup date is fine
    assert res.rejected["reason"].tolist() == ["duplicate_key", "missing_customer_id",
                                               "unparseable_date"]
    assert res.rejected["name"].tolist() == ["李**", "王*", "赵*"]
    assert res.rejected["phone"].iloc[1:].tolist() == ["137****0000", "136****0000"]
    assert res.rejected["email"].iloc[1] == "*@x.cn"
    for frame in (res.kept, res.rejected):
        text = frame.astype(str).to_string()
        for raw in ("张三丰", "李四四", "13812341234", "alice@example.com", "13700000000"):
            assert raw not in text


def test_complaints_text_scrubbed_booleans_and_other_dates():
    df = pd.DataFrame({
        "customer_id": ["1", "1", "2"],
        "opened_at": ["2026-07-01", "2026-07-02", "2026-05-01"],
        "closed_at": ["2026-07-03", "soon", "2026-05-02"],
        "resolved": ["是", "no", "1"],
        "ticket_id": ["T1", "T2", "T3"],
        "text": ["退款没到，电话 138 1234 1234", "邮件 bob@example.com", "身份证 11010119900307123X"],
    })
    res = clean_table(df, "complaints", **WINDOW)
    assert res.kept["resolved"].tolist() == [True, False]
    assert res.kept["closed_at"].iloc[0] == pd.Timestamp("2026-07-03")
    assert pd.isna(res.kept["closed_at"].iloc[1])
    assert res.kept["text"].tolist() == ["退款没到，电话 138****1234", "邮件 b**@example.com"]
    assert res.rejected["reason"].tolist() == ["outside_window"]
    assert res.rejected["text"].tolist() == ["身份证 110***********123X"]


def test_competitors_are_not_windowed_and_numbers_parse():
    df = pd.DataFrame({"competitor": ["A", "B"], "period": ["2024Q1", "2026Q3"],
                       "market_share": ["12.5", "30"], "csat": ["4.2", "3.9"],
                       "delivery_days": ["2", "3"], "note": ["x", "2"]})
    res = clean_table(df, "competitors", **WINDOW)
    assert len(res.kept) == 2 and len(res.rejected) == 0
    assert res.kept["market_share"].tolist() == [12.5, 30.0]
    assert res.kept["csat"].tolist() == [4.2, 3.9]  # aggregates: not checked for scale
    assert res.kept["delivery_days"].tolist() == [2.0, 3.0]
    assert res.kept["note"].tolist() == ["x", "2"]


def test_input_column_named_reason_is_kept_in_rejected():
    df = pd.DataFrame({"customer_id": [None], "opened_at": ["2026-07-01"], "reason": ["late"]})
    res = clean_table(df, "complaints", **WINDOW)
    assert res.rejected[["reason_original", "reason"]].values.tolist() == [
        ["late", "missing_customer_id"]]


def test_interactions_windowed_on_date():
    df = pd.DataFrame({"customer_id": ["1", "1", "1"], "date": ["2026-07-01", "2026-06-30",
                                                                 "2026-10-01"],
                       "type": ["visit", "click", "like"], "count": ["3", "1", "2"]})
    res = clean_table(df, "interactions", **WINDOW)
    assert res.kept["count"].tolist() == [3.0]
    assert res.rejected["reason"].tolist() == ["outside_window", "outside_window"]


def test_bad_parameters():
    with pytest.raises(ParameterError, match="'table' parameter"):
        clean_table(_orders(), "invoices", **WINDOW)
    with pytest.raises(ParameterError, match="'today' parameter"):
        clean_table(_orders(), "orders", window_start=None, window_end=None, today="someday")


def test_clean_all_checks_customers_first_and_reconciles():
    orders = _orders()
    results = clean_all({"orders": orders, "customers": _customers()}, **WINDOW)
    assert list(results) == ["customers", "orders"]
    # kept customers: 001, 002, 0042 (003 has a bad signup date), so 003's orders are unknown
    o = results["orders"]
    assert o.kept["customer_id"].tolist() == ["001", "002", "0042"]
    # 999 twice, and 003's three otherwise valid rows (A13, its twin, A1 again)
    assert o.by_reason["unknown_customer"] == 5
    assert o.by_reason["exact_duplicate"] == 0 and o.by_reason["duplicate_key"] == 0
    rec = reconcile(results)
    assert rec["balanced"] is True
    assert rec["orders"] == {"rows_in": 17, "rows_kept": 3, "rows_rejected": 14,
                             "by_reason": o.by_reason, "balanced": True}
    assert rec["customers"]["rows_rejected"] == 3


def test_reconcile_detects_imbalance():
    res = clean_table(_orders(), "orders", **WINDOW)
    broken = CleanResult(kept=res.kept.iloc[1:], rejected=res.rejected, rows_in=res.rows_in,
                         by_reason=res.by_reason)
    rec = reconcile({"orders": broken})
    assert rec["orders"]["balanced"] is False and rec["balanced"] is False


def test_missing_by_column_and_before_after():
    df = pd.DataFrame({"a": ["x", None, " "], "b": [1.0, 2.0, np.nan], "source_row": [0, 1, 2]})
    got = missing_by_column(df)
    assert got["column"].tolist() == ["a", "b"]
    assert got["missing"].tolist() == [2, 1]
    assert got["share"].tolist() == pytest.approx([2 / 3, 1 / 3])
    results = clean_all({"orders": _orders()}, **WINDOW)
    ba = before_after(results)
    assert ba.to_dict("records") == [{"table": "orders", "rows_in": 17, "rows_kept": 5,
                                      "rows_rejected": 12, "returns_kept": 2}]


def test_reason_labels_cover_every_reason():
    for lang in ("zh", "en"):
        assert set(REASON_LABELS[lang]) == set(REASONS)


def test_exact_duplicates_can_be_kept_when_rows_have_no_id():
    """Without a transaction id, identical purchases may be real (CDNOW): the setting keeps them."""
    df = pd.DataFrame({"customer_id": ["1", "1", "2"], "order_date": ["19970101"] * 3,
                       "amount": ["11.77", "11.77", "5"], "source_row": [0, 1, 2]})
    kwargs = dict(window_start=pd.Timestamp("1997-01-01"), window_end=pd.Timestamp("1998-06-30"),
                  today=pd.Timestamp("2026-01-01"))
    dropped = clean_table(df, "orders", **kwargs)
    kept = clean_table(df, "orders", settings=CleanSettings(drop_exact_duplicates=False), **kwargs)
    assert dropped.by_reason.get("exact_duplicate") == 1 and len(dropped.kept) == 2
    assert len(kept.kept) == 3 and kept.by_reason.get("exact_duplicate", 0) == 0
