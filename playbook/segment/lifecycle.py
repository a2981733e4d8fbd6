"""Customer lifecycle stages (客户生命周期阶段) at a date, and how customers move between them.

Inputs are purchases (``playbook.purchases.purchases``: one row per sale order with customer_id
and order_date); only purchases on or before ``as_of`` count (``order_date < as_of + 1 day``).
Day counts use calendar days: ``days_since_last = (as_of - last purchase day).days`` (a purchase
on ``as_of`` gives 0).

Churn window (流失窗口), ``churn_window``
    The gaps between consecutive purchase *days* of each customer (several purchases on one
    day count as one day) are pooled over all customers. The window is the 0.9 quantile of
    these gaps (numpy's default linear interpolation), rounded up to a whole day and clipped to
    [30, 730] days: 90 % of the times a customer came back, they came back within the window,
    so a customer silent for longer than it is unlikely to return and is called churned. With
    fewer than 30 gaps the quantile is not trusted and the window is 365 days. (Frequent buyers
    contribute more gaps than rare ones, so the window describes returning purchases rather
    than the average customer; set ``segment.churn_window_days`` to override it.)

Stages (阶段), ``lifecycle_stages``; W is the churn window in days, the period is
[``period_start``, ``as_of``]. The rules are tried in this order and the first match wins:

    1. potential (潜在客户): no purchase up to as_of (a registered customer who never bought;
       only customers from the customers table can be potential).
    2. churned (已流失): days_since_last > W.
    3. new (新客户): the first purchase ever lies in the period (period_start <= first <= as_of).
    4. at_risk (流失风险): days_since_last > W / 2, or the customer bought on one day only and
       that day is before period_start (bought once and did not come back within a whole
       period: a conversion risk).
    5. loyal (忠诚客户): purchases_365d >= 4 (``loyal_min_purchases``): at least 4 purchases in
       the 365 days up to as_of (order dates from as_of - 364 days to as_of).
    6. repeat (复购客户): everyone else: active and came back on a later day at least once.

Boundaries: exactly W days since the last purchase is not churned, exactly W / 2 is not at
risk (both tests are strict). ``n_purchases`` counts sale orders; the "bought once" test of
rule 4 counts purchase days, so two orders on the same day are still one visit. A churned
customer who buys again is re-staged by the same rules (usually repeat or loyal: reactivated).

Population: every customer with a purchase up to as_of, plus (when ``customers`` is given)
every customer of the customers table whose ``signup_date`` is on or before as_of or missing
(all of them when the table has no signup_date).

Migration (阶段迁移), ``migration_matrix``: each customer's stage at the earlier date (rows,
"from") against the stage at the later date (columns, "to"). A customer absent from a frame
(not yet known then) counts as potential at that date, so first-time buyers show up as
potential -> new.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..purchases import day_after
from .checks import as_day, need_columns, whole_number

STAGES: tuple[str, ...] = ("potential", "new", "repeat", "loyal", "at_risk", "churned")

_LABELS: dict[str, dict[str, str]] = {
    "en": {"potential": "Potential", "new": "New", "repeat": "Repeat", "loyal": "Loyal",
           "at_risk": "At risk", "churned": "Churned"},
    "zh": {"potential": "潜在客户", "new": "新客户", "repeat": "复购客户", "loyal": "忠诚客户",
           "at_risk": "流失风险", "churned": "已流失"},
}

STAGE_COLUMNS = ("customer_id", "stage", "first_purchase", "last_purchase", "n_purchases",
                 "purchases_365d", "days_since_last")


def stage_label(code: str, language: str = "zh") -> str:
    """The display name of a stage code in ``language`` ("zh" or "en")."""
    if language not in _LABELS:
        raise ParameterError("language", "zh or en", language)
    if code not in _LABELS[language]:
        raise ParameterError("stage", "one of " + ", ".join(STAGES), code)
    return _LABELS[language][code]


# --- helpers ------------------------------------------------------------------------------------

def _need(purchases: pd.DataFrame, columns: tuple[str, ...]) -> None:
    need_columns(purchases, "purchases", columns, "a purchases frame")


def _as_of(as_of: object, name: str = "as_of") -> pd.Timestamp:
    return as_day(as_of, name)


def _times(dates: pd.Series) -> np.ndarray:
    """A datetime column as a naive numpy datetime64 array (time zones dropped)."""
    values = pd.to_datetime(dates)
    if getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_localize(None)
    return values.to_numpy()


def _day_number(ts: pd.Timestamp) -> int:
    return int(np.datetime64(ts.normalize(), "D").astype(np.int64))


def _up_to_mask(times: np.ndarray, start: pd.Timestamp | None,
                as_of: pd.Timestamp | None) -> np.ndarray:
    """Rows with ``start <= time < as_of + 1 day`` (either bound may be None)."""
    keep = ~np.isnat(times)
    if start is not None:
        keep &= times >= np.datetime64(start)
    if as_of is not None:
        keep &= times < np.datetime64(day_after(as_of))
    return keep


def _factorize(ids: pd.Series, keep: np.ndarray) -> tuple[np.ndarray, pd.Index, np.ndarray]:
    """Customer codes of the kept rows, numbered in sorted customer_id order.

    Returns (codes of the kept rows with an id, the sorted distinct ids, the row mask used).
    Factorizing every row and dropping unused ids afterwards is cheaper than filtering the
    string column first.
    """
    codes, uniques = pd.factorize(ids.astype("str"))
    keep = keep & (codes >= 0)
    codes = codes[keep]
    used = np.flatnonzero(np.bincount(codes, minlength=len(uniques)))
    labels = pd.Index(uniques, dtype="str")[used]
    order = labels.argsort()
    remap = np.full(len(uniques), -1, dtype=np.int64)
    remap[used[order]] = np.arange(len(used))
    return remap[codes], labels[order], keep


def _distinct_pairs(codes: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct (code, integer value) pairs, sorted by code then value."""
    codes = codes.astype(np.int64)
    values = values.astype(np.int64)
    if len(codes) == 0:
        return codes, values
    lo = int(values.min())
    span = int(values.max()) - lo + 1
    if (int(codes.max()) + 1) * span < 2**62:
        key = codes * span + (values - lo)
        if not (key[1:] >= key[:-1]).all():  # purchases() output is sorted already
            key = np.sort(key)
        first = np.ones(len(key), dtype=bool)
        first[1:] = key[1:] != key[:-1]
        key = key[first]
        return key // span, key % span + lo
    order = np.lexsort((values, codes))
    c, v = codes[order], values[order]
    first = np.ones(len(c), dtype=bool)
    first[1:] = (c[1:] != c[:-1]) | (v[1:] != v[:-1])
    return c[first], v[first]


def _gaps(purchases: pd.DataFrame, as_of: pd.Timestamp | None
          ) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """(customer code of each gap, gap in days, sorted customer ids)."""
    times = _times(purchases["order_date"])
    codes, labels, keep = _factorize(purchases["customer_id"], _up_to_mask(times, None, as_of))
    days = times[keep].astype("datetime64[D]").astype(np.int64)
    c, d = _distinct_pairs(codes, days)
    same = c[1:] == c[:-1]
    return c[1:][same], (d[1:] - d[:-1])[same], labels


# --- churn window -------------------------------------------------------------------------------

def inter_purchase_days(purchases: pd.DataFrame, as_of: object = None) -> pd.Series:
    """Gaps in days between consecutive purchase days of the same customer, up to ``as_of``.

    Several purchases of one customer on the same day count as one day. Returns an int64
    Series named ``gap_days`` indexed by customer_id (one value per gap, customers in sorted
    order, gaps in date order); customers with one purchase day contribute nothing.
    """
    _need(purchases, ("customer_id", "order_date"))
    codes, gaps, labels = _gaps(purchases, None if as_of is None else _as_of(as_of))
    index = pd.Index(labels.take(codes), dtype="str", name="customer_id")
    return pd.Series(gaps, index=index, name="gap_days")


def churn_window(purchases: pd.DataFrame, as_of: object = None, quantile: float = 0.9,
                 min_days: int = 30, max_days: int = 730, default_days: int = 365,
                 min_gaps: int = 30) -> int:
    """Days without a purchase after which a customer counts as churned.

    The ``quantile`` (default 0.9) of ``inter_purchase_days`` with every *customer* weighing
    the same (each of a customer's n gaps weighs 1/n; the smallest gap whose cumulative weight
    reaches the quantile), rounded up to a whole day and clipped to [min_days, max_days]. So
    90 % of returning customers typically came back within that many days, and longer silence
    most likely means they are gone. Weighting by customer matters: frequent buyers have many
    short gaps, and an unweighted quantile would call an occasional buyer churned after a few
    weeks. With fewer than ``min_gaps`` gaps the data cannot tell and ``default_days`` is
    returned.
    """
    if (isinstance(quantile, bool) or not isinstance(quantile, int | float)
            or not 0 < quantile <= 1):
        raise ParameterError("quantile", "a number in (0, 1]", quantile)
    for name, value in (("min_days", min_days), ("max_days", max_days),
                        ("default_days", default_days), ("min_gaps", min_gaps)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise ParameterError(name, "a whole number >= 1", value)
    if min_days > max_days:
        raise ParameterError("min_days", f"at most max_days ({max_days})", min_days)
    _need(purchases, ("customer_id", "order_date"))
    codes, gaps, _ = _gaps(purchases, None if as_of is None else _as_of(as_of))
    if len(gaps) < min_gaps:
        return int(default_days)
    weight = 1.0 / np.bincount(codes)[codes]
    order = np.argsort(gaps, kind="stable")
    share = np.cumsum(weight[order]) / weight.sum()
    # 1e-9: float noise in the cumulative share must not skip to the next gap
    value = math.ceil(float(gaps[order][np.searchsorted(share, quantile - 1e-9)]))
    return int(min(max(value, min_days), max_days))


# --- stages -------------------------------------------------------------------------------------

def _whole(value: object, name: str, allowed: str) -> None:
    whole_number(name, value, 1, allowed)


def lifecycle_stages(purchases: pd.DataFrame, as_of: object, period_start: object,
                     churn_window_days: int, customers: pd.DataFrame | None = None,
                     loyal_min_purchases: int = 4) -> pd.DataFrame:
    """One row per customer with its lifecycle stage at ``as_of`` (rules in the module doc).

    Columns: customer_id (str), stage (categorical over ``STAGES``), first_purchase and
    last_purchase (datetimes of the first and last order up to as_of; NaT for potential),
    n_purchases (orders up to as_of), purchases_365d (orders dated as_of - 364 days .. as_of),
    days_since_last (Int64; <NA> for potential). Sorted by customer_id.
    """
    _need(purchases, ("customer_id", "order_date"))
    as_of = _as_of(as_of)
    period_start = _as_of(period_start, "period_start")
    if period_start > as_of:
        raise ParameterError("period_start", f"on or before as_of ({as_of.date()})",
                             str(period_start.date()))
    _whole(churn_window_days, "churn_window_days", "a whole number of days >= 1")
    _whole(loyal_min_purchases, "loyal_min_purchases", "a whole number >= 1")

    times = _times(purchases["order_date"])
    codes, labels, keep = _factorize(purchases["customer_id"], _up_to_mask(times, None, as_of))
    times = times[keep]
    unit = np.datetime_data(times.dtype)[0]
    ticks = times.view(np.int64)
    k = len(labels)
    first_t = np.full(k, np.iinfo(np.int64).max, dtype=np.int64)
    last_t = np.full(k, np.iinfo(np.int64).min, dtype=np.int64)
    np.minimum.at(first_t, codes, ticks)
    np.maximum.at(last_t, codes, ticks)
    today = _day_number(as_of)
    recent = times.astype("datetime64[D]").astype(np.int64) >= today - 364
    n = np.bincount(codes, minlength=k).astype(np.int64)
    r365 = np.bincount(codes[recent], minlength=k).astype(np.int64)

    if customers is not None:
        if "customer_id" not in customers.columns:
            raise ParameterError("customers", "a customers frame with customer_id",
                                 "a frame without customer_id")
        known = customers["customer_id"]
        if "signup_date" in customers.columns:
            signup = pd.to_datetime(customers["signup_date"], errors="coerce")
            known = known[(signup.isna() | (signup < day_after(as_of))).to_numpy()]
        known = pd.Index(known.dropna().astype("str").unique(), dtype="str")
        # ids not among the buyers: labels are distinct and come first, so they get codes
        # 0 .. len(labels) - 1 and a known id gets a higher code only if it is new
        # (factorize instead of Index.isin, which is slow on str indexes)
        both, _ = pd.factorize(labels.append(known))
        extra = known[both[len(labels):] >= len(labels)]
        if len(extra):
            pad = len(extra)
            labels = labels.append(extra)
            order = labels.argsort()
            labels = labels[order]
            first_t = np.concatenate([first_t, np.full(pad, np.iinfo(np.int64).min)])[order]
            last_t = np.concatenate([last_t, np.full(pad, np.iinfo(np.int64).min)])[order]
            n = np.concatenate([n, np.zeros(pad, dtype=np.int64)])[order]
            r365 = np.concatenate([r365, np.zeros(pad, dtype=np.int64)])[order]

    bought = n > 0
    nat = np.iinfo(np.int64).min
    first = np.where(bought, first_t, nat).view(f"datetime64[{unit}]")
    last = np.where(bought, last_t, nat).view(f"datetime64[{unit}]")
    first_day = first.astype("datetime64[D]").astype(np.int64)
    last_day = last.astype("datetime64[D]").astype(np.int64)
    since = np.where(bought, today - last_day, 0)
    start_day = _day_number(period_start)
    stage = np.select(
        [~bought,
         since > churn_window_days,
         first_day >= start_day,
         (since > churn_window_days / 2) | ((first_day == last_day) & (first_day < start_day)),
         r365 >= loyal_min_purchases],
        ["potential", "churned", "new", "at_risk", "loyal"], default="repeat")
    return pd.DataFrame({
        "customer_id": labels.array,
        "stage": pd.Categorical(stage, categories=list(STAGES)),
        "first_purchase": first,
        "last_purchase": last,
        "n_purchases": n,
        "purchases_365d": r365,
        "days_since_last": pd.arrays.IntegerArray(since.astype(np.int64), ~bought),
    })


# --- comparison ---------------------------------------------------------------------------------

def _stage_codes(frame: pd.DataFrame, name: str) -> np.ndarray:
    """Stage of each row as its position in STAGES (-1 for a missing stage)."""
    if not {"customer_id", "stage"} <= set(frame.columns):
        raise ParameterError(name, "a lifecycle_stages frame (customer_id, stage)",
                             "a frame without customer_id or stage")
    stage = frame["stage"]
    if isinstance(stage.dtype, pd.CategoricalDtype) and list(stage.cat.categories) == list(STAGES):
        return stage.cat.codes.to_numpy(np.int64)
    codes = pd.Categorical(stage.astype("str"), categories=list(STAGES)).codes.astype(np.int64)
    bad = (codes < 0) & stage.notna().to_numpy()
    if bad.any():
        raise ParameterError(f"{name}.stage", "one of " + ", ".join(STAGES),
                             stage[bad].iloc[0])
    return codes


def stage_counts(now: pd.DataFrame, before: pd.DataFrame) -> pd.DataFrame:
    """Customers per stage at two dates: stage, before, now, change (now - before) and
    change_pct (change / before as a fraction, 0.25 = +25 %; NaN when before is 0).
    All six stages always appear, in ``STAGES`` order."""
    k = len(STAGES)
    b = _stage_codes(before, "before")
    a = _stage_codes(now, "now")
    out = pd.DataFrame({"stage": list(STAGES),
                        "before": np.bincount(b[b >= 0], minlength=k).astype(np.int64),
                        "now": np.bincount(a[a >= 0], minlength=k).astype(np.int64)})
    out["change"] = out["now"] - out["before"]
    base = out["before"].to_numpy(float)
    out["change_pct"] = np.divide(out["change"].to_numpy(float), base,
                                  out=np.full(k, np.nan), where=base > 0)
    return out


def migration_matrix(before: pd.DataFrame, now: pd.DataFrame,
                     normalize: bool = False) -> pd.DataFrame:
    """Customers by stage before (rows, index name "from") and now (columns, "to").

    Over the union of both frames' customers; a customer missing from a frame (or with a
    missing stage) counts as potential there. Both axes hold all ``STAGES`` in order (zeros
    where empty). With ``normalize=True`` each row is divided by its total (row shares; empty
    rows stay 0).
    """
    k = len(STAGES)
    b = _stage_codes(before, "before")
    a = _stage_codes(now, "now")
    ids = pd.concat([before["customer_id"], now["customer_id"]], ignore_index=True)
    codes, uniques = pd.factorize(ids.astype("str"), use_na_sentinel=False)
    potential = STAGES.index("potential")
    src = np.full(len(uniques), potential, dtype=np.int64)
    dst = np.full(len(uniques), potential, dtype=np.int64)
    src[codes[: len(b)]] = np.where(b >= 0, b, potential)
    dst[codes[len(b):]] = np.where(a >= 0, a, potential)
    counts = np.bincount(src * k + dst, minlength=k * k).reshape(k, k).astype(np.int64)
    out = pd.DataFrame(counts, index=pd.Index(list(STAGES), name="from"),
                       columns=pd.Index(list(STAGES), name="to"))
    if normalize:
        totals = counts.sum(axis=1, keepdims=True).astype(float)
        shares = np.divide(counts, totals, out=np.zeros((k, k)), where=totals > 0)
        out = pd.DataFrame(shares, index=out.index, columns=out.columns)
    return out


def flow_table(before: pd.DataFrame, now: pd.DataFrame) -> pd.DataFrame:
    """The non-zero transitions in long form: from, to, customers; largest first (ties in
    ``STAGES`` order of from, then to)."""
    m = migration_matrix(before, now)
    long = m.stack().rename("customers").reset_index()
    long = long[long["customers"] > 0]
    return long.sort_values("customers", ascending=False, kind="stable",
                            ignore_index=True)[["from", "to", "customers"]]
