"""Charts of stages 01 and 02. Each takes a frame computed elsewhere, draws on ``ax`` and returns it.

Labels come in Chinese (``language="zh"``) or English (``"en"``). Drawing Chinese text needs a
CJK font configured in matplotlib (the notebooks' style setup does that).
"""
from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes

from .clean import reason_label
from .plots._base import axes as _axes
from .plots._base import empty as _empty
from .plots._base import texts

_TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "missing_title": "各字段缺失比例",
        "missing_x": "缺失比例",
        "no_missing": "没有缺失值",
        "rejects_title": "剔除原因",
        "rejects_x": "行数",
        "no_rejects": "没有剔除任何行",
        "ba_title": "清洗前后行数",
        "ba_y": "行数",
        "table": "表",
        "rows_in": "清洗前",
        "rows_kept": "保留",
        "rows_rejected": "剔除",
        "coverage_title": "各表每月行数",
        "month": "月份",
        "no_data": "没有可用数据",
    },
    "en": {
        "missing_title": "Missing values by column",
        "missing_x": "Share missing",
        "no_missing": "No missing values",
        "rejects_title": "Rejected rows by reason",
        "rejects_x": "Rows",
        "no_rejects": "No rows rejected",
        "ba_title": "Rows before and after cleaning",
        "ba_y": "Rows",
        "table": "Table",
        "rows_in": "Before",
        "rows_kept": "Kept",
        "rows_rejected": "Rejected",
        "coverage_title": "Rows per month and table",
        "month": "Month",
        "no_data": "No data",
    },
}


def _texts(language: str) -> dict[str, str]:
    return texts(_TEXT, language)


def plot_missing(missing_df: pd.DataFrame, ax: Axes | None = None, language: str = "zh") -> Axes:
    """Horizontal bars of the missing share per column (columns without gaps left out).

    ``missing_df`` is ``clean.missing_by_column`` output (column, missing, share), optionally with
    a ``table`` column when several tables were stacked (bars are then labelled table.column,
    unless the column label already starts with it).
    """
    t = _texts(language)
    ax = _axes(ax)
    df = missing_df[missing_df["share"] > 0]
    if df.empty:
        return _empty(ax, t["no_missing"], t["missing_title"])
    labels = df["column"].astype(str)
    if "table" in df.columns:
        prefix = df["table"].astype(str) + "."
        done = [lab.startswith(p) for lab, p in zip(labels, prefix, strict=True)]
        labels = labels.where(done, prefix + labels)
    data = pd.DataFrame({"label": labels.to_numpy(), "share": df["share"].to_numpy(dtype=float)})
    data = data.sort_values("share", ascending=False)
    sns.barplot(data=data, x="share", y="label", color="#4C72B0", ax=ax)
    ax.set_xlim(0, 1)
    ax.set_xlabel(t["missing_x"])
    ax.set_ylabel("")
    ax.set_title(t["missing_title"])
    return ax


def plot_rejects(
    by_reason: Mapping[str, int] | pd.Series, ax: Axes | None = None, language: str = "zh"
) -> Axes:
    """Horizontal bars of rejected rows per reason (reasons with no rows left out)."""
    t = _texts(language)
    ax = _axes(ax)
    counts = pd.Series(dict(by_reason) if isinstance(by_reason, Mapping) else by_reason,
                       dtype="float64")
    counts = counts[counts > 0].sort_values(ascending=False)
    if counts.empty:
        return _empty(ax, t["no_rejects"], t["rejects_title"])
    data = pd.DataFrame({"reason": [reason_label(str(c), language) for c in counts.index],
                         "rows": counts.to_numpy()})
    sns.barplot(data=data, x="rows", y="reason", color="#C44E52", ax=ax)
    ax.set_xlabel(t["rejects_x"])
    ax.set_ylabel("")
    ax.set_title(t["rejects_title"])
    return ax


def plot_before_after(
    before_after_df: pd.DataFrame, ax: Axes | None = None, language: str = "zh"
) -> Axes:
    """Grouped bars per table: rows before cleaning, kept and rejected."""
    t = _texts(language)
    ax = _axes(ax)
    if before_after_df.empty:
        return _empty(ax, t["no_data"], t["ba_title"])
    measures = ["rows_in", "rows_kept", "rows_rejected"]
    long = before_after_df.melt(id_vars="table", value_vars=measures, var_name="measure",
                                value_name="rows")
    long["measure"] = long["measure"].map(t)
    long["table"] = long["table"].astype(str)
    sns.barplot(data=long, x="table", y="rows", hue="measure", ax=ax,
                palette=["#8C8C8C", "#55A868", "#C44E52"])
    ax.set_xlabel(t["table"])
    ax.set_ylabel(t["ba_y"])
    ax.set_title(t["ba_title"])
    ax.legend(title="")
    return ax


def plot_coverage(coverage_df: pd.DataFrame, ax: Axes | None = None, language: str = "zh") -> Axes:
    """Heatmap of rows per month (columns) and table (rows); ``collect.monthly_coverage`` output."""
    t = _texts(language)
    ax = _axes(ax, (max(6.0, 0.45 * len(coverage_df) + 2), 0.6 * len(coverage_df.columns) + 2))
    if coverage_df.empty or coverage_df.shape[1] == 0:
        return _empty(ax, t["no_data"], t["coverage_title"])
    data = coverage_df.astype("float64").T
    data.columns = [str(c) for c in data.columns]
    annotate = data.shape[1] <= 24
    sns.heatmap(data, ax=ax, cmap="Blues", annot=annotate, fmt=".0f", linewidths=0.5,
                cbar=not annotate, annot_kws={"fontsize": 8})
    ax.set_xlabel(t["month"])
    ax.set_ylabel("")
    ax.set_title(t["coverage_title"])
    return ax


__all__ = ["plot_before_after", "plot_coverage", "plot_missing", "plot_rejects"]
