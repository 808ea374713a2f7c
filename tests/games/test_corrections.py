import ahpy
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pymcdm import methods, normalizations
from pymcdm.weights import entropy_weights as pymcdm_entropy

from evgames.data import DataError
from evgames.games import (
    ahp_weights,
    combined_correction,
    entropy_weights,
    factor_correction,
    fuzzy_risk,
    modified_shapley,
    proportional_allocation,
    topsis,
)


def test_ahp_matches_ahpy():
    matrix = np.array([[1, 3, 5, 2], [1 / 3, 1, 2, 1 / 2], [1 / 5, 1 / 2, 1, 1 / 3], [1 / 2, 2, 3, 1]])
    names = ["a", "b", "c", "d"]
    pairs = {(names[i], names[j]): matrix[i, j] for i in range(4) for j in range(i + 1, 4)}
    reference = ahpy.Compare("criteria", pairs, precision=12, random_index="saaty")
    ours = ahp_weights(matrix, names, random_index="saaty2005")  # the table ahpy calls 'saaty'
    assert ours.weights.to_dict() == pytest.approx(reference.target_weights, abs=1e-8)
    assert ours.consistency_ratio == pytest.approx(reference.consistency_ratio, abs=1e-9)
    classic = ahp_weights(matrix, names)
    assert classic.consistency_ratio == pytest.approx(classic.consistency_index / 0.90)


def test_ahp_consistent_matrix_and_errors():
    weights = np.array([0.5, 0.3, 0.2])
    consistent = weights[:, None] / weights[None, :]
    result = ahp_weights(consistent)
    assert result.weights.to_numpy() == pytest.approx(weights)
    assert result.max_eigenvalue == pytest.approx(3) and result.consistency_ratio == pytest.approx(0, abs=1e-12)
    inconsistent = np.array([[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]])
    with pytest.raises(DataError, match="consistency ratio"):
        ahp_weights(inconsistent)
    assert ahp_weights(inconsistent, allow_inconsistent=True).consistency_ratio > 0.1
    with pytest.raises(DataError, match="reciprocal"):
        ahp_weights([[1, 2], [2, 1]])


@given(st.lists(st.lists(st.floats(0.1, 10), min_size=3, max_size=3), min_size=2, max_size=6))
def test_entropy_weights_match_pymcdm(rows):
    matrix = np.array(rows)
    if np.any(np.ptp(matrix / matrix.sum(axis=0), axis=0) < 1e-6):
        return  # a uniform column has no entropy weight in either library's sense
    ours = entropy_weights(pd.DataFrame(matrix))
    assert ours.to_numpy() == pytest.approx(pymcdm_entropy(matrix), abs=1e-9)


def test_topsis_matches_pymcdm_and_blends_efficiently():
    schemes = pd.DataFrame(
        [[32.67, 24.67, 11.66], [33.12, 28.98, 6.90], [31.74, 27.60, 9.66], [34.50, 28.29, 6.21]],
        index=["shapley", "risk", "investment", "performance"],
        columns=["1", "2", "3"],
    )
    ours = topsis(schemes, "vector")
    reference = methods.TOPSIS(normalizations.vector_normalization)(schemes.to_numpy(), np.ones(3) / 3, np.ones(3))
    assert ours.table["closeness"].to_numpy() == pytest.approx(reference, abs=1e-12)
    assert ours.allocation.sum() == pytest.approx(69.0, abs=0.02)  # the printed schemes sum to 69 ± 0.01
    raw = topsis(schemes, "none")
    # By hand for the Shapley scheme: ideal (34.50, 28.98, 11.66), anti-ideal (31.74, 24.67, 6.21).
    d_plus = np.sqrt(1.83**2 + 4.31**2)
    d_minus = np.sqrt(0.93**2 + 5.45**2)
    assert raw.table.loc["shapley", "closeness"] == pytest.approx(d_minus / (d_plus + d_minus))


def test_corrections_preserve_the_total():
    value = pd.Series([40.0, 30.0, 30.0], index=["a", "b", "c"])
    beta = pd.Series([0.5, 0.3, 0.2], index=["a", "b", "c"])
    modified = modified_shapley(value, beta, 100)
    assert modified.sum() == pytest.approx(100) and modified["a"] == pytest.approx(40 + 100 * (0.5 - 1 / 3))
    cost = factor_correction(value, {"a": 2, "b": 1, "c": 1}, 100)
    assert cost["a"] == pytest.approx(40 + (0.5 - 1 / 3) * 100) and cost.sum() == pytest.approx(100)
    blend = combined_correction([cost, modified, value], [0.5, 0.3, 0.2])
    assert blend.sum() == pytest.approx(100)
    with pytest.raises(DataError):
        combined_correction([cost, modified], [0.6, 0.6])


def test_fuzzy_risk_and_proportional_allocation():
    risks = pd.DataFrame([[0.1, 0.2], [0.5, 0.0]], index=["a", "b"])
    assert fuzzy_risk(risks).to_numpy() == pytest.approx([1 - 0.9 * 0.8, 0.5])
    assert proportional_allocation({"a": 0.48, "b": 0.42, "c": 0.10}, 69).to_numpy() == pytest.approx(
        [33.12, 28.98, 6.9]
    )


def test_one_scale_rule_and_one_default_for_every_modified_shapley_value():
    from evgames.data.station_alliance import allocation_block
    from evgames.data.validation import DEFAULT_CORRECTION_SCALE
    from evgames.games.corrections import correction_scale

    # X by definition: v(N) = 10, v({1}) + v({2}) = 4
    assert correction_scale(10.0, 4.0, "grand") == 10.0 and correction_scale(10.0, 4.0, "surplus") == 6.0
    assert correction_scale(10.0, 4.0, 2.5) == 2.5
    with pytest.raises(DataError, match="scale"):
        correction_scale(10.0, 4.0, "half")
    block = {"factors": ["f"], "scores": {"A": [1.0], "B": [2.0]}, "weights": [1.0]}
    assert allocation_block(block, ["A", "B"])["scale"] == DEFAULT_CORRECTION_SCALE == "grand"
