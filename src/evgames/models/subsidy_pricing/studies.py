"""Seed 003's sensitivity studies (Tables 3–4, Figures 5–8), computed on the model's own equilibrium.

* **Scenarios** (Table 2): the equilibrium beside the operator's best response without subsidies.
* **Perturbations** (Tables 3–4): from the bilevel solution, both prices (or both subsidy rates) are
  scaled by −2 %…+2 % with the other decision held, and every reported figure recomputed.
* **Sweeps** (Figures 5–8): the private-car cost pp, the sharing comfort cost COMe, the daily operating
  cost C3 and the two fleet-response coefficients k3 and ε are changed by −10 %…+10 % one at a time and
  the bilevel game re-solved; the equilibrium prices and subsidy rates are tabulated and plotted.

Every point is a full solve (the exact operator response for the perturbation tables; the bilevel
search for the sweeps), with a progress bar on stderr; the sweep's bar names its slowest point so far.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from evgames.data.subsidy_pricing import NO_SUBSIDIES, Subsidies
from evgames.data.validation import require_integer
from evgames.models.subsidy_pricing.outcome import BilevelResult, evaluate, outcome_at
from evgames.models.subsidy_pricing.problem import OperatorProblem
from evgames.models.subsidy_pricing.response_table import ResponseTable
from evgames.models.subsidy_pricing.upper_level import government_optimum

__all__ = ["SWEPT", "perturbation_tables", "plot_sweeps", "scenario_table", "sweep"]

#: Parameters of Figures 5–8: name -> label.
SWEPT = {
    "private_cost_per_km": "private car cost pp",
    "comfort_sharing": "sharing comfort cost COMe",
    "operating_cost": "operating cost C3",
    "usage_fleet_response": "user-choice coefficient k3",
    "subsidy_fleet_response": "subsidy coefficient ε",
}
CHANGES = (-0.02, -0.01, 0.0, 0.01, 0.02)
FIGURES = ("trips", "sharing_ratio", "operator", "government", "environmental", "social")


def _column(change: float) -> str:
    return f"{change:+.0%}" if change else "0%"


#: Rows of Table 2: decisions first, then every figure.
SCENARIO_ROWS = (
    "vehicle_subsidy",
    "infrastructure_subsidy",
    "price_per_km",
    "price_per_min",
    "fleet",
    *FIGURES,
    "subsidy_outlay",
)


def scenario_table(
    problem: OperatorProblem, equilibrium: BilevelResult, table: ResponseTable | None = None
) -> pd.DataFrame:
    """Table 2: the equilibrium beside the no-subsidy scenario (the operator's exact best response at 0, 0)."""
    table = table or ResponseTable(problem)
    unsubsidised = outcome_at(problem, table.respond(NO_SUBSIDIES), NO_SUBSIDIES)
    return pd.DataFrame(
        {
            "with subsidies": {name: getattr(equilibrium.outcome, name) for name in SCENARIO_ROWS},
            "no subsidies": {name: getattr(unsubsidised, name) for name in SCENARIO_ROWS},
        }
    )


def perturbation_tables(problem: OperatorProblem, equilibrium: BilevelResult) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Tables 3 and 4: figures with both prices, then both subsidy rates, scaled by −2 %…+2 %.

    The 0 % columns are the equilibrium itself (at a supremum, with the trips of the cell approached);
    with the prices held (Table 4) the users' choices stay those of the equilibrium.
    """
    base = equilibrium.outcome

    def table(scale_prices: bool) -> pd.DataFrame:
        columns = {}
        for change in CHANGES:
            factor = 1.0 + change
            if change == 0.0:
                outcome = base
            elif scale_prices:
                outcome = evaluate(problem, base.price_per_km * factor, base.price_per_min * factor, base.subsidies)
            else:
                scaled = Subsidies(base.vehicle_subsidy * factor, base.infrastructure_subsidy * factor)
                outcome = evaluate(
                    problem, base.price_per_km, base.price_per_min, scaled, shared=equilibrium.response.chosen
                )
            columns[_column(change)] = {name: getattr(outcome, name) for name in FIGURES}
        return pd.DataFrame(columns)

    return table(True), table(False)


def sweep(
    problem: OperatorProblem,
    points: int = 5,
    step: float = 0.01,
    refine: float = 0.001,
    progress: bool = False,
    method: str = "exact",
    table: ResponseTable | None = None,
) -> pd.DataFrame:
    """Figures 5–8: equilibrium prices and subsidies as each swept parameter changes by −10 %…+10 %.

    ``method``, ``step`` and ``refine`` choose the upper level (:func:`government_optimum`). The
    operator's response table (``table`` if given, built for ``problem``) is shared by every point whose
    change leaves the choice lines alone (C3, k3, ε, and each parameter's 0 %), so those points cost only
    the upper level; each other parameter value gets one table of its own. ``progress`` shows a bar on
    stderr, one step per point, naming the slowest point so far; the returned frame keeps it in
    ``attrs["slowest"]`` (parameter, change, seconds), out of the columns so that a rerun writes the same CSV.
    """
    points = require_integer("points", points, 2)  # a ±10 % sweep needs both of its ends
    changes = np.linspace(-0.10, 0.10, points)
    rows = []
    jobs = [(name, change) for name in SWEPT for change in changes]
    params, base_table = problem.params, table if table is not None else ResponseTable(problem)
    slowest: dict[str, Any] = {"parameter": None, "change": None, "seconds": 0.0}
    bar = tqdm(jobs, desc="sweeps", unit="point", disable=not progress)
    for name, change in bar:
        start = time.perf_counter()
        changed = problem.with_params(params.with_overrides({name: getattr(params, name) * (1.0 + change)}))
        found = government_optimum(changed, method, step=step, refine=refine, table=base_table.for_problem(changed))
        outcome = found.outcome
        rows.append(
            {
                "parameter": name,
                "change": round(float(change), 6),
                "price_per_km": outcome.price_per_km,
                "price_per_min": outcome.price_per_min,
                "vehicle_subsidy": outcome.vehicle_subsidy,
                "infrastructure_subsidy": outcome.infrastructure_subsidy,
                "trips": outcome.trips,
                "operator": outcome.operator,
                "government": outcome.government,
                "upper_method": found.method,
                "supremum": found.supremum,
            }
        )
        seconds = time.perf_counter() - start
        if seconds > slowest["seconds"]:  # points differ by orders of magnitude: C3, k3, ε reuse the table
            slowest = {"parameter": name, "change": round(float(change), 6), "seconds": seconds}
            bar.set_postfix_str(f"slowest: {name} {change:+.0%} {seconds:.1f} s")
    frame = pd.DataFrame(rows)
    frame.attrs["slowest"] = slowest
    return frame


def plot_sweeps(table: pd.DataFrame, directory: str | Path) -> list[Path]:
    """One figure per decision (Figures 5–8): its value against each parameter's change."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for column, label in (
        ("price_per_km", "price per km (CNY)"),
        ("price_per_min", "price per minute (CNY)"),
        ("vehicle_subsidy", "vehicle subsidy rate Sc1"),
        ("infrastructure_subsidy", "infrastructure subsidy rate Sc2"),
    ):
        figure, axis = plt.subplots(figsize=(5.5, 3.8))
        for name, group in table.groupby("parameter", sort=False):
            axis.plot(100 * group["change"], group[column], marker="o", label=SWEPT.get(name, name))
        axis.set(xlabel="parameter change (%)", ylabel=label, title=f"equilibrium {label}")
        axis.legend(fontsize=7)
        figure.tight_layout()
        written.append(folder / f"sweep_{column}.png")
        figure.savefig(written[-1], dpi=120)
        plt.close(figure)
    return written
