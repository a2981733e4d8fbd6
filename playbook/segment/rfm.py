"""RFM: recency, frequency and monetary value per customer, quintile scores, eleven named
segments, and the Chinese eight-class scheme (RFM 八类客户).

Population
    Every customer with at least one purchase (``playbook.purchases.purchases`` rows) on or before
    ``as_of``. Purchases after ``as_of`` are ignored; rows without a customer_id are ignored.

Measures (``rfm_table``), with ``end = as_of + 1 day`` and
``start = end - DateOffset(months=lookback_months)``:

- recency_days: ``(as_of - last purchase day).days`` over ALL history up to as_of (a purchase on
  as_of gives 0), even when the last purchase is older than the lookback window.
- frequency: number of purchases with ``start <= order_date < end``.
- monetary: the sum of those purchases' amounts (a missing amount counts 0).
- first_purchase, last_purchase: timestamps over all history up to as_of.

  Example: as_of 2026-09-30, 12 months -> window 2025-10-01 00:00 .. 2026-09-30 23:59:59.
  A customer whose purchases all precede the window keeps frequency 0 and monetary 0 and so scores
  low on F and M (Lost / Hibernating).

Scores (``rfm_scores``), each an integer 1..5 over the population of the frame::

    score = clip(ceil(5 * rank / n), 1, 5)

where ``rank`` is the average rank (``pandas.Series.rank(method="average")``, 1 = smallest) of the
value and ``n`` the number of customers. R ranks the NEGATED recency_days (recent = high score), F
ranks frequency, M ranks monetary. Equal values always get equal scores; n distinct values split
into exact quintiles (10 customers: 2 per score). Ties take their average rank, e.g. values
[1, 1, 1, 1, 2, 3, 4, 5, 6, 7]: the four 1s have rank 2.5 -> ceil(1.25) = score 2.
R is ranked over every customer; F and M only over the customers who bought in the lookback
window (frequency > 0), and the others get f_score = m_score = 1. Otherwise the lapsed customers'
zeros would fill the bottom quintiles and push every one-time buyer of the window up to F 2 or 3,
leaving the New and Promising cells empty.
``fm_score = floor((f_score + m_score) / 2 + 0.5)`` (the mean rounded half up) and ``rfm_cell`` is
the three scores as text, e.g. "545".

Segments (``assign_segments``): r_score (rows) x fm_score (columns) -> segment code::

           FM=1            FM=2                FM=3                FM=4        FM=5
    R=5    new             potential_loyalist  potential_loyalist  champions   champions
    R=4    promising       potential_loyalist  potential_loyalist  loyal       champions
    R=3    about_to_sleep  about_to_sleep      need_attention      loyal       loyal
    R=2    hibernating     hibernating         at_risk             at_risk     cant_lose
    R=1    lost            lost                at_risk             cant_lose   cant_lose

Every cell has exactly one code, so every customer gets one segment. ``VALUABLE_SEGMENTS``
(champions, loyal, cant_lose) are the ones whose shrinking is flagged.

Chinese eight classes (``assign_cn_classes``): each of R, F, M is "high" or "low" against a cut:
R is high when ``recency_days < cut`` (recent is good), F when ``frequency > cut``, M when
``monetary > cut``. The cut is the population mean (``split="mean"``, the default), the median
(``"median"``), or given numbers (``"threshold"`` with ``{"recency_days", "frequency",
"monetary"}``). Means and medians are over every customer of the frame, including those with
frequency 0. (R, F, M) -> class::

    HHH important_value    重要价值客户      HHL general_value    一般价值客户
    HLH important_develop  重要发展客户      HLL general_develop  一般发展客户
    LHH important_retain   重要保持客户      LHL general_retain   一般保持客户
    LLH important_winback  重要挽留客户      LLL general_winback  一般挽留客户

Summaries (``segment_summary``) list every group of the canonical order, groups without customers
as zero rows, so two periods compare row by row (``compare_summaries``).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..purchases import day_after
from .checks import need_columns

LANGUAGES = ("zh", "en")

RFM_COLUMNS = ("customer_id", "recency_days", "frequency", "monetary", "first_purchase",
               "last_purchase")

SEGMENTS: tuple[str, ...] = (
    "champions", "loyal", "potential_loyalist", "new", "promising", "need_attention",
    "about_to_sleep", "at_risk", "cant_lose", "hibernating", "lost",
)

VALUABLE_SEGMENTS: tuple[str, ...] = ("champions", "loyal", "cant_lose")

SEGMENT_GRID: dict[int, tuple[str, str, str, str, str]] = {
    # r_score: segment for fm_score 1, 2, 3, 4, 5
    5: ("new", "potential_loyalist", "potential_loyalist", "champions", "champions"),
    4: ("promising", "potential_loyalist", "potential_loyalist", "loyal", "champions"),
    3: ("about_to_sleep", "about_to_sleep", "need_attention", "loyal", "loyal"),
    2: ("hibernating", "hibernating", "at_risk", "at_risk", "cant_lose"),
    1: ("lost", "lost", "at_risk", "cant_lose", "cant_lose"),
}

SEGMENT_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "champions": "Champions", "loyal": "Loyal", "potential_loyalist": "Potential Loyalist",
        "new": "New", "promising": "Promising", "need_attention": "Need Attention",
        "about_to_sleep": "About to Sleep", "at_risk": "At Risk", "cant_lose": "Can't Lose Them",
        "hibernating": "Hibernating", "lost": "Lost",
    },
    "zh": {
        "champions": "冠军客户", "loyal": "忠诚客户", "potential_loyalist": "潜力客户",
        "new": "新客户", "promising": "有望客户", "need_attention": "需要关注",
        "about_to_sleep": "即将沉睡", "at_risk": "流失风险", "cant_lose": "不能失去",
        "hibernating": "沉睡客户", "lost": "已流失",
    },
}

CN_CLASSES: tuple[str, ...] = (
    "important_value", "important_develop", "important_retain", "important_winback",
    "general_value", "general_develop", "general_retain", "general_winback",
)

CN_CLASS_BY_RFM: dict[tuple[bool, bool, bool], str] = {
    # (r_high, f_high, m_high): class
    (True, True, True): "important_value",
    (True, False, True): "important_develop",
    (False, True, True): "important_retain",
    (False, False, True): "important_winback",
    (True, True, False): "general_value",
    (True, False, False): "general_develop",
    (False, True, False): "general_retain",
    (False, False, False): "general_winback",
}

CN_LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "important_value": "重要价值客户", "important_develop": "重要发展客户",
        "important_retain": "重要保持客户", "important_winback": "重要挽留客户",
        "general_value": "一般价值客户", "general_develop": "一般发展客户",
        "general_retain": "一般保持客户", "general_winback": "一般挽留客户",
    },
    "en": {
        "important_value": "Important value", "important_develop": "Important to develop",
        "important_retain": "Important to retain", "important_winback": "Important to win back",
        "general_value": "General value", "general_develop": "General to develop",
        "general_retain": "General to retain", "general_winback": "General to win back",
    },
}

CN_SPLITS = ("mean", "median", "threshold")
_CN_MEASURES = ("recency_days", "frequency", "monetary")

SUMMARY_COLUMNS = ("customers", "customer_share", "revenue", "revenue_share", "recency_days",
                   "frequency", "monetary")


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------

def _require(frame: pd.DataFrame, name: str, columns: Sequence[str], what: str) -> None:
    need_columns(frame, name, columns, what)


def _label(table: dict[str, dict[str, str]], code: str, language: str, name: str) -> str:
    if language not in table:
        raise ParameterError("language", "zh or en", language)
    labels = table[language]
    if code not in labels:
        raise ParameterError(name, "one of " + ", ".join(labels), code)
    return labels[code]


def segment_label(code: str, language: str = "zh") -> str:
    """Display name of a segment code, e.g. ``segment_label("cant_lose", "en")`` ->
    "Can't Lose Them"."""
    return _label(SEGMENT_LABELS, code, language, "segment")


def cn_label(code: str, language: str = "zh") -> str:
    """Display name of an eight-class code, e.g. ``cn_label("important_value")`` -> 重要价值客户."""
    return _label(CN_LABELS, code, language, "cn_class")


# --------------------------------------------------------------------------------------------
# RFM table and scores
# --------------------------------------------------------------------------------------------

def _empty_rfm() -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": pd.Series([], dtype="str"),
        "recency_days": pd.Series([], dtype="int64"),
        "frequency": pd.Series([], dtype="int64"),
        "monetary": pd.Series([], dtype="float64"),
        "first_purchase": pd.Series([], dtype="datetime64[ns]"),
        "last_purchase": pd.Series([], dtype="datetime64[ns]"),
    })


def _customer_codes(ids: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Integer codes 0..k-1 of the customer ids in sorted id order, and the sorted unique ids.

    Purchases come sorted by customer (``purchases()`` sorts them); then the codes are the run
    numbers, found without hashing 10M strings. Unsorted input is factorized."""
    values = ids.array
    if len(values) > 1:
        ahead = np.asarray(values[1:] < values[:-1], dtype=bool)
        if not ahead.any():
            change = np.empty(len(values), dtype=bool)
            change[0] = True
            change[1:] = np.asarray(values[1:] != values[:-1], dtype=bool)
            codes = np.cumsum(change) - 1
            unique = ids.iloc[np.flatnonzero(change)].reset_index(drop=True)
            return codes, unique
    codes, unique = pd.factorize(ids, sort=True)
    return codes, pd.Series(np.asarray(unique, dtype=object), dtype="str")


def rfm_table(purchases: pd.DataFrame, as_of: pd.Timestamp,
              lookback_months: int = 12) -> pd.DataFrame:
    """One row per customer with a purchase on or before ``as_of``, sorted by customer_id.

    Columns: customer_id, recency_days (int), frequency (int, purchases in the lookback window),
    monetary (float, their amount), first_purchase, last_purchase. See the module docstring.
    """
    _require(purchases, "purchases", ("customer_id", "order_date", "amount"),
             "a purchases frame")
    if (isinstance(lookback_months, bool) or not isinstance(lookback_months, int | np.integer)
            or lookback_months < 1):
        raise ParameterError("lookback_months", "a whole number of months >= 1", lookback_months)
    as_of = pd.Timestamp(as_of).normalize()
    end = day_after(as_of)
    start = end - pd.DateOffset(months=int(lookback_months))

    stamps = pd.to_datetime(purchases["order_date"]).to_numpy()
    ids = purchases["customer_id"]
    keep = (stamps < end.to_datetime64()) & ids.notna().to_numpy()  # NaT compares False
    if not keep.any():
        return _empty_rfm()
    amount = purchases["amount"].to_numpy(dtype="float64", na_value=np.nan)
    if not keep.all():
        stamps, ids, amount = stamps[keep], ids[keep], amount[keep]
    codes, ids = _customer_codes(ids.astype("str"))
    n = len(ids)

    ticks = stamps.view("int64")
    first = np.full(n, np.iinfo("int64").max, dtype="int64")
    last = np.full(n, np.iinfo("int64").min, dtype="int64")
    np.minimum.at(first, codes, ticks)
    np.maximum.at(last, codes, ticks)
    first, last = first.view(stamps.dtype), last.view(stamps.dtype)

    in_window = stamps >= start.to_datetime64()
    window_codes = codes[in_window]
    frequency = np.bincount(window_codes, minlength=n).astype("int64")
    monetary = np.bincount(window_codes, weights=np.nan_to_num(amount[in_window], nan=0.0),
                           minlength=n)

    last_day = pd.DatetimeIndex(last).normalize()
    recency = np.asarray((as_of - last_day).days, dtype="int64")
    return pd.DataFrame({
        "customer_id": ids,
        "recency_days": recency,
        "frequency": frequency,
        "monetary": monetary.astype("float64"),
        "first_purchase": first,
        "last_purchase": last,
    })


_CELLS = np.array([f"{r}{f}{m}" for r in range(1, 6) for f in range(1, 6) for m in range(1, 6)],
                  dtype=object)


def _quintile(values: pd.Series) -> np.ndarray:
    n = len(values)
    rank = values.rank(method="average").to_numpy(dtype="float64")
    return np.clip(np.ceil(5.0 * rank / n), 1, 5).astype("int64")


def rfm_scores(rfm: pd.DataFrame) -> pd.DataFrame:
    """``rfm`` plus r_score, f_score, m_score (int 1..5), rfm_cell (e.g. "545") and fm_score.

    Scores are quintiles of the average rank (recency reversed; F and M over the customers with
    a purchase in the window, the others 1); see the module docstring for the formula.
    """
    _require(rfm, "rfm", ("recency_days", "frequency", "monetary"), "an rfm_table frame")
    if rfm.empty:
        empty_int = pd.Series([], dtype="int64", index=rfm.index)
        return rfm.assign(r_score=empty_int, f_score=empty_int, m_score=empty_int,
                          rfm_cell=pd.Series([], dtype="str", index=rfm.index),
                          fm_score=empty_int)
    r = _quintile(-rfm["recency_days"].astype("float64"))
    active = (rfm["frequency"] > 0).to_numpy()
    f = np.ones(len(rfm), dtype="int64")
    m = np.ones(len(rfm), dtype="int64")
    if active.any():
        f[active] = _quintile(rfm["frequency"][active].astype("float64"))
        m[active] = _quintile(rfm["monetary"][active].astype("float64"))
    cell = pd.Series(_CELLS[(r - 1) * 25 + (f - 1) * 5 + (m - 1)], index=rfm.index, dtype="str")
    return rfm.assign(r_score=r, f_score=f, m_score=m, rfm_cell=cell,
                      fm_score=(f + m + 1) // 2)


# --------------------------------------------------------------------------------------------
# eleven named segments
# --------------------------------------------------------------------------------------------

_GRID = np.array([SEGMENT_GRID[r] for r in (1, 2, 3, 4, 5)], dtype=object)  # row r-1, col fm-1


def segment_of(r_score: int, fm_score: int) -> str:
    """The segment code of one grid cell, e.g. ``segment_of(5, 4)`` -> "champions"."""
    if r_score not in SEGMENT_GRID or fm_score not in (1, 2, 3, 4, 5):
        raise ParameterError("score", "an integer from 1 to 5", (r_score, fm_score))
    return SEGMENT_GRID[r_score][fm_score - 1]


def assign_segments(scored: pd.DataFrame) -> pd.DataFrame:
    """``scored`` (``rfm_scores`` output) plus ``segment``: the code of its (r_score, fm_score)
    cell in ``SEGMENT_GRID``."""
    _require(scored, "scored", ("r_score", "fm_score"), "an rfm_scores frame")
    r = scored["r_score"].to_numpy(dtype="int64")
    fm = scored["fm_score"].to_numpy(dtype="int64")
    bad = (r < 1) | (r > 5) | (fm < 1) | (fm > 5)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ParameterError("scored", "a frame with r_score and fm_score from 1 to 5",
                             (int(r[i]), int(fm[i])))
    return scored.assign(segment=pd.Series(_GRID[r - 1, fm - 1], index=scored.index,
                                           dtype="str"))


# --------------------------------------------------------------------------------------------
# Chinese eight classes
# --------------------------------------------------------------------------------------------

def cn_cuts(rfm: pd.DataFrame, split: str = "mean",
            thresholds: Mapping[str, float] | Any | None = None) -> dict[str, float]:
    """The cuts {recency_days, frequency, monetary} that ``assign_cn_classes`` uses.

    ``thresholds`` (a mapping, or an object with ``model_dump()`` such as the run file's
    ``CnThresholds``) is used only with ``split="threshold"``.
    """
    if split not in CN_SPLITS:
        raise ParameterError("cn_split", "one of mean, median, threshold", split)
    _require(rfm, "rfm", _CN_MEASURES, "an rfm_table frame")
    if split == "threshold":
        if thresholds is not None and hasattr(thresholds, "model_dump"):
            thresholds = thresholds.model_dump()
        allowed = "{recency_days, frequency, monetary} numbers when cn_split is threshold"
        if not isinstance(thresholds, Mapping):
            raise ParameterError("cn_thresholds", allowed, thresholds)
        missing = [k for k in _CN_MEASURES if k not in thresholds]
        if missing:
            raise ParameterError("cn_thresholds", allowed, dict(thresholds))
        try:
            return {k: float(thresholds[k]) for k in _CN_MEASURES}
        except (TypeError, ValueError):
            raise ParameterError("cn_thresholds", allowed, dict(thresholds)) from None
    stat = "mean" if split == "mean" else "median"
    return {k: float(getattr(rfm[k].astype("float64"), stat)()) for k in _CN_MEASURES}


def assign_cn_classes(rfm: pd.DataFrame, split: str = "mean",
                      thresholds: Mapping[str, float] | Any | None = None) -> pd.DataFrame:
    """``rfm`` plus r_high, f_high, m_high (bool) and ``cn_class`` (a code of ``CN_CLASSES``).

    R is high when recency_days < cut, F when frequency > cut, M when monetary > cut; the cuts
    are ``cn_cuts(rfm, split, thresholds)``.
    """
    cuts = cn_cuts(rfm, split, thresholds)
    r = (rfm["recency_days"].to_numpy(dtype="float64") < cuts["recency_days"])
    f = (rfm["frequency"].to_numpy(dtype="float64") > cuts["frequency"])
    m = (rfm["monetary"].to_numpy(dtype="float64") > cuts["monetary"])
    table = np.empty(8, dtype=object)
    for (rh, fh, mh), code in CN_CLASS_BY_RFM.items():
        table[4 * rh + 2 * fh + mh] = code
    index = 4 * r.astype("int64") + 2 * f.astype("int64") + m.astype("int64")
    return rfm.assign(r_high=r, f_high=f, m_high=m,
                      cn_class=pd.Series(table[index], index=rfm.index, dtype="str"))


# --------------------------------------------------------------------------------------------
# summaries
# --------------------------------------------------------------------------------------------

def segment_summary(frame: pd.DataFrame, by: str = "segment",
                    order: Sequence[str] | None = None) -> pd.DataFrame:
    """Per group of ``by``: customers, customer_share, revenue (sum of monetary), revenue_share,
    and the means of recency_days, frequency and monetary.

    Rows follow ``order`` (default ``SEGMENTS`` for "segment", ``CN_CLASSES`` for "cn_class",
    else the sorted values); groups without customers are rows of zeros, and values missing
    from ``order`` are appended after it. Shares are 0 when the total is 0.
    """
    _require(frame, "frame", (by, "recency_days", "frequency", "monetary"), "an RFM frame")
    if order is None:
        order = {"segment": SEGMENTS, "cn_class": CN_CLASSES}.get(by)
    present = frame[by].dropna().astype("str")
    if order is None:
        order = sorted(present.unique())
    order = list(order)
    extra = sorted(set(present.unique()) - set(order))
    groups = order + extra

    g = frame.groupby(frame[by].astype("str"), observed=True)
    stats = pd.DataFrame({
        "customers": g.size(),
        "revenue": g["monetary"].sum(),
        "recency_days": g["recency_days"].mean(),
        "frequency": g["frequency"].mean(),
        "monetary": g["monetary"].mean(),
    }).reindex(groups).fillna(0.0)
    customers = stats["customers"].to_numpy(dtype="int64")
    revenue = stats["revenue"].to_numpy(dtype="float64")
    n, total = customers.sum(), revenue.sum()
    out = pd.DataFrame({
        by: pd.Series(groups, dtype="str"),
        "customers": customers,
        "customer_share": customers / n if n > 0 else np.zeros(len(groups)),
        "revenue": revenue,
        "revenue_share": revenue / total if total != 0 else np.zeros(len(groups)),
        "recency_days": stats["recency_days"].to_numpy(dtype="float64"),
        "frequency": stats["frequency"].to_numpy(dtype="float64"),
        "monetary": stats["monetary"].to_numpy(dtype="float64"),
    })
    return out


def compare_summaries(now: pd.DataFrame, before: pd.DataFrame) -> pd.DataFrame:
    """Two ``segment_summary`` frames side by side, one row per group (``now``'s order, then
    groups only in ``before``): customers_before, customers_now, change
    (= customers_now / customers_before - 1, NaN when customers_before is 0),
    revenue_share_before, revenue_share_now."""
    key = now.columns[0] if len(now.columns) else None
    if key is None or key in SUMMARY_COLUMNS or len(before.columns) == 0 \
            or before.columns[0] != key:
        raise ParameterError("before", "a segment_summary frame grouped like 'now'",
                             list(before.columns[:1]))
    groups = list(now[key].astype("str"))
    groups += [g for g in before[key].astype("str") if g not in set(groups)]
    a = now.set_index(now[key].astype("str")).reindex(groups)
    b = before.set_index(before[key].astype("str")).reindex(groups)
    c_now = a["customers"].fillna(0).to_numpy(dtype="int64")
    c_before = b["customers"].fillna(0).to_numpy(dtype="int64")
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(c_before > 0, c_now / np.maximum(c_before, 1) - 1.0, np.nan)
    return pd.DataFrame({
        key: pd.Series(groups, dtype="str"),
        "customers_before": c_before,
        "customers_now": c_now,
        "change": change,
        "revenue_share_before": b["revenue_share"].fillna(0.0).to_numpy(dtype="float64"),
        "revenue_share_now": a["revenue_share"].fillna(0.0).to_numpy(dtype="float64"),
    })


__all__ = [
    "CN_CLASSES", "CN_CLASS_BY_RFM", "CN_LABELS", "SEGMENTS", "SEGMENT_GRID", "SEGMENT_LABELS",
    "VALUABLE_SEGMENTS", "assign_cn_classes", "assign_segments", "cn_cuts", "cn_label",
    "compare_summaries", "rfm_scores", "rfm_table", "segment_label", "segment_of",
    "segment_summary",
]
