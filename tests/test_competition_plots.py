"""Plot helpers of the competition stage: what they draw, empty input, both languages."""
from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from playbook.competition.compare import OURS, gap_table
from playbook.errors import ParameterError
from playbook.plots.competition import (
    OURS_COLOR,
    plot_gaps,
    plot_market,
    plot_price_share,
    plot_radar,
    plot_share_trend,
)

PERIODS = ["2026Q1", "2026Q2", "2026Q3"]


@pytest.fixture(autouse=True)
def _no_glyph_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # CJK glyphs may be missing from the font
        yield


def _panel() -> pd.DataFrame:
    rows = []
    for entity, share, base in ((OURS, 0.10, 4.0), ("X", 0.15, 3.6), ("Y", 0.20, 4.3)):
        for i, period in enumerate(PERIODS):
            rows.append((entity, period, share + 0.01 * i, base, 20.0,
                         1.0 if entity == OURS else 0.9, base - 0.1, base + 0.1, base))
    return pd.DataFrame(rows, columns=["entity", "period", "market_share", "csat", "nps",
                                       "price_index", "rating_product", "rating_price",
                                       "rating_service"])


def _moves() -> pd.DataFrame:
    return pd.DataFrame({"region": ["A", "B", "A", "B"], "competitor": ["X", "X", "Y", "Y"],
                         "price_change": [-0.17, -0.01, 0.02, np.nan],
                         "share_change": [0.05, 0.0, -0.01, 0.01],
                         "cut": [True, False, False, False]})


def _view() -> pd.DataFrame:
    return pd.DataFrame({"period": PERIODS, "market_size": [1e7, 1.2e7, 1.1e7],
                         "our_share": [0.10, 0.11, 0.12]})


def _is_empty(ax, message: str) -> bool:
    return not ax.axison and any(t.get_text() == message for t in ax.texts)


def test_share_trend_lines_and_our_highlight(ax):
    out = plot_share_trend(_panel(), ax=ax)
    assert out is ax and len(ax.lines) == 3
    labels = [line.get_label() for line in ax.lines]
    assert labels == ["我们", "X", "Y"]
    ours = ax.lines[0]
    assert ours.get_color() == OURS_COLOR
    assert ours.get_linewidth() > max(line.get_linewidth() for line in ax.lines[1:])
    assert [t.get_text() for t in ax.get_xticklabels()] == PERIODS
    en = plot_share_trend(_panel(), language="en")
    assert [line.get_label() for line in en.lines][0] == "Us"
    assert en.get_title() == "Market share over time" != ax.get_title()


def test_share_trend_empty(ax):
    assert _is_empty(plot_share_trend(_panel().iloc[0:0], ax=ax), "没有可用数据")
    no_share = plot_share_trend(_panel().drop(columns="market_share"), language="en")
    assert _is_empty(no_share, "No data")
    with pytest.raises(ParameterError):
        plot_share_trend(_panel(), language="fr")


def test_gaps_heatmap(ax):
    gaps = gap_table(_panel(), "2026Q3")
    out = plot_gaps(gaps, ax=ax)
    assert out is ax and len(ax.images) == 1
    grid = ax.images[0].get_array()
    assert grid.shape == (2, 7)  # competitors X, Y by seven metrics
    assert len(ax.texts) == len(gaps) == 14
    # X's csat gap 4.0 - 3.6 = +0.4, i.e. twice the 0.2 threshold; Y's -0.3 = -1.5 thresholds
    assert grid[0, 1] == pytest.approx(2.0) and grid[1, 1] == pytest.approx(-1.5)
    assert "+0.40" in [t.get_text() for t in ax.texts]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["X", "Y"]
    assert "产品质量" in [t.get_text() for t in ax.get_xticklabels()]
    en = plot_gaps(gaps, language="en")
    assert "Product" in [t.get_text() for t in en.get_xticklabels()]
    assert _is_empty(plot_gaps(gaps.iloc[0:0], language="en"), "No data")


def test_radar_needs_a_polar_axes(ax):
    with pytest.raises(ParameterError, match="polar"):
        plot_radar(_panel(), "2026Q3", ax=ax)
    out = plot_radar(_panel(), "2026Q3")
    assert out.name == "polar"
    assert len(out.lines) == 3  # us and two competitors, ours drawn last (on top)
    assert out.lines[-1].get_label() == "我们" and out.lines[-1].get_color() == OURS_COLOR
    # three rating aspects and csat, each line closed (first point repeated)
    assert len(out.get_xticks()) == 4
    assert len(out.lines[0].get_ydata()) == 5
    assert out.lines[-1].get_ydata()[1] == pytest.approx(4.1)  # our price rating
    en = plot_radar(_panel(), "2026Q3", language="en")
    assert "Satisfaction (CSAT)" in [t.get_text() for t in en.get_xticklabels()]


def test_radar_empty_and_too_few_aspects():
    _, polar = plt.subplots(subplot_kw={"projection": "polar"})
    assert _is_empty(plot_radar(_panel(), "2024Q1", ax=polar), "没有可用数据")
    few = _panel()[["entity", "period", "csat", "rating_price"]]
    assert _is_empty(plot_radar(few, "2026Q3", language="en"),
                     "Fewer than three rating aspects: no radar chart")


def test_price_share_scatter(ax):
    out = plot_price_share(_moves(), ax=ax)
    assert out is ax
    points = sum(len(c.get_offsets()) for c in ax.collections)
    assert points == 3  # Y in B has no price change
    assert sorted(t.get_text() for t in ax.texts) == ["X·A", "X·B", "Y·A"]
    cut = [c for c in ax.collections if len(c.get_offsets())
           and tuple(c.get_offsets()[0]) == (-0.17, 0.05)]
    assert len(cut) == 1 and cut[0].get_sizes()[0] > 100  # the cut is drawn larger
    en = plot_price_share(_moves().drop(columns="region"), language="en")
    assert sorted(t.get_text() for t in en.texts) == ["X", "X", "Y"]
    assert "Price cut" in [t.get_text() for t in en.get_legend().get_texts()]
    assert _is_empty(plot_price_share(_moves().iloc[0:0], language="en"), "No data")


def test_market_bars_and_share_line(ax):
    out = plot_market(_view(), ax=ax)
    assert out is ax and len(ax.patches) == 3
    assert [p.get_height() for p in ax.patches] == [1e7, 1.2e7, 1.1e7]
    twins = [a for a in ax.figure.axes if a is not ax]
    assert len(twins) == 1 and len(twins[0].lines) == 1
    assert list(twins[0].lines[0].get_ydata()) == [0.10, 0.11, 0.12]
    assert ax.get_title() == "市场规模与我们的份额"
    en = plot_market(_view().drop(columns="our_share"), language="en")
    assert len(en.patches) == 3 and len(en.figure.axes) == 1
    assert en.get_title() == "Market size and our share"
    assert _is_empty(plot_market(_view().iloc[0:0]), "没有可用数据")
    assert _is_empty(plot_market(_view().assign(market_size=np.nan, our_share=np.nan)),
                     "没有可用数据")
