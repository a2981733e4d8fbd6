"""The run file's ``trends:`` section: every setting of stage 06, with its default and limits."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class TrendsSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    mix_baseline: Literal["year_ago", "previous"] = "year_ago"
    """Category mix shifts compare this period with the same period a year ago (seasonal mixes
    cancel out) or with the previous period."""
    mix_shift_alert: Annotated[float, Field(gt=0, lt=1)] = 0.05
    """Flag a category whose share of a group's orders moved by at least this (0.05 = 5 points),
    significantly; critical at twice that."""
    min_group_orders: Annotated[int, Field(ge=1)] = 100
    """Groups (age band, customer type) with fewer orders in either period are not flagged."""
    forecast_confidence: Annotated[float, Field(ge=0.5, lt=1)] = 0.9
    """Confidence of the forecast interval."""
    backtest_periods: Annotated[int, Field(ge=1, le=12)] = 4
    """One-step-ahead forecasts of the last periods, to state the forecast's error."""
    break_confidence: Annotated[float, Field(ge=0.5, lt=1)] = 0.95
    """Flag a metric of this period outside this interval of its seasonal expectation."""
