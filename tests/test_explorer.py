"""The segment explorer: the group statistics behind it, the widgets, the static version."""
from __future__ import annotations

import pandas as pd
import pytest

from playbook.explorer import group_stats, show_explorer, top_customers


@pytest.fixture
def table() -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": ["a", "b", "c", "d"],
        "cluster_label": ["Cluster 1", "Cluster 1", "Cluster 2", None],
        "segment_label": ["Champions", "Lost", "Lost", "Lost"],
        "monetary": [300.0, 100.0, 100.0, 0.0],
        "frequency": [3, 1, 2, 0],
        "recency_days": [10, 200, 50, 400],
        "clv": [500.0, 20.0, 80.0, None],
        "churn_probability": [0.1, 0.9, 0.5, None],
    })


def test_group_stats_by_hand(table):
    s = group_stats(table, "cluster_label")
    assert list(s.index) == ["Cluster 1", "Cluster 2"]  # d has no cluster: left out
    assert s.loc["Cluster 1", "customers"] == 2
    assert s.loc["Cluster 1", "customer_share"] == pytest.approx(2 / 3)
    assert s.loc["Cluster 1", "revenue_share"] == pytest.approx(400 / 500)
    assert s.loc["Cluster 1", "monetary"] == pytest.approx(200)
    assert s.loc["Cluster 1", "churn_probability"] == pytest.approx(0.5)
    seg = group_stats(table, "segment_label")
    assert seg.loc["Lost", "customers"] == 3
    assert seg.loc["Lost", "revenue_share"] == pytest.approx(200 / 500)


def test_top_customers_ranked_by_clv_with_masked_names(table):
    names = pd.Series({"b": "张*", "c": "李**"})
    top = top_customers(table, "segment_label", "Lost", n=2, names=names)
    assert top["customer_id"].tolist() == ["c", "b"]  # by CLV: 80, 20 (d has none)
    assert top["name"].tolist() == ["李**", "张*"]


def test_widgets_build_and_switch_groups(table, capsys):
    box = show_explorer(table, pd.DataFrame(), None, "en")
    by, group = box.children[0].children
    assert by.value == "cluster_label"
    assert list(group.options) == ["Cluster 1", "Cluster 2"]
    by.value = "segment_label"
    assert list(group.options) == ["Champions", "Lost"]
