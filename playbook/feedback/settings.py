"""The run file's ``feedback:`` section: every setting of stage 04, with its default and limits.

Validated with the rest of the run file before anything runs; a bad value exits 2 with
"The 'feedback.first_response_hours' parameter must be … Got … instead.".
"""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Share = Annotated[float, Field(gt=0, lt=1)]
Hours = Annotated[float, Field(gt=0, le=24 * 365)]


class FeedbackSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # satisfaction ----------------------------------------------------------------------------
    top_box: Annotated[int, Field(ge=2, le=5)] = 4
    """CSAT top-2-box: the share of answers at or above this score (4 = 4 or 5 on 1-5)."""
    confidence: Annotated[float, Field(ge=0.5, lt=1)] = 0.95
    """Confidence level of every interval."""
    alpha: Share = 0.01
    """A change is significant when its two-sided p-value is below alpha."""
    min_responses: Annotated[int, Field(ge=1)] = 30
    """Groups with fewer responses are not shown in breakdowns and never flagged."""
    compare: Literal["previous", "year_ago"] = "previous"
    """The comparison period: the previous period, or the same period a year earlier."""
    # drivers ---------------------------------------------------------------------------------
    target: Literal["csat", "nps"] = "csat"
    """The overall score the rating aspects are related to."""
    aspect_drop_alert: Annotated[float, Field(gt=0, le=4)] = 0.3
    """Flag an aspect whose mean rating falls by at least this many points (and significantly)."""
    # complaints ------------------------------------------------------------------------------
    first_response_hours: Hours = 24
    """Service standard: a first response within this many hours."""
    resolution_hours: Hours = 72
    """Service standard: resolved (closed and resolved) within this many hours."""
    service_level_target: Share = 0.9
    """Flag when the share of tickets handled within a standard falls below this."""
    complaint_rise_alert: Annotated[float, Field(gt=0)] = 0.5
    """Flag a complaint category whose rate per 1,000 active customers rises by at least this
    share (0.5 = +50 %) against the comparison period, significantly."""
    repeat_tickets: Annotated[int, Field(ge=2)] = 2
    """A repeat complainer opened at least this many tickets in the last 12 months."""
    # text ------------------------------------------------------------------------------------
    topics: Annotated[int, Field(ge=2, le=20)] = 5
    """Topics per text source (NMF)."""
    keywords: Annotated[int, Field(ge=3, le=50)] = 10
    verbatims: Annotated[int, Field(ge=1, le=20)] = 3
    """Representative quotes per sentiment and topic."""
    negative_share_alert: Share = 0.3
    """Flag when the share of negative comments rises by at least this share (relative)."""
    # callbacks -------------------------------------------------------------------------------
    callback_nps_max: Annotated[int, Field(ge=0, le=10)] = 6
    """Detractors to call back: NPS at or below this (6 = the detractor definition)."""
    callback_csat_max: Annotated[int, Field(ge=1, le=5)] = 2
    """…or CSAT at or below this."""

