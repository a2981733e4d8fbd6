"""Our own numbers per period, and the market around them.

``our_metrics`` puts our orders and survey answers on the scale of the competitors table (one
row per period); ``market_view`` adds the market's size and growth and our share of it.

Rules
-----
* Periods are labelled by ``periods.period_of`` (``2026Q3`` for quarters, ``2026-07`` for
  months); a row counts in the period whose label it gets.
* ``revenue`` is net: the sum of ``amount`` over the orders dated in the period, refunds
  (negative amounts) included. Rows flagged ``is_return`` with a non-negative amount are
  cancellations (no money came in) and are left out. A period without orders has revenue 0.
* ``csat`` and every ``rating_<aspect>`` are means of the answers given (blank answers left
  out); ``nps`` = 100 · (share of answers 9-10 − share of answers 0-6) over the answers given,
  so it lies in −100…100 like the competitors' NPS; ``responses`` counts the survey rows dated
  in the period. ``price_index`` is 1.0: the competitors' price indices are relative to us.
* ``market_view`` sums ``market_size`` over the units (regions) of a period. A given
  ``growth`` is combined over units exactly: each unit's year-ago size is
  ``size / (1 + growth)``, so the total growth is ``Σ size / Σ (size / (1 + growth)) − 1``
  (a plain mean of growth when sizes are missing). Where growth is absent it is computed from
  the summed sizes: against the period 4 quarters (12 months) earlier, when that period is in
  the table. ``our_share = revenue / market_size``; ``our_share_change`` is the difference to
  the previous period's share (NaN when that period is absent).
* Absent input columns never raise: the metrics they feed are NaN and the output's
  ``attrs["missing"]`` names them (``"orders.amount"``, ``"feedback.nps"``, …).
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..feedback.labels import aspects_of
from ..periods import Period, parse_period, period_of

KINDS = ("quarter", "month")
OUR_COLUMNS = ("period", "revenue", "csat", "nps", "price_index", "responses")
VIEW_COLUMNS = ("period", "market_size", "growth", "revenue", "our_share", "our_share_change")


def _labels(period_labels: Iterable[str | Period]) -> list[str]:
    return [p.label if isinstance(p, Period) else str(p) for p in period_labels]


def _period_labels(dates: pd.Series, kind: str) -> pd.Series:
    """The period label of each date (missing for a missing date), as plain text."""
    when = pd.to_datetime(dates, errors="coerce")
    return period_of(when, kind).astype("object").where(when.notna(), None)


def our_metrics(orders: pd.DataFrame | None, feedback: pd.DataFrame | None,
                period_labels: Iterable[str | Period], kind: str = "quarter") -> pd.DataFrame:
    """One row per period label (in the given order): ``period, revenue, csat, nps,
    rating_<aspect>…, price_index, responses`` (rules in the module doc). The inputs are not
    modified; ``attrs["missing"]`` lists the input columns that were absent."""
    if kind not in KINDS:
        raise ParameterError("kind", "quarter or month", kind, where="our_metrics")
    labels = _labels(period_labels)
    out = pd.DataFrame({"period": pd.Series(labels, dtype="str")})
    missing: list[str] = []

    if orders is None:
        missing.append("orders")
        out["revenue"] = np.nan
    elif not {"order_date", "amount"} <= set(orders.columns):
        missing += [f"orders.{c}" for c in ("order_date", "amount") if c not in orders.columns]
        out["revenue"] = np.nan
    else:
        amount = pd.to_numeric(orders["amount"], errors="coerce")
        keep = amount.notna()
        if "is_return" in orders.columns:  # cancellations: flagged, but no money returned
            keep &= ~(orders["is_return"].fillna(False).astype(bool) & (amount >= 0))
        period = _period_labels(orders["order_date"], kind)
        revenue = amount[keep].groupby(period[keep]).sum()
        out["revenue"] = revenue.reindex(labels).fillna(0.0).to_numpy(dtype="float64")

    aspects = aspects_of(feedback.columns) if feedback is not None else []
    if feedback is None or "response_date" not in feedback.columns:
        missing.append("feedback" if feedback is None else "feedback.response_date")
        for col in ("csat", "nps", *[f"rating_{a}" for a in aspects]):
            out[col] = np.nan
        out["responses"] = np.nan
    else:
        period = _period_labels(feedback["response_date"], kind)
        for col in ("csat", *[f"rating_{a}" for a in aspects]):
            if col in feedback.columns:
                values = pd.to_numeric(feedback[col], errors="coerce")
                out[col] = values.groupby(period).mean().reindex(labels).to_numpy(float)
            else:
                missing.append(f"feedback.{col}")
                out[col] = np.nan
        if "nps" in feedback.columns:
            score = pd.to_numeric(feedback["nps"], errors="coerce")
            answered = score.notna()
            net = (score >= 9).astype(float) - (score <= 6).astype(float)
            out["nps"] = (100 * net[answered].groupby(period[answered]).mean()).reindex(
                labels).to_numpy(float)
        else:
            missing.append("feedback.nps")
            out["nps"] = np.nan
        out["responses"] = period.groupby(period).size().reindex(labels).fillna(0).to_numpy(
            dtype="int64")
    out["price_index"] = 1.0
    ratings = [f"rating_{a}" for a in aspects]
    out = out[["period", "revenue", "csat", "nps", *ratings, "price_index", "responses"]]
    out.attrs["missing"] = missing
    return out


def lag_label(label: str, steps: int) -> str | None:
    """The label ``steps`` periods before ``label`` (quarters and months); None otherwise."""
    try:
        p = parse_period(label)
    except ParameterError:
        return None
    if p.kind not in KINDS:
        return None
    return p.shift(-steps).label


def year_lag(label: str) -> int | None:
    """How many periods make a year for this label: 4 quarters, 12 months (None otherwise)."""
    try:
        kind = parse_period(label).kind
    except ParameterError:
        return None
    return {"quarter": 4, "month": 12}.get(kind)


def market_view(market: pd.DataFrame | None, ours: pd.DataFrame | None = None,
                unit_column: str | None = None) -> pd.DataFrame:
    """One row per period (sorted): ``period, market_size, growth, revenue, our_share,
    our_share_change``, summed over the units of ``market`` when it holds several (rules in
    the module doc). ``ours`` is the ``our_metrics`` frame (its ``revenue`` is used).
    ``unit_column`` names the unit column (e.g. ``region``); the rows of every unit are summed
    whether or not it is given. ``attrs["missing"]`` lists the absent inputs."""
    missing: list[str] = []
    periods: set[str] = set()
    size = pd.Series(dtype="float64")
    growth = pd.Series(dtype="float64")
    if market is None or "period" not in market.columns:
        missing.append("market" if market is None else "market.period")
    else:
        m = market.assign(period=market["period"].astype("str"))
        periods |= set(m["period"].dropna())
        if "market_size" in m.columns:
            s = pd.to_numeric(m["market_size"], errors="coerce")
            size = s.groupby(m["period"]).sum(min_count=1)
        else:
            missing.append("market.market_size")
            s = pd.Series(np.nan, index=m.index)
        if "growth" in m.columns:
            g = pd.to_numeric(m["growth"], errors="coerce")
            before = s / (1 + g)
            ok = (s.notna() & before.notna()).groupby(m["period"]).all()
            exact = s.groupby(m["period"]).sum() / before.groupby(m["period"]).sum() - 1
            growth = exact.where(ok, g.groupby(m["period"]).mean())
        else:
            missing.append("market.growth")
        if unit_column is not None and unit_column not in m.columns:
            missing.append(f"market.{unit_column}")
    revenue = pd.Series(dtype="float64")
    if ours is None or not {"period", "revenue"} <= set(ours.columns):
        missing.append("ours" if ours is None else "ours.revenue")
    else:
        revenue = pd.to_numeric(ours["revenue"], errors="coerce").groupby(
            ours["period"].astype("str")).sum(min_count=1)
        periods |= set(revenue.index)
    labels = sorted(periods)
    out = pd.DataFrame({"period": pd.Series(labels, dtype="str")})
    out["market_size"] = size.reindex(labels).to_numpy(dtype="float64")
    out["growth"] = growth.reindex(labels).to_numpy(dtype="float64")
    sizes = dict(zip(labels, out["market_size"], strict=True))
    computed = []
    for label, given in zip(labels, out["growth"], strict=True):
        lag = year_lag(label)
        earlier = sizes.get(lag_label(label, lag)) if lag else None
        if np.isfinite(given) or earlier is None or not earlier > 0:
            computed.append(given)
        else:
            computed.append(sizes[label] / earlier - 1)
    out["growth"] = np.asarray(computed, dtype="float64")
    out["revenue"] = revenue.reindex(labels).to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(out["market_size"] > 0, out["revenue"] / out["market_size"], np.nan)
    out["our_share"] = share
    shares = dict(zip(labels, share, strict=True))
    out["our_share_change"] = [
        s - shares[prev] if (prev := lag_label(label, 1)) in shares else np.nan
        for label, s in zip(labels, share, strict=True)]
    out["our_share_change"] = out["our_share_change"].astype("float64")
    out.attrs["missing"] = missing
    return out


__all__ = ["our_metrics", "market_view", "lag_label", "year_lag", "OUR_COLUMNS",
           "VIEW_COLUMNS"]
