"""What drives satisfaction: how much of the variance of a score (csat) each aspect rating
explains, and where each aspect stands on importance against performance.

Rules
-----
* Rows: the rows with the target and every predictor present (listwise deletion); ``n`` is
  their count. Predictors with zero variance on these rows are dropped (``attrs["dropped"]``).
  With fewer than p + 2 rows (p = number of predictors asked for), or a constant target, the
  result is an empty frame with ``attrs["n"]`` and ``attrs["r2"] = NaN``.
* ``relative_weights``: Johnson's (2000) relative weights. R_xx = correlation matrix of the
  predictors, r_xy = their correlations with the target. With R_xx = V diag(e) Vᵀ,
  Λ = R_xx^{1/2} = V diag(√e) Vᵀ (the correlations of the predictors with their closest
  orthogonal counterparts Z); β* = Λ⁻¹ r_xy (the standardized regression of the target on Z);
  raw weight_j = Σ_k Λ_jk² β*_k². The weights sum to R² = r_xyᵀ R_xx⁻¹ r_xy; ``share`` =
  weight / R² (sums to 1). ``beta`` = R_xx⁻¹ r_xy, the standardized OLS betas. Eigenvalues
  below 1e-12·max(e) (exactly collinear predictors) count as 0 (pseudo-inverse).
* ``dominance``: general dominance weights (Budescu 1993), the Shapley decomposition of R²:
  weight_j = Σ_{S ⊆ P∖{j}} |S|!(p − |S| − 1)!/p! · (R²(S ∪ {j}) − R²(S)), with
  R²(S) = r_Sᵀ R_SS⁻¹ r_S, over all 2^p subsets (p ≤ 12). They also sum to R².
* ``importance_performance``: importance = share, performance = mean rating. An aspect is
  "high" on an axis when its value is ≥ the cut (default cuts: the mean importance, 1/p, and
  the mean performance of the aspects shown). Quadrants: ``fix`` (high importance, low
  performance: concentrate here), ``keep`` (high, high), ``low_priority`` (low, low),
  ``overkill`` (low importance, high performance).
"""
from __future__ import annotations

from collections.abc import Sequence
from math import factorial

import numpy as np
import pandas as pd

from ..errors import ParameterError
from .labels import aspects_of

WEIGHT_COLUMNS = ("aspect", "column", "weight", "share", "beta")
DOMINANCE_COLUMNS = ("aspect", "column", "weight", "share")
IP_COLUMNS = ("aspect", "importance", "performance", "quadrant")
QUADRANTS = ("fix", "keep", "low_priority", "overkill")
MAX_DOMINANCE_PREDICTORS = 12
_EIGEN_TOL = 1e-12


def _aspect(column: str) -> str:
    return column[len("rating_"):] if column.startswith("rating_") else column


def _prepare(df: pd.DataFrame, target: str, predictors: Sequence[str]):
    """(predictors kept, correlation matrix R_xx, r_xy, n, dropped) or None for too few rows."""
    if isinstance(predictors, str):
        predictors = [predictors]
    predictors = list(predictors)
    if not isinstance(target, str) or target not in df.columns:
        raise ParameterError("target", "a column of the table", target)
    bad = [c for c in predictors if c not in df.columns]
    if not predictors or bad or len(set(predictors)) != len(predictors) or target in predictors:
        raise ParameterError("predictors", "a non-empty list of distinct columns of the table, "
                             "without the target", predictors)
    data = pd.DataFrame({c: pd.to_numeric(df[c], errors="coerce").to_numpy(
        dtype="float64", na_value=np.nan) for c in [target, *predictors]})
    data = data.dropna()
    n = len(data)
    if n < len(predictors) + 2:
        return None, n, []
    sd = data.std(ddof=0)
    dropped = [c for c in predictors if not sd[c] > 0]
    kept = [c for c in predictors if c not in dropped]
    if not kept or not sd[target] > 0:
        return None, n, dropped
    corr = np.corrcoef(data[[target, *kept]].to_numpy(), rowvar=False)
    return (kept, corr[1:, 1:], corr[1:, 0]), n, dropped


def _empty(columns: Sequence[str], n: int, dropped: list[str]) -> pd.DataFrame:
    out = pd.DataFrame({c: pd.Series(dtype="str" if c in ("aspect", "column") else "float64")
                        for c in columns})
    out.attrs.update({"n": n, "r2": np.nan, "dropped": dropped})
    return out


def _frame(kept: list[str], values: dict[str, np.ndarray], r2: float, n: int,
           dropped: list[str], columns: Sequence[str]) -> pd.DataFrame:
    out = pd.DataFrame({"aspect": [_aspect(c) for c in kept], "column": kept, **values})
    out["share"] = out["weight"] / r2 if r2 > 0 else np.nan
    out = out.sort_values("weight", ascending=False, kind="mergesort", ignore_index=True)
    out = out[list(columns)]
    out.attrs.update({"n": n, "r2": r2, "dropped": dropped})
    return out


def relative_weights(df: pd.DataFrame, target: str, predictors: Sequence[str]) -> pd.DataFrame:
    """Johnson's relative weights of ``predictors`` for ``target`` (module doc): one row per
    predictor kept, the largest weight first, with WEIGHT_COLUMNS; ``attrs`` r2, n, dropped."""
    prepared, n, dropped = _prepare(df, target, predictors)
    if prepared is None:
        return _empty(WEIGHT_COLUMNS, n, dropped)
    kept, rxx, rxy = prepared
    e, v = np.linalg.eigh(rxx)
    e = np.where(e > _EIGEN_TOL * e.max(), e, 0.0)
    lam = (v * np.sqrt(e)) @ v.T
    inv_sqrt = np.divide(1.0, np.sqrt(e), out=np.zeros_like(e), where=e > 0)
    beta_star = (v * inv_sqrt) @ v.T @ rxy
    weights = (lam ** 2) @ (beta_star ** 2)
    beta = np.linalg.pinv(rxx) @ rxy
    r2 = float(weights.sum())
    return _frame(kept, {"weight": weights, "beta": beta}, r2, n, dropped, WEIGHT_COLUMNS)


def _subset_r2(rxx: np.ndarray, rxy: np.ndarray) -> np.ndarray:
    """R² of every subset of the predictors, indexed by its bit mask."""
    p = len(rxy)
    r2 = np.zeros(1 << p)
    for mask in range(1, 1 << p):
        idx = [j for j in range(p) if mask >> j & 1]
        r = rxy[idx]
        r2[mask] = float(r @ np.linalg.pinv(rxx[np.ix_(idx, idx)]) @ r)
    return r2


def dominance(df: pd.DataFrame, target: str, predictors: Sequence[str]) -> pd.DataFrame:
    """General dominance weights (Shapley values of R², module doc): one row per predictor
    kept, the largest first, with DOMINANCE_COLUMNS; ``attrs`` r2, n, dropped. At most 12
    predictors (2^p regressions)."""
    count = 1 if isinstance(predictors, str) else len(predictors)
    if count > MAX_DOMINANCE_PREDICTORS:
        raise ParameterError("predictors", f"at most {MAX_DOMINANCE_PREDICTORS} columns for "
                             "dominance analysis", count)
    prepared, n, dropped = _prepare(df, target, predictors)
    if prepared is None:
        return _empty(DOMINANCE_COLUMNS, n, dropped)
    kept, rxx, rxy = prepared
    p = len(kept)
    r2 = _subset_r2(rxx, rxy)
    masks = np.arange(1 << p)
    sizes = np.array([bin(m).count("1") for m in masks])
    coef = np.array([factorial(s) * factorial(p - s - 1) / factorial(p) if s < p else 0.0
                     for s in range(p + 1)])
    weights = np.empty(p)
    for j in range(p):
        without = masks[(masks >> j & 1) == 0]
        weights[j] = float((coef[sizes[without]] * (r2[without | 1 << j] - r2[without])).sum())
    return _frame(kept, {"weight": weights}, float(r2[-1]), n, dropped, DOMINANCE_COLUMNS)


def aspect_means(feedback: pd.DataFrame) -> pd.Series:
    """The mean of every ``rating_<aspect>`` column (NaNs skipped), indexed by aspect in column
    order (named ``performance``; NaN for a column with no rating)."""
    columns = [c for c in feedback.columns if str(c).startswith("rating_")]
    means = [pd.Series(pd.to_numeric(feedback[c], errors="coerce").to_numpy(
        dtype="float64", na_value=np.nan)).mean() for c in columns]
    return pd.Series(means, index=pd.Index(aspects_of(columns), name="aspect", dtype="str"),
                     name="performance", dtype="float64")


def importance_performance(weights: pd.DataFrame, performance: pd.Series,
                           importance_cut: float | None = None,
                           performance_cut: float | None = None) -> pd.DataFrame:
    """The importance-performance grid: one row per aspect of ``weights`` (``relative_weights``
    or ``dominance`` output) that has a finite performance (``aspect_means``), in the order of
    ``weights``, with IP_COLUMNS; the cuts used are in ``attrs`` importance_cut and
    performance_cut (rules in the module doc)."""
    if not isinstance(weights, pd.DataFrame) or not {"aspect", "share"} <= set(weights.columns):
        raise ParameterError("weights", "a frame with columns aspect and share "
                             "(relative_weights output)", type(weights).__name__)
    if not isinstance(performance, pd.Series):
        raise ParameterError("performance", "a Series of mean ratings indexed by aspect",
                             type(performance).__name__)
    for name, cut in (("importance_cut", importance_cut), ("performance_cut", performance_cut)):
        if cut is not None and (isinstance(cut, bool) or not isinstance(cut, int | float)
                                or not np.isfinite(cut)):
            raise ParameterError(name, "None or a finite number", cut)
    perf = pd.to_numeric(performance, errors="coerce").astype("float64")
    perf.index = perf.index.astype(str)
    perf = perf[~perf.index.duplicated()]
    out = pd.DataFrame({"aspect": weights["aspect"].astype(str).to_numpy(),
                        "importance": weights["share"].astype("float64").to_numpy()})
    out["performance"] = perf.reindex(out["aspect"]).to_numpy()
    out = out[np.isfinite(out["importance"]) & np.isfinite(out["performance"])]
    out = out.reset_index(drop=True)
    i_cut = float(out["importance"].mean()) if importance_cut is None else float(importance_cut)
    p_cut = float(out["performance"].mean()) if performance_cut is None else float(
        performance_cut)
    high_i, high_p = out["importance"] >= i_cut, out["performance"] >= p_cut
    out["quadrant"] = pd.Series(np.select(
        [high_i & ~high_p, high_i & high_p, ~high_i & ~high_p],
        ["fix", "keep", "low_priority"], default="overkill"), dtype="str")
    if out.empty:
        out["quadrant"] = pd.Series(dtype="str")
    out.attrs.update({"importance_cut": i_cut, "performance_cut": p_cut})
    return out[list(IP_COLUMNS)]


__all__ = ["relative_weights", "dominance", "importance_performance", "aspect_means",
           "WEIGHT_COLUMNS", "DOMINANCE_COLUMNS", "IP_COLUMNS", "QUADRANTS"]
