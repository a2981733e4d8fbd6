"""Chart of the ABC grades: the Pareto curve of revenue against customers (frames from
``playbook.segment.abc``)."""
from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes

from ._base import axes, empty, texts

_TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "title": "帕累托曲线与 ABC 客户分级",
        "x": "累计客户占比（按收入从高到低）",
        "y": "累计收入占比",
        "curve": "累计收入",
        "equal": "平均分布",
        "grade": "{grade} 级：{customers:.0%} 的客户，{revenue:.0%} 的收入",
        "no_data": "没有客户",
    },
    "en": {
        "title": "Pareto curve and ABC grades",
        "x": "Cumulative share of customers (highest revenue first)",
        "y": "Cumulative share of revenue",
        "curve": "Cumulative revenue",
        "equal": "Equal spread",
        "grade": "{grade}: {customers:.0%} of customers, {revenue:.0%} of revenue",
        "no_data": "No customers",
    },
}

_COLORS = {"A": "#55A868", "B": "#DD8452", "C": "#C44E52"}


def plot_pareto(curve: pd.DataFrame, summary: pd.DataFrame, ax: Axes | None = None,
                language: str = "zh") -> Axes:
    """The Pareto curve (``pareto_curve``) with the A and B grades shaded up to their boundaries
    (cumulative customer shares from ``abc_summary``); the legend gives each grade's shares."""
    t = texts(_TEXT, language)
    ax = axes(ax, (7, 5))
    if curve.empty:
        return empty(ax, t["no_data"], t["title"])
    ax.plot(curve["customer_share"], curve["revenue_share"], color="#4C72B0", lw=2,
            label=t["curve"])
    ax.plot([0, 1], [0, 1], color="#8C8C8C", lw=1, ls="--", label=t["equal"])
    rows = summary.set_index("grade")
    left = 0.0
    for grade in ("A", "B", "C"):
        if grade not in rows.index:
            continue
        width = float(rows.loc[grade, "customer_share"])
        ax.axvspan(left, left + width, color=_COLORS[grade], alpha=0.15,
                   label=t["grade"].format(grade=grade, customers=width,
                                           revenue=float(rows.loc[grade, "revenue_share"])))
        if grade != "C":
            ax.axvline(left + width, color=_COLORS[grade], lw=1)
        left += width
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.xaxis.set_major_formatter(lambda v, _pos: f"{v:.0%}")
    ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:.0%}")
    ax.set_xlabel(t["x"])
    ax.set_ylabel(t["y"])
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title(t["title"])
    return ax


__all__ = ["plot_pareto"]
