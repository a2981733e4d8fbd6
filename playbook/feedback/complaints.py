"""Complaints: rates per 1,000 active customers, service standards, repeat complainers, and
whether complainers churn more.

Rules
-----
* A complaint belongs to the period in which it was opened (``opened_at``). The active
  customers of a period are the distinct customers with a purchase in it.
  ``per_1000 = 1000 · complaints / active``.
* Change of a rate (``rate_change``): ``ratio = per_1000_now / per_1000_before``. Its p-value is
  the exact conditional test of two Poisson rates: given ``k = now + before`` complaints, ``now``
  is Binomial(k, a_now / (a_now + a_before)) under equal rates (a = active customers);
  two-sided (``scipy.stats.binomtest``).
* Service standards (``ticket_times``): ``response_hours = first_response_at − opened_at``;
  a ticket is responded in time when that is ≤ the target. A ticket without a response is late
  once it is older than the target at ``as_of``, and still pending (not counted) before.
  ``resolution_hours = closed_at − opened_at`` for tickets closed and resolved; a ticket is
  resolved in time when that is ≤ the target. A ticket closed unresolved is not resolved in time;
  an open ticket is late once older than the target, pending before. Shares are over the
  tickets decided (not pending).
* Repeat complainers: customers with at least ``min_tickets`` tickets opened in the 12 months
  up to ``as_of``.
* Complaints and churn (``complaint_churn``): the customers who were buying at the comparison
  period's end (03's ``lifecycle_before`` is new, repeat, loyal or at risk) are split into those
  who complained in the 12 months up to that day and the rest; their churn in this period is
  the share whose ``lifecycle_stage`` is now ``churned`` (and, looser, ``at_risk`` or
  ``churned``). Difference tested with a pooled two-proportion z-test.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..periods import Period
from ..purchases import between

ACTIVE_BEFORE = ("new", "repeat", "loyal", "at_risk")
RATE_COLUMNS = ("period", "complaints", "active", "per_1000")


def active_customers(purchases: pd.DataFrame, periods: list[Period]) -> pd.Series:
    """Distinct buying customers per period label (purchases: customer_id, order_date)."""
    out = {}
    for p in periods:
        inside = between(purchases, p.start, p.end, "order_date")
        out[p.label] = int(inside["customer_id"].nunique())
    return pd.Series(out, name="active", dtype="int64")


def _label(complaints: pd.DataFrame, periods: list[Period]) -> pd.Series:
    opened = pd.to_datetime(complaints["opened_at"])
    label = pd.Series(pd.NA, index=complaints.index, dtype="str")
    for p in periods:
        label = label.mask((opened >= p.start) & (opened < p.end_exclusive), p.label)
    return label


def complaint_rates(complaints: pd.DataFrame, active: pd.Series, periods: list[Period],
                    by: str | None = None) -> pd.DataFrame:
    """Complaints per 1,000 active customers for every period (and group of ``by``).

    Every period × group appears, with 0 complaints where there were none.
    """
    labels = [p.label for p in periods]
    frame = pd.DataFrame({"period": _label(complaints, periods)})
    keys = ["period"]
    if by is not None:
        frame[by] = complaints[by].astype("str").fillna("—")
        keys.append(by)
    counts = frame.dropna(subset=["period"]).groupby(keys, observed=True).size()
    if by is None:
        grid = pd.Index(labels, name="period")
    else:
        groups = sorted(frame[by].dropna().unique())
        grid = pd.MultiIndex.from_product([labels, groups], names=keys)
    out = counts.reindex(grid, fill_value=0).rename("complaints").reset_index()
    out["active"] = out["period"].map(active).fillna(0).astype("int64")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["per_1000"] = np.where(out["active"] > 0, 1000 * out["complaints"] / out["active"],
                                   np.nan)
    return out[[*keys, "complaints", "active", "per_1000"]]


def rate_change(rates: pd.DataFrame, now: str, before: str, by: str | None = None) -> pd.DataFrame:
    """Per group: complaints and rate now and before, their ratio and the p-value (module doc)."""
    keys = [by] if by else []
    a = rates[rates["period"] == now].set_index(keys or "period")
    b = rates[rates["period"] == before].set_index(keys or "period")
    if not keys:
        a.index, b.index = ["all"], ["all"]
    idx = a.index.union(b.index)
    a, b = a.reindex(idx), b.reindex(idx)
    out = pd.DataFrame({
        "complaints_now": a["complaints"].fillna(0).astype("int64"),
        "complaints_before": b["complaints"].fillna(0).astype("int64"),
        "per_1000_now": a["per_1000"], "per_1000_before": b["per_1000"],
    }, index=idx)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["ratio"] = out["per_1000_now"] / out["per_1000_before"]
    out.loc[out["per_1000_before"] == 0, "ratio"] = np.nan
    p = []
    for (_, row), an, bn in zip(out.iterrows(), a["active"].fillna(0), b["active"].fillna(0),
                                strict=True):
        k = int(row["complaints_now"] + row["complaints_before"])
        if k == 0 or an <= 0 or bn <= 0:
            p.append(np.nan)
            continue
        p.append(stats.binomtest(int(row["complaints_now"]), k, an / (an + bn)).pvalue)
    out["p_value"] = p
    out = out.reset_index(names=by or "group")
    return out.sort_values("ratio", ascending=False, na_position="last", ignore_index=True)


def ticket_times(complaints: pd.DataFrame, as_of: pd.Timestamp, response_target_h: float = 24,
                 resolution_target_h: float = 72) -> pd.DataFrame:
    """Each ticket's response and resolution hours and whether they met the standards.

    Adds ``response_hours``, ``responded_in_time`` (boolean, NA while pending),
    ``resolution_hours``, ``resolved_in_time`` (boolean, NA while pending) and ``open``.
    """
    end = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    opened = pd.to_datetime(complaints["opened_at"])
    first = pd.to_datetime(complaints.get("first_response_at", pd.Series(pd.NaT, index=complaints.index)))
    closed = pd.to_datetime(complaints.get("closed_at", pd.Series(pd.NaT, index=complaints.index)))
    if "resolved" in complaints:
        resolved = complaints["resolved"].astype("boolean").fillna(False).to_numpy(bool)
    else:
        resolved = closed.notna().to_numpy()
    age = (end - opened).dt.total_seconds() / 3600
    resp = (first - opened).dt.total_seconds() / 3600
    res = ((closed - opened).dt.total_seconds() / 3600).where(resolved)
    responded = pd.array(np.where(resp.notna(), resp <= response_target_h, False), dtype="boolean")
    responded[resp.isna().to_numpy() & (age <= response_target_h).to_numpy()] = pd.NA
    is_open = closed.isna().to_numpy()
    in_time = pd.array(np.where(res.notna(), res <= resolution_target_h, False), dtype="boolean")
    in_time[is_open & (age <= resolution_target_h).to_numpy()] = pd.NA
    out = complaints.copy()
    out["response_hours"] = resp.to_numpy()
    out["responded_in_time"] = responded
    out["resolution_hours"] = res.to_numpy()
    out["resolved_in_time"] = in_time
    out["open"] = is_open
    return out


def service_levels(times: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Per group (or one row ``all``): tickets, median and 90th-percentile response hours, the
    share responded in time, median resolution hours, the share resolved in time, open and
    resolved shares (shares over tickets decided; see module doc)."""
    frame = times.assign(_g="all" if by is None else times[by].astype("str").fillna("—"))
    rows = []
    for g, t in frame.groupby("_g", sort=True):
        rt, st = t["responded_in_time"].dropna(), t["resolved_in_time"].dropna()
        rows.append({
            by or "group": g, "tickets": len(t),
            "median_response_hours": t["response_hours"].median(),
            "p90_response_hours": t["response_hours"].quantile(0.9),
            "responded_in_time": rt.mean() if len(rt) else np.nan,
            "median_resolution_hours": t["resolution_hours"].median(),
            "resolved_in_time": st.mean() if len(st) else np.nan,
            "open_share": t["open"].mean(),
            "resolved_share": t["resolution_hours"].notna().mean(),
        })
    return pd.DataFrame(rows)


def repeat_complainers(complaints: pd.DataFrame, as_of: pd.Timestamp,
                       min_tickets: int = 2) -> dict:
    """Complainers of the 12 months up to ``as_of`` and how many of them complained repeatedly."""
    start = pd.Timestamp(as_of) - pd.DateOffset(months=12) + pd.Timedelta(days=1)
    recent = between(complaints, start, as_of, "opened_at")
    per = recent.groupby("customer_id").size()
    rep = per[per >= min_tickets]
    n = len(per)
    return {
        "complainers": n, "repeat_complainers": len(rep),
        "repeat_share": len(rep) / n if n else np.nan,
        "repeat_ticket_share": rep.sum() / per.sum() if n else np.nan,
        "max_tickets": int(per.max()) if n else 0,
    }


def complaint_churn(complaints: pd.DataFrame, customers: pd.DataFrame,
                    comparison: Period) -> pd.DataFrame:
    """Churn in this period of last period's buying customers, complainers against the rest.

    Rows ``complainers`` and ``others`` with customers, churned, churn_rate,
    at_risk_or_churned_rate, mean churn_probability (when 03 scored it), and on the complainers'
    row the ratio of churn rates and the p-value (module doc). Empty without 03's labels.
    """
    need = {"lifecycle_stage", "lifecycle_before"}
    if not need <= set(customers.columns):
        return pd.DataFrame()
    base = customers[customers["lifecycle_before"].isin(ACTIVE_BEFORE)]
    start = comparison.end - pd.DateOffset(months=12) + pd.Timedelta(days=1)
    recent = between(complaints, start, comparison.end, "opened_at")
    complained = base["customer_id"].isin(recent["customer_id"])
    stage = base["lifecycle_stage"].astype("str")
    rows = []
    for name, mask in (("complainers", complained), ("others", ~complained)):
        s = stage[mask]
        row = {"group": name, "customers": int(mask.sum()), "churned": int((s == "churned").sum())}
        row["churn_rate"] = row["churned"] / row["customers"] if row["customers"] else np.nan
        row["at_risk_or_churned_rate"] = (s.isin(["at_risk", "churned"]).mean()
                                          if row["customers"] else np.nan)
        if "churn_probability" in base:
            row["churn_probability"] = base.loc[mask, "churn_probability"].mean()
        rows.append(row)
    out = pd.DataFrame(rows)
    c, o = out.iloc[0], out.iloc[1]
    out["ratio"] = [c["churn_rate"] / o["churn_rate"] if o["churn_rate"] else np.nan, np.nan]
    out["p_value"] = [two_proportion_p(c["churned"], c["customers"], o["churned"], o["customers"]),
                      np.nan]
    return out


def two_proportion_p(x1: float, n1: float, x2: float, n2: float) -> float:
    """Two-sided p-value of the pooled two-proportion z-test (NaN when undefined)."""
    if n1 <= 0 or n2 <= 0:
        return float("nan")
    pooled = (x1 + x2) / (n1 + n2)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:  # both proportions 0 (or both 1): no difference
        return 1.0
    z = (x1 / n1 - x2 / n2) / se
    return float(2 * stats.norm.sf(abs(z)))
