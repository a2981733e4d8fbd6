"""What every plot helper shares: a new axes when none is given, an empty-state axes, and the
language check of the label tables."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ..errors import ParameterError

LANGUAGES = ("zh", "en")


def texts(table: dict[str, dict[str, str]], language: str) -> dict[str, str]:
    """The labels of one language from a {language: {key: label}} table."""
    if language not in table:
        raise ParameterError("language", "zh or en", language, where="plots")
    return table[language]


def axes(ax: Axes | None, size: tuple[float, float] = (7, 4)) -> Axes:
    """``ax`` itself, or the axes of a new figure of ``size`` inches."""
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


def empty(ax: Axes, message: str, title: str) -> Axes:
    """An axes that says there is nothing to draw (instead of an empty frame)."""
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes)
    ax.set_axis_off()
    ax.set_title(title)
    return ax


def finite_values(frame: pd.DataFrame | None, column: str) -> np.ndarray:
    """The finite numbers of ``frame[column]`` (empty when the frame or column is absent)."""
    if frame is None or column not in frame.columns:
        return np.empty(0)
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(float)
    return values[np.isfinite(values)]


def period_ticks(ax: Axes, labels: list[str]) -> None:
    """One x tick per period at 0, 1, …; slanted when there are more than six."""
    slant = len(labels) > 6
    ax.set_xticks(range(len(labels)), [str(v) for v in labels], rotation=45 if slant else 0,
                  ha="right" if slant else "center")
