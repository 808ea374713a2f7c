"""One module per model family: data class, ``build_model(data)``, closed forms, extraction, ``solve``."""

from evgames.models import bargaining, satisfaction, station_alliance

__all__ = ["bargaining", "satisfaction", "station_alliance"]
