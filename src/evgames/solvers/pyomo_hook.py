"""Register evgames' solvers with Pyomo's ``SolverFactory`` without importing Pyomo at ``import evgames.solvers``.

Pyomo (6.10) has no plugin entry point for solvers in pip packages (its entry points serve only the ``pyomo``
command), and importing even ``pyomo.opt`` costs about 0.1 s, which the light ``import evgames.solvers`` must
not pay. So :func:`install` does one of two things:

* if ``pyomo.opt`` is already imported, it imports :mod:`evgames.solvers.pyomo_plugin`, which registers at once;
* otherwise it puts a finder on ``sys.meta_path`` that waits for ``pyomo.opt`` to be imported (by anyone, e.g.
  ``import pyomo.environ``), lets it finish, then imports the plugin, and removes itself.

Either way ``import evgames.solvers; import pyomo.environ as pyo; pyo.SolverFactory("evgames_ipopt")`` works,
in either import order.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from importlib.abc import Loader, MetaPathFinder
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any

__all__ = ["install"]

_TRIGGER = "pyomo.opt"
_PLUGIN = "evgames.solvers.pyomo_plugin"


class _RegisteringLoader(Loader):
    """Wraps the loader of ``pyomo.opt``: runs it, then imports the plugin (which registers)."""

    def __init__(self, loader: Loader) -> None:
        self.loader = loader

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self.loader.exec_module(module)
        sys.modules[module.__name__] = module  # the import system sets it only after exec_module returns
        importlib.import_module(_PLUGIN)

    def __getattr__(self, name: str) -> Any:  # resource readers and the like go to the wrapped loader
        return getattr(self.loader, name)


class _PyomoOptFinder(MetaPathFinder):
    """Finds nothing itself: for ``pyomo.opt`` it asks the other finders and wraps the loader they return."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname != _TRIGGER:
            return None
        sys.meta_path.remove(self)  # one use only, and the finders asked below must not find us again
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            spec = find(fullname, path, target) if find else None
            if spec is not None:
                if spec.loader is not None:
                    spec.loader = _RegisteringLoader(spec.loader)
                return spec
        return None


def install() -> None:
    """Register now if ``pyomo.opt`` is loaded, else when it is first imported (idempotent)."""
    if _TRIGGER in sys.modules:
        importlib.import_module(_PLUGIN)
    elif not any(isinstance(finder, _PyomoOptFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _PyomoOptFinder())
