"""Satisfaction scores of the survey responses: CSAT (1-5) and NPS (0-10), overall, by group,
and this period against the comparison period.

Rules
-----
* Each metric skips its own missing scores: a response with a csat and no nps counts for CSAT
  only. A table without a ``csat`` (or ``nps``) column has n = 0 for that metric. Empty input
  gives n = 0 and NaN statistics.
* CSAT, over the n non-missing scores x: ``mean`` = x̄ with the Student-t interval
  x̄ ± t(1 − α/2, n − 1) · s / √n (s the sample standard deviation, ddof 1; NaN for n < 2),
  α = 1 − ``confidence``. ``top2`` = k / n, the share of scores ≥ ``top_box`` (default 4, the
  "top-2 box" 4-5), with the Wilson score interval
  (p + z²/2n ± z·√(p(1 − p)/n + z²/4n²)) / (1 + z²/n), z = Φ⁻¹(1 − α/2).
* NPS, over the n non-missing scores: ``promoters`` p₊ = share of 9-10, ``passives`` = share
  of 7-8, ``detractors`` p₋ = share of 0-6; ``nps`` = 100·(p₊ − p₋) on −100…100. Its interval
  is the normal approximation nps ± z·100·√v, v = (p₊ + p₋ − (p₊ − p₋)²) / n (the variance of
  the mean of a +1 / 0 / −1 score), clipped to ±100.
* ``compare`` (two periods), all tests two-sided, p-value NaN when a metric has n < 2 in
  either period:
  - ``csat_mean``: Welch's t-test, t = (x̄₁ − x̄₂) / √(s₁²/n₁ + s₂²/n₂) with the
    Welch-Satterthwaite degrees of freedom (v₁ + v₂)² / (v₁²/(n₁ − 1) + v₂²/(n₂ − 1)),
    vᵢ = sᵢ²/nᵢ;
  - ``csat_top2``: the pooled two-proportion z-test, z = (p₁ − p₂) / √(p(1 − p)(1/n₁ + 1/n₂)),
    p = (k₁ + k₂) / (n₁ + n₂);
  - ``nps``: z = (nps₁ − nps₂) / (100·√(v₁ + v₂)) with the NPS variances v above.
  A zero standard error gives p = 1 when the two values are equal and p = 0 otherwise.
  ``change`` = now − before (a share difference for top2, points for NPS).
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import ParameterError

CSAT_KEYS = ("n", "mean", "mean_lo", "mean_hi", "top2", "top2_lo", "top2_hi")
NPS_KEYS = ("n", "promoters", "passives", "detractors", "nps", "nps_lo", "nps_hi")
BY_COLUMNS = ("csat_n", "csat_mean", "csat_mean_lo", "csat_mean_hi", "csat_top2", "csat_top2_lo",
              "csat_top2_hi", "nps_n", "nps", "nps_lo", "nps_hi", "promoters", "detractors")
METRICS = ("csat_mean", "csat_top2", "nps")
COMPARE_COLUMNS = ("metric", "now", "before", "change", "p_value", "n_now", "n_before")

PROMOTER_MIN = 9  # 9-10
DETRACTOR_MAX = 6  # 0-6


# ---------------------------------------------------------------- argument checks and values


def _check(top_box: float | None = None, confidence: float | None = None) -> None:
    if top_box is not None and (isinstance(top_box, bool)
                                or not isinstance(top_box, int | float) or not 1 <= top_box <= 5):
        raise ParameterError("top_box", "a score between 1 and 5 (e.g. 4: scores 4-5)", top_box)
    if confidence is not None and (isinstance(confidence, bool)
                                   or not isinstance(confidence, int | float)
                                   or not 0 < confidence < 1):
        raise ParameterError("confidence", "a number strictly between 0 and 1 (e.g. 0.95)",
                             confidence)


def _by_list(by: str | Sequence[str], *frames: pd.DataFrame) -> list[str]:
    cols = [by] if isinstance(by, str) else list(by)
    if not cols or not all(isinstance(c, str) for c in cols):
        raise ParameterError("by", "a column name or a list of column names", by)
    for frame in frames:
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise ParameterError("by", "columns of the feedback table ("
                                 + ", ".join(map(str, frame.columns)) + ")", by)
    return cols


def _floats(values) -> np.ndarray:
    """The values as float64, anything non-numeric or missing as NaN."""
    s = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values, dtype=object))
    return pd.to_numeric(s, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _column(feedback: pd.DataFrame, name: str) -> np.ndarray:
    if name not in feedback.columns:
        return np.full(len(feedback), np.nan)
    return _floats(feedback[name])


def _z(confidence: float) -> float:
    return float(stats.norm.ppf((1 + confidence) / 2))


# ---------------------------------------------------------------- vectorized formulas


def _t_interval(n, mean, sd, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    n, mean, sd = (np.asarray(a, dtype="float64") for a in (n, mean, sd))
    ok = n >= 2
    with np.errstate(divide="ignore", invalid="ignore"):
        q = stats.t.ppf((1 + confidence) / 2, np.where(ok, n - 1, 1.0))
        half = np.where(ok, q * sd / np.sqrt(n), np.nan)
    return mean - half, mean + half


def _wilson(k, n, confidence: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Share k/n and its Wilson score interval (NaN for n = 0)."""
    k, n = np.asarray(k, dtype="float64"), np.asarray(n, dtype="float64")
    z2 = _z(confidence) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(n > 0, k / n, np.nan)
        denom = 1 + z2 / n
        center = (p + z2 / (2 * n)) / denom
        half = np.sqrt(z2) * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    return p, np.clip(center - half, 0.0, 1.0), np.clip(center + half, 0.0, 1.0)


def _nps_var(promoters, detractors, n) -> np.ndarray:
    """Variance of the mean of the +1/0/−1 scores, on the share scale (× 100² for points)."""
    pp, pm, n = (np.asarray(a, dtype="float64") for a in (promoters, detractors, n))
    with np.errstate(divide="ignore", invalid="ignore"):
        v = (pp + pm - (pp - pm) ** 2) / n
    return np.where(n > 0, np.maximum(v, 0.0), np.nan)


def _nps_interval(promoters, detractors, n, confidence: float):
    nps = 100 * (np.asarray(promoters, dtype="float64") - np.asarray(detractors, dtype="float64"))
    half = _z(confidence) * 100 * np.sqrt(_nps_var(promoters, detractors, n))
    return nps, np.clip(nps - half, -100, 100), np.clip(nps + half, -100, 100)


def _p_value(diff, se, statistic_sf, n1, n2) -> np.ndarray:
    """Two-sided p-value of diff / se; 1 or 0 on a zero se; NaN when n < 2 on either side."""
    diff, se = np.asarray(diff, dtype="float64"), np.asarray(se, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        p = 2 * statistic_sf(np.abs(diff / se))
    p = np.where(se == 0, np.where(diff == 0, 1.0, 0.0), p)
    ok = (np.asarray(n1) >= 2) & (np.asarray(n2) >= 2) & np.isfinite(diff)
    return np.where(ok, np.minimum(p, 1.0), np.nan)


# ---------------------------------------------------------------- single samples


def csat_stats(scores, top_box: float = 4, confidence: float = 0.95) -> dict[str, float]:
    """CSAT of one sample of 1-5 scores (NaNs skipped): ``n``, ``mean`` with its Student-t
    interval ``mean_lo``/``mean_hi``, ``top2`` (share ≥ ``top_box``) with its Wilson interval
    ``top2_lo``/``top2_hi`` (formulas in the module doc)."""
    _check(top_box, confidence)
    x = _floats(scores)
    x = x[~np.isnan(x)]
    n = len(x)
    mean = float(x.mean()) if n else np.nan
    sd = float(x.std(ddof=1)) if n >= 2 else np.nan
    lo, hi = _t_interval(n, mean, sd, confidence)
    top2, top_lo, top_hi = _wilson(int((x >= top_box).sum()), n, confidence)
    return {"n": n, "mean": mean, "mean_lo": float(lo), "mean_hi": float(hi),
            "top2": float(top2), "top2_lo": float(top_lo), "top2_hi": float(top_hi)}


def nps_stats(scores, confidence: float = 0.95) -> dict[str, float]:
    """NPS of one sample of 0-10 scores (NaNs skipped): ``n``, the shares ``promoters`` (9-10),
    ``passives`` (7-8) and ``detractors`` (0-6), ``nps`` = 100·(promoters − detractors) and its
    normal-approximation interval ``nps_lo``/``nps_hi`` clipped to ±100 (module doc)."""
    _check(confidence=confidence)
    x = _floats(scores)
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return {"n": 0, **{k: np.nan for k in NPS_KEYS[1:]}}
    pp = float((x >= PROMOTER_MIN).mean())
    pm = float((x <= DETRACTOR_MAX).mean())
    nps, lo, hi = _nps_interval(pp, pm, n, confidence)
    return {"n": n, "promoters": pp, "passives": 1.0 - pp - pm, "detractors": pm,
            "nps": float(nps), "nps_lo": float(lo), "nps_hi": float(hi)}


# ---------------------------------------------------------------- groups


def _aggregate(feedback: pd.DataFrame, by: list[str], top_box: float) -> pd.DataFrame:
    """Sufficient statistics per group (index: the group keys; one row, index [0], when ``by``
    is empty): csat_n, csat_mean, csat_sd, top_k, nps_n, prom_k, det_k."""
    csat, nps = _column(feedback, "csat"), _column(feedback, "nps")
    parts = pd.DataFrame({
        "csat": csat,
        "top": (csat >= top_box).astype("float64"),
        "nps": nps,
        "prom": (nps >= PROMOTER_MIN).astype("float64"),
        "det": (nps <= DETRACTOR_MAX).astype("float64"),
    })
    if by:
        keys = [feedback[c].reset_index(drop=True) for c in by]
    else:
        keys = [pd.Series(np.zeros(len(parts), dtype="int64"), name="_all")]
    agg = parts.groupby(keys, sort=True, dropna=True, observed=True).agg(
        csat_n=("csat", "count"), csat_mean=("csat", "mean"), csat_sd=("csat", "std"),
        top_k=("top", "sum"), nps_n=("nps", "count"), prom_k=("prom", "sum"),
        det_k=("det", "sum"))
    if not by and agg.empty:
        agg = agg.reindex([0])
        agg[["csat_n", "top_k", "nps_n", "prom_k", "det_k"]] = 0
    return agg


def _stats_frame(agg: pd.DataFrame, confidence: float) -> pd.DataFrame:
    """The BY_COLUMNS of the aggregates (same index)."""
    csat_n, nps_n = agg["csat_n"].to_numpy(float), agg["nps_n"].to_numpy(float)
    lo, hi = _t_interval(csat_n, agg["csat_mean"], agg["csat_sd"], confidence)
    top2, top_lo, top_hi = _wilson(agg["top_k"], csat_n, confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        pp = np.where(nps_n > 0, agg["prom_k"].to_numpy(float) / nps_n, np.nan)
        pm = np.where(nps_n > 0, agg["det_k"].to_numpy(float) / nps_n, np.nan)
    nps, nps_lo, nps_hi = _nps_interval(pp, pm, nps_n, confidence)
    return pd.DataFrame({
        "csat_n": agg["csat_n"].astype("int64"), "csat_mean": agg["csat_mean"].astype(float),
        "csat_mean_lo": lo, "csat_mean_hi": hi, "csat_top2": top2, "csat_top2_lo": top_lo,
        "csat_top2_hi": top_hi, "nps_n": agg["nps_n"].astype("int64"), "nps": nps,
        "nps_lo": nps_lo, "nps_hi": nps_hi, "promoters": pp, "detractors": pm,
    }, index=agg.index)


def satisfaction_by(feedback: pd.DataFrame, by: str | Sequence[str], top_box: float = 4,
                    confidence: float = 0.95, min_n: int = 1) -> pd.DataFrame:
    """CSAT and NPS per group of the column(s) ``by``: the by column(s), then BY_COLUMNS.

    Rows with a missing group value are left out; groups are sorted. A group is dropped when
    both its csat_n and its nps_n are below ``min_n`` (it is kept when either metric has
    enough responses; the other metric's statistics are then computed from what there is).
    One groupby pass, no loop over rows or groups.
    """
    cols = _by_list(by, feedback)
    _check(top_box, confidence)
    if isinstance(min_n, bool) or not isinstance(min_n, int | np.integer) or min_n < 1:
        raise ParameterError("min_n", "a whole number >= 1", min_n)
    agg = _aggregate(feedback, cols, top_box)
    agg = agg[(agg["csat_n"] >= min_n) | (agg["nps_n"] >= min_n)]
    out = _stats_frame(agg, confidence)
    if out.empty:
        return pd.DataFrame(columns=[*cols, *BY_COLUMNS])
    return out.reset_index()[[*cols, *BY_COLUMNS]]


# ---------------------------------------------------------------- two periods


def _tests(a: pd.DataFrame, b: pd.DataFrame) -> dict[str, tuple[np.ndarray, ...]]:
    """Per metric: (now, before, p_value, n_now, n_before) arrays for aligned aggregates."""
    n1, n2 = a["csat_n"].to_numpy(float), b["csat_n"].to_numpy(float)
    m1, m2 = a["csat_mean"].to_numpy(float), b["csat_mean"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        v1 = a["csat_sd"].to_numpy(float) ** 2 / n1
        v2 = b["csat_sd"].to_numpy(float) ** 2 / n2
        df = (v1 + v2) ** 2 / (v1 ** 2 / (n1 - 1) + v2 ** 2 / (n2 - 1))
        p_mean = _p_value(m1 - m2, np.sqrt(v1 + v2), lambda t: stats.t.sf(t, df), n1, n2)

        k1, k2 = a["top_k"].to_numpy(float), b["top_k"].to_numpy(float)
        t1, t2 = k1 / n1, k2 / n2
        pooled = (k1 + k2) / (n1 + n2)
        se_top = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        p_top = _p_value(t1 - t2, se_top, stats.norm.sf, n1, n2)

        q1, q2 = a["nps_n"].to_numpy(float), b["nps_n"].to_numpy(float)
        pp1, pm1 = a["prom_k"].to_numpy(float) / q1, a["det_k"].to_numpy(float) / q1
        pp2, pm2 = b["prom_k"].to_numpy(float) / q2, b["det_k"].to_numpy(float) / q2
    s1, s2 = 100 * (pp1 - pm1), 100 * (pp2 - pm2)
    se_nps = 100 * np.sqrt(_nps_var(pp1, pm1, q1) + _nps_var(pp2, pm2, q2))
    p_nps = _p_value(s1 - s2, se_nps, stats.norm.sf, q1, q2)
    return {"csat_mean": (m1, m2, p_mean, n1, n2), "csat_top2": (t1, t2, p_top, n1, n2),
            "nps": (s1, s2, p_nps, q1, q2)}


def _long(tests: dict[str, tuple[np.ndarray, ...]], groups: int) -> pd.DataFrame:
    """One row per (group, metric), groups outer, metrics in METRICS order."""
    def stack(i: int) -> np.ndarray:
        return np.column_stack([tests[m][i] for m in METRICS]).ravel()

    now, before = stack(0), stack(1)
    return pd.DataFrame({
        "metric": np.tile(np.array(METRICS, dtype=object), groups).astype(str),
        "now": now, "before": before, "change": now - before, "p_value": stack(2),
        "n_now": stack(3).astype("int64"), "n_before": stack(4).astype("int64"),
    })


def compare(now: pd.DataFrame, before: pd.DataFrame, top_box: float = 4) -> pd.DataFrame:
    """CSAT mean, CSAT top-2 share and NPS of two feedback tables (this period, the comparison
    period): one row per metric (``csat_mean``, ``csat_top2``, ``nps``) with COMPARE_COLUMNS;
    the tests are in the module doc."""
    _check(top_box)
    a, b = _aggregate(now, [], top_box), _aggregate(before, [], top_box)
    return _long(_tests(a, b), 1)


def compare_by(now: pd.DataFrame, before: pd.DataFrame, by: str | Sequence[str],
               top_box: float = 4) -> pd.DataFrame:
    """``compare`` per group of ``by``, for the groups present in both tables (sorted): the by
    column(s), then COMPARE_COLUMNS, three rows per group."""
    cols = _by_list(by, now, before)
    _check(top_box)
    a, b = _aggregate(now, cols, top_box), _aggregate(before, cols, top_box)
    common = a.index.intersection(b.index, sort=False)
    common = a.index[a.index.isin(common)]  # a's (sorted) order
    if len(common) == 0:
        return pd.DataFrame(columns=[*cols, *COMPARE_COLUMNS])
    a, b = a.loc[common], b.loc[common]
    out = _long(_tests(a, b), len(common))
    keys = common.repeat(len(METRICS)).to_frame(index=False)
    keys.columns = cols
    return pd.concat([keys, out], axis=1)


__all__ = ["csat_stats", "nps_stats", "satisfaction_by", "compare", "compare_by",
           "CSAT_KEYS", "NPS_KEYS", "BY_COLUMNS", "METRICS", "COMPARE_COLUMNS"]
