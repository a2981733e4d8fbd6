"""Charts of complaints and engagement (frames from ``playbook.feedback.complaints`` and
``playbook.feedback.interactions``)."""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ._base import axes, empty, period_ticks, texts

_TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "rates": "每千名活跃客户的投诉数", "period": "周期", "per_1000": "投诉 / 千名活跃客户",
        "all": "全部", "service": "服务标准达标率（本期）", "share": "达标比例",
        "responded": "{h:g} 小时内首次响应", "resolved": "{h:g} 小时内解决",
        "target": "目标 {t:.0%}", "engagement": "互动次数与购买", "level": "本期互动次数",
        "rate": "本期购买客户占比", "no_data": "没有数据",
    },
    "en": {
        "rates": "Complaints per 1,000 active customers", "period": "Period",
        "per_1000": "Complaints / 1,000 active", "all": "All",
        "service": "Service standards met (this period)", "share": "Share within standard",
        "responded": "First response within {h:g} h", "resolved": "Resolved within {h:g} h",
        "target": "Target {t:.0%}", "engagement": "Engagement and purchase",
        "level": "Interactions this period", "rate": "Share who bought this period",
        "no_data": "No data",
    },
}


def plot_complaint_rates(rates: pd.DataFrame, total: pd.DataFrame | None = None,
                         by: str | None = None, ax: Axes | None = None,
                         language: str = "zh") -> Axes:
    """Complaints per 1,000 active customers over the periods: one line per group of ``by``
    (from ``complaint_rates(..., by=by)``) and, when given, the total as a thick line."""
    t = texts(_TEXT, language)
    ax = axes(ax, (9, 4.5))
    if rates.empty and (total is None or total.empty):
        return empty(ax, t["no_data"], t["rates"])
    periods = list(dict.fromkeys(rates["period"] if not rates.empty else total["period"]))
    x = np.arange(len(periods))
    if by is not None and not rates.empty:
        for g, part in rates.groupby(by, sort=True):
            y = part.set_index("period")["per_1000"].reindex(periods)
            ax.plot(x, y.to_numpy(float), marker="o", linewidth=1.2, label=str(g))
    if total is not None and not total.empty:
        y = total.set_index("period")["per_1000"].reindex(periods)
        ax.plot(x, y.to_numpy(float), color="black", linewidth=2.5, label=t["all"])
    period_ticks(ax, periods)
    ax.set_xlabel(t["period"])
    ax.set_ylabel(t["per_1000"])
    ax.set_title(t["rates"])
    ax.legend(fontsize=8, ncol=2)
    return ax


def plot_service_levels(levels: pd.DataFrame, by: str = "category", ax: Axes | None = None,
                        language: str = "zh", response_hours: float = 24,
                        resolution_hours: float = 72, target: float | None = None) -> Axes:
    """Share of tickets within the first-response and the resolution standard, per group."""
    t = texts(_TEXT, language)
    ax = axes(ax, (8, 4.5))
    if levels.empty:
        return empty(ax, t["no_data"], t["service"])
    groups = levels[by].astype(str).tolist()
    y = np.arange(len(groups))
    h = 0.38
    ax.barh(y - h / 2, levels["responded_in_time"].to_numpy(float), height=h, color="#4C72B0",
            label=t["responded"].format(h=response_hours))
    ax.barh(y + h / 2, levels["resolved_in_time"].to_numpy(float), height=h, color="#DD8452",
            label=t["resolved"].format(h=resolution_hours))
    if target is not None:
        ax.axvline(target, color="#C44E52", linestyle="--", label=t["target"].format(t=target))
    ax.set_yticks(y, groups)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_xlabel(t["share"])
    ax.set_title(t["service"])
    ax.legend(fontsize=8, loc="lower right")
    return ax


def plot_engagement_purchase(table: pd.DataFrame, ax: Axes | None = None,
                             language: str = "zh") -> Axes:
    """Share of customers who bought in the period, by engagement level."""
    t = texts(_TEXT, language)
    ax = axes(ax, (7, 4))
    if table.empty:
        return empty(ax, t["no_data"], t["engagement"])
    x = np.arange(len(table))
    rates = table["purchase_rate"].to_numpy(float)
    ax.bar(x, np.nan_to_num(rates), color="#55A868")
    for xi, r, n in zip(x, rates, table["customers"], strict=True):
        if np.isfinite(r):
            ax.annotate(f"{r:.0%}\n(n={int(n):,})", (xi, r), ha="center", va="bottom",
                        fontsize=8)
    ax.set_xticks(x, table["level"].astype(str))
    ax.set_ylim(0, 1.15)
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_xlabel(t["level"])
    ax.set_ylabel(t["rate"])
    ax.set_title(t["engagement"])
    return ax
