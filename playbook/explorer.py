"""The segment explorer: pick a segment or cluster, see its profile, top customers and spread.

In JupyterLab ``show_explorer`` draws ipywidgets (two drop-downs and an output area). Reports
cannot run widgets, so ``show_static`` prints the same information for every cluster; the HTML
report keeps the static part (widget views are dropped from reports).

``group_stats`` and ``top_customers`` are the computation behind both and are unit-tested.
Names shown are the masked names of the cleaned customers table.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .notebook import fmt_int, fmt_pct, md, table
from .plots import clusters as cluster_plots

GROUPINGS = {
    "cluster_label": ("聚类", "Cluster"),
    "segment_label": ("RFM 分群", "RFM segment"),
    "cn_label": ("RFM 八类", "RFM class"),
    "lifecycle_label": ("生命周期", "Lifecycle stage"),
    "price_tier_label": ("价格层级", "Price tier"),
    "abc_grade": ("ABC 分级", "ABC grade"),
}
STATS = ("customers", "customer_share", "revenue_share", "recency_days", "frequency",
         "monetary", "clv", "churn_probability")
DISTRIBUTIONS = ("monetary", "frequency", "recency_days")


def group_stats(customers: pd.DataFrame, by: str) -> pd.DataFrame:
    """Per group of ``by``: customers, shares of customers and 12-month revenue, mean R, F, M,
    CLV and churn probability (columns that are absent are left out)."""
    rows = customers.dropna(subset=[by])
    g = rows.groupby(by, observed=True, sort=True)
    out = pd.DataFrame({"customers": g.size()})
    out["customer_share"] = out["customers"] / out["customers"].sum()
    if "monetary" in rows.columns:
        rev = g["monetary"].sum()
        out["revenue_share"] = rev / rev.sum() if rev.sum() else 0.0
    for col in ("recency_days", "frequency", "monetary", "clv", "churn_probability"):
        if col in rows.columns:
            out[col] = g[col].mean()
    return out


def top_customers(customers: pd.DataFrame, by: str, value: str, n: int = 10,
                  names: pd.Series | None = None) -> pd.DataFrame:
    """The group's customers with the highest CLV (or 12-month revenue), with masked names."""
    rows = customers[customers[by] == value]
    key = "clv" if "clv" in rows.columns and rows["clv"].notna().any() else "monetary"
    cols = [c for c in ("customer_id", "segment_label", "lifecycle_label", "monetary", "clv",
                        "churn_probability") if c in rows.columns]
    out = rows.sort_values(key, ascending=False).head(n)[cols]
    if names is not None:
        out.insert(1, "name", out["customer_id"].map(names))
    return out.reset_index(drop=True)


HEADERS = {"customer_id": ("客户编号", "customer"), "name": ("姓名（脱敏）", "name (masked)"),
           "segment_label": ("RFM 分群", "RFM segment"),
           "lifecycle_label": ("生命周期", "lifecycle"), "monetary": ("近12个月消费", "12-month spend"),
           "clv": ("CLV", "CLV"), "churn_probability": ("流失概率", "churn probability")}


def shown(frame: pd.DataFrame, language: str) -> pd.DataFrame:
    """``top_customers`` output with headers in the run's language and rounded numbers."""
    out = frame.copy()
    for col in ("monetary", "clv"):
        if col in out.columns:
            out[col] = out[col].map(fmt_int)
    if "churn_probability" in out.columns:
        out["churn_probability"] = out["churn_probability"].map(fmt_pct)
    i = 0 if language == "zh" else 1
    return out.rename(columns={k: v[i] for k, v in HEADERS.items()})


def _names(customers_table: pd.DataFrame | None) -> pd.Series | None:
    if customers_table is None or "name" not in customers_table.columns:
        return None
    return customers_table.set_index("customer_id")["name"]


def _tr(language: str):
    return lambda zh, en: zh if language == "zh" else en


def _show_group(table_: pd.DataFrame, by: str, value: str, names, language: str,
                n: int = 10, plots: bool = True) -> None:
    tr = _tr(language)
    stats = group_stats(table_, by)
    if value not in stats.index:
        md(tr("该组没有客户。", "No customer in this group."))
        return
    s = stats.loc[value]
    parts = [tr(f"**{value}**：{fmt_int(s['customers'])} 位客户（{fmt_pct(s['customer_share'])}）",
                f"**{value}**: {fmt_int(s['customers'])} customers ({fmt_pct(s['customer_share'])})")]
    if "revenue_share" in s:
        parts.append(tr(f"消费额占比 {fmt_pct(s['revenue_share'])}",
                        f"revenue share {fmt_pct(s['revenue_share'])}"))
    for col, zh, en in (("recency_days", "平均 R", "avg R"), ("frequency", "平均 F", "avg F"),
                        ("monetary", "平均 M", "avg M"), ("clv", "平均 CLV", "avg CLV")):
        if col in s and pd.notna(s[col]):
            parts.append(f"{tr(zh, en)} {s[col]:,.1f}")
    if "churn_probability" in s and pd.notna(s["churn_probability"]):
        parts.append(tr(f"平均流失概率 {fmt_pct(s['churn_probability'])}",
                        f"avg churn probability {fmt_pct(s['churn_probability'])}"))
    md("; ".join(parts))
    table(shown(top_customers(table_, by, value, n=n, names=names), language))
    if plots:
        rows = table_[table_[by] == value]
        cols = [c for c in DISTRIBUTIONS if c in table_.columns]
        fig, axes = plt.subplots(1, len(cols), figsize=(4.2 * len(cols), 3.2))
        for ax, col in zip(np.atleast_1d(axes).ravel(), cols, strict=True):
            ax.hist(table_[col].dropna(), bins=30, alpha=0.4, density=True, label=tr("全部", "all"))
            ax.hist(rows[col].dropna(), bins=30, alpha=0.7, density=True, label=str(value))
            ax.set_title(col)
            ax.legend()
        fig.tight_layout()
        plt.show()


def show_explorer(table_: pd.DataFrame, features: pd.DataFrame, customers_table, language: str):
    """Drop-downs for a grouping and a group; the output area shows the group's profile."""
    import ipywidgets as w
    from IPython.display import display

    tr = _tr(language)
    names = _names(customers_table)
    options = [(tr(*GROUPINGS[k]), k) for k in GROUPINGS if k in table_.columns]
    by = w.Dropdown(options=options, description=tr("分组", "Group by"))
    group = w.Dropdown(description=tr("组", "Group"))
    out = w.Output()

    def refresh_groups(*_):
        values = sorted(table_[by.value].dropna().astype(str).unique())
        group.options = values
        group.value = values[0] if values else None

    def render(*_):
        out.clear_output(wait=True)
        with out:
            if group.value is not None:
                _show_group(table_, by.value, group.value, names, language)

    by.observe(refresh_groups, names="value")
    group.observe(render, names="value")
    refresh_groups()
    render()
    box = w.VBox([w.HBox([by, group]), out])
    display(box)
    return box


def show_static(table_: pd.DataFrame, clusters: dict, customers_table, language: str,
                n: int = 5) -> None:
    """What the explorer shows, for every cluster, as plain output (kept in the report)."""
    tr = _tr(language)
    names = _names(customers_table)
    desc = clusters["profile"].set_index("cluster")["description"]
    for k in sorted(table_["cluster"].dropna().unique()):
        label = table_.loc[table_["cluster"] == k, "cluster_label"].iloc[0]
        md(f"#### {label}\n\n{desc.get(int(k), '')}")
        _show_group(table_, "cluster_label", label, names, language, n=n, plots=False)
    feats = clusters["features"]
    cols = [c for c in ("monetary", "frequency", "recency_days", "price_position")
            if c in feats.columns]
    fig, axes = plt.subplots(1, len(cols), figsize=(4.2 * len(cols), 3.6))
    for ax, col in zip(np.atleast_1d(axes).ravel(), cols, strict=True):
        cluster_plots.plot_feature_distribution(feats, clusters["labels"], col, ax=ax,
                                                language=language)
    fig.tight_layout()
    plt.show()
    md(tr("在 JupyterLab 中运行本笔记本时，上方的下拉框可按任一分群查看。",
          "Run this notebook in JupyterLab to pick any segment or cluster in the drop-downs."))
