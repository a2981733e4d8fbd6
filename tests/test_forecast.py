"""Next-period forecasts, backtests and seasonal breaks (playbook.trends.forecast)."""
from __future__ import annotations

import statistics
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest

from playbook.errors import ParameterError
from playbook.periods import parse_period
from playbook.trends.forecast import backtest, backtest_summary, fit_forecast, seasonal_break

SEASON = np.array([0.85, 1.0, 0.95, 1.25])  # Q1 trough, Q4 peak


def _series(n: int = 13, noise: float = 0.02, seed: int = 1) -> tuple[pd.Series, np.ndarray]:
    """Quarterly values with a trend and a season (the last label is 2026Q3) and the truth."""
    labels = [p.label for p in parse_period("2026Q3").history(n - 1)]
    q = np.array([int(lab[-1]) for lab in labels])
    truth = (100 + 3 * np.arange(n)) * SEASON[q - 1]
    rng = np.random.default_rng(seed)
    return pd.Series(truth * (1 + rng.normal(0, noise, n)), index=labels), truth


def test_forecast_of_a_seasonal_series_with_trend():
    y, truth = _series()
    history = y.iloc[:-1]
    before = history.copy()
    fc = fit_forecast(history)
    assert fc["method"] == "ets(A,Ad,M)"
    assert isinstance(fc["converged"], bool)
    assert fc["periods"] == ["2026Q3"]
    assert abs(fc["point"][0] / truth[-1] - 1) < 0.05
    assert fc["lo"][0] <= truth[-1] <= fc["hi"][0]
    assert fc["lo"][0] < fc["point"][0] < fc["hi"][0]
    assert fc["fitted"].index.equals(history.index)
    pd.testing.assert_series_equal(history, before)
    again = fit_forecast(history)
    assert again["lo"] == fc["lo"] and again["hi"] == fc["hi"]  # fixed simulation seed


def test_forecast_horizon_and_short_series():
    y, _ = _series()
    fc = fit_forecast(y, horizon=2)
    assert fc["periods"] == ["2026Q4", "2027Q1"]
    assert fc["point"][0] > fc["point"][1]  # Q4 peak, Q1 trough
    assert fit_forecast(y.iloc[:7])["method"] == "ets(A,Ad,N)"  # < 2 seasons: no season
    unlabelled = fit_forecast(pd.Series([1.0, 2, 3, 4, 5, 6, 7]), horizon=2)
    assert unlabelled["periods"] == ["+1", "+2"]


def test_fallback_with_four_points_is_seasonal_naive():
    y = pd.Series([10.0, 20.0, 30.0, 40.0], index=["2025Q3", "2025Q4", "2026Q1", "2026Q2"])
    fc = fit_forecast(y, horizon=2, confidence=0.9)
    assert fc["method"] == "seasonal_naive"
    assert fc["point"] == [10.0, 20.0]  # the value one season earlier
    half = NormalDist().inv_cdf(0.95) * statistics.stdev([10, 20, 30, 40])
    assert fc["lo"] == pytest.approx([10 - half, 20 - half])
    assert fc["hi"] == pytest.approx([10 + half, 20 + half])
    assert fc["periods"] == ["2026Q3", "2026Q4"]


def test_fallback_with_three_points_is_the_mean():
    fc = fit_forecast(pd.Series([10.0, 20.0, 30.0]), confidence=0.8)
    assert fc["method"] == "mean"
    half = NormalDist().inv_cdf(0.9) * 10 * np.sqrt(1 + 1 / 3)
    assert fc["point"] == [20.0]
    assert fc["lo"][0] == pytest.approx(20 - half)
    assert fc["hi"][0] == pytest.approx(20 + half)
    with pytest.raises(ParameterError):
        fit_forecast(pd.Series([], dtype=float))


def _last_value(values, horizon=1, seasonal_periods=4, confidence=0.9):
    """A known forecaster: the last value, ± 1."""
    last = float(values.iloc[-1])
    return {"method": "last", "point": [last], "lo": [last - 1], "hi": [last + 1]}


def test_backtest_arithmetic_with_a_known_forecaster():
    y = pd.Series([100.0, 110, 99, 120, 120], index=["a", "b", "c", "d", "e"])
    bt = backtest(y, n_last=3, forecaster=_last_value)
    assert bt["period"].tolist() == ["c", "d", "e"]
    assert bt["forecast"].tolist() == [110, 99, 120]
    assert bt["error"].tolist() == [-11, 21, 0]
    np.testing.assert_allclose(bt["ape"], [11 / 99, 21 / 120, 0])
    assert bt["covered"].tolist() == [False, False, True]
    s = backtest_summary(bt)
    assert s["mape"] == pytest.approx((11 / 99 + 21 / 120) / 3)
    assert s["mae"] == pytest.approx(32 / 3)
    assert s["coverage"] == pytest.approx(1 / 3)
    assert s["n"] == 3
    zero = backtest(pd.Series([5.0, 0.0, 5.0]), n_last=2, forecaster=_last_value)
    assert np.isnan(zero["ape"].iloc[0])
    assert backtest_summary(zero)["mape"] == pytest.approx(1.0)  # the zero actual is skipped
    assert np.isnan(backtest_summary(backtest(y.iloc[:1]))["mape"])


def test_backtest_with_the_model():
    y, _ = _series(16)
    bt = backtest(y, n_last=4)
    assert len(bt) == 4 and bt["period"].iloc[-1] == "2026Q3"
    assert backtest_summary(bt)["mape"] < 0.05


def test_seasonal_break():
    y, truth = _series()
    normal = y.copy()
    normal.iloc[-1] = truth[-1]
    ok = seasonal_break(normal)
    assert not ok["outside"] and ok["direction"] is None
    low = y.copy()
    low.iloc[-1] = 0.5 * truth[-1]
    br = seasonal_break(low)
    assert br["outside"] and br["direction"] == "below"
    assert br["ratio"] == pytest.approx(0.5, abs=0.05)
    assert br["actual"] == pytest.approx(0.5 * truth[-1])
    high = y.copy()
    high.iloc[-1] = 1.5 * truth[-1]
    assert seasonal_break(high)["direction"] == "above"
