"""Dates as ISO, YYYYMMDD, date with time, datetimes from Excel/DB, or an explicit format."""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from playbook.dates import parse_dates, share_parsed

T = pd.Timestamp


def test_auto_formats():
    s = pd.Series(["2026-07-01", "20260702", "2026/7/3", "2026-07-04 13:45:00",
                   "2026-07-05T08:30", "2026.07.06", " 2026-07-07 ", "2026-13-45", "soon", None])
    got = parse_dates(s).tolist()
    assert got[:7] == [T("2026-07-01"), T("2026-07-02"), T("2026-07-03"), T("2026-07-04 13:45"),
                       T("2026-07-05 08:30"), T("2026-07-06"), T("2026-07-07")]
    assert all(pd.isna(v) for v in got[7:])


def test_integers_datetimes_and_objects():
    assert parse_dates(pd.Series([19970101, 19980630])).tolist() == [T("1997-01-01"), T("1998-06-30")]
    mixed = pd.Series([datetime(2026, 7, 1, 9), date(2026, 7, 2), "2026-07-03", None], dtype=object)
    assert parse_dates(mixed).tolist()[:3] == [T("2026-07-01 09:00"), T("2026-07-02"), T("2026-07-03")]
    aware = pd.Series(pd.to_datetime(["2026-07-01 08:00"]).tz_localize("Asia/Shanghai"))
    assert parse_dates(aware).tolist() == [T("2026-07-01 00:00")]


def test_explicit_format_and_share():
    s = pd.Series(["01/07/2026", "31/12/2025", "2026-07-01"])
    got = parse_dates(s, "%d/%m/%Y")
    assert got.tolist()[:2] == [T("2026-07-01"), T("2025-12-31")] and pd.isna(got.iloc[2])
    assert share_parsed(s, got) == 2 / 3
    assert share_parsed(pd.Series([None, ""]), parse_dates(pd.Series([None, ""]))) == 1.0
