"""The run file's ``competition:`` section: every setting of stage 05, with its default and
limits. Validated with the rest of the run file before anything runs."""
from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Positive = Annotated[float, Field(gt=0)]


class CompetitionSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rating_gap: Positive = 0.2
    """A competitor leads on a rating aspect or CSAT (1-5) when ahead by more than this."""
    nps_gap: Positive = 10.0
    """…on NPS (−100…100) when ahead by more than this many points."""
    share_gap: Positive = 0.02
    """…on market share when ahead by more than this (0.02 = 2 percentage points)."""
    price_gap: Positive = 0.05
    """…on price when its price index is lower than ours (1.0) by more than this."""
    price_cut: Positive = 0.05
    """A competitor cut prices when its price index fell by at least this since last period."""
    share_gain_periods: Annotated[int, Field(ge=2, le=12)] = 2
    """Flag a competitor whose market share rose this many periods in a row."""
    min_share_gain: Annotated[float, Field(ge=0)] = 0.005
    """…and gained at least this much share over the streak (0.005 = 0.5 points)."""
