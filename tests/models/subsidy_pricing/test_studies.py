import pytest
from strategies import small_operator

from evgames.data.subsidy_pricing import synthetic_trips
from evgames.models.subsidy_pricing import NO_SUBSIDIES, OperatorProblem, best_response, government_optimum, studies

SMALL = small_operator()


def test_perturbation_tables_hold_the_other_decision():
    problem = OperatorProblem(SMALL, synthetic_trips(80, 2))
    equilibrium = government_optimum(problem, step=0.1, refine=0.05)
    base = equilibrium.outcome
    prices, subsidies = studies.perturbation_tables(problem, equilibrium)
    assert list(prices.columns) == ["-2%", "-1%", "0%", "+1%", "+2%"]
    assert prices.loc["operator", "0%"] == pytest.approx(base.operator)
    assert set(subsidies.loc["trips"]) == {base.trips}  # subsidies do not move the users' choices


def test_sweep_and_figures(tmp_path):
    trips = synthetic_trips(60, 2)
    table = studies.sweep(OperatorProblem(SMALL, trips), points=3, step=0.1, refine=0.05)
    assert len(table) == 3 * len(studies.SWEPT)
    assert set(table["change"]) == {-0.1, 0.0, 0.1}
    files = studies.plot_sweeps(table, tmp_path)
    assert len(files) == 4 and all(path.stat().st_size > 1000 for path in files)


def test_scenario_table_sets_the_equilibrium_beside_the_operators_unsubsidised_best_response():
    problem = OperatorProblem(SMALL, synthetic_trips(80, 2))
    equilibrium = government_optimum(problem, step=0.1, refine=0.05)
    scenarios = studies.scenario_table(problem, equilibrium)
    assert list(scenarios.columns) == ["with subsidies", "no subsidies"]
    assert scenarios.loc["government", "with subsidies"] == pytest.approx(equilibrium.outcome.government)
    unsubsidised = best_response(problem, NO_SUBSIDIES)  # the full sweep, not the table
    assert scenarios.loc["operator", "no subsidies"] == pytest.approx(unsubsidised.operator, rel=1e-12)
    assert scenarios.loc["subsidy_outlay", "no subsidies"] == 0
    # the government chose its subsidies: no subsidy at all is one of its options
    assert scenarios.loc["government", "with subsidies"] >= scenarios.loc["government", "no subsidies"] - 1e-6
