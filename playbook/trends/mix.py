"""What customers buy: the category mix of sale orders per period (and group), and which
shares moved against a baseline period.

Rules
-----
* ``age_band``: age = ``as_of_year − birth_year``; "<30" for age < 30 (so 29 is "<30" and 30
  is "30-39"), "30-39", "40-49", "50+"; a missing birth year stays missing.
* ``category_mix`` counts sale orders: rows with ``amount > 0`` that are not returns
  (``is_return``). An order is counted once per category it holds (one ``order_id`` with two
  lines of the same category counts once); without ``order_id`` every row is an order.
  ``total`` = distinct sale orders of the period × group, ``orders`` = those holding the
  category, ``share = orders / total`` (shares of a multi-category order add up past 1).
  Every category seen anywhere gets a row in every period × group that has orders (0 when
  absent). A group comes from ``customers[by]`` joined on customer_id (from ``orders[by]``
  when no customers are given); orders without a group are left out.
* ``mix_shifts`` compares ``share`` in ``period`` with ``share`` in ``baseline`` per
  [group ×] category: ``change = share_now − share_baseline`` (in share points, 0.2 = 20
  points) and the p-value of a two-sided two-proportion z-test (pooled); ``flagged`` when
  ``|change| >= threshold``, ``p_value < alpha`` (0.01) and both periods hold at least
  ``min_orders`` orders of the group. Rows sorted by ``|change|``, the largest first.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import ParameterError
from ..periods import Period
from ..purchases import between

AGE_BANDS = ("<30", "30-39", "40-49", "50+")
SHIFT_COLUMNS = ("category", "orders_now", "total_now", "share_now", "orders_baseline",
                 "total_baseline", "share_baseline", "change", "p_value", "flagged")


def age_band(birth_year: pd.Series, as_of_year: int) -> pd.Series:
    """The age band of each birth year (see the module docstring); same index, str dtype."""
    age = as_of_year - pd.to_numeric(birth_year, errors="coerce").astype("float64")
    bands = np.select([age < 30, age < 40, age < 50, age >= 50], list(AGE_BANDS), "")
    out = pd.Series(bands, index=birth_year.index, dtype="str", name="age_band")
    return out.where(age.notna())


def _sale_orders(orders: pd.DataFrame) -> pd.DataFrame:
    sale = orders[orders["amount"] > 0]
    if "is_return" in sale.columns:
        sale = sale[~sale["is_return"].fillna(False).astype(bool)]
    sale = sale[sale["order_date"].notna() & sale["category"].notna()]
    key = (sale["order_id"].astype("str") if "order_id" in sale.columns
           else pd.Series(np.arange(len(sale)).astype(str), index=sale.index))
    return pd.DataFrame({"customer_id": sale["customer_id"], "order_date": sale["order_date"],
                         "category": sale["category"].astype("str"), "key": key},
                        index=sale.index)


def category_mix(orders: pd.DataFrame, periods: list[Period], by: str | None = None,
                 customers: pd.DataFrame | None = None) -> pd.DataFrame:
    """Long frame: period, [by], category, orders, total, share (see the module docstring)."""
    sale = _sale_orders(orders)
    keys = ["period"] + ([by] if by else [])
    if by:
        if customers is not None:
            if by not in customers.columns:
                raise ParameterError("by", "a column of customers", by, where="category_mix")
            groups = customers.drop_duplicates("customer_id").set_index("customer_id")[by]
            sale[by] = sale["customer_id"].map(groups)
        elif by in orders.columns:
            sale[by] = orders.loc[sale.index, by]
        else:
            raise ParameterError("by", "a column of customers or orders", by,
                                 where="category_mix")
        sale = sale[sale[by].notna()]
    categories = sorted(sale["category"].unique())
    parts = []
    for p in periods:
        rows = between(sale, p.start, p.end).assign(period=p.label)
        if rows.empty:
            continue
        once = rows.drop_duplicates(["key", "category"])
        if by:
            total = rows.groupby(by, observed=True)["key"].nunique()
            counts = once.groupby([by, "category"], observed=True).size().reindex(
                pd.MultiIndex.from_product([total.index, categories]), fill_value=0)
            frame = counts.rename("orders").reset_index()
            frame.columns = [by, "category", "orders"]
            frame["total"] = frame[by].map(total).astype("int64")
        else:
            counts = once.groupby("category").size().reindex(categories, fill_value=0)
            frame = pd.DataFrame({"category": categories, "orders": counts.to_numpy(),
                                  "total": rows["key"].nunique()})
        frame.insert(0, "period", p.label)
        parts.append(frame)
    cols = keys + ["category", "orders", "total", "share"]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="float64" if c == "share" else "object")
                             for c in cols})
    out = pd.concat(parts, ignore_index=True)
    out["orders"] = out["orders"].astype("int64")
    out["share"] = out["orders"] / out["total"]
    return out[cols]


def _label(p: Period | str) -> str:
    return p.label if isinstance(p, Period) else str(p)


def mix_shifts(mix: pd.DataFrame, period: Period | str, baseline: Period | str,
               by: str | None = None, threshold: float = 0.05,
               alpha: float = 0.01, min_orders: int = 0) -> pd.DataFrame:
    """Per [by ×] category: share in ``period`` against ``baseline`` (see module doc).
    Columns: [by], ``SHIFT_COLUMNS``."""
    now_l, base_l = _label(period), _label(baseline)
    seen = set(mix["period"].astype(str)) if not mix.empty else set()
    for name, lab in (("period", now_l), ("baseline", base_l)):
        if lab not in seen:
            raise ParameterError(name, "a period of the mix (" + ", ".join(sorted(seen)) + ")",
                                 lab, where="mix_shifts")
    keys = ([by] if by else []) + ["category"]
    side = {}
    for suffix, lab in (("now", now_l), ("baseline", base_l)):
        part = mix[mix["period"].astype(str) == lab].set_index(keys)[["orders", "total"]]
        side[suffix] = part.add_suffix("_" + suffix)
    out = side["now"].join(side["baseline"], how="inner").reset_index()
    x1, n1 = out["orders_now"].to_numpy(float), out["total_now"].to_numpy(float)
    x0, n0 = out["orders_baseline"].to_numpy(float), out["total_baseline"].to_numpy(float)
    p1, p0 = x1 / n1, x0 / n0
    pooled = (x1 + x0) / (n1 + n0)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, (p1 - p0) / se, 0.0)
    out["share_now"], out["share_baseline"], out["change"] = p1, p0, p1 - p0
    out["p_value"] = 2 * stats.norm.sf(np.abs(z))
    out["flagged"] = ((np.abs(out["change"]) >= threshold) & (out["p_value"] < alpha)
                      & (np.minimum(n1, n0) >= min_orders))
    out = out.iloc[np.argsort(-np.abs(out["change"].to_numpy()), kind="stable")]
    return out[([by] if by else []) + list(SHIFT_COLUMNS)].reset_index(drop=True)
