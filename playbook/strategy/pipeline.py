"""Stage 07's recipe: every stage's findings, 03's customers and the rulebook in; the closed loop
against last period's plan, the ranked actions and next period's plan out.

Last period's plan (``find_previous``)
--------------------------------------
``strategy.previous_run``: ``none``; a run folder; or ``auto``: among the run folders next to
this run's (the same ``--out``), those whose ``run.json`` has the previous period and this unit,
the most recently finished first; the unit's folder there must hold ``plan.json``.

KPI targets
-----------
``plan.kpi_targets`` on next period's expected values (``baselines``): revenue and active
customers from 06's forecast, retention and repeat rate seasonal-naive with this period's
year-on-year change; NPS, CSAT and complaints from this period's value. A quarter's target then
carries its season (Q3 retention is lower than Q2's every year).

Metrics (``findings/strategy.json``)
------------------------------------
``actions`` (triggered), ``customers_targeted``, ``value_at_stake``, ``expected_saved``,
``cost``, ``net_value`` (sums over the triggered actions); ``loop_kpis_total``,
``loop_kpis_met``, ``loop_actions_compared``, ``loop_actions_better`` (contacted customers
bought significantly more often than their control group, p < 0.05). Flags: those of
``strategy.loop.loop_flags``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..periods import Period
from ..purchases import purchases
from . import loop
from . import plan as plan_mod
from .rulebook import Rulebook

STAGES = ("segment", "feedback", "competition", "trends")


@dataclass(frozen=True)
class Previous:
    unit_dir: Path
    plan: dict
    customers: pd.DataFrame | None
    targeted: dict[str, pd.Series]


@dataclass(frozen=True)
class Inputs:
    unit: str
    period: Period
    language: str
    currency: str
    findings: dict[str, dict]
    customers: pd.DataFrame | None
    purchases: pd.DataFrame | None
    rulebook: Rulebook
    rulebook_path: Path
    previous: Previous | None
    previous_note: str = ""
    flags: list[dict] = field(default_factory=list)
    trend_table: pd.DataFrame | None = None  # 06's data/trends_periods.parquet

    def metrics(self) -> dict[str, dict]:
        return {s: d.get("metrics", {}) for s, d in self.findings.items()}


def find_previous(out_root: Path, run_dir: Path, unit: str, period: Period,
                  setting: str, base_dir: Path) -> tuple[Path | None, str]:
    """The unit folder of last period's run holding ``plan.json`` and a note saying where (or
    why none)."""
    before = period.previous().label
    if setting == "none":
        return None, "strategy.previous_run: none"
    candidates = []
    if setting == "auto":
        for rj in sorted(Path(out_root).glob("*/run.json")):
            if rj.parent.resolve() == Path(run_dir).resolve():
                continue
            try:
                rec = json.loads(rj.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if rec.get("period") == before and unit in rec.get("units", {}):
                candidates.append((rec.get("finished", ""), rj.parent, rec))
    else:
        folder = (base_dir / setting).resolve()
        try:
            rec = json.loads((folder / "run.json").read_text(encoding="utf-8"))
            candidates.append((rec.get("finished", ""), folder, rec))
        except (OSError, ValueError):
            return None, f"{folder}/run.json cannot be read"
    for _, folder, rec in sorted(candidates, key=lambda c: c[0], reverse=True):
        unit_dir = folder / rec["units"][unit].get("dir", unit)
        if (unit_dir / "plan.json").is_file():
            return unit_dir, str(unit_dir / "plan.json")
    return None, f"no run of {before} with a plan.json for {unit} in {out_root}"


def load_previous(unit_dir: Path | None) -> Previous | None:
    if unit_dir is None:
        return None
    plan = plan_mod.read_plan(unit_dir / "plan.json")
    if plan is None:
        return None
    cpath = unit_dir / "data" / "customers.parquet"
    customers = pd.read_parquet(cpath) if cpath.is_file() else None
    targeted = {}
    for a in plan.get("actions", []):
        f = unit_dir / (a.get("export") or f"exports/actions_{a['id']}.csv")
        if f.is_file():
            ids = pd.read_csv(f, encoding="utf-8-sig", dtype={"customer_id": "str"})
            targeted[a["id"]] = ids["customer_id"].astype("str")
    return Previous(unit_dir, plan, customers, targeted)


def make_inputs(unit: str, period: Period, language: str, currency: str,
                findings: dict[str, dict], tables: dict[str, pd.DataFrame], rulebook: Rulebook,
                rulebook_path: Path, previous: Previous | None, note: str) -> Inputs:
    """``tables``: orders, customers (03) and trends_periods (06), each when present."""
    orders = tables.get("orders")
    if orders is not None:
        orders = orders[orders["order_date"] < period.end_exclusive]
    flags = [dict(f, stage=s) for s, d in findings.items() for f in d.get("flags", [])]
    return Inputs(unit, period, language, currency, findings, tables.get("customers"),
                  purchases(orders) if orders is not None else None, rulebook, rulebook_path,
                  previous, note, flags, tables.get("trends_periods"))


def loop_step(inp: Inputs) -> dict:
    if inp.previous is None:
        return {"skipped": inp.previous_note}
    prev = inp.previous
    actual = plan_mod.kpi_baselines(inp.metrics())
    card = loop.scorecard(prev.plan, actual)
    effects = (loop.action_effects(prev.plan, prev.targeted, prev.customers, inp.purchases,
                                   inp.period)
               if prev.customers is not None and inp.purchases is not None else pd.DataFrame())
    return {"plan": prev.plan, "source": str(prev.unit_dir), "scorecard": card,
            "effects": effects, "flags": loop.loop_flags(card, effects, inp.language)}


FORECAST_BASELINES = {"revenue": "forecast_revenue", "active_customers": "forecast_active"}
SEASONAL_BASELINES = {"retention_rate": "retention_rate", "repeat_rate": "repeat_rate"}


def seasonal_naive(table: pd.DataFrame | None, column: str, period: Period) -> float | None:
    """Next period's expected value of a seasonal rate: its value a year before next period
    plus this period's change on a year earlier (``v[next−1y] + v[now] − v[now−1y]``)."""
    ago, nxt = period.year_ago(), period.shift(1)
    if table is None or ago is None or column not in table:
        return None
    v = table.set_index("period")[column]
    keys = (nxt.year_ago().label, period.label, ago.label)
    if not all(k in v.index and pd.notna(v[k]) for k in keys):
        return None
    return float(v[keys[0]] + v[keys[1]] - v[keys[2]])


def baselines(inp: Inputs) -> dict[str, float]:
    """Next period's expected KPI values, so that a quarter's target carries its season:
    revenue and active customers from 06's forecast, retention and repeat rate by
    ``seasonal_naive``; the other KPIs (NPS, CSAT, complaints) hold this period's value."""
    out = plan_mod.kpi_baselines(inp.metrics())
    trends = inp.findings.get("trends", {}).get("metrics", {})
    for kpi, metric in FORECAST_BASELINES.items():
        if kpi in out and trends.get(metric) is not None:
            out[kpi] = float(trends[metric])
    for kpi, column in SEASONAL_BASELINES.items():
        expected = seasonal_naive(inp.trend_table, column, inp.period)
        if kpi in out and expected is not None:
            out[kpi] = min(max(expected, 0.0), 1.0)
    return out


def plan_step(inp: Inputs) -> dict:
    if inp.customers is None or "segment" not in inp.customers:
        actions, targets = pd.DataFrame(columns=list(plan_mod.ACTION_COLUMNS)), {}
    else:
        actions, targets = plan_mod.prioritize(inp.rulebook, inp.customers, inp.flags,
                                               inp.language, year=inp.period.end.year)
    kpis = plan_mod.kpi_targets(baselines(inp), inp.rulebook, inp.language)
    nxt = inp.period.shift(1).label
    records = actions.to_dict("records")
    doc = plan_mod.build_plan(inp.unit, inp.period.label, nxt, inp.language, inp.currency,
                              kpis, records)
    return {"actions": actions, "targets": targets, "kpis": kpis, "plan": doc,
            "not_triggered": actions.attrs.get("not_triggered", [])}


def metrics(lp: dict, pl: dict) -> dict:
    a = pl["actions"]
    m = {"actions": len(a), "customers_targeted": int(a["customers"].sum()) if len(a) else 0}
    for col in ("value_at_stake", "expected_saved", "cost", "net_value"):
        m[col] = float(a[col].sum()) if len(a) else 0.0
    if "scorecard" in lp:
        card = lp["scorecard"]
        m["loop_kpis_total"] = int(card["met"].notna().sum())
        m["loop_kpis_met"] = int(card["met"].fillna(False).astype(bool).sum())
        eff = lp["effects"]
        if len(eff):
            compared = eff[eff["control"] > 0]
            m["loop_actions_compared"] = len(compared)
            m["loop_actions_better"] = int(((compared["difference"] > 0)
                                            & (compared["p_value"] < 0.05)).sum())
    return m
