import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from playbook.errors import ParameterError
from playbook.plots.rfm import plot_rfm_grid, plot_segment_change, plot_segments
from playbook.segment import rfm as rfm_module
from playbook.segment.rfm import (
    CN_CLASSES,
    SEGMENT_GRID,
    SEGMENTS,
    VALUABLE_SEGMENTS,
    assign_cn_classes,
    assign_segments,
    cn_cuts,
    cn_label,
    compare_summaries,
    rfm_scores,
    rfm_table,
    segment_label,
    segment_of,
    segment_summary,
)

AS_OF = pd.Timestamp("2026-09-30")  # 12-month window: 2025-10-01 00:00 <= date < 2026-10-01


def _purchases() -> pd.DataFrame:
    rows = [
        # a: one purchase ON as_of (recency 0) and one in January: 2 purchases, 150
        ("a", "2026-09-30 10:00", 100.0),
        ("a", "2026-01-15 09:00", 50.0),
        # b: only a purchase long before the window: frequency 0, monetary 0,
        # recency 2024-05-01 -> 2026-05-01 = 730 days, + May..Sep 30 = 31+30+31+31+29 = 152 -> 882
        ("b", "2024-05-01 12:00", 80.0),
        # c: one purchase at the window's very start (counts) and one an hour before (does not)
        ("c", "2025-10-01 00:00", 20.0),
        ("c", "2025-09-30 23:00", 999.0),
        # d: a purchase after as_of (ignored) and 2026-06-30: recency 31 + 31 + 30 = 92
        ("d", "2026-10-01 00:00", 5000.0),
        ("d", "2026-06-30 08:00", 40.0),
        # e: only purchases after as_of: not in the population
        ("e", "2026-11-05 00:00", 70.0),
        # f: three purchases in September, the last on 09-29 (recency 1)
        ("f", "2026-09-01 00:00", 10.0),
        ("f", "2026-09-29 18:00", 10.0),
        ("f", "2026-09-15 00:00", 10.0),
    ]
    return pd.DataFrame({
        "customer_id": pd.Series([r[0] for r in rows], dtype="str"),
        "order_key": pd.Series([f"o{i}" for i in range(len(rows))], dtype="str"),
        "order_date": pd.to_datetime([r[1] for r in rows]),
        "amount": [r[2] for r in rows],
        "n_lines": 1,
    })


def test_rfm_table_hand_computed():
    got = rfm_table(_purchases(), AS_OF)
    assert list(got.columns) == ["customer_id", "recency_days", "frequency", "monetary",
                                 "first_purchase", "last_purchase"]
    assert got["customer_id"].tolist() == ["a", "b", "c", "d", "f"]  # e bought only after as_of
    assert got["recency_days"].tolist() == [0, 882, 364, 92, 1]
    assert got["frequency"].tolist() == [2, 0, 1, 1, 3]
    assert got["monetary"].tolist() == [150.0, 0.0, 20.0, 40.0, 30.0]
    assert got["first_purchase"].tolist() == pd.to_datetime(
        ["2026-01-15 09:00", "2024-05-01 12:00", "2025-09-30 23:00", "2026-06-30 08:00",
         "2026-09-01 00:00"]).tolist()
    assert got["last_purchase"].tolist() == pd.to_datetime(
        ["2026-09-30 10:00", "2024-05-01 12:00", "2025-10-01 00:00", "2026-06-30 08:00",
         "2026-09-29 18:00"]).tolist()


def test_rfm_table_sorted_and_unsorted_input_agree_and_input_untouched():
    raw = _purchases()  # not sorted by customer: the factorizing path
    before = raw.copy()
    tidy = raw.sort_values(["customer_id", "order_date"], ignore_index=True)  # the run path
    pd.testing.assert_frame_equal(rfm_table(raw, AS_OF), rfm_table(tidy, AS_OF))
    pd.testing.assert_frame_equal(raw, before)


def test_rfm_table_lookback_months():
    # 1 month: 2026-09-01 <= date < 2026-10-01 -> a has 1 purchase (100), f has 3 (30)
    got = rfm_table(_purchases(), AS_OF, lookback_months=1)
    assert got["frequency"].tolist() == [1, 0, 0, 0, 3]
    assert got["monetary"].tolist() == [100.0, 0.0, 0.0, 0.0, 30.0]
    assert got["recency_days"].tolist() == [0, 882, 364, 92, 1]  # recency ignores the window


def test_rfm_table_empty_and_bad_lookback():
    got = rfm_table(_purchases(), pd.Timestamp("2020-01-01"))
    assert got.empty and list(got.columns) == list(rfm_module.RFM_COLUMNS)
    with pytest.raises(ParameterError, match="'lookback_months' parameter must be"):
        rfm_table(_purchases(), AS_OF, lookback_months=0)


def _ten() -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": [f"c{i}" for i in range(10)],
        "recency_days": [10, 20, 30, 40, 50, 60, 70, 80, 90, 100],
        "frequency": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
        "monetary": [1.0, 1.0, 1.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
    })


def test_rfm_scores_quintiles_ties_and_reversed_recency():
    got = rfm_scores(_ten())
    # 10 distinct values: ranks 1..10, ceil(5 * rank / 10) = 1,1,2,2,3,3,4,4,5,5
    assert got["f_score"].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    # recency is ranked negated: the most recent (10 days) has the highest rank
    assert got["r_score"].tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    # four tied 1s share rank 2.5 -> ceil(1.25) = 2; then ranks 5..10 -> 3,3,4,4,5,5
    assert got["m_score"].tolist() == [2, 2, 2, 2, 3, 3, 4, 4, 5, 5]
    # fm = floor((f + m) / 2 + 0.5): (1+2)/2 = 1.5 -> 2; (2+2)/2 -> 2; (3+3)/2 -> 3 ...
    assert got["fm_score"].tolist() == [2, 2, 2, 2, 3, 3, 4, 4, 5, 5]
    assert got["rfm_cell"].tolist()[:3] == ["512", "512", "422"]
    assert got["rfm_cell"].dtype == "str"


def test_rfm_scores_all_equal_values_share_one_score():
    frame = pd.DataFrame({"recency_days": [7] * 4, "frequency": [2] * 4, "monetary": [9.0] * 4})
    got = rfm_scores(frame)
    # every rank is 2.5 -> ceil(5 * 2.5 / 4) = ceil(3.125) = 4
    assert got["r_score"].tolist() == [4] * 4
    assert got["f_score"].tolist() == [4] * 4


def test_fm_score_rounds_half_up():
    # 5 distinct values: score = rank. f = 1..5, m = 3,1,2,5,4 -> f + m = 4,3,5,9,9
    # fm = floor(2.5)=2, floor(2)=2, floor(3)=3 (half up: 2.5 -> 3, not 2), floor(5)=5, 5
    frame = pd.DataFrame({"recency_days": [1, 2, 3, 4, 5], "frequency": [1, 2, 3, 4, 5],
                          "monetary": [30.0, 10.0, 20.0, 50.0, 40.0]})
    got = rfm_scores(frame)
    assert got["m_score"].tolist() == [3, 1, 2, 5, 4]
    assert got["fm_score"].tolist() == [2, 2, 3, 5, 5]


def test_grid_cells_map_to_codes():
    explicit = {(5, 1): "new", (4, 1): "promising", (3, 3): "need_attention",
                (2, 5): "cant_lose", (1, 3): "at_risk", (1, 1): "lost", (4, 5): "champions",
                (3, 5): "loyal", (4, 3): "potential_loyalist", (3, 2): "about_to_sleep",
                (2, 2): "hibernating", (1, 4): "cant_lose"}
    for (r, fm), code in explicit.items():
        assert segment_of(r, fm) == code
    cells = pd.DataFrame([(r, fm) for r in range(1, 6) for fm in range(1, 6)],
                         columns=["r_score", "fm_score"])
    got = assign_segments(cells)
    assert got["segment"].isin(SEGMENTS).all()
    assert set(got["segment"]) == set(SEGMENTS)  # all 11 reachable
    assert got["segment"].tolist() == [segment_of(r, fm) for r, fm in zip(
        cells["r_score"], cells["fm_score"], strict=True)]
    assert set(VALUABLE_SEGMENTS) <= set(SEGMENTS)
    with pytest.raises(ParameterError):
        assign_segments(pd.DataFrame({"r_score": [0], "fm_score": [3]}))


def test_docstring_grid_matches_the_constant():
    rows = re.findall(r"^\s+R=(\d)\s+(.+)$", rfm_module.__doc__, flags=re.MULTILINE)
    assert {int(r): tuple(cells.split()) for r, cells in rows} == SEGMENT_GRID


def test_segment_and_cn_labels():
    assert segment_label("cant_lose", "en") == "Can't Lose Them"
    assert segment_label("champions", "zh") == "冠军客户"
    assert [segment_label(c, "zh") for c in SEGMENTS][-1] == "已流失"
    assert cn_label("important_winback", "zh") == "重要挽留客户"
    assert cn_label("general_develop", "en") == "General to develop"
    with pytest.raises(ParameterError, match="'language' parameter"):
        segment_label("lost", "fr")


def _four() -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": ["c0", "c1", "c2", "c3"],
        "recency_days": [10, 30, 50, 110],       # mean 50, median 40
        "frequency": [6, 1, 4, 1],               # mean 3, median 2.5
        "monetary": [1000.0, 120.0, 100.0, 140.0],  # mean 340, median 130
    })


def test_cn_classes_mean_split():
    frame = _four()
    assert cn_cuts(frame) == {"recency_days": 50.0, "frequency": 3.0, "monetary": 340.0}
    got = assign_cn_classes(frame, "mean")
    # R: recency < 50 -> T T F F (50 itself is not recent enough); F: > 3 -> T F T F;
    # M: > 340 -> T F F F
    assert got["r_high"].tolist() == [True, True, False, False]
    assert got["f_high"].tolist() == [True, False, True, False]
    assert got["m_high"].tolist() == [True, False, False, False]
    assert got["cn_class"].tolist() == ["important_value", "general_develop", "general_retain",
                                        "general_winback"]
    assert "cn_class" not in frame.columns


def test_cn_classes_median_split():
    got = assign_cn_classes(_four(), "median")
    # cuts 40, 2.5, 130: M -> T F F T, so c3 (L, L, H) is important_winback
    assert got["cn_class"].tolist() == ["important_value", "general_develop", "general_retain",
                                        "important_winback"]


def test_cn_classes_threshold_split():
    cuts = {"recency_days": 30, "frequency": 1, "monetary": 110}
    got = assign_cn_classes(_four(), "threshold", cuts)
    # R < 30: T F F F; F > 1: T F T F; M > 110: T T F T
    assert got["cn_class"].tolist() == ["important_value", "important_winback",
                                        "general_retain", "important_winback"]
    from playbook.segment.settings import CnThresholds

    model = CnThresholds(recency_days=30, frequency=1, monetary=110)
    assert cn_cuts(_four(), "threshold", model) == {"recency_days": 30.0, "frequency": 1.0,
                                                    "monetary": 110.0}


def test_cn_classes_all_eight_codes():
    frame = pd.DataFrame({"recency_days": [1, 1, 1, 1, 9, 9, 9, 9],
                          "frequency": [9, 9, 1, 1, 9, 9, 1, 1],
                          "monetary": [9, 1, 9, 1, 9, 1, 9, 1]})
    got = assign_cn_classes(frame, "threshold",
                            {"recency_days": 5, "frequency": 5, "monetary": 5})
    # HHH HHL HLH HLL LHH LHL LLH LLL
    assert got["cn_class"].tolist() == [
        "important_value", "general_value", "important_develop", "general_develop",
        "important_retain", "general_retain", "important_winback", "general_winback"]
    assert set(got["cn_class"]) == set(CN_CLASSES)


def test_cn_bad_parameters():
    with pytest.raises(ParameterError) as err:
        assign_cn_classes(_four(), "average")
    assert str(err.value) == ("The 'cn_split' parameter must be one of mean, median, threshold. "
                              "Got 'average' instead.")
    with pytest.raises(ParameterError, match="'cn_thresholds' parameter"):
        assign_cn_classes(_four(), "threshold")
    with pytest.raises(ParameterError, match="'cn_thresholds' parameter"):
        assign_cn_classes(_four(), "threshold", {"recency_days": 1, "frequency": 1})


def _segmented() -> pd.DataFrame:
    return pd.DataFrame({
        "segment": ["champions", "champions", "lost", "at_risk"],
        "recency_days": [1, 3, 400, 200],
        "frequency": [2, 4, 0, 1],
        "monetary": [100.0, 300.0, 0.0, 100.0],
    })


def test_segment_summary_hand_computed():
    got = segment_summary(_segmented())
    assert got["segment"].tolist() == list(SEGMENTS)  # every segment, canonical order
    rows = got.set_index("segment")
    # champions: 2 of 4 customers, 400 of 500 revenue, means 2 days, 3 purchases, 200
    assert rows.loc["champions"].tolist() == [2, 0.5, 400.0, 0.8, 2.0, 3.0, 200.0]
    assert rows.loc["lost"].tolist() == [1, 0.25, 0.0, 0.0, 400.0, 0.0, 0.0]
    assert rows.loc["at_risk"].tolist() == [1, 0.25, 100.0, 0.2, 200.0, 1.0, 100.0]
    assert rows.loc["loyal"].tolist() == [0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    assert got["customer_share"].sum() == pytest.approx(1.0)
    assert got["revenue_share"].sum() == pytest.approx(1.0)


def test_segment_summary_cn_classes_and_extra_groups():
    frame = assign_cn_classes(_four())
    got = segment_summary(frame, by="cn_class")
    assert got["cn_class"].tolist() == list(CN_CLASSES)
    assert got["customers"].sum() == 4
    other = _segmented().assign(segment=["champions", "champions", "lost", "mystery"])
    assert segment_summary(other)["segment"].tolist() == list(SEGMENTS) + ["mystery"]


def test_compare_summaries():
    now = segment_summary(_segmented())
    before = segment_summary(pd.DataFrame({
        "segment": ["champions", "loyal", "loyal", "lost"], "recency_days": [1, 2, 3, 500],
        "frequency": [1, 1, 1, 0], "monetary": [50.0, 25.0, 25.0, 0.0]}))
    got = compare_summaries(now, before).set_index("segment")
    assert got.loc["champions", ["customers_before", "customers_now"]].tolist() == [1, 2]
    assert got.loc["champions", "change"] == pytest.approx(1.0)   # 2 / 1 - 1
    assert got.loc["loyal", "change"] == pytest.approx(-1.0)      # 0 / 2 - 1
    assert got.loc["lost", "change"] == pytest.approx(0.0)
    assert np.isnan(got.loc["at_risk", "change"])                 # nobody before
    assert got.loc["champions", "revenue_share_before"] == pytest.approx(0.5)
    assert got.loc["champions", "revenue_share_now"] == pytest.approx(0.8)
    assert len(got) == len(SEGMENTS)




def _drawn(ax) -> int:
    return len(ax.patches) + len(ax.collections) + len(ax.images) + len(ax.lines)


def test_plot_segments_smoke(ax):
    summary = segment_summary(_segmented())
    assert plot_segments(summary, ax=ax, language="en") is ax
    assert _drawn(ax) > 0 and ax.get_title()
    assert [t.get_text() for t in ax.get_yticklabels()][0] == "Champions"
    fig, ax2 = plt.subplots()
    plot_segments(segment_summary(assign_cn_classes(_four()), by="cn_class"), ax=ax2)
    assert [t.get_text() for t in ax2.get_yticklabels()][0] == "重要价值客户"


def test_plot_rfm_grid_smoke(ax):
    scored = assign_segments(rfm_scores(_ten()))
    assert plot_rfm_grid(scored, ax=ax, language="en") is ax
    assert _drawn(ax) > 0 and ax.get_title()
    assert any("Champions" in t.get_text() for t in ax.texts)


def test_plot_segment_change_smoke(ax):
    now = segment_summary(_segmented())
    comparison = compare_summaries(now, now)
    assert plot_segment_change(comparison, ax=ax, language="zh") is ax
    assert _drawn(ax) > 0 and ax.get_title()


def test_f_and_m_are_scored_among_the_customers_active_in_the_window():
    # two lapsed customers (no purchase in the window: frequency 0, monetary 0) and five active
    # ones with frequencies 1..5: the active five take the five F scores 1..5 among themselves
    # (rank r of 5 -> ceil(5 r / 5) = r); the lapsed get F = M = 1 instead of filling the bottom
    rfm = pd.DataFrame({"customer_id": list("abcdefg"),
                        "recency_days": [400, 500, 1, 2, 3, 4, 5],
                        "frequency": [0, 0, 1, 2, 3, 4, 5],
                        "monetary": [0.0, 0.0, 10.0, 20.0, 30.0, 40.0, 50.0]})
    s = rfm_scores(rfm).set_index("customer_id")
    assert s["f_score"].tolist() == [1, 1, 1, 2, 3, 4, 5]
    assert s["m_score"].tolist() == [1, 1, 1, 2, 3, 4, 5]
    # a one-time buyer of last week is New (R 5, FM 1), not pushed into another cell
    assert assign_segments(s).loc["c", "segment"] == "new"
