"""Random TU games for property tests."""

import numpy as np
from hypothesis import strategies as st

from evgames.games import TUGame


def games(min_players=1, max_players=6, superadditive_grand=True):
    """Games with values in [-50, 100]; optionally v(N) raised so that imputations exist."""

    def build(n_and_values):
        n, values = n_and_values
        array = np.array([0.0, *values])
        if superadditive_grand:
            array[-1] = max(array[-1], sum(array[1 << i] for i in range(n)) + 1.0)
        return TUGame([f"P{i}" for i in range(n)], array)

    return (
        st.integers(min_players, max_players)
        .flatmap(lambda n: st.tuples(st.just(n), st.lists(st.floats(-50, 100), min_size=2**n - 1, max_size=2**n - 1)))
        .map(build)
    )
