"""Stage 06's recipe: the widened forecast interval and the flags."""
from __future__ import annotations

import pandas as pd
import pytest
from scipy import stats

from playbook.periods import parse_period
from playbook.trends import pipeline
from playbook.trends.settings import TrendsSettings

P = parse_period("2026Q3")


def _inp(**kw):
    base = dict(orders=pd.DataFrame(), purchases=pd.DataFrame(), customers=None, market=None,
                period=P, periods=P.history(7), settings=TrendsSettings(), language="en")
    base.update(kw)
    return pipeline.Inputs(**base)


def test_the_interval_is_at_least_the_backtest_rmse_band():
    fc = {"method": "ets", "point": [100.0], "lo": [98.0], "hi": [102.0]}
    bt = pd.DataFrame({"error": [3.0, -4.0, 0.0, 5.0]})
    out = pipeline._widen(fc, bt, 0.9)
    half = stats.norm.ppf(0.95) * (50 / 4) ** 0.5
    assert out["lo"][0] == pytest.approx(100 - half) and out["hi"][0] == pytest.approx(100 + half)
    assert out["method"].endswith("backtest RMSE interval")
    narrow = pipeline._widen(dict(fc, lo=[50.0], hi=[150.0]), bt, 0.9)
    assert narrow["lo"] == [50.0] and narrow["method"] == "ets"
    assert pipeline._widen(fc, bt.head(1), 0.9) is fc


def test_mix_shift_and_break_flags():
    shifts = pd.DataFrame({"age_band": ["<30", "<30", "50+"], "category": ["Beauty", "Apparel", "Food"],
                           "share_now": [0.35, 0.17, 0.2], "share_baseline": [0.15, 0.23, 0.19],
                           "change": [0.20, -0.06, 0.01], "p_value": [1e-9, 1e-3, 0.5],
                           "flagged": [True, True, False]})
    mx = {"baseline": "2025Q3", "shifts": {"age_band": shifts}}
    fc = {"revenue": {"break": {"outside": True, "actual": 60.0, "expected": 100.0, "lo": 80.0,
                                "hi": 120.0}},
          "active": {"break": {"outside": False}}}
    fl = pipeline.flags(_inp(), mx, fc)
    ids = [f["id"] for f in fl]
    # most severe first, then the largest shift
    assert ids == ["mix_shift_age_band_<30_Beauty", "trend_break_revenue",
                   "mix_shift_age_band_<30_Apparel"]
    assert [f["severity"] for f in fl] == ["critical", "critical", "warning"]
    assert "15.0% (2025Q3) to 35.0%" in fl[0]["message"]
    assert "-40%" in fl[1]["message"]
