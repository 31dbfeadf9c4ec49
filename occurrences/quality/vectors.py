"""Small array helpers shared by the checks."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pandas as pd


def map_unique(values, func: Callable[[Any], Any], dtype=object) -> np.ndarray:
    """``func`` applied once per distinct value (None/NaN included), broadcast back to every element."""
    codes, uniques = pd.factorize(pd.Series(np.asarray(values, object), dtype=object), use_na_sentinel=False)
    mapped = np.array([func(None if _is_na(u) else u) for u in uniques], dtype=dtype)
    return mapped[codes] if len(mapped) else np.zeros(0, dtype)


def _is_na(value) -> bool:
    """None, NaN, pd.NA, NaT."""
    return value is None or (not isinstance(value, str) and np.ndim(value) == 0 and bool(pd.isna(value)))


def clean_text(value) -> str | None:
    """Stripped text, or None for blanks and missing values."""
    if _is_na(value):
        return None
    text = str(value).strip()
    return text or None


def clean_column(values, fold: bool = False) -> np.ndarray:
    """Stripped text (case-folded if asked), None for blanks; each distinct value handled once."""
    if fold:
        return map_unique(values, lambda v: (clean_text(v) or "").casefold() or None)
    return map_unique(values, clean_text)
