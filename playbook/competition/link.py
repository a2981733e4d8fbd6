"""Story C: did our losses concentrate where a competitor cut its prices?

``region_shift`` measures, region by region, how often each price tier of our customers buys
now against the comparison period (``segment.shifts.frequency_shift`` within the region, so a
tier is compared with the rest of *its own* region: seasonality and regional trends cancel
out). ``price_cut_link`` puts next to it, per region, the competitors' price moves
(``compare.price_moves``), and ``link_summary`` compares the price-sensitive tier's relative
change in the regions with a price cut against the regions without one.

Rules
-----
* Regions are the values of ``unit_column`` in the customers table (the output column is
  always called ``region``); without that column every customer is in one region ``ALL``.
* Within a region the groups are the price tiers (``price_tier``); customers without a tier
  are left out. Population, ``change``, ``relative_change`` (against the other tiers of the
  region), ``p_value``, ``significant`` and ``flagged`` are those of ``frequency_shift``.
* Lifecycle moves (when ``lifecycle_before`` and ``lifecycle_stage`` are given): among the
  customers active before (``lifecycle_before`` new, repeat or loyal), the share whose stage
  now is at_risk or churned; ``moved_to_risk_share`` for the tier in the region,
  ``region_moved_to_risk_share`` for the whole region (every tier and customers without one).
* Link: a region "has a cut" when some competitor's ``cut`` is true there. Without a unit
  column in the price moves, or with one region on both sides, the moves apply to the one
  region of the shifts.
* Summary: ``mean_relative_change_with_cut`` / ``_without_cut`` are means over regions (one
  value per region: the price-sensitive tier's ``relative_change``); ``difference`` = with −
  without. With no region left without a cut (a single-region unit) the comparison is the
  rest of the cut region's customers, whose relative change is 0 by construction, so
  ``without`` is 0 and ``baseline`` says ``rest_of_region``. ``concentrated`` is
  ``difference ≤ −alert`` (default 0.1: the price-sensitive tier fell at least 10 % more
  where prices were cut).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..periods import Period, parse_period
from ..segment.shifts import PRICE_TIERS, customer_counts, frequency_shift

ALL = "all"
ACTIVE = ("new", "repeat", "loyal")
RISK = ("at_risk", "churned")
SHIFT_COLUMNS = ("region", "tier", "customers", "purchases_before", "purchases_now",
                 "freq_before", "freq_now", "change", "rest_change", "relative_change",
                 "p_value", "significant", "flagged", "moved_to_risk_share",
                 "region_moved_to_risk_share")
LINK_COLUMNS = ("region", "competitor", "price_change", "share_change", "cut", "ps_change",
                "ps_relative_change", "p_value")


def _period(p: str | Period) -> Period:
    return p if isinstance(p, Period) else parse_period(p)


def _empty_shift(missing: list[str]) -> pd.DataFrame:
    out = pd.DataFrame(columns=list(SHIFT_COLUMNS))
    out.attrs["missing"] = missing
    return out


def _moved_share(frame: pd.DataFrame) -> float:
    before = frame["lifecycle_before"].astype("object")
    active = before.isin(ACTIVE)
    if not active.any():
        return float("nan")
    return float(frame.loc[active, "lifecycle_stage"].astype("object").isin(RISK).mean())


def region_shift(purchases: pd.DataFrame, customers: pd.DataFrame, period: str | Period,
                 comparison: str | Period, unit_column: str | None = "region",
                 alert: float = 0.2, min_customers: int = 30,
                 min_purchases: int = 30) -> pd.DataFrame:
    """Per region and price tier: ``region, tier, customers, purchases_before, purchases_now,
    freq_before, freq_now, change, rest_change, relative_change, p_value, significant,
    flagged, moved_to_risk_share, region_moved_to_risk_share`` (rules in the module doc).
    ``purchases`` is ``playbook.purchases.purchases`` output; ``customers`` the stage-03 table.
    Regions sorted, tiers in ``PRICE_TIERS`` order; ``attrs["missing"]`` names absent inputs."""
    missing = [c for c in ("customer_id", "price_tier") if c not in customers.columns]
    missing += [f"purchases.{c}" for c in ("customer_id", "order_date")
                if c not in purchases.columns]
    if missing:
        return _empty_shift(missing)
    now, before = _period(period), _period(comparison)
    cust = customers.drop_duplicates("customer_id").assign(
        customer_id=customers["customer_id"].astype("str"))
    cust = cust[cust["customer_id"].notna()].set_index("customer_id")
    if unit_column is not None and unit_column in cust.columns:
        region = cust[unit_column].astype("object").where(cust[unit_column].notna(), None)
    else:
        if unit_column is not None:
            missing.append(f"customers.{unit_column}")
        region = pd.Series(ALL, index=cust.index, dtype="object")
    lifecycle = {"lifecycle_before", "lifecycle_stage"} <= set(cust.columns)
    if not lifecycle:
        missing += [f"customers.{c}" for c in ("lifecycle_before", "lifecycle_stage")
                    if c not in cust.columns]
    p = purchases.assign(customer_id=purchases["customer_id"].astype("str"),
                         order_date=pd.to_datetime(purchases["order_date"], errors="coerce"))
    p = p[p["order_date"].notna()]
    counts = customer_counts(p, now, before)
    parts = []
    for name in sorted(region.dropna().astype("str").unique()):
        members = cust[region.astype("str") == name]
        tiers = members["price_tier"].astype("object").where(members["price_tier"].notna(), None)
        shift = frequency_shift(p, tiers.dropna(), now, before, alert=alert,
                                min_customers=min_customers, min_purchases=min_purchases,
                                counts=counts)
        if shift.empty:
            continue
        shift = shift.rename(columns={"group": "tier"})
        shift.insert(0, "region", name)
        if lifecycle:
            shift["moved_to_risk_share"] = [_moved_share(members[tiers == t])
                                            for t in shift["tier"]]
            shift["region_moved_to_risk_share"] = _moved_share(members)
        else:
            shift["moved_to_risk_share"] = np.nan
            shift["region_moved_to_risk_share"] = np.nan
        parts.append(shift)
    if not parts:
        return _empty_shift(missing)
    out = pd.concat(parts, ignore_index=True)
    rank = {t: i for i, t in enumerate(PRICE_TIERS)}
    out = out.assign(_r=out["tier"].map(rank).fillna(len(rank)))
    out = out.sort_values(["region", "_r", "tier"]).drop(columns="_r").reset_index(drop=True)
    out = out[list(SHIFT_COLUMNS)]
    out["region"] = out["region"].astype("str")
    out["tier"] = out["tier"].astype("str")
    out.attrs["missing"] = missing
    return out


def price_cut_link(moves: pd.DataFrame, shifts: pd.DataFrame, unit_column: str | None = "region",
                   tier: str = "price_sensitive") -> pd.DataFrame:
    """Per region and competitor: ``region, competitor, price_change, share_change, cut,
    ps_change, ps_relative_change, p_value``: the competitor's price move there
    (``price_moves``) next to our ``tier`` customers' change of purchase frequency there
    (``region_shift``; ``p_value`` is theirs). Regions of either side without a counterpart
    keep a row with the other side missing (``cut`` False). Sorted by region, cuts first."""
    need = {"region", "tier", "change", "relative_change", "p_value"}
    ps = shifts if need <= set(shifts.columns) else pd.DataFrame(columns=list(need))
    ps = ps.loc[ps["tier"].astype("str") == tier, ["region", "change", "relative_change",
                                                      "p_value"]]
    ps = ps.rename(columns={"change": "ps_change", "relative_change": "ps_relative_change"})
    ps = ps.astype({"region": "str", "ps_change": "float64", "ps_relative_change": "float64",
                    "p_value": "float64"})
    ps = ps.drop_duplicates("region")
    m = pd.DataFrame({"competitor": moves["competitor"].astype("str").to_numpy()
                      if "competitor" in moves.columns else pd.Series(dtype="str")})
    for c in ("price_change", "share_change"):
        m[c] = pd.to_numeric(moves[c], errors="coerce").to_numpy(float) \
            if c in moves.columns else np.nan
    m["cut"] = moves["cut"].fillna(False).astype(bool).to_numpy() \
        if "cut" in moves.columns else False
    has_unit = unit_column is not None and unit_column in moves.columns
    if has_unit:
        m["region"] = moves[unit_column].astype("str").to_numpy()
    single = len(ps) == 1 and (not has_unit or m["region"].nunique() <= 1)
    if single or (not has_unit and len(ps)):
        out = m.drop(columns="region", errors="ignore").merge(ps, how="cross")
        if out.empty:
            out = ps.assign(competitor=None, price_change=np.nan, share_change=np.nan,
                            cut=False)
    elif has_unit:
        out = m.merge(ps, on="region", how="outer")
    else:
        out = m.assign(region=None, ps_change=np.nan, ps_relative_change=np.nan,
                       p_value=np.nan)
    out = out.reindex(columns=list(LINK_COLUMNS))
    out["cut"] = out["cut"].astype("object").fillna(False).astype(bool)
    out = out.sort_values(["region", "cut", "price_change"], ascending=[True, False, True],
                          na_position="last").reset_index(drop=True)
    return out


def _mean(values: pd.Series) -> float | None:
    v = values.dropna()
    return float(v.mean()) if len(v) else None


def link_summary(link: pd.DataFrame, alert: float = 0.1) -> dict:
    """Where the price-sensitive tier's fall concentrated (rules in the module doc): keys
    ``regions_with_cut``, ``regions_without_cut``, ``competitors`` (those that cut), ``cuts``
    (region, competitor, price_change, share_change of each cut),
    ``mean_relative_change_with_cut``, ``mean_relative_change_without_cut``, ``difference``,
    ``baseline`` (``other_regions``, ``rest_of_region`` or None) and ``concentrated``.
    Undefined numbers are None."""
    rows = link[link["region"].notna()] if "region" in link.columns else link.iloc[0:0]
    per = rows.groupby("region", sort=True).agg(cut=("cut", "any"),
                                                rel=("ps_relative_change", "first"))
    with_cut = per[per["cut"]]
    without = per[~per["cut"]]
    mean_cut = _mean(with_cut["rel"])
    mean_other = _mean(without["rel"])
    baseline = "other_regions" if mean_other is not None else None
    if mean_other is None and mean_cut is not None and without.empty:
        mean_other, baseline = 0.0, "rest_of_region"
    difference = (mean_cut - mean_other
                  if mean_cut is not None and mean_other is not None else None)
    cuts = rows[rows["cut"]]
    return {
        "regions_with_cut": [str(r) for r in with_cut.index],
        "regions_without_cut": [str(r) for r in without.index],
        "competitors": sorted({str(c) for c in cuts["competitor"].dropna()}),
        "cuts": [{"region": str(r["region"]), "competitor": str(r["competitor"]),
                  "price_change": float(r["price_change"]),
                  "share_change": float(r["share_change"])} for _, r in cuts.iterrows()],
        "mean_relative_change_with_cut": mean_cut,
        "mean_relative_change_without_cut": mean_other,
        "difference": difference,
        "baseline": baseline,
        "concentrated": bool(difference is not None and difference <= -alert),
    }


__all__ = ["ALL", "region_shift", "price_cut_link", "link_summary"]
