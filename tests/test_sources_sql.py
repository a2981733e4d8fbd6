"""read_source against a real PostgreSQL server (a private one unless PLAYBOOK_TEST_PG_URL is set).

The server cannot start: the tests skip, except under CI (env CI set), where they fail.
"""
from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import pytest
import sqlalchemy as sa

from playbook.errors import SourceNotFoundError, SourceReadError
from playbook.sources import (
    SourceSpec,
    fingerprint,
    read_source,
    read_table,
    source_columns,
)

try:
    from tests import pg
except ImportError:  # tests/ is not a package on sys.path
    import pg

pytestmark = pytest.mark.postgres

ROWS = [
    {"customer_id": "007", "name": "张三", "city": "上海", "amount": Decimal("1200.50"),
     "order_date": dt.date(2026, 7, 1)},
    {"customer_id": "012", "name": "李四", "city": "北京", "amount": Decimal("-35.00"),
     "order_date": dt.date(2026, 7, 15)},
    {"customer_id": "123", "name": "王五", "city": "深圳", "amount": Decimal("0.99"),
     "order_date": dt.date(2026, 8, 2)},
]


@pytest.fixture(scope="module")
def pg_url():
    """URL of a PostgreSQL server holding table ``pb_orders`` (ROWS)."""
    server = None
    url = os.environ.get("PLAYBOOK_TEST_PG_URL")
    if not url:
        try:
            server = pg.start_server()
        except pg.PgUnavailable as exc:
            reason = f"no PostgreSQL server: {exc}"
            if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
                pytest.fail(f"{reason} (CI must not skip the PostgreSQL tests)")
            pytest.skip(reason)
        url = server.url
    engine = sa.create_engine(url)
    table = sa.Table(
        "pb_orders", sa.MetaData(),
        sa.Column("customer_id", sa.Text), sa.Column("name", sa.Text), sa.Column("city", sa.Text),
        sa.Column("amount", sa.Numeric(12, 2)), sa.Column("order_date", sa.Date),
    )
    try:
        with engine.begin() as conn:
            table.drop(conn, checkfirst=True)
            table.create(conn)
            conn.execute(table.insert(), ROWS)
        yield url
        with engine.begin() as conn:
            table.drop(conn, checkfirst=True)
    finally:
        engine.dispose()
        if server is not None:
            server.stop()


def test_reads_a_table(pg_url):
    df = read_source(SourceSpec("orders", url=pg_url, db_table="pb_orders"))
    assert list(df.columns) == ["customer_id", "name", "city", "amount", "order_date",
                                "source_row"]
    assert df["customer_id"].tolist() == ["007", "012", "123"]
    assert df["name"].tolist() == ["张三", "李四", "王五"]
    assert [float(v) for v in df["amount"]] == [1200.5, -35.0, 0.99]
    assert list(df["order_date"]) == [dt.date(2026, 7, 1), dt.date(2026, 7, 15),
                                      dt.date(2026, 8, 2)]
    assert df["source_row"].tolist() == [0, 1, 2]


def test_reads_a_query_with_nrows(pg_url):
    spec = SourceSpec("orders", url=pg_url,
                      query="select customer_id, city from pb_orders where amount > 0 "
                            "order by customer_id desc")
    assert read_source(spec)["city"].tolist() == ["深圳", "上海"]
    assert read_source(spec, nrows=1)["customer_id"].tolist() == ["123"]
    assert source_columns(spec) == ["customer_id", "city"]


def test_plain_postgresql_url_uses_psycopg3(pg_url):
    url = pg_url.replace("postgresql+psycopg://", "postgresql://")
    df = read_table(SourceSpec("orders", url=url, db_table="public.pb_orders"), {})
    assert df["city"].tolist() == ["上海", "北京", "深圳"]


def test_missing_table_lists_the_tables(pg_url):
    with pytest.raises(SourceReadError, match=r"no table 'pb_nope'.*pb_orders"):
        read_source(SourceSpec("orders", url=pg_url, db_table="pb_nope"))


def test_fingerprint_follows_the_rows(pg_url):
    spec = SourceSpec("orders", url=pg_url, db_table="pb_orders")
    before = fingerprint(spec)
    assert fingerprint(spec) == before
    engine = sa.create_engine(pg_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("update pb_orders set city = '杭州' where customer_id = '123'"))
        assert fingerprint(spec) != before
        with engine.begin() as conn:
            conn.execute(sa.text("update pb_orders set city = '深圳' where customer_id = '123'"))
        assert fingerprint(spec) == before
    finally:
        engine.dispose()


def test_unreachable_port_is_source_not_found():
    url = f"postgresql+psycopg://postgres:secret@127.0.0.1:{pg.free_port()}/postgres"
    with pytest.raises(SourceNotFoundError) as info:
        read_source(SourceSpec("orders", url=url, db_table="pb_orders"))
    assert "sources.orders" in str(info.value)
    assert "127.0.0.1" in str(info.value)
    assert "secret" not in str(info.value)
