"""The shared argument checks of the segment modules: one error form for each."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from playbook.errors import ParameterError
from playbook.segment.checks import as_day, need_columns, whole_number


def test_need_columns_names_what_is_missing():
    need_columns(pd.DataFrame({"a": [1], "b": [2]}), "frame", ["a", "b"])
    with pytest.raises(ParameterError, match=r"The 'orders' parameter must be a frame with "
                                             r"columns a, c\. Got 'a frame without c' instead"):
        need_columns(pd.DataFrame({"a": [1]}), "orders", ["a", "c"])


@pytest.mark.parametrize("bad", [0, -3, 2.5, True, "4"])
def test_whole_number_rejects(bad):
    with pytest.raises(ParameterError, match="The 'k' parameter must be a whole number >= 1"):
        whole_number("k", bad)


def test_whole_number_accepts_numpy_integers():
    assert whole_number("k", np.int64(3)) == 3
    assert whole_number("k", 0, low=0) == 0


def test_as_day_normalizes_and_rejects_non_dates():
    assert as_day("2026-09-30 17:45") == pd.Timestamp("2026-09-30")
    for bad in ("not a date", None):
        with pytest.raises(ParameterError, match="The 'as_of' parameter must be a date"):
            as_day(bad)
