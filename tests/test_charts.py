import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from playbook.charts import (  # noqa: E402
    plot_before_after,
    plot_coverage,
    plot_missing,
    plot_rejects,
)
from playbook.errors import ParameterError  # noqa: E402


def test_plot_missing_draws_one_bar_per_column_with_gaps(ax):
    df = pd.DataFrame({"column": ["a", "b", "c"], "missing": [2, 0, 1],
                       "share": [0.5, 0.0, 0.25]})
    assert plot_missing(df, ax=ax, language="en") is ax
    widths = sorted(p.get_width() for p in ax.patches)
    assert widths == [0.25, 0.5]
    assert ax.get_title() == "Missing values by column"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "c"]


def test_plot_missing_labels_stacked_tables_once(ax):
    df = pd.DataFrame({"table": ["orders", "customers"], "column": ["category", "customers.age"],
                       "missing": [1, 3], "share": [0.1, 0.3]})
    plot_missing(df, ax=ax, language="en")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["customers.age", "orders.category"]


def test_plot_missing_without_gaps_says_so(ax):
    df = pd.DataFrame({"column": ["a"], "missing": [0], "share": [0.0]})
    plot_missing(df, ax=ax, language="zh")
    assert len(ax.patches) == 0
    assert [t.get_text() for t in ax.texts] == ["没有缺失值"]


def test_plot_rejects_uses_labels_and_skips_zero(ax):
    got = plot_rejects({"missing_customer_id": 3, "future_date": 0, "duplicate_key": 5},
                       ax=ax, language="en")
    assert got is ax
    assert sorted(p.get_width() for p in ax.patches) == [3.0, 5.0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Duplicate ID", "Missing customer ID"]
    fig2, ax2 = plt.subplots()
    plot_rejects(pd.Series({"future_date": 0}), ax=ax2, language="en")
    assert [t.get_text() for t in ax2.texts] == ["No rows rejected"]
    plt.close(fig2)


def test_plot_before_after(ax):
    df = pd.DataFrame({"table": ["orders", "customers"], "rows_in": [10, 4],
                       "rows_kept": [7, 4], "rows_rejected": [3, 0], "returns_kept": [1, 0]})
    assert plot_before_after(df, ax=ax, language="en") is ax
    heights = sorted(p.get_height() for p in ax.patches if p.get_height() > 0)
    assert heights == [3.0, 4.0, 4.0, 7.0, 10.0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Before", "Kept", "Rejected"]


def test_plot_coverage_heatmap(ax):
    cov = pd.DataFrame({"orders": [2, 0, 1], "feedback": [0, 1, 0]},
                       index=pd.Index(["2026-01", "2026-02", "2026-03"], name="month"))
    assert plot_coverage(cov, ax=ax, language="en") is ax
    assert len(ax.collections) == 1
    mesh = ax.collections[0]
    assert mesh.get_array().reshape(2, 3).tolist() == [[2, 0, 1], [0, 1, 0]]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2026-01", "2026-02", "2026-03"]
    assert [t.get_text() for t in ax.texts] == ["2", "0", "1", "0", "1", "0"]


def test_plot_coverage_empty_and_bad_language(ax):
    empty = pd.DataFrame(index=pd.Index([], name="month"))
    plot_coverage(empty, ax=ax, language="en")
    assert [t.get_text() for t in ax.texts] == ["No data"]
    with pytest.raises(ParameterError, match="'language' parameter"):
        plot_rejects({"future_date": 1}, ax=ax, language="fr")


def test_creates_axes_when_none_given():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        got = plot_rejects({"future_date": 2}, language="zh")
    assert len(got.patches) == 1
    plt.close(got.figure)
