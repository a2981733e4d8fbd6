"""Purchases: the cleaned order lines folded into one row per order, the unit every model counts.

Stage 02 keeps order *lines* (an invoice may hold several products) and keeps refunds and
cancellations as returns (``is_return``). The segment, trends and strategy stages count
*purchases*: one row per sale order of a customer. ``purchases`` builds that table once, the same
way for every stage; ``net_revenue`` adds the returns back when money is what counts.

Times: ``as_of`` everywhere in the playbook is the *last day included* (a normalized Timestamp,
e.g. the period's end 2026-09-30); an order counts when ``order_date < as_of + 1 day``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

PURCHASE_COLUMNS = ("customer_id", "order_key", "order_date", "amount", "n_lines")


def day_after(as_of: pd.Timestamp) -> pd.Timestamp:
    """The exclusive bound of a day-inclusive ``as_of``."""
    return pd.Timestamp(as_of).normalize() + pd.Timedelta(days=1)


def purchases(orders: pd.DataFrame) -> pd.DataFrame:
    """One row per sale order: customer_id, order_key, order_date (its first line's time),
    amount (the sum of its sale lines) and n_lines, sorted by customer and date.

    Returns (``is_return``) are left out, and so are lines without a customer or a date. Lines
    are grouped by ``order_id`` (and customer) where it is given; without an order id a
    customer's lines in the same second are one order. The input is not modified.
    """
    need = {"customer_id", "order_date", "amount"}
    missing = need - set(orders.columns)
    if missing:
        from .errors import ParameterError

        raise ParameterError("orders", "a cleaned orders frame with " + ", ".join(sorted(need)),
                             f"a frame without {', '.join(sorted(missing))}")
    if len(orders) == 0:
        return pd.DataFrame({"customer_id": pd.Series(dtype="str"),
                             "order_key": pd.Series(dtype="str"),
                             "order_date": pd.Series(dtype="datetime64[ns]"),
                             "amount": pd.Series(dtype="float64"),
                             "n_lines": pd.Series(dtype="int64")})
    sale = orders
    if "is_return" in orders.columns:
        sale = orders[~orders["is_return"].fillna(False).astype(bool)]
    sale = sale[sale["customer_id"].notna() & sale["order_date"].notna()]
    # integer codes instead of strings: grouping 10M lines by two string columns is slow
    cid_codes, cid_values = pd.factorize(sale["customer_id"].astype("str"), sort=True)
    when = pd.to_datetime(sale["order_date"]).to_numpy()
    if "order_id" in sale.columns:
        oid = sale["order_id"].astype("str")
        has_id = oid.notna().to_numpy()
        key_codes, key_values = pd.factorize(oid)
    else:
        has_id = np.zeros(len(sale), dtype=bool)
        key_codes, key_values = np.full(len(sale), -1), pd.Index([], dtype="str")
    # one int64 key per purchase: (order id, customer) where the id is given, else
    # (customer, timestamp); integer keys hash and sort far faster than strings
    ts = when.astype("datetime64[ns]").astype("int64")
    n_cust = max(len(cid_values), 1)
    rel = (ts - ts.min()) // 1_000_000_000 if len(ts) else ts
    key = np.where(has_id, key_codes.astype("int64") * n_cust + cid_codes,
                   -1 - _pack(cid_codes, rel))
    codes, uniques = pd.factorize(key)
    n = len(uniques)
    amt_g = np.bincount(codes, weights=sale["amount"].to_numpy(dtype="float64"), minlength=n)
    lines_g = np.bincount(codes, minlength=n)
    c_g = np.empty(n, dtype=np.int64)
    c_g[codes] = cid_codes
    t_g = pd.Series(ts).groupby(codes, sort=True).min().to_numpy()
    k_g = np.where(uniques >= 0, uniques // n_cust, uniques)
    rel_g = (t_g - ts.min()) // 1_000_000_000 if n else t_g
    final = np.argsort(_pack(c_g, rel_g), kind="stable")
    out = pd.DataFrame({"c": c_g[final], "k": k_g[final],
                        "order_date": t_g[final].astype("datetime64[ns]"),
                        "amount": amt_g[final], "n_lines": lines_g[final]})
    c, k = out["c"].to_numpy(), out["k"].to_numpy()
    with_id = k >= 0
    cids = pd.Series(cid_values.take(c), dtype="str")
    keys = pd.Series(key_values.take(np.where(with_id, k, 0)) if len(key_values)
                     else np.full(len(out), "", dtype=object), dtype="str")
    if not with_id.all():
        stamps = out["order_date"].to_numpy()[~with_id].astype("int64")
        keys[~with_id] = (cids[~with_id] + "@" + pd.Series(stamps, index=cids.index[~with_id])
                          .astype("str"))
    return pd.DataFrame({"customer_id": cids, "order_key": keys,
                         "order_date": out["order_date"].to_numpy(),
                         "amount": out["amount"].to_numpy(),
                         "n_lines": out["n_lines"].to_numpy(dtype="int64")})


def _pack(high: np.ndarray, low: np.ndarray) -> np.ndarray:
    """One sortable int64 from two non-negative int arrays (high first); exact while it fits."""
    bits = int(max(int(low.max()) if len(low) else 0, 1)).bit_length()
    if len(high) and (int(high.max()) >> (62 - bits)) > 0:  # does not fit: rank the pairs
        order = np.lexsort((low, high))
        ranks = np.empty(len(high), dtype=np.int64)
        pairs = np.r_[True, (np.diff(high[order]) != 0) | (np.diff(low[order]) != 0)]
        ranks[order] = np.cumsum(pairs) - 1
        return ranks
    return (high.astype(np.int64) << bits) | low.astype(np.int64)


def between(df: pd.DataFrame, start: pd.Timestamp | None, as_of: pd.Timestamp | None,
            column: str = "order_date") -> pd.DataFrame:
    """Rows with ``start <= column < as_of + 1 day`` (either bound may be None)."""
    mask = np.ones(len(df), dtype=bool)
    if start is not None:
        mask &= (df[column] >= pd.Timestamp(start)).to_numpy()
    if as_of is not None:
        mask &= (df[column] < day_after(as_of)).to_numpy()
    return df[mask]


def net_revenue(orders: pd.DataFrame, start: pd.Timestamp | None = None,
                as_of: pd.Timestamp | None = None) -> pd.Series:
    """Sales minus returns per customer (returns carry negative amounts), between the bounds."""
    rows = between(orders, start, as_of)
    return rows.groupby(rows["customer_id"].astype("str"), observed=True)["amount"].sum(
    ).astype("float64").rename("net_revenue")
