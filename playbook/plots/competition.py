"""Charts of the competitor comparison (frames from ``playbook.competition``): market share over
time, the gap table, a radar of the rating aspects, competitors' price moves against their share
moves, and the market with our share. We (entity ``ours``) are labelled 我们 / Us and drawn in
a highlight colour."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ..competition.compare import OURS
from ..errors import ParameterError
from ..feedback.labels import aspect_label
from ._base import axes, empty, period_ticks, texts

_TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "us": "我们",
        "share_title": "市场份额趋势",
        "period": "期间",
        "share": "市场份额",
        "gaps_title": "我们与竞争对手的差距（绿色 = 我们领先）",
        "gaps_scale": "差距 / 阈值（正 = 我们更好）",
        "radar_title": "各维度评分对比（{period}）",
        "moves_title": "竞争对手价格变动与份额变动",
        "price_change": "价格指数变化（负 = 降价）",
        "share_change": "市场份额变化",
        "cut": "降价",
        "market_title": "市场规模与我们的份额",
        "market_size": "市场规模",
        "our_share": "我们的份额",
        "market_share": "市场份额",
        "csat": "满意度（CSAT）",
        "nps": "NPS",
        "price_index": "价格指数（低者占优）",
        "no_data": "没有可用数据",
        "few_aspects": "评分维度不足三个，无法画雷达图",
    },
    "en": {
        "us": "Us",
        "share_title": "Market share over time",
        "period": "Period",
        "share": "Market share",
        "gaps_title": "Our gaps to each competitor (green = we lead)",
        "gaps_scale": "Gap / threshold (positive = we are better)",
        "radar_title": "Ratings by aspect ({period})",
        "moves_title": "Competitors' price moves against their share moves",
        "price_change": "Change of price index (negative = price cut)",
        "share_change": "Change of market share",
        "cut": "Price cut",
        "market_title": "Market size and our share",
        "market_size": "Market size",
        "our_share": "Our share",
        "market_share": "Market share",
        "csat": "Satisfaction (CSAT)",
        "nps": "NPS",
        "price_index": "Price index (lower is better)",
        "no_data": "No data",
        "few_aspects": "Fewer than three rating aspects: no radar chart",
    },
}

OURS_COLOR = "#C44E52"
_PALETTE = ("#4C72B0", "#55A868", "#8172B3", "#CCB974", "#64B5CD", "#DD8452", "#937860",
            "#DA8BC3", "#8C8C8C")


def entity_label(entity: str, language: str = "zh") -> str:
    """我们 / Us for ``ours``; a competitor's name as it is."""
    return texts(_TEXT, language)["us"] if entity == OURS else str(entity)


def metric_label(metric: str, language: str = "zh") -> str:
    """A panel metric's name in the run's language (rating aspects via ``aspect_label``)."""
    t = texts(_TEXT, language)
    if metric.startswith("rating_"):
        return aspect_label(metric[len("rating_"):], language)
    return t.get(metric, metric)


def _colors(entities: list[str]) -> dict[str, str]:
    others = [e for e in entities if e != OURS]
    out = {e: _PALETTE[i % len(_PALETTE)] for i, e in enumerate(others)}
    out[OURS] = OURS_COLOR
    return out


def _pct(v: float, _pos: object = None) -> str:
    return f"{v:.0%}"


def _pp(v: float, _pos: object = None) -> str:
    return f"{100 * v:+.1f}pp" if v else "0"


def plot_share_trend(panel: pd.DataFrame, ax: Axes | None = None, language: str = "zh") -> Axes:
    """One market-share line per entity over the periods (``compare.panel``); ours thicker and
    in the highlight colour. Entities without any share are left out."""
    t = texts(_TEXT, language)
    ax = axes(ax, (8, 4.5))
    if panel is None or panel.empty or not {"entity", "period", "market_share"} <= set(
            panel.columns):
        return empty(ax, t["no_data"], t["share_title"])
    data = panel[["entity", "period", "market_share"]].dropna()
    if data.empty:
        return empty(ax, t["no_data"], t["share_title"])
    periods = sorted(data["period"].astype("str").unique())
    pos = {p: i for i, p in enumerate(periods)}
    entities = list(pd.unique(data["entity"]))
    colors = _colors(entities)
    for entity in entities:
        rows = data[data["entity"] == entity].sort_values("period")
        x = rows["period"].astype("str").map(pos).to_numpy()
        mine = entity == OURS
        ax.plot(x, rows["market_share"].to_numpy(float), color=colors[entity],
                lw=3 if mine else 1.5, marker="o", ms=5 if mine else 3, zorder=3 if mine else 2,
                label=entity_label(entity, language))
    period_ticks(ax, periods)
    ax.yaxis.set_major_formatter(_pct)
    ax.set_xlabel(t["period"])
    ax.set_ylabel(t["share"])
    ax.set_title(t["share_title"])
    ax.legend(loc="best", fontsize=8)
    return ax


def _gap_text(metric: str, gap: float) -> str:
    if metric == "market_share":
        return f"{100 * gap:+.1f}pp"
    if metric == "nps":
        return f"{gap:+.0f}"
    return f"{gap:+.2f}"


def plot_gaps(gaps: pd.DataFrame, ax: Axes | None = None, language: str = "zh") -> Axes:
    """Heatmap of ``gap_table``: a row per competitor, a column per metric, coloured by
    gap / threshold (green: we are better, red: they are), each cell labelled with the gap in
    the metric's unit (market share in percentage points)."""
    t = texts(_TEXT, language)
    ax = axes(ax, (9, 4))
    if gaps is None or gaps.empty or not {"competitor", "metric", "gap"} <= set(gaps.columns):
        return empty(ax, t["no_data"], t["gaps_title"])
    competitors = list(pd.unique(gaps["competitor"]))
    metrics = list(pd.unique(gaps["metric"]))
    limit = gaps["threshold"] if "threshold" in gaps.columns else pd.Series(1.0, gaps.index)
    score = gaps["gap"] / limit.where(limit > 0, 1.0)
    grid = np.full((len(competitors), len(metrics)), np.nan)
    labels: list[tuple[int, int, str]] = []
    for (c, m, g), s in zip(gaps[["competitor", "metric", "gap"]].itertuples(index=False),
                            score, strict=True):
        i, j = competitors.index(c), metrics.index(m)
        grid[i, j] = s
        if np.isfinite(g):
            labels.append((i, j, _gap_text(m, float(g))))
    finite = grid[np.isfinite(grid)]
    if not len(finite):
        return empty(ax, t["no_data"], t["gaps_title"])
    bound = max(float(np.abs(finite).max()), 1.0)
    image = ax.imshow(np.ma.masked_invalid(grid), cmap="RdYlGn", vmin=-bound, vmax=bound,
                      aspect="auto")
    for i, j, text in labels:
        ax.text(j, i, text, ha="center", va="center", fontsize=8)
    ax.set_xticks(range(len(metrics)))
    ax.set_xticklabels([metric_label(m, language) for m in metrics], rotation=30, ha="right")
    ax.set_yticks(range(len(competitors)))
    ax.set_yticklabels([str(c) for c in competitors])
    ax.figure.colorbar(image, ax=ax, label=t["gaps_scale"], shrink=0.8)
    ax.set_title(t["gaps_title"])
    return ax


def plot_radar(panel: pd.DataFrame, period: str, ax: Axes | None = None,
               language: str = "zh") -> Axes:
    """Radar of the rating aspects and csat (1-5) in ``period``: one closed line per entity
    with values, ours thick and filled. ``ax`` must be polar (a new polar axes when None).
    Needs at least three metrics with values."""
    t = texts(_TEXT, language)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 6), subplot_kw={"projection": "polar"})
    elif getattr(ax, "name", "") != "polar":
        raise ParameterError("ax", "a polar axes (subplot_kw={'projection': 'polar'})",
                             getattr(ax, "name", ax), where="plot_radar")
    label = getattr(period, "label", str(period))
    title = t["radar_title"].format(period=label)
    if panel is None or panel.empty or not {"entity", "period"} <= set(panel.columns):
        return empty(ax, t["no_data"], title)
    rows = panel[panel["period"].astype("str") == label]
    metrics = [c for c in panel.columns if str(c).startswith("rating_")]
    metrics += ["csat"] if "csat" in panel.columns else []
    metrics = [m for m in metrics if rows[m].notna().any()]
    if rows.empty:
        return empty(ax, t["no_data"], title)
    if len(metrics) < 3:
        return empty(ax, t["few_aspects"], title)
    angles = np.linspace(0, 2 * np.pi, len(metrics), endpoint=False)
    closed = np.r_[angles, angles[:1]]
    entities = list(pd.unique(rows["entity"]))
    colors = _colors(entities)
    order = [e for e in entities if e != OURS] + ([OURS] if OURS in entities else [])
    for entity in order:
        values = rows[rows["entity"] == entity].iloc[0][metrics].to_numpy(float)
        if not np.isfinite(values).any():
            continue
        v = np.r_[values, values[:1]]
        mine = entity == OURS
        ax.plot(closed, v, color=colors[entity], lw=3 if mine else 1.5,
                label=entity_label(entity, language), zorder=3 if mine else 2)
        if mine:
            ax.fill(closed, np.nan_to_num(v, nan=1.0), color=colors[entity], alpha=0.15)
    ax.set_xticks(angles)
    ax.set_xticklabels([metric_label(m, language) for m in metrics])
    ax.set_ylim(1, 5)
    ax.set_title(title)
    ax.legend(loc="upper right", bbox_to_anchor=(1.3, 1.1), fontsize=8)
    return ax


def plot_price_share(moves: pd.DataFrame, ax: Axes | None = None, language: str = "zh",
                     unit_column: str | None = "region") -> Axes:
    """Scatter of ``price_moves``: price_change (x) against share_change (y), one colour per
    competitor, price cuts (``cut``) as larger downward triangles; each point labelled with
    the competitor (and its ``unit_column`` value when that column is there)."""
    t = texts(_TEXT, language)
    ax = axes(ax, (7, 5))
    need = {"competitor", "price_change", "share_change"}
    if moves is None or moves.empty or not need <= set(moves.columns):
        return empty(ax, t["no_data"], t["moves_title"])
    data = moves[np.isfinite(pd.to_numeric(moves["price_change"], errors="coerce"))
                 & np.isfinite(pd.to_numeric(moves["share_change"], errors="coerce"))]
    if data.empty:
        return empty(ax, t["no_data"], t["moves_title"])
    cut = (data["cut"].fillna(False).astype(bool) if "cut" in data.columns
           else pd.Series(False, index=data.index))
    competitors = list(pd.unique(data["competitor"]))
    colors = _colors([str(c) for c in competitors])
    with_unit = unit_column is not None and unit_column in data.columns
    cut_labelled = False
    for c in competitors:
        mine = data["competitor"] == c
        for is_cut in (False, True):
            rows = data[mine & (cut == is_cut)]
            if rows.empty:
                continue
            ax.scatter(rows["price_change"].astype(float), rows["share_change"].astype(float),
                       color=colors[str(c)], marker="v" if is_cut else "o",
                       s=110 if is_cut else 45, edgecolor="black" if is_cut else "none",
                       label=None if is_cut else str(c), zorder=3)
            if is_cut and not cut_labelled:
                ax.scatter([], [], marker="v", s=110, facecolor="none", edgecolor="black",
                           label=t["cut"])
                cut_labelled = True
    for _, r in data.iterrows():
        text = f"{r['competitor']}·{r[unit_column]}" if with_unit else str(r["competitor"])
        ax.annotate(text, (float(r["price_change"]), float(r["share_change"])),
                    xytext=(4, 4), textcoords="offset points", fontsize=7)
    ax.axhline(0, color="#8C8C8C", lw=1)
    ax.axvline(0, color="#8C8C8C", lw=1)
    ax.yaxis.set_major_formatter(_pp)
    ax.set_xlabel(t["price_change"])
    ax.set_ylabel(t["share_change"])
    ax.set_title(t["moves_title"])
    ax.legend(loc="best", fontsize=8)
    return ax


def _money(v: float, language: str) -> str:
    if language == "zh":
        return f"{v / 1e8:.1f}亿" if abs(v) >= 1e8 else f"{v / 1e4:.0f}万" if v else "0"
    return f"{v / 1e9:.1f}B" if abs(v) >= 1e9 else f"{v / 1e6:.1f}M" if v else "0"


def plot_market(view: pd.DataFrame, ax: Axes | None = None, language: str = "zh") -> Axes:
    """Bars of the market size per period (``market_view``) and, on a twin axis, the line of
    our share. Returns the bars' axes (the share axis is ``ax.figure.axes``' other one)."""
    t = texts(_TEXT, language)
    ax = axes(ax, (8, 4.5))
    if view is None or view.empty or "period" not in view.columns:
        return empty(ax, t["no_data"], t["market_title"])
    view = view.sort_values("period")
    size = (pd.to_numeric(view["market_size"], errors="coerce").to_numpy(float)
            if "market_size" in view.columns else np.full(len(view), np.nan))
    share = (pd.to_numeric(view["our_share"], errors="coerce").to_numpy(float)
             if "our_share" in view.columns else np.full(len(view), np.nan))
    if not (np.isfinite(size).any() or np.isfinite(share).any()):
        return empty(ax, t["no_data"], t["market_title"])
    x = np.arange(len(view))
    periods = view["period"].astype("str").tolist()
    handles = []
    if np.isfinite(size).any():
        handles.append(ax.bar(x, np.nan_to_num(size), color="#A1C9F4", label=t["market_size"]))
        ax.yaxis.set_major_formatter(lambda v, _pos: _money(v, language))
    ax.set_ylabel(t["market_size"])
    if np.isfinite(share).any():
        twin = ax.twinx()
        (line,) = twin.plot(x, share, color=OURS_COLOR, lw=2.5, marker="o", label=t["our_share"])
        twin.yaxis.set_major_formatter(lambda v, _pos: f"{v:.1%}")
        twin.set_ylabel(t["our_share"])
        twin.set_ylim(0, max(float(np.nanmax(share)) * 1.25, 0.01))
        handles.append(line)
    period_ticks(ax, periods)
    ax.set_xlabel(t["period"])
    ax.set_title(t["market_title"])
    ax.legend(handles=handles, labels=[h.get_label() for h in handles], loc="upper left",
              fontsize=8)
    return ax


__all__ = ["entity_label", "metric_label", "plot_share_trend", "plot_gaps", "plot_radar",
           "plot_price_share", "plot_market"]
