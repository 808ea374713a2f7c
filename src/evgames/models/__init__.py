"""One module per model family: data class, ``build_model(data)``, closed forms, extraction, ``solve``.

The modules are imported on first use (PEP 562), so that a worker process that needs one family (a
station-alliance sweep) does not import the others' solver stacks when it starts.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

__all__ = ["bargaining", "satisfaction", "station_alliance"]


def __getattr__(name: str) -> ModuleType:
    if name in __all__:
        return import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
