"""Reading every source format, encodings, the column mapping, sample checks and fingerprints."""
from __future__ import annotations

import re

import duckdb
import pandas as pd
import pytest
import sqlalchemy as sa

from playbook import readers
from playbook.errors import BadValueError, MissingColumnError, SourceNotFoundError, SourceReadError
from playbook.sources import (
    SUPPORTED_SUFFIXES,
    SourceSpec,
    apply_mapping,
    detect_encoding,
    fingerprint,
    read_source,
    read_table,
    sample_check,
    source_columns,
    to_number,
)

FRAME = pd.DataFrame({
    "customer_id": ["007", "012", "123"],
    "order_date": ["2026-07-01", "20260702", "2026-07-03 13:45:00"],
    "amount": ["11.77", "1,200.50", "-5"],
    "city": ["上海", "北京", "深圳"],
})


def spec(path, **kw) -> SourceSpec:
    return SourceSpec(table="orders", path=path, **kw)


def values(df: pd.DataFrame) -> list[list]:
    return df.drop(columns=["source_row", "source_file"], errors="ignore").values.tolist()


WRITERS = {
    "orders.csv": lambda p: FRAME.to_csv(p, index=False),
    "orders.tsv": lambda p: FRAME.to_csv(p, index=False, sep="\t"),
    "semicolon.txt": lambda p: FRAME.to_csv(p, index=False, sep=";"),
    "pipe.csv": lambda p: FRAME.to_csv(p, index=False, sep="|"),
    "orders.xlsx": lambda p: FRAME.to_excel(p, index=False),
    "orders.parquet": lambda p: FRAME.to_parquet(p, index=False),
    "records.json": lambda p: FRAME.to_json(p, orient="records", force_ascii=False),
    "lines.jsonl": lambda p: FRAME.to_json(p, orient="records", lines=True, force_ascii=False),
    "lines.json": lambda p: FRAME.to_json(p, orient="records", lines=True),
}


@pytest.mark.parametrize("name", list(WRITERS))
def test_every_file_format_round_trips(tmp_path, name):
    path = tmp_path / name
    WRITERS[name](path)
    df = read_source(spec(path))
    assert list(df.columns) == [*FRAME.columns, "source_row"]
    assert values(df) == FRAME.values.tolist()
    assert df["source_row"].tolist() == [0, 1, 2]
    assert df["source_row"].dtype == "int64"


def test_nrows_and_source_columns(tmp_path):
    path = tmp_path / "orders.csv"
    WRITERS["orders.csv"](path)
    assert read_source(spec(path), nrows=2)["customer_id"].tolist() == ["007", "012"]
    assert len(read_source(spec(path), nrows=0)) == 0
    assert source_columns(spec(path)) == list(FRAME.columns)


def test_text_keeps_raw_strings_and_only_empty_fields_are_na(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("customer_id,amount,note\n000123,1.50,NA\n0042,,null\n", encoding="utf-8")
    df = read_source(spec(path))
    assert df["customer_id"].tolist() == ["000123", "0042"]
    assert df["amount"].iloc[0] == "1.50"
    assert df["amount"].isna().tolist() == [False, True]
    assert df["note"].tolist() == ["NA", "null"]


def test_parquet_index_is_kept_as_a_column(tmp_path):
    path = tmp_path / "orders.parquet"
    FRAME.set_index("customer_id").to_parquet(path)
    df = read_source(spec(path))
    assert df["customer_id"].tolist() == ["007", "012", "123"]
    assert read_source(spec(path), nrows=1)["customer_id"].tolist() == ["007"]


def test_folder_concatenates_sorted_files_with_source_file(tmp_path):
    FRAME.iloc[:2].to_csv(tmp_path / "a_2026-07.csv", index=False)
    FRAME.iloc[2:].to_excel(tmp_path / "b_2026-08.xlsx", index=False)
    FRAME.iloc[:1].to_json(tmp_path / "c.jsonl", orient="records", lines=True, force_ascii=False)
    (tmp_path / "README.md").write_text("not data")
    (tmp_path / ".hidden.csv").write_text("x\n1\n")
    df = read_source(spec(tmp_path))
    assert df["source_file"].tolist() == ["a_2026-07.csv"] * 2 + ["b_2026-08.xlsx", "c.jsonl"]
    assert df["source_row"].tolist() == [0, 1, 0, 0]
    assert values(df) == FRAME.values.tolist() + FRAME.values.tolist()[:1]
    assert list(df.columns[-2:]) == ["source_file", "source_row"]
    assert read_source(spec(tmp_path), nrows=3)["source_file"].tolist()[-1] == "b_2026-08.xlsx"
    assert len(read_source(spec(tmp_path), nrows=3)) == 3


def test_duckdb_file_by_path_url_and_scheme(tmp_path):
    path = tmp_path / "shop.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create table orders as select * from FRAME")
    con.close()
    by_path = read_source(SourceSpec("orders", url=str(path), db_table="orders"))
    assert values(by_path) == FRAME.values.tolist()
    query = SourceSpec("orders", url=f"duckdb:///{path}",
                       query="select city from orders where customer_id <> '012'")
    assert read_source(query)["city"].tolist() == ["上海", "深圳"]
    assert read_source(spec(path, db_table="orders"), nrows=1)["customer_id"].tolist() == ["007"]
    with pytest.raises(SourceReadError, match="tables present: orders"):
        read_source(SourceSpec("orders", url=str(path), db_table="nope"))


def test_sqlite_through_sqlalchemy(tmp_path):
    path = tmp_path / "shop.db"
    engine = sa.create_engine(f"sqlite:///{path}")
    FRAME.to_sql("orders", engine, index=False)
    engine.dispose()
    url = f"sqlite:///{path}"
    assert values(read_source(SourceSpec("orders", url=url, db_table="orders"))) == \
        FRAME.values.tolist()
    q = SourceSpec("orders", url=url, query="select customer_id from orders order by customer_id desc")
    assert read_source(q)["customer_id"].tolist() == ["123", "012", "007"]
    assert read_source(q, nrows=2)["source_row"].tolist() == [0, 1]
    assert source_columns(SourceSpec("orders", url=url, db_table="orders")) == list(FRAME.columns)
    # a bare .db path holding SQLite goes through SQLAlchemy too
    assert len(read_source(SourceSpec("orders", url=str(path), db_table="orders"))) == 3
    with pytest.raises(SourceReadError, match="no table 'nope'; tables present: orders"):
        read_source(SourceSpec("orders", url=url, db_table="nope"))
    with pytest.raises(SourceNotFoundError, match="no such database file"):
        read_source(SourceSpec("orders", url=f"sqlite:///{tmp_path / 'gone.db'}",
                               db_table="orders"))


@pytest.mark.parametrize(("written", "detected"),
                         [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030")])
def test_encodings_are_detected(tmp_path, written, detected):
    path = tmp_path / "orders.csv"
    FRAME.to_csv(path, index=False, encoding=written)
    assert detect_encoding(path) == detected
    df = read_source(spec(path))
    assert df.attrs["encoding"] == detected
    assert list(df.columns[:1]) == ["customer_id"]  # no BOM glued to the first header
    assert values(df) == FRAME.values.tolist()


def test_detection_survives_characters_split_across_chunks(tmp_path, monkeypatch):
    path = tmp_path / "orders.csv"
    path.write_text("city\n" + "上海北京深圳\n" * 20, encoding="utf-8")
    monkeypatch.setattr(readers, "_CHUNK", 7)  # 7 is not a multiple of 3-byte characters
    assert detect_encoding(path) == "utf-8"
    path.write_text("city\n" + "上海北京深圳\n" * 20, encoding="gbk")
    assert detect_encoding(path) == "gb18030"


def test_undecodable_text_names_the_file_and_the_encodings(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("customer_id,city\n007,上海\n", encoding="utf-16")
    with pytest.raises(SourceReadError) as info:
        read_source(spec(path))
    message = str(info.value)
    assert "export.csv" in message and "UTF-8, UTF-8 with BOM or GBK/GB18030" in message
    assert "UTF-16" in message


def test_explicit_wrong_encoding_is_a_read_error(tmp_path):
    path = tmp_path / "orders.csv"
    FRAME.to_csv(path, index=False, encoding="gbk")
    with pytest.raises(SourceReadError, match="not valid utf-8 text"):
        read_source(spec(path, encoding="utf-8"))
    assert values(read_source(spec(path, encoding="gbk"))) == FRAME.values.tolist()


def test_headerless_whitespace_file_like_cdnow(tmp_path):
    path = tmp_path / "CDNOW_master.txt"
    path.write_text("00001 19970101  1  11.77\n00002 19970112  1  12.00\n"
                    "   00002 19970112  5  77.00\n")
    names = ("customer_id", "order_date", "quantity", "amount")
    df = read_source(spec(path, header=False, names=names))
    assert list(df.columns) == [*names, "source_row"]
    assert df["customer_id"].tolist() == ["00001", "00002", "00002"]
    assert df["amount"].tolist() == ["11.77", "12.00", "77.00"]
    plain = read_source(spec(path, header=False))
    assert list(plain.columns) == ["column_1", "column_2", "column_3", "column_4", "source_row"]
    with pytest.raises(SourceReadError, match="3 names but the file has 4 columns"):
        read_source(spec(path, header=False, names=names[:3]))


@pytest.mark.parametrize(("sample", "expected"), [
    ("a,b,c\n1,2,3\n", ","),
    ("a;b\n1,5;2,5\n3,0;4,0\n", ";"),
    ("a\tb c\n1\t2 3\n", "\t"),
    ("a|b\n1|2\n", "|"),
    ("00001 19970101  1  11.77\n00002 19970112  1  12.00\n", readers.WHITESPACE),
    ("name\nZhang San\nLi Si\n", ","),
])
def test_sniff_delimiter(sample, expected):
    assert readers.sniff_delimiter(sample) == expected


def test_mapping_derives_amount_from_quantity_and_price():
    raw = pd.DataFrame({"CustID": ["1", "2", "3", "4"], "Date": ["20260701"] * 4,
                        "Qty": ["2", "3", "", "1"], "Price": ["¥1,000.50", "$2", "5", "n/a"]})
    mapping = {"customer_id": "CustID", "order_date": "Date", "quantity": "Qty",
               "unit_price": "Price"}
    out = apply_mapping(raw, mapping, "orders", "orders.csv")
    assert list(out.columns) == ["customer_id", "order_date", "quantity", "unit_price", "amount"]
    assert out["amount"].iloc[:2].tolist() == [2001.0, 6.0]  # 2 x 1000.50, 3 x 2
    assert out["amount"].iloc[2:].isna().tolist() == [True, True]
    assert out.attrs["amount_derived"] is True
    assert list(raw.columns) == ["CustID", "Date", "Qty", "Price"] and raw.attrs == {}


def test_mapping_matches_headers_case_insensitively():
    raw = pd.DataFrame({" Customer_ID ": ["1"], "ORDER_DATE": ["2026-07-01"], "Amount": ["3"],
                        "Note": ["x"]})
    out = apply_mapping(raw, {}, "orders", "orders.csv")
    assert list(out.columns) == ["customer_id", "order_date", "amount", "Note"]
    assert "amount_derived" not in out.attrs
    fb = pd.DataFrame({"customer_id": ["1"], "response_date": ["2026-07-01"],
                       "NPS": ["9"], "Rating_Service": ["4"]})
    assert list(apply_mapping(fb, {}, "feedback", "fb.csv").columns) == [
        "customer_id", "response_date", "nps", "rating_service"]


def test_mapping_keeps_a_clashing_unmapped_column():
    raw = pd.DataFrame({"cid": ["1"], "order_date": ["2026-07-01"], "Revenue": ["9"],
                        "amount": ["7"]})
    out = apply_mapping(raw, {"customer_id": "cid", "amount": "Revenue"}, "orders", "o.csv")
    assert out["amount"].tolist() == ["9"]
    assert out["amount_unmapped"].tolist() == ["7"]


def test_missing_mapped_column_message():
    raw = pd.DataFrame({"CustID": ["1"], "Date": ["2026-07-01"], "Amount": ["1"]})
    with pytest.raises(MissingColumnError) as info:
        apply_mapping(raw, {"customer_id": "CustomerID", "order_date": "Date"}, "orders",
                      "/data/orders.csv")
    message = str(info.value)
    for part in ("/data/orders.csv", "'customer_id'", "'CustomerID'", "CustID, Date, Amount",
                 "Did you mean 'CustID'?", "columns.orders.customer_id"):
        assert part in message
    assert info.value.column == "customer_id"


def test_missing_amount_names_both_ways():
    raw = pd.DataFrame({"customer_id": ["1"], "order_date": ["2026-07-01"], "quantity": ["1"]})
    with pytest.raises(MissingColumnError, match=r"amount or \(quantity, unit_price\)"):
        apply_mapping(raw, {}, "orders", "o.csv")


def test_read_table_maps_and_keeps_attrs(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("客户,日期,数量,单价\n007,2026-07-01,2,3.5\n", encoding="gbk")
    mapping = {"customer_id": "客户", "order_date": "日期", "quantity": "数量",
               "unit_price": "单价"}
    df = read_table(spec(path), mapping)
    assert df["customer_id"].tolist() == ["007"]
    assert df["amount"].tolist() == [7.0]
    assert df.attrs == {"encoding": "gb18030", "amount_derived": True}


def test_to_number():
    got = to_number(pd.Series(["¥1,234.50", " 12 ", "$-3", "abc", None, "￥0.5"]))
    assert got.iloc[[0, 1, 2, 5]].tolist() == [1234.5, 12.0, -3.0, 0.5]
    assert got.iloc[[3, 4]].isna().all()


def test_unreachable_and_unreadable_sources(tmp_path):
    with pytest.raises(SourceNotFoundError, match=r"sources\.orders: cannot reach .*gone\.csv"):
        read_source(spec(tmp_path / "gone.csv"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(SourceNotFoundError, match="the folder has no"):
        read_source(spec(tmp_path / "empty"))
    (tmp_path / "bad.xlsx").write_bytes(b"not a zip")
    with pytest.raises(SourceReadError, match="not a readable xlsx"):
        read_source(spec(tmp_path / "bad.xlsx"))
    (tmp_path / "bad.json").write_text('[{"a": 1},')
    with pytest.raises(SourceReadError, match=r"sources\.orders.*bad\.json.*invalid JSON"):
        read_source(spec(tmp_path / "bad.json"))
    (tmp_path / "orders.xml").write_text("<a/>")
    with pytest.raises(SourceReadError, match="unknown file type '.xml'"):
        read_source(spec(tmp_path / "orders.xml"))
    FRAME.to_excel(tmp_path / "ok.xlsx", index=False)
    with pytest.raises(SourceReadError, match="no sheet 'Q3'.*'Sheet1'"):
        read_source(spec(tmp_path / "ok.xlsx", sheet="Q3"))


def test_sample_check_rejects_unparseable_dates(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("customer_id,order_date,amount\n1,2026-07-01,1\n2,01.07.26,1\n"
                    "3,July 1st,1\n", encoding="utf-8")
    with pytest.raises(BadValueError) as info:
        sample_check(spec(path), {})
    message = str(info.value)
    assert str(path) in message and "'order_date'" in message and "'01.07.26'" in message
    assert "2026-07-01, 20260701 or 2026-07-01 13:45:00" in message


def test_sample_check_passes_mostly_good_and_explicit_formats(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("customer_id,order_date,amount\n1,2026-07-01,1\n2,20260702,\n3,bad,2\n",
                    encoding="utf-8")
    sample_check(spec(path), {})  # 2 of 3 dates parse
    path.write_text("customer_id,order_date,amount\n1,31/07/2026,1\n", encoding="utf-8")
    sample_check(spec(path, date_format="%d/%m/%Y"), {})
    with pytest.raises(BadValueError, match="format '%m/%d/%Y'"):
        sample_check(spec(path, date_format="%m/%d/%Y"), {})


def test_sample_check_rejects_text_in_numbers_and_names_the_folder_file(tmp_path):
    FRAME.to_csv(tmp_path / "a.csv", index=False)
    (tmp_path / "b.csv").write_text("customer_id,order_date,amount\n1,2026-07-01,n/a\n")
    sample_check(spec(tmp_path), {})  # 3 of 4 amounts parse
    (tmp_path / "a.csv").unlink()
    with pytest.raises(BadValueError) as info:
        sample_check(spec(tmp_path), {})
    assert str(tmp_path / "b.csv") in str(info.value)
    assert "'amount' has value 'n/a'; expected a number" in str(info.value)


def test_fingerprint_is_stable_and_follows_bytes(tmp_path):
    path = tmp_path / "orders.csv"
    FRAME.to_csv(path, index=False)
    first = fingerprint(spec(path))
    assert re.fullmatch(r"sha256:[0-9a-f]{16}", first)
    assert fingerprint(spec(path)) == first
    data = bytearray(path.read_bytes())
    data[-2] = ord("6") if data[-2] != ord("6") else ord("7")
    path.write_bytes(bytes(data))
    assert fingerprint(spec(path)) != first


def test_folder_fingerprint_covers_names_and_bytes(tmp_path):
    FRAME.to_csv(tmp_path / "a.csv", index=False)
    FRAME.to_csv(tmp_path / "b.csv", index=False)
    first = fingerprint(spec(tmp_path))
    assert fingerprint(spec(tmp_path)) == first
    (tmp_path / "b.csv").rename(tmp_path / "c.csv")
    assert fingerprint(spec(tmp_path)) != first
    with pytest.raises(SourceNotFoundError):
        fingerprint(spec(tmp_path / "gone.csv"))


def test_describe_hides_the_password(tmp_path):
    s = SourceSpec("orders", url="postgresql+psycopg://bob:s3cret@db.example.com:5432/sales",
                   db_table="orders")
    assert "s3cret" not in s.describe()
    assert s.describe() == "postgresql+psycopg://bob:***@db.example.com:5432/sales (table orders)"
    assert spec(tmp_path / "o.csv").describe() == str(tmp_path / "o.csv")
    q = SourceSpec("orders", url="duckdb:///x.duckdb", query="select *\n  from t")
    assert q.describe() == "duckdb:///x.duckdb (query: select * from t)"


def test_supported_suffixes():
    assert {".csv", ".tsv", ".txt", ".xlsx", ".parquet", ".json"} <= set(SUPPORTED_SUFFIXES)
