import pandas as pd

from evgames.verification import NumericOptimum, Verdict, compare


def objective(point):
    # max -(x-1)^2 - (y-2)^2 on x + y = 3 (optimum (1, 2), objective 0).
    return -((point["x"] - 1) ** 2) - (point["y"] - 2) ** 2


def violation(point):
    return abs(point["x"] + point["y"] - 3)


def run(candidates, status="optimal", point=(1.0, 2.0)):
    numeric = [NumericOptimum("solver", status, pd.Series(point, index=["x", "y"]), 1e-8)]
    frame = compare(numeric, {k: pd.Series(v, index=["x", "y"]) for k, v in candidates.items()}, objective, violation)
    return dict(zip(frame["closed_form"], frame["verdict"]))


def test_each_verdict():
    verdicts = run({"right": (1.0, 2.0), "worse": (1.5, 1.5), "infeasible": (1.0, 2.5)})
    assert verdicts == {"right": "agree", "worse": "closed form not optimal", "infeasible": "closed form infeasible"}
    assert run({"better": (1.0, 2.0)}, point=(1.5, 1.5)) == {"better": Verdict.SOLVER_WORSE.value}
    assert run({"any": (1.0, 2.0)}, status="iteration_limit") == {"any": "solver failed"}


def test_verdict_rows_read_found_minus_expected_on_the_objective():
    """A closed-form row reads like every other verdict row: objectives, found − expected, the point in the detail."""
    from evgames.verification import CheckVerdict
    from evgames.verification.compare import comparison_checks

    numeric = [NumericOptimum("solver", "optimal", pd.Series((1.0, 2.0), index=["x", "y"]), 1e-8)]
    closed = {"worse": pd.Series((1.5, 1.5), index=["x", "y"])}
    (row,) = comparison_checks("toy", compare(numeric, closed, objective, violation))
    # objective(1.5, 1.5) = -(0.25 + 0.25) = -0.5 against 0 at the optimum; the points are 0.5 apart
    assert (row.expected, row.found, row.difference) == (0.0, -0.5, -0.5)
    assert row.verdict is CheckVerdict.DIFFERS
    assert "max |point difference| 0.5" in row.detail
