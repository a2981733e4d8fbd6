"""Business metrics over time: one row per review period, per calendar month, a seasonal
profile and purchases per customer by group.

Input is the purchases table (``playbook.purchases.purchases``: one row per sale order).
Money is gross sales unless the cleaned ``orders`` are passed too: then ``revenue`` is net
(every order line dated in the period, sales plus the negative amounts of returns).

Rules of ``period_table`` (one row per period, in the order given)
------------------------------------------------------------------
* ``orders``: purchases dated in the period; ``active``: distinct buyers among them.
* ``new``: active customers whose first purchase of all the purchases given falls in the
  period; ``returning = active − new``.
* ``churned``: customers active in the period just before (``Period.previous()``) who did not
  buy in this one; ``retention_rate``: share of that previous period's active customers who
  bought again in this one. Both NaN when the previous period holds no purchase (no data).
* ``aov = revenue / orders``; ``frequency = orders / active``; ``repeat_rate``: share of the
  active customers with two or more purchases in the period (NaN when nobody bought).
* For revenue, orders, active and aov: ``<m>_qoq = m / m(previous period) − 1`` and
  ``<m>_yoy = m / m(same period a year earlier) − 1`` (4 quarters or 12 months back;
  ``Period.year_ago()``). A reference period without any purchase counts as absent (NaN), and
  so does a zero reference value; custom periods have no year-ago period.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.tsa.seasonal import seasonal_decompose

from ..periods import Period
from ..purchases import between

PERIOD_COLUMNS = ("period", "revenue", "orders", "active", "new", "returning", "churned",
                  "retention_rate", "aov", "frequency", "repeat_rate")
CHANGE_METRICS = ("revenue", "orders", "active", "aov")
MONTHLY_COLUMNS = ("month", "revenue", "orders", "active")
GROUP_COLUMNS = ("period", "group", "customers", "purchases", "per_customer")


def _ratio(a: float, b: float) -> float:
    return float(a) / float(b) if b else float("nan")


def _basics(purchases: pd.DataFrame, period: Period, orders: pd.DataFrame | None,
            first: pd.Series) -> dict:
    rows = between(purchases, period.start, period.end)
    per = rows.groupby("customer_id", observed=True).size()
    revenue = float(rows["amount"].sum())
    if orders is not None:
        revenue = float(between(orders, period.start, period.end)["amount"].sum())
    buyers = set(per.index)
    return {"period": period.label, "revenue": revenue, "orders": int(len(rows)),
            "active": int(len(per)), "buyers": buyers,
            "new": int(((first.reindex(list(buyers)) >= period.start)).sum()),
            "repeat": int((per >= 2).sum())}


def period_table(purchases: pd.DataFrame, periods: list[Period],
                 orders: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per period (see the module docstring): ``PERIOD_COLUMNS`` plus
    ``<m>_qoq`` and ``<m>_yoy`` for revenue, orders, active and aov."""
    first = purchases.groupby("customer_id", observed=True)["order_date"].min()
    cache: dict[str, dict] = {}

    def raw(p: Period) -> dict:
        if p.label not in cache:
            cache[p.label] = _basics(purchases, p, orders, first)
        return cache[p.label]

    def get(p: Period | None) -> dict | None:
        return None if p is None or not raw(p)["orders"] else raw(p)

    records = []
    for p in periods:
        now = raw(p)
        prev, ago = get(p.previous()), get(p.year_ago())
        rec = {k: now[k] for k in ("period", "revenue", "orders", "active", "new")}
        rec["returning"] = now["active"] - now["new"]
        if prev is None:
            rec["churned"], rec["retention_rate"] = np.nan, np.nan
        else:
            kept = len(prev["buyers"] & now["buyers"])
            rec["churned"] = prev["active"] - kept
            rec["retention_rate"] = _ratio(kept, prev["active"])
        rec["aov"] = _ratio(now["revenue"], now["orders"])
        rec["frequency"] = _ratio(now["orders"], now["active"])
        rec["repeat_rate"] = _ratio(now["repeat"], now["active"])
        for m in CHANGE_METRICS:
            value = rec[m]
            for suffix, ref in (("qoq", prev), ("yoy", ago)):
                base = np.nan if ref is None else (
                    _ratio(ref["revenue"], ref["orders"]) if m == "aov" else ref[m])
                ok = ref is not None and np.isfinite(base) and base != 0
                rec[f"{m}_{suffix}"] = value / base - 1 if ok else np.nan
        records.append(rec)
    cols = list(PERIOD_COLUMNS) + [f"{m}_{s}" for m in CHANGE_METRICS for s in ("qoq", "yoy")]
    out = pd.DataFrame.from_records(records, columns=cols)
    return out.astype({"churned": "float64", "retention_rate": "float64"})


def monthly_table(purchases: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp,
                  orders: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per calendar month from ``start``'s month to ``end``'s (months without sales are 0):
    month ("2026-07"), revenue (net when ``orders`` is given), orders, active."""
    months = pd.period_range(pd.Timestamp(start), pd.Timestamp(end), freq="M")
    rows = between(purchases, months[0].start_time if len(months) else start, end)
    key = rows["order_date"].dt.to_period("M")
    g = rows.groupby(key, observed=True)
    out = pd.DataFrame(index=months)
    out["revenue"] = g["amount"].sum().reindex(months, fill_value=0.0).astype("float64")
    if orders is not None:
        o = between(orders, months[0].start_time if len(months) else start, end)
        out["revenue"] = o.groupby(o["order_date"].dt.to_period("M"))["amount"].sum().reindex(
            months, fill_value=0.0).astype("float64")
    out["orders"] = g.size().reindex(months, fill_value=0).astype("int64")
    out["active"] = g["customer_id"].nunique().reindex(months, fill_value=0).astype("int64")
    out.insert(0, "month", [str(m) for m in months])
    return out.reset_index(drop=True)


def seasonal_profile(monthly: pd.DataFrame) -> pd.DataFrame:
    """Month of year 1..12: ``index`` = mean revenue index, ``months`` = values averaged.

    With 24 months or more the index of a month is revenue / its centred 12-month moving
    average (the 2×12 average, so it is centred on the month), averaged per month of year and
    scaled so the twelve indices average 1. With fewer months it is revenue / the mean monthly
    revenue, averaged per month of year. Months of year without data are NaN.
    """
    if monthly.empty:
        return pd.DataFrame({"month": range(1, 13), "index": np.nan, "months": 0})
    revenue = monthly["revenue"].astype("float64").reset_index(drop=True)
    moy = pd.PeriodIndex(monthly["month"].astype(str), freq="M").month
    if len(revenue) >= 24:
        ma = revenue.rolling(12, center=True).mean().rolling(2).mean().shift(-1)
        ratio = revenue / ma
    else:
        mean = revenue.mean()
        ratio = revenue / mean if mean else revenue * np.nan
    g = pd.Series(ratio.to_numpy(), index=moy).dropna().groupby(level=0)
    index = g.mean().reindex(range(1, 13))
    if len(revenue) >= 24 and index.notna().all():
        index = index / index.mean()
    return pd.DataFrame({"month": range(1, 13), "index": index.to_numpy(),
                         "months": g.size().reindex(range(1, 13), fill_value=0).to_numpy()})


def decompose(monthly: pd.DataFrame, model: str = "multiplicative") -> pd.DataFrame | None:
    """statsmodels' classical decomposition (period 12) of monthly revenue: month, observed,
    trend, seasonal, resid. None with fewer than 24 months. A multiplicative model needs
    positive revenue; otherwise the additive one is used (``attrs["model"]`` says which)."""
    if len(monthly) < 24:
        return None
    y = monthly["revenue"].astype("float64").to_numpy()
    if model == "multiplicative" and not (y > 0).all():
        model = "additive"
    res = seasonal_decompose(y, model=model, period=12)
    out = pd.DataFrame({"month": monthly["month"].astype(str).to_numpy(), "observed": y,
                        "trend": res.trend, "seasonal": res.seasonal, "resid": res.resid})
    out.attrs["model"] = model
    return out


def group_frequency(purchases: pd.DataFrame, groups: pd.Series,
                    periods: list[Period]) -> pd.DataFrame:
    """Per period × group: ``customers`` = customers of the group whose first purchase is
    before the period's start (established; they could buy all period), ``purchases`` = their
    purchases dated in the period, ``per_customer`` = purchases / customers. Customers without
    a group are left out."""
    first = purchases.groupby("customer_id", observed=True)["order_date"].min()
    g = groups.dropna().astype(str)
    g = g[g.index.isin(first.index)]
    records = []
    for p in periods:
        est = g[first.reindex(g.index) < p.start]
        rows = between(purchases, p.start, p.end)
        counts = rows.groupby("customer_id", observed=True).size().reindex(est.index,
                                                                            fill_value=0)
        per = pd.DataFrame({"group": est.to_numpy(), "n": counts.to_numpy()}).groupby(
            "group").agg(customers=("n", "size"), purchases=("n", "sum"))
        for name, r in per.iterrows():
            records.append({"period": p.label, "group": name, "customers": int(r["customers"]),
                            "purchases": int(r["purchases"]),
                            "per_customer": _ratio(r["purchases"], r["customers"])})
    return pd.DataFrame.from_records(records, columns=list(GROUP_COLUMNS))
