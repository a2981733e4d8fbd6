import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection, PolyCollection

from playbook.errors import ParameterError
from playbook.plots.feedback import (
    plot_aspect_change,
    plot_breakdown,
    plot_importance_performance,
    plot_trend,
)


def _is_empty(ax, message: str) -> bool:
    return not ax.axison and [t.get_text() for t in ax.texts] == [message]


def _trend(periods: int = 4) -> pd.DataFrame:
    mean = np.linspace(3.8, 3.5, periods)
    return pd.DataFrame({"period": [f"2025Q{i + 1}" for i in range(periods)], "csat_mean": mean,
                         "csat_mean_lo": mean - 0.1, "csat_mean_hi": mean + 0.1})


@pytest.mark.parametrize("language, title", [("zh", "平均满意度"), ("en", "Mean satisfaction")])
def test_plot_trend(ax, language, title):
    frame = _trend()
    out = plot_trend(frame, "csat_mean", "csat_mean_lo", "csat_mean_hi", ax=ax,
                     language=language)
    assert out is ax
    assert len(ax.lines) == 1
    assert ax.lines[0].get_ydata().tolist() == pytest.approx(frame["csat_mean"].tolist())
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 1
    assert [t.get_text() for t in ax.get_xticklabels()] == frame["period"].tolist()
    assert title in ax.get_title()


def test_plot_trend_nps_single_period_and_metric_titles(ax):
    frame = pd.DataFrame({"period": [pd.Timestamp("2025-06-30")], "nps": [12.0],
                          "nps_lo": [2.0], "nps_hi": [25.0]})
    plot_trend(frame, "nps", "nps_lo", "nps_hi", ax=ax, language="en", metric="nps")
    assert "NPS" in ax.get_title()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2025-06-30"]
    # one period: error bars (data line + the 0 line), no band
    assert not [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert ax.lines[0].get_ydata().tolist() == [12.0]
    _, top2 = plt.subplots()
    plot_trend(_trend(), "csat_mean", "csat_mean_lo", "csat_mean_hi", ax=top2, language="en",
               metric="csat_top2")
    assert "Satisfied share" in top2.get_title()
    with pytest.raises(ParameterError, match="'metric' parameter"):
        plot_trend(frame, "nps", "nps_lo", "nps_hi", metric="ces")
    with pytest.raises(ParameterError, match="'language' parameter"):
        plot_trend(frame, "nps", "nps_lo", "nps_hi", language="fr", metric="nps")


def test_plot_trend_empty_and_new_axes(ax):
    assert _is_empty(plot_trend(_trend().iloc[:0], "csat_mean", "csat_mean_lo",
                                "csat_mean_hi", ax=ax), "没有反馈数据")
    new = plot_trend(_trend(), "csat_mean", "csat_mean_lo", "csat_mean_hi", language="en")
    assert new is not ax and len(new.lines) == 1


def _breakdown() -> pd.DataFrame:
    return pd.DataFrame({"channel": ["app", "store", "web"], "nps": [20.0, -10.0, 35.0],
                         "nps_lo": [5.0, -30.0, 20.0], "nps_hi": [35.0, 10.0, 50.0]})


@pytest.mark.parametrize("language, word", [("zh", "净推荐值"), ("en", "Net Promoter")])
def test_plot_breakdown(ax, language, word):
    frame = _breakdown()
    out = plot_breakdown(frame, "channel", "nps", "nps_lo", "nps_hi", ax=ax, language=language)
    assert out is ax
    assert len(ax.patches) == 3
    assert [p.get_width() for p in ax.patches] == [20.0, -10.0, 35.0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["app", "store", "web"]
    red = [p.get_facecolor()[0] > 0.7 and p.get_facecolor()[2] < 0.4 for p in ax.patches]
    assert red == [False, True, False]  # the negative NPS
    errorbars = [c for c in ax.collections if not isinstance(c, PathCollection)]
    assert len(errorbars) == 1 and len(errorbars[0].get_segments()) == 3
    assert word in ax.get_title() and "channel" in ax.get_title()


def test_plot_breakdown_empty(ax):
    frame = _breakdown().assign(nps=np.nan)
    assert _is_empty(plot_breakdown(frame, "channel", "nps", "nps_lo", "nps_hi", ax=ax,
                                    language="en"), "No feedback")


def _ip() -> pd.DataFrame:
    ip = pd.DataFrame({"aspect": ["after_sales", "product", "price", "delivery"],
                       "importance": [0.35, 0.3, 0.2, 0.15],
                       "performance": [2.9, 4.1, 3.3, 4.3],
                       "quadrant": ["fix", "keep", "low_priority", "overkill"]})
    ip.attrs.update({"importance_cut": 0.25, "performance_cut": 3.65})
    return ip


@pytest.mark.parametrize("language, names", [
    ("zh", ["售后", "产品质量", "价格", "物流配送", "投入过度", "继续保持", "次要", "重点改进"]),
    ("en", ["After-sales", "Product", "Price", "Delivery", "Possible overkill", "Keep up",
            "Low priority", "Fix first"]),
])
def test_plot_importance_performance(ax, language, names):
    out = plot_importance_performance(_ip(), ax=ax, language=language)
    assert out is ax
    points = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert sum(len(c.get_offsets()) for c in points) == 4
    red = [c for c in points if c.get_facecolor()[0][0] > 0.7]
    assert len(red) == 1 and red[0].get_offsets().tolist() == [[0.35, 2.9]]
    assert [t.get_text() for t in ax.texts] == names  # 4 point labels, 4 corners
    assert ax.lines[0].get_xdata()[0] == 0.25 and ax.lines[1].get_ydata()[0] == 3.65


def test_plot_importance_performance_without_fix_and_empty(ax):
    ip = _ip().iloc[1:]
    plot_importance_performance(ip, ax=ax, language="en")
    points = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(points) == 1 and len(points[0].get_offsets()) == 3
    _, other = plt.subplots()
    assert _is_empty(plot_importance_performance(_ip().iloc[:0], ax=other), "没有反馈数据")


@pytest.mark.parametrize("language, labels", [("zh", ["产品质量", "售后", "价格"]),
                                              ("en", ["Product", "After-sales", "Price"])])
def test_plot_aspect_change(ax, language, labels):
    now = pd.Series({"product": 4.1, "after_sales": 2.9})
    before = pd.Series({"product": 4.0, "after_sales": 3.9, "price": 3.5})
    out = plot_aspect_change(now, before, ax=ax, language=language)
    assert out is ax
    assert len(ax.patches) == 6  # before and now for each of the three aspects
    heights = [p.get_height() for p in ax.patches]
    assert heights == [4.0, 3.9, 3.5, 4.1, 2.9, 0.0]  # price has no rating now
    assert [t.get_text() for t in ax.get_xticklabels()] == labels
    assert [t.get_text() for t in ax.texts] == ["4.00", "3.90", "3.50", "4.10", "2.90", ""]
    assert len(ax.get_legend().get_texts()) == 2


def test_plot_aspect_change_empty(ax):
    empty = pd.Series(dtype=float)
    assert _is_empty(plot_aspect_change(empty, empty, ax=ax, language="en"), "No feedback")
