"""Stage 06 (trends): metrics over the periods, the category mix and its shifts, next-period
forecasts with their backtest. Pure functions; see each module's docstring for its rules."""
from __future__ import annotations

from .forecast import backtest, backtest_summary, fit_forecast, seasonal_break
from .mix import AGE_BANDS, age_band, category_mix, mix_shifts
from .series import decompose, group_frequency, monthly_table, period_table, seasonal_profile

__all__ = ["AGE_BANDS", "age_band", "backtest", "backtest_summary", "category_mix", "decompose",
           "fit_forecast", "group_frequency", "mix_shifts", "monthly_table", "period_table",
           "seasonal_break", "seasonal_profile"]
