"""Charts of the survey feedback (``playbook.feedback.satisfaction`` and ``.drivers``): a
satisfaction metric over periods, the metric by group, the importance-performance grid of the
aspects and the aspect ratings now against the comparison period."""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ..errors import ParameterError
from ..feedback.labels import aspect_label
from ._base import axes, empty, period_ticks, texts

_TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "csat": "平均满意度(CSAT,1-5 分)",
        "top2": "满意率(CSAT 4-5 分占比)",
        "nps": "净推荐值(NPS)",
        "trend_title": "{metric}走势(阴影为置信区间)",
        "breakdown_title": "各{by}的{metric}(误差线为置信区间)",
        "period": "期间",
        "ip_title": "各方面的重要性与表现",
        "importance": "重要性(对满意度差异的解释占比)",
        "performance": "表现(平均评分)",
        "fix": "重点改进",
        "keep": "继续保持",
        "low_priority": "次要",
        "overkill": "投入过度",
        "change_title": "各方面平均评分:对比期与本期",
        "rating": "平均评分(1-5 分)",
        "now": "本期",
        "before": "对比期",
        "no_data": "没有反馈数据",
    },
    "en": {
        "csat": "Mean satisfaction (CSAT, 1-5)",
        "top2": "Satisfied share (CSAT 4-5)",
        "nps": "Net Promoter Score (NPS)",
        "trend_title": "{metric} over time (band: confidence interval)",
        "breakdown_title": "{metric} by {by} (bars: confidence interval)",
        "period": "Period",
        "ip_title": "Importance and performance of the aspects",
        "importance": "Importance (share of the explained satisfaction)",
        "performance": "Performance (mean rating)",
        "fix": "Fix first",
        "keep": "Keep up",
        "low_priority": "Low priority",
        "overkill": "Possible overkill",
        "change_title": "Mean rating per aspect: comparison period and now",
        "rating": "Mean rating (1-5)",
        "now": "Now",
        "before": "Comparison period",
        "no_data": "No feedback",
    },
}

METRIC_NAMES = ("csat", "top2", "nps")
_ALIASES = {"csat_mean": "csat", "csat_top2": "top2"}
_BLUE, _RED, _GREY, _LIGHT = "#4C72B0", "#C44E52", "#8C8C8C", "#A5B8D6"


def _metric(metric: str) -> str:
    code = _ALIASES.get(metric, metric)
    if code not in METRIC_NAMES:
        raise ParameterError("metric", "one of csat, top2, nps (or csat_mean, csat_top2)",
                             metric, where="plots")
    return code


def _floats(frame: pd.DataFrame, column: str) -> np.ndarray:
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype="float64",
                                                                  na_value=np.nan)


def _format_axis(axis, metric: str) -> None:
    if metric == "top2":
        axis.set_major_formatter(lambda v, _pos: f"{v:.0%}")


def _period_label(value: object) -> str:
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return str(value)


def plot_trend(frame: pd.DataFrame, value: str, lo: str, hi: str, ax: Axes | None = None,
               language: str = "zh", metric: str = "csat") -> Axes:
    """A metric over the periods of ``frame`` (x = column ``period``, in frame order): the line
    of ``value`` with the band ``lo``-``hi`` (error bars when there is a single period).
    ``metric``: csat (mean), top2 (share of 4-5) or nps; it picks the title and the axis."""
    t = texts(_TEXT, language)
    code = _metric(metric)
    title = t["trend_title"].format(metric=t[code])
    ax = axes(ax, (8, 4))
    if frame.empty or not np.isfinite(_floats(frame, value)).any():
        return empty(ax, t["no_data"], title)
    x = np.arange(len(frame))
    y, y_lo, y_hi = _floats(frame, value), _floats(frame, lo), _floats(frame, hi)
    if len(frame) == 1:
        err = np.nan_to_num(np.vstack([y - y_lo, y_hi - y]).clip(min=0))
        ax.errorbar(x, y, yerr=err, color=_BLUE, marker="o", capsize=4)
    else:
        ax.fill_between(x, y_lo, y_hi, color=_BLUE, alpha=0.2, linewidth=0)
        ax.plot(x, y, color=_BLUE, marker="o")
    if code == "nps":
        ax.axhline(0, color=_GREY, lw=0.8)
    period_ticks(ax, [_period_label(p) for p in frame["period"]])
    _format_axis(ax.yaxis, code)
    ax.set_xlabel(t["period"])
    ax.set_ylabel(t[code])
    ax.set_title(title)
    return ax


def plot_breakdown(frame: pd.DataFrame, by: str, value: str, lo: str, hi: str,
                   ax: Axes | None = None, language: str = "zh", metric: str = "nps") -> Axes:
    """Horizontal bars of ``value`` per group (column ``by``, first row on top) with the
    ``lo``-``hi`` interval as error bars; for NPS negative bars are red."""
    t = texts(_TEXT, language)
    code = _metric(metric)
    title = t["breakdown_title"].format(metric=t[code], by=by)
    ax = axes(ax, (7, 0.4 * max(len(frame), 4) + 1.5))
    if frame.empty or not np.isfinite(_floats(frame, value)).any():
        return empty(ax, t["no_data"], title)
    y = np.arange(len(frame))
    v, v_lo, v_hi = _floats(frame, value), _floats(frame, lo), _floats(frame, hi)
    err = np.nan_to_num(np.vstack([v - v_lo, v_hi - v]).clip(min=0))
    colors = np.where((code == "nps") & (v < 0), _RED, _BLUE)
    ax.barh(y, np.nan_to_num(v), xerr=err, color=colors, capsize=3,
            error_kw={"ecolor": "black", "lw": 1})
    ax.set_yticks(y, [str(g) for g in frame[by]])
    ax.invert_yaxis()
    if code == "nps":
        ax.axvline(0, color="black", lw=0.8)
    _format_axis(ax.xaxis, code)
    ax.set_xlabel(t[code])
    ax.set_title(title)
    return ax


def plot_importance_performance(ip: pd.DataFrame, ax: Axes | None = None,
                                language: str = "zh") -> Axes:
    """The importance-performance grid (``importance_performance`` output): importance on x,
    performance on y, the cut lines (``ip.attrs`` cuts, else the means), the quadrant names in
    the corners and each aspect labelled; the ``fix`` aspects in red."""
    t = texts(_TEXT, language)
    ax = axes(ax, (7, 5))
    if ip.empty:
        return empty(ax, t["no_data"], t["ip_title"])
    x, y = _floats(ip, "importance"), _floats(ip, "performance")
    fix = (ip["quadrant"] == "fix").to_numpy()
    ax.scatter(x[~fix], y[~fix], color=_BLUE, s=50, zorder=3)
    if fix.any():
        ax.scatter(x[fix], y[fix], color=_RED, s=60, zorder=3)
    i_cut = ip.attrs.get("importance_cut", float(np.nanmean(x)))
    p_cut = ip.attrs.get("performance_cut", float(np.nanmean(y)))
    ax.axvline(i_cut, color=_GREY, ls="--", lw=1)
    ax.axhline(p_cut, color=_GREY, ls="--", lw=1)
    for name, xi, yi, red in zip(ip["aspect"], x, y, fix, strict=True):
        ax.annotate(aspect_label(str(name), language), (xi, yi), xytext=(5, 4),
                    textcoords="offset points", fontsize=9, color=_RED if red else "black")
    corners = {"overkill": (0.02, 0.98, "left", "top"), "keep": (0.98, 0.98, "right", "top"),
               "low_priority": (0.02, 0.02, "left", "bottom"),
               "fix": (0.98, 0.02, "right", "bottom")}
    for quadrant, (cx, cy, ha, va) in corners.items():
        ax.text(cx, cy, t[quadrant], transform=ax.transAxes, ha=ha, va=va, fontsize=9,
                color=_RED if quadrant == "fix" else _GREY)
    ax.margins(0.15)
    ax.xaxis.set_major_formatter(lambda v, _pos: f"{v:.0%}")
    ax.set_xlabel(t["importance"])
    ax.set_ylabel(t["performance"])
    ax.set_title(t["ip_title"])
    return ax


def plot_aspect_change(now_means: pd.Series, before_means: pd.Series, ax: Axes | None = None,
                       language: str = "zh") -> Axes:
    """Paired bars of the mean rating per aspect (``aspect_means`` of each period): the
    comparison period then now, for the aspects of either (those of ``now_means`` first)."""
    t = texts(_TEXT, language)
    ax = axes(ax, (8, 4))
    aspects = list(dict.fromkeys([*map(str, now_means.index), *map(str, before_means.index)]))
    now = pd.to_numeric(now_means, errors="coerce").set_axis(now_means.index.astype(str))
    before = pd.to_numeric(before_means, errors="coerce").set_axis(
        before_means.index.astype(str))
    now = now.reindex(aspects).to_numpy(dtype="float64", na_value=np.nan)
    before = before.reindex(aspects).to_numpy(dtype="float64", na_value=np.nan)
    if not aspects or not (np.isfinite(now).any() or np.isfinite(before).any()):
        return empty(ax, t["no_data"], t["change_title"])
    x = np.arange(len(aspects))
    width = 0.4
    b1 = ax.bar(x - width / 2, np.nan_to_num(before), width, label=t["before"], color=_LIGHT)
    b2 = ax.bar(x + width / 2, np.nan_to_num(now), width, label=t["now"], color=_BLUE)
    for bars, values in ((b1, before), (b2, now)):
        ax.bar_label(bars, labels=[f"{v:.2f}" if np.isfinite(v) else "" for v in values],
                     fontsize=8, padding=2)
    ax.set_xticks(x, [aspect_label(a, language) for a in aspects])
    ax.set_ylabel(t["rating"])
    ax.margins(y=0.12)
    ax.legend(frameon=False, loc="lower right")
    ax.set_title(t["change_title"])
    return ax


__all__ = ["plot_trend", "plot_breakdown", "plot_importance_performance", "plot_aspect_change"]
