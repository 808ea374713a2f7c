"""TU games and allocation rules (numpy; LPs are built as Pyomo models)."""

from evgames.games.shapley import modified_shapley, shapley
from evgames.games.tu import TUGame

__all__ = ["TUGame", "modified_shapley", "shapley"]
