"""Charts of the trends stage: what they draw, empty input and both languages."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.lines import Line2D

from playbook.errors import ParameterError
from playbook.plots.trends import (
    plot_forecast,
    plot_group_frequency,
    plot_mix,
    plot_monthly,
    plot_series,
)

PERIODS = ["2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3"]


@pytest.fixture
def table() -> pd.DataFrame:
    return pd.DataFrame({"period": PERIODS, "revenue": [10.0, 14, 9, 11, 12],
                         "revenue_yoy": [np.nan, np.nan, np.nan, np.nan, 0.2],
                         "retention_rate": [0.7, 0.72, 0.65, 0.7, 0.68]})


def _lines(ax) -> list[Line2D]:
    return [ln for ln in ax.get_lines() if len(ln.get_xdata()) > 1]


@pytest.mark.parametrize("language,yoy", [("zh", "同比 +20%"), ("en", "YoY +20%")])
def test_plot_series_bars_with_yoy_labels(ax, table, language, yoy):
    out = plot_series(table, "revenue", ax=ax, language=language)
    assert out is ax
    assert len(ax.patches) == 5
    assert [t.get_text() for t in ax.texts] == [yoy]  # only the period with a known YoY
    assert [t.get_text() for t in ax.get_xticklabels()] == PERIODS


def test_plot_series_ratio_is_a_line_and_missing_metric_is_empty(ax, table):
    plot_series(table, "retention_rate", ax=ax, language="en")
    assert len(ax.patches) == 0 and len(_lines(ax)) == 1
    assert ax.get_title() == "Retention rate"
    new = plot_series(table, "nps", language="en")
    assert [t.get_text() for t in new.texts] == ["No data"] and not new.axison


def test_plot_monthly_with_profile(ax):
    monthly = pd.DataFrame({"month": [f"2025-{m:02d}" for m in range(1, 13)],
                            "revenue": np.arange(1.0, 13.0)})
    profile = pd.DataFrame({"month": range(1, 13), "index": np.linspace(0.8, 1.2, 12)})
    plot_monthly(monthly, profile, ax=ax, language="zh")
    assert len(ax.patches) == 12
    assert len(ax.figure.axes) == 2  # the index on a second y axis
    twin = [a for a in ax.figure.axes if a is not ax][0]
    np.testing.assert_allclose(_lines(twin)[0].get_ydata(), np.linspace(0.8, 1.2, 12))
    assert ax.get_title() == "月度收入"


def test_plot_mix_top_categories_and_other(ax):
    rows = [(p, g, c, s) for p in PERIODS[:3] for g in ("<30", "50+")
            for c, s in (("美妆", 0.4), ("服饰", 0.3), ("食品", 0.2), ("数码", 0.1))]
    mix = pd.DataFrame(rows, columns=["period", "age", "category", "share"]).assign(
        orders=1, total=1)
    plot_mix(mix, group="<30", ax=ax, language="en", top=2)
    assert len(ax.patches) == 3 * 3  # 2 categories + other, 3 periods
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["美妆", "服饰", "Other"]
    tops = [p.get_y() + p.get_height() for p in ax.patches[-3:]]
    np.testing.assert_allclose(tops, [1.0, 1.0, 1.0])
    assert "<30" in ax.get_title()
    empty = plot_mix(mix, group="nobody", language="zh")
    assert [t.get_text() for t in empty.texts] == ["没有数据"]


def test_plot_forecast_with_backtest(ax):
    values = pd.Series([10.0, 12, 11, 13], index=PERIODS[:4])
    fc = {"point": [14.0], "lo": [12.0], "hi": [16.0], "periods": ["2026Q3"],
          "confidence": 0.9}
    bt = pd.DataFrame({"period": ["2026Q1", "2026Q2"], "forecast": [11.5, 12.5],
                       "lo": [10.0, 11.0], "hi": [13.0, 14.0]})
    plot_forecast(values, fc, bt, ax=ax, language="en")
    assert len(ax.containers) == 2  # forecast and backtest error bars
    assert [t.get_text() for t in ax.get_xticklabels()] == PERIODS
    history = _lines(ax)[0]
    np.testing.assert_allclose(history.get_ydata(), [10, 12, 11, 13])
    assert any("90% interval" in t.get_text() for t in ax.get_legend().get_texts())
    alone = plot_forecast(values, fc, language="zh")
    assert len(alone.containers) == 1
    nothing = plot_forecast(pd.Series([], dtype=float), fc, language="en")
    assert [t.get_text() for t in nothing.texts] == ["No data"]


@pytest.mark.parametrize("language,name", [("zh", "价格敏感型客户"),
                                           ("en", "Price-sensitive customers")])
def test_plot_group_frequency_highlights_a_group(ax, language, name):
    freq = pd.DataFrame({"period": PERIODS[:3] * 2,
                         "group": ["price_sensitive"] * 3 + ["mainstream"] * 3,
                         "per_customer": [1.0, 1.1, 0.5, 1.2, 1.2, 1.1]})
    plot_group_frequency(freq, ax=ax, language=language)
    lines = _lines(ax)
    assert len(lines) == 2
    widths = {ln.get_label(): ln.get_linewidth() for ln in lines}
    assert widths[name] > 2 * max(w for k, w in widths.items() if k != name)
    empty = plot_group_frequency(freq.iloc[:0], language=language)
    assert not empty.axison


def test_unknown_language_is_refused(table):
    with pytest.raises(ParameterError):
        plot_series(table, "revenue", language="fr")
