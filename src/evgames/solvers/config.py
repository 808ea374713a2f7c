"""Solver configuration: one generic options object, read from TOML, YAML or the command line.

A file holds a ``[solver]`` table (TOML) or ``solver:`` mapping (YAML), with one option table per solver::

    [solver]
    name = "ipopt"         # the solver used unless the CLI's --solver NAME (or with_name) picks another
    time_limit = 10        # seconds; the generic settings apply to every solver
    tolerance = 1e-10
    verbose = false
    warm_start = false     # start from the values the model was built with, not from the last answer

    [solver.ipopt]         # passed verbatim to Ipopt, under its own option names
    mu_strategy = "adaptive"
    [solver.highs]
    presolve = "on"
    [solver.pso]
    swarm_size = 60

The generic fields are translated to each solver's own names in :mod:`evgames.solvers.registry`.

The older flat table ``[solver.options]`` is still read; it belongs to the solver named by ``name`` (to any
solver when ``name`` is absent) and is dropped when another solver is picked, so Ipopt's options never reach
PSO. Precedence, lowest first: translated generic settings, ``[solver.options]``, ``[solver.NAME]``, options
passed in code (``solve(model, config, options)``).
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from evgames.data.validation import DataError, parse_yaml
from evgames.solvers.errors import SolverOptionError

__all__ = ["SolverConfig"]

_FIELDS = ("name", "time_limit", "tolerance", "verbose", "warm_start", "options")


@dataclass(frozen=True)
class SolverConfig:
    """Which solver to run and how.

    Attributes:
        name: Registry name (``ipopt``, ``highs``, ``pso``) or any installed Pyomo solver; ``None``
            lets the model choose its default.
        time_limit: Wall-clock limit in seconds; reaching it is a failure, never success.
        tolerance: Convergence tolerance (Ipopt ``tol``, HiGHS ``mip_rel_gap``, PSO stall tolerance).
        verbose: Show the solver's log.
        warm_start: Start from the variables' current values (e.g. the last solve's answer). The default,
            ``False``, starts every solve of a model from the values its variables had before its first solve
            through evgames (their ``initialize`` values), so a re-solve after a parameter change gives the
            same answer as solving a freshly built model. Pyomo's convention is the opposite, so the
            ``evgames_ipopt``/``evgames_pso`` SolverFactory plugins always start from current values.
        options: Options of the solver called ``name`` (the flat ``[solver.options]`` table), passed verbatim.
        tables: Options per solver name (``[solver.ipopt]``, ``[solver.pso]``, ...), passed verbatim to that
            solver only; they win over ``options``.
    """

    name: str | None = None
    time_limit: float | None = None
    tolerance: float | None = None
    verbose: bool = False
    warm_start: bool = False
    options: Mapping[str, Any] = field(default_factory=dict)
    tables: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.name is not None and (not isinstance(self.name, str) or not self.name.strip()):
            raise SolverOptionError(f"solver.name = {self.name!r}: must be a solver name such as 'ipopt'")
        for key in ("time_limit", "tolerance"):
            value = getattr(self, key)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
                raise SolverOptionError(f"solver.{key} = {value!r}: must be a positive number")
        for key in ("verbose", "warm_start"):
            if not isinstance(getattr(self, key), bool):
                raise SolverOptionError(f"solver.{key} = {getattr(self, key)!r}: must be true or false")
        if not isinstance(self.options, Mapping):
            raise SolverOptionError(f"solver.options = {self.options!r}: must be a table of option = value")
        for solver, table in self.tables.items():
            if not isinstance(table, Mapping):
                raise SolverOptionError(f"solver.{solver} = {table!r}: must be a table of option = value")

    def options_for(self, name: str) -> dict[str, Any]:
        """The verbatim options solver ``name`` gets: ``options`` (already limited to it) then ``[solver.NAME]``."""
        return {**self.options, **self.tables.get(name.lower(), {})}

    def with_name(self, name: str | None) -> SolverConfig:
        """Return a copy that runs solver ``name`` (the CLI's ``--solver`` overrides a file's ``name``).

        The flat ``options`` were written for the previous ``name``, so they are dropped when the name changes;
        the per-solver ``tables`` stay, and ``[solver.NAME]`` applies.
        """
        if not name:
            return self
        same = self.name is not None and self.name.strip().lower() == name.strip().lower()
        return replace(self, name=name, options=self.options if same or self.name is None else {})

    @classmethod
    def from_mapping(cls, record: Mapping[str, Any]) -> SolverConfig:
        """Build from a mapping that holds a ``solver`` table (or is that table)."""
        table = record.get("solver", record) if isinstance(record, Mapping) else record
        if isinstance(table, str):
            return cls(name=table)
        if not isinstance(table, Mapping):
            raise SolverOptionError(f"solver = {table!r}: must be a table with at least 'name'")
        # A table under [solver] other than [solver.options] holds one solver's options; any other unknown key
        # is a misspelt setting.
        tables = {
            key.lower(): value for key, value in table.items() if key not in _FIELDS and isinstance(value, Mapping)
        }
        unknown = sorted(set(table) - set(_FIELDS) - set(tables))
        if unknown:
            raise SolverOptionError(
                f"solver.{unknown[0]} is not a known setting; use one of {list(_FIELDS)} "
                "(solver-specific settings go under [solver.NAME], e.g. [solver.ipopt])"
            )
        return cls(**{key: table[key] for key in _FIELDS if key in table}, tables=tables)

    @classmethod
    def from_file(cls, path: str | Path) -> SolverConfig:
        """Read a ``.toml``, ``.yaml`` or ``.yml`` configuration file."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise SolverOptionError(f"config file {path}: cannot be read ({error.strerror})") from None
        except UnicodeDecodeError:
            raise SolverOptionError(f"config file {path}: is not UTF-8 text (a binary file?)") from None
        try:
            if path.suffix.lower() == ".toml":
                record = tomllib.loads(text)
            elif path.suffix.lower() in (".yaml", ".yml"):
                record = parse_yaml(text, str(path))  # strict: a key written twice is an error
            else:
                raise SolverOptionError(f"config file {path}: use a .toml, .yaml or .yml file")
        except tomllib.TOMLDecodeError as error:
            raise SolverOptionError(f"config file {path}: cannot be parsed ({error})") from None
        except DataError as error:
            raise SolverOptionError(f"config file {path}: {error.problem}") from None
        if not isinstance(record, Mapping):
            raise SolverOptionError(f"config file {path}: must hold a [solver] table")
        return cls.from_mapping(record)


#: The solvers a closed form is cross-checked against (``verify``): Ipopt, and a swarm large enough for
#: about 1e-4 accuracy (a swarm proves nothing, but a better point it finds refutes a closed form).
CROSS_CHECK_SOLVERS: tuple[str | SolverConfig, ...] = (
    "ipopt",
    SolverConfig(name="pso", options={"swarm_size": 60, "iterations": 1500, "stall_iterations": 150}),
)
