"""occurrences: the multilingual small-carnivore occurrence database for mainland Southeast Asia."""
from .errors import OccurrencesError
from .records import FIELDS, FIELD_NAMES
from .store import Filters, open_store, parse_filters

__version__ = "0.1.0"
__all__ = ["open_store", "Filters", "parse_filters", "FIELDS", "FIELD_NAMES", "OccurrencesError", "__version__"]
