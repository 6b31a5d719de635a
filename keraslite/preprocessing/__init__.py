"""``keras.preprocessing`` names: ``sequence.pad_sequences`` and the ``image`` helpers."""
from keraslite.preprocessing import image, sequence

__all__ = ["image", "sequence"]
