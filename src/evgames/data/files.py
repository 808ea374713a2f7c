"""The file form every data class shares: read from YAML/JSON, write back to YAML.

A data class defines ``from_dict(record)`` and ``to_dict()`` (plain Python in exactly the form
``from_dict`` reads, so that ``Type.from_dict(data.to_dict()) == data``) and inherits from
:class:`DataFile` the rest: :meth:`~DataFile.from_file`, :meth:`~DataFile.from_yaml` and
:meth:`~DataFile.to_yaml`. :func:`save` writes any of them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Self

from evgames.data.validation import load_mapping, write_yaml

__all__ = ["DataFile", "save"]


class DataFile(ABC):
    """Base giving a data class its file form from its ``from_dict`` and ``to_dict``."""

    @classmethod
    @abstractmethod
    def from_dict(cls, record: Mapping[str, Any]) -> Self:
        """Build from the mapping the class documents."""

    @abstractmethod
    def to_dict(self) -> dict[str, Any]:
        """The mapping :meth:`from_dict` reads, as plain Python."""

    @classmethod
    def from_file(cls, path: str | Path) -> Self:
        """Load from a YAML file, or a JSON file when the name ends in ``.json``.

        Raises :class:`~evgames.data.validation.DataError` naming the file when it is missing, unreadable,
        empty or not a mapping, and naming the field when an entry is invalid.
        """
        return cls.from_dict(load_mapping(Path(path)))

    @classmethod
    def from_yaml(cls, source: str | Path | Mapping[str, Any]) -> Self:
        """Load from a file (as :meth:`from_file`) or an already-parsed mapping (as :meth:`from_dict`)."""
        return cls.from_dict(source) if isinstance(source, Mapping) else cls.from_file(source)

    def to_yaml(self, path: str | Path) -> Path:
        """Write :meth:`to_dict` to ``path`` as YAML that :meth:`from_file` reads back; returns the path."""
        name = type(self).__name__
        return write_yaml(path, self.to_dict(), header=f"{name} written by evgames; read it with {name}.from_file")


def save(data: DataFile, path: str | Path) -> Path:
    """Write any data class to ``path`` as YAML (``data.to_yaml(path)``); returns the path."""
    return data.to_yaml(path)
