"""Solver configuration: one generic options object, read from TOML, YAML or the command line.

A file holds a ``[solver]`` table (TOML) or ``solver:`` mapping (YAML)::

    [solver]
    name = "ipopt"
    time_limit = 10        # seconds
    tolerance = 1e-10
    verbose = false

    [solver.options]       # passed verbatim, under the solver's own option names
    mu_strategy = "adaptive"

The generic fields are translated to each solver's own names in :mod:`evgames.solvers.registry`.
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

_FIELDS = ("name", "time_limit", "tolerance", "verbose", "options")


@dataclass(frozen=True)
class SolverConfig:
    """Which solver to run and how.

    Attributes:
        name: Registry name (``ipopt``, ``highs``, ``pso``) or any installed Pyomo solver; ``None``
            lets the model choose its default.
        time_limit: Wall-clock limit in seconds; reaching it is a failure, never success.
        tolerance: Convergence tolerance (Ipopt ``tol``, HiGHS ``mip_rel_gap``, PSO stall tolerance).
        verbose: Show the solver's log.
        options: Solver-specific options, passed verbatim.
    """

    name: str | None = None
    time_limit: float | None = None
    tolerance: float | None = None
    verbose: bool = False
    options: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.name is not None and (not isinstance(self.name, str) or not self.name.strip()):
            raise SolverOptionError(f"solver.name = {self.name!r}: must be a solver name such as 'ipopt'")
        for key in ("time_limit", "tolerance"):
            value = getattr(self, key)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
                raise SolverOptionError(f"solver.{key} = {value!r}: must be a positive number")
        if not isinstance(self.verbose, bool):
            raise SolverOptionError(f"solver.verbose = {self.verbose!r}: must be true or false")
        if not isinstance(self.options, Mapping):
            raise SolverOptionError(f"solver.options = {self.options!r}: must be a table of option = value")

    def with_name(self, name: str | None) -> SolverConfig:
        """Return a copy with another solver name (the CLI's ``--solver`` overrides a file)."""
        return replace(self, name=name) if name else self

    @classmethod
    def from_mapping(cls, record: Mapping[str, Any]) -> SolverConfig:
        """Build from a mapping that holds a ``solver`` table (or is that table)."""
        table = record.get("solver", record) if isinstance(record, Mapping) else record
        if isinstance(table, str):
            return cls(name=table)
        if not isinstance(table, Mapping):
            raise SolverOptionError(f"solver = {table!r}: must be a table with at least 'name'")
        unknown = sorted(set(table) - set(_FIELDS))
        if unknown:
            raise SolverOptionError(
                f"solver.{unknown[0]} is not a known setting; use one of {list(_FIELDS)} "
                "(solver-specific settings go under [solver.options])"
            )
        return cls(**{key: table[key] for key in _FIELDS if key in table})

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
