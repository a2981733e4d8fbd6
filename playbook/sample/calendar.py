"""The twelve quarters of the history window: days, sales weights, quarter boundaries."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..errors import ParameterError
from .constants import N_QUARTERS

# Chinese New Year (first day), for the holiday dip
_CNY = {
    2015: "02-19", 2016: "02-08", 2017: "01-28", 2018: "02-16", 2019: "02-05", 2020: "01-25",
    2021: "02-12", 2022: "02-01", 2023: "01-22", 2024: "02-10", 2025: "01-29", 2026: "02-17",
    2027: "02-06", 2028: "01-26", 2029: "02-13", 2030: "02-03", 2031: "01-23", 2032: "02-11",
    2033: "01-31", 2034: "02-19", 2035: "02-08",
}


def _quarters(end_period: str) -> list[pd.Period]:
    m = re.fullmatch(r"(\d{4})Q([1-4])", str(end_period))
    if not m:
        raise ParameterError("end_period", "a quarter written YYYYQn (e.g. '2026Q3')", end_period,
                             where="sample")
    end = pd.Period(f"{m[1]}Q{m[2]}", freq="Q")
    return [end - (N_QUARTERS - 1 - i) for i in range(N_QUARTERS)]


class _Calendar:
    """Days of the twelve quarters, their sales weights and the quarter boundaries."""

    def __init__(self, quarters: list[pd.Period]):
        self.quarters = quarters
        self.labels = [str(q) for q in quarters]
        self.start = np.datetime64(quarters[0].start_time.date(), "D")
        self.end = np.datetime64(quarters[-1].end_time.date(), "D")
        self.n_days = int((self.end - self.start).astype(int)) + 1
        self.end_year = quarters[-1].year
        days = self.start + np.arange(self.n_days)
        self.days = days
        self.start_s = int(self.start.astype("datetime64[s]").astype(np.int64))
        self.end_s = self.start_s + self.n_days * 86400 - 1
        q_bounds = [np.datetime64(q.start_time.date(), "D") for q in quarters]
        self.q_start = np.array([int((b - self.start).astype(int)) for b in q_bounds] + [self.n_days])
        self.day_q = np.searchsorted(self.q_start, np.arange(self.n_days), side="right") - 1
        months = days.astype("datetime64[M]").astype(int) % 12 + 1
        dom = (days - days.astype("datetime64[M]")).astype(int) + 1
        weekday = (days.astype(int) + 3) % 7   # 0 Monday
        month_factor = np.array([0, .85, .75, .95, .95, 1.0, 1.1, .95, .95, 1.0, 1.05, 1.3, 1.2])
        w = month_factor[months].astype(float)
        w *= np.where(weekday >= 5, 1.15, 1.0)
        promo = ((months == 6) & (dom <= 18)) | ((months == 11) & (dom <= 11)) | \
            ((months == 12) & (dom == 12))
        w *= np.where((months == 6) & (dom < 18), 1.3, 1.0)
        w *= np.where((months == 6) & (dom == 18), 3.5, 1.0)
        w *= np.where((months == 11) & (dom < 11), 1.4, 1.0)
        w *= np.where((months == 11) & (dom == 11), 6.0, 1.0)
        w *= np.where((months == 12) & (dom == 12), 2.5, 1.0)
        years = days.astype("datetime64[Y]").astype(int) + 1970
        for y in np.unique(years):
            cny = np.datetime64(f"{y}-{_CNY.get(int(y), '02-01')}", "D")
            near = np.abs((days - cny).astype(int)) <= 7
            w *= np.where(near, 0.45, 1.0)
        self.promo = promo
        self.w = [w, w * np.where(promo, 2.5, 1.0)]
        self.w[1] *= self.w[0].sum() / self.w[1].sum()
        self.cw = [np.concatenate([[0.0], np.cumsum(x)]) for x in self.w]
        q_sums = np.diff(self.cw[0][self.q_start])
        self.q_mean = float(q_sums.mean())
        self.season = q_sums / self.q_mean   # per quarter, mean 1

    def quarter_of_seconds(self, ts: np.ndarray) -> np.ndarray:
        day = (ts - self.start_s) // 86400
        return self.day_q[np.clip(day, 0, self.n_days - 1)]
