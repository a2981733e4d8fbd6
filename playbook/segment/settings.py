"""The run file's ``segment:`` section: every setting of stage 03, with its default and limits.

Validated with the rest of the run file before anything runs; a bad value exits 2 with
"The 'segment.k' parameter must be … Got … instead.".
"""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Share = Annotated[float, Field(gt=0, lt=1)]


class CnThresholds(BaseModel):
    """Fixed cut-offs for the Chinese 8-class RFM scheme (instead of the means)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    recency_days: Annotated[float, Field(gt=0)]
    frequency: Annotated[float, Field(gt=0)]
    monetary: Annotated[float, Field(gt=0)]


class SegmentSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # RFM -------------------------------------------------------------------------------------
    lookback_months: Annotated[int, Field(ge=1, le=120)] = 12
    """Months of purchases before the period's end that RFM counts."""
    cn_split: Literal["mean", "median", "threshold"] = "mean"
    """How the 8-class scheme splits R, F and M into high and low."""
    cn_thresholds: CnThresholds | None = None
    """Required with cn_split: threshold."""
    # ABC -------------------------------------------------------------------------------------
    abc: tuple[Share, Share, Share] = (0.7, 0.2, 0.1)
    """Revenue shares of grades A, B and C (they must add up to 1)."""
    # clusters --------------------------------------------------------------------------------
    cluster_method: Literal["kmeans", "gmm"] = "kmeans"
    k: Annotated[int, Field(ge=2, le=15)] | None = None
    """Number of clusters; by default chosen by silhouette over k_range."""
    k_range: tuple[Annotated[int, Field(ge=2, le=15)], Annotated[int, Field(ge=2, le=15)]] = (3, 8)
    price_sensitive_below: Annotated[float, Field(gt=0, lt=1)] = 0.8
    """Price tier: customers who pay less than this × the category's median price are
    price-sensitive (price_position, see segment.clusters)."""
    premium_above: Annotated[float, Field(gt=1)] = 1.25
    """Price tier: customers who pay more than this × the median are premium."""
    # lifecycle and comparison ----------------------------------------------------------------
    churn_window_days: Annotated[int, Field(ge=7, le=3650)] | None = None
    """No purchase for this many days = churned; by default derived from inter-purchase times."""
    compare: Literal["previous", "year_ago"] = "previous"
    """The comparison period: the previous period, or the same period a year earlier."""
    # CLV -------------------------------------------------------------------------------------
    clv_horizon_months: Annotated[int, Field(ge=1, le=60)] = 12
    discount_rate: Annotated[float, Field(ge=0, lt=1)] = 0.10
    """Annual discount rate of predicted CLV."""
    # churn model -----------------------------------------------------------------------------
    churn_model: Literal["hgb", "logistic"] = "hgb"
    training_cutoffs: Annotated[int, Field(ge=1, le=12)] = 4
    """Earlier period ends whose next period labels the churn model's training rows."""
    # flags -----------------------------------------------------------------------------------
    shrink_alert: Share = 0.10
    """Flag a valuable segment whose size falls by more than this share."""
    at_risk_value_alert: Share = 0.25
    """Flag when the share of 12-month revenue held by at-risk customers rose by more than this
    (relative) against a year earlier."""
    churn_alert: Share = 0.50
    """Flag when next period's expected churn rate of the active customers exceeds this."""
    churn_rise_alert: Share = 0.10
    """Flag when next period's expected churn rate exceeds this period's observed churn rate by
    more than this share (0.10: by a tenth)."""
    frequency_drop_alert: Share = 0.20
    """Flag a group whose purchase frequency falls by this much more than everyone else's."""
    top_n: Annotated[int, Field(ge=1, le=500)] = 20
    seed: int = 0

    @field_validator("abc")
    @classmethod
    def _abc_sums_to_one(cls, v: tuple[float, float, float]) -> tuple[float, float, float]:
        if abs(sum(v) - 1) > 1e-6:
            raise ValueError("The 'segment.abc' parameter must be three shares adding up to 1, "
                             f"e.g. [0.7, 0.2, 0.1]. Got {list(v)} instead.")
        return v

    @field_validator("k_range")
    @classmethod
    def _range_ordered(cls, v: tuple[int, int]) -> tuple[int, int]:
        if v[0] > v[1]:
            raise ValueError("The 'segment.k_range' parameter must be [low, high] with low <= "
                             f"high, e.g. [3, 8]. Got {list(v)} instead.")
        return v

    @model_validator(mode="after")
    def _thresholds_given(self) -> SegmentSettings:
        if self.cn_split == "threshold" and self.cn_thresholds is None:
            raise ValueError("The 'segment.cn_thresholds' parameter must be {recency_days, "
                             "frequency, monetary} when segment.cn_split is threshold. "
                             "Got None instead.")
        return self
