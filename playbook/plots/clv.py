"""Charts of predictive CLV (``playbook.segment.clv``): the holdout check of the purchase model,
the distribution of CLV and the distribution of P(alive). Each draws on ``ax`` and returns it."""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ._base import axes as _axes
from ._base import empty as _empty
from ._base import finite_values, texts

_TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "holdout_title": "预测检验：验证期平均购买次数",
        "holdout_x": "建模期重复购买次数",
        "holdout_y": "验证期平均购买次数",
        "actual": "实际",
        "predicted": "模型预测",
        "clv_title": "预测客户终身价值分布",
        "clv_x": "预测 CLV",
        "clv_x_log": "预测 CLV（对数刻度）",
        "customers": "客户数",
        "median": "中位数",
        "alive_title": "客户仍活跃的概率分布",
        "alive_x": "P(活跃)",
        "no_data": "没有可用数据",
    },
    "en": {
        "holdout_title": "Holdout check: mean purchases in the holdout period",
        "holdout_x": "Repeat purchases in the calibration period",
        "holdout_y": "Mean holdout purchases",
        "actual": "Actual",
        "predicted": "Predicted",
        "clv_title": "Distribution of predicted CLV",
        "clv_x": "Predicted CLV",
        "clv_x_log": "Predicted CLV (log scale)",
        "customers": "Customers",
        "median": "Median",
        "alive_title": "Distribution of P(alive)",
        "alive_x": "P(alive)",
        "no_data": "No data",
    },
}


def plot_holdout(table: pd.DataFrame, ax: Axes | None = None, language: str = "zh") -> Axes:
    """Actual and predicted mean holdout purchases per calibration frequency group (lines with
    markers). ``table`` is ``holdout_validation`` output (group, actual, predicted)."""
    t = texts(_TEXT, language)
    ax = _axes(ax)
    if table is None or table.empty:
        return _empty(ax, t["no_data"], t["holdout_title"])
    positions = np.arange(len(table))
    ax.plot(positions, table["actual"].to_numpy(float), marker="o", color="#4C72B0",
            label=t["actual"])
    ax.plot(positions, table["predicted"].to_numpy(float), marker="s", linestyle="--",
            color="#DD8452", label=t["predicted"])
    ax.set_xticks(positions)
    ax.set_xticklabels(table["group"].astype(str).tolist())
    ax.set_xlabel(t["holdout_x"])
    ax.set_ylabel(t["holdout_y"])
    ax.set_ylim(bottom=0)
    ax.set_title(t["holdout_title"])
    ax.legend(title="")
    return ax


def plot_clv_distribution(clv_frame: pd.DataFrame, ax: Axes | None = None,
                          language: str = "zh") -> Axes:
    """Histogram of ``clv`` (``predict_clv`` output) with its median marked. When the values are
    positive and skewed (99th percentile above 20 times the median) the bins are log-spaced from
    the 1st percentile (smaller values are counted in the first bin) and the x axis is
    logarithmic."""
    t = texts(_TEXT, language)
    ax = _axes(ax)
    values = finite_values(clv_frame, "clv")
    if values.size == 0:
        return _empty(ax, t["no_data"], t["clv_title"])
    median = float(np.median(values))
    positive = values[values > 0]
    skewed = positive.size == values.size and median > 0 \
        and np.percentile(values, 99) > 20 * median
    if skewed:
        low = float(np.percentile(values, 1))
        bins = np.geomspace(low, values.max() * 1.0001, 40)
        ax.hist(np.clip(values, low, None), bins=bins, color="#55A868", edgecolor="white")
        ax.set_xscale("log")
        ax.set_xlabel(t["clv_x_log"])
    else:
        ax.hist(values, bins=40, color="#55A868", edgecolor="white")
        ax.set_xlabel(t["clv_x"])
    ax.axvline(median, color="#C44E52", linestyle="--", label=f"{t['median']} {median:,.1f}")
    ax.set_ylabel(t["customers"])
    ax.set_title(t["clv_title"])
    ax.legend(title="")
    return ax


def plot_p_alive(frame: pd.DataFrame, ax: Axes | None = None, language: str = "zh") -> Axes:
    """Histogram of ``p_alive`` (``predict_clv`` output) in 20 bins of width 0.05 over [0, 1]."""
    t = texts(_TEXT, language)
    ax = _axes(ax)
    values = finite_values(frame, "p_alive")
    if values.size == 0:
        return _empty(ax, t["no_data"], t["alive_title"])
    ax.hist(values, bins=np.linspace(0, 1, 21), color="#4C72B0", edgecolor="white")
    ax.set_xlim(0, 1)
    ax.set_xlabel(t["alive_x"])
    ax.set_ylabel(t["customers"])
    ax.set_title(t["alive_title"])
    return ax
