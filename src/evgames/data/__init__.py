"""Validated inputs: schemas with errors that name the field and the value, loaders, shipped cases."""

from evgames.data.bargaining import BargainingData, BargainingPlayer
from evgames.data.satisfaction import SatisfactionData, SatisfactionPlayer
from evgames.data.validation import DataError

__all__ = ["BargainingData", "BargainingPlayer", "DataError", "SatisfactionData", "SatisfactionPlayer"]
