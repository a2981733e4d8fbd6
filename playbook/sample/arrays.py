"""Arrow helpers: zero-padded ids, customer ids of row indices, labels of codes."""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def _customer_ids(numbers: np.ndarray) -> pa.Array:
    return _ids("C", numbers, 7)


def _cid(cust: dict, idx: np.ndarray) -> pa.Array:
    """Customer ids of row indices; -1 gives null, indices >= n ids outside the customers table."""
    idx = np.asarray(idx, dtype=np.int64)
    n = cust["n"]
    inside = (idx >= 0) & (idx < n)
    out = pc.take(cust["ids"], pa.array(np.where(inside, idx, 0)))
    if inside.all():
        return out
    outside = _customer_ids(idx + 1)
    out = pc.if_else(pa.array(inside), out, outside)
    return pc.if_else(pa.array(idx < 0), pa.scalar(None, pa.string()), out)


def _ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    s = pc.utf8_lpad(pc.cast(pa.array(np.asarray(numbers, dtype=np.int64)), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, s, "")


def _take(labels, codes: np.ndarray) -> pa.Array:
    return pc.take(pa.array(list(labels), pa.string()), pa.array(np.asarray(codes, dtype=np.int64)))
