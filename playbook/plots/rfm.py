"""Charts of the RFM segments: shares per segment, the r_score x fm_score grid, and the change of
segment sizes between two periods. Frames come from ``playbook.segment.rfm``."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes

from ..segment.rfm import SEGMENT_GRID, cn_label, segment_label
from ._base import axes, empty, texts

_TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "segments_title": "各客户群的客户与收入占比",
        "share": "占比",
        "customer_share": "客户占比",
        "revenue_share": "收入占比",
        "grid_title": "RFM 网格：客户数（R 分 × FM 分）",
        "r_score": "R 分（近度）",
        "fm_score": "FM 分（频度与金额）",
        "change_title": "各客户群人数：上期与本期",
        "customers": "客户数",
        "customers_before": "上期",
        "customers_now": "本期",
        "no_data": "没有客户",
    },
    "en": {
        "segments_title": "Customer and revenue share by segment",
        "share": "Share",
        "customer_share": "Customers",
        "revenue_share": "Revenue",
        "grid_title": "RFM grid: customers by R score and FM score",
        "r_score": "R score (recency)",
        "fm_score": "FM score (frequency and monetary)",
        "change_title": "Customers per segment: before and now",
        "customers": "Customers",
        "customers_before": "Before",
        "customers_now": "Now",
        "no_data": "No customers",
    },
}

Label = Callable[[str, str], str]


def _labeller(key: str, label: Label | None) -> Label:
    if label is not None:
        return label
    return {"segment": segment_label, "cn_class": cn_label}.get(key, lambda code, _lang: code)


def _paired_barh(ax: Axes, names: list[str], left: np.ndarray, right: np.ndarray,
                 legend: tuple[str, str], colors: tuple[str, str]) -> None:
    """Two horizontal bars per name, the first name on top."""
    y = np.arange(len(names))
    height = 0.4
    ax.barh(y - height / 2, left, height=height, color=colors[0], label=legend[0])
    ax.barh(y + height / 2, right, height=height, color=colors[1], label=legend[1])
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.legend(loc="lower right")


def plot_segments(summary: pd.DataFrame, ax: Axes | None = None, language: str = "zh",
                  label: Label | None = None) -> Axes:
    """Horizontal bars of customer_share and revenue_share per group of a ``segment_summary``.

    The group column is the summary's first column; ``label(code, language)`` names its values
    (by default ``segment_label`` for "segment", ``cn_label`` for "cn_class")."""
    t = texts(_TEXT, language)
    ax = axes(ax, (7, 0.45 * max(len(summary), 4) + 1.5))
    if summary.empty or summary["customers"].sum() == 0:
        return empty(ax, t["no_data"], t["segments_title"])
    key = summary.columns[0]
    name = _labeller(key, label)
    names = [name(str(code), language) for code in summary[key]]
    _paired_barh(ax, names, summary["customer_share"].to_numpy(dtype=float),
                 summary["revenue_share"].to_numpy(dtype=float),
                 (t["customer_share"], t["revenue_share"]), ("#4C72B0", "#DD8452"))
    ax.xaxis.set_major_formatter(lambda v, _pos: f"{v:.0%}")
    ax.set_xlabel(t["share"])
    ax.set_title(t["segments_title"])
    return ax


def plot_rfm_grid(scored: pd.DataFrame, ax: Axes | None = None, language: str = "zh") -> Axes:
    """Heatmap of customers per r_score (rows, 5 on top) x fm_score (columns) of an
    ``rfm_scores`` frame; each cell names its segment and its count."""
    t = texts(_TEXT, language)
    ax = axes(ax, (9, 6))
    if scored.empty:
        return empty(ax, t["no_data"], t["grid_title"])
    counts = pd.crosstab(scored["r_score"], scored["fm_score"]).reindex(
        index=[5, 4, 3, 2, 1], columns=[1, 2, 3, 4, 5], fill_value=0)
    notes = np.array([[f"{segment_label(SEGMENT_GRID[r][fm - 1], language)}\n{counts.loc[r, fm]:,}"
                       for fm in counts.columns] for r in counts.index], dtype=object)
    sns.heatmap(counts, ax=ax, cmap="Blues", annot=notes, fmt="", linewidths=0.5,
                annot_kws={"fontsize": 8}, cbar_kws={"label": t["customers"]})
    ax.tick_params(axis="y", rotation=0)
    ax.set_xlabel(t["fm_score"])
    ax.set_ylabel(t["r_score"])
    ax.set_title(t["grid_title"])
    return ax


def plot_segment_change(comparison: pd.DataFrame, ax: Axes | None = None, language: str = "zh",
                        label: Label | None = None) -> Axes:
    """Horizontal bars of customers_before and customers_now per group of a
    ``compare_summaries`` frame (group column first; named as in ``plot_segments``)."""
    t = texts(_TEXT, language)
    ax = axes(ax, (7, 0.45 * max(len(comparison), 4) + 1.5))
    if comparison.empty or (comparison[["customers_before", "customers_now"]].to_numpy().sum()
                            == 0):
        return empty(ax, t["no_data"], t["change_title"])
    key = comparison.columns[0]
    name = _labeller(key, label)
    names = [name(str(code), language) for code in comparison[key]]
    _paired_barh(ax, names, comparison["customers_before"].to_numpy(dtype=float),
                 comparison["customers_now"].to_numpy(dtype=float),
                 (t["customers_before"], t["customers_now"]), ("#8C8C8C", "#4C72B0"))
    ax.set_xlabel(t["customers"])
    ax.set_title(t["change_title"])
    return ax


__all__ = ["plot_rfm_grid", "plot_segment_change", "plot_segments"]
