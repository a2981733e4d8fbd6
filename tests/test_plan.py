"""The action plan: targets, value arithmetic by hand, KPI targets, plan.json round trip."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from playbook.errors import InputError
from playbook.periods import parse_period
from playbook.strategy.plan import (
    build_plan,
    kpi_baselines,
    kpi_targets,
    matching_flags,
    prioritize,
    read_plan,
    select_targets,
    write_plan,
)
from playbook.strategy.rulebook import ActionRule, Rulebook, load_rulebook

TEXT = {"zh": "文", "en": "text"}


def _rule(id, when, save_rate, cost_per_customer, fixed_cost, **kw) -> dict:
    return {"id": id, "name": {"zh": f"{id}中", "en": f"{id} en"}, "when": when,
            "channel": TEXT, "expected_effect": TEXT, "kpi": "retention_rate",
            "save_rate": save_rate, "cost_per_customer": cost_per_customer,
            "fixed_cost": fixed_cost, **kw}


VIP = _rule("vip", {"segment": ["champions"]}, 0.1, 50, 20)
WINBACK = _rule("winback", {"segment": ["cant_lose"]}, 0.2, 10, 100)
SERVICE = _rule("service", {"flag": "aspect_drop_*",
                            "customers": {"lifecycle": ["repeat", "loyal", "at_risk"],
                                          "age_below": 27}}, 0.05, 1, 0)


def _customers() -> pd.DataFrame:
    # expected loss = clv x churn_probability: C1 200, C2 250, C3 1200, C4 0 (clv missing)
    return pd.DataFrame({
        "customer_id": ["C1", "C2", "C3", "C4"],
        "name": ["张三", "李四", "王五", "赵六"],
        "segment": ["champions", "champions", "cant_lose", "cant_lose"],
        "lifecycle_stage": ["loyal", "repeat", "at_risk", "at_risk"],
        "price_tier": ["premium", "mainstream", "price_sensitive", "price_sensitive"],
        "clv": [1000.0, 500.0, 2000.0, np.nan],
        "churn_probability": [0.2, 0.5, 0.6, 0.9],
        "birth_year": pd.array([2000, 1980, 1999, pd.NA], dtype="Int64"),  # ages 26, 46, 27, ?
        "age": [np.nan, np.nan, np.nan, 25.0],
    })


def _book(*rules, **kw) -> Rulebook:
    return Rulebook.model_validate({"actions": list(rules), **kw})


def test_prioritize_arithmetic_by_hand():
    actions, targets = prioritize(_book(VIP, WINBACK), _customers(), [], language="en")
    # winback: stake 2000*0.6 + 0 = 1200, saved 240, cost 100 + 10*2 = 120, net +120
    # vip:     stake 200 + 250 = 450,      saved 45,  cost 20 + 50*2 = 120,  net -75
    assert list(actions["id"]) == ["winback", "vip"]
    assert list(actions["priority"]) == [1, 2]
    w, v = actions.iloc[0], actions.iloc[1]
    assert (w.customers, w.value_at_stake, w.expected_saved, w.cost, w.net_value) == \
        (2, pytest.approx(1200), pytest.approx(240), pytest.approx(120), pytest.approx(120))
    assert (v.customers, v.value_at_stake, v.expected_saved, v.cost, v.net_value) == \
        (2, pytest.approx(450), pytest.approx(45), pytest.approx(120), pytest.approx(-75))
    # the assumptions stay visible
    assert (v.save_rate, v.cost_per_customer, v.fixed_cost) == (0.1, 50, 20)
    assert v.trigger == "segment=champions" and v.export == "exports/actions_vip.csv"
    assert v["name"] == "vip en" and v.kpi == "retention_rate"
    # targets: ids plus non-personal columns, highest expected loss first
    assert list(targets["vip"]["customer_id"]) == ["C2", "C1"]
    assert list(targets["vip"]["expected_loss"]) == pytest.approx([250, 200])
    assert "name" not in targets["vip"].columns and "birth_year" not in targets["vip"].columns
    assert list(targets["winback"]["customer_id"]) == ["C3", "C4"]


def test_max_customers_keeps_the_highest_expected_loss():
    capped = dict(VIP, max_customers=1)
    actions, targets = prioritize(_book(capped), _customers(), [])
    assert list(targets["vip"]["customer_id"]) == ["C2"]  # loss 250 beats C1's 200
    a = actions.iloc[0]
    # stake 250, saved 25, cost 20 + 50 = 70, net -45
    assert (a.customers, a.value_at_stake, a.expected_saved, a.cost, a.net_value) == \
        (1, pytest.approx(250), pytest.approx(25), pytest.approx(70), pytest.approx(-45))


def test_flag_triggered_action_only_when_its_flag_is_raised():
    book = _book(WINBACK, SERVICE)
    cust = _customers()
    actions, targets = prioritize(book, cust, [{"id": "complaints_rising"}], year=2026)
    assert list(actions["id"]) == ["winback"] and "service" not in targets
    assert actions.attrs["not_triggered"] == [{"id": "service", "reason": "flag not raised"}]
    flags = [{"id": "aspect_drop_after_sales", "severity": "warning"}, {"id": "churn_high"}]
    actions, targets = prioritize(book, cust, flags, year=2026)
    # ages 26, 46, 27, 25 (age column): under 27 and repeat/loyal/at_risk -> C1 and C4
    assert list(targets["service"]["customer_id"]) == ["C1", "C4"]
    row = actions.set_index("id").loc["service"]
    assert row.trigger == ("flag=aspect_drop_after_sales; lifecycle=repeat,loyal,at_risk; "
                           "age_below=27")
    # stake 200 + 0, saved 10, cost 0 + 1*2, net 8
    assert (row.value_at_stake, row.cost, row.net_value) == (200, 2, pytest.approx(8))
    # without a year only the age column is known: C4 alone
    t = select_targets(cust, ActionRule.model_validate(SERVICE), flags)
    assert list(t["customer_id"]) == ["C4"]


def test_matching_flags_is_fnmatch_on_ids():
    flags = [{"id": "aspect_drop_price"}, {"id": "aspect_drop_after_sales"}, {"id": "x"}]
    assert matching_flags(["aspect_drop_*"], flags) == ["aspect_drop_after_sales",
                                                       "aspect_drop_price"]
    assert matching_flags(["aspect_drop"], flags) == []
    assert matching_flags(["x", "nothing_*"], flags) == ["x"]


def test_missing_column_matches_nobody_and_empty_targets_have_columns():
    cust = _customers().drop(columns=["price_tier"])
    rule = ActionRule.model_validate(_rule("p", {"price_tier": ["premium"]}, 0.1, 1, 0))
    t = select_targets(cust, rule, [])
    assert t.empty and "customer_id" in t.columns and "expected_loss" in t.columns
    actions, _ = prioritize(_book(rule.model_dump()), cust, [])
    assert actions.empty and actions.attrs["not_triggered"][0]["reason"] == "no customer matches"


def test_holdout_is_deterministic_and_sized():
    n = 2000
    cust = pd.DataFrame({"customer_id": [f"C{i:05d}" for i in range(n)],
                         "segment": "cant_lose", "clv": 100.0, "churn_probability": 0.5})
    rule = ActionRule.model_validate(dict(WINBACK, holdout=0.2))
    a, b = select_targets(cust, rule, []), select_targets(cust, rule, [])
    assert a["customer_id"].tolist() == b["customer_id"].tolist()
    assert len(a) + a.attrs["holdout"] == n
    assert 0.17 < a.attrs["holdout"] / n < 0.23
    actions, _ = prioritize(_book(rule.model_dump()), cust, [])
    assert actions.iloc[0].customers == len(a) and actions.iloc[0].holdout == n - len(a)
    assert actions.iloc[0].value_at_stake == pytest.approx(50 * len(a))


def test_kpi_baselines_from_findings_metrics():
    found = kpi_baselines({
        "trends": {"stage": "trends", "metrics": {"revenue": 100.0, "active": 10,
                                                  "retention_rate": None, "repeat_rate": True}},
        "feedback": {"nps": float("nan"), "csat_mean": 4.1, "complaints_per_1000": 3}})
    assert found == {"revenue": 100.0, "active_customers": 10.0, "csat_mean": 4.1,
                     "complaints_per_1000": 3.0}


def test_kpi_targets_relative_absolute_and_down():
    book = _book(VIP, kpi_targets={"revenue": {"change": 0.03}, "retention_rate": {"points": 2},
                                   "complaints_per_1000": {"change": 0.10},
                                   "nps": {"points": 2}, "csat_mean": {"points": 0.1}})
    base = {"revenue": 100000.0, "active_customers": 1000.0, "retention_rate": 0.40,
            "nps": -10.0, "csat_mean": 4.95, "complaints_per_1000": 5.0}
    kpis = {k["id"]: k for k in kpi_targets(base, book, language="en")}
    assert list(kpis) == ["revenue", "active_customers", "retention_rate", "nps", "csat_mean",
                          "complaints_per_1000"]  # repeat_rate: no baseline, left out
    assert kpis["revenue"]["target"] == pytest.approx(103000)
    assert kpis["active_customers"]["target"] == 1000  # no rule: hold the level
    assert kpis["retention_rate"]["target"] == pytest.approx(0.42)  # 2 percentage points
    assert kpis["nps"]["target"] == pytest.approx(-8)
    assert kpis["csat_mean"]["target"] == 5.0  # 5.05 clipped to the scale
    c = kpis["complaints_per_1000"]
    assert c["target"] == pytest.approx(4.5) and c["direction"] == "down"
    assert c["unit"] == "per_1000" and c["source"] == "feedback.complaints_per_1000"
    assert kpis["revenue"]["name"] == "Revenue" and kpis["revenue"]["baseline"] == 100000
    # relative change on a negative NPS still improves it: -10 + 0.1 * 10
    neg = kpi_targets({"nps": -10.0}, _book(VIP, kpi_targets={"nps": {"change": 0.1}}))
    assert neg[0]["target"] == pytest.approx(-9) and neg[0]["name"] == "净推荐值 NPS"


def test_plan_round_trip(tmp_path):
    book = load_rulebook()
    actions, _ = prioritize(_book(VIP, WINBACK), _customers(), [], language="zh")
    kpis = kpi_targets({"revenue": 100.0, "nps": float(12)}, book)
    period = parse_period("2026Q2")
    plan = build_plan("华南", period, period.shift(1), "zh", "CNY", kpis, actions.head(1))
    assert plan["period"] == "2026Q2" and plan["next_period"] == "2026Q3"
    assert [a["id"] for a in plan["actions"]] == ["winback"]
    assert plan["actions"][0]["priority"] == 1 and plan["actions"][0]["name"] == "winback中"
    path = write_plan(tmp_path / "unit" / "plan.json", plan)
    text = path.read_text(encoding="utf-8")
    assert "华南" in text and "\\u" not in text
    assert [p.name for p in path.parent.iterdir()] == ["plan.json"]  # no temp file left
    back = read_plan(path)
    assert back == json.loads(json.dumps(plan)) and back["kpis"][0]["target"] == 103.0
    assert read_plan(tmp_path / "none" / "plan.json") is None
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="not valid JSON"):
        read_plan(tmp_path / "bad.json")


def test_build_plan_writes_nan_as_null():
    plan = build_plan("total", "2026Q2", "2026Q3", "en", "CNY",
                      [{"id": "nps", "baseline": float("nan"), "target": 1.0}], [])
    assert plan["kpis"][0]["baseline"] is None and plan["actions"] == []
