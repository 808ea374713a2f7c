"""Survey scores for user segmentation (seed 002 §3): a CSV with one row per respondent.

Every column is a numeric score (e.g. ``price_sensitivity, added_value, loyalty, frequency``); a cell
that is empty, text or not finite is an error naming its row and column, never a reason to drop the
column. Labels (a respondent id, a known type) belong in another file.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from evgames.data.validation import DataError, read_table, require_numeric_columns

__all__ = ["load_survey"]


def load_survey(path: str | Path, field: str = "data") -> pd.DataFrame:
    """Read and check a survey CSV: at least two score columns and two respondents, every cell a number."""
    frame = read_table(field, path)
    if frame.shape[1] < 2 or len(frame) < 2:
        raise DataError(field, str(path), f"needs at least two score columns and two respondents, has {frame.shape}")
    return require_numeric_columns(field, frame, list(frame.columns))
