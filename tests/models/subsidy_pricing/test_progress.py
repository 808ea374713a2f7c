"""Long steps of seed 003 show tqdm progress on stderr when asked, and nothing otherwise (issue #14, item 6)."""

import re

from strategies import small_operator

from evgames.data.subsidy_pricing import synthetic_trips
from evgames.models.subsidy_pricing import OperatorProblem, pso_bilevel, studies
from evgames.solvers import PSOSettings

SMALL = small_operator()
OUTER = PSOSettings(swarm_size=3, iterations=3, stall_iterations=2, seed=5)
INNER = PSOSettings(swarm_size=8, iterations=15, stall_iterations=8, seed=0)


def test_the_outer_swarm_shows_one_step_per_particle_on_stderr(capsys):
    problem = OperatorProblem(SMALL, synthetic_trips(60, 2))
    shown = pso_bilevel(problem, outer=OUTER, inner=INNER, progress=True)
    output = capsys.readouterr()
    assert "outer swarm" in output.err and output.out == ""
    # at most 3 particles x (3 iterations + the initial positions); a stalled swarm's bar ends complete too
    done = re.findall(r"(\d+)/(\d+)", output.err)[-1]
    assert done[0] == done[1] and int(done[1]) <= 12
    quiet = pso_bilevel(problem, outer=OUTER, inner=INNER)
    assert capsys.readouterr().err == ""
    assert quiet.outcome == shown.outcome  # the bar does not touch the seeded swarm


def test_a_sweep_shows_its_points_and_keeps_the_slowest(capsys):
    table = studies.sweep(
        OperatorProblem(SMALL, synthetic_trips(60, 2)), points=2, step=0.1, refine=0.05, progress=True
    )
    err = capsys.readouterr().err
    assert f"{len(table)}/{len(table)}" in err and "slowest:" in err
    slowest = table.attrs["slowest"]
    assert slowest["parameter"] in studies.SWEPT and slowest["change"] in set(table["change"])
    assert slowest["seconds"] > 0
