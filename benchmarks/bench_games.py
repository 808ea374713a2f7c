"""Exact Shapley value and nucleolus: evgames vs coopgame-py (Rust) on the same random games, same run.

Targets (issue #15): Shapley at n = 20 / 24 kept at or below 0.7x coopgame-py's time (goal 0.4x);
nucleolus at n = 12 / 15 at most 1.2x (goal 0.8x). Ratios > 1 mean evgames is slower; "/bar" is the ratio
divided by its bar (at most 1 meets it). Needs the test extra (coopgame-py). Default run: about a minute.
The nucleolus is timed call by call in alternation with coopgame-py's, so that both see the same load.

Usage: python benchmarks/bench_games.py [--shapley 10 15 20 24] [--nucleolus 8 10 12 15] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import coopgame
import numpy as np
from timing import median_time
from tqdm.auto import tqdm  # progress on stderr; the figures go to stdout

from evgames.games import TUGame, shapley
from evgames.games.excess import nucleolus

#: The bars of issue #15: evgames' time over coopgame-py's.
SHAPLEY_BAR, NUCLEOLUS_BAR = 0.7, 1.2


def random_game(n: int, seed: int) -> TUGame:
    rng = np.random.default_rng(seed)
    sizes = np.bitwise_count(np.arange(1, 2**n)).astype(float)
    values = np.concatenate([[0.0], rng.random(2**n - 1) * sizes])
    values[-1] = max(values[-1], sum(values[1 << i] for i in range(n)) + 1.0)  # imputations exist
    return TUGame([f"P{i}" for i in range(n)], values)


def interleaved_medians(ours: Callable[[], Any], theirs: Callable[[], Any], repeats: int) -> tuple[float, float]:
    """Median wall times of two calls timed in alternation after one warm-up each.

    On a shared machine the load drifts during a run; alternating exposes both sides to the same drift.
    """
    ours(), theirs()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeats):
        for call, spent in zip((ours, theirs), times):
            start = time.perf_counter()
            call()
            spent.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapley", type=int, nargs="+", default=[10, 15, 20, 24])
    parser.add_argument("--nucleolus", type=int, nargs="+", default=[8, 10, 12, 15])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    print(f"{'concept':>10} {'n':>3} {'evgames s':>10} {'coopgame s':>11} {'ratio':>7} {'/bar':>6} {'max |diff|':>11}")
    for n in tqdm(args.shapley, desc="Shapley sizes", unit="n", leave=False):
        game = random_game(n, n)
        other = coopgame.Game(game.values[1:])
        repeats = 1 if n >= 24 else args.repeats
        ours_time, ours = median_time(shapley, game, repeats)
        theirs_time, theirs = median_time(coopgame.shapley, other, repeats)
        difference = float(np.max(np.abs(ours.to_numpy() - np.asarray(theirs))))
        print(
            f"{'shapley':>10} {n:>3} {ours_time:10.4f} {theirs_time:11.4f} {ours_time / theirs_time:7.2f} "
            f"{ours_time / theirs_time / SHAPLEY_BAR:6.2f} "
            f"{difference:11.1e}"
        )
    for n in tqdm(args.nucleolus, desc="nucleolus sizes", unit="n", leave=False):
        game = random_game(n, 100 + n)
        other = coopgame.Game(game.values[1:])
        ours_time, theirs_time = interleaved_medians(
            partial(nucleolus, game), partial(coopgame.nucleolus, other), args.repeats
        )
        ours, theirs = nucleolus(game), coopgame.nucleolus(other)
        difference = float(np.max(np.abs(ours.allocation.to_numpy() - np.asarray(theirs["allocation"]))))
        print(
            f"{'nucleolus':>10} {n:>3} {ours_time:10.4f} {theirs_time:11.4f} {ours_time / theirs_time:7.2f} "
            f"{ours_time / theirs_time / NUCLEOLUS_BAR:6.2f} "
            f"{difference:11.1e}"
        )


if __name__ == "__main__":
    main()
