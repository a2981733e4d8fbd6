"""Which group of customers changed its buying the most: purchase frequency by group, this
period against the comparison period, relative to everyone else.

The seed articles' case C: "a class of customers buys markedly less often; they turn out to be
price-sensitive". ``frequency_shift`` finds such a group among any grouping (clusters, segments,
customer types): it compares purchases per customer in the two periods, for the same customers.

Rules
-----
* Population: the customers of ``groups`` whose first purchase is before the comparison
  period's start, so they could buy in both periods (new customers would inflate "now").
* For a group g: ``freq_before`` = purchases in the comparison period / customers of g,
  ``freq_now`` = purchases in this period / customers of g, ``change = freq_now / freq_before −
  1``. ``rest_change`` is the same over every other customer of the population, and
  ``relative_change = (1 + change) / (1 + rest_change) − 1``: how much more (or less) g changed
  than the rest. Seasonality hits both sides alike, so it cancels out.
* ``significant``: a two-sided Poisson rate test of g's purchase counts now against before,
  expected under the rest's change (normal approximation on the log rate ratio), p < 0.01.
* A row is ``flagged`` when ``relative_change <= −alert``, it is significant, and the group has
  at least ``min_customers`` customers and ``min_purchases`` purchases before.

Price tiers (``price_tiers``) are one such grouping, by ``price_position`` (the geometric mean
of what a customer paid against the category's median price; ``segment.clusters``):
``price_sensitive`` below ``low`` (default 0.8: at least 20 % below the typical price),
``premium`` above ``high`` (default 1.25), ``mainstream`` between; customers without a price
position have no tier.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..periods import Period
from ..purchases import between

PRICE_TIERS = ("price_sensitive", "mainstream", "premium")
TIER_LABELS = {"zh": {"price_sensitive": "价格敏感型客户", "mainstream": "主流价位客户",
                      "premium": "高价位客户"},
               "en": {"price_sensitive": "Price-sensitive customers",
                      "mainstream": "Mainstream customers", "premium": "Premium customers"}}

SHIFT_COLUMNS = ("group", "customers", "purchases_before", "purchases_now", "freq_before",
                 "freq_now", "change", "rest_change", "relative_change", "p_value",
                 "significant", "flagged")


def customer_counts(purchases: pd.DataFrame, period: Period, comparison: Period) -> pd.DataFrame:
    """Per customer (index customer_id): ``first`` purchase, purchases ``before`` (in the
    comparison period) and ``now`` (in this period). Computed once, shared by every grouping."""
    g = purchases.groupby("customer_id", observed=True, sort=False)["order_date"]
    out = pd.DataFrame({"first": g.min()})
    for name, p in (("before", comparison), ("now", period)):
        rows = between(purchases, p.start, p.end)
        out[name] = rows.groupby("customer_id", observed=True, sort=False).size().reindex(
            out.index, fill_value=0).astype("int64")
    return out


def frequency_shift(purchases: pd.DataFrame, groups: pd.Series, period: Period,
                    comparison: Period, alert: float = 0.2, min_customers: int = 30,
                    min_purchases: int = 30, counts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Purchases per customer by group, now against the comparison period (see module doc).

    ``groups``: the group of each customer (index customer_id). ``counts``: the
    ``customer_counts`` of these purchases and periods, when already computed. Rows sorted by
    relative_change, the largest fall first.
    """
    if counts is None:
        counts = customer_counts(purchases, period, comparison)
    established = counts.index[counts["first"] < comparison.start]
    g = groups[groups.index.isin(established)].dropna()
    if g.empty:
        return pd.DataFrame(columns=list(SHIFT_COLUMNS))
    c = counts.reindex(g.index)
    frame = pd.DataFrame({"group": g.astype(str), "before": c["before"], "now": c["now"]})
    per = frame.groupby("group", observed=True).agg(customers=("before", "size"),
                                                    purchases_before=("before", "sum"),
                                                    purchases_now=("now", "sum"))
    tot_b, tot_n = per["purchases_before"].sum(), per["purchases_now"].sum()
    rest_b = tot_b - per["purchases_before"]
    rest_n = tot_n - per["purchases_now"]
    out = per.reset_index()
    out["freq_before"] = out["purchases_before"] / out["customers"]
    out["freq_now"] = out["purchases_now"] / out["customers"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["change"] = np.where(out["purchases_before"] > 0,
                                 out["purchases_now"] / out["purchases_before"] - 1, np.nan)
        rest = np.where(rest_b.to_numpy() > 0, rest_n.to_numpy() / rest_b.to_numpy() - 1, np.nan)
        if len(out) == 1:  # one group: compare it with nothing (no rest)
            rest = np.array([np.nan])
        out["rest_change"] = rest
        out["relative_change"] = (1 + out["change"]) / (1 + out["rest_change"]) - 1
        out["p_value"] = _rate_test(out["purchases_before"].to_numpy(float),
                                    out["purchases_now"].to_numpy(float),
                                    rest_b.to_numpy(float), rest_n.to_numpy(float))
    out["significant"] = (out["p_value"] < 0.01).fillna(False)
    out["flagged"] = ((out["relative_change"] <= -alert) & out["significant"]
                      & (out["customers"] >= min_customers)
                      & (out["purchases_before"] >= min_purchases)).fillna(False)
    out = out.sort_values(["relative_change", "group"], na_position="last", ignore_index=True)
    return out[list(SHIFT_COLUMNS)]


def _rate_test(b: np.ndarray, n: np.ndarray, rb: np.ndarray, rn: np.ndarray) -> np.ndarray:
    """p-value of log(n/b) − log(rn/rb) = 0 (Poisson counts; 0.5 added to avoid log 0)."""
    b, n, rb, rn = b + 0.5, n + 0.5, rb + 0.5, rn + 0.5
    z = (np.log(n / b) - np.log(rn / rb)) / np.sqrt(1 / b + 1 / n + 1 / rb + 1 / rn)
    return 2 * stats.norm.sf(np.abs(z))


def price_tiers(price_position: pd.Series, low: float = 0.8, high: float = 1.25) -> pd.Series:
    """The price tier of each customer (index kept); NaN positions get no tier."""
    if not 0 < low < 1 < high:
        from ..errors import ParameterError

        raise ParameterError("price tier bounds", "0 < low < 1 < high", (low, high))
    pos = price_position.astype("float64")
    tier = np.select([pos < low, pos > high, pos.notna()],
                     ["price_sensitive", "premium", "mainstream"], default="")
    return pd.Series(tier, index=price_position.index, name="price_tier").replace("", None)


def tier_label(code: str, language: str = "zh") -> str:
    if language not in TIER_LABELS or code not in PRICE_TIERS:
        from ..errors import ParameterError

        raise ParameterError("price tier", " or ".join(PRICE_TIERS) + " in zh or en",
                             (code, language))
    return TIER_LABELS[language][code]
