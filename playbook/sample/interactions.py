"""The interactions table: visits, clicks, likes, shares, e-mail opens and calls."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .arrays import _cid, _take
from .calendar import _Calendar
from .constants import N_QUARTERS
from .vocab import INTERACTION_TYPES


def _interactions_table(cust: dict, sales: dict, cal: _Calendar, lab: dict,
                        rng: np.random.Generator) -> pd.DataFrame:
    n = cust["n"]
    orders_per = np.bincount(sales["cidx"], minlength=n)
    k = rng.poisson(1.0 + 0.45 * orders_per)
    cidx = np.repeat(np.arange(n, dtype=np.int64), k)
    m = len(cidx)
    first_q = np.where(cust["signup"] < 0, 0,
                       cal.day_q[np.clip(cust["signup"], 0, cal.n_days - 1)])
    lo = np.clip(cust["signup"], 0, None)
    last_q = np.minimum(first_q + cust["life"], N_QUARTERS)
    hi = np.where(cust["potential"], cal.n_days, cal.q_start[last_q])
    hi = np.maximum(hi, lo + 1)
    day = lo[cidx] + (rng.random(m) * (hi - lo)[cidx]).astype(np.int64)
    typ = rng.choice(6, size=m, p=(0.35, 0.28, 0.10, 0.05, 0.15, 0.07))
    count = 1 + rng.poisson(np.where(typ <= 1, 2.0, 0.3))
    web = rng.choice(3, size=m, p=(0.5, 0.25, 0.25))
    channel = np.where(typ == 5, 3, np.where(typ == 4, 4, web))
    order = np.lexsort((cidx, day))
    return pd.DataFrame({
        "customer_id": _cid(cust, cidx[order]).to_pandas(),
        "date": pd.to_datetime((cal.start + day[order]).astype("datetime64[s]")),
        "type": _take(INTERACTION_TYPES, typ[order]).to_pandas(),
        "count": count[order].astype(np.int64),
        "channel": _take(lab["interaction_channels"], channel[order]).to_pandas(),
    })
