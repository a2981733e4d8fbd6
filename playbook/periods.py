"""Review periods: a quarter (2026Q3), a month (2026-07) or a custom range, and their history."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pandas as pd

from .errors import ParameterError

_QUARTER = re.compile(r"^(\d{4})[Qq]([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
ALLOWED = "YYYYQn (e.g. 2026Q3), YYYY-MM (e.g. 2026-07) or {start: YYYY-MM-DD, end: YYYY-MM-DD}"


@dataclass(frozen=True)
class Period:
    """A closed date range [start, end] with a label; `kind` is quarter, month or custom."""

    label: str
    start: pd.Timestamp
    end: pd.Timestamp  # last day, inclusive
    kind: str

    @property
    def end_exclusive(self) -> pd.Timestamp:
        return self.end + pd.Timedelta(days=1)

    @property
    def days(self) -> int:
        return int((self.end - self.start).days) + 1

    def shift(self, n: int) -> Period:
        """The period n steps earlier (n < 0) or later (n > 0), of the same length."""
        if self.kind == "quarter":
            p = pd.Period(self.start, freq="Q") + n
            return _from_pandas(p, "quarter")
        if self.kind == "month":
            p = pd.Period(self.start, freq="M") + n
            return _from_pandas(p, "month")
        delta = pd.Timedelta(days=self.days * n)
        start, end = self.start + delta, self.end + delta
        return Period(f"{start.date()}..{end.date()}", start, end, "custom")

    def history(self, n: int) -> list[Period]:
        """This period preceded by its n earlier periods, oldest first."""
        return [self.shift(-k) for k in range(n, -1, -1)]

    def window(self, history: int) -> tuple[pd.Timestamp, pd.Timestamp]:
        """Start of the oldest history period and the end of this one (the review window)."""
        return self.shift(-history).start, self.end

    def previous(self) -> Period:
        return self.shift(-1)

    def year_ago(self) -> Period | None:
        if self.kind == "quarter":
            return self.shift(-4)
        if self.kind == "month":
            return self.shift(-12)
        return None


def _from_pandas(p: pd.Period, kind: str) -> Period:
    start = p.start_time.normalize()
    end = p.end_time.normalize()
    label = f"{p.year}Q{p.quarter}" if kind == "quarter" else f"{p.year}-{p.month:02d}"
    return Period(label, start, end, kind)


def parse_period(value: object) -> Period:
    """Parse the run file's `period` value; raise ParameterError on anything else."""
    if isinstance(value, str):
        text = value.strip()
        if m := _QUARTER.match(text):
            return _from_pandas(pd.Period(year=int(m[1]), quarter=int(m[2]), freq="Q"), "quarter")
        if m := _MONTH.match(text):
            month = int(m[2])
            if 1 <= month <= 12:
                return _from_pandas(pd.Period(year=int(m[1]), month=month, freq="M"), "month")
    if isinstance(value, dict) and set(value) == {"start", "end"}:
        try:
            start = pd.Timestamp(_as_date(value["start"]))
            end = pd.Timestamp(_as_date(value["end"]))
        except (TypeError, ValueError):
            raise ParameterError("period", ALLOWED, value) from None
        if end < start:
            raise ParameterError("period", ALLOWED + " with start <= end", value)
        return Period(f"{start.date()}..{end.date()}", start, end, "custom")
    raise ParameterError("period", ALLOWED, value)


def _as_date(v: object) -> date:
    if isinstance(v, date):
        return v
    return date.fromisoformat(str(v))


def period_of(dates: pd.Series, kind: str) -> pd.Series:
    """Label each date with its quarter (2026Q3) or month (2026-07)."""
    freq = "Q" if kind == "quarter" else "M"
    p = dates.dt.to_period(freq)
    if freq == "Q":
        return p.dt.year.astype("Int64").astype("string") + "Q" + p.dt.quarter.astype("Int64").astype("string")
    return p.astype("string")
