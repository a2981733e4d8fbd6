"""Charts of stage 07: the ranked actions by value (frames from ``playbook.strategy.plan``)."""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ._base import axes, empty, texts

_TEXT: dict[str, dict[str, str]] = {
    "zh": {"title": "各行动的预期价值", "saved": "预计挽回价值", "cost": "成本",
           "net": "净价值", "value": "金额", "no_data": "没有触发的行动"},
    "en": {"title": "Expected value of each action", "saved": "Expected value saved",
           "cost": "Cost", "net": "Net value", "value": "Amount", "no_data": "No action triggered"},
}


def plot_actions(actions: pd.DataFrame, ax: Axes | None = None, language: str = "zh",
                 currency: str = "CNY") -> Axes:
    """Per action (highest priority on top): expected value saved and cost as bars, net value
    as a marker."""
    t = texts(_TEXT, language)
    ax = axes(ax, (9, 4.5))
    if actions.empty:
        return empty(ax, t["no_data"], t["title"])
    a = actions.sort_values("priority", ascending=False)
    y = np.arange(len(a))
    h = 0.38
    ax.barh(y + h / 2, a["expected_saved"].to_numpy(float), height=h, color="#55A868",
            label=t["saved"])
    ax.barh(y - h / 2, a["cost"].to_numpy(float), height=h, color="#C44E52", label=t["cost"])
    ax.scatter(a["net_value"].to_numpy(float), y, color="black", marker="D", zorder=3,
               label=t["net"])
    ax.axvline(0, color="#8C8C8C", lw=1)
    ax.set_yticks(y, a["name"].astype(str))
    ax.set_xlabel(f"{t['value']} ({currency})")
    ax.set_title(t["title"])
    ax.legend(fontsize=8, loc="lower right")
    return ax
