import math

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression

from playbook.errors import ParameterError
from playbook.feedback.drivers import (
    DOMINANCE_COLUMNS,
    IP_COLUMNS,
    WEIGHT_COLUMNS,
    aspect_means,
    dominance,
    importance_performance,
    relative_weights,
)

ASPECTS = ["product", "service", "after_sales", "price", "delivery"]
COLUMNS = [f"rating_{a}" for a in ASPECTS]
TRUE_BETA = np.array([0.50, 0.30, 0.15, 0.08, 0.0])  # order: product > service > ... > delivery


def _correlated(n: int = 5000, seed: int = 11) -> pd.DataFrame:
    """Five predictors sharing one factor (pairwise correlation ≈ 0.36), csat = X·β + noise."""
    rng = np.random.default_rng(seed)
    factor = rng.normal(size=n)
    x = 0.6 * factor[:, None] + 0.8 * rng.normal(size=(n, 5))
    frame = pd.DataFrame(x, columns=COLUMNS)
    frame["csat"] = x @ TRUE_BETA + rng.normal(0, 0.5, size=n)
    return frame


def _r2(frame: pd.DataFrame, columns: list[str]) -> float:
    x, y = frame[columns].to_numpy(), frame["csat"].to_numpy()
    return LinearRegression().fit(x, y).score(x, y)


def test_relative_weights_recover_the_order_and_sum_to_r2():
    frame = _correlated()
    got = relative_weights(frame, "csat", COLUMNS)
    assert list(got.columns) == list(WEIGHT_COLUMNS)
    assert got["aspect"].tolist() == ASPECTS  # sorted by weight = the true order
    assert got["column"].tolist() == COLUMNS
    assert got["weight"].is_monotonic_decreasing
    r2 = _r2(frame, COLUMNS)
    assert got.attrs["r2"] == pytest.approx(r2, abs=1e-10)
    assert got["weight"].sum() == pytest.approx(r2, abs=1e-10)
    assert got["share"].sum() == pytest.approx(1.0)
    assert got.attrs["n"] == 5000 and got.attrs["dropped"] == []
    # beta = OLS slopes on standardized variables
    z = (frame - frame.mean()) / frame.std()
    ols = LinearRegression().fit(z[COLUMNS], z["csat"]).coef_
    assert got.set_index("column").loc[COLUMNS, "beta"].to_numpy() == pytest.approx(ols)


def test_relative_weights_of_orthogonal_predictors_are_squared_betas():
    rng = np.random.default_rng(5)
    raw = rng.normal(size=(400, 3))
    q, _ = np.linalg.qr(raw - raw.mean(axis=0))  # centred, exactly uncorrelated columns
    frame = pd.DataFrame(q * 10 + 3, columns=["rating_a", "rating_b", "rating_c"])
    frame["csat"] = q @ np.array([3.0, -1.0, 2.0]) + rng.normal(0, 0.05, size=400)
    got = relative_weights(frame, "csat", ["rating_a", "rating_b", "rating_c"])
    assert got["aspect"].tolist() == ["a", "c", "b"]
    assert got["weight"].to_numpy() == pytest.approx(got["beta"].to_numpy() ** 2, abs=1e-12)
    # with R_xx = I, β = r_xy: the weights are the squared correlations with the target
    r = [np.corrcoef(frame[c], frame["csat"])[0, 1] for c in got["column"]]
    assert got["weight"].to_numpy() == pytest.approx(np.square(r), abs=1e-12)
    assert got["beta"].iloc[2] < 0  # the sign lives in beta, not in the weight


def test_relative_weights_two_predictors_closed_form():
    rng = np.random.default_rng(2)
    n = 300
    x1 = rng.normal(size=n)
    x2 = 0.7 * x1 + rng.normal(size=n)
    frame = pd.DataFrame({"rating_x": x1, "rating_y": x2,
                          "csat": x1 + 0.5 * x2 + rng.normal(size=n)})
    c = frame.corr().to_numpy()
    r, ry = c[0, 1], c[:2, 2]
    # R = [[1, r], [r, 1]] has R^{1/2} = [[a, b], [b, a]] with a, b from the eigenvalues 1 ± r
    a = (math.sqrt(1 + r) + math.sqrt(1 - r)) / 2
    b = (math.sqrt(1 + r) - math.sqrt(1 - r)) / 2
    lam = np.array([[a, b], [b, a]])
    beta_star = np.linalg.solve(lam, ry)
    want = (lam ** 2) @ beta_star ** 2
    got = relative_weights(frame, "csat", ["rating_x", "rating_y"]).set_index("column")
    assert got.loc[["rating_x", "rating_y"], "weight"].to_numpy() == pytest.approx(want)
    r2 = (ry[0] ** 2 + ry[1] ** 2 - 2 * ry[0] * ry[1] * r) / (1 - r ** 2)
    assert got.attrs["r2"] == pytest.approx(r2)


def test_dominance_two_predictors_is_the_shapley_value():
    rng = np.random.default_rng(4)
    n = 300
    x1 = rng.normal(size=n)
    x2 = 0.5 * x1 + rng.normal(size=n)
    frame = pd.DataFrame({"x1": x1, "x2": x2, "csat": x1 + x2 + rng.normal(size=n)})
    c = frame.corr().to_numpy()
    r, r1, r2 = c[0, 1], c[0, 2], c[1, 2]
    full = (r1 ** 2 + r2 ** 2 - 2 * r1 * r2 * r) / (1 - r ** 2)
    got = dominance(frame, "csat", ["x1", "x2"])
    assert list(got.columns) == list(DOMINANCE_COLUMNS)
    got = got.set_index("column")
    assert got.loc["x1", "weight"] == pytest.approx((r1 ** 2 + full - r2 ** 2) / 2)
    assert got.loc["x2", "weight"] == pytest.approx((r2 ** 2 + full - r1 ** 2) / 2)
    assert got["weight"].sum() == pytest.approx(full)
    assert got.loc["x1", "aspect"] == "x1"  # no rating_ prefix: the name itself


def test_johnson_and_dominance_agree():
    frame = _correlated()
    rw = relative_weights(frame, "csat", COLUMNS).set_index("aspect")
    dom = dominance(frame, "csat", COLUMNS).set_index("aspect")
    assert dom["weight"].sum() == pytest.approx(rw.attrs["r2"], abs=1e-10)
    assert dom.index.tolist() == rw.index.tolist()
    diff = (rw["share"] - dom.loc[rw.index, "share"]).abs()
    assert diff.max() < 0.02


def test_nan_rows_dropped_and_zero_variance_predictor():
    frame = _correlated(n=1000)
    frame.loc[:9, "csat"] = np.nan
    frame.loc[5:19, "rating_price"] = np.nan  # rows 0-19 incomplete
    frame["rating_flat"] = 3.0
    before = frame.copy()
    got = relative_weights(frame, "csat", [*COLUMNS, "rating_flat"])
    pd.testing.assert_frame_equal(frame, before)
    assert got.attrs["n"] == 980
    assert got.attrs["dropped"] == ["rating_flat"]
    assert sorted(got["column"]) == sorted(COLUMNS)
    assert got.attrs["r2"] == pytest.approx(_r2(frame.iloc[20:], COLUMNS))
    dom = dominance(frame, "csat", [*COLUMNS, "rating_flat"])
    assert dom.attrs["n"] == 980 and dom.attrs["dropped"] == ["rating_flat"]


def test_too_few_rows_give_an_empty_frame():
    frame = _correlated(n=6)  # 5 predictors need 7 rows
    got = relative_weights(frame, "csat", COLUMNS)
    assert got.empty and list(got.columns) == list(WEIGHT_COLUMNS)
    assert got.attrs["n"] == 6 and math.isnan(got.attrs["r2"])
    assert not relative_weights(_correlated(n=7), "csat", COLUMNS).empty
    got = dominance(frame, "csat", COLUMNS)
    assert got.empty and list(got.columns) == list(DOMINANCE_COLUMNS)
    flat = _correlated(n=50).assign(csat=4.0)  # constant target: no R²
    assert relative_weights(flat, "csat", COLUMNS).empty


def test_bad_arguments():
    frame = _correlated(n=50)
    with pytest.raises(ParameterError, match="'target' parameter"):
        relative_weights(frame, "nps", COLUMNS)
    with pytest.raises(ParameterError, match="'predictors' parameter"):
        relative_weights(frame, "csat", ["rating_missing"])
    with pytest.raises(ParameterError, match="'predictors' parameter"):
        relative_weights(frame, "csat", [])
    wide = pd.DataFrame(np.random.default_rng(0).normal(size=(50, 14)),
                        columns=[f"x{i}" for i in range(13)] + ["csat"])
    with pytest.raises(ParameterError) as err:
        dominance(wide, "csat", [f"x{i}" for i in range(13)])
    assert str(err.value) == ("The 'predictors' parameter must be at most 12 columns for "
                              "dominance analysis. Got 13 instead.")


def test_aspect_means():
    fb = pd.DataFrame({"csat": [4, 5, 3], "rating_product": [4, np.nan, 2],
                       "rating_service": pd.array([5, 3, None], dtype="Int64"),
                       "rating_price": [np.nan] * 3, "channel": ["a", "b", "c"]})
    got = aspect_means(fb)
    assert got.index.tolist() == ["product", "service", "price"]
    assert got.tolist()[:2] == [3.0, 4.0] and math.isnan(got["price"])


def _weights(shares: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame({"aspect": list(shares), "share": list(shares.values())})


def test_importance_performance_quadrants():
    weights = _weights({"product": 0.4, "service": 0.3, "price": 0.2, "delivery": 0.1})
    perf = pd.Series({"delivery": 4.6, "price": 3.2, "service": 4.5, "product": 3.0,
                      "extra": 5.0})
    got = importance_performance(weights, perf)
    # cuts: importance 0.25 (= 1/4), performance (3.0 + 4.5 + 3.2 + 4.6) / 4 = 3.825
    assert got.attrs["importance_cut"] == pytest.approx(0.25)
    assert got.attrs["performance_cut"] == pytest.approx(3.825)
    assert list(got.columns) == list(IP_COLUMNS)
    assert got["aspect"].tolist() == ["product", "service", "price", "delivery"]
    assert got["performance"].tolist() == [3.0, 4.5, 3.2, 4.6]
    assert got["quadrant"].tolist() == ["fix", "keep", "low_priority", "overkill"]
    # given cuts; a value on the cut counts as high
    got = importance_performance(weights, perf, importance_cut=0.2, performance_cut=4.5)
    assert got["quadrant"].tolist() == ["fix", "keep", "fix", "overkill"]


def test_importance_performance_from_relative_weights_and_empty():
    frame = _correlated(n=500)
    rw = relative_weights(frame, "csat", COLUMNS)
    perf = aspect_means(frame.drop(columns="rating_delivery"))
    got = importance_performance(rw, perf)
    assert got["aspect"].tolist() == ASPECTS[:4]  # delivery has no performance
    assert got["importance"].tolist() == rw["share"].tolist()[:4]
    empty = importance_performance(rw.iloc[:0], perf)
    assert empty.empty and list(empty.columns) == list(IP_COLUMNS)
    with pytest.raises(ParameterError, match="'weights' parameter"):
        importance_performance(rw.drop(columns="share"), perf)
