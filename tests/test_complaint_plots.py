"""Charts of complaints, service standards and engagement: what they draw, in both languages."""
from __future__ import annotations

import pandas as pd
import pytest

from playbook.plots import complaints as cp


def _rates():
    return pd.DataFrame({"period": ["2026Q2", "2026Q2", "2026Q3", "2026Q3"],
                         "category": ["售后", "物流", "售后", "物流"],
                         "complaints": [3, 4, 8, 4], "active": [1000] * 4,
                         "per_1000": [3.0, 4.0, 8.0, 4.0]})


@pytest.mark.parametrize("language", ["zh", "en"])
def test_rates_draw_one_line_per_group_and_the_total(ax, language):
    total = pd.DataFrame({"period": ["2026Q2", "2026Q3"], "per_1000": [7.0, 12.0]})
    out = cp.plot_complaint_rates(_rates(), total, by="category", ax=ax, language=language)
    assert out is ax
    assert len(ax.get_lines()) == 3
    assert list(ax.get_lines()[0].get_ydata()) == [3.0, 8.0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2026Q2", "2026Q3"]


def test_rates_empty(ax):
    cp.plot_complaint_rates(pd.DataFrame(), None, ax=ax)
    assert not ax.axison and ax.texts


def test_service_levels_bars_and_target(ax):
    lv = pd.DataFrame({"category": ["售后", "物流"], "responded_in_time": [0.5, 0.9],
                       "resolved_in_time": [0.1, 0.6]})
    cp.plot_service_levels(lv, ax=ax, language="en", target=0.9)
    assert len(ax.patches) == 4
    assert sorted(p.get_width() for p in ax.patches) == pytest.approx([0.1, 0.5, 0.6, 0.9])
    assert any(line.get_xdata()[0] == 0.9 for line in ax.get_lines())
    cp.plot_service_levels(pd.DataFrame(), ax=ax)


def test_engagement_bars_annotated(ax):
    t = pd.DataFrame({"level": ["0", "1-2", "3-5", "6+"], "customers": [10, 5, 3, 2],
                      "purchase_rate": [0.1, 0.4, 0.6, float("nan")]})
    cp.plot_engagement_purchase(t, ax=ax)
    assert len(ax.patches) == 4 and len(ax.texts) == 3
    assert ax.texts[0].get_text().startswith("10%")
