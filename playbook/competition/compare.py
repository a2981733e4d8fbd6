"""Us against each competitor: a panel of metrics per entity and period, the gaps, who is
gaining share, and who moved prices.

Panel
-----
``panel`` has one row per (entity, period): ``entity`` is a competitor's name or ``OURS``
("ours"); the metrics are ``market_share`` (0-1), ``csat`` (1-5 mean), ``nps`` (−100…100),
``price_index`` (ours = 1.0) and every ``rating_<aspect>`` (1-5 means) of either side.

When the competitors table holds several rows per competitor and period (the ``total`` unit
holds every region), they are combined per competitor and period:

* ``market_share`` weighted by the size of each region's market: ``market_size`` from the
  ``market`` table when given (joined on period and unit), else the size implied by the
  competitor's own row, ``sales / market_share``. Either way this is the competitor's share of
  the summed market (Σ sales / Σ market size).
* ``csat``, ``nps``, ``price_index`` and the ratings weighted by the competitor's ``sales`` in
  each region (else ``market_share × market_size``): regions where it sells more count more.
* ``sales`` summed.
* Without weights (or when a row with a value lacks its weight) a plain mean of the values
  given. A single row per competitor and period is kept as it is.

Gaps
----
``gap = ours − theirs`` for every metric except ``price_index``, where a *lower* index is better
for the customer, so ``gap = theirs − ours`` (a competitor at 1.10 against our 1.0 gives +0.10:
we are cheaper). A positive gap always means "we are better". ``status`` is ``strength`` when
``gap > threshold``, ``weakness`` when ``gap < −threshold``, ``par`` otherwise (exactly at the
threshold, to 1e-9, is par). Thresholds are in the metric's unit: ``threshold`` (default 0.2
points on the 1-5 scale) for csat and ratings, and ``DEFAULT_THRESHOLDS`` for nps (10 points),
market share (0.02 = 2 percentage points) and price index (0.05); a ``thresholds`` dict
overrides any metric by name.

Missing columns never raise: absent metrics are NaN in the panel (``attrs["missing"]`` names
them) and the gap table leaves out pairs without a value on both sides.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..periods import Period
from .market import lag_label

OURS = "ours"
METRICS = ("market_share", "csat", "nps", "price_index")
DEFAULT_THRESHOLDS: dict[str, float] = {"nps": 10.0, "market_share": 0.02, "price_index": 0.05}
LOWER_IS_BETTER = frozenset({"price_index"})
STATUSES = ("strength", "par", "weakness")
GAP_COLUMNS = ("competitor", "metric", "ours", "theirs", "gap", "threshold", "status")
STREAK_COLUMNS = ("competitor", "periods", "streak", "since", "latest_period", "share", "gain",
                  "rising")
MOVE_COLUMNS = ("competitor", "price_now", "price_before", "price_change", "share_now",
                "share_before", "share_change", "cut")
_EPS = 1e-9


def _label(period: str | Period) -> str:
    return period.label if isinstance(period, Period) else str(period)


def _ratings(*frames: pd.DataFrame | None) -> list[str]:
    out: list[str] = []
    for f in frames:
        if f is not None:
            out += [c for c in f.columns if str(c).startswith("rating_") and c not in out]
    return out


def _num(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype="float64")
    return pd.to_numeric(frame[column], errors="coerce").astype("float64")


def aggregate(competitors: pd.DataFrame, keys: list[str], unit_column: str | None = None,
              market: pd.DataFrame | None = None) -> pd.DataFrame:
    """The competitors' rows combined per ``keys`` (weights in the module doc): one row per
    key, columns ``keys + METRICS + rating_… (+ sales)``; absent metrics are NaN."""
    comp = competitors.reset_index(drop=True)
    ratings = _ratings(comp)
    size = pd.Series(np.nan, index=comp.index, dtype="float64")
    if (market is not None and unit_column and unit_column in comp.columns
            and {unit_column, "period", "market_size"} <= set(market.columns)):
        m = market[["period", unit_column, "market_size"]].assign(
            period=market["period"].astype("str"), _u=market[unit_column].astype("str"),
            market_size=pd.to_numeric(market["market_size"], errors="coerce"))
        m = m.groupby(["period", "_u"])["market_size"].sum(min_count=1)
        key = pd.MultiIndex.from_arrays([comp["period"].astype("str"),
                                         comp[unit_column].astype("str")])
        size = pd.Series(m.reindex(key).to_numpy(dtype="float64"), index=comp.index)
    share, sales = _num(comp, "market_share"), _num(comp, "sales")
    with np.errstate(divide="ignore", invalid="ignore"):
        implied = sales.where(share > 0) / share.where(share > 0)
    size_w = size.where(size.notna(), implied)
    sales_w = sales.where(sales.notna(), share * size)
    groups = [comp[k].astype("str") for k in keys]
    out = comp.groupby(groups, sort=False).size().rename("_n").reset_index()
    index = pd.MultiIndex.from_frame(out[keys]) if len(keys) > 1 else pd.Index(out[keys[0]])
    for metric in (*METRICS, *ratings):
        values = _num(comp, metric)
        weight = size_w if metric == "market_share" else sales_w
        out[metric] = _weighted(values, weight, groups).reindex(index).to_numpy(float)
    if "sales" in comp.columns:
        out["sales"] = sales.groupby(groups, sort=False).sum(min_count=1).reindex(
            index).to_numpy(float)
    return out.drop(columns="_n")


def _weighted(values: pd.Series, weight: pd.Series, groups: list[pd.Series]) -> pd.Series:
    """Per group: Σ w·v / Σ w over the rows with a value, when every such row has a positive
    weight; else the plain mean of the values."""
    has = values.notna()
    ok = has & weight.notna() & (weight > 0)
    frame = pd.DataFrame({"wv": (values * weight).where(ok, 0.0), "w": weight.where(ok, 0.0),
                          "has": has, "bad": has & ~ok, "v": values})
    g = frame.groupby(groups, sort=False)
    sums = g[["wv", "w", "has", "bad"]].sum()
    plain = g["v"].mean()
    use = (sums["bad"] == 0) & (sums["w"] > 0)
    return (sums["wv"] / sums["w"].where(use)).where(use, plain)


def panel(competitors: pd.DataFrame | None, ours: pd.DataFrame | None,
          unit_column: str | None = None, market: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per (entity, period): ``entity, period, market_share, csat, nps, price_index,
    rating_…`` (module doc). ``ours`` is ``our_metrics`` output; our market share is its
    ``market_share`` column, else its ``our_share`` (``market_view``), else NaN; our
    ``price_index`` is 1.0. Competitors keep their order of first appearance, ours first;
    periods sorted. ``market`` (optional) gives market sizes for weighting the regions."""
    missing: list[str] = []
    ratings = _ratings(competitors, ours)
    columns = ["entity", "period", *METRICS, *ratings]
    parts = []
    if ours is not None and "period" in ours.columns and len(ours):
        o = pd.DataFrame({"entity": OURS, "period": ours["period"].astype("str").to_numpy()})
        share = "market_share" if "market_share" in ours.columns else "our_share"
        for metric in (*METRICS, *ratings):
            col = share if metric == "market_share" else metric
            o[metric] = _num(ours, col).to_numpy()
            if col not in ours.columns and metric != "price_index":
                missing.append(f"ours.{col}")
        o["price_index"] = o["price_index"].fillna(1.0)
        parts.append(o.drop_duplicates(["period"], keep="last"))
    else:
        missing.append("ours")
    if competitors is not None and {"competitor", "period"} <= set(competitors.columns):
        comp = competitors[competitors["competitor"].notna() & competitors["period"].notna()]
        missing += [f"competitors.{m}" for m in (*METRICS, *ratings) if m not in comp.columns]
        if len(comp):
            agg = aggregate(comp, ["competitor", "period"], unit_column, market)
            parts.append(agg.rename(columns={"competitor": "entity"}))
    else:
        missing.append("competitors")
    if not parts:
        out = pd.DataFrame({c: pd.Series(dtype="str" if c in ("entity", "period") else "float64")
                            for c in columns})
        out.attrs["missing"] = missing
        return out
    out = pd.concat([p.reindex(columns=columns) for p in parts], ignore_index=True)
    order = {e: i for i, e in enumerate(pd.unique(out["entity"]))}
    out = out.assign(_o=out["entity"].map(order)).sort_values(["_o", "period"], kind="stable")
    out = out.drop(columns="_o").reset_index(drop=True)
    out["entity"] = out["entity"].astype("str")
    out["period"] = out["period"].astype("str")
    for c in columns[2:]:
        out[c] = out[c].astype("float64")
    out.attrs["missing"] = missing
    return out


def _thresholds(threshold: float, thresholds: Mapping[str, float] | None) -> dict[str, float]:
    out = dict(DEFAULT_THRESHOLDS)
    out.update(thresholds or {})
    out.setdefault("_default", threshold)
    return out


def gap_table(panel: pd.DataFrame, period: str | Period, threshold: float = 0.2,
              thresholds: Mapping[str, float] | None = None) -> pd.DataFrame:
    """One row per (competitor, metric) in ``period``: ``competitor, metric, ours, theirs, gap,
    threshold, status`` (gap signs and thresholds in the module doc: positive = we are better;
    ``threshold`` is for csat and ratings, ``thresholds`` overrides per metric). Pairs where
    either side has no value are left out."""
    label = _label(period)
    limits = _thresholds(threshold, thresholds)
    metrics = [c for c in panel.columns if c not in ("entity", "period")
               and pd.api.types.is_numeric_dtype(panel[c])]
    keyed = {"entity", "period"} <= set(panel.columns)
    now = panel[panel["period"].astype("str") == label] if keyed else panel.iloc[0:0]
    mine = now[now["entity"] == OURS] if keyed else now
    rows = []
    if len(mine):
        ours = mine.iloc[0]
        for _, theirs in now[now["entity"] != OURS].iterrows():
            for metric in metrics:
                a, b = float(ours[metric]), float(theirs[metric])
                if not (np.isfinite(a) and np.isfinite(b)):
                    continue
                gap = b - a if metric in LOWER_IS_BETTER else a - b
                limit = float(limits.get(metric, limits["_default"]))
                tol = _EPS * max(1.0, abs(limit))
                status = ("strength" if gap > limit + tol else
                          "weakness" if gap < -limit - tol else "par")
                rows.append((str(theirs["entity"]), metric, a, b, gap, limit, status))
    out = pd.DataFrame(rows, columns=list(GAP_COLUMNS))
    for c in ("competitor", "metric", "status"):
        out[c] = out[c].astype("str")
    for c in ("ours", "theirs", "gap", "threshold"):
        out[c] = out[c].astype("float64")
    out.attrs["period"] = label
    return out


def leads(gaps: pd.DataFrame, competitor: str | None = None,
          metrics: list[str] | None = None) -> pd.DataFrame:
    """The rows of ``gap_table`` where a competitor leads us by more than the threshold
    (status ``weakness``), optionally of one competitor or some metrics, with ``lead`` = −gap
    (how far ahead they are, in the metric's unit) and ``lead_ratio`` = lead / threshold;
    the largest lead relative to its threshold first."""
    if "status" not in gaps.columns:
        return gaps.iloc[0:0].assign(lead=np.nan, lead_ratio=np.nan)
    out = gaps[gaps["status"] == "weakness"]
    if competitor is not None:
        out = out[out["competitor"] == competitor]
    if metrics is not None:
        out = out[out["metric"].isin(list(metrics))]
    out = out.assign(lead=-_num(out, "gap"))
    limit = _num(out, "threshold")
    out["lead_ratio"] = out["lead"] / limit.where(limit > 0)
    return out.sort_values(["lead_ratio", "lead"], ascending=False,
                           na_position="last").reset_index(drop=True)


def share_streaks(panel: pd.DataFrame, min_periods: int = 2, min_gain: float = 0.0,
                  include_ours: bool = False) -> pd.DataFrame:
    """Per competitor (and us with ``include_ours``): ``competitor, periods, streak, since,
    latest_period, share, gain, rising``. ``streak`` counts the consecutive latest periods in
    which the market share rose against the period before (equal is not a rise; periods
    without a share are skipped); ``since`` is the period before the streak, ``gain`` the
    share gained since then (0 without a streak); ``rising`` = streak ≥ ``min_periods`` and
    gain ≥ ``min_gain`` (to 1e-9)."""
    rows = []
    if {"entity", "period", "market_share"} <= set(panel.columns):
        for entity, group in panel.groupby("entity", sort=False):
            if entity == OURS and not include_ours:
                continue
            g = group[["period", "market_share"]].dropna().sort_values("period")
            if g.empty:
                continue
            shares, periods = g["market_share"].to_numpy(float), g["period"].astype("str").tolist()
            streak = 0
            while streak + 1 < len(shares) and shares[-1 - streak] > shares[-2 - streak]:
                streak += 1
            base = len(shares) - 1 - streak
            rows.append((str(entity), len(shares), streak, periods[base], periods[-1],
                         shares[-1], shares[-1] - shares[base],
                         streak >= min_periods and shares[-1] - shares[base] >= min_gain - _EPS))
    out = pd.DataFrame(rows, columns=list(STREAK_COLUMNS))
    return out.astype({"competitor": "str", "periods": "int64", "streak": "int64",
                       "share": "float64", "gain": "float64", "rising": "bool"})


def price_moves(competitors: pd.DataFrame, period: str | Period,
                previous: str | Period | None = None, unit_column: str | None = None,
                cut_threshold: float = 0.05, market: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per competitor (and unit, when ``unit_column`` is a column of ``competitors``):
    ``[unit], competitor, price_now, price_before, price_change, share_now, share_before,
    share_change, cut`` between ``previous`` (default: the period before) and ``period``.
    Without the unit column several rows of a competitor and period are combined as in
    ``panel``. ``cut`` = price_change ≤ −``cut_threshold`` (to 1e-9); a missing price is
    no cut."""
    now, before = _label(period), _label(previous) if previous is not None else None
    if before is None:
        before = lag_label(now, 1) or ""
    keys = ["competitor"]
    if unit_column is not None and unit_column in competitors.columns:
        keys = [unit_column, "competitor"]
    columns = keys[:-1] + list(MOVE_COLUMNS)
    if not {"competitor", "period"} <= set(competitors.columns):
        return pd.DataFrame(columns=columns)
    comp = competitors[competitors["period"].astype("str").isin([now, before])]
    comp = comp[comp["competitor"].notna()]
    if comp.empty:
        return pd.DataFrame(columns=columns)
    agg = aggregate(comp, [*keys, "period"], unit_column, market)
    a = agg[agg["period"] == now].set_index(keys)
    b = agg[agg["period"] == before].set_index(keys)
    index = a.index.union(b.index, sort=False) if len(b) else a.index
    a, b = a.reindex(index), b.reindex(index)
    out = pd.DataFrame({"price_now": a["price_index"], "price_before": b["price_index"],
                        "share_now": a["market_share"], "share_before": b["market_share"]},
                       index=index).astype("float64")
    out["price_change"] = out["price_now"] - out["price_before"]
    out["share_change"] = out["share_now"] - out["share_before"]
    out["cut"] = (out["price_change"] <= -cut_threshold + _EPS).fillna(False).astype(bool)
    out = out.reset_index()
    for k in keys:
        out[k] = out[k].astype("str")
    out.attrs["period"], out.attrs["previous"] = now, before
    return out[columns].reset_index(drop=True)


__all__ = ["OURS", "METRICS", "DEFAULT_THRESHOLDS", "aggregate", "panel", "gap_table", "leads",
           "share_streaks", "price_moves"]
