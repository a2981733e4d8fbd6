"""Stage 04's findings: metrics by documented name, and the flags management must act on.

Metrics (``findings/feedback.json``; ``_before`` = the comparison period)
-----------------------------------------------------------------------
* ``responses``, ``responses_before``; ``csat_mean`` (+ ``_lo``/``_hi``), ``csat_top2``
  (+ ``_lo``/``_hi``), ``nps`` (+ ``_lo``/``_hi``), ``promoters``, ``detractors``; for
  ``csat_mean``, ``csat_top2`` and ``nps`` also ``<m>_before``, ``<m>_change`` and ``<m>_p``.
* ``driver_r2``; per aspect a: ``aspect_<a>_mean``, ``aspect_<a>_mean_before``,
  ``aspect_<a>_change``, ``aspect_<a>_p``, ``aspect_<a>_importance`` (share of R²).
* ``complaints``, ``complaints_before``, ``complaints_per_1000``, ``complaints_per_1000_before``;
  per category c: ``complaints_<c>_per_1000``, ``complaints_<c>_per_1000_before``;
  ``responded_in_time``, ``resolved_in_time`` (+ ``_before``), ``median_response_hours``,
  ``median_resolution_hours``, ``repeat_complainer_share``, ``complainer_churn_rate``,
  ``other_churn_rate``.
* ``comments``, ``negative_share``, ``negative_share_before``.
* ``engaged_share``, ``engagement_purchase_lift``; ``callbacks``.

Flags
-----
When a flag picks among several tests (groups of a breakdown, aspects, complaint categories),
its p-value is Bonferroni-adjusted for their number (``p_value`` = min(1, m · p); ``p_raw`` in
the evidence), so that many small groups do not raise flags by chance.

* ``satisfaction_drop_<metric>`` (csat_mean, csat_top2, nps): a significant fall (p < alpha);
  critical when large (CSAT −0.2 points, top-2 −5 points, NPS −10 points), else warning.
* ``satisfaction_drop_<column>_<group>``: the same for one group of the breakdowns (unit,
  segment, lifecycle stage, channel) with at least ``min_responses`` answers in both periods,
  when the fall is concentrated there: the unit as a whole did not fall significantly, or the
  group fell at least 1.5× as much. One flag per group (its most significant metric).
* ``aspect_drop_<aspect>`` (and ``aspect_drop_<aspect>_<unit>`` in the total unit): the mean
  rating fell by at least ``aspect_drop_alert`` points, significantly; critical at twice that.
* ``aspect_important_weak_<aspect>``: an aspect in the importance-performance "fix" quadrant
  (important, performing below the average aspect); warning when it is also 0.2 points or more
  below the average, else info.
* ``complaints_rising_<category>`` (and ``complaints_rising`` overall, ``complaints_rising_<unit>``
  in the total unit): the rate per 1,000 active customers rose by at least
  ``complaint_rise_alert``, significantly; critical when it doubled.
* ``service_level_<response|resolution>``: share of tickets within the standard below
  ``service_level_target`` (warning); ``service_level_drop_<category>``: a category's share
  within the first-response or resolution standard fell by 10 points or more, significantly
  (critical).
* ``complainers_churn_more``: complainers churn at least 1.5× as often as the rest,
  significantly (warning).
* ``negative_comments_rising``: the share of negative comments rose by at least
  ``negative_share_alert`` (relative), significantly (warning).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..findings import flag
from .complaints import two_proportion_p
from .labels import aspect_label
from .pipeline import Inputs

LARGE = {"csat_mean": -0.2, "csat_top2": -0.05, "nps": -10.0}
METRIC_NAMES = {"zh": {"csat_mean": "CSAT 均分", "csat_top2": "CSAT 满意率（4-5 分占比）",
                       "nps": "NPS"},
                "en": {"csat_mean": "mean CSAT", "csat_top2": "CSAT top-2-box", "nps": "NPS"}}


def bonferroni(table: pd.DataFrame, m: int | None = None) -> pd.DataFrame:
    """A copy with ``p_value`` multiplied by the number of tests m (default: the rows), capped
    at 1, and the unadjusted value kept as ``p_raw``."""
    m = len(table) if m is None else m
    return table.assign(p_raw=table["p_value"], p_value=(table["p_value"] * max(m, 1)).clip(upper=1))


def _tr(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _fmt(metric: str, v: float) -> str:
    if metric == "csat_top2":
        return f"{100 * v:.1f}%"
    return f"{v:.1f}" if metric == "nps" else f"{v:.2f}"


def metrics(inp: Inputs, sat: dict, drv: dict, comp: dict, txt: dict, eng: dict,
            callbacks: pd.DataFrame) -> dict:
    m: dict = {}
    if "skipped" not in sat:
        m["responses"], m["responses_before"] = sat["responses"], sat["responses_before"]
        for k in ("mean", "mean_lo", "mean_hi", "top2", "top2_lo", "top2_hi"):
            m[f"csat_{k}"] = sat["csat"][k]
        for k in ("nps", "nps_lo", "nps_hi", "promoters", "detractors"):
            m[k] = sat["nps"][k]
        for _, r in sat["change"].iterrows():
            m[f"{r['metric']}_before"] = r["before"]
            m[f"{r['metric']}_change"] = r["change"]
            m[f"{r['metric']}_p"] = r["p_value"]
    if "skipped" not in drv:
        m["driver_r2"] = drv["weights"].attrs.get("r2", np.nan)
        share = drv["weights"].set_index("aspect")["share"] if not drv["weights"].empty else {}
        for _, r in drv["change"].iterrows():
            a = r["aspect"]
            m[f"aspect_{a}_mean"], m[f"aspect_{a}_mean_before"] = r["now"], r["before"]
            m[f"aspect_{a}_change"], m[f"aspect_{a}_p"] = r["change"], r["p_value"]
            m[f"aspect_{a}_importance"] = share.get(a, np.nan) if len(share) else np.nan
    if "skipped" not in comp:
        ch = comp["change"].iloc[0]
        m["complaints"], m["complaints_before"] = ch["complaints_now"], ch["complaints_before"]
        m["complaints_per_1000"] = ch["per_1000_now"]
        m["complaints_per_1000_before"] = ch["per_1000_before"]
        for _, r in comp.get("change_category", pd.DataFrame()).iterrows():
            m[f"complaints_{r['category']}_per_1000"] = r["per_1000_now"]
            m[f"complaints_{r['category']}_per_1000_before"] = r["per_1000_before"]
        sv, sb = comp["service"], comp["service_before"]
        for k in ("responded_in_time", "resolved_in_time"):
            m[k] = sv[k].iloc[0] if len(sv) else np.nan
            m[f"{k}_before"] = sb[k].iloc[0] if len(sb) else np.nan
        for k in ("median_response_hours", "median_resolution_hours"):
            m[k] = sv[k].iloc[0] if len(sv) else np.nan
        m["repeat_complainer_share"] = comp["repeat"]["repeat_share"]
        if not comp["churn"].empty:
            c = comp["churn"].set_index("group")
            m["complainer_churn_rate"] = c.loc["complainers", "churn_rate"]
            m["other_churn_rate"] = c.loc["others", "churn_rate"]
    if "comments" in txt:
        m["comments"] = int(len(txt["now"]))
        m["negative_share"] = txt["negative_now"]
        m["negative_share_before"] = txt["negative_before"]
    if "summary" in eng:
        m["engaged_share"] = eng["summary"]["engaged_share"]
        m["engagement_purchase_lift"] = eng["summary"]["lift"]
    m["callbacks"] = int(len(callbacks))
    return m


def flags(inp: Inputs, sat: dict, drv: dict, comp: dict, txt: dict) -> list[dict]:
    out: list[dict] = []
    out += satisfaction_flags(inp, sat)
    out += aspect_flags(inp, drv)
    out += complaint_flags(inp, comp)
    out += text_flags(inp, txt)
    order = {"critical": 0, "warning": 1, "info": 2}
    return sorted(out, key=lambda f: order[f["severity"]])


def _drop_flag(inp: Inputs, r: pd.Series, fid: str, where: str) -> dict | None:
    s, lang = inp.settings, inp.language
    metric = r["metric"]
    if not (r["p_value"] < s.alpha and r["change"] < 0):
        return None
    sev = "critical" if r["change"] <= LARGE[metric] else "warning"
    name = METRIC_NAMES[lang][metric]
    msg = _tr(lang,
              f"{where}{name} 从 {_fmt(metric, r['before'])} 降至 {_fmt(metric, r['now'])}"
              f"（{inp.comparison.label} → {inp.period.label}，p = {r['p_value']:.2g}）。",
              f"{where}{name} fell from {_fmt(metric, r['before'])} to {_fmt(metric, r['now'])} "
              f"({inp.comparison.label} → {inp.period.label}, p = {r['p_value']:.2g}).")
    return flag(fid, sev, msg, metric=metric, now=r["now"], before=r["before"],
                change=r["change"], p_value=r["p_value"], n_now=r.get("n_now"),
                n_before=r.get("n_before"))


def satisfaction_flags(inp: Inputs, sat: dict) -> list[dict]:
    if "skipped" in sat:
        return []
    out = []
    for _, r in sat["change"].iterrows():
        f = _drop_flag(inp, r, f"satisfaction_drop_{r['metric']}", "")
        if f:
            out.append(f)
    overall = sat["change"].set_index("metric")
    minimum, alpha = inp.settings.min_responses, inp.settings.alpha
    for col, table in sat["by_change"].items():
        if table.empty:
            continue
        table = bonferroni(table)
        for group, rows in table.groupby(col, sort=True):
            keep = []
            for _, r in rows.iterrows():
                if min(r["n_now"], r["n_before"]) < minimum or not (r["p_value"] < alpha
                                                                    and r["change"] < 0):
                    continue
                o = overall.loc[r["metric"]]
                unit_fell = o["p_value"] < alpha and o["change"] < 0
                if unit_fell and r["change"] > 1.5 * o["change"]:
                    continue  # the group fell with the unit, not more: the unit's flag says it
                keep.append(r)
            if not keep:
                continue
            r = min(keep, key=lambda x: x["p_value"])
            where = f"{group}：" if inp.language == "zh" else f"{group}: "
            f = _drop_flag(inp, r, f"satisfaction_drop_{col}_{group}", where)
            f["evidence"].update(group=str(group), column=col, p_raw=r["p_raw"])
            out.append(f)
    return out


def _aspect_drop(inp: Inputs, r: pd.Series, fid: str, where: str) -> dict | None:
    s, lang = inp.settings, inp.language
    if not (r["change"] <= -s.aspect_drop_alert and r["p_value"] < s.alpha):
        return None
    sev = "critical" if r["change"] <= -2 * s.aspect_drop_alert else "warning"
    name = aspect_label(r["aspect"], lang)
    msg = _tr(lang,
              f"{where}「{name}」评分从 {r['before']:.2f} 降至 {r['now']:.2f}"
              f"（{r['change']:+.2f} 分，p = {r['p_value']:.2g}）。",
              f"{where}'{name}' rating fell from {r['before']:.2f} to {r['now']:.2f} "
              f"({r['change']:+.2f} points, p = {r['p_value']:.2g}).")
    return flag(fid, sev, msg, aspect=r["aspect"], now=r["now"], before=r["before"],
                change=r["change"], p_value=r["p_value"], n_now=r["n_now"],
                n_before=r["n_before"])


def aspect_flags(inp: Inputs, drv: dict) -> list[dict]:
    if "skipped" in drv:
        return []
    lang, out = inp.language, []
    for _, r in bonferroni(drv["change"]).iterrows():
        f = _aspect_drop(inp, r, f"aspect_drop_{r['aspect']}", "")
        if f:
            out.append(f)
    tests = sum(len(t) for t in drv["by_change"].values())
    for unit, table in drv["by_change"].items():
        for _, r in bonferroni(table, tests).iterrows():
            f = _aspect_drop(inp, r, f"aspect_drop_{r['aspect']}_{unit}", f"{unit}：" if
                             lang == "zh" else f"{unit}: ")
            if f:
                f["evidence"]["unit"] = unit
                out.append(f)
    ip = drv["ip"]
    if not ip.empty:
        cut = ip["performance"].mean()
        for _, r in ip[ip["quadrant"] == "fix"].iterrows():
            gap = r["performance"] - cut
            sev = "warning" if gap <= -0.2 else "info"
            name = aspect_label(r["aspect"], lang)
            out.append(flag(
                f"aspect_important_weak_{r['aspect']}", sev, _tr(
                    lang,
                    f"「{name}」对满意度影响大（解释 {100 * r['importance']:.0f}% 的 R²），"
                    f"但评分 {r['performance']:.2f} 低于各方面平均 {cut:.2f}：应优先改进。",
                    f"'{name}' matters ({100 * r['importance']:.0f}% of R²) but rates "
                    f"{r['performance']:.2f}, below the aspects' average {cut:.2f}: fix it first."),
                aspect=r["aspect"], importance=r["importance"], performance=r["performance"],
                average=cut))
    return out


def _rise(inp: Inputs, r: pd.Series, fid: str, what: str) -> dict | None:
    s, lang = inp.settings, inp.language
    ratio = r["ratio"]
    if not (pd.notna(ratio) and ratio - 1 >= s.complaint_rise_alert and r["p_value"] < s.alpha):
        return None
    sev = "critical" if ratio >= 2 else "warning"
    msg = _tr(lang,
              f"{what}投诉率从每千名活跃客户 {r['per_1000_before']:.1f} 件升至 "
              f"{r['per_1000_now']:.1f} 件（×{ratio:.2f}，{int(r['complaints_before'])} → "
              f"{int(r['complaints_now'])} 件，p = {r['p_value']:.2g}）。",
              f"{what}complaints rose from {r['per_1000_before']:.1f} to "
              f"{r['per_1000_now']:.1f} per 1,000 active customers (×{ratio:.2f}, "
              f"{int(r['complaints_before'])} → {int(r['complaints_now'])}, "
              f"p = {r['p_value']:.2g}).")
    return flag(fid, sev, msg, per_1000_now=r["per_1000_now"],
                per_1000_before=r["per_1000_before"], ratio=ratio,
                complaints_now=r["complaints_now"], complaints_before=r["complaints_before"],
                p_value=r["p_value"])


def complaint_flags(inp: Inputs, comp: dict) -> list[dict]:
    if "skipped" in comp:
        return []
    s, lang, out = inp.settings, inp.language, []
    f = _rise(inp, comp["change"].iloc[0], "complaints_rising", "")
    if f:
        out.append(f)
    for by in ("category", inp.unit_column):
        table = comp.get(f"change_{by}") if by else None
        if table is None:
            continue
        for _, r in bonferroni(table).iterrows():
            where = f"{r[by]}：" if lang == "zh" else f"{r[by]}: "
            f = _rise(inp, r, f"complaints_rising_{r[by]}", where)
            if f:
                f["evidence"][by] = str(r[by])
                out.append(f)
    sv = comp["service"]
    names = {"responded_in_time": ("response", s.first_response_hours,
                                   _tr(lang, "首次响应", "first response")),
             "resolved_in_time": ("resolution", s.resolution_hours,
                                  _tr(lang, "解决", "resolution"))}
    for col, (code, hours, label) in names.items():
        share = sv[col].iloc[0] if len(sv) else np.nan
        if pd.notna(share) and share < s.service_level_target:
            out.append(flag(f"service_level_{code}", "warning", _tr(
                lang,
                f"只有 {100 * share:.0f}% 的投诉在 {hours:g} 小时内完成{label}，"
                f"低于目标 {100 * s.service_level_target:.0f}%。",
                f"Only {100 * share:.0f}% of complaints got their {label} within {hours:g} h, "
                f"below the target of {100 * s.service_level_target:.0f}%."),
                share=share, target=s.service_level_target, hours=hours))
    now, before = comp.get("service_category"), comp.get("service_category_before")
    if now is not None and before is not None and not now.empty and not before.empty:
        b = before.set_index("category")
        tests = 2 * len(now)
        for _, r in now.iterrows():
            if r["category"] not in b.index:
                continue
            for col, (code, hours, label) in names.items():
                x, y = r[col], b.loc[r["category"], col]
                nx, ny = r["tickets"], b.loc[r["category"], "tickets"]
                if pd.isna(x) or pd.isna(y) or x - y > -0.10:
                    continue
                p = min(1.0, tests * two_proportion_p(x * nx, nx, y * ny, ny))
                if p < s.alpha:
                    out.append(flag(f"service_level_drop_{r['category']}_{code}", "critical", _tr(
                        lang,
                        f"{r['category']}类投诉 {hours:g} 小时内{label}的比例从 {100 * y:.0f}% "
                        f"降至 {100 * x:.0f}%（p = {p:.2g}）。",
                        f"{r['category']} complaints with their {label} within {hours:g} h fell "
                        f"from {100 * y:.0f}% to {100 * x:.0f}% (p = {p:.2g})."),
                        category=r["category"], now=x, before=y, p_value=p))
    ch = comp["churn"]
    if not ch.empty:
        c = ch.set_index("group").loc["complainers"]
        if pd.notna(c["ratio"]) and c["ratio"] >= 1.5 and c["p_value"] < s.alpha:
            o = ch.set_index("group").loc["others"]
            out.append(flag("complainers_churn_more", "warning", _tr(
                lang,
                f"投诉过的客户本期流失率 {100 * c['churn_rate']:.1f}%，是其他客户"
                f"（{100 * o['churn_rate']:.1f}%）的 {c['ratio']:.1f} 倍。",
                f"Customers who complained churned at {100 * c['churn_rate']:.1f}% this period, "
                f"{c['ratio']:.1f}× the rest ({100 * o['churn_rate']:.1f}%)."),
                complainers=c["customers"], churn_rate=c["churn_rate"],
                others_churn_rate=o["churn_rate"], ratio=c["ratio"], p_value=c["p_value"]))
    return out


def text_flags(inp: Inputs, txt: dict) -> list[dict]:
    if "comments" not in txt:
        return []
    s, lang = inp.settings, inp.language
    now, before, p = txt["negative_now"], txt["negative_before"], txt["negative_p"]
    if pd.isna(now) or pd.isna(before) or before == 0:
        return []
    if now / before - 1 >= s.negative_share_alert and p < s.alpha:
        return [flag("negative_comments_rising", "warning", _tr(
            lang,
            f"负面评论占比从 {100 * before:.1f}% 升至 {100 * now:.1f}%（p = {p:.2g}）。",
            f"Negative comments rose from {100 * before:.1f}% to {100 * now:.1f}% of all "
            f"comments (p = {p:.2g})."), now=now, before=before, p_value=p)]
    return []
