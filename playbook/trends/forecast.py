"""Next-period forecasts of a metric, their backtest, and whether the latest value broke the
seasonal pattern.

Rules of ``fit_forecast``
-------------------------
* Values: a Series in time order (index = period labels); missing values are dropped.
* Six values or more: statsmodels' ``ETSModel`` with additive errors and an additive damped
  trend. Seasonality (period ``seasonal_periods``) only with at least two full seasons:
  multiplicative when every value is positive, additive otherwise (``seasonal="auto"``; or
  force "mul", "add" or None). Intervals: ``get_prediction(...).summary_frame(alpha)`` with
  ``alpha = 1 − confidence`` (simulated with a fixed seed for multiplicative models, so the
  numbers repeat). Convergence warnings are caught; ``converged`` records them.
* Fewer than six values, a failed fit or non-finite numbers: a fallback. Seasonal naive (the
  value one season earlier) with at least ``seasonal_periods`` values, else the mean. Its
  interval is ``point ± z·s·√k`` with z the normal quantile of the confidence, s the standard
  deviation of its in-sample one-step errors (of the values when fewer than two errors) and k
  the number of seasons ahead (seasonal naive) or ``1 + 1/n`` (mean).
* Result: ``{"method", "point", "lo", "hi", "fitted", "converged", "periods",
  "confidence"}``; point/lo/hi are lists of ``horizon`` floats, ``fitted`` a Series on the
  values' index, ``periods`` the labels of the forecast periods when the index holds period
  labels ("+1", "+2", … otherwise).

``backtest`` refits on everything before each of the last ``n_last`` values and forecasts it
one step ahead: ``error = actual − forecast``, ``ape = |error| / |actual|`` (NaN when the actual
is 0), ``covered = lo <= actual <= hi``. ``backtest_summary``: mape and mae (means over the
rows with a value), coverage (share covered) and n. ``seasonal_break`` fits on all but the last
value and asks whether the last one falls outside the interval.
"""
from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import ParameterError
from ..periods import parse_period

MIN_POINTS = 6
BACKTEST_COLUMNS = ("period", "actual", "forecast", "lo", "hi", "error", "ape", "covered")
Forecaster = Callable[..., dict]


def _next_labels(index: pd.Index, horizon: int) -> list[str]:
    try:
        last = parse_period(str(index[-1]))
        if last.kind == "custom":
            raise ParameterError("period", "a quarter or a month", index[-1])
        return [last.shift(k).label for k in range(1, horizon + 1)]
    except (ParameterError, IndexError):
        return [f"+{k}" for k in range(1, horizon + 1)]


def _fallback(y: pd.Series, horizon: int, m: int, z: float) -> dict:
    v = y.to_numpy(float)
    n = len(v)
    if n >= m and m > 1:
        point = np.array([v[n - m + (h % m)] for h in range(horizon)])
        fitted = y.shift(m)
        widen = np.sqrt(np.arange(horizon) // m + 1)
        method = "seasonal_naive"
    else:
        point = np.full(horizon, v.mean())
        fitted = pd.Series(v.mean(), index=y.index)
        widen = np.full(horizon, np.sqrt(1 + 1 / n))
        method = "mean"
    errors = (y - fitted).dropna().to_numpy(float)
    s = errors.std(ddof=1) if len(errors) >= 2 else (v.std(ddof=1) if n >= 2 else np.nan)
    return {"method": method, "point": point, "lo": point - z * s * widen,
            "hi": point + z * s * widen, "fitted": fitted.astype("float64"), "converged": True}


def _ets(y: pd.Series, horizon: int, m: int, confidence: float, seasonal: str | None) -> dict:
    from statsmodels.tools.sm_exceptions import ConvergenceWarning
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    v = y.to_numpy(float)
    if seasonal == "auto":
        seasonal = None if len(v) < 2 * m or m < 2 else ("mul" if (v > 0).all() else "add")
    model = ETSModel(pd.Series(v), error="add", trend="add", damped_trend=True, seasonal=seasonal,
                     seasonal_periods=m if seasonal else None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = model.fit(disp=False)
        frame = res.get_prediction(start=len(v), end=len(v) + horizon - 1,
                                   rng=np.random.default_rng(0)).summary_frame(
            alpha=1 - confidence)
    warned = any(issubclass(w.category, ConvergenceWarning) for w in caught)
    converged = bool(res.mle_retvals.get("converged", True)) and not warned
    code = {"mul": "M", "add": "A"}.get(seasonal or "", "N")
    return {"method": f"ets(A,Ad,{code})", "point": frame["mean"].to_numpy(float),
            "lo": frame["pi_lower"].to_numpy(float), "hi": frame["pi_upper"].to_numpy(float),
            "fitted": pd.Series(np.asarray(res.fittedvalues, float), index=y.index),
            "converged": converged}


def fit_forecast(values: pd.Series, horizon: int = 1, seasonal_periods: int = 4,
                 confidence: float = 0.9, seasonal: str | None = "auto") -> dict:
    """Forecast the next ``horizon`` values (see the module docstring)."""
    y = pd.Series(values).astype("float64").dropna()
    if y.empty:
        raise ParameterError("values", "a series with at least one value", "an empty series",
                             where="fit_forecast")
    if not 0 < confidence < 1:
        raise ParameterError("confidence", "a number between 0 and 1", confidence)
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    out = None
    if len(y) >= MIN_POINTS:
        try:
            out = _ets(y, horizon, seasonal_periods, confidence, seasonal)
        except (ValueError, np.linalg.LinAlgError, ZeroDivisionError, OverflowError):
            out = None
        if out is not None and not all(np.isfinite(out[k]).all() for k in ("point", "lo", "hi")):
            out = None
    if out is None:
        out = _fallback(y, horizon, seasonal_periods, z)
    out.update({k: [float(x) for x in out[k]] for k in ("point", "lo", "hi")})
    out["periods"] = _next_labels(y.index, horizon)
    out["confidence"] = confidence
    return out


def backtest(values: pd.Series, n_last: int = 4, seasonal_periods: int = 4,
             confidence: float = 0.9, forecaster: Forecaster = fit_forecast) -> pd.DataFrame:
    """One-step-ahead forecasts of each of the last ``n_last`` values, each fitted on the
    values before it (``forecaster(history, horizon=1, seasonal_periods=…, confidence=…)``).
    Columns ``BACKTEST_COLUMNS``; values with no history before them are skipped."""
    y = pd.Series(values).astype("float64").dropna()
    records = []
    for i in range(max(1, len(y) - n_last), len(y)):
        fc = forecaster(y.iloc[:i], horizon=1, seasonal_periods=seasonal_periods,
                        confidence=confidence)
        actual, point = float(y.iloc[i]), float(fc["point"][0])
        lo, hi = float(fc["lo"][0]), float(fc["hi"][0])
        error = actual - point
        records.append({"period": str(y.index[i]), "actual": actual, "forecast": point,
                        "lo": lo, "hi": hi, "error": error,
                        "ape": abs(error) / abs(actual) if actual else np.nan,
                        "covered": bool(lo <= actual <= hi)})
    return pd.DataFrame.from_records(records, columns=list(BACKTEST_COLUMNS))


def backtest_summary(bt: pd.DataFrame) -> dict:
    """mape (mean ape), mae (mean |error|), coverage (share of actuals inside) and n."""
    if bt.empty:
        return {"mape": float("nan"), "mae": float("nan"), "coverage": float("nan"), "n": 0}
    return {"mape": float(bt["ape"].mean()), "mae": float(bt["error"].abs().mean()),
            "coverage": float(bt["covered"].astype(float).mean()), "n": int(len(bt))}


def seasonal_break(values: pd.Series, seasonal_periods: int = 4, confidence: float = 0.95,
                   forecaster: Forecaster = fit_forecast) -> dict:
    """Fit on all but the last value and predict it: actual, expected, lo, hi, ``outside``
    (the actual outside [lo, hi]), ``direction`` ("above" / "below" / None), ``ratio``
    (actual / expected) and the forecast ``method``."""
    y = pd.Series(values).astype("float64").dropna()
    if len(y) < 2:
        raise ParameterError("values", "a series with at least two values", len(y),
                             where="seasonal_break")
    fc = forecaster(y.iloc[:-1], horizon=1, seasonal_periods=seasonal_periods,
                    confidence=confidence)
    actual, expected = float(y.iloc[-1]), float(fc["point"][0])
    lo, hi = float(fc["lo"][0]), float(fc["hi"][0])
    direction = "above" if actual > hi else "below" if actual < lo else None
    return {"period": str(y.index[-1]), "actual": actual, "expected": expected, "lo": lo,
            "hi": hi, "outside": direction is not None, "direction": direction,
            "ratio": actual / expected if expected else float("nan"), "method": fc["method"]}
