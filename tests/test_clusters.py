
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from sklearn.metrics import adjusted_rand_score  # noqa: E402

from playbook.errors import ParameterError  # noqa: E402
from playbook.plots.clusters import (  # noqa: E402
    plot_cluster_profiles,
    plot_cluster_sizes,
    plot_feature_distribution,
    plot_silhouette,
)
from playbook.purchases import purchases  # noqa: E402
from playbook.segment.clusters import (  # noqa: E402
    FEATURE_GROUPS,
    CustomerClusters,
    cluster_features,
    cluster_label,
    describe_clusters,
    feature_groups,
    profile_clusters,
)

AS_OF = pd.Timestamp("2026-03-31")




# ------------------------------------------------------------------ cluster_features

def _orders() -> pd.DataFrame:
    rows = [
        # order_id, customer, date, category, channel, qty, unit_price, amount, is_return
        ("O1", "A", "2025-12-15 10:00", "服饰", "App", 1, 100.0, 100.0, False),  # before window
        ("O2", "A", "2026-01-10 09:00", "服饰", "App", 2, 100.0, 200.0, False),
        ("O2", "A", "2026-01-10 09:00", "美妆", "App", 1, 300.0, 300.0, False),
        ("O3", "A", "2026-03-31 23:00", "美妆", "门店", 1, 100.0, 100.0, False),
        ("R3", "A", "2026-03-31 23:30", "美妆", "门店", -1, 100.0, -100.0, True),  # a refund
        ("O4", "B", "2026-02-01 12:00", "服饰", "门店", 1, 50.0, 50.0, False),
        ("O5", "B", "2026-04-01 00:00", "服饰", "门店", 1, 999.0, 999.0, False),  # after as_of
        ("O6", "C", "2025-06-01 08:00", "服饰", "App", 1, 80.0, 80.0, False),  # before window
    ]
    df = pd.DataFrame(rows, columns=["order_id", "customer_id", "order_date", "category",
                                     "channel", "quantity", "unit_price", "amount", "is_return"])
    return df.assign(order_date=pd.to_datetime(df["order_date"]))


def _customers() -> pd.DataFrame:
    return pd.DataFrame({"customer_id": ["A", "B", "C", "D"],
                         "signup_date": pd.to_datetime(["2025-11-01", "2026-03-01",
                                                        "2025-01-01", "2026-01-01"])})


def _interactions() -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": ["A", "A", "B", "C"],
        "date": pd.to_datetime(["2026-01-05", "2025-12-01", "2026-03-31", "2026-02-01"]),
        "count": [3.0, 10.0, np.nan, 5.0]})


def test_cluster_features_by_hand():
    orders = _orders()
    before = orders.copy()
    f = cluster_features(purchases(orders), orders, AS_OF, lookback_months=3,
                         customers=_customers(), interactions=_interactions(), top_categories=1)
    pd.testing.assert_frame_equal(orders, before)          # input untouched
    # window: 2026-04-01 − 3 months = 2026-01-01 <= date < 2026-04-01; C only bought before it
    assert list(f.index) == ["A", "B"]
    a, b = f.loc["A"], f.loc["B"]
    # A: orders O2 (200 + 300) and O3 (100); the refund R3 is no purchase
    assert (a["frequency"], a["monetary"], a["aov"], a["recency_days"]) == (2, 600, 300, 0)
    # B: O4 only (O5 is after as_of); 2026-02-01 → 2026-03-31 is 58 days
    assert (b["frequency"], b["monetary"], b["aov"], b["recency_days"]) == (1, 50, 50, 58)
    # tenure: A signed up 2025-11-01, before the first purchase (2025-12-15): 150 days;
    # B's signup (2026-03-01) is after the first purchase 2026-02-01: 58 days
    assert (a["tenure_days"], b["tenure_days"]) == (150, 58)
    # medians of the window's lines: 服饰 (100, 50) → 75; 美妆 (300, 100) → 200.
    # A: ratios 100/75, 300/200, 100/200 → geometric mean (4/3 · 3/2 · 1/2)^(1/3) = 1
    # (the plain mean would be 1.11); B: 50/75 = 2/3
    assert a["price_position"] == pytest.approx(1.0)
    assert b["price_position"] == pytest.approx(2 / 3)
    # revenue in the window: 美妆 400 > 服饰 250, so top_categories=1 keeps 美妆;
    # A: 美妆 400/600, the rest 200/600; B: all 服饰 → other
    assert a["cat_美妆"] == pytest.approx(2 / 3) and a["cat_other"] == pytest.approx(1 / 3)
    assert (b["cat_美妆"], b["cat_other"]) == (0.0, 1.0)
    # channels by purchases: 门店 has 2 (O3, O4), App 1 (O2) → columns in that order
    assert [c for c in f.columns if c.startswith("chan_")] == ["chan_门店", "chan_App",
                                                                "chan_other"]
    assert (a["chan_门店"], a["chan_App"]) == (0.5, 0.5)
    assert (b["chan_门店"], b["chan_App"]) == (1.0, 0.0)
    share_cols = [c for c in f.columns if c.startswith(("cat_", "chan_"))]
    np.testing.assert_allclose(f[[c for c in share_cols if c.startswith("cat_")]].sum(axis=1), 1)
    np.testing.assert_allclose(f[[c for c in share_cols if c.startswith("chan_")]].sum(axis=1),
                               1)
    # engagement: A 3 (the 10 of 2025-12-01 is before the window); B a row without count → 1
    assert (a["engagement"], b["engagement"]) == (3.0, 1.0)
    assert feature_groups(f) == list(FEATURE_GROUPS)


def test_cluster_features_omits_what_the_data_lacks():
    orders = _orders()[["customer_id", "order_date", "amount", "is_return"]]
    f = cluster_features(purchases(orders), orders, AS_OF, lookback_months=3)
    assert list(f.columns) == ["recency_days", "frequency", "monetary", "aov", "tenure_days"]
    # without order_id, A's two lines at the same time are one purchase; tenure from 2025-12-15
    assert f.loc["A", "frequency"] == 2 and f.loc["A", "tenure_days"] == 106
    assert feature_groups(f) == ["rfm", "tenure"]


def test_price_position_from_amount_and_quantity():
    orders = _orders().drop(columns=["unit_price"])
    f = cluster_features(purchases(orders), orders, AS_OF, lookback_months=3)
    # amount / quantity gives the same unit prices (O2's 服饰 line: 200 / 2 = 100)
    assert f.loc["A", "price_position"] == pytest.approx(1.0)
    assert f.loc["B", "price_position"] == pytest.approx(2 / 3)


def test_cluster_features_rejects_bad_parameters():
    orders = _orders()
    with pytest.raises(ParameterError, match="'lookback_months' parameter must be"):
        cluster_features(purchases(orders), orders, AS_OF, lookback_months=0)


# ------------------------------------------------------------------ synthetic groups

def _groups(n: int = 300, seed: int = 1) -> tuple[pd.DataFrame, np.ndarray]:
    """Three well separated groups: loyal big spenders, regulars, cheap one-off buyers."""
    rng = np.random.default_rng(seed)
    centres = [  # frequency, aov, recency, tenure, price position
        (20, 800, 10, 900, 1.0),
        (5, 400, 60, 500, 1.3),
        (1.5, 150, 200, 120, 0.6),
    ]
    parts = []
    for g, (fr, aov, rec, ten, pp) in enumerate(centres):
        noise = rng.normal(0, 0.12, size=(n, 5))
        freq = np.maximum(1, np.round(fr * np.exp(noise[:, 0])))
        a = aov * np.exp(noise[:, 1])
        parts.append(pd.DataFrame({
            "recency_days": np.round(rec * np.exp(noise[:, 2])), "frequency": freq,
            "monetary": freq * a, "aov": a, "tenure_days": np.round(ten * np.exp(noise[:, 3])),
            "price_position": pp * np.exp(noise[:, 4]), "group": g}))
    df = pd.concat(parts, ignore_index=True)
    df.index = pd.Index([f"C{i:05d}" for i in range(len(df))], name="customer_id")
    return df.drop(columns="group"), df["group"].to_numpy()


def test_kmeans_finds_three_groups_and_numbers_them_by_value():
    f, truth = _groups()
    model = CustomerClusters(k_range=(2, 6), random_state=0).fit(f)
    assert model.k_ == 3
    assert set(model.silhouette_by_k_) == {2, 3, 4, 5, 6}
    assert model.silhouette_ == max(model.silhouette_by_k_.values())
    labels = model.predict(f)
    assert adjusted_rand_score(truth, labels) > 0.9
    # group 0 spends most, group 2 least → clusters 1, 2, 3
    assert [np.bincount(labels[truth == g]).argmax() for g in range(3)] == [1, 2, 3]
    assert model.centers_["monetary"].is_monotonic_decreasing
    assert list(model.centers_.index) == [1, 2, 3]
    # deterministic
    again = CustomerClusters(k_range=(2, 6), random_state=0).fit(f).predict(f)
    np.testing.assert_array_equal(labels, again)


def test_gmm_and_fixed_k():
    f, truth = _groups()
    gmm = CustomerClusters(method="gmm", k_range=(2, 5)).fit(f)
    assert gmm.k_ == 3 and adjusted_rand_score(truth, gmm.predict(f)) > 0.9
    diag = CustomerClusters(method="gmm", k=3, covariance_type="diag").fit(f)
    assert adjusted_rand_score(truth, diag.predict(f)) > 0.9
    fixed = CustomerClusters(k=4).fit(f)
    labels = fixed.predict(f)
    assert fixed.k_ == 4 and set(labels) == {1, 2, 3, 4}
    assert list(fixed.silhouette_by_k_) == [4]
    means = pd.Series(f["monetary"].to_numpy()).groupby(labels).mean()
    assert means.is_monotonic_decreasing          # relabelled by mean monetary


def test_fit_sample_limits_the_rows_fitted_on():
    f, truth = _groups()
    model = CustomerClusters(k=3, fit_sample=200, silhouette_sample=100).fit(f)
    assert model.n_fit_ == 200
    assert adjusted_rand_score(truth, model.predict(f)) > 0.9


def test_share_groups_are_down_weighted():
    f, _ = _groups(50)
    shares = pd.DataFrame(np.random.default_rng(0).dirichlet(np.ones(4), size=len(f)),
                          index=f.index, columns=[f"cat_{c}" for c in "abcd"])
    model = CustomerClusters(k=3).fit(pd.concat([f, shares], axis=1))
    # five numeric columns weigh 1, the four cat_ columns 1/sqrt(4) each
    np.testing.assert_allclose(model.weights_, [1] * 6 + [0.5] * 4)


def test_small_inputs_fall_back_gracefully():
    f, _ = _groups()
    tiny = f.iloc[[0, 1, 300, 301, 600, 601]]
    model = CustomerClusters().fit(tiny)
    assert model.k_ == 1 and np.isnan(model.silhouette_)
    np.testing.assert_array_equal(model.predict(tiny), np.ones(6))
    # 12 customers: k is at most 12 // 2 = 6, so the range (3, 8) becomes (3, 6)
    twelve = f.iloc[list(range(4)) + list(range(300, 304)) + list(range(600, 604))]
    model = CustomerClusters().fit(twelve)
    assert set(model.silhouette_by_k_) == {3, 4, 5, 6}
    assert model.predict(twelve).max() == model.k_


def test_bad_parameters_raise_one_error_form():
    f, _ = _groups(20)
    with pytest.raises(ParameterError, match="The 'method' parameter must be kmeans or gmm. "
                                             "Got 'dbscan' instead."):
        CustomerClusters(method="dbscan").fit(f)
    with pytest.raises(ParameterError, match="'k_range' parameter"):
        CustomerClusters(k_range=(5, 3)).fit(f)
    with pytest.raises(ParameterError, match="'k' parameter"):
        CustomerClusters(k=1).fit(f)
    model = CustomerClusters(k=3).fit(f)
    with pytest.raises(ParameterError, match="'features' parameter"):
        model.predict(f.drop(columns="aov"))


def _with_price_sensitive(seed: int = 3) -> tuple[pd.DataFrame, np.ndarray]:
    """800 ordinary customers of all values plus 150 that buy ~45 % cheaper products."""
    rng = np.random.default_rng(seed)
    n0, n1 = 800, 150
    freq = np.maximum(1, np.round(np.exp(rng.normal(1.5, 0.5, n0 + n1))))
    pp = np.r_[np.exp(rng.normal(0.05, 0.08, n0)), np.exp(rng.normal(-0.6, 0.08, n1))]
    aov = 700 * pp * np.exp(rng.normal(0, 0.15, n0 + n1))
    f = pd.DataFrame({"recency_days": np.round(np.exp(rng.normal(3.5, 0.6, n0 + n1))),
                      "frequency": freq, "monetary": freq * aov, "aov": aov,
                      "tenure_days": np.round(np.exp(rng.normal(6, 0.4, n0 + n1))),
                      "price_position": pp},
                     index=pd.Index([f"C{i:04d}" for i in range(n0 + n1)], name="customer_id"))
    return f, np.r_[np.zeros(n0, bool), np.ones(n1, bool)]


def test_planted_price_sensitive_group_gets_its_own_cluster():
    f, planted = _with_price_sensitive()
    labels = CustomerClusters(random_state=0).fit(f).predict(f)
    home = np.bincount(labels[planted]).argmax()
    assert (labels[planted] == home).mean() > 0.9          # nearly all of them together
    assert planted[labels == home].mean() > 0.9            # and nearly alone there
    profile = profile_clusters(f, labels)
    zh = describe_clusters(profile, "zh")
    en = describe_clusters(profile, "en")
    assert "价格敏感" in zh[home] and "price-sensitive" in en[home]
    others = zh.drop(home)
    assert not others.str.contains("价格敏感").any()


# ------------------------------------------------------------------ profiles and descriptions

def _small() -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame, pd.DataFrame]:
    f = pd.DataFrame({
        "recency_days": [10, 20, 100, 200], "frequency": [10, 6, 1, 3],
        "monetary": [5000.0, 3000.0, 100.0, 300.0], "aov": [500.0, 500.0, 100.0, 100.0],
        "tenure_days": [700, 500, 50, 150], "price_position": [1.2, 1.0, 0.7, 0.8],
        "cat_美妆": [0.5, 0.0, 1.0, 0.0], "cat_服饰": [0.5, 1.0, 0.0, 0.5],
        "cat_other": [0.0, 0.0, 0.0, 0.5],
        "chan_App": [1.0, 0.5, 0.0, 0.0], "chan_门店": [0.0, 0.5, 1.0, 1.0],
        "chan_other": [0.0, 0.0, 0.0, 0.0],
    }, index=pd.Index(["A", "B", "C", "D"], name="customer_id"))
    customers = pd.DataFrame({
        "customer_id": ["A", "B", "C", "D", "E"],
        "birth_year": pd.array([1996, 1990, 1960, pd.NA, 1980], dtype="Int64"),
        "gender": ["女", "女", "男", None, "男"],
        "region": ["华东", "华东", "华北", "华北", "华南"]})
    feedback = pd.DataFrame({
        "customer_id": ["A", "A", "C", "D", "D", "E"],
        "response_date": pd.to_datetime(["2026-01-01 09:00", "2026-02-01 09:00", "2026-03-01 09:00",
                                         "2026-03-31 18:00", "2026-04-02 09:00", "2026-01-01 09:00"]),
        "csat": [5.0, 4.0, 2.0, 3.0, 1.0, 5.0], "nps": [10.0, 8.0, 3.0, 6.0, 0.0, 9.0]})
    return f, np.array([1, 1, 2, 2]), customers, feedback


def test_profile_clusters_by_hand():
    f, labels, customers, feedback = _small()
    p = profile_clusters(f, labels, customers=customers, feedback=feedback,
                         as_of=AS_OF).set_index("cluster")
    assert list(p["customers"]) == [2, 2] and list(p["customer_share"]) == [0.5, 0.5]
    # revenue 8000 and 400 of 8400
    assert list(p["revenue"]) == [8000, 400]
    assert p.loc[1, "revenue_share"] == pytest.approx(8000 / 8400)
    assert (p.loc[1, "recency_days"], p.loc[2, "frequency"], p.loc[2, "price_position"]) == (
        15, 2, pytest.approx(0.75))
    # category shares weighted by revenue: cluster 1 美妆 = 0.5·5000 / 8000 = 0.3125,
    # 服饰 = (2500 + 3000) / 8000 = 0.6875; cluster 2 美妆 100/400, 服饰 150/400, other 150/400
    assert p.loc[1, "cat_美妆"] == pytest.approx(0.3125)
    assert p.loc[1, "top_categories"] == "服饰 69% · 美妆 31%"
    assert p.loc[2, "top_categories"] == "服饰 38% · 美妆 25%"      # "other" is no category
    # channels weighted by purchases: cluster 1 App = (10 + 3) / 16 = 81 %
    assert p.loc[1, "top_channel"] == "App 81%"
    assert p.loc[2, "top_channel"] == "门店 100%"
    # ages in 2026: A 30, B 36 → bands 25-34 and 35-44 tie, the first by name wins at 50 %;
    # C 66 → 55+, D unknown → 55+ at 100 % of the known
    assert p.loc[1, "age_band"] == "25-34" and p.loc[1, "age_band_share"] == 0.5
    assert p.loc[2, "age_band"] == "55+" and p.loc[2, "age_band_share"] == 1.0
    assert p.loc[2, "age_band_overall_share"] == pytest.approx(1 / 3)   # of A, B, C
    assert (p.loc[1, "top_gender"], p.loc[1, "top_gender_share"]) == ("女", 1.0)
    assert (p.loc[2, "top_region"], p.loc[2, "top_region_share"]) == ("华北", 1.0)
    assert p.loc[2, "top_region_overall_share"] == 0.5
    # feedback up to as_of: cluster 1 A (5, 4); cluster 2 C (2) and D (3; 04-02 is too late);
    # E is in no cluster
    assert list(p["responses"]) == [2, 2]
    assert list(p["csat"]) == [4.5, 2.5] and list(p["nps"]) == [9.0, 4.5]


def test_profile_accepts_labels_as_a_series_and_checks_length():
    f, labels, _, _ = _small()
    series = pd.Series(labels[::-1], index=f.index[::-1])
    p = profile_clusters(f, series)
    assert list(p["revenue"]) == [8000, 400]
    with pytest.raises(ParameterError, match="'labels' parameter"):
        profile_clusters(f, labels[:3])


def test_describe_clusters_rules():
    f, labels, customers, feedback = _small()
    p = profile_clusters(f, labels, customers=customers, feedback=feedback, as_of=AS_OF)
    zh = describe_clusters(p, "zh")
    en = describe_clusters(p, "en")
    assert list(zh.index) == [1, 2] and zh.str.len().gt(0).all() and en.str.len().gt(0).all()
    # overall monetary 2100: cluster 1 4000 (×1.9, high), cluster 2 200 (×0.1, low);
    # frequency overall 5: 8 (×1.6) and 2 (×0.4); recency overall 82.5: 15 and 150 (×1.8)
    assert zh[1].startswith("高价值、高频、近期活跃")
    assert en[2].startswith("Low value, infrequent, lapsing")
    # price position 0.75 → 25 % below; 1.1 is not above 1.1
    assert "价格敏感（商品价位低于平均 25%）" in zh[2]
    assert "price-sensitive (buys 25% below the typical price)" in en[2]
    assert "价格" not in zh[1]
    # cluster 2 buys 美妆 25 % of its revenue against 2600/8400 = 31 % overall: no preference;
    # its 门店 share 100 % against 8/20 = 40 % overall → named
    assert "偏好" not in zh[2] and "多在门店购买" in zh[2]
    # region 华北 100 % vs 50 % overall; csat 2.5 vs 3.5 overall
    assert "集中在华北（100%）" in zh[2] and "satisfied (csat 2.50)" in en[2]


def test_describe_never_empty_and_checks_language():
    p = pd.DataFrame({"cluster": [1, 2], "customers": [5, 5], "monetary": [100.0, 100.0]})
    assert list(describe_clusters(p, "zh")) == ["中等价值", "中等价值"]
    assert list(describe_clusters(p, "en")) == ["Mid value", "Mid value"]
    with pytest.raises(ParameterError, match="'language' parameter"):
        describe_clusters(p, "fr")


def test_cluster_label():
    assert cluster_label(1, "zh") == "群 1" and cluster_label(3, "en") == "Cluster 3"


# ------------------------------------------------------------------ plots

def test_plot_silhouette(ax):
    assert plot_silhouette({3: 0.2, 4: 0.35, 5: 0.3}, 4, ax=ax, language="en") is ax
    assert ax.lines and ax.collections and ax.get_title()
    fig2, ax2 = plt.subplots()
    plot_silhouette({}, 1, ax=ax2, language="zh")
    assert [t.get_text() for t in ax2.texts] == ["没有可用数据"]


def test_plot_cluster_profiles_and_sizes(ax):
    f, labels, _, _ = _small()
    p = profile_clusters(f, labels)
    assert plot_cluster_profiles(p, ax=ax, language="en") is ax
    assert ax.collections and ax.get_title()
    assert "500" in [t.get_text() for t in ax.texts]           # a raw mean (aov) annotated
    fig2, ax2 = plt.subplots()
    assert plot_cluster_sizes(p, ax=ax2, language="zh") is ax2
    assert len(ax2.patches) >= 4 and ax2.get_title()


def test_plot_feature_distribution(ax):
    f, truth = _groups(40)
    assert plot_feature_distribution(f, truth + 1, "monetary", ax=ax, language="en") is ax
    assert (ax.patches or ax.lines) and ax.get_title() == "Monetary by cluster"
