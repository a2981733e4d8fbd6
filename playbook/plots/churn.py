"""Charts of the churn-risk model (``playbook.segment.churn``): lift by decile, ROC curves of
the model against the logistic baseline, the distribution of churn probabilities and the
feature importance."""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from sklearn.metrics import roc_auc_score, roc_curve

from ..segment.churn import feature_label
from ._base import axes, empty, texts

_TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "lift_title": "流失模型提升度(验证期,按流失概率分十组)",
        "decile": "十分位组(1 = 流失风险最高)",
        "lift": "提升度(该组流失率 / 整体流失率)",
        "base": "整体水平 = 1",
        "roc_title": "流失模型 ROC 曲线(验证期)",
        "fpr": "误报率(未流失者被判为流失的比例)",
        "tpr": "命中率(流失者被识别出的比例)",
        "model": "模型",
        "baseline": "逻辑回归基线",
        "chance": "随机",
        "risk_title": "活跃客户流失概率分布",
        "probability": "下一期流失概率",
        "customers": "客户数",
        "mean": "平均 {value:.1%}",
        "importance_title": "流失模型特征重要性",
        "importance": "重要性(打乱该特征后验证 AUC 下降)",
        "no_data": "没有可用数据",
        "one_class": "验证期只有一种结果,无法画 ROC 曲线",
    },
    "en": {
        "lift_title": "Churn model lift by decile (validation period)",
        "decile": "Decile (1 = highest churn risk)",
        "lift": "Lift (decile churn rate / overall rate)",
        "base": "Overall = 1",
        "roc_title": "Churn model ROC curve (validation period)",
        "fpr": "False positive rate",
        "tpr": "True positive rate",
        "model": "Model",
        "baseline": "Logistic baseline",
        "chance": "Chance",
        "risk_title": "Churn probability of active customers",
        "probability": "Probability of churning next period",
        "customers": "Customers",
        "mean": "Mean {value:.1%}",
        "importance_title": "Churn model feature importance",
        "importance": "Importance (drop of validation AUC when shuffled)",
        "no_data": "No data",
        "one_class": "Only one outcome in the validation period: no ROC curve",
    },
}


def plot_lift(lift_table: pd.DataFrame, ax: Axes | None = None, language: str = "zh") -> Axes:
    """Bars of the lift per decile (``churn.lift_table`` output) with the base line at 1."""
    t = texts(_TEXT, language)
    ax = axes(ax)
    if lift_table.empty or lift_table["lift"].isna().all():
        return empty(ax, t["no_data"], t["lift_title"])
    deciles = lift_table["decile"].astype(int).to_numpy()
    lifts = lift_table["lift"].astype(float).to_numpy()
    colors = np.where(lifts >= 1, "#C44E52", "#8C8C8C")
    ax.bar(deciles, lifts, color=colors)
    ax.axhline(1.0, color="black", linestyle="--", linewidth=1, label=t["base"])
    ax.set_xticks(deciles)
    ax.set_xlabel(t["decile"])
    ax.set_ylabel(t["lift"])
    ax.set_title(t["lift_title"])
    ax.legend(loc="upper right")
    return ax


def plot_roc_pr(y_true: pd.Series | np.ndarray, p_model: pd.Series | np.ndarray,
                p_baseline: pd.Series | np.ndarray | None = None, ax: Axes | None = None,
                language: str = "zh") -> Axes:
    """ROC curves of the model and (optionally) the baseline on the validation rows, with each
    curve's ROC AUC in the legend (PR AUC is in ``ChurnFit.metrics``)."""
    t = texts(_TEXT, language)
    ax = axes(ax, (5.5, 5))
    y = np.asarray(y_true, dtype=float)
    if len(y) == 0:
        return empty(ax, t["no_data"], t["roc_title"])
    if len(np.unique(y)) < 2:
        return empty(ax, t["one_class"], t["roc_title"])
    curves = [(t["model"], p_model, "#C44E52")]
    if p_baseline is not None:
        curves.append((t["baseline"], p_baseline, "#4C72B0"))
    for name, p, color in curves:
        score = np.asarray(p, dtype=float)
        fpr, tpr, _ = roc_curve(y, score)
        ax.plot(fpr, tpr, color=color, label=f"{name} (AUC {roc_auc_score(y, score):.3f})")
    ax.plot([0, 1], [0, 1], color="#8C8C8C", linestyle=":", label=t["chance"])
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel(t["fpr"])
    ax.set_ylabel(t["tpr"])
    ax.set_title(t["roc_title"])
    ax.legend(loc="lower right")
    return ax


def plot_risk_distribution(probabilities: pd.Series | np.ndarray, ax: Axes | None = None,
                           language: str = "zh") -> Axes:
    """Histogram of churn probabilities (20 bins over 0-1) with the mean marked."""
    t = texts(_TEXT, language)
    ax = axes(ax)
    p = np.asarray(probabilities, dtype=float)
    p = p[np.isfinite(p)]
    if len(p) == 0:
        return empty(ax, t["no_data"], t["risk_title"])
    ax.hist(p, bins=20, range=(0, 1), color="#4C72B0", edgecolor="white")
    mean = float(p.mean())
    ax.axvline(mean, color="#C44E52", linestyle="--", label=t["mean"].format(value=mean))
    ax.set_xlim(0, 1)
    ax.set_xlabel(t["probability"])
    ax.set_ylabel(t["customers"])
    ax.set_title(t["risk_title"])
    ax.legend(loc="upper right")
    return ax


def plot_feature_importance(importance: pd.DataFrame, ax: Axes | None = None,
                            language: str = "zh", top: int = 15) -> Axes:
    """Horizontal bars of ``importance`` (columns feature, importance, optional std), the
    ``top`` largest first."""
    t = texts(_TEXT, language)
    data = importance.dropna(subset=["importance"]) if not importance.empty else importance
    ax = axes(ax, (7, 0.35 * min(len(data), top) + 1.5))
    if data.empty:
        return empty(ax, t["no_data"], t["importance_title"])
    data = data.sort_values("importance", ascending=False).head(top).iloc[::-1]
    labels = [feature_label(str(f), language) for f in data["feature"]]
    err = data["std"].to_numpy(dtype=float) if "std" in data.columns else None
    ax.barh(labels, data["importance"].to_numpy(dtype=float), xerr=err, color="#55A868")
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel(t["importance"])
    ax.set_ylabel("")
    ax.set_title(t["importance_title"])
    return ax


__all__ = ["plot_feature_importance", "plot_lift", "plot_risk_distribution", "plot_roc_pr"]
