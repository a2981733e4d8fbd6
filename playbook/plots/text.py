"""Charts of review text (``playbook.feedback.text`` computes the frames): the top keywords of
one sentiment and the sentiment shares per period."""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ..feedback.labels import sentiment_label
from ._base import axes, empty, period_ticks, texts

_TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "keywords_title": "{label}评论关键词（TF-IDF）",
        "weight": "平均 TF-IDF 权重",
        "share_title": "各期评论情感占比",
        "period": "期间",
        "share": "占比",
        "no_keywords": "没有{label}评论关键词",
        "no_data": "没有可用数据",
    },
    "en": {
        "keywords_title": "Keywords of {label} comments (TF-IDF)",
        "weight": "Mean TF-IDF weight",
        "share_title": "Sentiment of comments per period",
        "period": "Period",
        "share": "Share",
        "no_keywords": "No keywords in {label} comments",
        "no_data": "No data",
    },
}

_COLORS = {"negative": "#C44E52", "neutral": "#8C8C8C", "positive": "#55A868"}
_ORDER = ("negative", "neutral", "positive")


def plot_keywords(kw: pd.DataFrame, ax: Axes | None = None, language: str = "zh",
                  label: str = "negative", top: int = 10) -> Axes:
    """Horizontal bars of the ``top`` heaviest terms of one ``label`` in ``kw`` (columns
    ``label, term, weight`` from ``keywords``), the heaviest on top."""
    t = texts(_TEXT, language)
    name = sentiment_label(label, language)
    if language == "en":
        name = name.lower()
    title = t["keywords_title"].format(label=name)
    needed = {"label", "term", "weight"}
    data = kw[kw["label"] == label] if needed <= set(kw.columns) and not kw.empty else kw.iloc[:0]
    data = data.dropna(subset=["weight"]) if "weight" in data.columns else data
    data = data.sort_values("weight", ascending=False, kind="stable").head(top)
    ax = axes(ax, (6, 0.35 * max(len(data), 1) + 1.5))
    if data.empty:
        return empty(ax, t["no_keywords"].format(label=name), title)
    data = data.iloc[::-1]
    ax.barh(data["term"].astype(str).tolist(), data["weight"].to_numpy(dtype=float),
            color=_COLORS.get(label, "#4C72B0"))
    ax.set_xlabel(t["weight"])
    ax.set_ylabel("")
    ax.set_title(title)
    return ax


def plot_sentiment_share(frame: pd.DataFrame, ax: Axes | None = None,
                         language: str = "zh") -> Axes:
    """Stacked bars of the sentiment shares per period (columns ``period`` and any of
    ``negative, neutral, positive`` as shares; an absent column counts as 0), negative at the
    bottom, each segment labelled with its share when it is at least 5 %."""
    t = texts(_TEXT, language)
    ax = axes(ax, (7, 4))
    present = [c for c in _ORDER if c in frame.columns]
    if frame.empty or "period" not in frame.columns or not present:
        return empty(ax, t["no_data"], t["share_title"])
    periods = frame["period"].astype(str).tolist()
    x = np.arange(len(periods))
    bottom = np.zeros(len(periods))
    for code in _ORDER:
        if code not in frame.columns:
            continue
        share = pd.to_numeric(frame[code], errors="coerce").fillna(0.0).to_numpy(dtype=float)
        bars = ax.bar(x, share, bottom=bottom, color=_COLORS[code], width=0.6,
                      label=sentiment_label(code, language))
        ax.bar_label(bars, labels=[f"{v:.0%}" if v >= 0.05 else "" for v in share],
                     label_type="center", fontsize=8, color="white")
        bottom += share
    period_ticks(ax, periods)
    ax.set_ylim(0, max(1.0, float(bottom.max())))
    ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:.0%}")
    ax.set_xlabel(t["period"])
    ax.set_ylabel(t["share"])
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    ax.set_title(t["share_title"])
    return ax


__all__ = ["plot_keywords", "plot_sentiment_share"]
