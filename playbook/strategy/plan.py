"""The action plan: who each rule targets, what it is worth, and next period's KPI targets.

Targets (``select_targets``)
    A rule applies when its trigger holds: a segment / lifecycle / price_tier / cn_class trigger
    picks the customers whose ``segment`` / ``lifecycle_stage`` / ``price_tier`` / ``cn_class``
    is listed; a flag trigger applies only when a raised flag's id matches one of its patterns
    (``fnmatch``, case-sensitive; a plain id matches itself only) and then picks every customer.
    ``when.customers`` narrows further (all its conditions must hold; age = ``year`` minus
    ``birth_year``, else the ``age`` column; a customer without an age never matches). A
    condition on a column the customers table lacks matches nobody.
    Each target's ``expected_loss = clv x churn_probability`` (a missing value counts 0). The
    targets are sorted by expected loss, highest first (ties by customer_id); ``max_customers``
    keeps the first ones; then ``holdout`` sets aside a share of them as a control group, picked
    by a fixed hash of (action id, customer_id), so the same customer lands on the same side in
    every run. The holdout customers are neither contacted nor counted below.

Value (``prioritize``), per action with n contacted customers::

    value_at_stake = sum(clv x churn_probability)     expected_saved = value_at_stake x save_rate
    cost = fixed_cost + cost_per_customer x n          net_value = expected_saved - cost

Actions that target nobody (flag not raised, or no matching customer) are left out and listed,
with the reason, in ``actions.attrs["not_triggered"]``. The rest are ranked by net value
(highest first, ties by id); ``priority`` is the rank from 1.

KPI targets (``kpi_targets``): baselines come from this period's findings metrics per the
``source`` column of ``rulebook.KPIS`` (e.g. active_customers <- trends metric ``active``); a KPI
whose metric is missing is left out. With s = +1 for an up KPI and -1 for a down one::

    change: target = baseline + s x change x |baseline|
    points: target = baseline + s x points    (for share KPIs: points / 100)
    no rule: target = baseline

and the target is clipped to the KPI's range (shares 0..1, NPS -100..100, CSAT 1..5, counts,
money and complaints >= 0).
"""
from __future__ import annotations

import json
import math
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..findings import plain
from ..periods import Period
from .rulebook import KPIS, ActionRule, CustomerFilter, Rulebook

TARGET_COLUMNS = ("customer_id", "segment", "lifecycle_stage", "price_tier", "clv",
                  "churn_probability", "expected_loss")
FILTER_COLUMNS = {"segment": "segment", "lifecycle": "lifecycle_stage",
                  "price_tier": "price_tier", "cn_class": "cn_class"}
ACTION_COLUMNS = ("id", "name", "priority", "trigger", "customers", "holdout", "export",
                  "channel", "save_rate", "cost_per_customer", "fixed_cost", "value_at_stake",
                  "expected_saved", "cost", "net_value", "kpi", "expected_effect")


def matching_flags(patterns: list[str] | None, flags: list[dict]) -> list[str]:
    """Ids of the raised flags matching any of the patterns (sorted, each once)."""
    ids = {str(f.get("id", "")) for f in flags or []}
    return sorted(i for i in ids if any(fnmatchcase(i, p) for p in patterns or []))


def _in(customers: pd.DataFrame, column: str, values: list[str]) -> pd.Series:
    if column not in customers.columns:
        return pd.Series(False, index=customers.index)
    return customers[column].astype("object").isin(values)


def _filter(customers: pd.DataFrame, f: CustomerFilter, year: int | None) -> pd.Series:
    mask = pd.Series(True, index=customers.index)
    for key, column in FILTER_COLUMNS.items():
        values = getattr(f, key)
        if values is not None:
            mask &= _in(customers, column, values)
    if f.age_below is not None:
        age = pd.Series(np.nan, index=customers.index)
        if "birth_year" in customers.columns and year is not None:
            age = year - pd.to_numeric(customers["birth_year"], errors="coerce").astype("float64")
        if "age" in customers.columns:
            age = age.fillna(pd.to_numeric(customers["age"], errors="coerce").astype("float64"))
        mask &= (age < f.age_below).fillna(False).astype(bool)
    return mask


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object" if c in TARGET_COLUMNS[:4] else "float64")
                         for c in TARGET_COLUMNS})


def select_targets(customers: pd.DataFrame, rule: ActionRule, flags: list[dict],
                   year: int | None = None) -> pd.DataFrame:
    """The customers the rule contacts (see the module docstring); empty if it does not apply.

    ``attrs``: ``holdout`` (customers kept aside), ``flags`` (matched flag ids)."""
    when = rule.when
    matched = matching_flags(when.flag, flags) if when.kind == "flag" else []
    if when.kind == "flag":
        if not matched:
            out = _empty()
            out.attrs.update(holdout=0, flags=[])
            return out
        mask = pd.Series(True, index=customers.index)
    else:
        mask = _in(customers, FILTER_COLUMNS[when.kind], getattr(when, when.kind))
    mask &= _filter(customers, when.customers, year)
    sel = customers.loc[mask]
    out = pd.DataFrame({"customer_id": sel["customer_id"].astype("str")}, index=sel.index)
    for c in TARGET_COLUMNS[1:4]:
        if c in sel.columns:
            out[c] = sel[c].astype("object")
    for c in ("clv", "churn_probability"):
        out[c] = (pd.to_numeric(sel[c], errors="coerce").astype("float64") if c in sel.columns
                  else np.nan)
    out["expected_loss"] = out["clv"].fillna(0.0) * out["churn_probability"].fillna(0.0)
    out = out.sort_values(["expected_loss", "customer_id"], ascending=[False, True])
    if rule.max_customers is not None:
        out = out.head(rule.max_customers)
    held = 0
    if rule.holdout > 0 and len(out):
        h = pd.util.hash_pandas_object(rule.id + ":" + out["customer_id"], index=False)
        keep = (h.to_numpy() / 2.0 ** 64) >= rule.holdout
        held = int((~keep).sum())
        out = out[keep]
    out = out.reset_index(drop=True)
    out.attrs.update(holdout=held, flags=matched)
    return out


def prioritize(rulebook: Rulebook, customers: pd.DataFrame, flags: list[dict],
               language: str = "zh", year: int | None = None
               ) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """The actions that target someone, valued and ranked, and each one's targets."""
    rows, targets, skipped = [], {}, []
    for rule in rulebook.actions:
        t = select_targets(customers, rule, flags, year)
        if t.empty:
            why = ("flag not raised" if rule.when.kind == "flag" and not t.attrs["flags"]
                   else "no customer matches")
            skipped.append({"id": rule.id, "reason": why})
            continue
        n = len(t)
        stake = float((t["clv"].fillna(0.0) * t["churn_probability"].fillna(0.0)).sum())
        saved = stake * rule.save_rate
        cost = rule.fixed_cost + rule.cost_per_customer * n
        trigger = rule.when.describe()
        if rule.when.kind == "flag":
            narrow = rule.when.customers.describe()
            trigger = "flag=" + ",".join(t.attrs["flags"]) + (f"; {narrow}" if narrow else "")
        rows.append({
            "id": rule.id, "name": rule.name.get(language), "trigger": trigger, "customers": n,
            "holdout": t.attrs["holdout"], "export": f"exports/actions_{rule.id}.csv",
            "channel": rule.channel.get(language), "save_rate": rule.save_rate,
            "cost_per_customer": rule.cost_per_customer, "fixed_cost": rule.fixed_cost,
            "value_at_stake": stake, "expected_saved": saved, "cost": cost,
            "net_value": saved - cost, "kpi": rule.kpi,
            "expected_effect": rule.expected_effect.get(language)})
        targets[rule.id] = t
    frame = pd.DataFrame(rows, columns=[c for c in ACTION_COLUMNS if c != "priority"])
    frame = frame.sort_values(["net_value", "id"], ascending=[False, True], ignore_index=True)
    frame.insert(2, "priority", np.arange(1, len(frame) + 1))
    frame.attrs["not_triggered"] = skipped
    return frame, targets


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def kpi_baselines(metrics_by_stage: dict[str, dict]) -> dict[str, float]:
    """{kpi_id: this period's value} from each stage's metrics (or whole findings dict)."""
    out = {}
    for kpi, d in KPIS.items():
        stage, metric = d["source"].split(".", 1)
        metrics = metrics_by_stage.get(stage) or {}
        if isinstance(metrics.get("metrics"), dict):
            metrics = metrics["metrics"]
        value = _number(metrics.get(metric))
        if value is not None:
            out[kpi] = value
    return out


def kpi_targets(baselines: dict[str, float], rulebook: Rulebook,
                language: str = "zh") -> list[dict]:
    """One dict per KPI with a baseline (``KPIS`` order): id, name, unit, baseline, target,
    direction, source."""
    out = []
    for kpi, d in KPIS.items():
        if kpi not in baselines:
            continue
        base, sign = float(baselines[kpi]), 1.0 if d["direction"] == "up" else -1.0
        rule = rulebook.kpi_targets.get(kpi)
        target = base
        if rule is not None and rule.change is not None:
            target = base + sign * rule.change * abs(base)
        elif rule is not None:
            target = base + sign * rule.points / (100.0 if d["unit"] == "share" else 1.0)
        if d["low"] is not None:
            target = max(target, d["low"])
        if d["high"] is not None:
            target = min(target, d["high"])
        out.append({"id": kpi, "name": d["en" if language == "en" else "zh"], "unit": d["unit"],
                    "baseline": base, "target": round(target, 10),
                    "direction": d["direction"], "source": d["source"]})
    return out


def _label(p: Period | str) -> str:
    return p.label if isinstance(p, Period) else str(p)


def build_plan(unit: str, period: Period | str, next_period: Period | str, language: str,
               currency: str, kpis: list[dict], actions: pd.DataFrame | list[dict]) -> dict:
    """The plan.json document (the contract's keys). Pass the actions to recommend, e.g.
    ``actions.head(rulebook.top_actions)``."""
    if isinstance(actions, pd.DataFrame):
        actions = actions.to_dict(orient="records")
    return plain({"unit": unit, "period": _label(period), "next_period": _label(next_period),
                  "language": language, "currency": currency, "kpis": list(kpis),
                  "actions": [{k: a.get(k) for k in ACTION_COLUMNS if k in a} for a in actions]})


def write_plan(path: str | Path, plan: dict) -> Path:
    """Write plan.json atomically (UTF-8, Chinese kept readable)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(plain(plan), ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(path)
    return path


def read_plan(path: str | Path) -> dict | None:
    """A plan written by ``write_plan``; None when there is none (e.g. the first review)."""
    path = Path(path)
    if not path.is_file():
        return None
    try:
        plan = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: last period's plan is not valid JSON ({exc}).") from None
    if not isinstance(plan, dict):
        raise InputError(f"{path}: last period's plan must be a JSON object.")
    return plan
