"""Validated inputs: schemas with errors that name the field and the value, loaders, shipped cases.

Every data class reads ``from_dict``/``from_file`` (YAML or JSON) and writes ``to_dict``/``to_yaml``;
:func:`save` writes any of them.
"""

from evgames.data.bargaining import BargainingData, BargainingPlayer
from evgames.data.files import DataFile, save
from evgames.data.satisfaction import SatisfactionData, SatisfactionPlayer
from evgames.data.validation import DataError

__all__ = [
    "BargainingData",
    "BargainingPlayer",
    "DataError",
    "DataFile",
    "SatisfactionData",
    "SatisfactionPlayer",
    "save",
]
