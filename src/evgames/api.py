"""Puts the pieces together: one registry of model families that the CLI and scripts read.

Each family is a module with the same public shape: a data class (``from_dict``, ``from_file``,
``to_dict``), ``build_model(data)`` where the family has one Pyomo model, ``solve(data, ...)`` returning a
typed result with ``to_dict()`` and ``to_frame()``, and ``verify(data)`` returning verdicts. The registry
names the modules; they are imported when first used, so that reading it (``evgames --help``) loads no
solver stack.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from evgames.data.validation import DataError
from evgames.lazy import lazy_attributes

if TYPE_CHECKING:
    from evgames.data.bargaining import BargainingData
    from evgames.data.satisfaction import SatisfactionData
    from evgames.data.station_alliance import StationAllianceData
    from evgames.solvers import SolverConfig
    from evgames.verification import ClosedFormReport

__all__ = [
    "FAMILIES",
    "MODELS",
    "Family",
    "family",
    "load_data",
    "load_family_data",
    "load_station_data",
    "reproduce",
    "solve",
    "verify",
    "verify_all",
]


@dataclass(frozen=True)
class Family:
    """One model family: where its code and data class live and what it is.

    Attributes:
        name: The family's name as the CLI spells it (``evgames solve NAME``).
        module: The module holding ``solve`` (and ``build_model``, ``verify``).
        data_class: ``module:Class`` of the family's validated data.
        summary: One line for ``--help``.
        paper: The seed paper and section it implements.
    """

    name: str
    module: str
    data_class: str
    summary: str
    paper: str

    def load(self) -> ModuleType:
        """The family's module (imported now, with its solver stack)."""
        return import_module(self.module)

    def data_type(self) -> type:
        """The family's data class."""
        module, _, name = self.data_class.partition(":")
        return getattr(import_module(module), name)


#: Every model family, in the order the papers present them.
FAMILIES: Mapping[str, Family] = {
    family.name: family
    for family in (
        Family(
            "bargaining",
            "evgames.models.bargaining",
            "evgames.data.bargaining:BargainingData",
            "fixed-ratio asymmetric Nash bargaining",
            "seed 000 §2.4.1",
        ),
        Family(
            "satisfaction",
            "evgames.models.satisfaction",
            "evgames.data.satisfaction:SatisfactionData",
            "constrained satisfaction Nash bargaining and its adjustment",
            "seed 000 §2.4.2",
        ),
        Family(
            "station-alliance",
            "evgames.models.station_alliance",
            "evgames.data.station_alliance:StationAllianceData",
            "station-alliance coalition values (MILP) and their allocation",
            "seed 001 §4",
        ),
        Family(
            "demand-response",
            "evgames.models.demand_response",
            "evgames.data.demand_response:DemandResponseData",
            "time-of-use demand response, tariff NLP, incentive MILP and the platform-user game",
            "seed 002 §2-3",
        ),
        Family(
            "subsidy-pricing",
            "evgames.models.subsidy_pricing",
            "evgames.data.subsidy_pricing:SubsidyPricingData",
            "government -> operator -> users Stackelberg game of subsidies and prices",
            "seed 003",
        ),
    )
}

#: Model names accepted by ``solve`` and ``verify``.
MODELS = tuple(FAMILIES)

#: The families whose ``verify`` compares closed forms with Ipopt and PSO (seed 000), in ``evgames verify``.
CLOSED_FORM_MODELS = ("bargaining", "satisfaction")


def family(model: str) -> Family:
    """The family called ``model``; a :class:`DataError` names the known ones otherwise."""
    if model not in FAMILIES:
        raise DataError("model", model, f"unknown model; choose one of {list(FAMILIES)}")
    return FAMILIES[model]


def _check_model(model: str, known: Sequence[str] = CLOSED_FORM_MODELS) -> None:
    if model not in known:
        raise DataError("model", model, f"unknown model; choose one of {list(known)}")


def load_data(model: str, path: str | Path | None = None) -> BargainingData | SatisfactionData:
    """Data for ``model`` from a YAML file, or the shipped seed 000 case when ``path`` is None.

    The shipped bargaining data are the case file's §3 block. The shipped satisfaction data carry the
    stage-1 coefficients r of seed 000 §3.2 as ``current``: they are computed by the paper's stage 1
    (Shapley value, corrections, eq. (14)), so that default comes through :mod:`evgames.papers.seed000`.
    """
    from evgames.data.shipped import load_case

    _check_model(model)
    if model == "bargaining":
        from evgames.data.bargaining import BargainingData

        return BargainingData.from_yaml(path) if path else BargainingData.from_dict(load_case("seed000")["bargaining"])
    from evgames.data.satisfaction import SatisfactionData
    from evgames.papers import seed000

    if path:
        return SatisfactionData.from_yaml(path)
    case = load_case(seed000.CASE)
    stage_one = seed000.stage_one(case, seed000.bargaining_data(case))
    return seed000.satisfaction_data(case, stage_one["coefficient"], case["satisfaction"]["adjustment"])


def load_station_data(path: str | Path | None = None) -> StationAllianceData:
    """Station-alliance data from a YAML file, or seed 001's six peak hours (Table 3) when None."""
    from evgames.data.shipped import load_case
    from evgames.data.station_alliance import StationAllianceData

    return StationAllianceData.from_yaml(path if path else load_case("seed001_stations"))


def solve(model: str, data: BargainingData | SatisfactionData, solver: str | SolverConfig | None = None) -> Any:
    """Solve one seed 000 model with the configured solver (the model's default when none is named)."""
    _check_model(model)
    return family(model).load().solve(data, solver)


#: The shipped case each family's ``verify`` runs on when no data is given (a small one where a method is slow).
VERIFY_CASES: Mapping[str, str] = {
    "station-alliance": "seed001_stations",
    "demand-response": "seed002_demand",
    "subsidy-pricing": "seed003_small",
}


def load_family_data(model: str, path: str | Path | None = None, *, purpose: str = "verify") -> Any:
    """Data of any family from a file, or its shipped case (seed 000 for bargaining and satisfaction)."""
    if model in CLOSED_FORM_MODELS:
        return load_data(model, path)
    data_type = family(model).data_type()
    if path is not None:
        return data_type.from_file(path)
    from evgames.data.shipped import load_case

    return data_type.from_dict(load_case(VERIFY_CASES[model]))


def verify_all(models: Sequence[str] | None = None, path: str | Path | None = None) -> tuple[list[Any], Any]:
    """Every family's cross-checks as one verdict table, and the seed 000 closed-form reports.

    Bargaining and satisfaction compare their closed forms with Ipopt and PSO (:func:`verify`); the other
    families run their own ``verify(data)``. Returns ``(reports, table)``: the closed-form reports and the
    :class:`~evgames.verification.VerificationTable` of every family's verdicts.
    """
    from evgames.verification import VerificationTable

    models = list(FAMILIES) if models is None else list(models)
    reports, tables = [], []
    for model in models:
        data = load_family_data(model, path)
        if model in CLOSED_FORM_MODELS:
            report = verify(model, data)
            reports.append(report)
            tables.append(report.table())
        else:
            tables.append(family(model).load().verify(data))
    return reports, VerificationTable.combine(tables)


def reproduce(paper: str | None = None) -> list[Any]:
    """Published vs computed rows of the shipped case studies (see :mod:`evgames.papers`)."""
    from evgames.papers import reproduce as rows

    return rows(paper)


def verify(
    model: str,
    data: BargainingData | SatisfactionData | None = None,
    solvers: Sequence[str | SolverConfig] | None = None,
) -> ClosedFormReport:
    """Solve a seed 000 model with each solver (Ipopt and PSO by default) and compare with every closed form."""
    _check_model(model)
    module = family(model).load()
    data = load_data(model) if data is None else data
    return module.verify_report(data) if solvers is None else module.verify_report(data, solvers)


#: Names that lived here and now live in :mod:`evgames.verification.closed_form` (imported when asked).
__getattr__ = lazy_attributes(
    __name__,
    {
        "VerificationReport": "evgames.verification",
        "TOLERANCE": "evgames.verification.closed_form",
        "DEFAULT_TOLERANCE": "evgames.verification.closed_form",
    },
)
