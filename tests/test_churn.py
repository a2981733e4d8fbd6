"""Churn risk: features, labels, cutoff plan, model, metrics, value at risk and charts."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from playbook.errors import ParameterError
from playbook.periods import parse_period
from playbook.plots.churn import (
    plot_feature_importance,
    plot_lift,
    plot_risk_distribution,
    plot_roc_pr,
)
from playbook.segment.churn import (
    ChurnModel,
    churn_features,
    churn_labels,
    churn_population,
    cutoff_plan,
    evaluate,
    expected_loss,
    feature_label,
    fit_out_of_time,
    lift_table,
    top_at_risk,
)

CUT = pd.Timestamp("2026-09-30")


def _purchases(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": pd.Series([r[0] for r in rows], dtype="str"),
        "order_key": pd.Series([f"o{i}" for i in range(len(rows))], dtype="str"),
        "order_date": pd.to_datetime([r[1] for r in rows], format="ISO8601"),
        "amount": [float(r[2]) for r in rows],
        "n_lines": 1,
    })


@pytest.fixture
def tiny() -> pd.DataFrame:
    # days before the cutoff 2026-09-30 (days_ago) in the comments
    return _purchases([
        ("A", "2025-06-01", 50),           # 486
        ("A", "2026-07-15", 100),          # 77
        ("A", "2026-09-30 23:00", 40),     # 0: on the cutoff day, counts
        ("A", "2026-10-01 00:00", 999),    # cutoff + 1: must never be used
        ("B", "2026-03-01", 80),           # 213
        ("C", "2025-09-30", 70),           # 365: outside (c-365, c] -> C not active
        ("C", "2026-10-05", 70),           # future
        ("D", "2026-06-20", 40),           # 102 (rows out of order on purpose)
        ("D", "2025-10-01", 10),           # 364: inside the active year
        ("D", "2026-05-01 09:00", 20),     # 152
        ("D", "2026-05-01 15:00", 30),     # 152: same day, second order (gap 0)
        ("E", "2026-07-03", 1),            # 89  -> frequency_90
        ("E", "2026-07-02", 1),            # 90  -> frequency_prev_90
        ("E", "2026-04-04", 1),            # 179 -> frequency_prev_90
        ("E", "2026-04-03", 1),            # 180 -> neither 90-day window
    ])


def test_population_excludes_inactive_and_future(tiny):
    pop = churn_population(tiny, CUT)
    assert list(pop) == ["A", "B", "D", "E"]
    assert pop.name == "customer_id"
    # with a 100-day active window only A (0) and E (89) qualify; D's latest is 102 days ago
    assert list(churn_population(tiny, CUT, active_days=100)) == ["A", "E"]
    with pytest.raises(ParameterError, match="'active_days'"):
        churn_population(tiny, CUT, active_days=0)
    # a purchase without a customer id is ignored
    no_id = pd.concat([tiny, _purchases([("Z", "2026-09-01", 5)]).assign(customer_id=pd.NA)])
    assert list(churn_population(no_id, CUT)) == ["A", "B", "D", "E"]


def test_purchase_features_by_hand(tiny):
    before = tiny.copy()
    f = churn_features(tiny, CUT)
    pd.testing.assert_frame_equal(tiny, before)  # input untouched
    assert list(f.index) == ["A", "B", "D", "E"]
    a, b, d, e = (f.loc[k] for k in "ABDE")
    # A: days_ago 486, 77, 0 (the 999 on 2026-10-01 is ignored)
    assert a["recency_days"] == 0 and a["tenure_days"] == 486 and a["n_purchases"] == 3
    assert a["frequency_365"] == 2 and a["monetary_365"] == 140 and a["aov_365"] == 70
    assert a["frequency_90"] == 2 and a["frequency_prev_90"] == 0 and a["trend"] == 2
    # gaps 486-77 = 409 and 77-0 = 77: mean 243, sample std |409-77|/sqrt(2) = 234.759...
    assert a["ipt_mean"] == 243
    assert a["ipt_std"] == pytest.approx(332 / math.sqrt(2))
    assert a["recency_ratio"] == 0
    # B: one purchase 213 days ago; no gaps -> NaN; 213 is outside both 90-day windows
    assert b["recency_days"] == 213 and b["tenure_days"] == 213 and b["n_purchases"] == 1
    assert b["frequency_90"] == 0 and b["frequency_prev_90"] == 0 and b["trend"] == 0
    assert b["monetary_365"] == 80 and b["aov_365"] == 80
    assert np.isnan(b["ipt_mean"]) and np.isnan(b["ipt_std"]) and np.isnan(b["recency_ratio"])
    # D: days_ago 364, 152, 152, 102 -> gaps 212, 0, 50: mean 262/3, std(ddof 1) 110.82...
    assert d["recency_days"] == 102 and d["tenure_days"] == 364 and d["n_purchases"] == 4
    assert d["frequency_365"] == 4 and d["monetary_365"] == 100 and d["aov_365"] == 25
    assert d["frequency_90"] == 0 and d["frequency_prev_90"] == 3 and d["trend"] == -3
    assert d["ipt_mean"] == pytest.approx(262 / 3)
    # deviations 124.67, -87.33, -37.33: (15541.78 + 7627.11 + 1393.78) / 2 = 12281.33
    assert d["ipt_std"] == pytest.approx(math.sqrt(12281.3333), rel=1e-6)
    assert d["recency_ratio"] == pytest.approx(102 / (262 / 3))
    # E: 89 in the last 90 days, 90 and 179 in (c-180, c-90], 180 in neither
    assert e["frequency_90"] == 1 and e["frequency_prev_90"] == 2 and e["trend"] == -1
    assert e["n_purchases"] == 4 and e["recency_days"] == 89
    assert f["recency_days"].dtype == "int64" and f["frequency_365"].dtype == "int64"


def test_features_identical_whatever_the_row_order(tiny):
    shuffled = tiny.sample(frac=1, random_state=3)
    pd.testing.assert_frame_equal(churn_features(shuffled, CUT), churn_features(tiny, CUT))


def test_complaint_feedback_and_extra_windows(tiny):
    complaints = pd.DataFrame({
        "customer_id": ["A", "A", "A", "D", "X"],
        "opened_at": pd.to_datetime(["2025-09-30", "2025-10-01", "2026-10-01",
                                     "2026-09-30 23:59", "2026-09-01"], format="ISO8601"),
    })
    feedback = pd.DataFrame({
        "customer_id": ["A", "A", "A", "B", "D"],
        "response_date": pd.to_datetime(["2026-01-10", "2026-08-01", "2026-10-02",
                                         "2025-05-01", "2026-09-01"]),
        "nps": [9, 3, 0, 7, np.nan],
        "csat": [5, 2, 1, 4, 4],
    })
    extra = pd.DataFrame({"p_alive": [0.9, 0.4]}, index=pd.Index(["A", "B"], name="customer_id"))
    f = churn_features(tiny, CUT, complaints=complaints, feedback=feedback, extra=extra)
    # A: 2025-09-30 is 365 days back (out), 2025-10-01 in, 2026-10-01 future (out) -> 1
    assert f["complaints_365"].to_dict() == {"A": 1, "B": 0, "D": 1, "E": 0}
    # A's latest NPS on or before the cutoff is 3 (2026-08-01; the 0 of 2026-10-02 is future);
    # B's NPS of 2025-05-01 is old but still the latest; D answered without an NPS
    assert f.loc["A", "nps_last"] == 3 and f.loc["B", "nps_last"] == 7
    assert np.isnan(f.loc["D", "nps_last"]) and np.isnan(f.loc["E", "nps_last"])
    # CSAT within (c-365, c]: A (5 + 2) / 2; B's answer is older than a year
    assert f.loc["A", "csat_mean_365"] == 3.5 and f.loc["D", "csat_mean_365"] == 4
    assert np.isnan(f.loc["B", "csat_mean_365"])
    assert f.loc["A", "p_alive"] == 0.9 and np.isnan(f.loc["D", "p_alive"])
    with pytest.raises(ParameterError, match="'extra'"):
        churn_features(tiny, CUT, extra=pd.DataFrame({"trend": [1.0]}, index=["A"]))


def test_label_boundaries():
    cutoff = pd.Timestamp("2026-06-30")  # horizon 92 days: window 2026-07-01 .. 2026-09-30
    p = _purchases([
        ("P", "2026-06-30 12:00", 1),   # on the cutoff: history, not the label -> churned
        ("Q", "2026-09-30 23:00", 1),   # day cutoff + 92: inside -> stayed
        ("R", "2026-10-01 00:00", 1),   # day cutoff + 93: outside -> churned
        ("S", "2026-07-01 00:00", 1),   # day cutoff + 1 -> stayed
    ])
    y = churn_labels(p, cutoff, 92, pd.Index(["P", "Q", "R", "S", "T"]))
    assert y.to_dict() == {"P": 1, "Q": 0, "R": 1, "S": 0, "T": 1}
    assert y.dtype == "int64" and y.name == "churned"
    with pytest.raises(ParameterError, match="'horizon_days'"):
        churn_labels(p, cutoff, 0, ["P"])


def test_cutoff_plan_2026q3():
    plan = cutoff_plan(parse_period("2026Q3"), 4)
    ts = pd.Timestamp
    assert plan["score"] == ts("2026-09-30")
    assert plan["validation"] == ts("2026-06-30")
    assert plan["training"] == [ts("2026-03-31"), ts("2025-12-31"), ts("2025-09-30"),
                                ts("2025-06-30")]
    # days to the next quarter's end: Q3 92, Q2 91, Q1 2026 90, Q4 92, Q3 2025 92, Q4 2026 92
    assert plan["horizons"] == {ts("2026-09-30"): 92, ts("2026-06-30"): 92,
                                ts("2026-03-31"): 91, ts("2025-12-31"): 90,
                                ts("2025-09-30"): 92, ts("2025-06-30"): 92}
    assert plan["windows"][ts("2026-06-30")] == (ts("2026-07-01"), ts("2026-09-30"))
    assert plan["windows"][ts("2025-12-31")] == (ts("2026-01-01"), ts("2026-03-31"))
    # no leakage: every training label window ends on or before the validation cutoff
    assert all(plan["windows"][c][1] <= plan["validation"] for c in plan["training"])
    with pytest.raises(ParameterError, match="'n_training'"):
        cutoff_plan(parse_period("2026Q3"), 0)


def test_evaluate_by_hand():
    # 20 customers, 5 churned (base rate 0.25), perfectly separated by p
    y = np.r_[np.ones(5), np.zeros(15)]
    p = np.linspace(1, 0, 20)
    m = evaluate(y, p)
    assert m["auc"] == 1.0 and m["pr_auc"] == 1.0 and m["n"] == 20 and m["base_rate"] == 0.25
    # top decile = ceil(20 / 10) = 2 customers, both churned: 1.0 / 0.25 = 4
    assert m["top_decile_lift"] == 4.0
    # 15 customers, one churner (base rate 1/15): top ceil(1.5) = 2 rows, the two highest p
    y2 = np.array([0, 1, 0] + [0] * 12)
    p2 = np.r_[0.9, 0.8, 0.7, np.linspace(0.5, 0.1, 12)]
    # top 2 = rows 0, 1 with one churner: (1/2) / (1/15) = 7.5
    assert evaluate(y2, p2)["top_decile_lift"] == pytest.approx(7.5)
    assert evaluate(np.array([1, 0]), np.array([0.1, 0.9]))["auc"] == 0.0
    single = evaluate(np.zeros(4), np.arange(4.0))
    assert np.isnan(single["auc"]) and np.isnan(single["top_decile_lift"])


def test_lift_table_by_hand():
    y = np.r_[np.ones(5), np.zeros(15)]
    t = lift_table(y, np.linspace(1, 0, 20))
    assert list(t["decile"]) == list(range(1, 11)) and set(t["customers"]) == {2}
    # deciles 1, 2: 2 of 2 churned; decile 3: 1 of 2; the rest 0 -> lifts 4, 4, 2, 0 ...
    assert list(t["churn_rate"]) == [1, 1, 0.5] + [0] * 7
    assert list(t["lift"]) == [4, 4, 2] + [0] * 7
    # 5 rows in 2 groups: rank r goes to floor(2 r / 5) + 1 -> sizes 3 and 2
    t2 = lift_table(np.array([1, 0, 1, 0, 0]), np.array([0.9, 0.8, 0.7, 0.2, 0.1]), bins=2)
    assert list(t2["customers"]) == [3, 2] and list(t2["churned"]) == [2, 0]
    assert t2["lift"].iloc[0] == pytest.approx((2 / 3) / 0.4)


def test_model_sampling_columns_and_errors():
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"a": rng.normal(size=1000), "b": rng.normal(size=1000)})
    y = (X["a"] + 0.3 * rng.normal(size=1000) > 0.8).astype(int)
    for kind in ("hgb", "logistic"):
        m = ChurnModel(kind, random_state=0, max_train_rows=200).fit(X, y)
        assert m.n_train_ == 200 and m.feature_names_ == ["a", "b"]
        p = m.predict_proba(X[["b", "a"]])  # columns are matched by name
        assert p.shape == (1000,) and ((p >= 0) & (p <= 1)).all()
        assert evaluate(y, p)["auc"] > 0.9
    # the sample keeps each class's share: 300 of 1000 churned -> 60 of 200
    from playbook.segment.churn import _stratified_sample

    labels = np.r_[np.ones(300, int), np.zeros(700, int)]
    pos = _stratified_sample(labels, 200, np.random.default_rng(0))
    assert len(pos) == 200 and labels[pos].sum() == 60 and len(set(pos)) == 200
    with pytest.raises(ParameterError, match="'kind'"):
        ChurnModel("forest").fit(X, y)
    with pytest.raises(ParameterError, match="'n_threads'"):
        ChurnModel(n_threads=0).fit(X, y)
    # None = the library's thread default; the result does not depend on the threads
    p_default = ChurnModel("logistic", n_threads=None).fit(X, y).predict_proba(X)
    np.testing.assert_allclose(p_default, ChurnModel("logistic").fit(X, y).predict_proba(X))
    again = ChurnModel("hgb", random_state=0, max_train_rows=200).fit(X, y)
    first = ChurnModel("hgb", random_state=0, max_train_rows=200).fit(X, y)
    np.testing.assert_array_equal(again.predict_proba(X), first.predict_proba(X))
    with pytest.raises(ParameterError, match="'y'"):
        ChurnModel().fit(X, np.zeros(1000))
    with pytest.raises(ParameterError, match="'X'"):
        m.predict_proba(X[["a"]])
    # a feature that is NaN in every training row does not break the logistic pipeline
    Xn = X.assign(c=np.nan)
    assert ChurnModel("logistic").fit(Xn, y).predict_proba(Xn).shape == (1000,)


def _simulate(n: int, seed: int, end: str = "2026-09-30") -> pd.DataFrame:
    """Customers join over 3 years, buy as a Poisson process (rates vary) and die after an
    exponential lifetime: who stops buying is visible in recency and trend."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2023-01-01")
    span = (pd.Timestamp(end) - start).days + 1
    birth = rng.uniform(0, span - 90, n)
    death = np.minimum(birth + rng.exponential(500, n), span)
    rate = rng.gamma(2.0, 1 / 70, n)  # purchases per day, mean one every 35 days
    counts = rng.poisson(rate * (death - birth)) + 1
    who = np.repeat(np.arange(n), counts)
    day = birth[who] + rng.uniform(0, 1, len(who)) * (death - birth)[who]
    return pd.DataFrame({
        "customer_id": pd.Series(np.char.add("c", who.astype(str)), dtype="str"),
        "order_date": start + pd.to_timedelta(np.floor(day), unit="D"),
        "amount": rng.lognormal(4, 0.6, len(who)).round(2),
    })


def test_out_of_time_model_on_a_simulation():
    purchases = _simulate(3000, seed=11)
    plan = cutoff_plan(parse_period("2026Q3"), 3)

    def frame(c):
        X = churn_features(purchases, c)
        return X, churn_labels(purchases, c, plan["horizons"][c], X.index)

    fit = fit_out_of_time([frame(c) for c in plan["training"]], frame(plan["validation"]),
                          kind="hgb", random_state=0)
    m = pd.DataFrame(fit["metrics"]).T
    assert list(m.index) == ["model", "baseline"] and list(m["kind"]) == ["hgb", "logistic"]
    assert m.loc["model", "auc"] > 0.7 and m.loc["baseline", "auc"] > 0.7
    random_auc = evaluate(fit.validation["y"],
                          np.random.default_rng(0).random(len(fit.validation)))["auc"]
    assert m.loc["model", "auc"] > random_auc + 0.15
    assert m.loc["model", "top_decile_lift"] > 1.5
    assert m.loc["model", "n"] == fit.n_validation_rows == len(fit.validation)
    # the customers are scored by whichever model validated better
    better = "hgb" if m.loc["model", "auc"] >= m.loc["baseline", "auc"] else "logistic"
    assert fit.scoring_kind == better == fit.model.kind
    assert list(fit.validation.columns) == ["y", "p_model", "p_baseline"]
    assert fit.lift["customers"].sum() == fit.n_validation_rows
    # the model that scores was refitted on training + validation rows
    assert fit.model.n_train_ == fit.n_training_rows + fit.n_validation_rows
    top3 = set(fit.importance["feature"].head(3))
    assert top3 & {"recency_days", "recency_ratio", "frequency_90", "trend"}
    X_now = churn_features(purchases, plan["score"])
    p = fit.model.predict_proba(X_now)
    assert len(p) == len(X_now) and ((p >= 0) & (p <= 1)).all()
    # sampling: with max_train_rows the training rows are capped, the result is deterministic
    small = fit_out_of_time([frame(c) for c in plan["training"][:1]], frame(plan["validation"]),
                            kind="logistic", max_train_rows=500, importance_rows=300)
    assert small.model.n_train_ <= 501 and small.importance["importance"].notna().all()


def test_expected_loss_and_top_at_risk():
    p = pd.Series([0.5, 0.2, 0.9], index=["a", "b", "c"])
    clv = pd.Series([100.0, np.nan, 50.0], index=["a", "b", "d"])
    # a 100 x 0.5 = 50; b has no CLV -> 0; c has none either -> 0
    assert expected_loss(p, clv).to_dict() == {"a": 50.0, "b": 0.0, "c": 0.0}
    scored = pd.DataFrame({
        "churn_probability": [0.9, 0.8, 0.3, 0.5, 0.1],
        "clv": [100.0, 200.0, 300.0, 400.0, 500.0],
        "segment": ["x", "y", "y", "z", "z"],
    }, index=pd.Index(["A", "B", "C", "D", "E"], name="customer_id"))
    # 0.6 quantile of 100..500 = 100 + 0.6 x 400 = 340 -> D (400) and E (500)
    # expected loss D 0.5 x 400 = 200, E 0.1 x 500 = 50
    top = top_at_risk(scored, n=5, min_value_quantile=0.6)
    assert list(top.columns) == ["customer_id", "churn_probability", "clv", "expected_loss",
                                 "segment"]
    assert list(top["customer_id"]) == ["D", "E"]
    assert list(top["expected_loss"]) == [200.0, 50.0]
    # default 0.8 quantile = 420 -> only E; quantile 0 keeps all: losses A 90, B 160, C 90, D 200
    assert list(top_at_risk(scored)["customer_id"]) == ["E"]
    assert list(top_at_risk(scored, n=1, min_value_quantile=0)["customer_id"]) == ["D"]
    # ids may also come as a customer_id column
    flat = top_at_risk(scored.reset_index(), n=5, min_value_quantile=0.6)
    pd.testing.assert_frame_equal(flat, top)
    # without clv the value is monetary_365
    mon = scored.rename(columns={"clv": "monetary_365"})
    assert "monetary_365" in top_at_risk(mon, min_value_quantile=0.6).columns
    with pytest.raises(ParameterError, match="'min_value_quantile'"):
        top_at_risk(scored, min_value_quantile=1.0)


def test_feature_label():
    assert feature_label("recency_days", "zh") == "距上次购买天数"
    assert feature_label("recency_days", "en") == "Days since last purchase"
    assert feature_label("my_extra", "en") == "my_extra"


def _drawn(ax) -> bool:
    return bool(ax.patches or ax.collections or ax.images or ax.lines) and bool(ax.get_title())


@pytest.mark.parametrize("language", ["zh", "en"])
def test_plot_smoke(language):
    import matplotlib.pyplot as plt

    y = np.r_[np.ones(5), np.zeros(15)]
    p = np.linspace(1, 0, 20)
    for draw in (
        lambda ax: plot_lift(lift_table(y, p), ax=ax, language=language),
        lambda ax: plot_roc_pr(y, p, p[::-1], ax=ax, language=language),
        lambda ax: plot_risk_distribution(p, ax=ax, language=language),
        lambda ax: plot_feature_importance(
            pd.DataFrame({"feature": ["trend", "x"], "importance": [0.1, 0.02],
                          "std": [0.01, 0.0]}), ax=ax, language=language),
    ):
        _, ax = plt.subplots()
        assert draw(ax) is ax and _drawn(ax)
    ax = plot_lift(lift_table(np.array([]), np.array([])), language=language)
    assert ax.get_title() and not ax.axison
    ax = plot_roc_pr(np.zeros(3), np.arange(3.0), language=language)
    assert ax.get_title() and not ax.axison
