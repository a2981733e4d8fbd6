"""Cohort retention (同期群留存): customers grouped by the quarter or month of their first purchase,
followed period by period.

Definitions (``kind`` is "quarter" or "month"; periods are calendar quarters "2024Q1" or
months "2024-01"; only purchases on or before ``as_of`` count, and on or after ``start``
when it is given):

- cohort of a customer: the period of the customer's first purchase; ``sizes`` counts them.
- age: periods since the cohort period (age 0 is the cohort period itself).
- ``customers``: of a cohort, how many bought at least once in period cohort + age.
- ``retention``: customers / size. Age 0 is 1.0 by definition (everyone bought then).
- ``revenue``: the cohort's purchase amounts in period cohort + age.
- ``revenue_retention``: revenue at that age / revenue at age 0 (can exceed 1; NaN when the
  age-0 revenue is 0).

Immature cells: where cohort + age lies after the period that contains ``as_of`` the cell
cannot be observed yet and is NaN (<NA> in ``customers``). The period containing ``as_of`` is
complete when ``as_of`` is its last day; otherwise it is *partial*: its cells are shown but
cover only the days up to ``as_of`` (so they understate retention); its label is returned as
``partial`` (None when complete).

Left censoring: ``start`` is the first day of the data window. A customer whose first purchase
*in the window* falls in the window's first period may have bought before the data begins, so
that cohort mixes new and old customers. Its label carries a "≤" prefix ("≤2024Q1") to say
so. Without ``start`` the data is taken to begin with the customers' true first purchases.

``cohort_summary`` averages over mature cohorts only: cells that are complete periods,
leaving out the left-censored cohort.
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..errors import ParameterError
from .lifecycle import _as_of, _distinct_pairs, _factorize, _times, _up_to_mask

KINDS = ("quarter", "month")
CENSORED = "≤"


def _ordinal(months: np.ndarray, kind: str) -> np.ndarray:
    """pandas Period ordinals (Q-DEC or M) from months since 1970-01."""
    return months // 3 if kind == "quarter" else months


def _freq(kind: str) -> str:
    return "Q" if kind == "quarter" else "M"


def _labels(ordinals: np.ndarray, kind: str) -> list[str]:
    return [str(p) for p in pd.PeriodIndex.from_ordinals(ordinals, freq=_freq(kind))]


def cohort_tables(purchases: pd.DataFrame, as_of: object, kind: str = "quarter",
                  start: object = None, max_age: int | None = None) -> dict:
    """Cohort sizes, retention and revenue retention (definitions in the module docstring).

    Returns a dict: ``sizes`` (Series cohort label -> customers), ``retention``,
    ``revenue_retention``, ``customers`` (Int64 counts), ``revenue`` (DataFrames indexed by
    cohort label, columns age 0, 1, ... up to ``max_age``), ``partial`` (label of the partial
    period holding as_of, or None) and ``kind``. Cohorts without customers are left out.
    """
    if kind not in KINDS:
        raise ParameterError("kind", "quarter or month", kind)
    if max_age is not None and (isinstance(max_age, bool)
                                or not isinstance(max_age, int | np.integer) or max_age < 0):
        raise ParameterError("max_age", "None or a whole number >= 0", max_age)
    need = ("customer_id", "order_date", "amount")
    missing = [c for c in need if c not in purchases.columns]
    if missing:
        raise ParameterError("purchases", "a purchases frame with " + ", ".join(need),
                             f"a frame without {', '.join(missing)}")
    as_of = _as_of(as_of)
    start = None if start is None else _as_of(start, "start")
    if start is not None and start > as_of:
        raise ParameterError("start", f"on or before as_of ({as_of.date()})", str(start.date()))

    freq = _freq(kind)
    last = pd.Period(as_of, freq=freq)
    partial = None if last.end_time.normalize() == as_of else str(last)
    last_ord = int(last.ordinal)
    first_ord = None if start is None else int(pd.Period(start, freq=freq).ordinal)

    times = _times(purchases["order_date"])
    codes, _, keep = _factorize(purchases["customer_id"], _up_to_mask(times, start, as_of))
    months = times[keep].astype("datetime64[M]").astype(np.int64)
    per = _ordinal(months, kind)
    amount = purchases["amount"].to_numpy(dtype=float, na_value=np.nan)[keep]
    amount = np.nan_to_num(amount, nan=0.0)
    k = int(codes.max()) + 1 if len(codes) else 0
    if k == 0:
        empty = pd.DataFrame(index=pd.Index([], dtype="str", name="cohort"),
                             columns=pd.Index([0], name="age"), dtype=float)
        return {"sizes": pd.Series([], index=empty.index, dtype=np.int64, name="customers"),
                "retention": empty, "revenue_retention": empty.copy(),
                "customers": empty.astype("Int64"), "revenue": empty.copy(),
                "partial": partial, "kind": kind}

    cohort = np.full(k, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(cohort, codes, per)          # cohort period of each customer
    c0 = int(cohort.min())
    n_coh = last_ord - c0 + 1
    n_age = n_coh
    row = cohort - c0                           # cohort row of each customer
    sizes = np.bincount(row, minlength=n_coh)
    age = per - cohort[codes]
    revenue = np.bincount(row[codes] * n_age + age, weights=amount,
                          minlength=n_coh * n_age).reshape(n_coh, n_age)
    # a customer counts once per period: distinct (customer, age) pairs
    act_code, act_age = _distinct_pairs(codes, age)
    counts = np.bincount(row[act_code] * n_age + act_age,
                         minlength=n_coh * n_age).reshape(n_coh, n_age)

    periods = np.arange(c0, last_ord + 1)[sizes > 0]   # cohorts with customers
    labels = _labels(periods, kind)
    if first_ord is not None:
        labels = [CENSORED + lab if o == first_ord else lab
                  for lab, o in zip(labels, periods, strict=True)]
    width = n_age if max_age is None else min(n_age, max_age + 1)
    index = pd.Index(labels, dtype="str", name="cohort")
    columns = pd.Index(range(width), name="age")
    mature = (periods[:, None] + np.arange(width)[None, :]) <= last_ord
    size = sizes[sizes > 0].astype(float)[:, None]
    active = counts[sizes > 0][:, :width].astype(float)
    money = revenue[sizes > 0][:, :width]
    rev0 = money[:, :1]
    rev_ret = np.divide(money, rev0, out=np.full(money.shape, np.nan),
                        where=np.broadcast_to(rev0 != 0, money.shape))

    def table(values: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(np.where(mature, values, np.nan), index=index, columns=columns)

    return {
        "sizes": pd.Series(sizes[sizes > 0].astype(np.int64), index=index, name="customers"),
        "retention": table(active / size),
        "revenue_retention": table(rev_ret),
        "customers": table(active).astype("Int64"),
        "revenue": table(money),
        "partial": partial,
        "kind": kind,
    }


def cohort_summary(tables: dict, ages: Iterable[int] = (1, 2, 4)) -> pd.DataFrame:
    """Retention at the given ages pooled over mature cohorts, one row per age.

    Mature cohorts at an age: cohorts whose cell at that age is a complete period (not NaN and
    not the partial period holding as_of), leaving out the left-censored "≤" cohort.
    Columns: age, cohorts (how many), customers (their total size), retention (active
    customers / total size: the mean retention weighted by cohort size) and revenue_retention
    (their revenue at that age / their age-0 revenue: weighted by age-0 revenue).
    """
    ages = list(ages)
    for a in ages:
        if isinstance(a, bool) or not isinstance(a, int | np.integer) or a < 0:
            raise ParameterError("ages", "whole numbers >= 0", a)
    retention: pd.DataFrame = tables["retention"]
    counts: pd.DataFrame = tables["customers"]
    revenue: pd.DataFrame = tables["revenue"]
    sizes: pd.Series = tables["sizes"]
    kind, partial = tables.get("kind", "quarter"), tables.get("partial")
    labels = retention.index.astype("str")
    censored = np.asarray(labels.str.startswith(CENSORED), dtype=bool)
    freq = _freq(kind)
    ords = np.array([pd.Period(lab.lstrip(CENSORED), freq=freq).ordinal for lab in labels],
                    dtype=np.int64)
    partial_ord = None if partial is None else pd.Period(partial, freq=freq).ordinal
    out = []
    for a in ages:  # a handful of ages, not a loop over customers
        if a in retention.columns:
            ok = retention[a].notna().to_numpy() & ~censored
            if partial_ord is not None:
                ok &= (ords + a) != partial_ord
        else:
            ok = np.zeros(len(retention), dtype=bool)
        n = int(sizes.to_numpy()[ok].sum())
        act = float(counts[a].to_numpy(dtype=float, na_value=np.nan)[ok].sum()) if ok.any() else 0
        rev = float(revenue[a].to_numpy()[ok].sum()) if ok.any() else 0.0
        rev0 = float(revenue[0].to_numpy()[ok].sum()) if ok.any() else 0.0
        out.append({"age": a, "cohorts": int(ok.sum()), "customers": n,
                    "retention": act / n if n else np.nan,
                    "revenue_retention": rev / rev0 if rev0 else np.nan})
    return pd.DataFrame(out, columns=["age", "cohorts", "customers", "retention",
                                      "revenue_retention"])
