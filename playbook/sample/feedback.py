"""The feedback table: aspect ratings, CSAT, NPS, comments and off-scale scores."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .arrays import _cid, _take
from .calendar import _Calendar
from .constants import ASPECT_MEANS, ASPECTS, CSAT_WEIGHTS, N_QUARTERS, STORY_A_REGION
from .texts import _COMMENTS


def _feedback_table(sales: dict, cust: dict, cal: _Calendar, lab: dict, language: str,
                    rng: np.random.Generator) -> tuple[pd.DataFrame, dict]:
    n_fb = int(round(1.2 * cust["n"]))
    ok = np.flatnonzero(sales["status"] == 0)
    src = np.sort(rng.choice(ok, size=n_fb, replace=n_fb > len(ok)))
    cidx = sales["cidx"][src]
    lag = (rng.uniform(0.5, 10.0, size=n_fb) * 86400).astype(np.int64)
    ts = np.minimum(sales["ts"][src] + lag, cal.end_s)
    q = cal.quarter_of_seconds(ts)
    story_a = (cust["region"][cidx] == STORY_A_REGION) & (q == N_QUARTERS - 1)
    mood = rng.normal(0, 0.45, size=n_fb)
    latent = np.empty((n_fb, len(ASPECTS)))
    for j, a in enumerate(ASPECTS):
        latent[:, j] = ASPECT_MEANS[a] + mood + rng.normal(0, 0.7, size=n_fb)
    latent[:, ASPECTS.index("after_sales")] -= 1.1 * story_a
    latent[:, ASPECTS.index("price")] -= 0.4 * cust["ps"][cidx]
    latent[:, ASPECTS.index("service")] += 0.1 * (cust["ctype"][cidx] > 0)
    ratings = np.clip(np.round(latent), 1, 5)
    w = np.array([CSAT_WEIGHTS[a] for a in ASPECTS])
    csat_latent = ratings @ w + rng.normal(0, 0.35, size=n_fb)
    csat = np.clip(np.round(csat_latent), 1, 5).astype(np.int64)
    nps = np.clip(np.round(2.5 * (csat_latent - 1) + 0.8 + rng.normal(0, 1.0, size=n_fb)),
                  0, 10).astype(np.int64)

    # comments: sentiment from csat, aspect = worst (negative) / best (positive) / any (neutral)
    sentiment = np.where(csat >= 4, 2, np.where(csat == 3, 1, 0))
    aspect = np.where(sentiment == 0, latent.argmin(axis=1),
                      np.where(sentiment == 2, latent.argmax(axis=1),
                               rng.integers(0, len(ASPECTS), size=n_fb)))
    variant = rng.integers(0, 1 << 30, size=n_fb)
    templates = _COMMENTS[language]
    flat, base = [], []
    for s in range(3):
        for a in range(len(ASPECTS)):
            base.append((len(flat), len(templates[s][a])))
            flat.extend(templates[s][a])
    base_arr = np.array(base)
    key = sentiment * len(ASPECTS) + aspect
    pick = base_arr[key, 0] + variant % base_arr[key, 1]
    comment = np.asarray(flat, dtype=object)[pick]
    has = rng.random(n_fb) < np.where(sentiment == 0, 0.9, 0.7)
    comment = np.where(has, comment, None)

    rating_cols = {}
    for j, a in enumerate(ASPECTS):
        v = ratings[:, j].copy()
        v[rng.random(n_fb) < 0.02] = np.nan
        rating_cols[f"rating_{a}"] = pd.array(v, dtype="Int64")

    # off-scale scores: csat 7 in k rows, nps 11 in k other rows
    k = max(2, int(round(0.001 * n_fb)))
    bad = rng.choice(n_fb, size=2 * k, replace=False)
    csat[bad[:k]] = 7
    nps[bad[k:]] = 11
    channel = rng.choice(4, size=n_fb, p=(0.35, 0.20, 0.35, 0.10))
    df = pd.DataFrame({
        "customer_id": _cid(cust, cidx).to_pandas(),
        "response_date": pd.to_datetime(ts.astype("datetime64[s]")),
        "csat": csat,
        "nps": nps,
        **rating_cols,
        "channel": _take(lab["feedback_channels"], channel).to_pandas(),
        "comment": pd.array(comment, dtype="str"),
    })
    order = np.argsort(ts, kind="stable")
    df = df.iloc[order].reset_index(drop=True)
    return df, {"csat_off_scale": k, "nps_off_scale": k}
