"""Interactions (visits, clicks, likes, shares, e-mail opens, calls): engagement by type and by
customer group, and its link to purchase.

Rules
-----
* An interaction row counts ``count`` times (1 when ``count`` is absent or missing).
* ``engagement_by_type``: per type in the period: interactions, rows, customers, interactions per
  engaged customer, and the change of interactions against the comparison period.
* ``engagement_by``: per group of the known customers (e.g. 03's segment): customers, the share
  engaged (at least one interaction in the period) and interactions per customer.
* ``engagement_purchase``: the known customers binned by their interactions in the period
  (0, 1-2, 3-5, 6+ by default); per bin the share who bought in the period and purchases per
  customer. ``lift`` is the purchase rate of the engaged over that of the not engaged. This is
  an association, not an effect: active buyers also browse more.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..periods import Period
from ..purchases import between

BINS = (0, 1, 3, 6)


def _weight(interactions: pd.DataFrame) -> pd.Series:
    if "count" not in interactions:
        return pd.Series(1.0, index=interactions.index)
    return pd.to_numeric(interactions["count"], errors="coerce").fillna(1.0).clip(lower=0)


def engagement_by_type(interactions: pd.DataFrame, period: Period,
                       comparison: Period | None = None) -> pd.DataFrame:
    """Interactions per type in the period, with the change against the comparison period."""
    def per_type(p: Period) -> pd.DataFrame:
        rows = between(interactions, p.start, p.end, "date")
        w = _weight(rows)
        return rows.assign(_w=w).groupby(rows["type"].astype("str"), observed=True).agg(
            interactions=("_w", "sum"), rows=("_w", "size"), customers=("customer_id", "nunique"))

    now = per_type(period)
    now["per_customer"] = now["interactions"] / now["customers"]
    if comparison is not None:
        before = per_type(comparison)["interactions"].reindex(now.index)
        now["change"] = now["interactions"] / before - 1
    out = now.reset_index(names="type")
    return out.sort_values("interactions", ascending=False, ignore_index=True)


def interactions_per_customer(interactions: pd.DataFrame, period: Period) -> pd.Series:
    rows = between(interactions, period.start, period.end, "date")
    return rows.assign(_w=_weight(rows)).groupby(
        rows["customer_id"].astype("str"), observed=True)["_w"].sum()


def engagement_by(interactions: pd.DataFrame, customers: pd.DataFrame, by: str,
                  period: Period) -> pd.DataFrame:
    """Per group of ``customers[by]``: customers, engaged share, interactions per customer."""
    per = interactions_per_customer(interactions, period)
    known = customers[["customer_id", by]].dropna(subset=[by])
    n = known["customer_id"].astype("str").map(per).fillna(0.0)
    frame = pd.DataFrame({by: known[by].astype("str").to_numpy(), "n": n.to_numpy()})
    out = frame.groupby(by, observed=True)["n"].agg(
        customers="size", engaged_share=lambda s: (s > 0).mean(), per_customer="mean")
    return out.reset_index().sort_values("per_customer", ascending=False, ignore_index=True)


def engagement_purchase(interactions: pd.DataFrame, purchases: pd.DataFrame,
                        customer_ids: pd.Series, period: Period,
                        bins: tuple[int, ...] = BINS) -> tuple[pd.DataFrame, dict]:
    """Purchase rate by engagement level in the period (module doc) and a summary with lift."""
    ids = pd.Index(customer_ids.astype("str").unique())
    per = interactions_per_customer(interactions, period).reindex(ids, fill_value=0.0)
    bought = between(purchases, period.start, period.end)
    n_buy = bought.groupby(bought["customer_id"].astype("str"), observed=True).size()
    n_buy = n_buy.reindex(ids, fill_value=0)
    edges = [*bins, np.inf]
    names = [f"{lo}" if hi - lo == 1 else (f"{lo}+" if np.isinf(hi) else f"{lo}-{int(hi) - 1}")
             for lo, hi in zip(edges[:-1], edges[1:], strict=True)]
    level = pd.cut(per.to_numpy(), bins=edges, right=False, labels=names)
    frame = pd.DataFrame({"level": level, "bought": (n_buy > 0).to_numpy(),
                          "purchases": n_buy.to_numpy()})
    out = frame.groupby("level", observed=False).agg(
        customers=("bought", "size"), purchase_rate=("bought", "mean"),
        purchases_per_customer=("purchases", "mean")).reset_index()
    engaged = per.to_numpy() > 0
    rate_e = frame["bought"][engaged].mean() if engaged.any() else np.nan
    rate_n = frame["bought"][~engaged].mean() if (~engaged).any() else np.nan
    summary = {"customers": len(ids), "engaged_share": float(engaged.mean()) if len(ids) else np.nan,
               "purchase_rate_engaged": rate_e, "purchase_rate_not_engaged": rate_n,
               "lift": rate_e / rate_n if rate_n else np.nan}
    return out, summary
