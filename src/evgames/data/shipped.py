"""Case studies shipped with the package (``evgames/data/cases/*.yaml``), read with importlib.resources."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from typing import Any

from evgames.data.validation import DataError, parse_yaml

__all__ = ["case_names", "load_case"]


def case_names() -> list[str]:
    """Names of the shipped cases, e.g. ``["seed000"]``."""
    folder = resources.files("evgames.data").joinpath("cases")
    return sorted(entry.name.removesuffix(".yaml") for entry in folder.iterdir() if entry.name.endswith(".yaml"))


def load_case(name: str) -> Mapping[str, Any]:
    """The parsed YAML of a shipped case."""
    if name not in case_names():
        raise DataError("case", name, f"no such shipped case; available: {case_names()}")
    text = resources.files("evgames.data").joinpath("cases", f"{name}.yaml").read_text(encoding="utf-8")
    content = parse_yaml(text, f"{name}.yaml")
    if not isinstance(content, Mapping):
        raise DataError("case", name, "the case file must hold a YAML mapping")
    return content
