"""``keras.preprocessing.sequence``."""
from keraslite.utils.sequence_utils import pad_sequences

__all__ = ["pad_sequences"]
