"""Charts of the trends stage (frames from ``playbook.trends``): a metric over the periods,
monthly revenue and its season, the category mix, the forecast and purchases per customer by
group."""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ..segment.shifts import TIER_LABELS
from ._base import axes, empty, period_ticks, texts

_TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "revenue": "收入", "orders": "订单数", "active": "活跃客户数", "new": "新客户数",
        "returning": "回头客户数", "churned": "流失客户数", "retention_rate": "留存率",
        "aov": "客单价", "frequency": "人均购买次数", "repeat_rate": "复购率",
        "period": "周期", "yoy": "同比", "monthly": "月度收入", "month": "月份",
        "index": "季节指数", "mix": "品类结构", "share": "订单占比", "other": "其他",
        "all": "全部客户", "forecast": "预测与回测", "history": "实际值",
        "next": "下期预测", "interval": "{c:.0%} 区间", "backtest": "回测预测",
        "group_frequency": "各客群人均购买次数（老客户）", "per_customer": "人均购买次数",
        "no_data": "没有数据",
    },
    "en": {
        "revenue": "Revenue", "orders": "Orders", "active": "Active customers",
        "new": "New customers", "returning": "Returning customers",
        "churned": "Churned customers", "retention_rate": "Retention rate",
        "aov": "Average order value", "frequency": "Purchases per customer",
        "repeat_rate": "Repeat rate", "period": "Period", "yoy": "YoY",
        "monthly": "Monthly revenue", "month": "Month", "index": "Seasonal index",
        "mix": "Category mix", "share": "Share of orders", "other": "Other",
        "all": "All customers", "forecast": "Forecast and backtest", "history": "Actual",
        "next": "Forecast", "interval": "{c:.0%} interval", "backtest": "Backtest forecast",
        "group_frequency": "Purchases per established customer by group",
        "per_customer": "Purchases per customer", "no_data": "No data",
    },
}
_RATES = ("retention_rate", "repeat_rate")
_LINES = ("retention_rate", "repeat_rate", "aov", "frequency")
_MIX_COLUMNS = ("period", "category", "orders", "total", "share")


def plot_series(table: pd.DataFrame, metric: str, ax: Axes | None = None,
                language: str = "zh") -> Axes:
    """A metric of ``period_table`` over the periods: bars for counts and money, a line for
    ratios; each point labelled with its year-on-year change when ``<metric>_yoy`` is known."""
    t = texts(_TEXT, language)
    ax = axes(ax, (8, 4))
    title = t.get(metric, metric)
    if table.empty or metric not in table.columns:
        return empty(ax, t["no_data"], title)
    periods = table["period"].astype(str).tolist()
    x = np.arange(len(periods))
    y = table[metric].to_numpy(float)
    if metric in _LINES:
        ax.plot(x, y, marker="o", color="#4C72B0")
    else:
        ax.bar(x, np.nan_to_num(y), color="#4C72B0")
    yoy = table.get(f"{metric}_yoy")
    if yoy is not None:
        for xi, yi, ch in zip(x, y, yoy.to_numpy(float), strict=True):
            if np.isfinite(ch) and np.isfinite(yi):
                ax.annotate(f"{t['yoy']} {ch:+.0%}", (xi, yi), ha="center", va="bottom",
                            fontsize=7, color="#C44E52" if ch < 0 else "#55A868")
    if metric in _RATES:
        ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    period_ticks(ax, periods)
    ax.set_xlabel(t["period"])
    ax.set_ylabel(title)
    ax.set_title(title)
    return ax


def plot_monthly(monthly: pd.DataFrame, profile: pd.DataFrame | None = None,
                 ax: Axes | None = None, language: str = "zh") -> Axes:
    """Monthly revenue as bars; with a ``seasonal_profile`` its index of each month as a line
    on a second y axis."""
    t = texts(_TEXT, language)
    ax = axes(ax, (10, 4))
    if monthly.empty:
        return empty(ax, t["no_data"], t["monthly"])
    months = monthly["month"].astype(str).tolist()
    x = np.arange(len(months))
    ax.bar(x, monthly["revenue"].to_numpy(float), color="#4C72B0", label=t["revenue"])
    if profile is not None and not profile.empty:
        moy = pd.PeriodIndex(months, freq="M").month
        idx = profile.set_index("month")["index"].reindex(moy).to_numpy(float)
        twin = ax.twinx()
        twin.plot(x, idx, color="#DD8452", marker=".", label=t["index"])
        twin.axhline(1.0, color="#DD8452", linewidth=0.6, linestyle=":")
        twin.set_ylabel(t["index"])
    period_ticks(ax, months)
    ax.set_xlabel(t["month"])
    ax.set_ylabel(t["revenue"])
    ax.set_title(t["monthly"])
    return ax


def plot_mix(mix: pd.DataFrame, group: str | None = None, ax: Axes | None = None,
             language: str = "zh", top: int = 7) -> Axes:
    """Stacked bars of category shares over the periods, for one ``group`` of a
    ``category_mix(..., by=...)`` frame (or overall); the categories beyond the ``top`` largest
    (by mean share) are summed as "other"."""
    t = texts(_TEXT, language)
    ax = axes(ax, (8, 4.5))
    title = t["mix"] + f" · {group if group is not None else t['all']}"
    by = [c for c in mix.columns if c not in _MIX_COLUMNS]
    part = mix
    if group is not None and by:
        part = mix[mix[by[0]].astype(str) == str(group)]
    if part.empty:
        return empty(ax, t["no_data"], title)
    periods = list(dict.fromkeys(part["period"].astype(str)))
    wide = part.pivot_table(index="period", columns="category", values="share",
                            aggfunc="sum").reindex(periods).fillna(0.0)
    order = wide.mean().sort_values(ascending=False).index
    keep = list(order[:top])
    if len(order) > top:
        wide[t["other"]] = wide[list(order[top:])].sum(axis=1)
        keep.append(t["other"])
    x = np.arange(len(periods))
    bottom = np.zeros(len(periods))
    for cat in keep:
        v = wide[cat].to_numpy(float)
        ax.bar(x, v, bottom=bottom, label=str(cat))
        bottom += v
    period_ticks(ax, periods)
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_xlabel(t["period"])
    ax.set_ylabel(t["share"])
    ax.set_title(title)
    ax.legend(fontsize=8, ncol=2, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax


def plot_forecast(values: pd.Series, fc: dict, bt: pd.DataFrame | None = None,
                  ax: Axes | None = None, language: str = "zh") -> Axes:
    """The history as a line, the forecast periods as points with their interval, and the
    backtest's one-step forecasts (hollow, with intervals) on the periods they predicted."""
    t = texts(_TEXT, language)
    ax = axes(ax, (9, 4))
    y = pd.Series(values).dropna()
    if y.empty:
        return empty(ax, t["no_data"], t["forecast"])
    labels = [str(v) for v in y.index]
    ax.plot(np.arange(len(y)), y.to_numpy(float), marker="o", color="#4C72B0",
            label=t["history"])
    point = np.asarray(fc.get("point", []), float)
    if len(point):
        nx = np.arange(len(y), len(y) + len(point))
        err = np.vstack([point - np.asarray(fc["lo"], float),
                         np.asarray(fc["hi"], float) - point])
        ax.errorbar(nx, point, yerr=np.nan_to_num(err), fmt="D", color="#C44E52", capsize=4,
                    label=t["next"] + " (" + t["interval"].format(c=fc.get("confidence", 0.9))
                    + ")")
        labels += list(fc.get("periods", [f"+{k + 1}" for k in range(len(point))]))
    if bt is not None and not bt.empty:
        pos = {lab: i for i, lab in enumerate(labels)}
        bx = np.array([pos.get(str(p), np.nan) for p in bt["period"]], float)
        f = bt["forecast"].to_numpy(float)
        err = np.vstack([f - bt["lo"].to_numpy(float), bt["hi"].to_numpy(float) - f])
        ax.errorbar(bx, f, yerr=np.nan_to_num(err), fmt="o", mfc="none", color="#DD8452",
                    capsize=3, label=t["backtest"])
    period_ticks(ax, labels)
    ax.set_xlabel(t["period"])
    ax.set_title(t["forecast"])
    ax.legend(fontsize=8)
    return ax


def plot_group_frequency(freq: pd.DataFrame, ax: Axes | None = None, language: str = "zh",
                         highlight: str | None = "price_sensitive") -> Axes:
    """Purchases per established customer over the periods, one line per group
    (``group_frequency``); the ``highlight`` group thick and red."""
    t = texts(_TEXT, language)
    ax = axes(ax, (8, 4))
    if freq.empty:
        return empty(ax, t["no_data"], t["group_frequency"])
    periods = list(dict.fromkeys(freq["period"].astype(str)))
    x = np.arange(len(periods))
    names = TIER_LABELS[language]
    for g, part in freq.groupby("group", sort=True):
        y = part.set_index("period")["per_customer"].reindex(periods).to_numpy(float)
        strong = highlight is not None and str(g) == str(highlight)
        ax.plot(x, y, marker="o", linewidth=2.8 if strong else 1.2,
                color="#C44E52" if strong else None, label=names.get(str(g), str(g)),
                zorder=3 if strong else 2)
    period_ticks(ax, periods)
    ax.set_xlabel(t["period"])
    ax.set_ylabel(t["per_customer"])
    ax.set_title(t["group_frequency"])
    ax.legend(fontsize=8)
    return ax
