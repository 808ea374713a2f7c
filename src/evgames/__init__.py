"""evgames: game-theoretic optimisation models for EV charging and energy alliances.

Models are algebraic Pyomo models (:mod:`evgames.models`) built from validated data
(:mod:`evgames.data`), solved through one solver layer (:mod:`evgames.solvers`: HiGHS, Ipopt via
cyipopt, PSO) and checked against closed forms and published numbers (:mod:`evgames.verification`).

Importing ``evgames`` loads no solver stack: Pyomo, CasADi, cyipopt and highspy are imported when a
solve first needs them (together they take seconds to import).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

from evgames.lazy import lazy_attributes

if TYPE_CHECKING:
    from evgames.data import DataError
    from evgames.solvers import SolverConfig, SolveResult, solve

try:
    __version__ = version("evgames")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without installation
    __version__ = "0.0.0"

__all__ = ["DataError", "SolveResult", "SolverConfig", "__version__", "solve"]

#: Re-exported names and the module each comes from, imported on first use (PEP 562).
_LAZY = {
    "DataError": "evgames.data.validation",
    "SolveResult": "evgames.solvers.result",
    "SolverConfig": "evgames.solvers.config",
    "solve": "evgames.solvers.registry",
}


__getattr__ = lazy_attributes(__name__, _LAZY)
