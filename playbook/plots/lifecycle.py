"""Plots of lifecycle stages, stage migration and cohort retention (``playbook.segment.lifecycle``
and ``playbook.segment.cohorts`` compute the frames)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes

from ..errors import ParameterError
from ..segment.lifecycle import stage_label
from ._base import axes, empty, texts

_TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "counts_title": "各生命周期阶段客户数：对比期与本期",
        "customers": "客户数",
        "stage": "阶段",
        "before": "对比期",
        "now": "本期",
        "migration_title": "阶段迁移（行占比）",
        "from": "原阶段（对比期）",
        "to": "现阶段（本期）",
        "cohort_title": "同期群留存率",
        "cohort": "同期群（首次购买期）",
        "age": "首次购买后的期数",
        "no_data": "没有可用数据",
    },
    "en": {
        "counts_title": "Customers per lifecycle stage: comparison period and now",
        "customers": "Customers",
        "stage": "Stage",
        "before": "Before",
        "now": "Now",
        "migration_title": "Stage migration (row shares)",
        "from": "From (before)",
        "to": "To (now)",
        "cohort_title": "Cohort retention",
        "cohort": "Cohort (first purchase)",
        "age": "Periods since first purchase",
        "no_data": "No data",
    },
}


def _label(code: object, language: str) -> str:
    try:
        return stage_label(str(code), language)
    except ParameterError:
        return str(code)


def plot_stage_counts(counts: pd.DataFrame, ax: Axes | None = None,
                      language: str = "zh") -> Axes:
    """Grouped bars of customers per stage, before and now (``stage_counts`` output), with
    the counts written above the bars."""
    t = texts(_TEXT, language)
    ax = axes(ax, (8, 4))
    if counts.empty:
        return empty(ax, t["no_data"], t["counts_title"])
    x = np.arange(len(counts))
    width = 0.4
    before = counts["before"].to_numpy(dtype=float)
    now = counts["now"].to_numpy(dtype=float)
    b1 = ax.bar(x - width / 2, before, width, label=t["before"], color="#A5B8D6")
    b2 = ax.bar(x + width / 2, now, width, label=t["now"], color="#4C72B0")
    for bars in (b1, b2):
        ax.bar_label(bars, labels=[f"{int(v):,}" for v in bars.datavalues], fontsize=8,
                     padding=2)
    ax.set_xticks(x, [_label(s, language) for s in counts["stage"]])
    ax.set_ylabel(t["customers"])
    ax.set_xlabel(t["stage"])
    ax.margins(y=0.12)
    ax.legend(frameon=False)
    ax.set_title(t["counts_title"])
    return ax


def plot_migration(matrix: pd.DataFrame, ax: Axes | None = None, language: str = "zh") -> Axes:
    """Heatmap of a ``migration_matrix``: colour = share of the row (the "from" stage).

    A count matrix (integer values) is annotated with the count and its row share; a
    normalized matrix (``normalize=True``, float values) with the share alone.
    """
    t = texts(_TEXT, language)
    ax = axes(ax, (7, 5.5))
    if matrix.empty or not np.nansum(matrix.to_numpy(dtype=float)):
        return empty(ax, t["no_data"], t["migration_title"])
    values = matrix.to_numpy(dtype=float)
    totals = values.sum(axis=1, keepdims=True)
    is_count = all(pd.api.types.is_integer_dtype(d) for d in matrix.dtypes)
    shares = np.divide(values, totals, out=np.zeros_like(values), where=totals > 0) \
        if is_count else values
    if is_count:
        annot = np.array([[f"{int(c):,}\n{s:.0%}" if c else "" for c, s in zip(rc, rs, strict=True)]
                          for rc, rs in zip(values, shares, strict=True)])
    else:
        annot = np.array([[f"{s:.0%}" if s else "" for s in rs] for rs in shares])
    display = pd.DataFrame(shares, index=[_label(s, language) for s in matrix.index],
                           columns=[_label(s, language) for s in matrix.columns])
    sns.heatmap(display, annot=annot, fmt="", cmap="Blues", vmin=0, vmax=1, cbar=False,
                linewidths=0.5, linecolor="white", annot_kws={"fontsize": 8}, ax=ax)
    ax.set_ylabel(t["from"])
    ax.set_xlabel(t["to"])
    ax.tick_params(axis="y", rotation=0)
    ax.set_title(t["migration_title"])
    return ax


def plot_cohorts(retention: pd.DataFrame, ax: Axes | None = None, language: str = "zh",
                 title: str | None = None, value: str = "share") -> Axes:
    """Cohort heatmap: cohorts on y, age on x, NaN (immature) cells left blank.

    ``value="share"`` (retention, revenue_retention) annotates percentages on a 0-100 % colour
    scale (values above 100 % take the top colour); ``value="count"`` annotates whole numbers.
    """
    if value not in ("share", "count"):
        raise ParameterError("value", "share or count", value)
    t = texts(_TEXT, language)
    title = t["cohort_title"] if title is None else title
    ax = axes(ax, (9, max(3.0, 0.35 * len(retention) + 1.5)))
    data = retention.astype("float64")
    if data.empty or data.isna().all().all():
        return empty(ax, t["no_data"], title)
    if value == "share":
        kw = {"fmt": ".0%", "vmin": 0, "vmax": 1}
    else:
        kw = {"fmt": ",.0f"}
    sns.heatmap(data, mask=data.isna(), annot=True, cmap="YlGnBu", cbar=False,
                linewidths=0.5, linecolor="white", annot_kws={"fontsize": 7}, ax=ax, **kw)
    ax.set_ylabel(t["cohort"])
    ax.set_xlabel(t["age"])
    ax.tick_params(axis="y", rotation=0)
    ax.set_title(title)
    return ax
