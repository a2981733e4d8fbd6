"""Charts of the behavioural clusters (``playbook.segment.clusters``).

Each takes a frame computed there, draws on ``ax`` and returns it; labels in Chinese
(``language="zh"``) or English (``"en"``).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes

from ..segment.clusters import cluster_label
from ._base import axes as _axes
from ._base import empty as _empty
from ._base import texts

_TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "sil_title": "各聚类数的轮廓系数", "sil_x": "聚类数 k", "sil_y": "轮廓系数",
        "chosen": "选定 k = {k}",
        "prof_title": "各群特征（颜色：相对整体均值，log2；数字：群均值）",
        "sizes_title": "各群客户占比与收入占比", "share": "占比",
        "customer_share": "客户占比", "revenue_share": "收入占比",
        "dist_title": "各群的{f}分布", "cluster": "群",
        "no_data": "没有可用数据",
        "recency_days": "最近购买（天）", "frequency": "购买次数", "monetary": "消费金额",
        "aov": "客单价", "tenure_days": "客龄（天）", "price_position": "商品价位",
        "engagement": "互动次数",
    },
    "en": {
        "sil_title": "Silhouette score by number of clusters", "sil_x": "Clusters k",
        "sil_y": "Silhouette score", "chosen": "chosen k = {k}",
        "prof_title": "Cluster features (colour: vs overall mean, log2; numbers: cluster means)",
        "sizes_title": "Customer and revenue share by cluster", "share": "Share",
        "customer_share": "Customers", "revenue_share": "Revenue",
        "dist_title": "{f} by cluster", "cluster": "Cluster",
        "no_data": "No data",
        "recency_days": "Recency (days)", "frequency": "Purchases", "monetary": "Monetary",
        "aov": "Avg order value", "tenure_days": "Tenure (days)",
        "price_position": "Price position", "engagement": "Interactions",
    },
}
PROFILE_FEATURES = ("recency_days", "frequency", "monetary", "aov", "tenure_days",
                    "price_position", "engagement")


def _texts(language: str) -> dict[str, str]:
    return texts(_TEXT, language)


def _short(v: float) -> str:
    if not np.isfinite(v):
        return ""
    a = abs(v)
    if a >= 1e6:
        return f"{v / 1e6:.1f}M"
    if a >= 1e4:
        return f"{v / 1e3:.0f}k"
    if a >= 100:
        return f"{v:.0f}"
    return f"{v:.2f}" if a < 10 else f"{v:.1f}"


def plot_silhouette(silhouette_by_k: Mapping[int, float], chosen_k: int, ax: Axes | None = None,
                    language: str = "zh") -> Axes:
    """Silhouette score per k (``CustomerClusters.silhouette_by_k_``), the chosen k marked."""
    t = _texts(language)
    ax = _axes(ax)
    s = pd.Series(dict(silhouette_by_k), dtype="float64").sort_index().dropna()
    if s.empty:
        return _empty(ax, t["no_data"], t["sil_title"])
    ax.plot(s.index, s.to_numpy(), marker="o", color="#4C72B0")
    if chosen_k in s.index:
        ax.axvline(chosen_k, color="#C44E52", linestyle="--", linewidth=1)
        ax.scatter([chosen_k], [s[chosen_k]], s=90, color="#C44E52", zorder=3,
                   label=t["chosen"].format(k=chosen_k))
        ax.legend(loc="best")
    ax.set_xticks(list(s.index))
    ax.set_xlabel(t["sil_x"])
    ax.set_ylabel(t["sil_y"])
    ax.set_title(t["sil_title"])
    return ax


def plot_cluster_profiles(profile: pd.DataFrame, ax: Axes | None = None,
                          language: str = "zh") -> Axes:
    """Heatmap of clusters × mean features (``profile_clusters`` output): colour = log2 of the
    cluster mean over the customer-weighted overall mean, numbers = the cluster means."""
    t = _texts(language)
    cols = [c for c in PROFILE_FEATURES if c in profile.columns]
    ax = _axes(ax, (1.3 * max(len(cols), 4) + 2, 0.6 * len(profile) + 2))
    if profile.empty or not cols:
        return _empty(ax, t["no_data"], t["prof_title"])
    means = profile[cols].astype("float64")
    w = profile["customers"].astype("float64").to_numpy()
    overall = (means.mul(w, axis=0).sum() / w.sum()).replace(0, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.log2(means / overall)
    ratio = ratio.replace([np.inf, -np.inf], np.nan)
    rows = [cluster_label(c, language) for c in profile["cluster"]]
    # colour range: the largest |log2 ratio|, at least ±0.5 and at most ±2 (saturated beyond)
    lim = float(np.nanmax(np.abs(ratio.to_numpy()))) if ratio.notna().any().any() else 1.0
    lim = min(max(lim, 0.5), 2.0)
    annot = means.apply(lambda col: col.map(_short)).to_numpy()
    sns.heatmap(pd.DataFrame(ratio.to_numpy(), index=rows, columns=[t[c] for c in cols]),
                annot=annot, fmt="", cmap="RdBu_r", center=0, vmin=-lim, vmax=lim,
                cbar_kws={"label": "log2"}, ax=ax)
    ax.set_ylabel("")
    ax.set_title(t["prof_title"])
    return ax


def plot_cluster_sizes(profile: pd.DataFrame, ax: Axes | None = None,
                       language: str = "zh") -> Axes:
    """Side-by-side bars of each cluster's customer share and revenue share."""
    t = _texts(language)
    ax = _axes(ax)
    cols = [c for c in ("customer_share", "revenue_share") if c in profile.columns]
    if profile.empty or not cols:
        return _empty(ax, t["no_data"], t["sizes_title"])
    data = profile.assign(label=[cluster_label(c, language) for c in profile["cluster"]])
    data = data.melt(id_vars="label", value_vars=cols, var_name="measure", value_name="share")
    data["measure"] = data["measure"].map(t)
    sns.barplot(data=data, x="label", y="share", hue="measure", ax=ax,
                palette=["#4C72B0", "#DD8452"][: len(cols)])
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_xlabel("")
    ax.set_ylabel(t["share"])
    ax.legend(title="")
    ax.set_title(t["sizes_title"])
    return ax


def plot_feature_distribution(features: pd.DataFrame, labels: Any, feature: str,
                              ax: Axes | None = None, language: str = "zh") -> Axes:
    """Box plot (without outliers) of one feature by cluster; ``labels`` one cluster number per
    row of ``features`` (or a Series indexed like it)."""
    t = _texts(language)
    ax = _axes(ax)
    name = t.get(feature, feature)
    title = t["dist_title"].format(f=name)
    if features.empty or feature not in features.columns:
        return _empty(ax, t["no_data"], title)
    lab = labels.reindex(features.index) if isinstance(labels, pd.Series) else pd.Series(
        np.asarray(labels), index=features.index)
    order = sorted(pd.unique(lab.dropna()))
    values = pd.Series(features[feature].to_numpy(dtype="float64")).groupby(lab.to_numpy())
    groups = [values.get_group(c).dropna().to_numpy() for c in order]
    box = ax.boxplot(groups, tick_labels=[cluster_label(c, language) for c in order],
                     showfliers=False, patch_artist=True, medianprops={"color": "black"})
    for patch in box["boxes"]:
        patch.set_facecolor("#8DA0CB")
    ax.set_xlabel("")
    ax.set_ylabel(name)
    ax.set_title(title)
    return ax
