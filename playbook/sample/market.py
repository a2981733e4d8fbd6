"""The market and competitors tables (market size by region, three competitor profiles)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .calendar import _Calendar
from .constants import ASPECTS, N_QUARTERS, PRICE_PLAYER, STORY_C_REGION

# competitor profiles: share by region, price_index, csat, nps, ratings (product, service,
# after_sales, price, delivery)
_COMPETITORS = (
    ((0.15, 0.17, 0.14, 0.16), 0.99, 3.85, 18.0, (3.7, 3.7, 3.6, 4.4, 3.9)),
    ((0.20, 0.19, 0.21, 0.18), 1.12, 4.25, 38.0, (4.4, 4.3, 4.2, 3.5, 4.0)),
    ((0.13, 0.14, 0.13, 0.12), 1.03, 4.00, 27.0, (3.9, 3.9, 3.8, 3.9, 4.6)),
)
OUR_MARKET_SHARE = 0.11


def _market_table(sales: dict, cust: dict, cal: _Calendar, lab: dict,
                  rng: np.random.Generator) -> pd.DataFrame:
    ok = sales["status"] == 0
    region = cust["region"][sales["cidx"][ok]]
    revenue = np.bincount(region, weights=sales["amount"][ok], minlength=4)
    qoy = np.array([q.quarter for q in cal.quarters])
    season_qoy = np.array([cal.season[qoy == k].mean() for k in range(1, 5)])
    trend = 1.015 ** np.arange(-4, N_QUARTERS)      # four extra quarters for the growth
    qoy_ext = np.concatenate([qoy[:4], qoy])
    season = season_qoy[qoy_ext - 1]
    rows = []
    for r in range(4):
        base = revenue[r] / (season[4:] * trend[4:]).sum() / OUR_MARKET_SHARE
        size = base * season * trend * (1 + rng.normal(0, 0.015, size=len(trend)))
        size = np.round(size, -3)
        growth = size[4:] / size[:-4] - 1
        for i, label in enumerate(cal.labels):
            rows.append((label, lab["regions"][r], float(size[4 + i]), round(float(growth[i]), 4)))
    df = pd.DataFrame(rows, columns=["period", "region", "market_size", "growth"])
    df["market_size"] = df["market_size"].astype(np.int64)
    return df


def _competitors_table(market: pd.DataFrame, lab: dict, rng: np.random.Generator) -> pd.DataFrame:
    latest = market["period"].iloc[-1]
    rows = []
    for c, (shares, price, csat, nps, ratings) in enumerate(_COMPETITORS):
        for _, m in market.iterrows():
            r = lab["regions"].index(m["region"])
            story = c == PRICE_PLAYER and r == STORY_C_REGION and m["period"] == latest
            share = shares[r] + rng.normal(0, 0.004) + (0.05 if story else 0.0)
            pidx = 0.82 if story else price + rng.normal(0, 0.008)
            vals = [round(float(x + rng.normal(0, 0.04)), 2) for x in ratings]
            rows.append((
                lab["competitors"][c], m["period"], m["region"], round(float(share), 4),
                round(float(csat + rng.normal(0, 0.03)), 2), round(float(nps + rng.normal(0, 2.0)), 1),
                round(float(pidx), 3), *vals, int(round(m["market_size"] * share, -3)),
            ))
    cols = ["competitor", "period", "region", "market_share", "csat", "nps", "price_index",
            *[f"rating_{a}" for a in ASPECTS], "sales"]
    return pd.DataFrame(rows, columns=cols)
