"""Stage 05's recipe: the unit's cleaned tables in, one dict of results per section out, then the
metrics and flags of ``findings/competition.json``.

Metrics
-------
* ``our_share``, ``our_share_change``, ``market_size``, ``market_growth`` (latest period, where
  the market table gives them), ``revenue``.
* Per competitor c: ``<c>_market_share``, ``<c>_price_index``, ``<c>_price_change``,
  ``<c>_share_change``, ``<c>_share_streak``; ``competitors_ahead`` (competitors leading us on
  at least one metric).
* ``price_sensitive_relative_change_cut_regions``, ``…_other_regions``,
  ``price_cut_difference`` (from the link of price cuts with our price-sensitive customers).

Flags
-----
* ``competitor_price_cut_<competitor>[_<unit>]``: a competitor cut its price index by at least
  ``price_cut`` since the previous period; critical when our price-sensitive customers there
  bought significantly less than the rest (relative change ≤ −0.2, p < 0.01), else warning.
* ``competitor_ahead_<competitor>``: leads us on one or more metrics by more than the gap
  thresholds (warning; the evidence lists every lead).
* ``competitor_share_gain_<competitor>``: its market share rose ``share_gain_periods`` periods
  in a row by at least ``min_share_gain`` in all (warning).
* ``market_share_loss``: our share of the market fell by at least half of ``share_gap``
  against the previous period (warning).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..findings import flag
from ..periods import Period
from ..purchases import purchases
from ..segment.pipeline import comparison_period
from . import compare, link, market
from .settings import CompetitionSettings

PS_ALERT = -0.2


@dataclass(frozen=True)
class Inputs:
    orders: pd.DataFrame | None
    feedback: pd.DataFrame | None
    customers: pd.DataFrame | None
    competitors: pd.DataFrame | None
    market: pd.DataFrame | None
    period: Period
    comparison: Period
    periods: list[Period]
    settings: CompetitionSettings
    language: str = "zh"
    unit_column: str | None = None  # set in the total unit, where units can be compared
    absent: list[str] = field(default_factory=list)


def make_inputs(tables: dict[str, pd.DataFrame], period: Period, history: int,
                settings: CompetitionSettings, language: str = "zh",
                unit_column: str | None = None) -> Inputs:
    orders = tables.get("orders")
    if orders is not None:
        orders = orders[orders["order_date"] < period.end_exclusive]
    return Inputs(orders=orders, feedback=tables.get("feedback"),
                  customers=tables.get("customers"), competitors=tables.get("competitors"),
                  market=tables.get("market"), period=period,
                  comparison=comparison_period(period, "previous"), periods=period.history(history),
                  settings=settings, language=language, unit_column=unit_column,
                  absent=[t for t in ("competitors", "market") if tables.get(t) is None])


def thresholds(s: CompetitionSettings) -> dict[str, float]:
    return {"nps": s.nps_gap, "market_share": s.share_gap, "price_index": s.price_gap}


def market_step(inp: Inputs) -> dict:
    labels = [p.label for p in inp.periods]
    kind = inp.period.kind if inp.period.kind in market.KINDS else "quarter"
    ours = market.our_metrics(inp.orders, inp.feedback, labels, kind=kind)
    out: dict = {"ours": ours}
    if inp.market is not None:
        view = market.market_view(inp.market, ours, inp.unit_column)
        out["view"] = view.set_index("period").reindex(labels).dropna(how="all").reset_index()
    return out


def compare_step(inp: Inputs, mk: dict) -> dict:
    if inp.competitors is None:
        return {"skipped": "competitors"}
    s = inp.settings
    ours = mk["ours"]
    if "view" in mk:
        ours = ours.merge(mk["view"][["period", "our_share"]], on="period", how="left")
    pan = compare.panel(inp.competitors, ours, inp.unit_column, market=inp.market)
    labels = [p.label for p in inp.periods]
    pan = pan[pan["period"].isin(labels)]
    gaps = compare.gap_table(pan, inp.period.label, threshold=s.rating_gap,
                             thresholds=thresholds(s))
    return {
        "panel": pan, "gaps": gaps, "leads": compare.leads(gaps),
        "streaks": compare.share_streaks(pan, s.share_gain_periods, s.min_share_gain),
        "moves": compare.price_moves(inp.competitors, inp.period.label, inp.comparison.label,
                                     inp.unit_column, s.price_cut, market=inp.market),
    }


def link_step(inp: Inputs, cmp: dict) -> dict:
    if "skipped" in cmp:
        return {"skipped": "competitors"}
    if inp.customers is None or "price_tier" not in inp.customers or inp.orders is None:
        return {"skipped": "customers.price_tier (03_segment)"}
    shifts = link.region_shift(purchases(inp.orders), inp.customers, inp.period, inp.comparison,
                               inp.unit_column)
    lk = link.price_cut_link(cmp["moves"], shifts, inp.unit_column)
    return {"shifts": shifts, "link": lk, "summary": link.link_summary(lk)}


# --- findings ------------------------------------------------------------------------------
def _safe(v) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


def metrics(inp: Inputs, mk: dict, cmp: dict, lk: dict) -> dict:
    m: dict = {}
    ours = mk["ours"].set_index("period")
    if inp.period.label in ours.index:
        m["revenue"] = ours.loc[inp.period.label, "revenue"]
    view = mk.get("view")
    if view is not None and inp.period.label in set(view["period"]):
        v = view.set_index("period").loc[inp.period.label]
        m.update(our_share=v["our_share"], our_share_change=v["our_share_change"],
                 market_size=v["market_size"], market_growth=v["growth"])
    if "skipped" not in cmp:
        now = cmp["panel"][cmp["panel"]["period"] == inp.period.label].set_index("entity")
        moves = cmp["moves"]
        one = moves if inp.unit_column is None or inp.unit_column not in moves else None
        streak = cmp["streaks"].set_index("competitor")
        for c in now.index:
            if c == compare.OURS:
                continue
            m[f"{c}_market_share"] = now.loc[c, "market_share"]
            m[f"{c}_price_index"] = now.loc[c, "price_index"]
            if one is not None and c in set(one["competitor"]):
                r = one.set_index("competitor").loc[c]
                m[f"{c}_price_change"], m[f"{c}_share_change"] = r["price_change"], r["share_change"]
            if c in streak.index:
                m[f"{c}_share_streak"] = streak.loc[c, "streak"]
        m["competitors_ahead"] = int(cmp["leads"]["competitor"].nunique())
    if "summary" in lk:
        s = lk["summary"]
        m["price_sensitive_relative_change_cut_regions"] = s["mean_relative_change_with_cut"]
        m["price_sensitive_relative_change_other_regions"] = s["mean_relative_change_without_cut"]
        m["price_cut_difference"] = s["difference"]
    return m


def _tr(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def flags(inp: Inputs, mk: dict, cmp: dict, lk: dict) -> list[dict]:
    out: list[dict] = []
    lang, s = inp.language, inp.settings
    if "skipped" not in cmp:
        out += _cut_flags(inp, cmp, lk)
        from ..plots.competition import metric_label

        for c, rows in cmp["leads"].groupby("competitor", sort=True):
            parts = [f"{metric_label(r['metric'], lang)} {_lead_text(r)}" for _, r in rows.iterrows()]
            out.append(flag(f"competitor_ahead_{c}", "warning", _tr(
                lang, f"{c} 在 {len(rows)} 项指标上领先我们：" + "；".join(parts) + "。",
                f"{c} leads us on {len(rows)} metric(s): " + "; ".join(parts) + "."),
                competitor=c, leads={r["metric"]: r["lead"] for _, r in rows.iterrows()}))
        for _, r in cmp["streaks"].iterrows():
            if r["rising"] and r["competitor"] != compare.OURS:
                out.append(flag(f"competitor_share_gain_{r['competitor']}", "warning", _tr(
                    lang,
                    f"{r['competitor']} 的市场份额连续 {int(r['streak'])} 期上升，"
                    f"共 +{100 * r['gain']:.1f} 个百分点，达 {100 * r['share']:.1f}%。",
                    f"{r['competitor']} has gained market share {int(r['streak'])} periods in "
                    f"a row, +{100 * r['gain']:.1f} points to {100 * r['share']:.1f}%."),
                    competitor=r["competitor"], streak=r["streak"], gain=r["gain"],
                    share=r["share"]))
    view = mk.get("view")
    if view is not None and inp.period.label in set(view["period"]):
        v = view.set_index("period").loc[inp.period.label]
        if pd.notna(v["our_share_change"]) and v["our_share_change"] <= -s.share_gap / 2:
            out.append(flag("market_share_loss", "warning", _tr(
                lang, f"我们的市场份额较上期下降 {100 * -v['our_share_change']:.1f} 个百分点，"
                      f"至 {100 * v['our_share']:.1f}%。",
                f"Our market share fell {100 * -v['our_share_change']:.1f} points on the "
                f"previous period, to {100 * v['our_share']:.1f}%."),
                share=v["our_share"], change=v["our_share_change"]))
    order = {"critical": 0, "warning": 1, "info": 2}
    return sorted(out, key=lambda f: order[f["severity"]])


def _lead_text(r: pd.Series) -> str:
    if r["metric"] == "market_share":
        return f"+{100 * r['lead']:.1f}pt"
    if r["metric"] == "price_index":
        return f"−{r['lead']:.2f}"
    return f"+{r['lead']:.1f}" if r["metric"] == "nps" else f"+{r['lead']:.2f}"


def _cut_flags(inp: Inputs, cmp: dict, lk: dict) -> list[dict]:
    lang, out = inp.language, []
    table = lk.get("link") if "link" in lk else None
    moves = cmp["moves"]
    uc = inp.unit_column if inp.unit_column and inp.unit_column in moves else None
    for _, r in moves[moves["cut"].fillna(False).astype(bool)].iterrows():
        unit = str(r[uc]) if uc else None
        ps = None
        if table is not None and not table.empty:
            rows = table[(table["competitor"] == r["competitor"]) & table["cut"]]
            if unit is not None:
                rows = rows[rows["region"] == unit]
            ps = rows.iloc[0] if len(rows) else None
        hit = (ps is not None and pd.notna(ps["ps_relative_change"])
               and ps["ps_relative_change"] <= PS_ALERT and ps["p_value"] < 0.01)
        where = _tr(lang, f"{unit}：" if unit else "", f"{unit}: " if unit else "")
        msg = _tr(lang,
                  f"{where}{r['competitor']} 降价，价格指数 {r['price_before']:.2f} → "
                  f"{r['price_now']:.2f}，份额 {100 * r['share_before']:.1f}% → "
                  f"{100 * r['share_now']:.1f}%。",
                  f"{where}{r['competitor']} cut prices: price index {r['price_before']:.2f} → "
                  f"{r['price_now']:.2f}, share {100 * r['share_before']:.1f}% → "
                  f"{100 * r['share_now']:.1f}%.")
        if hit:
            msg += _tr(lang,
                       f"同期我们的价格敏感型客户购买频次下降 {100 * -ps['ps_change']:.0f}%，"
                       f"比其他客户多降 {100 * -ps['ps_relative_change']:.0f}%。",
                       f" In the same period our price-sensitive customers bought "
                       f"{100 * -ps['ps_change']:.0f}% less often, "
                       f"{100 * -ps['ps_relative_change']:.0f}% more than the rest.")
        out.append(flag(
            f"competitor_price_cut_{r['competitor']}" + (f"_{unit}" if unit else ""),
            "critical" if hit else "warning", msg, competitor=r["competitor"], unit=unit,
            price_change=r["price_change"], share_change=r["share_change"],
            price_sensitive_change=_safe(ps["ps_change"]) if ps is not None else None,
            price_sensitive_relative_change=(_safe(ps["ps_relative_change"])
                                             if ps is not None else None),
            p_value=_safe(ps["p_value"]) if ps is not None else None))
    return out


