import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from playbook.errors import ParameterError
from playbook.plots.abc import plot_pareto
from playbook.segment.abc import abc_grades, abc_summary, pareto_curve


def _five() -> pd.Series:
    # sorted: c3 50, c5 25, then the tie c1 10 / c4 10 by id, then c2 5 (total 100)
    return pd.Series([10.0, 5.0, 50.0, 10.0, 25.0], index=["c1", "c2", "c3", "c4", "c5"])


def test_abc_grades_hand_computed():
    got = abc_grades(_five())
    assert list(got.columns) == ["customer_id", "revenue", "rank", "cum_share_before",
                                 "cum_share", "grade"]
    assert got["customer_id"].tolist() == ["c3", "c5", "c1", "c4", "c2"]
    assert got["rank"].tolist() == [1, 2, 3, 4, 5]
    # before-shares 0, .50, .75, .85, .95: A while < .7 (c5 crosses 70 % and is still A),
    # B while < .9, then C
    assert got["cum_share_before"].to_numpy() == pytest.approx([0, .5, .75, .85, .95])
    assert got["cum_share"].to_numpy() == pytest.approx([.5, .75, .85, .95, 1])
    assert got["grade"].tolist() == ["A", "A", "B", "B", "C"]


def test_abc_customer_exactly_on_a_boundary_takes_the_lower_grade():
    # before-shares 0, .7, .9 -> A, B (.7 is not < .7), C (.9 is not < .9)
    got = abc_grades(pd.Series([70.0, 20.0, 10.0], index=["x", "y", "z"]))
    assert got["grade"].tolist() == ["A", "B", "C"]


def test_abc_zero_and_negative_revenue_are_c_and_do_not_count():
    revenue = pd.concat([_five(), pd.Series([0.0, -20.0, np.nan], index=["z0", "zn", "zz"])])
    got = abc_grades(revenue)
    # the total stays 100 (positive revenue only), so the first five grade as before
    assert got["grade"].tolist() == ["A", "A", "B", "B", "C", "C", "C", "C"]
    assert got["customer_id"].tolist()[5:] == ["z0", "zz", "zn"]  # missing counts as 0
    assert got["cum_share_before"].tolist()[5:] == [1.0, 1.0, 1.0]


def test_abc_custom_shares():
    # (.5, .3, .2): A while before < .5, B while < .8 -> A B B C C
    got = abc_grades(_five(), shares=(0.5, 0.3, 0.2))
    assert got["grade"].tolist() == ["A", "B", "B", "C", "C"]


@pytest.mark.parametrize("shares", [(0.5, 0.3, 0.3), (0.7, 0.3), (1.0, 0.0, 0.0), "abc"])
def test_abc_bad_shares(shares):
    with pytest.raises(ParameterError) as err:
        abc_grades(_five(), shares=shares)
    assert str(err.value) == ("The 'shares' parameter must be three shares between 0 and 1 "
                              f"adding up to 1, e.g. (0.7, 0.2, 0.1). Got {shares!r} instead.")


def test_abc_summary():
    got = abc_summary(abc_grades(_five()))
    assert got["grade"].tolist() == ["A", "B", "C"]
    assert got["customers"].tolist() == [2, 2, 1]
    assert got["customer_share"].to_numpy() == pytest.approx([.4, .4, .2])
    assert got["revenue"].tolist() == [75.0, 20.0, 5.0]
    assert got["revenue_share"].to_numpy() == pytest.approx([.75, .2, .05])
    lone = abc_summary(abc_grades(pd.Series([100.0], index=["solo"])))
    assert lone["customers"].tolist() == [1, 0, 0]  # B and C present with zeros


def test_pareto_curve_points_and_endpoints():
    got = pareto_curve(abc_grades(_five()))
    # fewer customers than points: every k = 0..5
    assert got["customer_share"].to_numpy() == pytest.approx([0, .2, .4, .6, .8, 1])
    assert got["revenue_share"].to_numpy() == pytest.approx([0, .5, .75, .85, .95, 1])
    many = pd.Series(np.random.default_rng(1).gamma(1.0, 100.0, 1000),
                     index=[f"c{i:04d}" for i in range(1000)])
    curve = pareto_curve(abc_grades(many), points=200)
    assert len(curve) == 200
    assert curve.iloc[0].tolist() == [0.0, 0.0]
    assert curve.iloc[-1].tolist() == [1.0, 1.0]
    assert (np.diff(curve["revenue_share"]) >= 0).all()
    with pytest.raises(ParameterError):
        pareto_curve(abc_grades(_five()), points=1)


def test_plot_pareto_smoke():
    fig, ax = plt.subplots()
    grades = abc_grades(_five())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        assert plot_pareto(pareto_curve(grades), abc_summary(grades), ax=ax, language="en") is ax
    assert len(ax.lines) >= 2 and len(ax.patches) >= 1 and ax.get_title()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "A: 40% of customers, 75% of revenue" in legend
