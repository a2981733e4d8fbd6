"""Argument checks of the sample generator."""
from __future__ import annotations

import numpy as np

from ..errors import ParameterError
from .calendar import _quarters
from .constants import FORMATS, LANGUAGES


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ParameterError("language", "'zh' or 'en'", language, where="sample")


def _check_arguments(customers, seed, language, end_period, fmt) -> None:
    if isinstance(customers, bool) or not isinstance(customers, int | np.integer) or customers < 100:
        raise ParameterError("customers", "an integer >= 100", customers, where="sample")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ParameterError("seed", "a non-negative integer", seed, where="sample")
    _check_language(language)
    _quarters(end_period)
    if fmt not in FORMATS:
        raise ParameterError("fmt", "'mixed' or 'parquet'", fmt, where="sample")
