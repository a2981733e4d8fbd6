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

    Returns (``is_return``) are left out. Lines are grouped by ``order_id`` where it is given;
    without an order id (or where it is missing) a customer's lines at the same timestamp are one
    order. The input is not modified.
    """
    need = {"customer_id", "order_date", "amount"}
    missing = need - set(orders.columns)
    if missing:
        from .errors import ParameterError

        raise ParameterError("orders", "a cleaned orders frame with " + ", ".join(sorted(need)),
                             f"a frame without {', '.join(sorted(missing))}")
    sale = orders
    if "is_return" in orders.columns:
        sale = orders[~orders["is_return"].fillna(False).astype(bool)]
    cid = sale["customer_id"].astype("string")
    when = pd.to_datetime(sale["order_date"])
    fallback = cid + "@" + when.astype("int64").astype("string")
    if "order_id" in sale.columns:
        key = sale["order_id"].astype("string").fillna(fallback)
    else:
        key = fallback
    frame = pd.DataFrame({"customer_id": cid.to_numpy(), "order_key": key.to_numpy(),
                          "order_date": when.to_numpy(),
                          "amount": sale["amount"].astype("float64").to_numpy()})
    g = frame.groupby(["customer_id", "order_key"], sort=False, observed=True)
    out = g.agg(order_date=("order_date", "min"), amount=("amount", "sum"),
                n_lines=("amount", "size")).reset_index()
    out = out.sort_values(["customer_id", "order_date", "order_key"], kind="stable",
                          ignore_index=True)
    out["customer_id"] = out["customer_id"].astype("str")
    out["order_key"] = out["order_key"].astype("str")
    out["n_lines"] = out["n_lines"].astype("int64")
    return out


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
