"""The complaints table: tickets, response and close times, texts with some contact data."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .arrays import _cid, _ids, _take
from .calendar import _Calendar
from .constants import N_QUARTERS, STORY_A_REGION
from .texts import _COMPLAINTS, _CONTACT


def _complaints_table(sales: dict, cust: dict, text_of: dict, cal: _Calendar, lab: dict,
                      language: str, rng: np.random.Generator) -> pd.DataFrame:
    ok = np.flatnonzero(sales["status"] == 0)
    base = ok[rng.random(len(ok)) < 0.02]
    cat = rng.choice(5, size=len(base), p=(0.25, 0.30, 0.20, 0.10, 0.15))
    south_latest = ok[(cust["region"][sales["cidx"][ok]] == STORY_A_REGION)
                      & (sales["q"][ok] == N_QUARTERS - 1)]
    extra = south_latest[rng.random(len(south_latest)) < 2 * 0.02 * 0.25]  # story A: × 3
    src = np.concatenate([base, extra])
    cat = np.concatenate([cat, np.zeros(len(extra), np.int64)])
    m = len(src)
    cidx = sales["cidx"][src]
    lag = (rng.uniform(0.5, 15.0, size=m) * 86400).astype(np.int64)
    opened = np.minimum(sales["ts"][src] + lag, cal.end_s)
    order = np.lexsort((cidx, opened))
    src, cat, cidx, opened = src[order], cat[order], cidx[order], opened[order]
    story = ((cust["region"][cidx] == STORY_A_REGION) & (cal.quarter_of_seconds(opened) == N_QUARTERS - 1)
             & (cat == 0))
    sev_u = rng.random(m)
    severity = np.where(story, np.searchsorted([0.30, 0.75], sev_u, side="right"),
                        np.searchsorted([0.50, 0.85], sev_u, side="right"))
    first = opened + (rng.exponential(1.0, size=m) * np.where(story, 24.0, 8.0) * 3600
                      + 360).astype(np.int64)
    closed = first + (rng.exponential(1.0, size=m) * np.where(story, 7.0, 2.5) * 86400
                      + 0.2 * 86400).astype(np.int64)
    resolved_draw = rng.random(m) < np.where(story, 0.65, 0.9)
    never = rng.random(m) < 0.02
    is_closed = (closed <= cal.end_s) & ~never
    responded = first <= cal.end_s
    resolved = is_closed & resolved_draw

    variant = rng.integers(0, 4, size=m)
    texts = _COMPLAINTS[language]
    flat = np.asarray([t for group in texts for t in group], dtype=object)
    text = flat[cat * 4 + variant]
    # a fixed 2 % of the texts carry the customer's phone or e-mail (for the masking tests)
    n_pii = max(1, int(round(0.02 * m)))
    pii = rng.choice(m, size=n_pii, replace=False)
    phone = text_of["phone"][cidx[pii]]
    mail = text_of["email"][cidx[pii]]
    use_mail = (np.arange(n_pii) % 2 == 1) & (mail != None)  # noqa: E711
    suffix_phone, suffix_mail = _CONTACT[language]
    text[pii] = [t + (suffix_mail.format(e) if um else suffix_phone.format(p))
                 for t, e, p, um in zip(text[pii], mail, phone, use_mail, strict=True)]

    def dt(values: np.ndarray, keep: np.ndarray) -> pd.Series:
        out = values.astype("datetime64[s]")
        out[~keep] = np.datetime64("NaT")
        return pd.to_datetime(out)

    return pd.DataFrame({
        "ticket_id": _ids("T", np.arange(1, m + 1), 8).to_pandas(),
        "customer_id": _cid(cust, cidx).to_pandas(),
        "opened_at": dt(opened, np.ones(m, bool)),
        "category": _take(lab["complaint_categories"], cat).to_pandas(),
        "severity": _take(lab["severities"], severity).to_pandas(),
        "first_response_at": dt(first, responded),
        "closed_at": dt(closed, is_closed),
        "resolved": resolved,
        "text": pd.array(text, dtype="str"),
    })
