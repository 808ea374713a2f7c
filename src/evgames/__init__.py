"""evgames: game-theoretic optimisation models for EV charging and energy alliances.

Models are algebraic Pyomo models (:mod:`evgames.models`) built from validated data
(:mod:`evgames.data`), solved through one solver layer (:mod:`evgames.solvers`: HiGHS, Ipopt via
cyipopt, PSO) and checked against closed forms and published numbers (:mod:`evgames.verification`).
"""

from importlib.metadata import PackageNotFoundError, version

from evgames.data import DataError
from evgames.solvers import SolverConfig, SolveResult, solve

try:
    __version__ = version("evgames")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without installation
    __version__ = "0.0.0"

__all__ = ["DataError", "SolveResult", "SolverConfig", "__version__", "solve"]
