"""Stage 06's recipe: the unit's cleaned tables in, one dict of results per section out, then the
metrics and flags of ``findings/trends.json``.

Metrics
-------
* This period's ``revenue``, ``orders``, ``active``, ``new``, ``returning``, ``churned``,
  ``retention_rate``, ``aov``, ``frequency``, ``repeat_rate`` and, for revenue, orders, active
  and aov, ``<m>_qoq`` and ``<m>_yoy`` (``series.period_table``); ``<m>_before`` (the previous
  period) for revenue, orders, active, retention_rate and repeat_rate.
* ``forecast_<m>``, ``forecast_<m>_lo``, ``forecast_<m>_hi`` (next period) and
  ``backtest_<m>_mape``, ``backtest_<m>_coverage`` for m in revenue, active.
* ``mix_shifts_flagged`` (how many group × category shares moved beyond the threshold).

Forecast interval
-----------------
ETS's own interval is too narrow on a dozen quarters (the backtest covered 1 of 4 actuals on
the sample), so the interval shown is the wider of the model's and point ± z·RMSE of the
one-step-ahead backtest errors (z for ``forecast_confidence``); ``method`` says which.

Flags
-----
* ``trend_break_<m>`` (revenue, active): this period's value is outside the
  ``break_confidence`` interval of its seasonal expectation (a forecast from the periods
  before); warning, critical when it is also more than 20 % off.
* ``mix_shift_<by>_<group>_<category>``: a category's share of a group's orders moved by at
  least ``mix_shift_alert`` against the baseline period (p < 0.01, both periods with at least
  ``min_group_orders`` orders); critical at twice the threshold. ``by`` is ``all``,
  ``age_band`` or ``customer_type``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..findings import flag
from ..periods import Period
from ..purchases import purchases
from . import forecast as fc_mod
from . import mix as mix_mod
from . import series
from .settings import TrendsSettings

FORECAST_METRICS = ("revenue", "active")
GROUPINGS = ("age_band", "customer_type")


@dataclass(frozen=True)
class Inputs:
    orders: pd.DataFrame
    purchases: pd.DataFrame
    customers: pd.DataFrame | None
    market: pd.DataFrame | None
    period: Period
    periods: list[Period]
    settings: TrendsSettings
    language: str = "zh"
    unit_column: str | None = None

    @property
    def seasonal_periods(self) -> int:
        return {"quarter": 4, "month": 12}.get(self.period.kind, 1)

    @property
    def baseline(self) -> Period:
        ago = self.period.year_ago()
        if self.settings.mix_baseline == "year_ago" and ago is not None:
            return ago
        return self.period.previous()


def make_inputs(tables: dict[str, pd.DataFrame], period: Period, history: int,
                settings: TrendsSettings, language: str = "zh",
                unit_column: str | None = None) -> Inputs:
    orders = tables["orders"]
    orders = orders[orders["order_date"] < period.end_exclusive]
    customers = tables.get("customers")
    if customers is not None and "birth_year" in customers:
        customers = customers.assign(
            age_band=mix_mod.age_band(customers["birth_year"], period.end.year))
    return Inputs(orders=orders, purchases=purchases(orders), customers=customers,
                  market=tables.get("market"), period=period, periods=period.history(history),
                  settings=settings, language=language, unit_column=unit_column)


def series_step(inp: Inputs) -> dict:
    start, end = inp.periods[0].start, inp.period.end
    monthly = series.monthly_table(inp.purchases, start, end, orders=inp.orders)
    return {"table": series.period_table(inp.purchases, inp.periods, orders=inp.orders),
            "monthly": monthly, "profile": series.seasonal_profile(monthly),
            "decomposition": series.decompose(monthly)}


def mix_step(inp: Inputs) -> dict:
    s = inp.settings
    out: dict = {"baseline": inp.baseline.label, "mix": {}, "shifts": {}}
    periods = inp.periods if inp.baseline in inp.periods else [inp.baseline, *inp.periods]
    groupings = [None, *[g for g in GROUPINGS
                         if inp.customers is not None and g in inp.customers]]
    for by in groupings:
        key = by or "all"
        mix = mix_mod.category_mix(inp.orders, periods, by=by, customers=inp.customers)
        out["mix"][key] = mix
        if mix.empty or inp.baseline.label not in set(mix["period"]):
            continue
        out["shifts"][key] = mix_mod.mix_shifts(mix, inp.period, inp.baseline, by=by,
                                                threshold=s.mix_shift_alert,
                                                min_orders=s.min_group_orders)
    return out


def groups_step(inp: Inputs) -> dict:
    if inp.customers is None or "price_tier" not in inp.customers:
        return {"skipped": "customers.price_tier (03_segment)"}
    tiers = inp.customers.set_index(inp.customers["customer_id"].astype("str"))["price_tier"]
    return {"frequency": series.group_frequency(inp.purchases, tiers.dropna(), inp.periods)}


def _widen(fc: dict, bt: pd.DataFrame, confidence: float) -> dict:
    err = bt["error"].dropna().to_numpy(float) if "error" in bt else np.empty(0)
    if len(err) < 2:
        return fc
    half = stats.norm.ppf(0.5 + confidence / 2) * float(np.sqrt(np.mean(err ** 2)))
    point, lo, hi = (np.asarray(fc[k], float) for k in ("point", "lo", "hi"))
    wider = (point - half < lo) | (point + half > hi)
    out = dict(fc, lo=list(np.minimum(lo, point - half)), hi=list(np.maximum(hi, point + half)))
    if wider.any():
        out["method"] = f"{fc['method']} + backtest RMSE interval"
    return out


def forecast_step(inp: Inputs, s: dict) -> dict:
    st, m = inp.settings, inp.seasonal_periods
    table = s["table"].set_index("period")
    out: dict = {}
    for metric in FORECAST_METRICS:
        values = table[metric].astype(float)
        values = values[values.index.isin([p.label for p in inp.periods])]
        values = values.loc[values.ne(0).idxmax():] if values.ne(0).any() else values
        bt = fc_mod.backtest(values, n_last=st.backtest_periods, seasonal_periods=m,
                             confidence=st.forecast_confidence)
        fc = _widen(fc_mod.fit_forecast(values, 1, m, st.forecast_confidence), bt,
                    st.forecast_confidence)
        out[metric] = {"values": values, "forecast": fc, "backtest": bt,
                       "summary": fc_mod.backtest_summary(bt),
                       "break": fc_mod.seasonal_break(values, m, st.break_confidence)}
    return out


# --- findings ------------------------------------------------------------------------------
def metrics(inp: Inputs, s: dict, mx: dict, fc: dict) -> dict:
    m: dict = {}
    table = s["table"].set_index("period")
    if inp.period.label in table.index:
        row = table.loc[inp.period.label]
        for col in table.columns:
            m[col] = row[col]
        before = inp.period.previous().label
        if before in table.index:
            for col in ("revenue", "orders", "active", "retention_rate", "repeat_rate"):
                m[f"{col}_before"] = table.loc[before, col]
    for metric, f in fc.items():
        m[f"forecast_{metric}"] = f["forecast"]["point"][0]
        m[f"forecast_{metric}_lo"] = f["forecast"]["lo"][0]
        m[f"forecast_{metric}_hi"] = f["forecast"]["hi"][0]
        m[f"backtest_{metric}_mape"] = f["summary"]["mape"]
        m[f"backtest_{metric}_coverage"] = f["summary"]["coverage"]
    m["mix_shifts_flagged"] = int(sum(t["flagged"].sum() for t in mx["shifts"].values()))
    return m


def _tr(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


METRIC_NAMES = {"zh": {"revenue": "销售额", "active": "活跃客户数"},
                "en": {"revenue": "revenue", "active": "active customers"}}
BY_NAMES = {"zh": {"all": "全部客户", "age_band": "年龄段", "customer_type": "客户类型"},
            "en": {"all": "all customers", "age_band": "age band", "customer_type": "customer type"}}


def flags(inp: Inputs, mx: dict, fc: dict) -> list[dict]:
    lang, s, out = inp.language, inp.settings, []
    for metric, f in fc.items():
        b = f["break"]
        if not b.get("outside"):
            continue
        off = b["actual"] / b["expected"] - 1 if b["expected"] else np.nan
        sev = "critical" if abs(off) > 0.2 else "warning"
        name = METRIC_NAMES[lang][metric]
        out.append(flag(f"trend_break_{metric}", sev, _tr(
            lang,
            f"{inp.period.label} {name} {b['actual']:,.0f}，偏离季节性预期 {b['expected']:,.0f}"
            f"（{100 * off:+.0f}%，区间 {b['lo']:,.0f}–{b['hi']:,.0f}）。",
            f"{inp.period.label} {name} was {b['actual']:,.0f}, outside its seasonal "
            f"expectation of {b['expected']:,.0f} ({100 * off:+.0f}%, interval "
            f"{b['lo']:,.0f}–{b['hi']:,.0f})."),
            metric=metric, actual=b["actual"], expected=b["expected"], lo=b["lo"], hi=b["hi"]))
    for by, table in mx["shifts"].items():
        col = by if by != "all" else None
        for _, r in table[table["flagged"]].iterrows():
            group = str(r[col]) if col else "all"
            sev = "critical" if abs(r["change"]) >= 2 * s.mix_shift_alert else "warning"
            who = BY_NAMES[lang][by] + ("" if by == "all" else f" {group}")
            out.append(flag(f"mix_shift_{by}_{group}_{r['category']}", sev, _tr(
                lang,
                f"{who}的订单中「{r['category']}」占比从 {100 * r['share_baseline']:.1f}% "
                f"（{mx['baseline']}）变为 {100 * r['share_now']:.1f}%"
                f"（{100 * r['change']:+.1f} 个百分点）。",
                f"{who[0].upper() + who[1:]}: '{r['category']}' went from "
                f"{100 * r['share_baseline']:.1f}% ({mx['baseline']}) to "
                f"{100 * r['share_now']:.1f}% of orders ({100 * r['change']:+.1f} points)."),
                by=by, group=group, category=r["category"], share_now=r["share_now"],
                share_baseline=r["share_baseline"], change=r["change"], p_value=r["p_value"]))
    order = {"critical": 0, "warning": 1, "info": 2}
    return sorted(out, key=lambda f: (order[f["severity"]],
                                      -abs(f["evidence"].get("change") or 0)))
