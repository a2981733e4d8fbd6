import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from playbook.errors import ParameterError
from playbook.feedback.satisfaction import (
    BY_COLUMNS,
    COMPARE_COLUMNS,
    compare,
    compare_by,
    csat_stats,
    nps_stats,
    satisfaction_by,
)

Z95 = 1.959963984540054  # Φ⁻¹(0.975)


def _wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    p = k / n
    center = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return center - half, center + half


# ---------------------------------------------------------------- CSAT


def test_csat_stats_hand_worked():
    got = csat_stats([5, 4, 4, 3, 2])
    assert got["n"] == 5
    assert got["mean"] == pytest.approx(3.6)
    # s² = (1.4² + 2·0.4² + 0.6² + 1.6²) / 4 = 5.2 / 4 = 1.3; t(0.975, 4) = 2.776445
    half = 2.776445 * math.sqrt(1.3) / math.sqrt(5)
    assert got["mean_lo"] == pytest.approx(3.6 - half, abs=1e-5)
    assert got["mean_hi"] == pytest.approx(3.6 + half, abs=1e-5)
    assert (got["mean_lo"], got["mean_hi"]) == pytest.approx((2.184285, 5.015715), abs=1e-5)
    assert got["top2"] == pytest.approx(0.6)
    assert (got["top2_lo"], got["top2_hi"]) == pytest.approx((0.2307, 0.8824), abs=1e-4)
    assert (got["top2_lo"], got["top2_hi"]) == pytest.approx(_wilson(3, 5), abs=1e-12)


def test_csat_stats_skips_nan_and_other_confidence_and_top_box():
    got = csat_stats(pd.Series([5, None, 4, 4, 3, 2, np.nan], dtype="Float64"),
                     top_box=5, confidence=0.9)
    assert got["n"] == 5 and got["mean"] == pytest.approx(3.6)
    half = stats.t.ppf(0.95, 4) * math.sqrt(1.3 / 5)
    assert got["mean_hi"] - got["mean"] == pytest.approx(half)
    assert got["top2"] == pytest.approx(0.2)  # only the 5
    z90 = 1.6448536269514722
    assert (got["top2_lo"], got["top2_hi"]) == pytest.approx(_wilson(1, 5, z90))


def test_csat_stats_empty_and_single():
    empty = csat_stats([])
    assert empty["n"] == 0
    assert all(math.isnan(empty[k]) for k in empty if k != "n")
    one = csat_stats([np.nan, 4])
    assert one["n"] == 1 and one["mean"] == 4.0 and one["top2"] == 1.0
    assert math.isnan(one["mean_lo"]) and math.isnan(one["mean_hi"])
    # Wilson for 1/1: upper bound 1, lower bound 1/(1 + z²)
    assert one["top2_hi"] == pytest.approx(1.0)
    assert one["top2_lo"] == pytest.approx(1 / (1 + Z95 ** 2))


@pytest.mark.parametrize("kwargs", [{"top_box": 6}, {"top_box": "4"}, {"confidence": 1.0},
                                    {"confidence": 0}, {"confidence": True}])
def test_csat_stats_bad_arguments(kwargs):
    with pytest.raises(ParameterError) as err:
        csat_stats([4, 5], **kwargs)
    name = next(iter(kwargs))
    assert str(err.value).startswith(f"The '{name}' parameter must be ")
    assert str(err.value).endswith(f"Got {kwargs[name]!r} instead.")


# ---------------------------------------------------------------- NPS


def test_nps_stats_hand_worked_zero():
    got = nps_stats([10, 9, 8, 7, 6, 0])
    assert got["n"] == 6
    assert got["promoters"] == pytest.approx(2 / 6)
    assert got["passives"] == pytest.approx(2 / 6)
    assert got["detractors"] == pytest.approx(2 / 6)
    assert got["nps"] == pytest.approx(0.0)
    # v = (1/3 + 1/3 − 0²) / 6 = 1/9, so the half-width is 100·z/3
    assert got["nps_hi"] == pytest.approx(100 * Z95 / 3)
    assert got["nps_lo"] == pytest.approx(-100 * Z95 / 3)


def test_nps_stats_forty():
    got = nps_stats([10, 10, 10, 9, 8, 7, 6, 5, 10, 10, np.nan])
    assert got["n"] == 10
    assert (got["promoters"], got["passives"], got["detractors"]) == pytest.approx((.6, .2, .2))
    assert got["nps"] == pytest.approx(40.0)
    half = 100 * Z95 * math.sqrt((0.6 + 0.2 - 0.4 ** 2) / 10)  # √0.064 = 0.25298
    assert half == pytest.approx(49.583, abs=1e-3)
    assert (got["nps_lo"], got["nps_hi"]) == pytest.approx((40 - half, 40 + half))


def test_nps_interval_is_clipped_to_100():
    got = nps_stats([10, 10, 10, 10, 0])
    assert got["nps"] == pytest.approx(60.0)
    half = 100 * Z95 * math.sqrt((0.8 + 0.2 - 0.36) / 5)  # 70.1: 60 + 70.1 > 100
    assert got["nps_lo"] == pytest.approx(60 - half)
    assert got["nps_hi"] == 100.0
    all_promoters = nps_stats([9, 10, 10])
    assert all_promoters["nps"] == 100.0
    assert (all_promoters["nps_lo"], all_promoters["nps_hi"]) == (100.0, 100.0)


def test_nps_stats_empty():
    got = nps_stats([np.nan])
    assert got["n"] == 0
    assert all(math.isnan(got[k]) for k in got if k != "n")


# ---------------------------------------------------------------- by group


def _groups() -> pd.DataFrame:
    return pd.DataFrame({
        "channel": ["web", "app", "web", "app", "web", "store", None, "app"],
        "region": ["N", "N", "S", "N", "S", "S", "N", "S"],
        "csat": [5, 4, 2, np.nan, 3, 4, 1, 5],
        "nps": [10, 9, 3, 7, np.nan, np.nan, 0, 6],
    })


def test_satisfaction_by_hand_worked():
    fb = _groups()
    before = fb.copy()
    got = satisfaction_by(fb, "channel")
    pd.testing.assert_frame_equal(fb, before)  # input untouched
    assert list(got.columns) == ["channel", *BY_COLUMNS]
    assert got["channel"].tolist() == ["app", "store", "web"]  # sorted, the None row left out
    app, store, web = (got.iloc[i] for i in range(3))
    # app: csat 4, 5 (NaN skipped); nps 9, 7, 6
    assert app["csat_n"] == 2 and app["csat_mean"] == pytest.approx(4.5)
    assert app["csat_top2"] == 1.0
    half = stats.t.ppf(0.975, 1) * math.sqrt(0.5) / math.sqrt(2)  # s² = 0.5, 12.706·0.5
    assert app["csat_mean_hi"] == pytest.approx(4.5 + half)
    assert app["nps_n"] == 3
    assert (app["promoters"], app["detractors"]) == pytest.approx((1 / 3, 1 / 3))
    assert app["nps"] == pytest.approx(0.0)
    # web: csat 5, 2, 3 -> mean 10/3, top2 1/3; nps 10, 3 -> one promoter, one detractor: 0,
    # v = (0.5 + 0.5 − 0²) / 2, half-width 100·z·√0.5 = 138.6, clipped to ±100
    assert web["csat_n"] == 3 and web["csat_mean"] == pytest.approx(10 / 3)
    assert (web["csat_top2_lo"], web["csat_top2_hi"]) == pytest.approx(_wilson(1, 3))
    assert web["nps"] == pytest.approx(0.0)
    assert 100 * Z95 * math.sqrt(0.5) > 100
    assert (web["nps_lo"], web["nps_hi"]) == (-100.0, 100.0)
    # store: one csat, no nps
    assert store["csat_n"] == 1 and math.isnan(store["csat_mean_lo"])
    assert store["nps_n"] == 0 and math.isnan(store["nps"])


def test_satisfaction_by_matches_the_single_sample_functions():
    fb = _groups()
    got = satisfaction_by(fb, "channel").set_index("channel")
    for channel, rows in fb.dropna(subset=["channel"]).groupby("channel"):
        c, p = csat_stats(rows["csat"]), nps_stats(rows["nps"])
        for key in ("n", "mean", "mean_lo", "mean_hi", "top2", "top2_lo", "top2_hi"):
            want = c[key]
            col = "csat_n" if key == "n" else f"csat_{key}"
            assert got.loc[channel, col] == pytest.approx(want, nan_ok=True)
        for key in ("n", "nps", "nps_lo", "nps_hi", "promoters", "detractors"):
            col = "nps_n" if key == "n" else key
            assert got.loc[channel, col] == pytest.approx(p[key], nan_ok=True)


def test_satisfaction_by_min_n_and_two_columns():
    fb = _groups()
    # store has 1 csat and 0 nps: below 2 on both, dropped; app (2 / 3) and web (3 / 2) stay
    assert satisfaction_by(fb, "channel", min_n=2)["channel"].tolist() == ["app", "web"]
    # min 3: app keeps (3 nps), web keeps (3 csat)
    assert satisfaction_by(fb, "channel", min_n=3)["channel"].tolist() == ["app", "web"]
    assert satisfaction_by(fb, "channel", min_n=4).empty
    two = satisfaction_by(fb, ["channel", "region"])
    assert list(two.columns[:2]) == ["channel", "region"]
    assert list(zip(two["channel"], two["region"], strict=True)) == [
        ("app", "N"), ("app", "S"), ("store", "S"), ("web", "N"), ("web", "S")]
    assert two["csat_n"].tolist() == [1, 1, 1, 1, 2]


def test_satisfaction_by_empty_and_bad_arguments():
    got = satisfaction_by(_groups().iloc[:0], "channel")
    assert got.empty and list(got.columns) == ["channel", *BY_COLUMNS]
    with pytest.raises(ParameterError, match="'by' parameter"):
        satisfaction_by(_groups(), "segment")
    with pytest.raises(ParameterError, match="'min_n' parameter"):
        satisfaction_by(_groups(), "channel", min_n=0)


def test_satisfaction_by_without_an_nps_column():
    got = satisfaction_by(_groups().drop(columns="nps"), "channel")
    assert (got["nps_n"] == 0).all() and got["nps"].isna().all()
    assert got["csat_n"].tolist() == [2, 1, 3]


# ---------------------------------------------------------------- two periods


def _period(csat, nps) -> pd.DataFrame:
    return pd.DataFrame({"csat": np.asarray(csat, float), "nps": np.asarray(nps, float)})


def test_compare_small_case_against_the_formulas():
    now = _period([5, 5, 4, 3], [10, 9, 7, 3])
    before = _period([5, 2, 2, 1, 1], [10, 0, 0, 0, 0])
    got = compare(now, before).set_index("metric")
    assert list(got.reset_index().columns) == list(COMPARE_COLUMNS)
    assert got.index.tolist() == ["csat_mean", "csat_top2", "nps"]
    # Welch: means 4.25 and 2.2, s² 2.75/3 and 10.8/4
    v1, v2 = (2.75 / 3) / 4, 2.7 / 5
    t = 2.05 / math.sqrt(v1 + v2)
    df = (v1 + v2) ** 2 / (v1 ** 2 / 3 + v2 ** 2 / 4)
    assert (t, df) == pytest.approx((2.33746, 6.5440), abs=1e-4)
    assert got.loc["csat_mean", "p_value"] == pytest.approx(2 * stats.t.sf(t, df))
    assert got.loc["csat_mean", "p_value"] == pytest.approx(
        stats.ttest_ind([5, 5, 4, 3], [5, 2, 2, 1, 1], equal_var=False).pvalue)
    assert got.loc["csat_mean", "change"] == pytest.approx(2.05)
    # top-2: 3/4 vs 1/5, pooled 4/9, se = √(4/9·5/9·(1/4 + 1/5)) = 1/3, z = 0.55·3 = 1.65
    assert (got.loc["csat_top2", "now"], got.loc["csat_top2", "before"]) == (0.75, 0.2)
    assert got.loc["csat_top2", "p_value"] == pytest.approx(2 * stats.norm.sf(1.65))
    assert got.loc["csat_top2", "p_value"] == pytest.approx(0.09894, abs=1e-5)
    # NPS: 25 (v = (0.75 − 0.0625)/4) vs −60 (v = (1 − 0.36)/5)
    z = 0.85 / math.sqrt(0.171875 + 0.128)
    assert (got.loc["nps", "now"], got.loc["nps", "before"]) == pytest.approx((25.0, -60.0))
    assert got.loc["nps", "change"] == pytest.approx(85.0)
    assert got.loc["nps", "p_value"] == pytest.approx(2 * stats.norm.sf(z))
    assert got["n_now"].tolist() == [4, 4, 4] and got["n_before"].tolist() == [5, 5, 5]


def test_compare_clear_drop_and_identical_samples():
    rng = np.random.default_rng(3)
    before = _period(rng.choice([3, 4, 5], 300, p=[.1, .4, .5]), rng.choice([6, 8, 9, 10], 300))
    now = _period(rng.choice([1, 2, 3, 4], 300, p=[.2, .3, .3, .2]), rng.choice([0, 5, 7, 9], 300))
    dropped = compare(now, before)
    assert (dropped["p_value"] < 0.01).all()
    assert (dropped["change"] < 0).all()
    same = compare(before, before.copy())
    assert same["p_value"].tolist() == pytest.approx([1.0, 1.0, 1.0])
    assert same["change"].tolist() == [0.0, 0.0, 0.0]


def test_compare_absent_column_and_too_few_responses():
    got = compare(_period([4, 5, 3], [9, 9, 1]).drop(columns="nps"), _period([4], [8]))
    got = got.set_index("metric")
    assert got["p_value"].isna().all()  # before has one response; now has no nps column
    assert got.loc["nps", "n_now"] == 0 and math.isnan(got.loc["nps", "now"])
    assert got.loc["csat_mean", "now"] == pytest.approx(4.0)
    empty = compare(_period([], []), _period([4, 5], [9, 10]))
    assert empty["n_now"].tolist() == [0, 0, 0] and empty["p_value"].isna().all()


def test_compare_by_groups_in_both_periods():
    now = _groups()
    before = _groups().iloc[[0, 1, 2, 4, 7]].assign(csat=[4, 3, 2, 2, 4])  # web and app only
    got = compare_by(now, before, "channel")
    assert list(got.columns) == ["channel", *COMPARE_COLUMNS]
    assert got["channel"].tolist() == ["app"] * 3 + ["web"] * 3
    assert got["metric"].tolist() == ["csat_mean", "csat_top2", "nps"] * 2
    for channel in ("app", "web"):
        want = compare(now[now["channel"] == channel], before[before["channel"] == channel])
        mine = got[got["channel"] == channel].drop(columns="channel").reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, want)
    assert compare_by(now, before.iloc[:0], "channel").empty
    with pytest.raises(ParameterError, match="'by' parameter"):
        compare_by(now, before.drop(columns="channel"), "channel")
