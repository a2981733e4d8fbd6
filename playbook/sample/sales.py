"""Sale orders before refunds and dirt: counts per customer and quarter, days, products."""
from __future__ import annotations

import numpy as np

from .calendar import _Calendar
from .constants import (
    CATALOGUE_SEED,
    CATEGORY_MIX,
    CATEGORY_PRICE,
    N_PRODUCTS,
    N_QUARTERS,
    STORY_B_CATEGORY,
    YOUNG_BEAUTY_SHIFT,
)


def _draw_orders(cust: dict, cal: _Calendar, rng: np.random.Generator) -> dict:
    """Sale orders (before refunds and dirt): arrays sorted by time."""
    n, nq = cust["n"], N_QUARTERS
    signup = cust["signup"]
    profile = cust["ps"].astype(np.int8)
    first_q = np.where(signup < 0, 0, cal.day_q[np.clip(signup, 0, cal.n_days - 1)])
    # activity of each customer in each quarter: season weight of the active part of the quarter
    q_lo = cal.q_start[:-1]
    q_hi = cal.q_start[1:]
    act = np.zeros((n, nq), dtype=np.float64)
    for p in (0, 1):
        m = profile == p
        cw = cal.cw[p]
        full = (cw[q_hi] - cw[q_lo]) / cal.q_mean
        act[m] = full
        lo = np.clip(signup[m], 0, None)
        part = (cw[q_hi[first_q[m]]] - cw[np.maximum(q_lo[first_q[m]], lo)]) / cal.q_mean
        act[np.flatnonzero(m), first_q[m]] = part
    qs = np.arange(nq)
    alive = (qs[None, :] >= first_q[:, None]) & (qs[None, :] < (first_q + cust["life"])[:, None])
    act *= alive
    expected = cust["rate"][:, None] * act
    expected *= 12.5 * n / expected.sum()
    expected[cust["ps"], nq - 1] *= 0.55
    counts = rng.poisson(expected).astype(np.int32)
    buyer = ~cust["potential"]
    none = buyer & (counts.sum(axis=1) == 0)
    counts[np.flatnonzero(none), first_q[none]] = 1
    del expected, act, alive

    flat = counts.ravel()
    rows = np.flatnonzero(flat)
    reps = flat[rows]
    cidx = np.repeat((rows // nq).astype(np.int32), reps)
    q = np.repeat((rows % nq).astype(np.int8), reps)
    r = len(cidx)
    # day inside the quarter, after signup, following the profile's daily weights
    day = np.empty(r, dtype=np.int64)
    u = rng.random(r)
    prof = profile[cidx]
    for p in (0, 1):
        m = prof == p
        cw = cal.cw[p]
        lo = np.maximum(cal.q_start[q[m]], signup[cidx[m]])
        hi = cal.q_start[q[m] + 1]
        target = cw[lo] + u[m] * (cw[hi] - cw[lo])
        d = np.searchsorted(cw, target, side="right") - 1
        day[m] = np.clip(d, lo, hi - 1)
    hour_w = np.array([.3, .15, .08, .05, .04, .05, .1, .3, .6, .9, 1.1, 1.1, 1.0, .9, .9, .95,
                       .95, .95, 1.0, 1.2, 1.4, 1.5, 1.2, .7])
    hour = np.searchsorted(np.cumsum(hour_w) / hour_w.sum(), rng.random(r), side="right")
    hour = np.minimum(hour, 23)
    ts = cal.start_s + day * 86400 + hour * 3600 + rng.integers(0, 3600, size=r)
    order = np.lexsort((cidx, ts))
    cidx, q, ts, day = cidx[order], q[order], ts[order], day[order]

    # category: by group (older, young, organisation) and quarter
    group = np.where(cust["ctype"] > 0, 2, np.where(cust["young"], 1, 0))[cidx]
    mix = np.repeat(CATEGORY_MIX[:, None, :], nq, axis=1)   # (3, nq, K)
    k_cat = mix.shape[2]
    for j, share in enumerate(YOUNG_BEAUTY_SHIFT):
        row = mix[1, nq - 4 + j]
        others = 1 - row[STORY_B_CATEGORY]
        row *= (1 - share) / others
        row[STORY_B_CATEGORY] = share
    cum = np.cumsum(mix, axis=2)
    cum[..., -1] = 1.0
    key = group.astype(np.int64) * nq + q
    flat_cum = (np.arange(3 * nq)[:, None] + cum.reshape(3 * nq, k_cat)).ravel()
    pos = np.searchsorted(flat_cum, key + rng.random(r), side="right")
    cat = np.clip(pos - key * k_cat, 0, k_cat - 1).astype(np.int8)

    # product: price-sensitive customers lean to the cheap end of the (price-sorted) range
    prices = _product_prices()
    ps_row = cust["ps"][cidx]
    u = rng.random(r)
    rank = np.floor(N_PRODUCTS * np.where(ps_row, u ** 2.5, u)).astype(np.int64)
    rank = np.minimum(rank, N_PRODUCTS - 1)
    prod = cat.astype(np.int64) * N_PRODUCTS + rank
    promo = cal.promo[day]
    unit_price = np.round(prices[prod] * np.where(promo, 0.85, 1.0), 2)
    food = cat == 4
    qty = 1 + rng.poisson(np.where(food, 1.0, 0.3))
    org = cust["ctype"][cidx] > 0
    qty = np.where(org, qty * (1 + rng.poisson(1.5, size=r)), qty)
    qty = np.minimum(qty, 200).astype(np.int64)
    amount = np.round(qty * unit_price, 2)
    pref = cust["pref_channel"][cidx]
    other = rng.choice(4, size=r, p=(0.45, 0.30, 0.20, 0.05))
    channel = np.where(rng.random(r) < 0.75, pref, other).astype(np.int8)
    status = np.where(rng.random(r) < 0.01, 1, 0).astype(np.int8)
    return {"cidx": cidx.astype(np.int64), "q": q, "ts": ts, "cat": cat, "prod": prod,
            "qty": qty, "unit_price": unit_price, "amount": amount, "channel": channel,
            "status": status}


def _product_prices() -> np.ndarray:
    """List prices of the N_PRODUCTS products of each category, cheapest first.

    The catalogue is the same for every seed and size (its own fixed random stream).
    """
    rng = np.random.default_rng(CATALOGUE_SEED)
    out = []
    for median in CATEGORY_PRICE:
        p = np.sort(median * rng.lognormal(0.0, 0.5, size=N_PRODUCTS))
        out.append(np.maximum(np.round(p) - 0.1, 9.9))
    return np.concatenate(out)
