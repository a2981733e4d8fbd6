"""What stage 03 hands on: restoring the cleaned customers, the export frame and the flags."""
from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from playbook.periods import parse_period
from playbook.segment import outputs
from playbook.segment.pipeline import comparison_period
from playbook.segment.settings import SegmentSettings

Q3 = parse_period("2026Q3")


def _inp(**settings):
    return SimpleNamespace(settings=SegmentSettings(**settings), period=Q3,
                           comparison=Q3.previous(), language="en")


def test_restore_customers_undoes_the_scores():
    cleaned = pd.DataFrame({"customer_id": ["a", "b"], "name": ["A*", "B*"], "city": ["x", "y"]})
    scored = pd.concat([cleaned.assign(known_customer=True, segment=["lost", "new"], clv=[1.0, 2.0]),
                        pd.DataFrame({"customer_id": ["z"], "known_customer": [False],
                                      "segment": ["new"], "clv": [3.0]})], ignore_index=True)
    back = outputs.restore_customers(scored)
    pd.testing.assert_frame_equal(back, cleaned)
    assert outputs.restore_customers(cleaned) is cleaned  # a cleaned table passes through
    only_buyers = scored[~scored["known_customer"]]
    assert outputs.restore_customers(only_buyers) is None  # no customers table was given


def test_export_frame_renames_rounds_and_drops_everything_else():
    table = pd.DataFrame({"customer_id": ["a"], "name": ["A*"], "segment_label": ["Lost"],
                          "cn_label": ["General to win back"], "abc_grade": ["C"],
                          "cluster_label": ["Cluster 2"], "lifecycle_label": ["Churned"],
                          "clv": [12.3456], "churn_probability": [0.123456], "monetary": [5.0]})
    out = outputs.export_frame(table)
    assert list(out.columns) == ["customer_id", "rfm_segment", "rfm_class", "abc_grade",
                                 "cluster", "lifecycle_stage", "clv", "churn_probability"]
    assert out.loc[0, "clv"] == 12.35 and out.loc[0, "churn_probability"] == 0.1235


def test_at_risk_flag_uses_the_share_against_a_year_ago():
    # share 10 % now against 8 % a year ago: +25 %, not above the 25 % alert -> no flag
    m = {"at_risk_share_now": 0.10, "at_risk_share_before": 0.05, "at_risk_share_year_ago": 0.08,
         "at_risk_value_now": 1000.0}
    assert outputs._at_risk_flag(_inp(), m) == []
    # 12 % against 8 %: +50 % > 25 % -> warning (critical only above twice the alert, 50 %)
    m["at_risk_share_now"] = 0.12
    [f] = outputs._at_risk_flag(_inp(), m)
    assert f["id"] == "at_risk_value_rising" and f["severity"] == "warning"
    assert f["evidence"]["change"] == pytest.approx(0.5)
    assert f["evidence"]["reference"] == "2025Q3"
    # without a year of history the comparison period is the reference: 12 % against 5 %
    del m["at_risk_share_year_ago"]
    [f] = outputs._at_risk_flag(_inp(), m)
    assert f["severity"] == "critical" and f["evidence"]["reference"] == "2026Q2"


def test_a_valuable_segment_shrinking_is_flagged():
    assert outputs._shrink(_inp(), "champions", "Champions", 100, 91, 0.10) == []  # -9 %
    [f] = outputs._shrink(_inp(), "champions", "Champions", 100, 85, 0.10)  # -15 %
    assert f["id"] == "segment_shrinking_champions" and f["severity"] == "warning"
    assert "100 to 85" in f["message"]
    [f] = outputs._shrink(_inp(), "champions", "Champions", 100, 75, 0.10)  # -25 %
    assert f["severity"] == "critical"
    assert outputs._shrink(_inp(), "champions", "Champions", 10, 1, 0.10) == []  # too small


def test_comparison_period():
    assert comparison_period(Q3, "previous").label == "2026Q2"
    assert comparison_period(Q3, "year_ago").label == "2025Q3"
    custom = parse_period({"start": "2026-07-01", "end": "2026-07-10"})
    assert comparison_period(custom, "year_ago").label == "2026-06-21..2026-06-30"


def test_churn_flags_above_the_threshold_and_on_a_rise():
    inp = _inp(churn_alert=0.5, churn_rise_alert=0.1)
    base = {"at_risk_share_now": 0.1, "at_risk_share_before": 0.1, "at_risk_value_now": 1.0}
    empty = {"tables": {}}
    clusters = {"profile": pd.DataFrame({"cluster": [], "description": []})}
    rfm = {"comparison": pd.DataFrame({"segment": [], "customers_before": [], "customers_now": []}),
           "cn_comparison": pd.DataFrame({"cn_class": [], "customers_before": [],
                                          "customers_now": []})}

    def ids(rate, seen):
        m = base | {"expected_churn_rate": rate, "churn_base_rate": seen}
        return [f["id"] for f in outputs.flags(inp, m, rfm, clusters, empty, {})]

    assert ids(0.40, 0.40) == []
    assert ids(0.45, 0.40) == ["churn_rising"]       # 0.45 > 0.40 x 1.1 = 0.44
    assert ids(0.43, 0.40) == []                     # 0.43 < 0.44
    assert ids(0.55, 0.60) == ["churn_high"]         # above 50 %, below this period's
    assert ids(0.70, 0.50) == ["churn_high", "churn_rising"]
