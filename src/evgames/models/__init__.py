"""One module per model family: data class, ``build_model(data)``, closed forms, extraction, ``solve``."""

from evgames.models import bargaining, satisfaction

__all__ = ["bargaining", "satisfaction"]
