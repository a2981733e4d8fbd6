"""Stage 04's recipe and flags on small hand-made inputs: what is flagged, how severe, and what
is not (a group that only fell with its unit, a chance finding among many groups)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from playbook.feedback import outputs, pipeline
from playbook.feedback.settings import FeedbackSettings
from playbook.periods import parse_period

P, C = parse_period("2026Q3"), parse_period("2026Q2")


def _inp(**kw):
    base = dict(feedback=None, complaints=None, interactions=None, customers=None,
                purchases=None, period=P, comparison=C, periods=P.history(3),
                settings=FeedbackSettings(), language="en")
    base.update(kw)
    return pipeline.Inputs(**base)


def _change(metric, now, before, p, n=500):
    return {"metric": metric, "now": now, "before": before, "change": now - before,
            "p_value": p, "n_now": n, "n_before": n}


def _sat(overall, by=None):
    return {"change": pd.DataFrame(overall), "by_change": by or {}}


def test_overall_drop_severity_follows_its_size():
    sat = _sat([_change("csat_mean", 3.7, 3.96, 1e-9), _change("nps", 20, 25, 0.001),
                _change("csat_top2", 0.7, 0.71, 0.4)])
    fl = {f["id"]: f for f in outputs.satisfaction_flags(_inp(), sat)}
    assert fl["satisfaction_drop_csat_mean"]["severity"] == "critical"   # −0.26 ≤ −0.2
    assert fl["satisfaction_drop_nps"]["severity"] == "warning"          # −5 > −10
    assert "satisfaction_drop_csat_top2" not in fl                       # not significant
    assert "3.96 to 3.70" in fl["satisfaction_drop_csat_mean"]["message"]


def test_group_flag_only_where_the_fall_concentrates():
    overall = [_change("csat_mean", 3.86, 3.91, 0.003), _change("nps", 16, 24, 1e-4),
               _change("csat_top2", 0.71, 0.74, 0.003)]
    rows = []
    for g, (d, p) in {"South": (-0.27, 1e-11), "East": (-0.06, 0.001),
                      "North": (0.01, 0.8)}.items():
        r = _change("csat_mean", 3.9 + d, 3.9, p)
        r["region"] = g
        rows.append(r)
    sat = _sat(overall, {"region": pd.DataFrame(rows)})
    fl = {f["id"]: f for f in outputs.satisfaction_flags(_inp(), sat)}
    assert "satisfaction_drop_region_South" in fl          # −0.27 ≤ 1.5 × −0.05
    assert "satisfaction_drop_region_East" not in fl       # fell with the unit
    ev = fl["satisfaction_drop_region_South"]["evidence"]
    assert ev["p_value"] == pytest.approx(3e-11) and ev["p_raw"] == pytest.approx(1e-11)


def test_bonferroni_keeps_a_chance_finding_among_many_groups_quiet():
    overall = [_change("nps", 25, 25, 0.9)]
    rows = [dict(_change("nps", 25, 25, 0.9), segment=f"s{i}") for i in range(32)]
    rows.append(dict(_change("nps", 2, 30, 0.005, n=40), segment="loyal"))
    sat = _sat(overall, {"segment": pd.DataFrame(rows)})
    assert outputs.satisfaction_flags(_inp(), sat) == []     # 33 × 0.005 > 0.01
    rows[-1]["p_value"] = 1e-5
    sat = _sat(overall, {"segment": pd.DataFrame(rows)})
    assert [f["id"] for f in outputs.satisfaction_flags(_inp(), sat)] == [
        "satisfaction_drop_segment_loyal"]


def test_groups_below_the_minimum_are_never_flagged():
    rows = [dict(_change("nps", 0, 40, 1e-6, n=20), channel="phone")]
    sat = _sat([_change("nps", 25, 25, 0.9)], {"channel": pd.DataFrame(rows)})
    assert outputs.satisfaction_flags(_inp(), sat) == []


def _drv(changes, ip=None):
    ch = pd.DataFrame(changes, columns=["aspect", "now", "before", "n_now", "n_before",
                                        "p_value"])
    ch["change"] = ch["now"] - ch["before"]
    return {"change": ch, "by_change": {}, "ip": ip if ip is not None else pd.DataFrame()}


def test_aspect_drop_thresholds_and_severity():
    drv = _drv([("after_sales", 2.88, 3.86, 600, 600, 1e-70), ("price", 3.4, 3.75, 600, 600, 1e-6),
                ("service", 3.8, 4.0, 600, 600, 1e-4), ("delivery", 3.5, 4.0, 20, 20, 0.01)])
    fl = {f["id"]: f for f in outputs.aspect_flags(_inp(), drv)}
    assert fl["aspect_drop_after_sales"]["severity"] == "critical"   # −0.98 ≤ −0.6
    assert fl["aspect_drop_price"]["severity"] == "warning"          # −0.35
    assert "aspect_drop_service" not in fl                           # −0.2 < 0.3 points
    assert "aspect_drop_delivery" not in fl                          # 4 × 0.01 ≥ alpha
    assert "After-sales" in fl["aspect_drop_after_sales"]["message"]


def test_important_and_weak_aspects():
    ip = pd.DataFrame({"aspect": ["after_sales", "price", "product"],
                       "importance": [0.4, 0.35, 0.25], "performance": [3.0, 3.9, 4.2],
                       "quadrant": ["fix", "fix", "overkill"]})
    fl = {f["id"]: f for f in outputs.aspect_flags(_inp(), _drv([], ip))}
    assert fl["aspect_important_weak_after_sales"]["severity"] == "warning"  # 0.7 below 3.7
    assert fl["aspect_important_weak_price"]["severity"] == "info"     # not 0.2 below the average
    assert "aspect_important_weak_product" not in fl


def _rate(cat, now, before, p, active=1000):
    return {"category": cat, "complaints_now": now, "complaints_before": before,
            "per_1000_now": 1000 * now / active, "per_1000_before": 1000 * before / active,
            "ratio": now / before if before else np.nan, "p_value": p}


def test_complaint_rise_flags():
    comp = {"change": pd.DataFrame([dict(_rate("all", 120, 100, 0.2), group="all")]),
            "change_category": pd.DataFrame([_rate("after-sales", 76, 33, 1e-4),
                                             _rate("delivery", 45, 30, 0.004),
                                             _rate("price", 13, 10, 0.5)]),
            "service": pd.DataFrame({"responded_in_time": [0.95], "resolved_in_time": [0.6]}),
            "churn": pd.DataFrame()}
    fl = {f["id"]: f for f in outputs.complaint_flags(_inp(), comp)}
    assert fl["complaints_rising_after-sales"]["severity"] == "critical"   # ×2.3
    assert "complaints_rising_delivery" not in fl          # ×1.5 but 3 × 0.004 ≥ 0.01
    assert "complaints_rising" not in fl and "complaints_rising_price" not in fl
    assert "service_level_response" not in fl              # 95 % ≥ 90 %
    assert fl["service_level_resolution"]["evidence"]["share"] == pytest.approx(0.6)


def test_callbacks_take_each_customers_latest_answer_by_clv():
    fb = pd.DataFrame({
        "customer_id": ["a", "a", "b", "c", "d"],
        "response_date": pd.to_datetime(["2026-07-01", "2026-08-01", "2026-07-05",
                                         "2026-07-09", "2026-05-01"]),
        "csat": [1, 5, 2, 4, 1], "nps": [0, 10, 8, 6, 0], "clv": [10.0, 10.0, 50.0, 30.0, 99.0],
        "name": ["x"] * 5})
    fb["period"] = pipeline.label_periods(fb["response_date"], [C, P])
    out = pipeline.callbacks(_inp(feedback=fb))
    assert out["customer_id"].tolist() == ["b", "c"]   # a's latest is happy; d answered before
    assert "name" not in out.columns


def test_make_inputs_labels_periods_and_joins_03s_labels():
    fb = pd.DataFrame({"customer_id": ["a", "b"], "csat": [4, 2],
                       "response_date": pd.to_datetime(["2026-06-30 23:59", "2026-07-01 00:00"])})
    cust = pd.DataFrame({"customer_id": ["a", "b"], "segment_label": ["Champions", "At risk"],
                         "region": ["N", "S"], "name": ["x", "y"]})
    inp = pipeline.make_inputs({"feedback": fb, "customers": cust}, P, 2, FeedbackSettings(),
                               "en", "region")
    assert inp.feedback["period"].tolist() == ["2026Q2", "2026Q3"]
    assert inp.feedback["segment_label"].tolist() == ["Champions", "At risk"]
    assert "name" not in inp.feedback.columns and inp.feedback["region"].tolist() == ["N", "S"]
    assert inp.absent == ["complaints", "interactions"]
    assert fb.columns.tolist() == ["customer_id", "csat", "response_date"]  # not mutated
