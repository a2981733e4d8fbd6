import warnings

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from playbook.errors import ParameterError
from playbook.plots.text import plot_keywords, plot_sentiment_share


def _is_empty(ax, message: str) -> bool:
    return not ax.axison and [t.get_text() for t in ax.texts] == [message]


def _keywords() -> pd.DataFrame:
    rows = [("negative", f"bad{i}", 0.5 - i * 0.03, 10 - i) for i in range(12)]
    rows += [("positive", "good", 0.4, 9), ("positive", "nice", 0.6, 3)]
    return pd.DataFrame(rows, columns=["label", "term", "weight", "documents"])


@pytest.mark.parametrize("language, title", [("zh", "负面评论关键词"),
                                             ("en", "Keywords of negative comments")])
def test_plot_keywords_bars(ax, language, title):
    out = plot_keywords(_keywords(), ax=ax, language=language, label="negative", top=10)
    assert out is ax
    assert len(ax.patches) == 10
    # heaviest on top: barh draws bottom-up
    assert [t.get_text() for t in ax.get_yticklabels()] == [f"bad{i}" for i in range(9, -1, -1)]
    assert [p.get_width() for p in ax.patches] == pytest.approx(
        [0.5 - i * 0.03 for i in range(9, -1, -1)])
    assert title in ax.get_title()


def test_plot_keywords_other_label_fewer_terms(ax):
    plot_keywords(_keywords(), ax=ax, language="en", label="positive", top=10)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["good", "nice"]
    assert len(ax.patches) == 2


def test_plot_keywords_empty(ax):
    assert _is_empty(plot_keywords(_keywords(), ax=ax, language="en", label="neutral"),
                     "No keywords in neutral comments")
    _, other = plt.subplots()
    empty = pd.DataFrame(columns=["label", "term", "weight", "documents"])
    assert _is_empty(plot_keywords(empty, ax=other, language="zh"), "没有负面评论关键词")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        new = plot_keywords(_keywords())
    assert new.figure is not other.figure and len(new.patches) == 10
    with pytest.raises(ParameterError, match="'language' parameter"):
        plot_keywords(_keywords(), language="fr")


def _shares() -> pd.DataFrame:
    return pd.DataFrame({"period": ["2025Q1", "2025Q2", "2025Q3"],
                         "negative": [0.2, 0.3, 0.1], "neutral": [0.3, 0.3, 0.2],
                         "positive": [0.5, 0.4, 0.7]})


@pytest.mark.parametrize("language, title", [("zh", "各期评论情感占比"),
                                             ("en", "Sentiment of comments per period")])
def test_plot_sentiment_share_stacks(ax, language, title):
    out = plot_sentiment_share(_shares(), ax=ax, language=language)
    assert out is ax
    assert len(ax.patches) == 9  # three periods x three sentiments
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2025Q1", "2025Q2", "2025Q3"]
    tops = [p.get_y() + p.get_height() for p in ax.patches[6:]]
    assert tops == pytest.approx([1.0, 1.0, 1.0])
    assert [p.get_y() for p in ax.patches[3:6]] == pytest.approx([0.2, 0.3, 0.1])
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == (["负面", "中性", "正面"] if language == "zh"
                      else ["Negative", "Neutral", "Positive"])
    assert title in ax.get_title()


def test_plot_sentiment_share_missing_column_and_empty(ax):
    frame = _shares().drop(columns="neutral")
    plot_sentiment_share(frame, ax=ax, language="en")
    assert len(ax.patches) == 6
    _, other = plt.subplots()
    assert _is_empty(plot_sentiment_share(_shares().iloc[:0], ax=other, language="en"),
                     "No data")
    _, third = plt.subplots()
    assert _is_empty(plot_sentiment_share(pd.DataFrame({"period": ["2025Q1"]}), ax=third,
                                          language="zh"), "没有可用数据")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        assert len(plot_sentiment_share(_shares()).patches) == 9
