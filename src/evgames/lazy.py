"""Names a package re-exports but imports only on first use (PEP 562), so that importing it stays light.

The solver stack (Pyomo, CasADi, cyipopt, highspy) takes seconds to import; packages whose light parts
people import often (``evgames``, ``evgames.solvers``, ``evgames.games``) expose the heavy names this way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any

__all__ = ["lazy_attributes"]


def lazy_attributes(package: str, sources: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` that imports ``sources[name]`` (a module path) when ``name`` is first used."""

    def __getattr__(name: str) -> Any:
        if name in sources:
            return getattr(import_module(sources[name]), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
